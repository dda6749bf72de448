"""Tests of passes/dot_transpose.py: transposes folded into dots, results still JAX's."""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized

from tests.hlo_wasm import harness
from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm.passes import dot_transpose


def _opcodes(fn, *args):
    module = compiler.lower(harness.hlo_of(fn, *args))
    return [i.opcode for c in module.computations for i in c.instructions]


class DotTransposeTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(11)

    def _f32(self, *shape):
        return self.rng.standard_normal(shape).astype(np.float32)

    @parameterized.named_parameters(
        ("rhs_transposed", lambda x, y: x @ y.T, (5, 7), (6, 7)),
        ("lhs_transposed", lambda x, y: x.T @ y, (7, 5), (7, 6)),
        ("both_transposed", lambda x, y: x.T @ y.T, (7, 5), (6, 7)),
        ("result_transposed", lambda x, y: (x @ y).T, (5, 7), (7, 6)),
        ("batched_rhs", lambda x, y: x @ jnp.swapaxes(y, 1, 2), (2, 3, 4), (2, 5, 4)),
        ("batched_result", lambda x, y: jnp.swapaxes(x @ y, 1, 2), (3, 4, 5), (3, 5, 6)),
    )
    def test_folded_and_matches_jax(self, fn, sa, sb):
        a, b = self._f32(*sa), self._f32(*sb)
        harness.check(self, fn, a, b, tol=harness.LOOSE["f32"])
        self.assertNotIn("transpose", _opcodes(fn, a, b))

    def test_mlp_gradient_has_no_transpose(self):
        # jax.grad of x @ w transposes the product of the cotangent with x: folded into the dot.
        def loss(w, x):
            return jnp.sum(jnp.tanh(x @ w))

        w, x = self._f32(6, 4), self._f32(3, 6)
        fn = jax.grad(loss)
        self.assertIn(" transpose(", harness.hlo_of(fn, w, x))  # what the pass is for
        harness.check(self, fn, w, x, tol=harness.LOOSE["f32"])
        self.assertNotIn("transpose", _opcodes(fn, w, x))

    def test_transpose_used_twice_stays_correct(self):
        # The dot's result has another user: the transpose is kept, the dot computed once.
        fn = lambda x, y: ((x @ y).T, x @ y)
        a, b = self._f32(4, 3), self._f32(3, 5)
        harness.check(self, fn, a, b, tol=harness.LOOSE["f32"])

    def test_free_dims_reordered_not_folded(self):
        # A permutation that reorders an operand's free dims would reorder the result: kept.
        fn = lambda x, y: jnp.einsum("ijk,kl->ijl", jnp.transpose(x, (1, 0, 2)), y)
        a, b = self._f32(3, 2, 4), self._f32(4, 5)
        harness.check(self, fn, a, b, tol=harness.LOOSE["f32"])
        self.assertIn("transpose", _opcodes(fn, a, b))

    def test_other_permutation_of_result_kept(self):
        fn = lambda x, y: jnp.transpose(jnp.einsum("bij,bjk->bik", x, y), (1, 0, 2))
        a, b = self._f32(2, 3, 4), self._f32(2, 4, 5)
        harness.check(self, fn, a, b, tol=harness.LOOSE["f32"])
        self.assertIn("transpose", _opcodes(fn, a, b))

    def test_pass_is_deterministic(self):
        text = harness.hlo_of(lambda x, y: (x @ y).T + x.T @ x, self._f32(4, 4), self._f32(4, 4))
        self.assertEqual(compiler.compile_hlo(text, "f").wat, compiler.compile_hlo(text, "f").wat)

    def test_fold_leaves_plain_dots_alone(self):
        module = compiler.lower(harness.hlo_of(lambda x, y: x @ y, self._f32(3, 4), self._f32(4, 2)))
        self.assertEqual(dot_transpose.run(module), module)


if __name__ == "__main__":
    absltest.main()
