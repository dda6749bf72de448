"""Bitwise and logical ops on integers and pred: and, or, xor, not, shifts, popcnt, clz.

Shifts follow HLO: amounts are unsigned and an amount >= the bit width gives 0 (left, logical)
or the sign fill (arithmetic), unlike WebAssembly, which takes the amount modulo the width.
"""

import numpy as np

from tools.hlo_wasm import dtypes, registry
from tools.hlo_wasm.ops import common as c

_FAMILY = "bitwise"
_INTS = ("s32", "s64", "u32", "u8")


def _reg(name, ref, scalar, dts=_INTS + ("pred",)):
    registry.register(
        registry.OpDef(
            name=name,
            family=_FAMILY,
            check=lambda inst, shapes: c.check_same(inst, shapes),
            reference=ref,
            scalar=scalar,
            dtypes=dts,
        )
    )


def _logic(op):
    return lambda inst, dts, a: f"({c.wt(inst.shape.dtype)}.{op} {a[0]} {a[1]})"


_reg("and", lambda i, a, e: np.bitwise_and(*a), _logic("and"))
_reg("or", lambda i, a, e: np.bitwise_or(*a), _logic("or"))
_reg("xor", lambda i, a, e: np.bitwise_xor(*a), _logic("xor"))


def _not_scalar(inst, dts, a):
    d = inst.shape.dtype
    if d == "pred":
        return f"(i32.eqz {a[0]})"
    t = c.wt(d)
    return c.norm(d, f"({t}.xor {a[0]} ({t}.const -1))")


_reg(
    "not",
    lambda i, a, e: np.logical_not(a[0]) if a[0].dtype == bool else np.invert(a[0]),
    _not_scalar,
)


def _shift_ref(kind):
    def ref(inst, args, env):
        x, n = args
        bits = 8 * x.dtype.itemsize
        u = np.dtype(f"u{x.dtype.itemsize}")
        nu = n.view(u).astype(np.uint64)
        big = nu >= bits
        s = np.where(big, 0, nu).astype(u)
        if kind == "left":
            r = (x.view(u) << s).view(x.dtype)
            return np.where(big, 0, r).astype(x.dtype)
        if kind == "logical":
            r = (x.view(u) >> s).view(x.dtype)
            return np.where(big, 0, r).astype(x.dtype)
        xs = x.view(np.dtype(f"i{x.dtype.itemsize}"))
        r = (xs >> np.where(big, bits - 1, s).astype(xs.dtype)).view(x.dtype)
        return r

    return ref


def _shift_scalar(kind):
    def scalar(inst, dts, a):
        d = inst.shape.dtype
        dd = dtypes.get(d)
        t = dd.wasm
        x, n = a
        big = f"({t}.ge_u {n} ({t}.const {dd.bits}))"
        if kind == "arith":
            if dd.kind == "unsigned" and dd.bits < 32:  # re-sign the narrow value first
                x = f"(i32.extend{dd.bits}_s {x})"
            amt = f"(select ({t}.const {dd.bits - 1}) {n} {big})"
            return c.norm(d, f"({t}.shr_s {x} {amt})")
        op = "shl" if kind == "left" else "shr_u"
        if kind == "logical" and dd.kind == "signed" and dd.bits < 32:
            x = f"(i32.and {x} (i32.const {(1 << dd.bits) - 1}))"
        return c.norm(d, f"(select ({t}.const 0) ({t}.{op} {x} {n}) {big})")

    return scalar


_reg("shift-left", _shift_ref("left"), _shift_scalar("left"), _INTS)
_reg("shift-right-logical", _shift_ref("logical"), _shift_scalar("logical"), _INTS)
_reg("shift-right-arithmetic", _shift_ref("arith"), _shift_scalar("arith"), _INTS)


def _popcnt_ref(inst, args, env):
    x = args[0]
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    return np.vectorize(lambda v: bin(int(v)).count("1"), otypes=[np.int64])(u).astype(x.dtype)


def _popcnt_scalar(inst, dts, a):
    dd = dtypes.get(inst.shape.dtype)
    x = a[0]
    if dd.bits < 32:
        x = f"(i32.and {x} (i32.const {(1 << dd.bits) - 1}))"
    return f"({dd.wasm}.popcnt {x})"


_reg("popcnt", _popcnt_ref, _popcnt_scalar, _INTS)


def _clz_ref(inst, args, env):
    x = args[0]
    bits = 8 * x.dtype.itemsize
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    return np.vectorize(lambda v: bits - int(v).bit_length(), otypes=[np.int64])(u).astype(x.dtype)


def _clz_scalar(inst, dts, a):
    dd = dtypes.get(inst.shape.dtype)
    x = a[0]
    if dd.bits < 32:
        x = f"(i32.and {x} (i32.const {(1 << dd.bits) - 1}))"
        return f"(i32.sub (i32.clz {x}) (i32.const {32 - dd.bits}))"
    return f"({dd.wasm}.clz {x})"


_reg("count-leading-zeros", _clz_ref, _clz_scalar, _INTS)
