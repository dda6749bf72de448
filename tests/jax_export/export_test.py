"""End-to-end tests of the jax_export tool: files, values against NumPy, errors, determinism.

Each case runs the tool as a subprocess, exactly as the jax_hlo action does.
"""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from absl.testing import absltest, parameterized

_OUTPUTS = ("hlo", "stablehlo", "jaxpr", "signature", "reference")
_PARAMS = "{w: f32[4,2], b: f32[2]}"


def _export(*flags: str) -> tuple[subprocess.CompletedProcess, str]:
    """Runs the tool in a fresh directory; returns the process and that directory."""
    out = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
    argv = [sys.executable, "-m", "tools.jax_export.main"]
    argv += ["--out_%s=%s" % (name, os.path.join(out, name)) for name in _OUTPUTS]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), JAX_PLATFORMS="cpu")
    process = subprocess.run(argv + list(flags), capture_output=True, text=True, env=env, check=False)
    return process, out


def _read(out: str, name: str) -> bytes:
    with open(os.path.join(out, name), "rb") as f:
        return f.read()


class ExportTest(parameterized.TestCase):
    def _ok(self, *flags: str) -> str:
        process, out = _export(*flags)
        self.assertEqual(process.returncode, 0, process.stderr)
        return out

    def test_files_and_reference_values(self):
        out = self._ok(
            "--function=tests.jax_export.functions:affine",
            "--arg=f32[3,4]",
            "--arg=" + _PARAMS,
            "--kwarg=scale=2.0",
            "--domain=x=uniform(0, 1)",
        )
        signature = json.loads(_read(out, "signature"))
        self.assertEqual([e["name"] for e in signature["inputs"]], ["x", "params_b", "params_w"])
        self.assertEqual([e["shape"] for e in signature["inputs"]], [[3, 4], [2], [4, 2]])
        self.assertEqual([e["name"] for e in signature["outputs"]], ["out_0", "out_1"])
        self.assertEqual([e["shape"] for e in signature["outputs"]], [[3, 2], []])
        # Parameters in signature order: x, then the dict's leaves in key order (b, w).
        self.assertTrue(
            _read(out, "hlo").startswith(
                b"HloModule jit_affine, entry_computation_layout={(f32[3,4]{1,0}, f32[2]{0}, f32[4,2]{1,0})->"
            )
        )

        ref = np.load(os.path.join(out, "reference"))
        x, b, w = ref["input_0"], ref["input_1"], ref["input_2"]
        self.assertTrue(np.all((x >= 0) & (x < 1)), "domain uniform(0, 1) not honoured")
        expected = 2.0 * (x.astype(np.float64) @ w) + b
        np.testing.assert_allclose(ref["output_0"], expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ref["output_1"], x.astype(np.float64).sum(), rtol=1e-5)

    def test_outputs_are_byte_identical_across_runs(self):
        flags = ("--function=tests.jax_export.functions:affine", "--arg=f32[3,4]", "--arg=" + _PARAMS)
        first, second = self._ok(*flags), self._ok(*flags)
        for name in _OUTPUTS:
            self.assertEqual(_read(first, name), _read(second, name), name)

    def test_grad_matches_closed_form(self):
        out = self._ok(
            "--function=tests.jax_export.functions:affine_loss",
            "--arg=f32[3,4]",
            "--arg=" + _PARAMS,
            "--transform=grad",
            "--argnums=1",
        )
        signature = json.loads(_read(out, "signature"))
        self.assertEqual(signature["transform"], {"kind": "grad", "argnums": [1]})
        self.assertEqual([e["name"] for e in signature["outputs"]], ["out_b", "out_w"])
        ref = np.load(os.path.join(out, "reference"))
        x = ref["input_0"].astype(np.float64)
        np.testing.assert_allclose(ref["output_0"], [3.0, 3.0], rtol=1e-6)
        np.testing.assert_allclose(ref["output_1"], np.repeat(x.sum(0)[:, None], 2, axis=1), rtol=1e-5)

    def test_vmap_adds_the_batch_axis(self):
        out = self._ok(
            "--function=tests.jax_export.functions:affine",
            "--arg=f32[5,3,4]",
            "--arg=" + _PARAMS,
            "--transform=vmap",
            "--in_axes=0,None",
        )
        signature = json.loads(_read(out, "signature"))
        self.assertEqual([e["shape"] for e in signature["outputs"]], [[5, 3, 2], [5]])

    def test_bf16_is_stored_as_bits(self):
        out = self._ok(
            "--function=tests.jax_export.functions:affine", "--arg=bf16[2,4]", "--arg={w: bf16[4,2], b: bf16[2]}"
        )
        signature = json.loads(_read(out, "signature"))
        self.assertEqual({e["dtype"] for e in signature["inputs"] + signature["outputs"]}, {"bf16"})
        self.assertEqual(np.load(os.path.join(out, "reference"))["input_0"].dtype, np.uint16)

    @parameterized.named_parameters(
        (
            "unclosed_spec",
            ["--function=tests.jax_export.functions:affine", "--arg=f32[3"],
            ["`args`[0]", "expected ']'"],
        ),
        (
            "unknown_dtype",
            ["--function=tests.jax_export.functions:affine", "--arg=q7[2]"],
            ["unknown element type 'q7'"],
        ),
        (
            "missing_module",
            ["--function=tests.jax_export.nowhere:f", "--arg=f32[2]"],
            ["module 'tests.jax_export.nowhere' not found"],
        ),
        (
            "missing_function",
            ["--function=tests.jax_export.functions:nope", "--arg=f32[2]"],
            ["has no attribute 'nope'"],
        ),
        (
            "arg_count",
            [
                "--function=tests.jax_export.functions:affine",
                "--arg=f32[2]",
                "--arg=f32[2]",
                "--arg=f32[2]",
                "--arg=f32[2]",
            ],
            ["`args`", "do not fit affine"],
        ),
        (
            "unknown_transform",
            [
                "--function=tests.jax_export.functions:affine_loss",
                "--arg=f32[3,4]",
                "--arg=" + _PARAMS,
                "--transform=hessian",
            ],
            ["unknown transform 'hessian'"],
        ),
        (
            "non_array_output",
            ["--function=tests.jax_export.functions:returns_string", "--arg=f32[2]"],
            ["returned a str at output['label']"],
        ),
        (
            "no_output",
            ["--function=tests.jax_export.functions:returns_nothing", "--arg=f32[2]"],
            ["returned no arrays"],
        ),
        (
            "bad_domain_key",
            ["--function=tests.jax_export.functions:raises", "--arg=f32[2]", "--domain=y=uniform(0,1)"],
            ["undefined_helper"],
        ),
        (
            "bad_domain_text",
            [
                "--function=tests.jax_export.functions:affine",
                "--arg=f32[3,4]",
                "--arg=" + _PARAMS,
                "--domain=x=uniform(0)",
            ],
            ["uniform takes 2 parameter(s)"],
        ),
        (
            "unknown_domain_key",
            [
                "--function=tests.jax_export.functions:affine",
                "--arg=f32[3,4]",
                "--arg=" + _PARAMS,
                "--domain=z=uniform(0,1)",
            ],
            ["`domains`", "['z'] name no input"],
        ),
    )
    def test_bad_input_fails_clearly_and_writes_nothing(self, flags, fragments):
        process, out = _export("--label=//pkg:target", *flags)
        self.assertEqual(process.returncode, 1, process.stderr)
        for fragment in fragments:
            self.assertIn(fragment, process.stderr)
        self.assertTrue(process.stderr.startswith("//pkg:target: "), process.stderr)
        self.assertEqual(os.listdir(out), [])

    def test_user_error_shows_user_frames_only(self):
        process, _ = _export("--function=tests.jax_export.functions:raises", "--arg=f32[2]")
        self.assertEqual(process.returncode, 1)
        self.assertIn('File "', process.stderr)
        self.assertIn('tests/jax_export/functions.py", line', process.stderr)
        self.assertIn("in raises", process.stderr)
        self.assertIn("NameError: name 'undefined_helper' is not defined", process.stderr)
        self.assertNotIn("tools/jax_export", process.stderr)
        self.assertNotIn("site-packages", process.stderr)


if __name__ == "__main__":
    absltest.main()
