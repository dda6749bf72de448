"""power(x, y) = x^y with C99 special cases (which XLA:CPU follows).

pow(|x|, y) = exp(y log|x|) needs log|x| to about 2^-60 relative, because y log|x| reaches
~745 before exp over/underflows. The f64 kernel therefore carries log|x| as a double-double:

* x = 2^k m (exp_log.log_reduce), f = m - 1 exact, s = f / (2 + f) with its division residual
  (Dekker two-product), log m = 2s + s^3 R(s^2) (atanh series), summed with k ln2 (ln2 in
  32 + 53 bits) by two-sum;
* y log|x| as p_hi + p_lo (Dekker two-product again), and exp_log.exp_core(p_hi, tail=p_lo).

Special cases are masks chosen afterwards: y = 0 or x = 1 -> 1; x = -1, y = +-inf -> 1;
NaN -> NaN; x or y infinite / x zero -> 0 or inf by the sign of y log|x|; negative x: NaN
unless y is an integer, odd integers keep the sign. f32 promotes to this kernel.
"""

from __future__ import annotations

from fractions import Fraction

from tools.hlo_wasm.mathlib import exp_log
from tools.hlo_wasm.mathlib._core import LN2, MathFunction, function, split
from tools.hlo_wasm.mathlib._promote import promoted
from tools.hlo_wasm.mathlib._wat import Builder, Kind

_SPLITTER = (
    2.0**27 + 1.0
)  # Dekker/Veltkamp split of a 53-bit significand into 26 + 27 bits
# 2 atanh(s) = 2 s + s^3 R(z), z = s^2, R(z) = sum 2/(2j+3) z^j; |s| <= 0.172, to s^27.
_R = [float(Fraction(2, 2 * j + 3)) for j in range(13)]


def _split(b: Builder, a: str, name: str) -> tuple[str, str]:
    """a = hi + lo with 26-bit hi (Veltkamp)."""
    c = b.let(name + "_c", b.mul(a, b.f(_SPLITTER)))
    hi = b.let(name + "_h", b.sub(c, b.sub(c, a)))
    return hi, b.let(name + "_l", b.sub(a, hi))


def _two_prod(b: Builder, a: str, c: str, name: str) -> tuple[str, str]:
    """p = fl(a c) and the exact error a c - p (Dekker, no FMA in standard SIMD)."""
    p = b.let(name, b.mul(a, c))
    ah, al = _split(b, a, name + "a")
    ch, cl = _split(b, c, name + "b")
    err = b.add(
        b.add(b.add(b.sub(b.mul(ah, ch), p), b.mul(ah, cl)), b.mul(al, ch)),
        b.mul(al, cl),
    )
    return p, b.let(name + "_e", err)


def _two_sum(b: Builder, a: str, c: str, name: str) -> tuple[str, str]:
    """s = fl(a + c) and the exact error (Knuth's two-sum, any magnitudes)."""
    a = b.let(name + "_x", a)
    c = b.let(name + "_y", c)
    s = b.let(name, b.add(a, c))
    bb = b.let(name + "_b", b.sub(s, a))
    return s, b.let(name + "_e", b.add(b.sub(a, b.sub(s, bb)), b.sub(c, bb)))


