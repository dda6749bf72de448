"""Compiles each example for llvm-cpu and vmvx and checks it against JAX's reference.

Each case runs the two tools as the Bazel actions will: compile_main, then check_main on the
reference.npz made here with JAX (docs/contracts.md format). Also shows that a wrong reference
fails the checker with a readable table.
"""

from __future__ import annotations

import json
import os

import numpy as np
from absl.testing import absltest, parameterized

from tests.iree import examples, testdata, tool

_CASES = [
    (f"{name}_{backend}", name, backend) for name, example in examples.EXAMPLES.items() for backend in example.backends
]


class ExamplesTest(parameterized.TestCase):
    """Every example on every backend it supports, checked against JAX."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.dir = absltest.get_default_test_tmpdir()
        cls.files = {
            name: testdata.write(cls.dir, name, ex.fn, ex.args, ex.domains) for name, ex in examples.EXAMPLES.items()
        }

    def _compile(self, name: str, backend: str) -> str:
        out = os.path.join(self.dir, f"{name}_{backend}.vmfb")
        result = tool.run(
            "compile_main",
            [
                f"--input={self.files[name]['stablehlo']}",
                f"--output={out}",
                f"--backend={backend}",
                f"--label=//tests/iree:{name}_{backend}",
            ],
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        return out

    def _check(self, name: str, vmfb: str, reference: str, *flags: str) -> tool.subprocess.CompletedProcess:
        return tool.run(
            "check_main",
            [
                f"--module={vmfb}",
                f"--signature={self.files[name]['signature']}",
                f"--reference={reference}",
                f"--label=//tests/iree:{name}_test",
                *flags,
            ],
        )

    @parameterized.named_parameters(*_CASES)
    def test_matches_jax(self, name: str, backend: str) -> None:
        vmfb = self._compile(name, backend)
        flags = examples.EXAMPLES[name].check_flags
        result = self._check(name, vmfb, self.files[name]["reference"], *flags)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("PASS", result.stdout)
        with open(self.files[name]["signature"], encoding="utf-8") as f:
            outputs = json.load(f)["outputs"]
        rows = [line for line in result.stdout.splitlines() if line.endswith("  ok")]
        self.assertLen(rows, len(outputs), result.stdout)

    def test_wrong_reference_fails_with_table(self) -> None:
        name = "mlp_loss_grad"
        vmfb = self._compile(name, "vmvx")
        with np.load(self.files[name]["reference"]) as ref:
            arrays = dict(ref)
        arrays["output_2"] = arrays["output_2"].copy()
        arrays["output_2"][3, 5] += 0.5  # one wrong element of out_w1
        wrong = os.path.join(self.dir, "wrong.reference.npz")
        np.savez(wrong, **arrays)
        result = self._check(name, vmfb, wrong)
        self.assertEqual(result.returncode, 1, result.stdout)
        self.assertRegex(result.stdout, r"2:out_w1 +f32\[16,32\] .* 1/512 +\[3, 5\] .* MISMATCH")
        self.assertRegex(result.stdout, r"0:out_b1 .* ok")
        self.assertIn("FAIL: 1 of 4 outputs differ from JAX: out_w1", result.stderr)

    def test_reference_that_does_not_fit_the_signature_is_an_error(self) -> None:
        name = "mlp"
        vmfb = self._compile(name, "vmvx")
        with np.load(self.files[name]["reference"]) as ref:
            arrays = dict(ref)
        arrays["input_4"] = arrays["input_4"][:4]
        bad = os.path.join(self.dir, "bad_shape.reference.npz")
        np.savez(bad, **arrays)
        result = self._check(name, vmfb, bad)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(
            "reference input_4 is float32[4, 16], signature says x f32[8,16]",
            result.stderr,
        )

    def test_module_that_does_not_fit_the_signature_is_an_error(self) -> None:
        vmfb = self._compile("erf", "vmvx")  # one input; the quadratic signature has three
        result = self._check("quadratic", vmfb, self.files["quadratic"]["reference"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("module function takes 1 inputs, signature has 3", result.stderr)


if __name__ == "__main__":
    absltest.main()
