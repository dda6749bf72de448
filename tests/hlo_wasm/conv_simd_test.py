"""Differential tests of the f32x4 convolution fast path (`ops/conv_simd.py`) and its fallback.

Each case runs the compiled module against JAX (and, for small shapes, the NumPy reference)
and asserts which lowering the convolution took, so a case meant for the fast path cannot
silently fall back to the generic kernel (and vice versa).
"""

import re

import jax
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness
from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm import ir, runner

jax.config.update("jax_enable_x64", True)

_NHWC = ("NHWC", "HWIO", "NHWC")


def _conv(strides=(1, 1), padding="SAME", lhs_dil=None, rhs_dil=None, dn=_NHWC, groups=1):
    """A `conv_general_dilated` closure with the given window and layout."""

    def fn(x, w):
        return lax.conv_general_dilated(
            x,
            w,
            strides,
            padding,
            lhs_dilation=lhs_dil,
            rhs_dilation=rhs_dil,
            dimension_numbers=dn,
            feature_group_count=groups,
        )

    return fn


def _lowering(fn, *args) -> str:
    """The compiled convolution's lowering: the fast path's mode, or "generic"."""
    wat = compiler.compile_hlo(harness.hlo_of(fn, *args), "f").wat
    m = re.search(r";; f32x4 fast path \((\w+)\)", wat)
    return m.group(1) if m else "generic"


class ConvSimdTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(7)

    def _check(self, fn, xshape, wshape, lowering, reference=True, dtype=np.float32):
        x = self.rng.standard_normal(xshape).astype(dtype)
        w = self.rng.standard_normal(wshape).astype(dtype)
        harness.check(
            self,
            fn,
            x,
            w,
            tol=harness.LOOSE[np.dtype(dtype).name],
            expect_ops=["convolution"],
            reference=reference,
        )
        self.assertEqual(_lowering(fn, x, w), lowering)

    def test_relaxed_simd_uses_fma(self):
        fn = _conv()
        x = self.rng.standard_normal((1, 9, 9, 3)).astype(np.float32)
        w = self.rng.standard_normal((3, 3, 3, 8)).astype(np.float32)
        art = compiler.compile_hlo(harness.hlo_of(fn, x, w), "f", relaxed_simd=True)
        self.assertIn("f32x4.relaxed_madd", art.wat)
        got = runner.Runner(art.wasm, art.manifest)(x, w)[0]
        harness.assert_close(got, np.asarray(jax.jit(fn)(x, w)), harness.LOOSE["f32"], "relaxed conv")

    def test_benchmark_conv(self):
        # bench/workloads.py's conv2d (the NumPy reference is too slow at this size).
        self._check(_conv(), (1, 28, 28, 1), (3, 3, 1, 32), "splat", reference=False)

    @parameterized.named_parameters(
        ("same_4", "SAME", 4),
        ("valid_8", "VALID", 8),
        ("same_12", "SAME", 12),
        ("valid_36_block_and_tail", "VALID", 36),
        ("same_72_two_blocks_and_tail", "SAME", 72),
    )
    def test_padding_and_features(self, padding, cout):
        self._check(_conv(padding=padding), (2, 6, 5, 3), (3, 3, 3, cout), "splat")

    def test_strides_and_asymmetric_padding(self):
        self._check(_conv((2, 2), [(0, 2), (2, 1)]), (2, 9, 8, 3), (3, 2, 3, 8), "splat")

    def test_negative_padding(self):
        self._check(_conv((1, 2), [(-1, 2), (1, -1)]), (1, 7, 8, 2), (2, 3, 2, 4), "splat")

    def test_rhs_dilation(self):
        self._check(_conv((1, 2), "SAME", rhs_dil=(2, 3)), (2, 8, 9, 3), (3, 3, 3, 12), "splat")

    def test_lhs_dilation_transposed(self):
        fn = _conv((1, 1), [(2, 1), (1, 2)], lhs_dil=(2, 3), rhs_dil=(1, 2))
        self._check(fn, (2, 4, 3, 3), (3, 2, 3, 8), "splat")

    def test_window_larger_than_input(self):
        self._check(_conv((1, 1), [(3, 3), (2, 4)]), (1, 2, 3, 2), (5, 4, 2, 4), "splat")

    def test_depthwise(self):
        self._check(_conv(groups=8), (2, 6, 5, 8), (3, 3, 1, 8), "depthwise")

    def test_depthwise_multiplier_4(self):
        self._check(_conv((2, 1), groups=3), (1, 7, 6, 3), (3, 3, 1, 12), "splat")

    def test_groups_splat(self):
        self._check(_conv(groups=2), (2, 5, 5, 6), (3, 3, 3, 16), "splat")

    def test_1d(self):
        self._check(_conv((2,), "SAME", dn=("NWC", "WIO", "NWC")), (2, 11, 3), (4, 3, 8), "splat")

    def test_3d(self):
        dn = ("NDHWC", "DHWIO", "NDHWC")
        self._check(_conv((1, 2, 1), "SAME", rhs_dil=(1, 1, 2), dn=dn), (1, 4, 5, 4, 2), (2, 3, 2, 2, 8), "splat")

    def test_permuted_dims(self):
        # Batch and spatial dims in other orders; features still minor-most in the output.
        dn = ("HNWC", "WHIO", "WHNC")
        self._check(_conv((1, 2), "SAME", dn=dn), (5, 2, 6, 3), (3, 2, 3, 8), "splat")

    @parameterized.named_parameters(
        ("nchw_oihw", (2, 3, 6, 5), (8, 3, 3, 3), ("NCHW", "OIHW", "NCHW")),
        ("features_not_minor_in_output", (2, 6, 5, 3), (3, 3, 3, 8), ("NHWC", "HWIO", "NCHW")),
        ("filter_features_not_minor", (2, 6, 5, 3), (8, 3, 3, 3), ("NHWC", "OHWI", "NHWC")),
    )
    def test_falls_back(self, xshape, wshape, dn):
        self._check(_conv(dn=dn), xshape, wshape, "generic")

    @parameterized.named_parameters(
        ("one_vector_two_scalars", 1, 3, 6),
        ("scalars_only", 1, 2, 3),
        ("groups_3_per_group_3", 3, 6, 9),
        ("depthwise_6", 6, 6, 6),
    )
    def test_feature_tail(self, groups, cin, cout):
        # Depthwise with 6 features (not a multiple of 4) runs splat mode's scalar tail.
        self._check(_conv(groups=groups), (2, 5, 6, cin), (3, 2, cin // groups, cout), "splat")

    def test_depthwise_input_features_not_minor(self):
        # Depthwise mode needs contiguous input features; splat mode (one group at a time) runs.
        self._check(_conv(groups=4, dn=("NCHW", "HWIO", "NHWC")), (1, 4, 5, 6), (3, 3, 1, 4), "splat")

    def test_f64_falls_back(self):
        self._check(_conv(), (1, 5, 5, 2), (3, 3, 2, 4), "generic", dtype=np.float64)

    def test_rhs_reversal_rejected(self):
        x, w = np.zeros((1, 5, 5, 1), np.float32), np.zeros((3, 3, 1, 4), np.float32)
        text = harness.hlo_of(_conv(), x, w)
        self.assertIn("pad=1_1x1_1}", text)
        compiler.compile_hlo(text.replace("pad=1_1x1_1}", "pad=1_1x1_1 rhs_reversal=0x0}"), "f")
        with self.assertRaisesRegex(ir.CompileError, "rhs_reversal is not supported"):
            compiler.compile_hlo(text.replace("pad=1_1x1_1}", "pad=1_1x1_1 rhs_reversal=0x1}"), "f")

    def test_deterministic(self):
        x = np.zeros((2, 6, 5, 3), np.float32)
        w = np.zeros((3, 3, 3, 36), np.float32)
        text = harness.hlo_of(_conv(padding=[(1, 1), (0, 2)], lhs_dil=(2, 1)), x, w)
        self.assertEqual(compiler.compile_hlo(text, "f").wat, compiler.compile_hlo(text, "f").wat)


if __name__ == "__main__":
    absltest.main()
