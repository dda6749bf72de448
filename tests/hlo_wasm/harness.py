"""Shared test helpers: JAX function -> HLO -> our compiler -> wasmtime, compared with JAX and
with the NumPy reference evaluator (the registry's op semantics)."""

import numpy as np

from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm import evaluate, parse, runner

# Stated tolerances (relative, absolute) per dtype for exactly-rounded op families; ops with
# reassociated sums (dot, reduce, conv) use `loose`.
EXACT = {"f32": (1e-6, 1e-7), "f64": (1e-13, 1e-15)}
LOOSE = {"f32": (2e-5, 1e-5), "f64": (1e-12, 1e-13)}
for _t in (EXACT, LOOSE):
    _t["float32"], _t["float64"] = _t["f32"], _t["f64"]


def hlo_of(fn, *args) -> str:
    """HLO text before optimisation, as `jax_hlo` exports it."""
    import jax

    specs = [jax.ShapeDtypeStruct(np.shape(a), np.asarray(a).dtype) for a in args]
    return jax.jit(fn, keep_unused=True).lower(*specs).as_text(dialect="hlo")


def flat(v):
    """Flattens JAX outputs (tuples/lists) into a list of NumPy arrays."""
    if isinstance(v, (tuple, list)):
        return [x for e in v for x in flat(e)]
    return [np.asarray(v)]


def assert_close(got, want, tol=None, what=""):
    """Exact for ints/bools; for floats NaN positions must agree and values within `tol`."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    if want.dtype.kind in "fc" or str(want.dtype) == "bfloat16":
        g, w = got.astype(np.float64), want.astype(np.float64)
        rtol, atol = tol or EXACT.get(str(want.dtype), (1e-2, 1e-3))
        np.testing.assert_array_equal(np.isnan(g), np.isnan(w), err_msg=f"{what}: NaN positions")
        m = ~np.isnan(w)
        np.testing.assert_allclose(g[m], w[m], rtol=rtol, atol=atol, err_msg=what)
    else:
        np.testing.assert_array_equal(got, want.astype(got.dtype), err_msg=what)


def run_wasm(fn, *args, name="f"):
    """Compiles `fn` for `args` and runs it in wasmtime; returns (outputs, artefacts, hlo)."""
    text = hlo_of(fn, *args)
    art = compiler.compile_hlo(text, name)
    outs = runner.Runner(art.wasm, art.manifest)(*args)
    return outs, art, text


def check(test, fn, *args, tol=None, expect_ops=(), reference=True):
    """Asserts the compiled `fn` matches JAX (and the NumPy reference) on `args`."""
    outs, art, text = run_wasm(fn, *args)
    ops = {i.opcode for c in parse.parse(text).computations for i in c.instructions}
    for op in expect_ops:
        test.assertIn(op, ops, f"test meant to cover {op}, HLO has {sorted(ops)}")
    import jax

    want = flat(jax.jit(fn)(*args))
    test.assertEqual(len(outs), len(want))
    for k, (g, w) in enumerate(zip(outs, want)):
        assert_close(g, w, tol, f"output {k} vs JAX")
    if reference:
        ref = evaluate.run(art.module, [np.asarray(a) for a in args])
        for k, (g, w) in enumerate(zip(outs, ref)):
            assert_close(g, w, tol, f"output {k} vs NumPy reference")
    return outs


def sample(rng, dtype, shape, kind="normal"):
    """Random test data of `dtype` with edge cases mixed in."""
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) < 0.5
    if dt.kind == "f":
        x = rng.standard_normal(shape) * 3
        flat_x = x.reshape(-1)
        edges = [0.0, -0.0, np.inf, -np.inf, np.nan, 0.5, -2.5, 1e-30]
        for i, e in enumerate(edges[: max(0, flat_x.size // 4)]):
            flat_x[(i * 7) % flat_x.size] = e
        return x.astype(dt)
    info = np.iinfo(dt)
    lo, hi = (max(info.min, -100), min(info.max, 100)) if kind == "small" else (info.min, info.max)
    x = rng.integers(lo, hi, size=shape, dtype=np.int64 if dt.kind == "i" else np.uint64,
                     endpoint=True)
    return x.astype(dt)
