"""Exponential and logarithm family: exp, expm1, log, log1p, logistic, tanh.

All share two kernels written once for every lane type:

* `exp_core`: Cody-Waite reduction x = k ln2 + r (|r| <= ln2/2, ln2 split so k*ln2_hi is
  exact), a polynomial for exp(r) or expm1(r), and scaling by 2^k in two halves so results
  that overflow or underflow (to subnormals, rounded once) need no branch.
* `log_core`: x = 2^k m with m in [sqrt(1/2), sqrt(2)) by integer arithmetic on the bits,
  f = m - 1, s = f / (2 + f), log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)) where R is the atanh
  series (the classic fdlibm arrangement that keeps the leading terms exact).

f32 coefficients of exp/expm1 are least-squares fits on Chebyshev nodes (rounded to f32,
max relative error of the fitted part ~1e-7 of a term that is itself < 0.2 of the result); f64
uses Taylor coefficients, exact rationals rounded once, to degree 13.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

from tools.hlo_wasm.mathlib._core import (
    LN2,
    LOG2E,
    MathFunction,
    function,
    nearest_float,
    split,
)
from tools.hlo_wasm.mathlib._wat import Builder, Kind

# exp(r) = 1 + r + r^2 * Q(r) on |r| <= ln2/2.
_EXP_Q = {
    32: [0.5, 0.16666576, 0.041666947, 0.008363298, 0.001389387],
    64: [float(Fraction(1, math.factorial(n + 2))) for n in range(12)],
}
# expm1(r) = r + r^2 / 2 + r^3 * H(r) on |r| <= ln2/2.
_EXPM1_H = {
    32: [0.16666667, 0.041666552, 0.008333356, 0.0013926357, 0.00019853606],
    64: [float(Fraction(1, math.factorial(n + 3))) for n in range(11)],
}
# 2 atanh(s) = 2s + s * R(z), z = s^2, R(z) = z * sum 2/(2j+1) z^(j-1); |s| <= 0.172.
_LOG_R = {
    32: [float(Fraction(2, 2 * j + 1)) for j in range(1, 5)],
    64: [float(Fraction(2, 2 * j + 1)) for j in range(1, 12)],
}
# Input clamps: beyond them exp over/underflows anyway (and NaN passes, as compares fail).
_EXP_CLAMP = {32: (-104.0, 89.0), 64: (-746.0, 710.0)}
# expm1 below this is -1 in the lane type; above the k threshold 2^k - 1 rounds to 2^k.
_EXPM1_LOW = -60.0
_EXPM1_KBIG = {32: 25, 64: 54}
# Bits of ln2_hi: enough zero low bits that k * ln2_hi is exact for every reachable k.
_LN2_KEEP = {32: 12, 64: 32}


def _clamp(b: Builder, x: str, lo: float, hi: float) -> str:
    """min(max(x, lo), hi) in local "xc"; keeps NaN (compares with NaN are false)."""
    x = b.let("xc", x)
    x = b.let("xc", b.select(b.cmp("lt", x, b.f(lo)), b.f(lo), x))
    return b.let("xc", b.select(b.cmp("gt", x, b.f(hi)), b.f(hi), x))


def _reduce_ln2(b: Builder, x: str) -> tuple[str, str]:
    """k = nearest(x / ln2), r = x - k ln2 (two-part Cody-Waite). Returns (k, r) locals."""
    bits = b.kind.bits
    hi, lo = split(LN2, _LN2_KEEP[bits], bits)
    k = b.let("k", b.nearest(b.mul(x, b.f(nearest_float(LOG2E, bits)))))
    r = b.let("r", b.sub(b.sub(x, b.mul(k, b.f(hi))), b.mul(k, b.f(lo))))
    return k, r


def _scale2(b: Builder, v: str, k: str) -> str:
    """v * 2^k for integral float k with |k| <= 2 * bias, in two exact-or-once-rounded steps."""
    ki = b.leti("ki", b.to_int(k))
    k1 = b.leti("k1", b.shift("shr_s", ki, 1))
    return b.mul(b.mul(v, b.pow2(k1)), b.pow2(b.isub(ki, k1)))


def exp_core(b: Builder, x: str, tail: str | None = None) -> str:
    """Emits exp(x + tail) for float expressions (|tail| << ulp(x)); returns the result."""
    lo, hi = _EXP_CLAMP[b.kind.bits]
    xc = _clamp(b, x, lo, hi)
    k, r = _reduce_ln2(b, xc)
    if tail is not None:
        r = b.let("r", b.add(r, tail))
    b.comment("exp(r) = 1 + r + r^2 Q(r)")
    p = b.let(
        "p",
        b.add(b.f(1.0), b.add(r, b.mul(b.mul(r, r), b.poly(r, _EXP_Q[b.kind.bits])))),
    )
    return _scale2(b, p, k)


def expm1_core(b: Builder, x: str, nonpositive: bool = False) -> str:
    """Emits expm1(x) for a float expression x (sign of zero not preserved).

    With `nonpositive` (x <= 0 or NaN, as in tanh) the large-k path is left out.
    """
    bits = b.kind.bits
    if nonpositive:
        xc = b.let("xc", b.select(b.cmp("lt", x, b.f(_EXPM1_LOW)), b.f(_EXPM1_LOW), x))
    else:
        xc = _clamp(b, x, _EXPM1_LOW, _EXP_CLAMP[bits][1])
    k, r = _reduce_ln2(b, xc)
    b.comment("expm1(r) = r + r^2 (1/2 + r H(r))")
    inner = b.add(b.f(0.5), b.mul(r, b.poly(r, _EXPM1_H[bits])))
    p = b.let("p", b.add(r, b.mul(b.mul(r, r), inner)))
    if nonpositive:
        b.comment("k <= 0: 2^k - 1 is exact and 2^k p exact, one rounding in the sum")
        t = b.let("t", b.pow2(b.to_int(k)))
        return b.add(b.sub(t, b.f(1.0)), b.mul(t, p))
    kbig = float(_EXPM1_KBIG[bits])
    big = b.letm("big", b.cmp("ge", k, b.f(kbig)))
    b.comment("small k: 2^k - 1 is exact and 2^k p exact, one rounding in the sum")
    t = b.let("t", b.pow2(b.to_int(b.select(big, b.f(kbig), k))))
    small = b.add(b.sub(t, b.f(1.0)), b.mul(t, p))
    b.comment("large k: the -1 is below half an ulp of 2^k (1 + p)")
    large = _scale2(b, b.add(b.f(1.0), p), k)
    return b.select(big, large, small)


def log_reduce(b: Builder, v: str) -> tuple[str, str]:
    """For positive normal v: k, f with v = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2))."""
    kind = b.kind
    one = kind.bias << kind.mant  # bits of 1.0
    sqrt_half = _float_bits(math.sqrt(0.5), kind.bits)
    mask = (1 << kind.mant) - 1
    b.comment(
        "move the exponent boundary to sqrt(1/2): k = exponent, m = mantissa in [.707, 1.414)"
    )
    ix = b.leti("ix", b.iadd(b.bits(v), b.i(one - sqrt_half)))
    k = b.let("kf", b.to_float(b.isub(b.shift("shr_s", ix, kind.mant), b.i(kind.bias))))
    m = b.from_bits(b.iadd(b.iand(ix, b.i(mask)), b.i(sqrt_half)))
    f = b.let("f", b.sub(m, b.f(1.0)))
    return k, f


def _log_finish(b: Builder, k: str, f: str, corr: str | None) -> str:
    """log(2^k (1 + f) + tiny) = k ln2 + log1p(f) + corr, with corr ~ tiny / (2^k (1+f))."""
    bits = b.kind.bits
    hi, lo = split(LN2, _LN2_KEEP[bits], bits)
    s = b.let("s", b.div(f, b.add(b.f(2.0), f)))
    z = b.let("z", b.mul(s, s))
    rr = b.let("rr", b.mul(z, b.poly(z, _LOG_R[bits])))
    hfsq = b.let("hfsq", b.mul(b.f(0.5), b.mul(f, f)))
    b.comment("k ln2_hi + (f - (hfsq - (s (hfsq + R) + (k ln2_lo + corr))))")
    k_lo = b.mul(k, b.f(lo))
    tail = b.add(b.mul(s, b.add(hfsq, rr)), k_lo if corr is None else b.add(k_lo, corr))
    return b.add(b.mul(k, b.f(hi)), b.sub(f, b.sub(hfsq, tail)))


def _float_bits(value: float, bits: int) -> int:
    """The IEEE bit pattern of a float in the lane type."""
    if bits == 32:
        return struct.unpack("<I", struct.pack("<f", value))[0]
    return struct.unpack("<Q", struct.pack("<d", value))[0]


def _name(kind: Kind, short: str) -> str:
    return f"{kind.name}_{short}"


def exp(kind: Kind) -> MathFunction:
    """exp(x); overflow to +inf, gradual underflow, NaN propagates."""
    b = Builder(
        kind,
        _name(kind, "exp"),
        ["x"],
        "exp(x): Cody-Waite ln2 reduction, polynomial, 2^k in two steps",
    )
    return function(b, exp_core(b, b.param("x")))


def expm1(kind: Kind) -> MathFunction:
    """expm1(x) = exp(x) - 1, accurate near 0, keeps the sign of zero."""
    b = Builder(
        kind,
        _name(kind, "expm1"),
        ["x"],
        "expm1(x) = 2^k (1 + expm1(r)) - 1 without cancellation",
    )
    x = b.param("x")
    res = expm1_core(b, x)
    return function(b, b.select(b.cmp("eq", x, b.f(0.0)), x, res))


def tanh(kind: Kind) -> MathFunction:
    """tanh(x) = sign(x) * -e / (e + 2) with e = expm1(-2|x|) in (-1, 0]: no overflow or cancellation."""
    b = Builder(
        kind,
        _name(kind, "tanh"),
        ["x"],
        "tanh(x) = copysign(-e / (e + 2), x), e = expm1(-2|x|)",
    )
    x = b.param("x")
    e = b.let("e", expm1_core(b, b.mul(b.f(-2.0), b.abs(x)), nonpositive=True))
    return function(b, b.copysign(b.div(b.neg(e), b.add(e, b.f(2.0))), x))


def logistic(kind: Kind) -> MathFunction:
    """logistic(x) = 1 / (1 + exp(-x)), computed from e = exp(-|x|) so it never overflows."""
    b = Builder(
        kind,
        _name(kind, "logistic"),
        ["x"],
        "logistic(x): e = exp(-|x|); x < 0 ? e/(1+e) : 1/(1+e)",
    )
    x = b.param("x")
    e = b.let("e", exp_core(b, b.neg(b.abs(x))))
    num = b.select(b.cmp("lt", x, b.f(0.0)), e, b.f(1.0))
    return function(b, b.div(num, b.add(b.f(1.0), e)))


def _log_specials(b: Builder, x: str, res: str, pole: float) -> str:
    """pole -> -inf, below pole -> NaN, +inf -> +inf, NaN -> NaN."""
    res = b.select(b.cmp("eq", x, b.f(pole)), b.f(-math.inf), res)
    res = b.select(b.cmp("lt", x, b.f(pole)), b.f(math.nan), res)
    res = b.select(b.cmp("eq", x, b.f(math.inf)), x, res)
    return b.select(b.is_nan(x), x, res)


def log(kind: Kind) -> MathFunction:
    """Natural log; subnormal inputs are scaled into the normal range first."""
    b = Builder(
        kind,
        _name(kind, "log"),
        ["x"],
        "log(x) = k ln2 + log1p(f), 1+f in [sqrt(1/2), sqrt(2))",
    )
    x = b.param("x")
    scale = kind.mant + 2
    tiny = b.letm("tiny", b.cmp("lt", x, b.f(2.0 ** (1 - kind.bias))))
    v = b.select(tiny, b.mul(x, b.f(2.0**scale)), x)
    k, f = log_reduce(b, v)
    k = b.let("kf", b.sub(k, b.select(tiny, b.f(float(scale)), b.f(0.0))))
    res = _log_finish(b, k, f, None)
    return function(b, _log_specials(b, x, res, 0.0))


def log1p(kind: Kind) -> MathFunction:
    """log(1 + x): reduce u = 1 + x, and add back the rounding error of u as c / u."""
    b = Builder(
        kind,
        _name(kind, "log1p"),
        ["x"],
        "log1p(x) = log(u) + c/u, u = fl(1+x), c = (1+x) - u",
    )
    x = b.param("x")
    u = b.let("u", b.add(b.f(1.0), x))
    b.comment("c is exact: u - x exact when u >= 2, u - 1 exact when u < 2 (Sterbenz)")
    c = b.select(
        b.cmp("ge", u, b.f(2.0)),
        b.sub(b.f(1.0), b.sub(u, x)),
        b.sub(x, b.sub(u, b.f(1.0))),
    )
    corr = b.let("corr", b.div(c, u))
    k, f = log_reduce(b, u)
    res = _log_finish(b, k, f, corr)
    res = _log_specials(b, x, res, -1.0)
    return function(b, b.select(b.cmp("eq", x, b.f(0.0)), x, res))


GENERATORS = {
    "exp": exp,
    "expm1": expm1,
    "log": log,
    "log1p": log1p,
    "logistic": logistic,
    "tanh": tanh,
}
OPS = {
    "exponential": "exp",
    "exponential-minus-one": "expm1",
    "log": "log",
    "log-plus-one": "log1p",
    "logistic": "logistic",
    "tanh": "tanh",
}
