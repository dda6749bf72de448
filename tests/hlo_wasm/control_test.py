"""Control flow against JAX: while (fori_loop, scan), conditional (cond, switch), call,
tuple/get-tuple-element, and a function with all of them."""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest
from jax import lax

from tests.hlo_wasm import harness

COVERED = {op: ("f32", "s32", "pred") for op in (
    "while", "conditional", "call", "tuple", "get-tuple-element", "parameter", "constant")}


class ControlTest(absltest.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(6)

    def test_fori_loop(self):
        x = self.rng.standard_normal(10).astype(np.float32)
        fn = lambda v: lax.fori_loop(0, 5, lambda i, c: c * 0.5 + v * i, v)  # noqa: E731
        harness.check(self, fn, x, expect_ops=["while", "tuple", "get-tuple-element"])

    def test_while_swap_state(self):
        x = np.arange(4, dtype=np.float32)
        y = -np.arange(4, dtype=np.float32)

        def fn(a, b):
            return lax.fori_loop(0, 3, lambda i, c: (c[1], c[0] + 1), (a, b))

        harness.check(self, fn, x, y, expect_ops=["while"])

    def test_cond_and_switch(self):
        x = self.rng.standard_normal(6).astype(np.float32)
        for s in (-1, 0, 1, 2, 7):

            def fn(v, k):
                a = lax.cond(v[0] > 0, lambda: v + 1, lambda: v * 2)
                b = lax.switch(k, [lambda: v, lambda: -v, lambda: v * v])
                return a, b

            harness.check(self, fn, x, np.int32(s), expect_ops=["conditional"])

    def test_scan_cumulative(self):
        xs = self.rng.standard_normal((7, 3)).astype(np.float32)

        def fn(a):
            def step(c, x):
                c = jnp.tanh(c) if False else c * 0.9 + x
                return c, c.sum()

            return lax.scan(step, jnp.zeros(3, jnp.float32), a)

        harness.check(self, fn, xs, tol=harness.LOOSE["f32"], expect_ops=["while"])

    def test_control_flow_example(self):
        x = self.rng.standard_normal(5).astype(np.float32)

        def fn(v):
            s = lax.fori_loop(0, 3, lambda i, c: c * 2 + jnp.argmax(v), v.sum())
            return s, jnp.cumsum(v), lax.cond(v[0] > 0, lambda: v + 1, lambda: v - 1)

        harness.check(self, fn, x, tol=harness.LOOSE["f32"], expect_ops=["call", "while"])


if __name__ == "__main__":
    absltest.main()
