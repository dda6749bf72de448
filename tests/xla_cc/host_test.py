"""Every example as an x86-64 library (XLA's objects and recompiled IR) against JAX."""

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


class HostTest(parameterized.TestCase):
    @parameterized.product(case=CASES, kernels=("host", "ir"))
    def test_matches_jax(self, case, kernels):
        with tempfile.TemporaryDirectory() as tmp:
            result = e2e.run_host(case, pathlib.Path(tmp), kernels)
            self.assertTrue(result.passed, f"{case}/{kernels}: {result.output}")


if __name__ == "__main__":
    absltest.main()
