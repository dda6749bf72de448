"""Differential tests of the f32x4 GEMM (`ops/gemm.py`) behind f32 dots, standard and relaxed.

Each case builds a `lax.dot_general` with the operand layouts it names, compiles it (with and
without relaxed SIMD), runs it in wasmtime and compares with a float64 NumPy product and with
JAX. It also asserts which lowering the dot took (the `;; f32x4 gemm` comment: matvec or
tiles, packed or not), so a case meant for one path cannot silently take another.
"""

import json
import re
from unittest import mock

import jax
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness
from tools.hlo_wasm import compile as compiler
from tools.hlo_wasm import runner
from tools.hlo_wasm.ops import gemm


def _dot(lc, rc, lb=(), rb=()):
    """A `dot_general` closure with the given contracting and batch dims."""

    def fn(x, y):
        return lax.dot_general(x, y, ((lc, rc), (lb, rb)))

    return fn


def _shape(sizes: dict, order: str) -> tuple:
    """`order` names each dim by a letter of `sizes` (e.g. "mk" -> (M, K))."""
    return tuple(sizes[ch] for ch in order)


def _spec(lhs: str, rhs: str, sizes: dict):
    """Operand shapes and a dot_general closure for layouts like ("bmk", "bkn").

    Letters: b (batch), m (lhs free), k (contracting), n (rhs free); `c` is a second
    contracting dim right after `k` (they merge), `a` a second batch dim.
    """
    lc = tuple(i for i, ch in enumerate(lhs) if ch in "kc")
    rc = tuple(rhs.index(lhs[i]) for i in lc)
    lb = tuple(i for i, ch in enumerate(lhs) if ch in "ba")
    rb = tuple(rhs.index(lhs[i]) for i in lb)
    return _shape(sizes, lhs), _shape(sizes, rhs), _dot(lc, rc, lb, rb)


def _dot_and_shapes(art):
    """The (only) dot of a compiled module and its operand shapes."""
    comp = art.module.entry_computation
    by_name = comp.by_name()
    dot = next(i for i in comp.instructions if i.opcode == "dot")
    return dot, [by_name[o].shape for o in dot.operands]


def _compile(fn, x, y, relaxed: bool):
    art = compiler.compile_hlo(harness.hlo_of(fn, x, y), "f", relaxed_simd=relaxed)
    out = runner.Runner(art.wasm, art.manifest)(x, y)[0]
    return out, art


def _lowering(wat: str) -> str:
    """The first dot's lowering in `wat`: generic, matvec, tiles or tiles+pack."""
    m = re.search(r";;\s+(matvec|\d+x\d+ tiles), kc=\d+, pack=(\w+)", wat)
    if not m:
        return "generic"
    if m.group(1) == "matvec":
        return "matvec"
    return "tiles+pack" if m.group(2) == "True" else "tiles"


