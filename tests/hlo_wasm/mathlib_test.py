"""Tests for tools/hlo_wasm/mathlib: accuracy, special cases, SIMD agreement, registry.

Every supported (op, dtype, simd) function is wrapped in a small module, run in wasmtime on
seeded random inputs across the domain and on an edge-case table, and compared with a
correctly rounded long double reference (stated ULP bound) and with XLA:CPU's own result under
`jax.jit` (stated looser bound; inputs and outputs that XLA flushes to zero are left out,
because XLA:CPU runs with denormals-are-zero while WebAssembly is IEEE).

Run: PYTHONPATH=. python tests/hlo_wasm/mathlib_test.py   (prints the measured table)
"""

from __future__ import annotations

import sys
import zlib

import numpy as np
import wasmtime
from absl.testing import absltest, parameterized

from tests.hlo_wasm import mathlib_cases as cases
from tests.hlo_wasm import mathlib_harness as harness
from tools.hlo_wasm import mathlib

_DTYPES = {"f32": np.dtype(np.float32), "f64": np.dtype(np.float64)}
_MEASURED: dict[tuple[str, str], tuple[float, float]] = {}


def _case(op: str) -> cases.OpCase:
    return next(c for c in cases.CASES if c.op == op)


def _xla(case: cases.OpCase, *args: np.ndarray) -> np.ndarray:
    import jax

    jax.config.update("jax_enable_x64", True)
    fn = jax.jit(getattr(jax.lax, case.jax))
    return np.asarray(fn(*args))


def _normal(v: np.ndarray) -> np.ndarray:
    tiny = np.finfo(v.dtype).tiny
    return ~((v != 0) & (np.abs(v) < tiny))


def _params() -> list[tuple[str, str, str]]:
    return [
        (f"{op}_{dtype}", op, dtype)
        for op, dtype, simd in mathlib.SUPPORTED
        if not simd
    ]


class AccuracyTest(parameterized.TestCase):
    """Scalar functions against the reference and XLA; SIMD against scalar, lane by lane."""

    @parameterized.named_parameters(*_params())
    def test_random_inputs_within_bound(self, op: str, dtype: str) -> None:
        case = _case(op)
        dt = _DTYPES[dtype]
        args = cases.random_inputs(case, dt, seed=zlib.crc32(f"{op}{dtype}".encode()))
        got = harness.run(mathlib.lookup(op, dtype), *args)
        want = cases.reference(case, dt, *args)
        ulps = harness.ulp_distance(got, want)
        worst = int(np.argmax(ulps))
        xla = _xla(case, *args)
        keep = _normal(xla) & _normal(want) & np.all([_normal(a) for a in args], axis=0)
        xla_ulps = harness.ulp_distance(got[keep], xla[keep])
        _MEASURED[(op, dtype)] = (float(ulps.max()), float(xla_ulps.max()))
        self.assertLessEqual(
            ulps.max(),
            case.ulp[dtype],
            f"{op} {dtype} at {[a[worst] for a in args]}: got {got[worst]!r}, want {want[worst]!r}",
        )
        self.assertLessEqual(
            xla_ulps.max(), case.xla_ulp[dtype], f"{op} {dtype} vs XLA"
        )

    @parameterized.named_parameters(*_params())
    def test_special_inputs(self, op: str, dtype: str) -> None:
        case = _case(op)
        dt = _DTYPES[dtype]
        args = cases.special_inputs(case, dt)
        got = harness.run(mathlib.lookup(op, dtype), *args)
        want = cases.reference(case, dt, *args)
        special = (
            ~np.isfinite(want)
            | (want == 0)
            | np.any([~np.isfinite(a) | (a == 0) for a in args], axis=0)
        )
        for i in np.flatnonzero(special):
            self.assertTrue(
                harness.same(got[i], want[i]),
                f"{op} {dtype}{tuple(a[i] for a in args)} = {got[i]!r}, want {want[i]!r}",
            )
        ulps = harness.ulp_distance(got, want)
        self.assertLessEqual(ulps[~special].max(initial=0), case.ulp[dtype])

    @parameterized.named_parameters(
        *[(f"{op}", op) for op, d, s in mathlib.SUPPORTED if s]
    )
    def test_simd_matches_scalar(self, op: str) -> None:
        case = _case(op)
        dt = _DTYPES["f32"]
        args = cases.random_inputs(case, dt, seed=7, n=1024)
        args = [
            np.concatenate([a, s])
            for a, s in zip(args, cases.special_inputs(case, dt), strict=True)
        ]
        scalar = harness.run(mathlib.lookup(op, "f32", simd=False), *args)
        simd = harness.run(mathlib.lookup(op, "f32", simd=True), *args)
        self.assertTrue(
            np.all(harness.same(scalar, simd)), f"{op}: SIMD lanes differ from scalar"
        )


