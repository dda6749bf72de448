"""The C emitted for dot and copy thunks against NumPy, including transposed layouts."""

import ctypes
import pathlib
import subprocess

import numpy as np
from absl.testing import absltest, parameterized

from tools.xla_cc import program, thunks_c


def _shape(dims, minor_to_major=None):
    m2m = tuple(reversed(range(len(dims)))) if minor_to_major is None else minor_to_major
    return program.Shape("f32", tuple(dims), tuple(m2m))


def _physical(array: np.ndarray, shape: program.Shape) -> np.ndarray:
    """The bytes XLA keeps for `array` under the shape's layout (major-to-minor order)."""
    return np.ascontiguousarray(np.transpose(array, tuple(reversed(shape.minor_to_major))))


class ThunksCTest(parameterized.TestCase):
    def _run(self, thunk, arrays: list[np.ndarray]) -> None:
        work = pathlib.Path(self.create_tempdir().full_path)
        body = "\n".join(thunks_c.Emitter({}, "1", "launch").sequence((thunk,), "  "))
        source = f"#include <stdint.h>\nint run(uint8_t** buf) {{\n{body}\n  return 0;\n}}\n"
        (work / "t.c").write_text(source)
        cmd = ["cc", "-O1", "-shared", "-fPIC", "t.c", "-o", "t.so"]
        subprocess.run(cmd, cwd=work, check=True)
        lib = ctypes.CDLL(str(work / "t.so"))
        pointers = (ctypes.c_void_p * len(arrays))(*[a.ctypes.data for a in arrays])
        self.assertEqual(lib.run(pointers), 0)

    @parameterized.named_parameters(
        ("canonical", (4, 8), (8, 3), (), (), (1,), (0,), None, None),
        ("lhs_transposed", (8, 4), (8, 3), (), (), (0,), (0,), None, None),
        ("rhs_transposed", (4, 8), (3, 8), (), (), (1,), (1,), None, None),
        ("batched", (2, 4, 8), (2, 8, 3), (0,), (0,), (2,), (1,), None, None),
        ("column_major_lhs", (4, 8), (8, 3), (), (), (1,), (0,), (0, 1), None),
        ("matvec", (4, 8), (8,), (), (), (1,), (0,), None, None),
    )
    def test_dot(self, lhs_dims, rhs_dims, lb, rb, lc, rc, lhs_m2m, rhs_m2m):
        rng = np.random.default_rng(1)
        lhs = rng.normal(size=lhs_dims).astype(np.float32)
        rhs = rng.normal(size=rhs_dims).astype(np.float32)
        want = np.einsum(*_einsum(lhs.ndim, rhs.ndim, lb, rb, lc, rc), lhs, rhs)
        ls, rs = _shape(lhs_dims, lhs_m2m), _shape(rhs_dims, rhs_m2m)
        out = np.zeros(want.shape, np.float32)
        thunk = program.DotThunk(
            "dot",
            program.Slice(0, 0, lhs.nbytes),
            ls,
            program.Slice(1, 0, rhs.nbytes),
            rs,
            program.Slice(2, 0, out.nbytes),
            _shape(want.shape),
            lb,
            rb,
            lc,
            rc,
        )
        self._run(thunk, [_physical(lhs, ls), _physical(rhs, rs), out])
        np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)

    def test_copy_changes_layout(self):
        x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
        src, dst = _shape(x.shape), _shape(x.shape, (1, 2, 0))
        out = np.zeros(24, np.float32)
        thunk = program.CopyThunk("copy", program.Slice(0, 0, 96), src, program.Slice(1, 0, 96), dst)
        self._run(thunk, [x, out])
        np.testing.assert_array_equal(out, _physical(x, dst).ravel())


def _einsum(ln, rn, lb, rb, lc, rc):
    letters = iter("abcdefghijklmnop")
    lhs, rhs = [""] * ln, [""] * rn
    for a, b in zip(lb + lc, rb + rc, strict=False):
        lhs[a] = rhs[b] = next(letters)
    free_l = [d for d in range(ln) if not lhs[d]]
    free_r = [d for d in range(rn) if not rhs[d]]
    for d in free_l:
        lhs[d] = next(letters)
    for d in free_r:
        rhs[d] = next(letters)
    out = [lhs[d] for d in lb] + [lhs[d] for d in free_l] + [rhs[d] for d in free_r]
    return (f"{''.join(lhs)},{''.join(rhs)}->{''.join(out)}",)


if __name__ == "__main__":
    absltest.main()
