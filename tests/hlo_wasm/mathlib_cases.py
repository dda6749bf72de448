"""Per-op test data for mathlib: reference functions, input domains, special inputs, ULP bounds.

References are evaluated in NumPy's long double (x87 80-bit here, i.e. libm's `*l` functions,
which follow C99 for special values) and rounded once to the tested dtype, so they are
correctly rounded except in rare double-rounding cases. erf has no long double version in
NumPy; `math.erf` (double, < 1 ulp) is used.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np

LD = np.longdouble


def _logistic(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return LD(1) / (LD(1) + np.exp(-x))


def _erf(x: np.ndarray) -> np.ndarray:
    return np.array([math.erf(float(v)) for v in x], dtype=LD)


@dataclasses.dataclass(frozen=True)
class OpCase:
    """How to test one HLO op.

    Attributes:
        op: HLO opcode name.
        ref: long double reference taking `arity` arrays.
        ranges: (lo, hi) intervals sampled uniformly (for arity 2: pairs of intervals).
        specials: extra inputs (tuples for arity 2), checked exactly where the result is
            special (NaN, inf, zero) and within the ULP bound otherwise.
        ulp: stated bound vs the correctly rounded reference, per dtype.
        xla_ulp: stated bound vs XLA:CPU's own result, per dtype (normal inputs/outputs only).
        jax: name of the jax.lax function computing the op.
    """

    op: str
    ref: Callable[..., np.ndarray]
    ranges: tuple
    specials: tuple
    ulp: dict[str, float]
    xla_ulp: dict[str, float]
    jax: str
    arity: int = 1
    max_abs: dict[str, float] = dataclasses.field(default_factory=dict)


_INF = math.inf
_NAN = math.nan
COMMON = (
    _NAN,
    _INF,
    -_INF,
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    1e-45,
    -1e-45,
    1e-310,
    -1e-310,
)
COMMON += (
    1.1754943508222875e-38,
    3.4028234663852886e38,
    -3.4028234663852886e38,
    1e300,
    -1e300,
)

_EDGE2 = (_NAN, _INF, -_INF, 0.0, -0.0, 1.0, -1.0, 1e-45, -3.0, 2.5, 1e30)

CASES = (
    OpCase(
        "exponential",
        np.exp,
        ((-110, 90), (-1, 1), (-750, 710), (-1e-3, 1e-3)),
        (
            88.72283,
            88.72284,
            -87.33655,
            -103.2789,
            -104.0,
            709.78,
            709.79,
            -745.1,
            -745.2,
        ),
        {"f32": 1, "f64": 1},
        {"f32": 4, "f64": 2},
        "exp",
    ),
    OpCase(
        "exponential-minus-one",
        np.expm1,
        ((-20, 90), (-1, 1), (-1e-4, 1e-4), (-50, 710)),
        (88.72, 17.3, 17.4, -17.0, 37.0, -40.0, 1e-20, -1e-20, 0.34657359, -0.34657359),
        {"f32": 1, "f64": 2},
        {"f32": 5, "f64": 4},
        "expm1",
    ),
    OpCase(
        "log",
        np.log,
        ((0, 10), (0.5, 2), (0, 1e-30), (1e30, 3e38), (0.99, 1.01)),
        (0.7071067, 1.4142135, 1.0000001, 0.99999994, 5e-324, 2.2250738585072014e-308),
        {"f32": 1, "f64": 1},
        {"f32": 2, "f64": 2},
        "log",
    ),
    OpCase(
        "log-plus-one",
        np.log1p,
        ((-1, 10), (-1e-3, 1e-3), (-1, -0.9), (1e10, 1e30), (-0.3, 0.5)),
        (-0.99999994, -1.0000001, 1e20, 1e-30, -1e-30, 16777216.0),
        {"f32": 1, "f64": 1},
        {"f32": 2, "f64": 150},
        "log1p",
    ),
    OpCase(
        "logistic",
        _logistic,
        ((-20, 20), (-110, 110), (-750, 750)),
        (-87.0, -103.0, -104.0, 17.0, 40.0, -745.0),
        {"f32": 2, "f64": 2},
        {"f32": 3, "f64": 3},
        "logistic",
    ),
    OpCase(
        "tanh",
        np.tanh,
        ((-10, 10), (-1, 1), (-1e-3, 1e-3), (-30, 30)),
        (9.01, 9.02, -9.01, 19.0, 0.55, -0.55, 1e-20),
        {"f32": 2, "f64": 2},
        {"f32": 5, "f64": 8},
        "tanh",
    ),
    *(
        OpCase(
            op,
            ref,
            (
                (-10, 10),
                (-1e5, 1e5),
                (-1.6e6, 1.6e6),
                (-1e-3, 1e-3),
                (1e6, 1e9),
                (1e30, 3e38),
            ),
            (
                3.1415927,
                1.5707964,
                0.7853982,
                1e5,
                1e22,
                1e30,
                2.0**19,
                2.0**20,
                16367173.0 * 2**72,
            ),
            {"f32": 1, "f64": 3 if op == "tan" else 2},
            {"f32": 2, "f64": 3 if op == "tan" else 2},
            jax_name,
        )
        for op, ref, jax_name in (
            ("sine", np.sin, "sin"),
            ("cosine", np.cos, "cos"),
            ("tan", np.tan, "tan"),
        )
    ),
    OpCase(
        "atan2",
        np.arctan2,
        (
            ((-10, 10), (-10, 10)),
            ((-1e30, 1e30), (-1, 1)),
            ((-1e-3, 1e-3), (-1e3, 1e3)),
            ((-1, 1), (0, 1e-3)),
        ),
        tuple((y, x) for y in _EDGE2 for x in _EDGE2),
        {"f32": 1, "f64": 3},
        {"f32": 2, "f64": 3},
        "atan2",
        arity=2,
    ),
    OpCase(
        "power",
        np.power,
        (
            ((0, 10), (-10, 10)),
            ((0, 2), (-300, 300)),
            ((-10, 0), (-20, 20)),
            ((0.999, 1.001), (-1e6, 1e6)),
            ((0, 1e-30), (-3, 3)),
        ),
        tuple(
            (x, y)
            for x in _EDGE2 + (-2.0, 0.5, -0.5)
            for y in _EDGE2 + (3.0, -3.0, 0.5, -2.0, 1e20)
        ),
        {"f32": 1, "f64": 2},
        {"f32": 2, "f64": 2},
        "pow",
        arity=2,
    ),
    OpCase(
        "erf",
        _erf,
        ((-7, 7), (-1, 1), (-1e-3, 1e-3), (-3, 3)),
        (0.99999, 1.0, 1.00001, 2.0, 3.0, 5.9, 6.0, 4.0, -4.0, 1e-20),
        {"f32": 1, "f64": 2},
        {"f32": 4, "f64": 2},
        "erf",
    ),
    OpCase(
        "cbrt",
        np.cbrt,
        ((-10, 10), (-1e30, 1e30), (0, 1e-35), (-1e300, 1e300)),
        (
            8.0,
            -27.0,
            1e300,
            1.7e308,
            -1.7e308,
            2.0**1000,
            5e-324,
            -5e-324,
            1e-320,
            0.125,
            3.0,
            9.999999e-15,
        ),
        {"f32": 1, "f64": 1},
        {"f32": 2, "f64": 3},
        "cbrt",
    ),
)


def random_inputs(
    case: OpCase, dtype: np.dtype, seed: int, n: int = 8192
) -> list[np.ndarray]:
    """Seeded inputs: uniform over each range, plus random bit patterns (all magnitudes)."""
    rng = np.random.default_rng(seed)
    itype = np.uint32 if dtype == np.float32 else np.uint64
    info = np.iinfo(itype)
    columns = []
    for arg in range(case.arity):
        parts = []
        for rng_range in case.ranges:
            lo, hi = rng_range[arg] if case.arity > 1 else rng_range
            parts.append(rng.uniform(lo, hi, n).astype(dtype))
        raw = rng.integers(0, info.max, n, dtype=itype, endpoint=True).view(dtype)
        parts.append(raw[np.isfinite(raw)])
        columns.append(parts)
    # Equal lengths per argument; pairs are independent draws.
    size = min(sum(p.size for p in parts) for parts in columns)
    out = [np.concatenate(parts)[:size] for parts in columns]
    limit = case.max_abs.get(dtype.name.replace("float", "f"))
    if limit is not None:
        keep = np.all([np.abs(a) < limit for a in out], axis=0)
        out = [a[keep] for a in out]
    return out


def special_inputs(case: OpCase, dtype: np.dtype) -> list[np.ndarray]:
    """The edge-case table for the op, converted to the dtype (finite values beyond max_abs dropped)."""
    columns = (
        [COMMON + case.specials]
        if case.arity == 1
        else list(zip(*case.specials, strict=True))
    )
    with np.errstate(over="ignore"):
        out = [np.array(c, np.float64).astype(dtype) for c in columns]
    limit = case.max_abs.get(dtype.name.replace("float", "f"))
    if limit is not None:
        # Keeps NaN and +-inf (still special cases), drops finite values beyond the domain.
        keep = np.all([~(np.abs(a) >= limit) | np.isinf(a) for a in out], axis=0)
        out = [a[keep] for a in out]
    return out


def reference(case: OpCase, dtype: np.dtype, *args: np.ndarray) -> np.ndarray:
    """The long double reference rounded once to dtype."""
    with np.errstate(all="ignore"):
        return case.ref(*(a.astype(LD) for a in args)).astype(dtype)
