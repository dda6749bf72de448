"""Kernels XLA splits into workgroups (compiled for 2 CPUs) run every workgroup.

Also on 32-bit targets where the workgroup id is read through the emulated 64-bit call frame.
"""

import os
import pathlib

from absl.testing import absltest, parameterized

from tests.xla_cc import e2e

_CASE = "elementwise_64k"
_FLAG = "--compile_cpus=2"


class WorkgroupsTest(parameterized.TestCase):
    def setUp(self):
        super().setUp()
        if len(os.sched_getaffinity(0)) < 2:
            self.skipTest("needs 2 CPUs to make XLA split kernels")
        self.work = pathlib.Path(self.create_tempdir().full_path)

    def _check(self, result: e2e.Result) -> None:
        driver = (result.work / f"{_CASE}.c").read_text()
        self.assertRegex(driver, r"xla_cc_launch\(\w+, args, 2, 2, 1, 1\)")
        self.assertTrue(result.passed, result.output)

    @parameterized.parameters("host", "ir")
    def test_host(self, kernels):
        self._check(e2e.run_host(_CASE, self.work, kernels, _FLAG))

    def test_cortex_m4f(self):
        self._check(e2e.run_cortex_m4f(_CASE, self.work, _FLAG))

    def test_wasm32(self):
        self._check(e2e.run_wasm32(_CASE, self.work, _FLAG))


if __name__ == "__main__":
    absltest.main()
