"""Differential tests for data-movement ops (broadcast, transpose, slice, pad, ...)."""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness

jax.config.update("jax_enable_x64", True)

_DTS = ("float32", "float64", "int32", "int64", "uint32", "uint8", "bool")
COVERED = {op: ("f32", "f64", "s32", "s64", "u32", "u8", "pred") for op in (
    "broadcast", "reshape", "transpose", "slice", "concatenate", "pad", "reverse", "copy",
    "bitcast")}
COVERED["iota"] = ("f32", "s32", "u8")

_CASES = {
    "broadcast": (lambda x: jnp.broadcast_to(x[:, None, :], (3, 4, 5)) + 0 * x[0, 0], ["broadcast"]),
    "reshape": (lambda x: x.reshape(5, 3)[::-1].reshape(15), ["reshape"]),
    "transpose": (lambda x: jnp.transpose(x), ["transpose"]),
    "slice": (lambda x: x[1:3, ::2], ["slice"]),
    "concatenate": (lambda x: jnp.concatenate([x, x[:1], x], axis=0), ["concatenate"]),
    "pad": (lambda x: lax.pad(x, jnp.zeros((), x.dtype), [(1, 2, 1), (-1, 1, 0)]), ["pad"]),
    "reverse": (lambda x: lax.rev(x, (0, 1)), ["reverse"]),
}


class ShapeTest(parameterized.TestCase):
    @parameterized.named_parameters(*[(f"{op}_{dt}", op, dt) for op in _CASES for dt in _DTS])
    def test_op(self, op, dt):
        x = harness.sample(np.random.default_rng(1), dt, (3, 5))
        fn, ops = _CASES[op]
        harness.check(self, fn, x, expect_ops=ops)

    @parameterized.parameters(jnp.float32, jnp.int32, jnp.uint8)
    def test_iota(self, dt):
        fn = lambda x: x + lax.broadcasted_iota(dt, (4, 6), 1)  # noqa: E731
        harness.check(self, fn, np.ones((4, 6), dt), expect_ops=["iota"])

    def test_rank4_transpose_broadcast(self):
        x = harness.sample(np.random.default_rng(2), "float32", (2, 3, 4, 5))
        fn = lambda v: jnp.transpose(v, (3, 1, 0, 2)) * v.sum(axis=(0, 2, 3))[None, :, None, None]  # noqa: E731
        harness.check(self, fn, x, tol=harness.LOOSE["f32"])


if __name__ == "__main__":
    absltest.main()
