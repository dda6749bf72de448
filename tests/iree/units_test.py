"""Unit tests of the comparison, input parsing and signature reading used by the IREE tools."""

from __future__ import annotations

import json

import numpy as np
from absl.testing import absltest, parameterized

from tools.iree import compare, inputs, reference, runtime


def _leaf(dtype: str, shape: tuple[int, ...] = (4,)) -> reference.Leaf:
    return reference.Leaf(index=0, name="out", path="", shape=shape, dtype=dtype)


class CompareTest(parameterized.TestCase):
    """Per-dtype comparison of outputs with the reference."""

    def test_nan_matches_nan_but_not_a_number(self) -> None:
        want = np.array([1.0, np.nan, 3.0, np.inf], np.float32)
        row = compare.compare(_leaf("f32"), want.copy(), want, compare.tolerance_for("f32"))
        self.assertTrue(row.ok)
        self.assertEqual(row.max_abs, 0.0)
        got = np.array([1.0, np.nan, np.nan, np.inf], np.float32)
        row = compare.compare(_leaf("f32"), got, want, compare.tolerance_for("f32"))
        self.assertFalse(row.ok)
        self.assertEqual((row.mismatches, row.worst), (1, (2,)))
        self.assertEqual(row.max_abs, np.inf)

    def test_infinities_of_opposite_sign_mismatch(self) -> None:
        want = np.array([np.inf] * 4, np.float32)
        row = compare.compare(_leaf("f32"), -want, want, compare.tolerance_for("f32"))
        self.assertEqual(row.mismatches, 4)

    def test_float_tolerance_is_relative_plus_absolute(self) -> None:
        want = np.array([1000.0, 1.0, 0.0, -2.0], np.float32)
        tol = compare.tolerance_for("f32")
        got = want + np.array([1000 * 0.9e-5, 0.9e-5, 0.9e-6, 0.0], np.float32)
        self.assertTrue(compare.compare(_leaf("f32"), got, want, tol).ok)
        got = want + np.array([0, 0, 3e-6, 0], np.float32)
        self.assertFalse(compare.compare(_leaf("f32"), got, want, tol).ok)

    @parameterized.parameters("s32", "s64", "u8", "pred")
    def test_integers_are_exact(self, dtype: str) -> None:
        np_dtype = reference.NUMPY_DTYPES[dtype]
        want = np.array([1, 0, 1, 1]).astype(np_dtype)
        got = want.copy()
        got[2] = 0
        row = compare.compare(_leaf(dtype), got, want, compare.tolerance_for(dtype))
        self.assertEqual((row.mismatches, row.worst), (1, (2,)))

    def test_s64_differences_beyond_float64_precision_are_seen(self) -> None:
        want = np.array([2**62, 0, 0, 0], np.int64)
        got = want + np.array([1, 0, 0, 0], np.int64)
        self.assertFalse(compare.compare(_leaf("s64"), got, want, compare.EXACT).ok)

    def test_bf16_compares_the_encoded_values(self) -> None:
        want = (np.array([1.0, 2.0, -3.0, 0.5], np.float32).view(np.uint32) >> 16).astype(np.uint16)
        got = want.copy()
        got[1] += 1  # one bf16 ulp at 2.0 is 2**-6: relative error 0.0078, inside 2e-2
        row = compare.compare(_leaf("bf16"), got, want, compare.tolerance_for("bf16"))
        self.assertTrue(row.ok)
        self.assertAlmostEqual(row.max_abs, 2**-6)

    def test_shape_mismatch_is_reported(self) -> None:
        row = compare.compare(
            _leaf("f32"),
            np.zeros(3, np.float32),
            np.zeros(4, np.float32),
            compare.EXACT,
        )
        self.assertFalse(row.ok)
        self.assertIn("shape [3] != [4]", compare.format_table([row]))

    def test_table_has_one_row_per_output(self) -> None:
        rows = [
            compare.compare(
                _leaf("f32"),
                np.ones(4, np.float32),
                np.ones(4, np.float32),
                compare.EXACT,
            ),
            compare.compare(_leaf("s32"), np.ones(4, np.int32), np.zeros(4, np.int32), compare.EXACT),
        ]
        lines = compare.format_table(rows).splitlines()
        self.assertLen(lines, 3)
        self.assertTrue(lines[0].startswith("output"))
        self.assertTrue(lines[1].endswith("ok"))
        self.assertIn("4/4", lines[2])
        self.assertTrue(lines[2].endswith("MISMATCH"))


