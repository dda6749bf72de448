"""Trigonometric family: sin, cos, tan, atan2.

The kernels run in f64 (and f64x2). f32 functions promote to f64 (`_promote.py`).

Range reduction (x = k pi/2 + r, |r| <= pi/4):
* Cody-Waite with pi/2 in three pieces of 33, 33 and 53 bits (P1 + P2 + P3); k P1 and k P2 are
  exact for |k| < 2^20, and the rounding error of r is carried as a tail `lo` (two-sum). This
  is accurate for |x| < 2^20 pi/2 ~ 1.6e6, which is the f64 functions' stated domain.
* For f32 arguments (`*_of_f32` kernels), |x| >= 2^19 takes an exact-product reduction
  instead: 2/pi is cut into 24-bit chunks C_i, every x C_i is exact in f64 (24 x 24 bits),
  each product is reduced mod 4 exactly, and the terms are summed with renormalisation. This
  covers the whole f32 range (up to 3.4e38), as XLA:CPU does.

Kernels on [-pi/4, pi/4] use Taylor coefficients (exact rationals rounded once): sin to x^17,
cos to x^18 (remainders < 1e-19), cos arranged as w + ((1 - w) - z/2 + ...) with w = 1 - z/2 so
the leading subtraction is exact.
"""

from __future__ import annotations

import math
from fractions import Fraction

from tools.hlo_wasm.mathlib._core import MathFunction, function
from tools.hlo_wasm.mathlib._promote import promoted
from tools.hlo_wasm.mathlib._wat import Builder, Kind
from tools.hlo_wasm.mathlib.power import _two_prod

PI = Fraction(
    "3.14159265358979323846264338327950288419716939937510582097494459230781640628620899862803482534211706798"
)
PIO2 = PI / 2


def _two_over_pi(bits: int) -> Fraction:
    """2/pi to `bits` bits, from Machin's formula pi = 16 atan(1/5) - 4 atan(1/239) in integers."""
    one = 1 << (bits + 32)

    def atan_inv(n: int) -> int:
        total, term, k = 0, one // n, 0
        while term:
            total += term // (2 * k + 1) * (-1) ** k
            term //= n * n
            k += 1
        return total

    pi_scaled = 16 * atan_inv(5) - 4 * atan_inv(239)
    return Fraction(2 * one, pi_scaled)


def _pieces(value: Fraction, widths: tuple[int, ...]) -> list[float]:
    """value = sum of floats with the given significant-bit widths (last one rounded)."""
    out = []
    rest = value
    for width in widths:
        exponent = math.floor(math.log2(abs(float(rest))))
        scale = Fraction(2) ** (width - 1 - exponent)
        piece = Fraction(round(rest * scale)) / scale
        out.append(float(piece))
        rest -= piece
    return out


_P1, _P2, _P3 = _pieces(PIO2, (33, 33, 53))


def _chunks(width: int, count: int) -> list[Fraction]:
    """2/pi cut into `count` pieces of `width` bits: bits [w i, w (i + 1)) of its fraction."""
    exact = _two_over_pi(width * count + 64)
    return [
        Fraction(
            math.floor(exact * 2 ** (width * (i + 1))) % (1 << width),
            2 ** (width * (i + 1)),
        )
        for i in range(count)
    ]


# f32 arguments (24 bits) times 24-bit chunks; f64 halves (26 + 27 bits) times 26-bit chunks,
# enough chunks that the dropped tail times the largest argument is below 2^-60.
_F32_CHUNKS = _chunks(24, 8)
_F64_CHUNKS = _chunks(26, 42)
_CW_LIMIT = 2.0**20 * float(PIO2)
_CHUNK_SCALE = 512
_BIG = 2.0**19
_SIN = [float((-1) ** n * Fraction(1, math.factorial(2 * n + 1))) for n in range(1, 9)]
_COS = [float((-1) ** n * Fraction(1, math.factorial(2 * n))) for n in range(2, 10)]


