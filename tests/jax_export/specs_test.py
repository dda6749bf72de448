"""Tests of the argument spec grammar (tools/jax_export/specs.py)."""

import re

from absl.testing import absltest, parameterized

from tools.jax_export import specs
from tools.jax_export.specs import ArraySpec


class SpecsTest(parameterized.TestCase):
    @parameterized.parameters(
        ("f32[1024]", ArraySpec("f32", (1024,))),
        ("s32[]", ArraySpec("s32", ())),
        ("bf16[8, 128]", ArraySpec("bf16", (8, 128))),
        ("i64[2]", ArraySpec("s64", (2,))),
        ("pred[3,0]", ArraySpec("pred", (3, 0))),
    )
    def test_leaf(self, text, expected):
        self.assertEqual(specs.parse(text), expected)

    def test_pytrees(self):
        self.assertEqual(
            specs.parse("{w: f32[4,4], 'b': f32[4], nested: (s32[], [u8[2], f64[1]])}"),
            {
                "w": ArraySpec("f32", (4, 4)),
                "b": ArraySpec("f32", (4,)),
                "nested": (ArraySpec("s32", ()), [ArraySpec("u8", (2,)), ArraySpec("f64", (1,))]),
            },
        )
        self.assertEqual(specs.parse("(f32[1],)"), (ArraySpec("f32", (1,)),))
        self.assertEqual(specs.parse("()"), ())

    @parameterized.parameters(
        ("f32[3", "expected ']'"),
        ("q7[2]", "unknown element type 'q7'"),
        ("f32[-1]", "non-negative integer"),
        ("f32[2] f32[3]", "unexpected 'f'"),
        ("{a: f32[1], a: f32[2]}", "duplicate key 'a'"),
        ("(f32[1]", "expected ')'"),
        ("", "expected an element type"),
    )
    def test_errors_name_the_problem(self, text, fragment):
        with self.assertRaisesRegex(specs.SpecError, re.escape(fragment)):
            specs.parse(text)

    def test_str_round_trips(self):
        spec = ArraySpec("f32", (8, 128))
        self.assertEqual(specs.parse(str(spec)), spec)


if __name__ == "__main__":
    absltest.main()
