"""Bad input fails with a clear error and never produces a module.

Bad input must fail with a clear error, never produce a module: malformed HLO, an
unsupported op, a dtype mismatch, a signature that disagrees with the HLO.
"""

from absl.testing import absltest

from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm import ir


def _hlo(body: str) -> str:
    return f"HloModule m\n\nENTRY main {{\n{body}\n}}\n"


class ErrorsTest(absltest.TestCase):
    def test_unsupported_op_names_op_line_backend(self):
        text = _hlo("  p = f32[4]{0} parameter(0)\n  ROOT f = f32[4]{0} fft(p), fft_type=FFT")
        with self.assertRaisesRegex(ir.CompileError, r"unsupported HLO op 'fft' \(HLO line 5.*wasm"):
            compiler.compile_hlo(text, "m")

    def test_custom_call_is_rejected(self):
        text = _hlo('  p = f32[4]{0} parameter(0)\n  ROOT f = f32[4]{0} custom-call(p), custom_call_target="foo"')
        with self.assertRaisesRegex(ir.CompileError, "custom-call"):
            compiler.compile_hlo(text, "m")

    def test_dtype_mismatch(self):
        text = _hlo("  p = f32[4]{0} parameter(0)\n  q = s32[4]{0} parameter(1)\n  ROOT a = f32[4]{0} add(p, q)")
        with self.assertRaisesRegex(ir.CompileError, r"HLO line 6.*invalid add.*dtypes differ"):
            compiler.compile_hlo(text, "m")

    def test_shape_mismatch(self):
        text = _hlo("  p = f32[4]{0} parameter(0)\n  ROOT a = f32[5]{0} negate(p)")
        with self.assertRaisesRegex(ir.CompileError, "invalid negate"):
            compiler.compile_hlo(text, "m")

    def test_malformed(self):
        with self.assertRaisesRegex(ir.CompileError, "HLO line 5: cannot parse"):
            compiler.compile_hlo(_hlo("  p = f32[4]{0} parameter(0)\n  ROOT a = f32[4 add(p"), "m")
        with self.assertRaisesRegex(ir.CompileError, "not defined"):
            compiler.compile_hlo(_hlo("  ROOT a = f32[4]{0} add(x, y)"), "m")
        with self.assertRaisesRegex(ir.CompileError, "literal has 2 values"):
            compiler.compile_hlo(_hlo("  ROOT c = f32[3]{0} constant({1, 2})"), "m")

    def test_signature_mismatch(self):
        text = _hlo("  p = f32[4]{0} parameter(0)\n  ROOT a = f32[4]{0} negate(p)")
        sig = compiler.default_signature(compiler.lower(text))
        sig["inputs"][0]["dtype"] = "f64"
        with self.assertRaisesRegex(ir.CompileError, "signature input in0"):
            compiler.compile_hlo(text, "m", sig)


if __name__ == "__main__":
    absltest.main()
