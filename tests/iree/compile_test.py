"""Tests of the StableHLO -> .vmfb compile tool: flags, determinism, hermeticity, failures."""

from __future__ import annotations

import os
import shutil

import jax
import jax.numpy as jnp
from absl.testing import absltest, parameterized

from tests.iree import examples, tool
from tools.iree import compiler


def _fft(x: jax.Array) -> jax.Array:
    # IREE 3.13 lowers stablehlo.fft only for power-of-two lengths.
    return jnp.fft.fft(x).real


class CompileFlagsTest(absltest.TestCase):
    """The iree-compile flags derived from Options."""

    def test_llvm_cpu_flags_name_a_portable_cpu(self) -> None:
        flags = compiler.compile_flags(compiler.Options())
        self.assertIn("--iree-hal-local-target-device-backends=llvm-cpu", flags)
        self.assertIn("--iree-llvmcpu-target-triple=x86_64-unknown-linux-gnu", flags)
        self.assertIn("--iree-llvmcpu-target-cpu=generic", flags)

    def test_vmvx_has_no_llvm_flags_and_extra_flags_come_last(self) -> None:
        flags = compiler.compile_flags(compiler.Options(backend="vmvx", extra_flags=("--x=1",)))
        self.assertIn("--iree-hal-local-target-device-backends=vmvx", flags)
        self.assertFalse([f for f in flags if f.startswith("--iree-llvmcpu")])
        self.assertEqual(flags[-1], "--x=1")

    def test_host_cpu_is_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "depend on the build machine"):
            compiler.Options(target_cpu="host")

    def test_unknown_backend_is_refused(self) -> None:
        with self.assertRaisesRegex(ValueError, "llvm-cpu, vmvx"):
            compiler.Options(backend="cuda")


class CompileToolTest(parameterized.TestCase):
    """compile_main end to end: determinism, path independence, failures."""

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.dir = absltest.get_default_test_tmpdir()
        x = jax.ShapeDtypeStruct((6,), jnp.float32)
        cls.fft = os.path.join(cls.dir, "fft.stablehlo.mlir")
        with open(cls.fft, "w", encoding="utf-8") as f:
            f.write(jax.jit(_fft).lower(x).as_text())
        cls.fft_loc = os.path.join(cls.dir, "fft_loc.stablehlo.mlir")
        with open(cls.fft_loc, "w", encoding="utf-8") as f:
            f.write(jax.jit(_fft).lower(x).as_text(debug_info=True))
        ex = examples.EXAMPLES["mlp"]
        cls.mlp = os.path.join(cls.dir, "mlp.stablehlo.mlir")
        lowered = jax.jit(ex.fn).lower(*ex.args)
        with open(cls.mlp, "w", encoding="utf-8") as f:
            f.write(lowered.as_text())
        # The same module with source locations (absolute paths of this file) attached.
        cls.mlp_loc = os.path.join(cls.dir, "elsewhere", "mlp_loc.stablehlo.mlir")
        os.makedirs(os.path.dirname(cls.mlp_loc), exist_ok=True)
        with open(cls.mlp_loc, "w", encoding="utf-8") as f:
            f.write(lowered.as_text(debug_info=True))

    def _compile(self, src: str, out: str, *flags: str) -> tool.subprocess.CompletedProcess:
        return tool.run(
            "compile_main",
            [f"--input={src}", f"--output={out}", "--label=//t:x", *flags],
        )

    @parameterized.parameters("llvm-cpu", "vmvx")
    def test_output_is_deterministic_and_path_independent(self, backend: str) -> None:
        outs = []
        copy = os.path.join(self.dir, "copy", "renamed.mlir")
        os.makedirs(os.path.dirname(copy), exist_ok=True)
        shutil.copy(self.mlp, copy)
        for i, src in enumerate((self.mlp, self.mlp, copy, self.mlp_loc)):
            out = os.path.join(self.dir, f"det_{backend}_{i}.vmfb")
            result = self._compile(src, out, f"--backend={backend}")
            self.assertEqual(result.returncode, 0, result.stderr)
            with open(out, "rb") as f:
                outs.append(f.read())
        self.assertEqual(outs[0], outs[1], "two compiles differ")
        self.assertEqual(outs[0], outs[2], "the input's path leaks into the output")
        self.assertEqual(outs[0], outs[3], "source locations leak into the output")
        self.assertNotIn(self.dir.encode(), outs[0])
        leftovers = [f for f in os.listdir(self.dir) if f.startswith(f"det_{backend}") and not f.endswith(".vmfb")]
        self.assertEqual(leftovers, [], "scratch files left beside the output")

    def test_unsupported_op_fails_with_iree_message_label_and_no_output(self) -> None:
        out = os.path.join(self.dir, "fft.vmfb")
        with open(out, "wb") as f:
            f.write(b"stale output of an earlier build")
        result = self._compile(self.fft, out, "--label=//examples:fft_iree")
        self.assertEqual(result.returncode, 1)
        self.assertIn(
            "IREE cannot compile //examples:fft_iree (IREE backend llvm-cpu)",
            result.stderr,
        )
        self.assertIn("failed to legalize operation 'stablehlo.fft'", result.stderr)
        self.assertIn(f"{self.fft}:", result.stderr)  # location in the user's file, not <stdin>
        self.assertFalse(os.path.exists(out))
        self.assertEqual([f for f in os.listdir(self.dir) if f.startswith("fft.vmfb")], [])

    def test_failure_of_text_with_locations_names_the_python_line(self) -> None:
        out = os.path.join(self.dir, "fft_loc.vmfb")
        result = self._compile(self.fft_loc, out, "--label=//examples:fft_iree")
        self.assertEqual(result.returncode, 1)
        self.assertIn("IREE cannot compile //examples:fft_iree", result.stderr)
        # _fft's `jnp.fft.fft(x)` line in this file, as the lowering recorded it.
        self.assertRegex(
            result.stderr, r"compile_test\.py:\d+:\d+: error: failed to legalize operation 'stablehlo.fft'"
        )
        self.assertNotIn("<stdin>", result.stderr)
        self.assertFalse(os.path.exists(out))

    def test_bad_extra_flag_fails_with_label(self) -> None:
        out = os.path.join(self.dir, "bad_flag.vmfb")
        result = self._compile(self.mlp, out, "--iree_flag=--no-such-iree-flag")
        self.assertEqual(result.returncode, 1)
        self.assertIn("//t:x", result.stderr)
        self.assertIn("no-such-iree-flag", result.stderr)
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    absltest.main()