def _two_sum(b: Builder, a: str, c: str, name: str) -> tuple[str, str]:
    """s = fl(a + c) and the exact error e (Knuth's branch-free two-sum)."""
    s = b.let(name, b.add(a, c))
    bb = b.let(name + "_b", b.sub(s, a))
    e = b.let(name + "_e", b.add(b.sub(a, b.sub(s, bb)), b.sub(c, bb)))
    return s, e


def _reduce_cw(b: Builder, x: str) -> tuple[str, str, str]:
    """Cody-Waite: returns (k, hi, lo) with x ~ k pi/2 + hi + lo."""
    k = b.let("k", b.nearest(b.mul(x, b.f(float(2 / PI)))))
    t = b.let("t", b.sub(x, b.mul(k, b.f(_P1))))
    b.comment("r = t - k P2 with its rounding error; then the last piece k P3")
    r1, e1 = _two_sum(b, t, b.neg(b.mul(k, b.f(_P2))), "r1")
    tail = b.let("tail", b.sub(b.mul(k, b.f(_P3)), e1))
    hi = b.let("hi", b.sub(r1, tail))
    lo = b.let("lo", b.sub(b.sub(r1, hi), tail))
    return k, hi, lo


def _mod4(b: Builder, v: str) -> str:
    """v - 4 floor(v / 4): exact for any float, in [0, 4)."""
    return b.sub(v, b.mul(b.f(4.0), b.floor(b.mul(v, b.f(0.25)))))


def _mod4_centred(b: Builder, v: str) -> str:
    """v - 4 nearest(v / 4): exact, in [-2, 2], and v itself when |v| < 2 (tiny terms stay exact)."""
    return b.sub(v, b.mul(b.f(4.0), b.nearest(b.mul(v, b.f(0.25)))))


def _reduce_big(
    b: Builder, parts: list[str], chunks: list[Fraction], compensated: bool
) -> tuple[str, str]:
    """Exact-product reduction: (k, r) with x = sum(parts) ~ k pi/2 + r, |r| <= pi/4.

    Every part times every chunk must be exact (part bits + chunk bits <= 53). With
    `compensated`, the rounding error of each addition is kept (two-sum) in `fe`, so the
    fraction is known to ~2^-100 instead of ~2^-50 (needed for f64 results).
    """
    b.comment("big |x|: sum of exact (part * C_i) mod 4, renormalised to [-1/2, 1/2]")
    kb = b.let("kb", b.f(0.0))
    fb = b.let("fb", b.f(0.0))
    fe = b.let("fe", b.f(0.0))
    # Chunks below 2^-900 would be subnormal: they are stored times 2^S, the parts times 2^-S.
    late = [chunk < Fraction(2) ** -900 for chunk in chunks]
    scaled = parts
    if any(late):
        scaled = [
            b.let(f"xs{i}", b.mul(p, b.f(2.0**-_CHUNK_SCALE)))
            for i, p in enumerate(parts)
        ]
    for chunk, is_late in zip(chunks, late, strict=True):
        for part in scaled if is_late else parts:
            factor = b.f(float(chunk * 2**_CHUNK_SCALE) if is_late else float(chunk))
            term = _mod4_centred(b, b.mul(part, factor))
            if compensated:
                total, err = _two_sum(b, fb, term, "fs")
                fe = b.let("fe", b.add(fe, err))
            else:
                total = b.let("fs", b.add(fb, term))
            n = b.let("n", b.nearest(total))
            fb = b.let("fb", b.sub(total, n))
            kb = b.let("kb", b.add(kb, n))
    if not compensated:
        return kb, b.mul(fb, b.f(float(PIO2)))
    p_hi, p_lo = _pieces(PIO2, (53, 53))
    return kb, b.add(
        b.mul(fb, b.f(p_hi)), b.add(b.mul(fb, b.f(p_lo)), b.mul(fe, b.f(p_hi)))
    )


