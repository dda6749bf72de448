"""Differential tests for reduce (incl. argmax), reduce-window (pooling, cumsum) and
select-and-scatter (max-pool gradient)."""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness

jax.config.update("jax_enable_x64", True)

COVERED = {"reduce": ("f32", "f64", "s32", "s64", "u8", "pred"),
           "reduce-window": ("f32", "f64", "s32"), "select-and-scatter": ("f32",)}


class ReduceTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(3)

    @parameterized.parameters("float32", "float64", "int32", "int64", "uint8")
    def test_sum_max_min(self, dt):
        x = harness.sample(self.rng, dt, (6, 40), kind="small")
        if np.dtype(dt).kind == "f":
            x = np.nan_to_num(x, posinf=5, neginf=-5)
        fn = lambda v: (v.sum(axis=1), v.max(axis=0), v.min(), v.prod(axis=1) if False else v.sum(0))  # noqa: E731
        harness.check(self, fn, x, tol=harness.LOOSE.get(dt), expect_ops=["reduce"])

    def test_simd_sum_large(self):
        x = self.rng.standard_normal((3, 1001)).astype(np.float32)
        harness.check(self, lambda v: (v.sum(1), v.max(1)), x, tol=(1e-4, 1e-4))

    def test_bool_any_all(self):
        x = self.rng.random((4, 9)) < 0.3
        harness.check(self, lambda v: (v.any(1), v.all(0)), x, expect_ops=["reduce"])

    @parameterized.parameters("float32", "int32")
    def test_argmax_multi_operand(self, dt):
        x = harness.sample(self.rng, dt, (5, 7), kind="small")
        harness.check(self, lambda v: (jnp.argmax(v, 1), jnp.argmin(v, 0)), x,
                      expect_ops=["reduce"])

    @parameterized.parameters("float32", "float64", "int32")
    def test_cumsum_and_pool(self, dt):
        x = harness.sample(self.rng, dt, (2, 6, 6, 3), kind="small")
        if np.dtype(dt).kind == "f":
            x = np.nan_to_num(x, posinf=5, neginf=-5)

        def fn(v):
            pool = lax.reduce_window(v, np.array(-np.inf if dt != "int32" else -(2**31), dt),
                                     lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
            return jnp.cumsum(v, axis=2), pool

        harness.check(self, fn, x, tol=harness.LOOSE.get(dt), expect_ops=["reduce-window"])

    def test_maxpool_grad(self):
        x = self.rng.standard_normal((1, 4, 6, 2)).astype(np.float32)

        def loss(v):
            p = lax.reduce_window(v, -jnp.inf, lax.max, (1, 2, 2, 1), (1, 2, 2, 1), "SAME")
            return (p * p).sum()

        harness.check(self, jax.grad(loss), x, tol=harness.LOOSE["f32"],
                      expect_ops=["select-and-scatter"])


if __name__ == "__main__":
    absltest.main()
