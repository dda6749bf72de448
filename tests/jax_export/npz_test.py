"""Tests of the reproducible .npz writer (tools/jax_export/npz.py)."""

import io
import time
from unittest import mock

import numpy as np
from absl.testing import absltest

from tools.jax_export import npz


class NpzTest(absltest.TestCase):
    def test_round_trip_through_numpy(self):
        arrays = [("input_0", np.arange(6, dtype=np.float32).reshape(2, 3)), ("output_0", np.array(True))]
        loaded = np.load(io.BytesIO(npz.dumps(arrays)))
        self.assertEqual(list(loaded.keys()), ["input_0", "output_0"])
        np.testing.assert_array_equal(loaded["input_0"], arrays[0][1])
        self.assertEqual(loaded["input_0"].dtype, np.float32)
        self.assertEqual(loaded["output_0"].dtype, np.bool_)

    def test_scalars_keep_their_shape(self):
        arrays = [("s", np.array(3, dtype=np.int32)), ("f", np.float32(1.5)), ("t", np.zeros((2, 0, 3)))]
        loaded = np.load(io.BytesIO(npz.dumps(arrays)))
        self.assertEqual([loaded[n].shape for n in ("s", "f", "t")], [(), (), (2, 0, 3)])

    def test_bytes_do_not_depend_on_the_clock(self):
        arrays = [("x", np.linspace(0, 1, 7))]
        first = npz.dumps(arrays)
        with (
            mock.patch.object(time, "time", return_value=2e9),
            mock.patch.object(time, "localtime", return_value=time.gmtime(2e9)),
        ):
            second = npz.dumps(arrays)
        self.assertEqual(first, second)


if __name__ == "__main__":
    absltest.main()
