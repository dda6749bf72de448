"""Compile-time scaling of our compiler: generated HLO modules of a given instruction count.

Two shapes of module, both typical of what JAX emits for big models:
  * `chain`: one long dependent elementwise chain (add/multiply/maximum/subtract over f32[256]
    with the two parameters); fusion merges it into a single loop.
  * `blocks`: independent small layers, each dot(f32[8,16], f32[16,16]) + broadcast bias +
    maximum + a row reduce, chained through their outputs; fusion cannot merge the dots.
"""

import time

_OPS = ("add", "multiply", "maximum", "subtract")


def chain(n: int) -> str:
    """HLO text with about `n` instructions in one elementwise chain."""
    s = "f32[256]{0}"
    lines = [f"  p0 = {s} parameter(0)", f"  p1 = {s} parameter(1)", f"  v0 = {s} add(p0, p1)"]
    for k in range(1, n - 2):
        other = "p0" if k % 2 else "p1"
        lines.append(f"  v{k} = {s} {_OPS[k % 4]}(v{k - 1}, {other})")
    lines[-1] = "  ROOT " + lines[-1].lstrip()
    return f"HloModule chain_{n}\n\nENTRY main {{\n" + "\n".join(lines) + "\n}\n"


def blocks(n: int) -> str:
    """HLO text with about `n` instructions in layers of 6 (dot, bias, relu, reduce, ...)."""
    x, w, b = "f32[8,16]{1,0}", "f32[16,16]{1,0}", "f32[16]{0}"
    lines = [
        f"  x0 = {x} parameter(0)",
        f"  w = {w} parameter(1)",
        f"  b = {b} parameter(2)",
        "  zero = f32[] constant(0)",
    ]
    k = 0
    while len(lines) + 6 < n:
        lines += [
            f"  d{k} = {x} dot(x{k}, w), lhs_contracting_dims={{1}}, rhs_contracting_dims={{0}}",
            f"  bb{k} = {x} broadcast(b), dimensions={{1}}",
            f"  a{k} = {x} add(d{k}, bb{k})",
            f"  zb{k} = {x} broadcast(zero), dimensions={{}}",
            f"  r{k} = {x} maximum(a{k}, zb{k})",
            f"  x{k + 1} = {x} multiply(r{k}, x{k})",
        ]
        k += 1
    lines.append(f"  ROOT s = f32[8]{{0}} reduce(x{k}, zero), dimensions={{1}}, to_apply=sum")
    return (
        f"HloModule blocks_{n}\n\nsum {{\n  l = f32[] parameter(0)\n  r = f32[] parameter(1)\n"
        f"  ROOT s = f32[] add(l, r)\n}}\n\nENTRY main {{\n" + "\n".join(lines) + "\n}\n"
    )


GENERATORS = {"chain": chain, "blocks": blocks}


def measure(sizes: list[int]) -> list[dict]:
    """Compile time (one process, after a warm-up compile) per generator and size."""
    from tools.hlo_wasm import compile as compiler
    from tools.hlo_wasm import parse

    compiler.compile_hlo(chain(50), "warmup")
    rows = []
    for kind, gen in GENERATORS.items():
        for n in sizes:
            text = gen(n)
            count = sum(len(c.instructions) for c in parse.parse(text).computations)
            t = time.perf_counter()
            art = compiler.compile_hlo(text, f"{kind}_{n}")
            seconds = time.perf_counter() - t
            rows.append({"kind": kind, "instructions": count, "compile_s": seconds, "wasm_bytes": len(art.wasm)})
            print(f"  {kind} {count} instructions: {seconds:.2f} s", flush=True)
    return rows


def table(rows: list[dict]) -> str:
    """Markdown: size, time, time per instruction (constant per-instruction cost = linear)."""
    lines = ["| module | HLO instructions | compile s | µs / instruction | .wasm bytes |", "|---|---|---|---|---|"]
    for r in rows:
        per = r["compile_s"] / r["instructions"] * 1e6
        lines.append(f"| {r['kind']} | {r['instructions']} | {r['compile_s']:.2f} | {per:.0f} | {r['wasm_bytes']:,} |")
    return "\n".join(lines)
