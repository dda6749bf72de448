"""f32 functions computed by an f64 kernel: promote, call, demote (one rounding at the end).

Used where an f32-only algorithm would need extra-precise steps anyway (trigonometric range
reduction, pow, atan2, erf, cbrt). The f64 result is within a few f64 ulp, so the demoted f32
result is the correctly rounded one except in rare double-rounding ties. The f32x4 variant
splits the vector into two f64x2 halves and calls the f64x2 kernel (the same generated code
as the scalar f64 kernel), so SIMD lanes equal the scalar f32 function bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

from tools.hlo_wasm.mathlib._core import MathFunction, function
from tools.hlo_wasm.mathlib._wat import F32, F32X4, Builder, Kind

_HIGH_TO_LOW = "8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7"
_JOIN_LOWS = "0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23"


def promoted(
    kind: Kind, name: str, kernel: str, params: Sequence[str], doc: str
) -> MathFunction:
    """An f32 (or f32x4) function `name` that evaluates the f64 (f64x2) function `kernel`.

    Args:
        kind: F32 or F32X4.
        name: the function's name.
        kernel: the kernel's name without the kind prefix ("sin" -> "f64_sin"/"f64x2_sin").
        params: parameter names, in the kernel's order.
        doc: first comment line.
    """
    b = Builder(
        kind,
        name,
        params,
        f"{doc}\ncomputed in f64 by ${'f64x2' if kind.simd else 'f64'}_{kernel}",
    )
    if kind == F32:
        args = [f"(f64.promote_f32 {b.param(p)})" for p in params]
        return function(b, f"(f32.demote_f64 {b.call('f64_' + kernel, *args)})")
    if kind != F32X4:
        raise ValueError(f"promoted() is for f32 kinds, not {kind.name}")
    lows = [f"(f64x2.promote_low_f32x4 {b.param(p)})" for p in params]
    highs = [
        f"(f64x2.promote_low_f32x4 (i8x16.shuffle {_HIGH_TO_LOW} {b.param(p)} {b.param(p)}))"
        for p in params
    ]
    b.comment("lanes 0-1 and lanes 2-3 in f64x2, then demote and join")
    lo = b.let("lo", f"(f32x4.demote_f64x2_zero {b.call('f64x2_' + kernel, *lows)})")
    hi = b.let("hi", f"(f32x4.demote_f64x2_zero {b.call('f64x2_' + kernel, *highs)})")
    return function(b, f"(i8x16.shuffle {_JOIN_LOWS} {lo} {hi})")
