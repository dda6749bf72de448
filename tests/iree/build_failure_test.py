"""jax_iree_module on a function IREE cannot compile: IREE's message, the label, no output.

`//tests/iree:fft6_iree` is that target (tagged manual, so `bazel build //...` passes); its build
fails. This test runs the action's tool, `//tools/iree:compile_main`, on the StableHLO that
`//tests/iree:fft6` exports, with the flags jax_iree_module passes for `fft6_iree` (checked by
//tests/rules:jax_iree_module_tests), in a flag file as the action does.
"""

from __future__ import annotations

import os
import subprocess

from absl.testing import absltest

_PACKAGE = "tests/iree"
_LABEL = "//tests/iree:fft6_iree"


def _runfile(path: str) -> str:
    return os.path.join(os.environ["TEST_SRCDIR"], os.environ["TEST_WORKSPACE"], path)


class BuildFailureTest(absltest.TestCase):
    """compile_main fails on stablehlo.fft of length 6 the way the build does."""

    def test_fft6_fails_with_iree_message_label_and_no_output(self) -> None:
        out_dir = self.create_tempdir().full_path
        stablehlo = _runfile(f"{_PACKAGE}/fft6.stablehlo.mlir")
        vmfb = os.path.join(out_dir, "fft6_iree.vmfb")
        with open(vmfb, "wb") as f:
            f.write(b"stale output of an earlier build")
        flagfile = os.path.join(out_dir, "fft6_iree.params")
        with open(flagfile, "w", encoding="utf-8") as f:
            for flag in [
                f"--input={stablehlo}",
                f"--output={vmfb}",
                f"--label={_LABEL}",
                "--backend=llvm-cpu",
                "--target_triple=x86_64-unknown-linux-gnu",
                "--target_cpu=generic",
                "--target_cpu_features=",
            ]:
                f.write(flag + "\n")
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
            "PYTHONSAFEPATH": "1",
            "RUNFILES_DIR": os.environ["TEST_SRCDIR"],
        }
        result = subprocess.run(
            [_runfile("tools/iree/compile_main"), f"--flagfile={flagfile}"],
            capture_output=True,
            text=True,
            env=env,
            cwd=out_dir,
            check=False,
        )
        self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
        self.assertIn(f"error: IREE cannot compile {_LABEL} (IREE backend llvm-cpu)", result.stderr)
        self.assertIn("failed to legalize operation 'stablehlo.fft'", result.stderr)
        # jax_hlo's StableHLO carries the Python source locations: IREE names the line.
        self.assertIn("tests/iree/unsupported.py:8:11: error: failed to legalize", result.stderr)
        self.assertNotIn("Traceback", result.stderr)
        self.assertFalse(os.path.exists(vmfb), "a failed compile leaves an output behind")
        self.assertEqual(sorted(os.listdir(out_dir)), ["fft6_iree.params"], "scratch files left behind")


if __name__ == "__main__":
    absltest.main()