class RegistryTest(parameterized.TestCase):
    """The interface the compiler relies on."""

    def test_every_supported_function_validates(self) -> None:
        for op, dtype, simd in mathlib.SUPPORTED:
            fn = mathlib.lookup(op, dtype, simd)
            funcs = "\n".join(f.wat for f in mathlib.closure([fn]))
            wasmtime.wat2wasm(f"(module {funcs})")
            want = "v128" if simd else dtype
            self.assertEqual(fn.result, want)
            self.assertTrue(all(p == want for p in fn.params))
            self.assertTrue(fn.wat.startswith(f"(func ${fn.name} "))

    def test_names(self) -> None:
        self.assertEqual(mathlib.lookup("exponential", "f32").name, "f32_exp")
        self.assertEqual(mathlib.lookup("exponential", "f64").name, "f64_exp")
        self.assertEqual(
            mathlib.lookup("exponential", "f32", simd=True).name, "f32x4_exp"
        )

    def test_unsupported_names_the_op(self) -> None:
        with self.assertRaisesRegex(mathlib.UnsupportedMath, "sqrt"):
            mathlib.lookup("sqrt", "f32")
        with self.assertRaisesRegex(mathlib.UnsupportedMath, "f16"):
            mathlib.lookup("exponential", "f16")
        with self.assertRaisesRegex(mathlib.UnsupportedMath, "SIMD"):
            mathlib.lookup("exponential", "f64", simd=True)

    def test_closure_is_deterministic_and_complete(self) -> None:
        fns = [mathlib.lookup(op, d, s) for op, d, s in mathlib.SUPPORTED]
        first = mathlib.closure(fns)
        second = mathlib.closure(list(reversed(fns)))
        self.assertEqual([f.name for f in first], [f.name for f in second])
        names = {f.name for f in first}
        for fn in first:
            self.assertTrue(set(fn.deps) <= names, fn.name)

    def test_generation_is_deterministic(self) -> None:
        for op, dtype, simd in mathlib.SUPPORTED:
            fn = mathlib.lookup(op, dtype, simd)
            for dep in mathlib.closure([fn]):
                self.assertEqual(mathlib._build.__wrapped__(dep.name), dep, dep.name)

    @parameterized.parameters(
        "exponential",
        "exponential-minus-one",
        "log",
        "log-plus-one",
        "logistic",
        "tanh",
    )
    def test_fast_simd_functions_are_straight_line_vector_code(self, op: str) -> None:
        # Issue 7: softmax/MLP need exp and tanh as SIMD polynomials, not per-lane calls.
        fn = mathlib.lookup(op, "f32", simd=True)
        self.assertEqual(fn.deps, ())
        for word in ("(call ", "(if ", "(br", "extract_lane", "replace_lane", "(loop"):
            self.assertNotIn(word, fn.wat, f"{fn.name} contains {word}")

    def test_every_op_has_a_case(self) -> None:
        self.assertEqual(
            {op for op, _, _ in mathlib.SUPPORTED}, {c.op for c in cases.CASES}
        )


def tearDownModule() -> None:
    """Prints the measured accuracy table (max ULP vs correctly rounded, vs XLA)."""
    if _MEASURED:
        print(
            "\nop                     dtype  max_ulp_vs_ref  max_ulp_vs_xla",
            file=sys.stderr,
        )
        for (op, dtype), (ref, xla) in sorted(_MEASURED.items()):
            print(f"{op:22s} {dtype:5s}  {ref:14g}  {xla:14g}", file=sys.stderr)


if __name__ == "__main__":
    absltest.main()
