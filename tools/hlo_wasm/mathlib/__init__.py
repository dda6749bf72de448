"""Transcendental functions for the HLO -> WAT compiler, written in WebAssembly text.

No host imports: every function is a plain WAT `func` built from arithmetic, so a module that
uses them stays self-contained. Usage:

    from tools.hlo_wasm import mathlib
    fn = mathlib.lookup(op="exponential", dtype="f32", simd=False)  # MathFunction "f32_exp"
    funcs = mathlib.closure([fn])  # fn plus everything it calls, in a fixed order

Scalar f32/f64 functions take and return f32/f64; SIMD functions (`simd=True`, f32 only)
take and return v128 holding f32x4. Accuracy and special cases: README.md in this directory.
The families (`exp_log`, `trig`, `special`) generate every lane type from one description
(`_wat.Builder`), so SIMD lanes match the scalar function bit for bit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from tools.hlo_wasm.mathlib import exp_log, power, special, trig
from tools.hlo_wasm.mathlib._core import MathFunction, UnsupportedMath
from tools.hlo_wasm.mathlib._wat import KINDS, Kind

__all__ = ["SUPPORTED", "MathFunction", "UnsupportedMath", "closure", "lookup"]

_FAMILIES = (exp_log, trig, power, special)
_GENERATORS: dict[str, Callable[[Kind], MathFunction]] = {
    short: gen for fam in _FAMILIES for short, gen in fam.GENERATORS.items()
}
_OPS: dict[str, str] = {op: short for fam in _FAMILIES for op, short in fam.OPS.items()}
_VARIANTS = (("f32", False), ("f64", False), ("f32", True))

SUPPORTED: tuple[tuple[str, str, bool], ...] = tuple(
    (op, dtype, simd) for op in _OPS for dtype, simd in _VARIANTS
)


@functools.cache
def _build(name: str) -> MathFunction:
    """Builds a function from its name "<kind>_<short>" (e.g. "f32x4_exp")."""
    kind_name, _, short = name.partition("_")
    if kind_name not in KINDS or short not in _GENERATORS:
        raise KeyError(f"mathlib has no function named {name!r}")
    fn = _GENERATORS[short](KINDS[kind_name])
    if fn.name != name:
        raise AssertionError(f"generator for {name} produced {fn.name}")
    return fn


def lookup(op: str, dtype: str, simd: bool = False) -> MathFunction:
    """The function computing HLO op `op` elementwise on `dtype` (four lanes if `simd`).

    Raises:
        UnsupportedMath: the combination is not in SUPPORTED (the message says why).
    """
    if (op, dtype, simd) not in SUPPORTED:
        if op not in _OPS:
            why = f"unknown op; supported ops are {', '.join(sorted(_OPS))}"
        elif dtype not in ("f32", "f64"):
            why = "only f32 and f64 are provided (compute f16/bf16 in f32)"
        else:
            why = "SIMD variants exist for f32 only (f32x4)"
        raise UnsupportedMath(op, dtype, simd, why)
    kind = "f32x4" if simd else dtype
    return _build(f"{kind}_{_OPS[op]}")


def closure(functions: Iterable[MathFunction]) -> list[MathFunction]:
    """The functions plus their transitive dependencies, each once, sorted by name.

    Sorting makes the emission order independent of the order ops were looked up in.
    """
    seen: dict[str, MathFunction] = {}
    todo = list(functions)
    while todo:
        fn = todo.pop()
        if fn.name in seen:
            continue
        seen[fn.name] = fn
        todo.extend(_build(dep) for dep in fn.deps)
    return [seen[name] for name in sorted(seen)]
