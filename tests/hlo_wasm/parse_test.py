"""Parser tests on HLO text before and after XLA optimisation.

Parser tests: HLO text before and after XLA optimisation (layouts, metadata, fusions,
called computations, literals of every dtype, inf/nan), round-tripped through the compiler.
"""

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized

from tests.hlo_wasm import e2e_test, harness
from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm import ir, parse, runner

_LITERALS = """HloModule lits, entry_computation_layout={()->(f32[3]{0}, s64[2]{0})}

ENTRY %main.3 () -> (f32[3], s64[2], pred[2], u8[2], f64[2,2], bf16[2]) {
  %a = f32[3]{0} constant({inf, -nan, -1.5e-45}), metadata={op_name="x" source_file="a, b"}
  %b = s64[2]{0} constant({-9223372036854775808, 9223372036854775807})
  %c = pred[2]{0} constant({true, false}), sharding={replicated}
  %d = u8[2]{0} constant({255, 0}), frontend_attributes={_xla="1"}
  %e = f64[2,2]{1,0} constant({ { 1, 2 }, { 3, 4 } })
  %f = bf16[2]{0} constant({1.5, -inf})
  ROOT %t = (f32[3]{0}, s64[2]{0}, pred[2]{0}, u8[2]{0}, f64[2,2]{1,0}, bf16[2]{0}) tuple(%a, %b, %c, %d, %e, %f)
}
"""


class ParseTest(parameterized.TestCase):
    def test_literals_and_attributes(self):
        m = parse.parse(_LITERALS)
        insts = m.entry_computation.by_name()
        a = insts["a"].literal
        self.assertEqual(a[0], np.inf)
        self.assertTrue(np.isnan(a[1]))
        self.assertEqual(insts["b"].literal.tolist(), [-(2**63), 2**63 - 1])
        self.assertEqual(insts["e"].literal.tolist(), [[1, 2], [3, 4]])
        self.assertEqual(insts["a"].attr("metadata"), '{op_name="x" source_file="a, b"}')
        art = compiler.compile_hlo(_LITERALS, "lits")
        outs = runner.Runner(art.wasm, art.manifest)()
        for got, inst in zip(outs, "abcdef", strict=False):
            np.testing.assert_array_equal(got.view(np.uint8), insts[inst].literal.view(np.uint8))

    @parameterized.named_parameters(
        ("quadratic", e2e_test.quadratic, 3),
        ("control", e2e_test.control, 1),
    )
    def test_pre_and_post_optimisation(self, fn, nargs):
        args = [np.random.default_rng(k).standard_normal(12).astype(np.float32) for k in range(nargs)]
        specs = [jax.ShapeDtypeStruct(a.shape, a.dtype) for a in args]
        lowered = jax.jit(fn, keep_unused=True).lower(*specs)
        want = harness.flat(jax.jit(fn)(*args))
        for text in (lowered.as_text(dialect="hlo"), lowered.compile().as_text()):
            art = compiler.compile_hlo(text, "f")
            for g, w in zip(runner.Runner(art.wasm, art.manifest)(*args), want, strict=False):
                harness.assert_close(g, w, (1e-5, 1e-6))

    def test_post_optimisation_mlp_grad(self):
        rng = np.random.default_rng(0)
        w = rng.standard_normal((8, 4)).astype(np.float32)
        xs = rng.standard_normal((3, 8)).astype(np.float32)
        fn = jax.grad(lambda w, x: jnp.sum(jnp.tanh(x @ w) ** 2))
        text = jax.jit(fn).lower(w, xs).compile().as_text()
        art = compiler.compile_hlo(text, "g")
        got = runner.Runner(art.wasm, art.manifest)(w, xs)[0]
        harness.assert_close(got, np.asarray(fn(w, xs)), (1e-5, 1e-5))

    def test_errors_name_the_line(self):
        bad = "HloModule m\nENTRY e {\n  p = f32[2]{0} parameter(0)\n  ROOT q = f32[2 add(p, p)\n}\n"
        with self.assertRaisesRegex(ir.CompileError, "HLO line 4"):
            parse.parse(bad)
        with self.assertRaisesRegex(ir.CompileError, "not closed"):
            parse.parse("HloModule m\nENTRY e {\n  ROOT p = f32[] parameter(0)\n")
        with self.assertRaisesRegex(ir.CompileError, "no computation"):
            parse.parse("HloModule m\n")


if __name__ == "__main__":
    absltest.main()