def _rem_pio2(which: str):
    """Generator of the f64 helpers for |x| >= 2^20 pi/2: quadrant k ("q") or remainder ("r")."""

    def gen(kind: Kind) -> MathFunction:
        if kind.name != "f64":
            raise KeyError("the large-argument reduction is scalar f64 only")
        what = "k mod 4" if which == "q" else "r"
        b = Builder(
            kind,
            f"f64_rempio2{which}",
            ["x"],
            f"{what} of x = k pi/2 + r for huge x (slow path)",
        )
        x = b.param("x")
        b.comment("x = hi (26 bits, by masking) + lo (27 bits)")
        hi = b.let("xh", b.from_bits(b.iand(b.bits(x), b.i(-(1 << 27)))))
        lo = b.let("xl", b.sub(x, hi))
        k, r = _reduce_big(b, [hi, lo], _F64_CHUNKS, compensated=True)
        return function(b, _mod4(b, k) if which == "q" else r)

    gen.__doc__ = f"f64_rempio2{which}."
    return gen


def _sin_cos(b: Builder, hi: str, lo: str) -> tuple[str, str, str, str]:
    """sin and cos of hi + lo (|hi| <= pi/4, lo a tiny tail) as locals, plus their rounding tails."""
    z = b.let("z", b.mul(hi, hi))
    hz = b.let("hz", b.mul(b.f(0.5), z))
    s_tail = b.let(
        "st",
        b.add(b.mul(b.mul(hi, z), b.poly(z, _SIN)), b.mul(lo, b.sub(b.f(1.0), hz))),
    )
    s = b.let("s", b.add(hi, s_tail))
    w = b.let("w", b.sub(b.f(1.0), hz))
    c_tail = b.sub(b.mul(b.mul(z, z), b.poly(z, _COS)), b.mul(hi, lo))
    inner = b.let("ct", b.add(b.sub(b.sub(b.f(1.0), w), hz), c_tail))
    c = b.let("c", b.add(w, inner))
    # Fast two-sum tails (|hi| > |s_tail|, |w| > |inner|); dead code unless tan uses them.
    return s, c, b.add(b.sub(hi, s), s_tail), b.add(b.sub(w, c), inner)


def _tan_from(b: Builder, odd: str, sc: tuple[str, str, str, str]) -> str:
    """tan = s/c (even quadrant) or -c/s (odd), with one correction step using the tails."""
    s, c, s_lo, c_lo = sc
    num = b.let("num", b.select(odd, c, s))
    den = b.let("den", b.select(odd, s, c))
    num_lo = b.select(odd, c_lo, s_lo)
    den_lo = b.select(odd, s_lo, c_lo)
    t = b.let("tq", b.div(num, den))
    b.comment("residual (num + num_lo) - t (den + den_lo), with t*den exact (Dekker)")
    p, pe = _two_prod(b, t, den, "td")
    resid = b.sub(b.add(b.sub(b.sub(num, p), pe), num_lo), b.mul(t, den_lo))
    t = b.add(t, b.div(resid, den))
    return b.select(odd, b.neg(t), t)


def _reduce(b: Builder, x: str, f32_arg: bool) -> tuple[str, str, str]:
    """(q, hi, lo): quadrant q in {0,1,2,3} and the reduced argument."""
    k, hi, lo = _reduce_cw(b, x)
    if f32_arg:
        kb, rb = _reduce_big(b, [x], _F32_CHUNKS, compensated=False)
        big = b.letm("big", b.cmp("ge", b.abs(x), b.f(_BIG)))
        k = b.let("k", b.select(big, kb, k))
        hi = b.let("hi", b.select(big, rb, hi))
        lo = b.let("lo", b.select(big, b.f(0.0), lo))
    elif not b.kind.simd:
        b.comment("rare huge arguments: branch to the slow exact-product reduction")
        big = b.letm("big", b.cmp("ge", b.abs(x), b.f(_CW_LIMIT)))
        k = b.let(
            "k",
            f"(if (result f64) {big} (then {b.call('f64_rempio2q', x)}) (else {k}))",
        )
        hi = b.let(
            "hi",
            f"(if (result f64) {big} (then {b.call('f64_rempio2r', x)}) (else {hi}))",
        )
        lo = b.let("lo", b.select(big, b.f(0.0), lo))
    q = b.let("q", _mod4(b, k))
    return q, hi, lo


