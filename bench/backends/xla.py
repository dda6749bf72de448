"""`jax.jit` on XLA:CPU, the reference every other backend is checked and timed against.

The process must already be pinned to one core with `--xla_cpu_multi_thread_eigen=false` in
XLA_FLAGS (bench/main.py sets both before importing JAX); XLA then runs on the calling thread.
"""

import numpy as np

from bench import timing, workloads
from bench.backends import Context, Prepared


def hlo_text(w: workloads.Workload) -> str:
    """HLO text before optimisation, as `jax_hlo` exports it (what our compiler reads)."""
    import jax

    specs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in w.inputs]
    return jax.jit(w.fn, keep_unused=True).lower(*specs).as_text(dialect="hlo")


def stablehlo_text(w: workloads.Workload) -> str:
    """StableHLO MLIR (what IREE reads)."""
    import jax

    specs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in w.inputs]
    return jax.jit(w.fn, keep_unused=True).lower(*specs).as_text()


def prepare(w: workloads.Workload, ctx: Context) -> Prepared:
    """Compiles with XLA, runs once (the reference outputs) and reports XLA's buffer totals."""
    import jax

    args = [jax.device_put(a) for a in w.inputs]
    compiled = jax.jit(w.fn).lower(*args).compile()
    outputs = [np.asarray(x) for x in jax.tree_util.tree_leaves(compiled(*args))]
    mem = compiled.memory_analysis()
    # XLA's buffer assignment: parameters + outputs + temporaries (aliases counted once).
    total = mem.argument_size_in_bytes + mem.output_size_in_bytes + mem.temp_size_in_bytes - mem.alias_size_in_bytes
    info = {
        "buffer_bytes": int(total),
        "temp_bytes": int(mem.temp_size_in_bytes),
        "code_bytes": int(mem.generated_code_size_in_bytes),
    }
    sampler = timing.InProcess(lambda: jax.block_until_ready(compiled(*args)), ctx.min_ms)
    return Prepared(sampler, outputs, info)
