"""Tests of the Python output comparison used by wasm_test (tools/wasm_test/compare.py)."""

import numpy as np
from absl.testing import absltest, parameterized

from tools.wasm_test import compare


class CompareTest(parameterized.TestCase):
    def test_within_tolerance_passes(self):
        want = np.array([1.0, -2.0, 1000.0], np.float32)
        self.assertTrue(compare.compare("x", want * (1 + 1e-6), want, "f32").ok)

    @parameterized.named_parameters(
        ("relative_error", [1.0, 2.0], [1.0, 2.001], "f32"),
        ("nan_for_number", [np.nan, 2.0], [1.0, 2.0], "f32"),
        ("number_for_nan", [1.0, 2.0], [np.nan, 2.0], "f32"),
        ("wrong_infinity", [-np.inf], [np.inf], "f32"),
        ("integer_off_by_one", [3, 4], [3, 5], "s32"),
        ("bool_flipped", [True], [False], "pred"),
    )
    def test_mismatch_fails(self, got, want, dtype):
        result = compare.compare("x", np.array(got), np.array(want), dtype)
        self.assertFalse(result.ok, result.detail)

    def test_nan_meets_nan_and_infinities_match(self):
        values = np.array([np.nan, np.inf, -np.inf, 0.0], np.float32)
        self.assertTrue(compare.compare("x", values, values.copy(), "f32").ok)

    def test_shape_mismatch_fails(self):
        result = compare.compare("x", np.zeros((2, 3)), np.zeros((3, 2)), "f32")
        self.assertFalse(result.ok)
        self.assertIn("shape", result.detail)

    def test_bf16_bits_are_widened(self):
        bits = np.array([0x3F80, 0x4000], np.uint16)  # 1.0 and 2.0 in bfloat16
        np.testing.assert_array_equal(compare.as_comparable(bits, "bf16"), [1.0, 2.0])


if __name__ == "__main__":
    absltest.main()
