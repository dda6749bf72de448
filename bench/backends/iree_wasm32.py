"""IREE's `llvm-cpu` route to wasm32, the route issue 7 asks us to beat, run in wasmtime.

StableHLO is compiled for `wasm32-unknown-unknown` (generic CPU, `+simd128`) down to IREE's VM
IR (`--compile-to=vm`), which holds both the host program and each executable as an embedded
wasm module. Nothing that ships with IREE's pip packages runs those executables, so
bench/backends/iree_wasm32_schedule.py reads the host program's one command buffer and
bench/backends/iree_wasm32_host.py links the executables and replays it (see their docstrings).

A timed call is the whole function (every dispatch and fill, every workgroup) with the inputs
already in linear memory: the same rule as our module's call.
"""

import re
import time

from bench import timing, workloads
from bench.backends import Context, Prepared, Unavailable

FLAGS = (
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-triple=wasm32-unknown-unknown",
    "--iree-llvmcpu-target-cpu=generic",
    "--compile-to=vm",
)
FEATURES = "+simd128"


def _compile_error(e: Exception) -> str:
    """The first error line of iree-compile, without temporary file names."""
    lines = [ln for ln in str(e).splitlines() if "error" in ln]
    first = next((ln for ln in lines if "undefined symbol" in ln), lines[0] if lines else str(e))
    first = re.sub(r"/tmp/\S+?: ", "", first.strip())
    if "undefined symbol" in first:
        symbol = first.rsplit(":", 1)[-1].strip()
        return f"iree-compile cannot link the wasm32 executable: undefined symbol {symbol} (no libm for wasm32)"
    return f"iree-compile (wasm32) fails: {first[:300]}"


def compile_vm(stablehlo: str, features: str = FEATURES) -> tuple[str, float]:
    """IREE's VM IR for wasm32 (with the executables embedded), and the compile time in s."""
    try:
        import iree.compiler as ireec
    except ImportError as e:
        raise Unavailable(f"IREE is not installed: {e}") from e
    t = time.perf_counter()
    args = [*FLAGS, f"--iree-llvmcpu-target-cpu-features={features}"]
    try:
        vm = ireec.compile_str(stablehlo, input_type="stablehlo", extra_args=args)
    except ireec.CompilerToolError as e:
        raise Unavailable(_compile_error(e)) from e
    return vm.decode(), time.perf_counter() - t


def load(w: workloads.Workload, stablehlo: str, features: str = FEATURES):
    """Compiles and links `w` into a `Host` with its inputs written; returns (host, info)."""
    from bench.backends import iree_wasm32_host, iree_wasm32_schedule

    vm, compile_s = compile_vm(stablehlo, features)
    schedule = iree_wasm32_schedule.parse(vm)
    host = iree_wasm32_host.Host(schedule, list(w.inputs))
    host.write_inputs(list(w.inputs))
    dispatches = [c for c in schedule.commands if isinstance(c, iree_wasm32_schedule.Dispatch)]
    info = {
        "compile_s": compile_s,
        "features": features,
        "wasm_bytes": sum(len(m) for m in schedule.executables.values()),
        "dispatches": len(dispatches),
        "workgroups": sum(x * y * z for x, y, z in (d.workgroups for d in dispatches)),
        "commands": len(schedule.commands),
        "linear_memory_bytes": int(host.memory.data_len(host.store)),
    }
    return host, info


def prepare(w: workloads.Workload, stablehlo: str, ctx: Context, features: str = FEATURES) -> Prepared:
    """Compiles, links and runs once; `Unavailable` (with the cause) when the route cannot run `w`."""
    host, info = load(w, stablehlo, features)
    host.run()
    return Prepared(timing.InProcess(host.run, ctx.min_ms), host.outputs(), info)
