"""Differential tests for dynamic-slice, dynamic-update-slice, gather, scatter and sort."""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness

jax.config.update("jax_enable_x64", True)

COVERED = {"dynamic-slice": ("f32", "s32", "u8"), "dynamic-update-slice": ("f32", "s32", "u8"),
           "gather": ("f32", "s32"), "scatter": ("f32", "s32"),
           "sort": ("f32", "f64", "s32", "u32")}


class IndexingSortTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(5)

    @parameterized.parameters("float32", "int32", "uint8")
    def test_dynamic_slices(self, dt):
        x = harness.sample(self.rng, dt, (6, 7))
        u = harness.sample(self.rng, dt, (2, 3))
        for i, j in [(0, 0), (2, 3), (5, 6), (-3, 9)]:  # out of range starts clamp

            def fn(a, b, p, q):
                return (lax.dynamic_slice(a, (p, q), (2, 3)),
                        lax.dynamic_update_slice(a, b, (p, q)))

            harness.check(self, fn, x, u, np.int32(i), np.int32(j),
                          expect_ops=["dynamic-slice", "dynamic-update-slice"])

    def test_dynamic_index_from_input(self):
        x = self.rng.standard_normal((5, 4)).astype(np.float32)
        harness.check(self, lambda a, i: lax.dynamic_index_in_dim(a, i, 0), x, np.int32(3))

    @parameterized.parameters("float32", "int32")
    def test_gather_scatter(self, dt):
        x = harness.sample(self.rng, dt, (6, 4), kind="small")
        idx = np.array([0, 5, 2, 2, -1], np.int32)

        def fn(a, i):
            return a[i], a[:, 1][i], a.at[i].add(a[0]), a.at[i, 2].set(a[1, 1]), a.at[i].max(a[3])

        harness.check(self, fn, x, idx, expect_ops=["gather", "scatter"])

    def test_take_along_axis_2d_gather(self):
        x = self.rng.standard_normal((4, 5)).astype(np.float32)
        i = self.rng.integers(0, 5, (4, 3)).astype(np.int32)
        harness.check(self, lambda a, b: jnp.take_along_axis(a, b, axis=1), x, i,
                      expect_ops=["gather"])
        fn = lambda a, b: jax.vmap(lambda r, j: r.at[j].add(1.0))(a, b)  # noqa: E731
        harness.check(self, fn, x, i, expect_ops=["scatter"])

    @parameterized.parameters("float32", "float64", "int32", "uint32")
    def test_sort(self, dt):
        x = harness.sample(self.rng, dt, (3, 11), kind="small")
        fn = lambda a: (jnp.sort(a, axis=1), jnp.argsort(a, axis=0), jnp.sort(a.T, axis=1))  # noqa: E731
        harness.check(self, fn, x, expect_ops=["sort"])

    def test_sort_multi_operand_total_order(self):
        x = np.array([np.nan, -0.0, 0.0, np.inf, -np.inf, 1, -1, 2.5, 1], np.float32)
        y = np.arange(9, dtype=np.int32)
        harness.check(self, lambda a, b: lax.sort((a, b), num_keys=1), x, y, expect_ops=["sort"])


if __name__ == "__main__":
    absltest.main()
