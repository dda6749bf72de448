"""Outputs are byte-identical across runs; only the entry points are global.

So two libraries of the same JAX function link into one C or C++ program.
"""

import pathlib
import subprocess

from absl.testing import absltest, parameterized

from tests.xla_cc import testlib

_TWO_LIBRARIES = """\
#include <stdio.h>
#include "q1.h"
#include "q2.h"
static float a[16] __attribute__((aligned(64))), b[16], c[16], r[4][16];
int main(void) {
  for (int i = 0; i < 16; ++i) { a[i] = 1; b[i] = 5 + i; c[i] = 1; }
  if (q1(a, b, c, r[0], r[1]) || q2(a, b, c, r[2], r[3])) return 2;
  for (int i = 0; i < 16; ++i)
    if (r[0][i] != r[2][i] || r[1][i] != r[3][i] || !(r[0][i] > r[1][i])) return 1;
  puts("PASS");
  return 0;
}
"""


def _global_defined(obj: pathlib.Path) -> set[str]:
    out = subprocess.run(
        ["nm", "-g", "--defined-only", str(obj)],
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.split()[-1] for line in out.stdout.splitlines() if line.strip()}


class SymbolsTest(parameterized.TestCase):
    @parameterized.parameters("host", "ir")
    def test_two_libraries_link_and_only_entry_points_are_global(self, kernels):
        work = pathlib.Path(self.create_tempdir().full_path)
        exported = testlib.export_case("quadratic", work)
        for prefix in ("q1", "q2"):
            testlib.run_tool(exported, prefix, work, f"--kernels={kernels}")
            self.assertEqual(
                _global_defined(work / f"{prefix}.o"),
                {prefix, f"{prefix}_with_temp", f"{prefix}_status_string"},
            )
        (work / "main.c").write_text(_TWO_LIBRARIES)
        # XLA's objects need -no-pie; the IR build is also linked into a C++ program.
        link = ["cc", "-no-pie"] if kernels == "host" else ["c++", "-x", "c++"]
        cmd = [
            *link,
            "-I.",
            "main.c",
            "-x",
            "none",
            "q1.o",
            "q2.o",
            "-lm",
            "-o",
            "main",
        ]
        subprocess.run(cmd, cwd=work, check=True)
        done = subprocess.run(["./main"], cwd=work, capture_output=True, text=True, check=False)
        self.assertEqual(done.returncode, 0, done.stdout)

    @parameterized.parameters(("x86_64", "host"), ("x86_64", "ir"), ("cortex-m4f", "ir"), ("wasm32", "ir"))
    def test_byte_identical_across_runs(self, target, kernels):
        outputs = []
        for run in ("a", "b"):
            work = pathlib.Path(self.create_tempdir(run).full_path)
            exported = testlib.export_case("mlp", work)
            testlib.run_tool(exported, "mlp", work, f"--target={target}", f"--kernels={kernels}")
            outputs.append([(work / f"mlp{ext}").read_bytes() for ext in (".h", ".c", ".o")])
        self.assertEqual(outputs[0], outputs[1])


if __name__ == "__main__":
    absltest.main()
