"""LLVM 23 IR syntax is rewritten so that clang-19 compiles it for every target."""

# ruff: noqa: E501 -- the IR below is copied verbatim, long lines included.

import pathlib
import subprocess

from absl.testing import absltest, parameterized

from tools.xla_cc import ll_compat, targets

# Constructs copied from jaxlib 0.10.2's optimized kernel IR (LLVM 23.0.0git).
_LLVM23 = """\
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-unknown-linux-gnu"

define noalias noundef ptr @jit_f_fusion(ptr nofree readonly captures(none) %0) local_unnamed_addr #0 {
  %args = getelementptr inbounds nuw i8, ptr %0, i64 24
  %a = load ptr, ptr %args, align 8
  %x = load <4 x float>, ptr %a, align 64
  %y = fmul <4 x float> %x, splat (float -8.78e+01)
  %z = fadd <4 x float> %y, splat (float f0x3FB8AA3B)
  %c = icmp samesign ult i64 1, 2
  store <4 x float> %z, ptr %a, align 64
  ret ptr null
}

attributes #0 = { nofree norecurse nosync nounwind memory(readwrite, target_mem: none) uwtable "target-cpu"="haswell" "prefer-vector-width"="256" }
"""


class LlCompatTest(parameterized.TestCase):
    def test_literals(self):
        text = ll_compat.downgrade(_LLVM23, 19)
        self.assertIn("splat (float 0xC055F33340000000)", text)  # -87.8f, exactly
        self.assertIn("splat (float 0x3FF7154760000000)", text)  # f0x3FB8AA3B = log2(e)
        self.assertNotIn("target_mem", text)
        self.assertNotIn("captures(", text)
        self.assertNotIn("samesign", text)

    def test_rename_kernels_hides_them(self):
        text = ll_compat.rename_kernels(_LLVM23, {"jit_f_fusion": "lib_xla_k0"})
        self.assertIn("define hidden noalias noundef ptr @lib_xla_k0(", text)
        self.assertNotIn("jit_f_fusion", text)

    @parameterized.parameters(*targets.names())
    def test_clang19_compiles_for(self, target_name):
        target = targets.lookup(target_name)
        work = pathlib.Path(self.create_tempdir().full_path)
        text = ll_compat.retarget(ll_compat.downgrade(_LLVM23, 19))
        (work / "k.ll").write_text(text)
        cmd = [
            "clang-19",
            f"--target={target.triple}",
            *target.cflags,
            "-O2",
            "-c",
            "-x",
            "ir",
        ]
        done = subprocess.run(
            [*cmd, "k.ll", "-o", "k.o"],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        self.assertEqual(done.returncode, 0, done.stderr)

    def test_raw_llvm23_is_rejected_by_clang19(self):
        work = pathlib.Path(self.create_tempdir().full_path)
        (work / "k.ll").write_text(_LLVM23)
        done = subprocess.run(
            ["clang-19", "-c", "-x", "ir", "k.ll", "-o", "k.o"],
            cwd=work,
            capture_output=True,
            check=False,
        )
        self.assertNotEqual(done.returncode, 0)


if __name__ == "__main__":
    absltest.main()
