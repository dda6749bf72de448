"""Tests of row-wise fusion (passes/rows.py + emit_rows.py) against JAX and the NumPy reference."""

import re

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized

from tests.hlo_wasm import harness
from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm.passes import rows

# Reassociated sums (16 partial sums per row, as ops/reduce.py) and a * (1/b) for a / b.
TOL = (2e-6, 1e-7)
LOOSE = harness.LOOSE["f32"]


def _row_fusions(module):
    return [i for i in module.entry_computation.instructions if i.opcode == "fusion" and i.attr("kind") == "rows"]


def _reduces_left(module):
    return [i for i in module.entry_computation.instructions if i.opcode == "reduce"]


def _softmax(x):
    return jax.nn.softmax(x, axis=-1)


def _log_softmax(x):
    return jax.nn.log_softmax(x, axis=-1)


def _layer_norm(x, g, b):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + 1e-5) * g + b


class RowsTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(11)

    def _x(self, *shape, scale=3.0):
        return (self.rng.standard_normal(shape) * scale).astype(np.float32)

    def _fused(self, fn, *args, tol=TOL):
        """Checks `fn` and returns the lowered module (which must hold one row fusion)."""
        harness.check(self, fn, *args, tol=tol)
        module = compiler.lower(harness.hlo_of(fn, *args))
        self.assertLen(_row_fusions(module), 1)
        self.assertEmpty(_reduces_left(module))
        return module

    @parameterized.parameters((4, 64), (5, 37), (3, 10), (2, 3), (7, 16), (6, 20), (2, 1030))
    def test_softmax(self, n, m):
        self._fused(_softmax, self._x(n, m))

    @parameterized.parameters((4, 64), (5, 37), (3, 6))
    def test_log_softmax(self, n, m):
        self._fused(_log_softmax, self._x(n, m))

    @parameterized.parameters((4, 64), (6, 39), (3, 5))
    def test_layer_norm_mean_and_variance_rows(self, n, d):
        g, b = self._x(d, scale=1.0), self._x(d, scale=1.0)
        module = self._fused(_layer_norm, self._x(n, d), g, b, tol=LOOSE)
        # g and b are read along the row inside the group, never broadcast to full size.
        full = [i for i in module.entry_computation.instructions if i.opcode == "fusion" and i.shape.dims == (n, d)]
        self.assertEmpty(full)

    def test_softmax_with_special_values(self):
        x = self._x(4, 24)
        x[0, 3], x[1, :] = np.inf, -np.inf
        x[2, 5], x[3, 7] = np.nan, -1e30
        self._fused(_softmax, x)

    def test_max_min_with_nan_and_signed_zeros(self):
        # Row max/min accumulate with pmax/pmin and recompute rows whose result is NaN or zero
        # with f32.max/min: the results (including the sign of zero) must be max's.
        x = -np.abs(self._x(6, 40)) - 1
        x[0, 5], x[0, 30] = -0.0, 0.0  # max +0
        x[1, 7] = -0.0  # max -0
        x[2, 33] = np.nan
        x[3, 38], x[3, 2] = 0.0, -0.0
        x[4, :] = -0.0
        x[5, 39] = 0.0  # in the scalar tail
        fn = lambda v: (v.max(-1), v.min(-1), jnp.exp(v - v.max(-1, keepdims=True)).sum(-1), (-v).min(-1))
        outs = harness.check(self, fn, x, tol=TOL)
        for got, want in zip(outs, jax.jit(fn)(x), strict=True):
            want = np.asarray(want)
            ok = ~np.isnan(want)
            np.testing.assert_array_equal(np.signbit(got[ok]), np.signbit(want[ok]))

    def test_two_reductions_in_one_pass(self):
        # mean and mean of squares are both accumulated in the first loop.
        fn = lambda v: (v * v).mean(-1) - v.mean(-1) ** 2
        self._fused(fn, self._x(2, 3, 40), tol=LOOSE)

    def test_row_scratch_when_no_output_row_is_free(self):
        # t = 2x is read by all three loops and e by the last: the output row holds one of
        # them, the other needs the one-row scratch (the fusion's last tuple leaf).
        def fn(v):
            t = v * 2.0
            e = jnp.exp(t - t.max(-1, keepdims=True))
            return e / e.sum(-1, keepdims=True) + t

        x = self._x(5, 36)
        module = self._fused(fn, x)
        scratch = _row_fusions(module)[0].shape.tuple_shapes[-1]
        self.assertEqual(scratch.dims, (36,))

    def test_multi_dim_trailing_reduction(self):
        x = self._x(3, 4, 5, 6)
        fn = lambda v: v - jax.nn.logsumexp(v, axis=(2, 3), keepdims=True)
        module = self._fused(fn, x)
        self.assertEqual(_row_fusions(module)[0].attr("rows"), (12, 30))

    def test_reduction_feeding_non_row_consumers(self):
        x, w = self._x(8, 20), self._x(8, 5)
        # The per-row max is also an output and feeds a dot; the softmax is used by a dot too.
        fn = lambda v, u: (v.max(-1), jax.nn.softmax(v, axis=-1).T @ u, jnp.exp(v - v.max(-1, keepdims=True)))
        harness.check(self, fn, x, w, tol=LOOSE)
        module = compiler.lower(harness.hlo_of(fn, x, w))
        self.assertNotEmpty(_row_fusions(module))

    def test_reduce_result_used_at_full_size_elsewhere(self):
        x, w = self._x(6, 12), self._x(12, 4)
        # broadcast(sum) goes into a dot (outside the group): it must be materialised, correctly.
        fn = lambda v, u: ((v / v.sum(-1, keepdims=True)) + jnp.broadcast_to(v.sum(-1, keepdims=True), v.shape)) @ u
        harness.check(self, fn, x, w, tol=LOOSE)

    def test_no_fusion_for_leading_dim_reduction(self):
        x = self._x(16, 12)
        fn = lambda v: jax.nn.softmax(v, axis=0)
        harness.check(self, fn, x, tol=TOL)
        module = compiler.lower(harness.hlo_of(fn, x))
        self.assertEmpty(_row_fusions(module))
        self.assertLen(_reduces_left(module), 2)

    def test_scalar_loops_for_non_f32_members(self):
        x = self._x(5, 24)
        fn = lambda v: jnp.where(v > v.mean(-1, keepdims=True), v, 0.0).sum(-1)
        self._fused(fn, x)

    def test_fused_softmax_needs_less_memory(self):
        x = self._x(64, 256)
        text = harness.hlo_of(_softmax, x)
        art = compiler.compile_hlo(text, "f")
        self.assertNotEmpty(_row_fusions(art.module))
        original = rows.run
        try:
            rows.run = lambda m: m  # the pipeline without row fusion
            unfused = compiler.compile_hlo(text, "f").plan.size
        finally:
            rows.run = original
        self.assertLess(art.plan.size, unfused)
        # Input + output and nothing else of full size: exp(x - max) lives in the output row.
        self.assertLessEqual(art.plan.size, 2 * x.nbytes + 64)

    def test_row_divisor_becomes_one_reciprocal_per_row(self):
        # a / broadcast(sum) is a * (1/sum): no vector division in the loops (as XLA's softmax).
        _, art, _ = harness.run_wasm(_softmax, self._x(4, 64))
        self.assertNotIn("f32x4.div", art.wat)
        self.assertIn("(f32.div (f32.const 1)", art.wat)

    def test_deterministic_wat(self):
        x = self._x(4, 37)
        g, b = self._x(37), self._x(37)
        text = harness.hlo_of(_layer_norm, x, g, b)
        self.assertEqual(compiler.compile_hlo(text, "f").wat, compiler.compile_hlo(text, "f").wat)

    def test_inside_while_body(self):
        x = self._x(4, 20)
        fn = lambda v: jax.lax.fori_loop(0, 3, lambda i, a: jax.nn.softmax(a * 2.0, axis=-1), v)
        harness.check(self, fn, x, tol=TOL)


class FusedBroadcastTest(absltest.TestCase):
    def test_broadcast_only_parameter_is_loaded_once_per_step(self):
        # emit_fused.py used to also load the bias at the output's index (dead, and past the
        # end of the bias buffer); only the broadcast's load at the column index remains.
        rng = np.random.default_rng(2)
        a, b = rng.standard_normal((8, 64)).astype(np.float32), rng.standard_normal(64).astype(np.float32)
        fn = lambda x, y: jnp.maximum(x + y, 0.0)
        harness.check(self, fn, a, b)
        art = compiler.compile_hlo(harness.hlo_of(fn, a, b), "f")
        offsets = {}
        for m in re.finditer(r"load offset=(\d+) \(i32\.shl \(i32\.add \(local\.get \$(rowbase|bbase)_", art.wat):
            offsets.setdefault(m.group(2), set()).add(m.group(1))
        self.assertTrue(offsets.get("bbase"), art.wat)
        self.assertEmpty(offsets["bbase"] & offsets["rowbase"], "a broadcast operand is also loaded per element")


if __name__ == "__main__":
    absltest.main()
