"""Helpers shared by the op families: shape checks, NumPy dtypes, WAT scalar snippets."""

import numpy as np

from tools.hlo_wasm import dtypes, ir

FLOATS = ("f32", "f64")
INTS = ("s32", "s64", "u32", "u8")
ALL = FLOATS + INTS + ("pred",)


def npdt(name: str) -> np.dtype:
    """NumPy dtype of an HLO element type."""
    return dtypes.get(name).np


def wt(name: str) -> str:
    """WebAssembly compute type of an HLO element type."""
    return dtypes.get(name).wasm


def require(cond: bool, msg: str) -> None:
    """Raises ValueError(msg) unless `cond`."""
    if not cond:
        raise ValueError(msg)


def check_same(inst: ir.Instruction, shapes: list[ir.Shape], out_dtype: str | None = None):
    """All operands have the result's dims; their dtypes agree (and equal `out_dtype`)."""
    dts = {s.dtype for s in shapes}
    require(len(dts) <= 1, f"operand dtypes differ: {[str(s) for s in shapes]}")
    for s in shapes:
        require(s.dims == inst.shape.dims, f"operand {s} does not match result {inst.shape}")
    want = out_dtype or (shapes[0].dtype if shapes else inst.shape.dtype)
    require(inst.shape.dtype == want, f"result dtype {inst.shape.dtype}, expected {want}")


def norm(dtype: str, expr: str) -> str:
    """Wraps an i32 result to the width of a narrow integer type (HLO wrap-around)."""
    return {
        "s8": f"(i32.extend8_s {expr})",
        "s16": f"(i32.extend16_s {expr})",
        "u8": f"(i32.and {expr} (i32.const 255))",
        "u16": f"(i32.and {expr} (i32.const 65535))",
    }.get(dtype, expr)


def const(dtype: str, value) -> str:
    """A WAT constant of `dtype`'s compute type (NaN/inf/-0 exact, via bit patterns)."""
    t = wt(dtype)
    if t in ("f32", "f64"):
        v = np.array(value, dtype=np.float32 if t == "f32" else np.float64)
        bits = int(v.view(np.uint32 if t == "f32" else np.uint64))
        ity = "i32" if t == "f32" else "i64"
        return f"({t}.reinterpret_{ity} ({ity}.const {bits}))"
    if dtype == "pred":
        return f"(i32.const {int(bool(value))})"
    v = int(value)
    bits = 32 if t == "i32" else 64
    v &= (1 << bits) - 1
    if v >= 1 << (bits - 1):
        v -= 1 << bits
    return f"({t}.const {v})"


def with_errstate(fn):
    """Decorates a reference so NumPy's float warnings (inf, nan) stay quiet."""

    def wrapped(*a, **k):
        with np.errstate(all="ignore"):
            return fn(*a, **k)

    wrapped.__doc__ = fn.__doc__
    return wrapped