def _trig_kernel(kind: Kind, which: str, f32_arg: bool) -> MathFunction:
    """f64/f64x2 sin, cos or tan (f32_arg: valid for f32 inputs of any size)."""
    suffix = "_of_f32" if f32_arg else ""
    domain = "any f32 value" if f32_arg else "|x| < 1.6e6 (2^20 pi/2)"
    b = Builder(
        kind,
        f"{kind.name}_{which}{suffix}",
        ["x"],
        f"{which}(x), accurate for {domain}",
    )
    x = b.param("x")
    q, hi, lo = _reduce(b, x, f32_arg)
    sc = _sin_cos(b, hi, lo)
    s, c = sc[0], sc[1]
    odd = b.letm(
        "odd",
        b.cmp("eq", b.sub(q, b.mul(b.f(2.0), b.floor(b.mul(q, b.f(0.5))))), b.f(1.0)),
    )
    if which == "tan":
        res = _tan_from(b, odd, sc)
    elif which == "sin":
        b.comment("quadrant 0: s, 1: c, 2: -s, 3: -c")
        v = b.select(odd, c, s)
        res = b.select(b.cmp("ge", q, b.f(2.0)), b.neg(v), v)
    else:
        b.comment("quadrant 0: c, 1: -s, 2: -c, 3: s")
        v = b.select(odd, s, c)
        flip = b.m_or(b.cmp("eq", q, b.f(1.0)), b.cmp("eq", q, b.f(2.0)))
        res = b.select(flip, b.neg(v), v)
    if which != "cos":
        # Odd functions: keep the sign of zero (sin(-0) = -0).
        res = b.select(b.cmp("eq", x, b.f(0.0)), x, res)
    return function(b, res)


def _trig(which: str):
    """Generator for sin/cos/tan: f64 kinds get the kernel, f32 kinds promote."""

    def gen(kind: Kind) -> MathFunction:
        if kind.bits == 64:
            return _trig_kernel(kind, which, f32_arg=False)
        name = f"{kind.name}_{which}"
        return promoted(
            kind, name, f"{which}_of_f32", ["x"], f"{which}(x) for any f32 x"
        )

    gen.__doc__ = f"{which} for every kind."
    return gen


def _trig_of_f32(which: str):
    """Generator for the f64 kernels that f32 sin/cos/tan call."""

    def gen(kind: Kind) -> MathFunction:
        if kind.bits != 64:
            raise KeyError(f"{which}_of_f32 exists for f64 kinds only")
        return _trig_kernel(kind, which, f32_arg=True)

    gen.__doc__ = f"f64 {which} valid for every f32 argument."
    return gen


GENERATORS = {
    **{w: _trig(w) for w in ("sin", "cos", "tan")},
    **{f"{w}_of_f32": _trig_of_f32(w) for w in ("sin", "cos", "tan")},
    "rempio2q": _rem_pio2("q"),
    "rempio2r": _rem_pio2("r"),
}
OPS = {"sine": "sin", "cosine": "cos", "tan": "tan"}


# atan(c) for the centres c = j/4, j = 0..4, as hi + lo pairs, from a high-precision series.
def _atan_exact(c: Fraction) -> Fraction:
    """atan(c) for 0 <= c <= 1 to ~1e-40: halve the argument twice, then the Taylor series."""
    # atan(c) = 2 atan(c / (1 + sqrt(1 + c^2))); sqrt via Newton in Fractions is too slow, so
    # evaluate the series directly on c/(1+sqrt(1+c^2)) computed with 60-digit Decimals.
    from decimal import Decimal, getcontext

    getcontext().prec = 60
    d = Decimal(c.numerator) / Decimal(c.denominator)
    for _ in range(2):
        d = d / (1 + (1 + d * d).sqrt())
    total, term, n = Decimal(0), d, 0
    while abs(term) > Decimal(10) ** -55:
        total += term / (2 * n + 1) * (-1) ** n
        term *= d * d
        n += 1
    return Fraction(total * 4)