def _log_dd(b: Builder, ax: str) -> tuple[str, str]:
    """log(ax) for positive finite ax as a double-double (hi, lo)."""
    kind = b.kind
    tiny = b.letm("tiny", b.cmp("lt", ax, b.f(2.0 ** (1 - kind.bias))))
    k, f = exp_log.log_reduce(b, b.select(tiny, b.mul(ax, b.f(2.0**54)), ax))
    k = b.let("kf", b.sub(k, b.select(tiny, b.f(54.0), b.f(0.0))))
    b.comment("s = f / (2 + f) as s_hi + s_lo")
    d = b.let("d", b.add(b.f(2.0), f))
    dlo = b.let("dlo", b.sub(f, b.sub(d, b.f(2.0))))
    s = b.let("s", b.div(f, d))
    pr, pe = _two_prod(b, s, d, "sd")
    slo = b.let("slo", b.div(b.sub(b.sub(b.sub(f, pr), pe), b.mul(s, dlo)), d))
    b.comment(
        "s^3 R(z) as a double-double: it is up to 1% of log m, too big for a tail"
    )
    zh, ze = _two_prod(b, s, s, "z")
    ch, ce = _two_prod(b, s, zh, "c")
    s3lo = b.add(
        b.add(ce, b.mul(s, ze)), b.mul(b.mul(b.f(3.0), zh), slo)
    )  # (s + s_lo)^3
    r_hi = _R[0]
    r_lo = b.add(
        b.f(float(Fraction(2, 3) - Fraction(r_hi))), b.mul(zh, b.poly(zh, _R[1:]))
    )
    qh, qe = _two_prod(b, ch, b.f(r_hi), "q")
    q_lo = b.add(b.add(qe, b.mul(ch, r_lo)), b.mul(s3lo, b.f(r_hi)))
    hi, lo = split(LN2, 32, 64)
    b.comment("k ln2_hi + 2 s + q_hi (two two-sums) + the small terms")
    s0, e0 = _two_sum(b, b.mul(k, b.f(hi)), b.mul(b.f(2.0), s), "l0")
    s1, e1 = _two_sum(b, s0, qh, "l1")
    small = b.add(
        b.add(b.add(e0, e1), q_lo), b.add(b.mul(b.f(2.0), slo), b.mul(k, b.f(lo)))
    )
    l0 = b.let("ll", small)
    lh = b.let("lh", b.add(s1, l0))
    return lh, b.let("ll", b.sub(l0, b.sub(lh, s1)))


def _pow_kernel(kind: Kind) -> MathFunction:
    """f64/f64x2 pow(x, y)."""
    b = Builder(
        kind,
        f"{kind.name}_pow",
        ["x", "y"],
        "pow(x, y) = exp(y log|x|) in double-double, C99 cases",
    )
    x, y = b.param("x"), b.param("y")
    ax = b.let("ax", b.abs(x))
    lh, ll = _log_dd(b, ax)
    ph, pe = _two_prod(b, y, lh, "yl")
    b.comment(
        "beyond |y log x| = 2000 the result is 0 or inf; drop the tail (it may be NaN)"
    )
    tail = b.select(
        b.cmp("lt", b.abs(ph), b.f(2000.0)), b.add(pe, b.mul(y, ll)), b.f(0.0)
    )
    v = b.let("v", exp_log.exp_core(b, ph, tail))
    b.comment("x = 0 or inf, or y = +-inf: 0 or inf by the sign of y log|x|")
    edge = b.m_or(
        b.m_or(b.cmp("eq", ax, b.f(0.0)), b.cmp("eq", ax, b.f(float("inf")))),
        b.cmp("eq", b.abs(y), b.f(float("inf"))),
    )
    grows = b.m_not(b.m_xor(b.cmp("gt", ax, b.f(1.0)), b.cmp("gt", y, b.f(0.0))))
    v = b.let("v", b.select(edge, b.select(grows, b.f(float("inf")), b.f(0.0)), v))
    b.comment("integer y (inf counts as even); odd y keeps the sign of x")
    yint = b.letm("yint", b.cmp("eq", b.floor(y), y))
    half = b.mul(y, b.f(0.5))
    yodd = b.m_and(
        b.m_and(yint, b.cmp("lt", b.abs(y), b.f(2.0**53))),
        b.cmp("ne", b.floor(half), half),
    )
    xneg = b.letm("xneg", b.icmp("lt_s", b.bits(x), b.i(0)))
    v = b.let("v", b.select(b.m_and(xneg, yodd), b.neg(v), v))
    finite_neg = b.m_and(b.cmp("lt", x, b.f(0.0)), b.cmp("gt", x, b.f(float("-inf"))))
    v = b.let("v", b.select(b.m_and(finite_neg, b.m_not(yint)), b.f(float("nan")), v))
    v = b.let("v", b.select(b.m_or(b.is_nan(x), b.is_nan(y)), b.add(x, y), v))
    one = b.m_or(b.cmp("eq", y, b.f(0.0)), b.cmp("eq", x, b.f(1.0)))
    one = b.m_or(
        one,
        b.m_and(b.cmp("eq", x, b.f(-1.0)), b.cmp("eq", b.abs(y), b.f(float("inf")))),
    )
    return function(b, b.select(one, b.f(1.0), v))


def power(kind: Kind) -> MathFunction:
    """pow for every kind (f32 kinds through the f64 kernel)."""
    if kind.bits == 64:
        return _pow_kernel(kind)
    return promoted(kind, f"{kind.name}_pow", "pow", ["x", "y"], "pow(x, y)")


GENERATORS = {"pow": power}
OPS = {"power": "pow"}
