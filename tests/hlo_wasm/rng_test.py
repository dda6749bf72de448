"""JAX's threefry RNG, compiled, reproduces JAX's bits exactly.

JAX's threefry RNG lowers to u32 arithmetic, shifts, xor, or, and conversions; the
compiled module must reproduce its bits exactly (and the derived uniform/normal floats).
"""

import jax
import numpy as np
from absl.testing import absltest

from tests.hlo_wasm import harness

COVERED = {}


class RngTest(absltest.TestCase):
    def test_threefry_bits_uniform_normal(self):
        def fn(key_data):
            key = jax.random.wrap_key_data(key_data, impl="threefry2x32")
            k1, k2 = jax.random.split(key)
            return (
                jax.random.bits(k1, (7,)),
                jax.random.uniform(k2, (5, 3)),
                jax.random.normal(k1, (9,)),
            )

        data = np.array([0, 42], np.uint32)
        harness.check(
            self,
            fn,
            data,
            tol=(2e-6, 1e-6),
            expect_ops=["shift-left", "shift-right-logical", "xor", "or"],
        )


if __name__ == "__main__":
    absltest.main()