_ATAN_CENTRES = [
    _pieces(_atan_exact(Fraction(j, 4)), (53, 53)) if j else [0.0, 0.0]
    for j in range(5)
]
_ATAN = [float(Fraction((-1) ** n, 2 * n + 1)) for n in range(1, 10)]
_PI_HI, _PI_LO = _pieces(PI, (53, 53))
_PIO2_HI, _PIO2_LO = _pieces(PIO2, (53, 53))


def _atan01(b: Builder, a: str) -> str:
    """atan(a) for a in [0, 1]: atan(c) + atan((a - c) / (1 + a c)), c = nearest quarter."""
    j = b.let("j", b.nearest(b.mul(a, b.f(4.0))))
    c = b.mul(j, b.f(0.25))
    u = b.let("u", b.div(b.sub(a, c), b.add(b.f(1.0), b.mul(a, c))))
    hi, lo = b.f(0.0), b.f(0.0)
    for idx in range(1, 5):
        is_j = b.cmp("eq", j, b.f(float(idx)))
        hi = b.select(is_j, b.f(_ATAN_CENTRES[idx][0]), hi)
        lo = b.select(is_j, b.f(_ATAN_CENTRES[idx][1]), lo)
    hi, lo = b.let("ahi", hi), b.let("alo", lo)
    z = b.let("z", b.mul(u, u))
    b.comment("|u| <= 1/8: atan(u) = u + u z A(z), Taylor to u^19")
    return b.add(hi, b.add(u, b.add(b.mul(b.mul(u, z), b.poly(z, _ATAN)), lo)))


def _atan2_kernel(kind: Kind) -> MathFunction:
    """f64/f64x2 atan2(y, x) with C99/IEEE special cases (XLA:CPU follows them)."""
    b = Builder(
        kind,
        f"{kind.name}_atan2",
        ["y", "x"],
        "atan2(y, x): atan of min/max ratio, then quadrant",
    )
    y, x = b.param("y"), b.param("x")
    ax, ay = b.let("ax", b.abs(x)), b.let("ay", b.abs(y))
    swap = b.letm("swap", b.cmp("gt", ay, ax))
    a = b.let("a", b.div(b.select(swap, ax, ay), b.select(swap, ay, ax)))
    b.comment("0/0 -> 0 (atan2(+-0, x) is 0 or pi); inf/inf -> 1 (pi/4 or 3pi/4)")
    a = b.let("a", b.select(b.cmp("eq", ax, ay), b.f(1.0), a))
    a = b.let("a", b.select(b.cmp("eq", ay, b.f(0.0)), b.f(0.0), a))
    r = _atan01(b, a)
    b.comment("quadrant fix-ups as hi + lo: pi/2 - r and pi - h are exact (Sterbenz)")
    h = b.let("h", b.select(swap, b.sub(b.f(_PIO2_HI), r), r))
    lo = b.let("l", b.select(swap, b.f(_PIO2_LO), b.f(0.0)))
    xneg = b.letm("xneg", b.icmp("lt_s", b.bits(x), b.i(0)))
    h = b.let("h", b.select(xneg, b.sub(b.f(_PI_HI), h), h))
    lo = b.let("l", b.select(xneg, b.sub(b.f(_PI_LO), lo), lo))
    r = b.add(h, lo)
    r = b.copysign(r, y)
    return function(b, b.select(b.m_or(b.is_nan(x), b.is_nan(y)), b.add(x, y), r))


def atan2(kind: Kind) -> MathFunction:
    """atan2 for every kind (f32 kinds through the f64 kernel)."""
    if kind.bits == 64:
        return _atan2_kernel(kind)
    return promoted(kind, f"{kind.name}_atan2", "atan2", ["y", "x"], "atan2(y, x)")


GENERATORS["atan2"] = atan2
OPS["atan2"] = "atan2"
