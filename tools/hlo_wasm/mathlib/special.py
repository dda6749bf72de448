"""Special functions: cbrt and erf (f64 kernels; f32 kinds promote to them).

cbrt: an initial guess from the exponent bits (high word / 3 + 682 << 20, i.e. the biased
exponent divided by three), then three Halley steps t <- t (t^3 + 2a) / (2 t^3 + a), each
cubing the relative error (6% -> 1e-5 -> 1e-15 -> rounding), and one Newton step whose
residual a - t^3 is computed exactly, which leaves only the final rounding. Subnormals are scaled by 2^54
first (the result by 2^-18), values above 2^1000 by 2^-60 (the result by 2^20).

erf: |x| < 1: x P(x^2), the Maclaurin series of erf to x^39 (exact rationals times 2/sqrt(pi),
rounded once). 1 <= |x| < 6: erf = 1 - exp(-x^2) g(|x|) with g(x) = erfc(x) exp(x^2), a
smooth function fitted (Chebyshev least squares against math.erfc, then converted to powers of
u in [-1, 1]) on [1, 2], [2, 3], [3, 6]; the piece's coefficients are chosen per lane with
selects. x^2 is split exactly (Dekker) and fed to exp as hi + tail, so exp(-x^2) is accurate.
|x| >= 6: +-1 (erf(5.93) already rounds to 1 in f64).
"""

from __future__ import annotations

import math
from decimal import Decimal, getcontext
from fractions import Fraction

from tools.hlo_wasm.mathlib import exp_log
from tools.hlo_wasm.mathlib._core import MathFunction, function
from tools.hlo_wasm.mathlib._promote import promoted
from tools.hlo_wasm.mathlib._wat import Builder, Kind
from tools.hlo_wasm.mathlib.power import _two_prod
from tools.hlo_wasm.mathlib.trig import PI


def _two_over_sqrt_pi() -> Fraction:
    getcontext().prec = 60
    return Fraction(2 / Decimal(PI.numerator / Decimal(PI.denominator)).sqrt())


_ERF_SERIES = [
    float(_two_over_sqrt_pi() * Fraction((-1) ** n, math.factorial(n) * (2 * n + 1)))
    for n in range(20)
]
# (lo, hi, coefficients of g in u = (|x| - mid) / half), fitted by tools in the commit message.
_ERFC_PIECES = (
    (
        1.0,
        2.0,
        (
            0.32158541645431776,
            -0.08181145886628113,
            0.019037759963868476,
            -0.004116363162400558,
            0.000836083809561026,
            -0.00016081117388007995,
            2.9470857553715722e-05,
            -5.171326178539158e-06,
            8.723039853690895e-07,
            -1.4191807713874368e-07,
            2.2329544235375586e-08,
            -3.3976681676851853e-09,
            5.032940136976135e-10,
            -7.816487071679274e-11,
            1.1032001447125088e-11,
        ),
    ),
    (
        2.0,
        3.0,
        (
            0.21080636406114367,
            -0.037173673394897244,
            0.006234499271663218,
            -0.0010001961727646713,
            0.00015418980099036548,
            -2.2924716773237266e-05,
            3.2971847175282016e-06,
            -4.599138143167286e-07,
            6.235105930157601e-08,
            -8.231039966811961e-09,
            1.059728255160658e-09,
            -1.3322216086873515e-10,
            1.640338245662896e-11,
            -2.0462625970067057e-12,
            2.422026992079345e-13,
        ),
    ),
    (
        3.0,
        6.0,
        (
            0.12248480427384134,
            -0.039023892946410024,
            0.012179532227880705,
            -0.0037279443941415752,
            0.001120161425997643,
            -0.0003307141048206342,
            9.601433508006476e-05,
            -2.7431418604577144e-05,
            7.717537011795059e-06,
            -2.1394152580227927e-06,
            5.847046879069884e-07,
            -1.5759370421660757e-07,
            4.19254160837158e-08,
            -1.1059027253741197e-08,
            2.8684699560170186e-09,
            -6.951162470556305e-10,
            1.7730456251947292e-10,
            -6.334326185922378e-11,
            1.5274018052979324e-11,
        ),
    ),
)
_CBRT_BIAS = 682 << 20  # (2/3) * 1023 in the high word's exponent field


