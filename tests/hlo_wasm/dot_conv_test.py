"""Differential tests for dot (general dims, SIMD row path) and convolution."""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness

jax.config.update("jax_enable_x64", True)

COVERED = {"dot": ("f32", "f64", "s32"), "convolution": ("f32", "f64")}


class DotConvTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(4)

    @parameterized.parameters("float32", "float64", "int32")
    def test_matmul(self, dt):
        a = harness.sample(self.rng, dt, (5, 7), kind="small")
        b = harness.sample(self.rng, dt, (7, 8), kind="small")
        if dt != "int32":
            a, b = np.nan_to_num(a), np.nan_to_num(b)
            a[np.abs(a) > 1e10] = 1
            b[np.abs(b) > 1e10] = 1
        harness.check(self, jnp.matmul, a, b, tol=harness.LOOSE.get(dt), expect_ops=["dot"])

    def test_general_dims(self):
        a = self.rng.standard_normal((2, 3, 4)).astype(np.float32)
        b = self.rng.standard_normal((2, 5, 4)).astype(np.float32)
        fn = lambda x, y: (jnp.einsum("bij,bkj->bik", x, y), jnp.einsum("bij,bij->j", x, x),  # noqa: E731
                           x[0] @ x[1].T)
        harness.check(self, fn, a, b, tol=harness.LOOSE["f32"], expect_ops=["dot"])

    def test_matvec_and_odd(self):
        a = self.rng.standard_normal((9, 13)).astype(np.float32)
        v = self.rng.standard_normal((13,)).astype(np.float32)
        harness.check(self, lambda x, y: (x @ y, y @ x.T), a, v, tol=harness.LOOSE["f32"])

    @parameterized.parameters(("float32", 1), ("float32", 2), ("float64", 1))
    def test_conv(self, dt, groups):
        x = self.rng.standard_normal((2, 7, 6, 4)).astype(dt)
        w = self.rng.standard_normal((3, 3, 4 // groups, 6)).astype(dt)

        def fn(a, b):
            return lax.conv_general_dilated(a, b, (2, 1), [(1, 1), (0, 2)], rhs_dilation=(1, 2),
                                            dimension_numbers=("NHWC", "HWIO", "NHWC"),
                                            feature_group_count=groups)

        harness.check(self, fn, x, w, tol=harness.LOOSE[dt], expect_ops=["convolution"])

    def test_conv_grad(self):
        x = self.rng.standard_normal((1, 1, 8, 8)).astype(np.float32)
        w = self.rng.standard_normal((3, 1, 3, 3)).astype(np.float32)

        def loss(a, b):
            return jnp.sum(lax.conv(a, b, (1, 1), "SAME") ** 2)

        harness.check(self, jax.grad(loss, argnums=(0, 1)), x, w, tol=(1e-4, 1e-4))


if __name__ == "__main__":
    absltest.main()