class ContiguousTest(absltest.TestCase):
    """Arrays handed to IREE keep their shape."""

    def test_scalar_stays_0d(self) -> None:
        got = runtime.c_contiguous(np.array(3, np.int32))
        self.assertEqual(got.shape, ())

    def test_fortran_order_is_copied_to_c_order(self) -> None:
        array = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
        got = runtime.c_contiguous(array)
        self.assertTrue(got.flags.c_contiguous)
        np.testing.assert_array_equal(got, array)


class InputsTest(parameterized.TestCase):
    """Parsing of --input values."""

    @parameterized.parameters(
        ("f32[3]=1,2,3", "f32", np.array([1, 2, 3], np.float32)),
        ("3xf32=1,2,3", "f32", np.array([1, 2, 3], np.float32)),
        ("f32[2,2]=7", "f32", np.full((2, 2), 7, np.float32)),
        ("2x2xi32=1 2 3 4", "s32", np.array([[1, 2], [3, 4]], np.int32)),
        ("i32[]=5", "s32", np.array(5, np.int32)),
        ("pred[2]=1,false", "pred", np.array([True, False])),
        ("bf16[1]=1.5", "bf16", np.array([0x3FC0], np.uint16)),
    )
    def test_literal(self, text: str, dtype: str, want: np.ndarray) -> None:
        got, got_dtype = inputs.parse_input(text)
        self.assertEqual(got_dtype, dtype)
        self.assertEqual(got.dtype, want.dtype)
        np.testing.assert_array_equal(got, want)

    def test_npy_file_is_relative_to_base_dir(self) -> None:
        base = self.create_tempdir().full_path
        np.save(f"{base}/x.npy", np.arange(3, dtype=np.float32))
        got, dtype = inputs.parse_input("@x.npy", base)
        self.assertEqual(dtype, "")
        np.testing.assert_array_equal(got, [0, 1, 2])

    @parameterized.parameters(
        ("f32[3]=1,2", "needs 3 values, got 2"),
        ("f32[3]", "has no '='"),
        ("q7[3]=1", "unknown element type"),
        ("f32(3)=1", "cannot parse type"),
    )
    def test_errors(self, text: str, message: str) -> None:
        with self.assertRaisesRegex(ValueError, message):
            inputs.parse_input(text)


class SignatureTest(absltest.TestCase):
    """Reading signature.json."""

    def _doc(self, **changes: object) -> str:
        doc = {
            "format": "rules_jax.signature/1",
            "function": "m:f",
            "transform": {"kind": "none"},
            "inputs": [{"index": 0, "name": "a", "path": "a", "shape": [2], "dtype": "f32"}],
            "outputs": [{"index": 0, "name": "out", "path": "", "shape": [], "dtype": "s32"}],
        }
        doc.update(changes)
        return json.dumps(doc)

    def test_parses_leaves(self) -> None:
        sig = reference.parse_signature(self._doc())
        self.assertEqual(sig.inputs[0].spec, "f32[2]")
        self.assertEqual(sig.outputs[0].spec, "s32[]")

    def test_rejects_wrong_format_index_and_dtype(self) -> None:
        with self.assertRaisesRegex(ValueError, "format"):
            reference.parse_signature(self._doc(format="other/2"))
        bad_index = [{"index": 1, "name": "a", "path": "a", "shape": [2], "dtype": "f32"}]
        with self.assertRaisesRegex(ValueError, r"inputs\[0\] has index 1"):
            reference.parse_signature(self._doc(inputs=bad_index))
        bad_dtype = [{"index": 0, "name": "a", "path": "a", "shape": [2], "dtype": "f8"}]
        with self.assertRaisesRegex(ValueError, "unknown dtype 'f8'"):
            reference.parse_signature(self._doc(inputs=bad_dtype))


if __name__ == "__main__":
    absltest.main()
