"""Text tables of a benchmark run (the JSON record of bench/suite.py), and merging runs."""

import copy
import statistics

BACKEND_TITLES = {
    "jax": "jax.jit (XLA:CPU, 1 core)",
    "ours_wasmtime": "ours, wasmtime",
    "ours_node": "ours, Node",
    "ours_wasmtime_relaxed": "ours relaxed-SIMD, wasmtime",
    "ours_node_relaxed": "ours relaxed-SIMD, Node",
    "iree": "IREE llvm-cpu (native)",
    "iree_wasm32": "IREE llvm-cpu → wasm32, wasmtime",
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


def ratio_table(run: dict) -> str:
    """Markdown: time ÷ JAX per backend, by wall time (per round) and by CPU-time medians."""
    present = [n for n in BACKEND_TITLES if n != "jax"]
    present = [n for n in present if any(n in r["backends"] for r in run["workloads"].values())]
    lines = [
        "| workload | " + " | ".join(BACKEND_TITLES[n] for n in present) + " |",
        "|---" * (len(present) + 1) + "|",
    ]
    for w, r in run["workloads"].items():
        cells = []
        for n in present:
            e = r["backends"].get(n, {})
            if e.get("ratio") is None:
                cells.append(_cell(e))
            else:
                cpu = f"{e['cpu_ratio']:.2f}" if e.get("cpu_ratio") is not None else "–"
                cells.append(f"{e['ratio']:.2f} / {cpu}")
        lines.append(f"| {w} | " + " | ".join(cells) + " |")
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


def merge(runs: list[dict]) -> dict:
    """Pools the samples of repeated runs into one run-shaped record.

    Medians and ranges are recomputed over all samples; `ratio` over all per-round ratios (each
    run's rounds pair a backend's samples with JAX's); `cpu_ratio` is the median of the runs'.
    A backend counts only where it was timed in every run.
    """
    out = copy.deepcopy(runs[0])
    out["merged_runs"] = len(runs)
    out["machine"] = [r.get("machine") for r in runs]
    for w, record in out["workloads"].items():
        same = [r["workloads"][w] for r in runs if w in r["workloads"]]
        ref = [s for r in same for s in r["backends"]["jax"].get("samples_ms", [])]
        for name, entry in record["backends"].items():
            if not all("samples_ms" in r["backends"].get(name, {}) for r in same):
                continue
            samples = [s for r in same for s in r["backends"][name]["samples_ms"]]
            entry.update(median_ms=statistics.median(samples), min_ms=min(samples), max_ms=max(samples))
            entry["samples"], entry["samples_ms"] = len(samples), samples
            if name != "jax":
                entry["ratio"] = statistics.median(s / j for s, j in zip(samples, ref, strict=True))
                entry["cpu_ratio"] = statistics.median(r["backends"][name]["cpu_ratio"] for r in same)
    return out