def _cbrt_kernel(kind: Kind) -> MathFunction:
    """f64/f64x2 cbrt."""
    b = Builder(
        kind,
        f"{kind.name}_cbrt",
        ["x"],
        "cbrt(x): exponent/3 guess, three Halley steps",
    )
    x = b.param("x")
    ax = b.let("ax", b.abs(x))
    tiny = b.letm("tiny", b.cmp("lt", ax, b.f(2.0**-1022)))
    huge = b.letm("huge", b.cmp("gt", ax, b.f(2.0**1000)))
    b.comment(
        "subnormals scaled up by 2^54, huge values down by 2^-60 (so t^3 cannot overflow)"
    )
    a = b.let(
        "a",
        b.mul(
            ax, b.select(tiny, b.f(2.0**54), b.select(huge, b.f(2.0**-60), b.f(1.0)))
        ),
    )
    high = b.to_float(b.shift("shr_u", b.bits(a), 32))
    guess = b.iadd(b.to_int(b.floor(b.mul(high, b.f(1.0 / 3.0)))), b.i(_CBRT_BIAS))
    t = b.let("t", b.from_bits(b.shift("shl", guess, 32)))
    for _ in range(3):
        t3 = b.let("t3", b.mul(b.mul(t, t), t))
        t = b.let(
            "t",
            b.mul(
                t, b.div(b.add(t3, b.mul(b.f(2.0), a)), b.add(b.mul(b.f(2.0), t3), a))
            ),
        )
    b.comment("final Newton step with the residual a - t^3 computed exactly (Dekker)")
    p, pe = _two_prod(b, t, t, "p")
    q, qe = _two_prod(b, t, p, "q")
    resid = b.sub(b.sub(a, q), b.add(qe, b.mul(t, pe)))
    t = b.let("t", b.add(t, b.div(resid, b.mul(b.f(3.0), p))))
    r = b.copysign(
        b.mul(t, b.select(tiny, b.f(2.0**-18), b.select(huge, b.f(2.0**20), b.f(1.0)))),
        x,
    )
    keep = b.m_or(
        b.m_or(b.cmp("eq", x, b.f(0.0)), b.cmp("eq", ax, b.f(math.inf))), b.is_nan(x)
    )
    return function(b, b.select(keep, x, r))


def _erf_kernel(kind: Kind) -> MathFunction:
    """f64/f64x2 erf."""
    b = Builder(
        kind,
        f"{kind.name}_erf",
        ["x"],
        "erf(x): series below 1, 1 - exp(-x^2) g(|x|) above",
    )
    x = b.param("x")
    ax = b.let("ax", b.abs(x))
    z = b.let("zz", b.mul(x, x))
    small = b.let("small", b.mul(x, b.poly(z, _ERF_SERIES)))
    b.comment("pick the piece of g: coefficients and the map to u in [-1, 1]")
    ncoef = max(len(c) for _, _, c in _ERFC_PIECES)
    coeffs = [b.f(0.0)] * ncoef
    mid, inv_half = b.f(0.0), b.f(0.0)
    for lo, hi, piece in _ERFC_PIECES:
        inside = b.letm("in", b.cmp("ge", ax, b.f(lo)))
        padded = list(piece) + [0.0] * (ncoef - len(piece))
        coeffs = [
            b.select(inside, b.f(c), prev)
            for c, prev in zip(padded, coeffs, strict=True)
        ]
        mid = b.select(inside, b.f((lo + hi) / 2), mid)
        inv_half = b.select(inside, b.f(2 / (hi - lo)), inv_half)
        coeffs = [b.let(f"g{i}", c) for i, c in enumerate(coeffs)]
        mid, inv_half = b.let("mid", mid), b.let("ih", inv_half)
    u = b.let("u", b.mul(b.sub(ax, mid), inv_half))
    g = b.f(0.0)
    for c in reversed(coeffs):
        g = b.add(c, b.mul(u, g))
    g = b.let("g", g)
    b.comment("exp(-x^2) with x^2 = hi + lo exactly")
    sq, sq_err = _two_prod(b, ax, ax, "sq")
    e = b.let("e", exp_log.exp_core(b, b.neg(sq), b.neg(sq_err)))
    big = b.copysign(b.sub(b.f(1.0), b.mul(e, g)), x)
    res = b.select(
        b.cmp("ge", ax, b.f(_ERFC_PIECES[-1][1])), b.copysign(b.f(1.0), x), big
    )
    return function(b, b.select(b.cmp("lt", ax, b.f(1.0)), small, res))


def cbrt(kind: Kind) -> MathFunction:
    """cbrt for every kind (f32 kinds through the f64 kernel)."""
    if kind.bits == 64:
        return _cbrt_kernel(kind)
    return promoted(kind, f"{kind.name}_cbrt", "cbrt", ["x"], "cbrt(x)")


def erf(kind: Kind) -> MathFunction:
    """erf for every kind (f32 kinds through the f64 kernel)."""
    if kind.bits == 64:
        return _erf_kernel(kind)
    return promoted(kind, f"{kind.name}_erf", "erf", ["x"], "erf(x)")


GENERATORS = {"cbrt": cbrt, "erf": erf}
OPS = {"cbrt": "cbrt", "erf": "erf"}
