"""Edge-case programs compiled and compared with JAX.

Edge-case programs: zero-size arrays, scalar-only programs, f16/bf16 arithmetic, baked-in
constants (closed-over weights), outputs that alias inputs or each other, nested pytrees.
"""

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
from absl.testing import absltest

from tests.hlo_wasm import harness

jax.config.update("jax_enable_x64", True)

_W = np.random.default_rng(0).standard_normal((300, 40)).astype(np.float32)


class EdgeTest(absltest.TestCase):
    def test_zero_size(self):
        harness.check(self, lambda x: (x * 2, x.sum()), np.zeros((0, 3), np.float32))

    def test_scalar_program(self):
        harness.check(self, lambda x, y: (x * y + 1, x > y), np.float32(2), np.float32(3))

    def test_bf16_f16_arithmetic(self):
        for dt in (ml_dtypes.bfloat16, np.float16):
            x = np.random.default_rng(1).standard_normal(10).astype(dt)
            harness.check(self, lambda a, b: a * b + a, x, x[::-1].copy())

    def test_closed_over_weights_are_data(self):
        outs, art, _ = harness.run_wasm(lambda x: x @ _W, np.ones((2, 300), np.float32))
        harness.assert_close(outs[0], np.ones((2, 300), np.float32) @ _W, (1e-5, 1e-5))
        self.assertGreaterEqual(len(art.wasm), _W.nbytes)  # baked into the data segment once

    def test_outputs_alias_inputs_and_each_other(self):
        x = np.arange(6, dtype=np.int64)
        harness.check(self, lambda v: (v, v, {"a": (v + 1, v)}), x)

    def test_s64_reductions(self):
        x = np.arange(-5, 30, dtype=np.int64) ** 3
        harness.check(self, lambda v: (v.sum(), v.max(), jnp.cumsum(v)), x)


if __name__ == "__main__":
    absltest.main()
