"""Our compiler (//tools/hlo_wasm): the module in wasmtime, and the same `.wasm` in Node.

Each workload is compiled twice: the default standard-SIMD module and the relaxed-SIMD one
(`relaxed_simd = True`: fused multiply-add in matrix products), which Node 20 runs only with
`--experimental-wasm-relaxed-simd`.

Both time the exported function alone, with the inputs already in linear memory (the module
plans every buffer at compile time; the generated `.mjs` glue adds one copy in and out, which
the table does not count, as JAX's time does not count moving its inputs onto the device).
"""

import dataclasses
import time

import numpy as np

from bench import node_child, timing, workloads
from bench.backends import Context, Prepared, Unavailable


@dataclasses.dataclass(frozen=True)
class Compiled:
    """Our compiler's output for one workload, with its cost."""

    artefacts: object  # tools.hlo_wasm.compile.Artefacts
    compile_s: float
    hlo_instructions: int
    relaxed_simd: bool = False


RELAXED_NODE_FLAG = "--experimental-wasm-relaxed-simd"

_WARM_UP_HLO = """HloModule warm_up

ENTRY main {
  p = f32[8]{0} parameter(0)
  ROOT r = f32[8]{0} add(p, p)
}
"""


def warm_up() -> None:
    """Compiles a tiny module, so no workload's compile time pays for imports and engine start."""
    from tools.hlo_wasm import compile as compiler

    compiler.compile_hlo(_WARM_UP_HLO, "warm_up")


def compile_workload(w: workloads.Workload, hlo: str, relaxed_simd: bool = False) -> Compiled:
    """Runs our compiler on the workload's HLO; `Unavailable` if it rejects it."""
    from tools.hlo_wasm import compile as compiler
    from tools.hlo_wasm import ir, parse

    t = time.perf_counter()
    try:
        art = compiler.compile_hlo(hlo, w.name, relaxed_simd=relaxed_simd)
    except ir.CompileError as e:
        raise Unavailable(f"our compiler rejects it: {e}") from e
    seconds = time.perf_counter() - t
    count = sum(len(comp.instructions) for comp in parse.parse(hlo).computations)
    return Compiled(art, seconds, count, relaxed_simd)


def facts(c: Compiled) -> dict:
    """Compile time, module size and the memory the module declares (its whole linear memory)."""
    art = c.artefacts
    return {
        "compile_s": c.compile_s,
        "hlo_instructions": c.hlo_instructions,
        "wasm_bytes": len(art.wasm),
        "wat_lines": art.wat.count("\n"),
        "linear_memory_bytes": int(art.plan.size),
    }


def prepare_wasmtime(w: workloads.Workload, c: Compiled, ctx: Context) -> Prepared:
    """Instantiates in wasmtime (Cranelift, default settings), runs once, ready to time."""
    from tools.hlo_wasm import runner

    r = runner.Runner(c.artefacts.wasm, c.artefacts.manifest)
    outputs = r(*w.inputs)  # writes the inputs into linear memory; later calls reuse them
    fn, store = r.fn, r.store
    pages = r.memory.size(store)
    return Prepared(timing.InProcess(lambda: fn(store), ctx.min_ms), outputs, {"memory_pages": int(pages)})


def prepare_node(w: workloads.Workload, c: Compiled, ctx: Context) -> Prepared:
    """Starts bench/node_bench.mjs on the same `.wasm`; reads back its first outputs."""
    import json

    manifest = json.loads(c.artefacts.manifest)
    d = ctx.tmp / f"ours_{w.name}{'_relaxed' if c.relaxed_simd else ''}"
    d.mkdir(parents=True, exist_ok=True)
    (d / "module.wasm").write_bytes(c.artefacts.wasm)
    inputs = []
    for k, (a, spec) in enumerate(zip(w.inputs, manifest["inputs"], strict=True)):
        path = d / f"in{k}.bin"
        path.write_bytes(np.ascontiguousarray(a, np.float32).tobytes())
        inputs.append({"file": str(path), "offset": spec["offset"]})
    outputs = [
        {"file": str(d / f"out{k}.bin"), "offset": spec["offset"], "bytes": spec["bytes"]}
        for k, spec in enumerate(manifest["outputs"])
    ]
    config = {
        "wasm": str(d / "module.wasm"),
        "function": manifest["exports"]["function"],
        "inputs": inputs,
        "outputs": outputs,
        "min_ms": ctx.min_ms,
    }
    try:
        flags = tuple(ctx.node_flags)
        if c.relaxed_simd and RELAXED_NODE_FLAG not in flags:
            flags += (RELAXED_NODE_FLAG,)
        child = node_child.NodeChild(ctx.node, "node_bench.mjs", config, d / "config.json", flags)
    except (node_child.SetupError, OSError) as e:
        raise Unavailable(f"node: {e}") from e
    got = [
        np.fromfile(o["file"], dtype=np.float32).reshape(spec["shape"])
        for o, spec in zip(outputs, manifest["outputs"], strict=True)
    ]
    return Prepared(child, got, dict(child.ready))
