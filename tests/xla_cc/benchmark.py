"""Host speed of generated libraries against jax.jit, in one process pinned to one core.

Usage: PYTHONPATH=. python tests/xla_cc/benchmark.py [--kernels=host|ir] [--cpu=native]

For each case the library is built as a shared object (`cc -shared`; XLA's own objects need
text relocations), called through ctypes on 64-byte aligned NumPy buffers, and timed against
`jax.jit` on device-resident inputs. Prints median times per call and the ratios library /
JAX, against JAX's default options (YNNPACK dots) and against JAX compiled with the library's
own XLA options (the same kernels).
"""

# ruff: noqa: E402 -- the imports below follow pinning the CPU, before jax starts threads.
import os

os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:1])  # before jax starts threads

import ctypes
import pathlib
import subprocess
import sys
import tempfile
import time

import jax
import numpy as np

from tests.xla_cc import functions, testlib


def _aligned(a: np.ndarray) -> np.ndarray:
    raw = np.empty(a.nbytes + 64, np.uint8)
    start = -raw.ctypes.data % 64
    out = raw[start : start + a.nbytes].view(a.dtype).reshape(a.shape)
    out[...] = a
    return out


def _median_seconds(fns, reps: int) -> list[float]:
    """Median time per call of each function, calls interleaved so load spikes hit all."""
    times = [[] for _ in fns]
    for fn in fns:
        fn()
    for _ in range(reps):
        for fn, out in zip(fns, times, strict=False):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return [sorted(x)[len(x) // 2] for x in times]


_SELF_CONTAINED = {
    "xla_cpu_experimental_ynn_fusion_type": "",
    "xla_cpu_multi_thread_eigen": False,
}


def bench(case: str, work: pathlib.Path, flags: list[str], reps: int) -> tuple[float, ...]:
    exported = testlib.export_case(case, work)
    testlib.run_tool(exported, case, work, *flags)
    subprocess.run(
        ["cc", "-shared", "-Wl,-z,notext", f"{case}.o", "-lm", "-o", f"lib{case}.so"],
        cwd=work,
        check=True,
    )
    lib = ctypes.CDLL(str(work / f"lib{case}.so"))
    ins = [_aligned(x) for x in exported["inputs"]]
    outs = [_aligned(np.zeros_like(x)) for x in exported["outputs"]]
    temp = _aligned(np.zeros(1 << 26, np.uint8))
    args = [ctypes.c_void_p(a.ctypes.data) for a in (*ins, *outs, temp)]
    entry = getattr(lib, f"{case}_with_temp")

    def call_lib():
        if entry(*args):
            raise RuntimeError("library call failed")

    fn, specs, _ = functions.CASES[case]
    treedef = jax.tree_util.tree_structure(specs)
    device_args = jax.tree_util.tree_unflatten(treedef, [jax.device_put(x) for x in ins])
    default = jax.jit(fn).lower(*specs).compile()
    # The library's own XLA options (tools/xla_cc/export.py): the same code inside JAX.
    same = jax.jit(fn).lower(*specs).compile(compiler_options=_SELF_CONTAINED)

    t_lib, t_default, t_same = _median_seconds(
        [
            call_lib,
            lambda: jax.block_until_ready(default(*device_args)),
            lambda: jax.block_until_ready(same(*device_args)),
        ],
        reps,
    )
    for got, want in zip(outs, exported["outputs"], strict=False):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    return t_lib, t_default, t_same


def main() -> None:
    flags = sys.argv[1:] or ["--kernels=host"]
    for case, reps in (("quadratic_1m", 30), ("mlp", 2000), ("mlp_b1024", 300)):
        with tempfile.TemporaryDirectory() as tmp:
            t_lib, t_default, t_same = bench(case, pathlib.Path(tmp), flags, reps)
        print(
            f"{case:13s} {' '.join(flags)}: library {t_lib * 1e6:8.1f} us | jax.jit default "
            f"{t_default * 1e6:8.1f} us (ratio {t_lib / t_default:.2f}) | jax.jit with the "
            f"library's XLA options {t_same * 1e6:8.1f} us (ratio {t_lib / t_same:.2f})"
        )


if __name__ == "__main__":
    main()