class DotKernelTest(parameterized.TestCase):
    def setUp(self):
        self.rng = np.random.default_rng(11)

    def _check(self, lhs, rhs, sizes, lowering, relaxed=(False, True)):
        xs, ys, fn = _spec(lhs, rhs, sizes)
        x = self.rng.standard_normal(xs).astype(np.float32)
        y = self.rng.standard_normal(ys).astype(np.float32)
        want64 = np.asarray(jax.jit(fn)(x.astype(np.float64), y.astype(np.float64)))
        want32 = np.asarray(jax.jit(fn)(x, y))
        k = int(np.prod([sizes[ch] for ch in lhs if ch in "kc"]))
        # Reassociated f32 sums: error grows with the contraction length.
        tol = (2e-5, 2e-6 * k + 1e-6)
        for mode in relaxed:
            got, art = _compile(fn, x, y, mode)
            what = f"{lhs},{rhs} {sizes} relaxed={mode}"
            self.assertEqual(_lowering(art.wat), lowering, what)
            harness.assert_close(got, want64.astype(np.float32), tol, f"{what} vs float64")
            harness.assert_close(got, want32, tol, f"{what} vs JAX")

    @parameterized.parameters(
        # Both contracting-dim positions per operand, ragged M, N, K.
        ("mk", "kn", "tiles"),
        ("km", "kn", "tiles"),
        ("mk", "nk", "tiles+pack"),
        ("km", "nk", "tiles+pack"),
    )
    def test_layouts(self, lhs, rhs, lowering):
        for m, k, n in [(37, 19, 45), (4, 16, 16), (64, 33, 29), (13, 1, 30), (3, 7, 5), (8, 9, 12), (5, 6, 3)]:
            # With k == 1 every layout is contiguous along n, and fewer than 4 columns take
            # scalar columns: nothing to pack.
            want = lowering if k > 1 and n >= 4 else "tiles"
            self._check(lhs, rhs, {"m": m, "k": k, "n": n}, want)

    @parameterized.parameters(
        ("mk", "kn", "tiles"),  # row vector x matrix: one-row tiles
        ("km", "kn", "tiles"),
        ("mk", "nk", "matvec"),  # x @ W.T, read as dot products with W's rows
        ("km", "nk", "matvec"),  # a [K, 1] lhs is contiguous along k too
    )
    def test_single_row(self, lhs, rhs, lowering):
        self._check(lhs, rhs, {"m": 1, "k": 37, "n": 29}, lowering)

    @parameterized.parameters(
        ("mk", "kn", "matvec"),  # a [K, 1] rhs is contiguous along k
        ("km", "kn", "tiles"),  # A stored transposed times a vector: swapped to one-row tiles
        ("mk", "nk", "matvec"),
        ("km", "nk", "tiles"),
    )
    def test_single_column(self, lhs, rhs, lowering):
        self._check(lhs, rhs, {"m": 29, "k": 37, "n": 1}, lowering)

    @parameterized.parameters(
        ("bmk", "bkn", "tiles"),
        ("mbk", "bnk", "tiles+pack"),
        ("bkm", "knb", "tiles+pack"),
        ("abmk", "abkn", "tiles"),
        ("bmk", "bnk", "tiles+pack"),
    )
    def test_batch(self, lhs, rhs, lowering):
        self._check(lhs, rhs, {"a": 2, "b": 3, "m": 9, "k": 10, "n": 18}, lowering)

    def test_batched_matvec(self):
        self._check("bmk", "bk", {"b": 3, "m": 10, "k": 21}, "matvec")

    def test_merged_contracting_dims(self):
        self._check("mkc", "kcn", {"m": 10, "k": 3, "c": 5, "n": 20}, "tiles")

    def test_long_rows_are_packed(self):
        # B rows of 1100 floats (4400 bytes): packed into contiguous panels.
        self._check("mk", "kn", {"m": 9, "k": 20, "n": 1102}, "tiles+pack", relaxed=(False,))

    def test_scalar_columns_when_a_partial_vector_could_leave_memory(self):
        # Remaining columns normally take one vector with masked lanes (it reads past B's row);
        # near the end of linear memory they take scalar f32 columns instead.
        sizes = {"m": 7, "k": 9, "n": 22}
        self._check("mk", "kn", sizes, "tiles", relaxed=(False,))
        xs, ys, fn = _spec("mk", "kn", sizes)
        x, y = np.ones(xs, np.float32), np.ones(ys, np.float32)
        self.assertIn("(v128.and", _compile(fn, x, y, False)[1].wat)
        with mock.patch.object(gemm, "_may_read_past", lambda end, planned: False):
            self.assertNotIn("(v128.and", _compile(fn, x, y, False)[1].wat)
            self._check("mk", "kn", sizes, "tiles")

    def test_long_contraction_is_blocked(self):
        # K = 600 > 2 * KC: blocks of 256 accumulate into C, the last one ragged.
        for rhs in ("kn", "nk"):
            self._check("mk", rhs, {"m": 7, "k": 600, "n": 21}, "tiles" if rhs == "kn" else "tiles+pack")

    def test_relaxed_tiles_when_a_rows_are_4k_apart(self):
        # A's rows 4 KiB apart (k = 1024 floats) share an L1 set: the FMA tile has 2 rows, not 4.
        for k, want in ((1024, "2x16"), (1000, "4x16")):
            sizes = {"m": 6, "k": k, "n": 20}
            self._check("mk", "kn", sizes, "tiles", relaxed=(True,))
            xs, ys, fn = _spec("mk", "kn", sizes)
            wat = _compile(fn, np.ones(xs, np.float32), np.ones(ys, np.float32), True)[1].wat
            self.assertIn(f";;   {want} tiles", wat)

    def test_unmergeable_dims_take_the_generic_kernel(self):
        # lhs free dims m and n are split by k: no single strided m dim.
        xs, ys = (3, 4, 5), (4, 6)
        fn = _dot((1,), (0,))
        x = self.rng.standard_normal(xs).astype(np.float32)
        y = self.rng.standard_normal(ys).astype(np.float32)
        got, art = _compile(fn, x, y, False)
        self.assertEqual(_lowering(art.wat), "generic")
        harness.assert_close(got, np.asarray(jax.jit(fn)(x, y)), harness.LOOSE["f32"])

    def test_scratch_is_planned_apart_from_live_buffers(self):
        # x @ W.T packs W's panels into scratch: it must not overlap the operands or result.
        fn = _dot((1,), (1,))
        x = self.rng.standard_normal((12, 40)).astype(np.float32)
        w = self.rng.standard_normal((20, 40)).astype(np.float32)
        art = compiler.compile_hlo(harness.hlo_of(fn, x, w), "f")
        [(key, offset)] = art.plan.scratch.items()
        nbytes = gemm.scratch(*_dot_and_shapes(art))
        self.assertGreater(nbytes, 0)
        for leaf in art.plan.inputs + art.plan.outputs:
            apart = offset + nbytes <= leaf.offset or leaf.offset + leaf.shape.nbytes <= offset
            self.assertTrue(apart, f"scratch {key} at {offset}+{nbytes} overlaps {leaf}")
        self.assertLessEqual(offset + nbytes, art.plan.size)

    def test_packed_dot_inside_a_loop(self):
        # The scratch of a dot in a while body is planned in the body's scope.
        def fn(x, w):
            return lax.fori_loop(0, 3, lambda i, h: jax.numpy.tanh(h @ w.T), x)

        x = self.rng.standard_normal((6, 24)).astype(np.float32)
        w = (self.rng.standard_normal((24, 24)) / 5).astype(np.float32)
        art = compiler.compile_hlo(harness.hlo_of(fn, x, w), "f")
        self.assertEqual(_lowering(art.wat), "tiles+pack")
        self.assertTrue(any("/" in scope for scope, _ in art.plan.scratch))
        got = runner.Runner(art.wasm, art.manifest)(x, w)[0]
        harness.assert_close(got, np.asarray(jax.jit(fn)(x, w)), harness.LOOSE["f32"])

    def test_empty_contraction_gives_zeros(self):
        fn = _dot((1,), (0,))
        x = np.ones((3, 0), np.float32)
        y = np.ones((0, 5), np.float32)
        got, art = _compile(fn, x, y, False)
        self.assertEqual(_lowering(art.wat), "generic")
        np.testing.assert_array_equal(got, np.zeros((3, 5), np.float32))

    def test_relaxed_flag_reaches_manifest_and_wat(self):
        x = self.rng.standard_normal((8, 8)).astype(np.float32)
        fn = _dot((1,), (0,))
        default = compiler.compile_hlo(harness.hlo_of(fn, x, x), "f")
        relaxed = compiler.compile_hlo(harness.hlo_of(fn, x, x), "f", relaxed_simd=True)
        self.assertIs(json.loads(default.manifest)["relaxed_simd"], False)
        self.assertIs(json.loads(relaxed.manifest)["relaxed_simd"], True)
        self.assertNotIn("relaxed", default.wat)
        self.assertIn("f32x4.relaxed_madd", relaxed.wat)

    def test_deterministic(self):
        x = self.rng.standard_normal((20, 30)).astype(np.float32)
        fn = _dot((0,), (0,))
        texts = [compiler.compile_hlo(harness.hlo_of(fn, x, x), "f").wat for _ in range(2)]
        self.assertEqual(texts[0], texts[1])


if __name__ == "__main__":
    absltest.main()
