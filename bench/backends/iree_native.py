"""IREE's native `llvm-cpu` route, the peer the issue names.

StableHLO -> vmfb with the host CPU's features, data tiling and micro-kernels (the best variant
in shared/research/perf), run by iree.runtime's `local-sync` driver (one thread) with its
caching allocator.
"""

import time

import numpy as np

from bench import timing, workloads
from bench.backends import Context, Prepared, Unavailable

FLAGS = (
    "--iree-hal-target-device=local",
    "--iree-hal-local-target-device-backends=llvm-cpu",
    "--iree-llvmcpu-target-cpu=host",
    "--iree-opt-data-tiling",
    "--iree-llvmcpu-enable-ukernels=all",
)


def prepare(w: workloads.Workload, stablehlo: str, ctx: Context) -> Prepared:
    """Compiles, loads and runs once; `Unavailable` when IREE fails to compile the function."""
    try:
        import iree.compiler as ireec
        import iree.runtime as ireert
    except ImportError as e:
        raise Unavailable(f"IREE is not installed: {e}") from e
    t = time.perf_counter()
    try:
        vmfb = ireec.compile_str(stablehlo, input_type="stablehlo", extra_args=list(FLAGS))
    except ireec.CompilerToolError as e:
        raise Unavailable(f"iree-compile fails: {str(e).strip().splitlines()[0][:300]}") from e
    compile_s = time.perf_counter() - t
    device = ireert.get_driver("local-sync").create_default_device(allocators=["caching"])
    config = ireert.Config(device=device)
    context = ireert.SystemContext(config=config)
    vm = ireert.VmModule.copy_buffer(context.instance, vmfb)
    context.add_vm_module(vm)
    fn = context.modules[vm.name]["main"]
    args = [ireert.asdevicearray(config.device, a) for a in w.inputs]
    res = fn(*args)
    res = res if isinstance(res, (tuple, list)) else [res]
    outputs = [np.asarray(r.to_host()) for r in res]
    info = {"compile_s": compile_s, "vmfb_bytes": len(vmfb)}
    return Prepared(timing.InProcess(lambda: fn(*args), ctx.min_ms), outputs, info)
