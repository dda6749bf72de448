"""Tests of the iree-run-module-like runner (the `bazel run` side of jax_iree_module)."""

from __future__ import annotations

import os

import numpy as np
from absl.testing import absltest

from tests.iree import examples, testdata, tool


class RunTest(absltest.TestCase):
    """run_main on a vmvx module of the quadratic formula."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.dir = absltest.get_default_test_tmpdir()
        ex = examples.EXAMPLES["quadratic"]
        cls.files = testdata.write(cls.dir, "quadratic", ex.fn, ex.args)
        cls.vmfb = os.path.join(cls.dir, "quadratic.vmfb")
        result = tool.run(
            "compile_main",
            [
                f"--input={cls.files['stablehlo']}",
                f"--output={cls.vmfb}",
                "--backend=vmvx",
            ],
        )
        assert result.returncode == 0, result.stderr

    def _run(self, *flags: str, **env: str) -> tool.subprocess.CompletedProcess:
        return tool.run(
            "run_main",
            [f"--module={self.vmfb}", f"--signature={self.files['signature']}", *flags],
            env=env,
        )

    def test_npy_and_literal_inputs_print_and_save_outputs(self) -> None:
        user_dir = self.create_tempdir().full_path  # where `bazel run` was started
        a = np.linspace(1, 2, 1024, dtype=np.float32)
        np.save(os.path.join(user_dir, "a.npy"), a)
        result = self._run(
            "--input=@a.npy",
            "--input=1024xf32=-5",
            "--input=f32[1024]=1",
            "--output_npz=roots.npz",
            BUILD_WORKING_DIRECTORY=user_dir,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("result[0]: out_0 f32[1024]", result.stdout)
        self.assertIn("result[1]: out_1 f32[1024]", result.stdout)
        with np.load(os.path.join(user_dir, "roots.npz")) as out:
            d = np.sqrt(25 - 4 * a)
            np.testing.assert_allclose(out["output_0"], (5 + d) / (2 * a), rtol=1e-6)
            np.testing.assert_allclose(out["output_1"], (5 - d) / (2 * a), rtol=1e-5)

    def test_wrong_inputs_name_the_expected_signature(self) -> None:
        result = self._run("--input=f32[1024]=1")
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(
            "got 1 inputs, the function takes (a: f32[1024], b: f32[1024]",
            result.stderr,
        )
        result = self._run("--input=f32[3]=1", "--input=f32[1024]=1", "--input=f32[1024]=1")
        self.assertIn("input 0 (a) should be f32[1024], got f32[3]", result.stderr)

    def test_missing_npy_file_is_an_error_without_traceback(self) -> None:
        user_dir = self.create_tempdir().full_path
        result = self._run("--input=@missing.npy", BUILD_WORKING_DIRECTORY=user_dir)
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn("--input: [Errno 2] No such file or directory", result.stderr)
        self.assertIn("missing.npy", result.stderr)
        self.assertNotIn("Traceback", result.stderr)

    def test_runs_without_signature(self) -> None:
        result = tool.run(
            "run_main",
            [f"--module={self.vmfb}"] + ["--input=f32[1024]=1"] * 3,
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("result[1]: float32[1024]", result.stdout)
        self.assertIn("nan", result.stdout)  # 1 - 4 < 0: no real roots


if __name__ == "__main__":
    absltest.main()
