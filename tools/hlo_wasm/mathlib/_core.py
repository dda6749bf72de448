"""The `MathFunction` record, the error type, and exact constants shared by the families."""

from __future__ import annotations

import dataclasses
import math
from fractions import Fraction

from tools.hlo_wasm.mathlib._wat import Builder, round_to


@dataclasses.dataclass(frozen=True)
class MathFunction:
    """One WebAssembly function of the math library.

    Attributes:
        name: WAT id without "$", e.g. "f32_exp", "f64_exp", "f32x4_exp".
        params: WAT value types of the parameters, e.g. ("f32",) or ("v128", "v128").
        result: WAT value type of the result.
        wat: the whole "(func $name (param ...) (result ...) ...)" text.
        deps: names of other MathFunctions this one calls.
    """

    name: str
    params: tuple[str, ...]
    result: str
    wat: str
    deps: tuple[str, ...]


class UnsupportedMath(ValueError):
    """Raised by `lookup` for an (op, dtype, simd) combination the library does not provide."""

    def __init__(self, op: str, dtype: str, simd: bool, why: str = "") -> None:
        variant = "SIMD (f32x4)" if simd else "scalar"
        message = f"mathlib has no {variant} {dtype} implementation of HLO op '{op}'"
        if why:
            message += f": {why}"
        super().__init__(message)
        self.op = op
        self.dtype = dtype
        self.simd = simd


def function(b: Builder, result: str) -> MathFunction:
    """Finishes a builder into a MathFunction."""
    ft = b.kind.ftype
    return MathFunction(
        name=b.name,
        params=tuple(ft for _ in b.params),
        result=ft,
        wat=b.finish(result),
        deps=tuple(b.deps),
    )


# Exact values (60+ digits) of the constants the range reductions need.
LN2 = Fraction(
    "0.693147180559945309417232121458176568075500134360255254120680009493393"
)
PI = Fraction("3.14159265358979323846264338327950288419716939937510582097494459230782")
LOG2E = 1 / LN2


def nearest_float(value: Fraction, bits: int) -> float:
    """The lane-type float nearest to an exact value."""
    return round_to(float(value), bits)


def split(value: Fraction, keep: int, bits: int) -> tuple[float, float]:
    """Splits a constant into hi (with `keep` significant bits) + lo (rounded to the lane type).

    Cody-Waite reduction multiplies hi by an integer k; with few bits in hi the product is exact.
    """
    exponent = math.floor(math.log2(abs(float(value))))
    scale = Fraction(2) ** (keep - 1 - exponent)
    hi = Fraction(round(value * scale)) / scale
    return float(hi), nearest_float(value - hi, bits)


def taylor(coeff_of_n, first: int, last: int) -> list[float]:
    """Taylor coefficients coeff_of_n(n) for n in first..last, as exact-then-rounded floats."""
    return [float(coeff_of_n(n)) for n in range(first, last + 1)]
