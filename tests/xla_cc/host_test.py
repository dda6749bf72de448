"""Every example as an x86-64 library (XLA's objects and recompiled IR) against JAX.

`XLA_CC_CASES` / `XLA_CC_KERNELS` (comma-separated) narrow the cases, e.g. for the Bazel suite,
where //examples/cc already checks the examples' IR libraries on every target.
"""

import pathlib
import tempfile

from absl.testing import absltest, parameterized

from tests.xla_cc import e2e


class HostTest(parameterized.TestCase):
    @parameterized.product(
        case=e2e.selected("XLA_CC_CASES", e2e.CASES),
        kernels=e2e.selected("XLA_CC_KERNELS", ("host", "ir")),
    )
    def test_matches_jax(self, case, kernels):
        with tempfile.TemporaryDirectory() as tmp:
            result = e2e.run_host(case, pathlib.Path(tmp), kernels)
            self.assertTrue(result.passed, f"{case}/{kernels}: {result.output}")


if __name__ == "__main__":
    absltest.main()
