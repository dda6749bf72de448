"""Text tables of a benchmark run (the JSON record of bench/suite.py)."""

BACKEND_TITLES = {
    "jax": "jax.jit (XLA:CPU, 1 core)",
    "ours_wasmtime": "ours, wasmtime",
    "ours_node": "ours, Node",
    "iree": "IREE llvm-cpu (native)",
    "jaxjs": "jax-js wasm, Node",
}


def _ms(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def _cell(entry: dict) -> str:
    status = entry.get("status")
    if status == "unavailable":
        return "n/a"
    if status == "wrong":
        return "WRONG"
    if "median_ms" not in entry:
        return "-"
    ratio = f" ×{entry['ratio']:.2f}" if entry.get("ratio") is not None else ""
    return f"{_ms(entry['median_ms'])} [{_ms(entry['min_ms'])}–{_ms(entry['max_ms'])}]{ratio}"


def speed_line(record: dict) -> str:
    """One workload's medians, on one line (progress output)."""
    return ", ".join(f"{n} {_cell(e)}" for n, e in record["backends"].items())


def speed_table(run: dict) -> str:
    """Markdown: workload × backend, median [min–max] ms and ×(time ÷ JAX, per round)."""
    names = list(BACKEND_TITLES)
    present = [n for n in names if any(n in r["backends"] for r in run["workloads"].values())]
    lines = [
        "| workload | " + " | ".join(BACKEND_TITLES[n] for n in present) + " |",
        "|---" * (len(present) + 1) + "|",
    ]
    for w, r in run["workloads"].items():
        lines.append(f"| {w} | " + " | ".join(_cell(r["backends"].get(n, {})) for n in present) + " |")
    return "\n".join(lines)


def build_table(run: dict) -> str:
    """Markdown: our compile time, module size and memory against XLA's buffer assignment."""
    lines = [
        "| workload | HLO instrs | compile s | .wasm bytes | linear memory | XLA buffers | ours ÷ XLA |",
        "|---|---|---|---|---|---|---|",
    ]
    for w, r in run["workloads"].items():
        o, x = r["ours"], r["xla"]
        if "error" in o:
            lines.append(f"| {w} | – | fails: {o['error'][:80]} | | | {x['buffer_bytes']:,} | |")
            continue
        mem_ratio = o["linear_memory_bytes"] / x["buffer_bytes"]
        lines.append(
            f"| {w} | {o['hlo_instructions']} | {o['compile_s']:.3f} | {o['wasm_bytes']:,} | "
            f"{o['linear_memory_bytes']:,} | {x['buffer_bytes']:,} | {mem_ratio:.2f} |"
        )
    return "\n".join(lines)


def problems(run: dict) -> str:
    """One line per backend that could not run or was wrong, with the reason."""
    lines = []
    for w, r in run["workloads"].items():
        for name, e in r["backends"].items():
            if e.get("status") in ("unavailable", "wrong"):
                lines.append(f"- {w} / {name}: {e['status']}: {e['reason'][:300]}")
    return "\n".join(lines)
