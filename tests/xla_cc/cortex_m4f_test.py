"""Every example as Cortex-M4F (hard float) firmware under qemu-system-arm mps2-an386."""

import pathlib
import tempfile

from absl.testing import absltest, parameterized

from tests.xla_cc import e2e


class CortexM4FTest(parameterized.TestCase):
    @parameterized.product(case=e2e.selected("XLA_CC_CASES", e2e.CASES))
    def test_matches_jax(self, case):
        with tempfile.TemporaryDirectory() as tmp:
            result = e2e.run_cortex_m4f(case, pathlib.Path(tmp))
            self.assertTrue(result.passed, f"{case}: status {result.status}: {result.output}")


if __name__ == "__main__":
    absltest.main()
