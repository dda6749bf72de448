"""Every example as an x86-64 library (XLA's objects and recompiled IR) against JAX.

`XLA_CC_CASES` / `XLA_CC_KERNELS` (comma-separated) narrow the cases, e.g. for the Bazel suite,
where //examples/cc already checks the examples' IR libraries on every target.
"""

import os
import pathlib
import tempfile

from absl.testing import absltest, parameterized

from tests.xla_cc import e2e

CASES = (
    "quadratic",
    "quadratic_grad",
    "mlp",
    "mlp_loss_grad",
    "control_flow",
    "scan_rnn",
    "mlp_const",
)


def selected(variable: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """The comma-separated values of an environment variable, or `default`."""
    value = os.environ.get(variable, "")
    return tuple(v for v in value.split(",") if v) or default


class HostTest(parameterized.TestCase):
    @parameterized.product(
        case=selected("XLA_CC_CASES", CASES),
        kernels=selected("XLA_CC_KERNELS", ("host", "ir")),
    )
    def test_matches_jax(self, case, kernels):
        with tempfile.TemporaryDirectory() as tmp:
            result = e2e.run_host(case, pathlib.Path(tmp), kernels)
            self.assertTrue(result.passed, f"{case}/{kernels}: {result.output}")


if __name__ == "__main__":
    absltest.main()
