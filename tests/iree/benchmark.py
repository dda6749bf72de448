"""Measures IREE against jax.jit: compile time, .vmfb size, and run time on one core.

Not a test (timings are noisy on a shared machine). Run it pinned to one core:

  PYTHONPATH=. taskset -c 0 python tests/iree/benchmark.py [--rounds=15]

Compile time and size are measured for every example and backend; the speed ratio for the
quadratic formula on 1M elements and a 256x256 matmul, with JAX (XLA:CPU, one thread) and each
IREE variant timed in interleaved rounds in this process, reporting the median over rounds of
time / JAX time. IREE runs on `local-sync` with the caching allocator.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from absl import app, flags  # noqa: E402

from tests.iree import examples  # noqa: E402
from tools.iree import compiler, runtime  # noqa: E402

_ROUNDS = flags.DEFINE_integer("rounds", 15, "Interleaved timing rounds.")

_VARIANTS = {
    "llvm-cpu generic": compiler.Options(),
    "llvm-cpu x86-64-v3": compiler.Options(target_cpu="x86-64-v3"),
    "vmvx": compiler.Options(backend="vmvx"),
}


def compile_table() -> None:
    """Prints compile time and .vmfb size for every example and backend."""
    print("| example | backend | compile s | vmfb bytes |\n|---|---|---|---|")
    for name, ex in examples.EXAMPLES.items():
        source = jax.jit(ex.fn).lower(*ex.args).as_text().encode()
        for backend in ex.backends:
            t0 = time.perf_counter()
            vmfb = compiler.compile_stablehlo(source, compiler.Options(backend=backend))
            print(f"| {name} | {backend} | {time.perf_counter() - t0:.2f} | {len(vmfb)} |")


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def speed(name: str, fn: Callable[..., object], args: list[np.ndarray], inner: int) -> None:
    """Times jax.jit(fn) and each IREE variant on `args` in interleaved rounds."""
    jitted = jax.jit(fn)
    jargs = [jnp.asarray(a) for a in args]
    want = [np.asarray(x) for x in jax.tree_util.tree_leaves(jitted(*jargs))]
    impls = {"jax.jit": lambda: jax.block_until_ready(jitted(*jargs))}
    source = jitted.lower(*jargs).as_text().encode()
    for variant, options in _VARIANTS.items():
        module = runtime.Module(compiler.compile_stablehlo(source, options), caching=True)
        bound = module.function()
        dargs = [module.to_device(a) for a in args]
        got = [np.asarray(r.to_host()) for r in jax.tree_util.tree_leaves(bound(*dargs))]
        err = max(float(np.nanmax(np.abs(g - w))) for g, w in zip(got, want, strict=True))

        # local-sync runs the call inline: results are ready when it returns, as after
        # jax.block_until_ready (neither side copies results to NumPy in the timed call).
        impls[variant] = lambda bound=bound, dargs=dargs: bound(*dargs)
        print(f"  {name} {variant}: max abs diff vs jax {err:.2g}")
    times: dict[str, list[float]] = {k: [] for k in impls}
    for _ in range(_ROUNDS.value):
        for key, impl in impls.items():
            impl()  # warm
            times[key].append(min(_time(impl) for _ in range(inner)))
    base = times["jax.jit"]
    print(f"| {name} | variant | median ms | time / jax.jit (median of rounds) |\n|---|---|---|---|")
    for key, ts in times.items():
        ratio = statistics.median(t / b for t, b in zip(ts, base, strict=True))
        print(f"| {name} | {key} | {statistics.median(ts) * 1e3:.3f} | {ratio:.2f} |")


_COMPILE = flags.DEFINE_bool("compile_table", True, "Also measure compile time and size.")


def main(argv: list[str]) -> None:
    """Entry point."""
    del argv
    print(f"affinity {sorted(os.sched_getaffinity(0))}, load {os.getloadavg()}")
    if _COMPILE.value:
        compile_table()
    rng = np.random.default_rng(0)
    n = 1 << 20
    quad = [rng.uniform(1, 2, n), rng.uniform(4, 6, n), rng.uniform(-1, 1, n)]
    speed("quadratic 1M", examples.quadratic, [a.astype(np.float32) for a in quad], inner=5)
    mats = [rng.normal(size=(256, 256)).astype(np.float32) for _ in range(2)]
    speed("matmul 256", jnp.matmul, mats, inner=5)
    print(f"load after {os.getloadavg()}")


if __name__ == "__main__":
    app.run(main)
