"""Element type conversion: `convert` (value-preserving, saturating float->int as XLA does)
and `bitcast-convert` (same-width reinterpretation)."""

import numpy as np

from tools.hlo_wasm import dtypes, registry
from tools.hlo_wasm.ops import common as c

_FAMILY = "convert"
_TYPES = ("f32", "f64", "s32", "s64", "u32", "u8", "pred", "f16", "bf16")


def _check(inst, shapes):
    c.require(shapes[0].dims == inst.shape.dims, "convert keeps dims")


def _convert_ref(inst, args, env):
    """NumPy conversion; float->int saturates and maps NaN to 0 (XLA's semantics)."""
    x = args[0]
    dst = dtypes.get(inst.shape.dtype)
    if dst.kind == "pred":
        return x != 0
    if x.dtype.kind == "f" and dst.is_int:
        info = np.iinfo(dst.np)
        with np.errstate(all="ignore"):
            y = np.nan_to_num(x.astype(np.float64), nan=0.0)
            y = np.clip(np.trunc(y), info.min, info.max)
        out = np.zeros(y.shape, dst.np)
        hi, lo = y >= float(info.max), y <= float(info.min)
        mid = ~(hi | lo)
        out[mid] = y[mid].astype(np.int64 if info.min < 0 else np.uint64).astype(dst.np)
        out[hi], out[lo] = info.max, info.min
        return out
    with np.errstate(all="ignore"):
        return x.astype(dst.np)


def _to_float(src, t, x):
    sd = dtypes.get(src)
    st = sd.wasm
    if st == t:
        return x
    if st in ("f32", "f64"):
        return f"({t}.{'promote' if t == 'f64' else 'demote'}_{st} {x})"
    s = "u" if sd.kind in ("unsigned", "pred") else "s"
    return f"({t}.convert_{st}_{s} {x})"


def _float_to_int(src_t, dst, x):
    dd = dtypes.get(dst)
    t = dd.wasm
    s = "s" if dd.kind == "signed" else "u"
    if dd.bits >= 32:
        return f"({t}.trunc_sat_{src_t}_{s} {x})"
    info = np.iinfo(dd.np)
    lo, hi = c.const("f64", info.min), c.const("f64", info.max)
    wide = x if src_t == "f64" else f"(f64.promote_f32 {x})"
    return f"(i32.trunc_sat_f64_s (f64.min (f64.max {wide} {lo}) {hi}))"


def _int_to_int(src, dst, x):
    sd, dd = dtypes.get(src), dtypes.get(dst)
    if sd.wasm == "i32" and dd.wasm == "i64":
        s = "u" if sd.kind in ("unsigned", "pred") else "s"
        return f"(i64.extend_i32_{s} {x})"
    if sd.wasm == "i64" and dd.wasm == "i32":
        x = f"(i32.wrap_i64 {x})"
    return c.norm(dst, x)


def _convert_scalar(inst, dts, a):
    src, dst = dts[0], inst.shape.dtype
    sd, dd = dtypes.get(src), dtypes.get(dst)
    x = a[0]
    if dst == "pred":
        return f"({sd.wasm}.ne {x} ({sd.wasm}.const 0))"
    if dd.is_float:
        y = _to_float(src, dd.wasm, x)
        if dst == "f16":
            return f"(call $f16_to_f32 (call $f32_to_f16 {y}))"
        if dst == "bf16":
            return f"(f32.reinterpret_i32 (i32.shl (call $f32_to_bf16 {y}) (i32.const 16)))"
        return y
    if sd.is_float:
        return _float_to_int(sd.wasm, dst, x)
    return _int_to_int(src, dst, x)


def _convert_simd(inst, dts, a):
    return a[0] if dts[0] == inst.shape.dtype == "f32" else None


registry.register(
    registry.OpDef(
        name="convert",
        family=_FAMILY,
        check=_check,
        reference=_convert_ref,
        scalar=_convert_scalar,
        simd=_convert_simd,
        dtypes=_TYPES,
    )
)


def _bitcast_check(inst, shapes):
    src, dst = dtypes.get(shapes[0].dtype), dtypes.get(inst.shape.dtype)
    c.require(src.size == dst.size and src.size >= 4, "bitcast-convert: only same-width 32/64-bit")
    c.require(shapes[0].dims == inst.shape.dims, "bitcast-convert keeps dims")


def _bitcast_scalar(inst, dts, a):
    st, dt = c.wt(dts[0]), c.wt(inst.shape.dtype)
    if dtypes.get(dts[0]).size == 2 or st == dt:
        return c.norm(inst.shape.dtype, a[0]) if st == dt else a[0]
    return f"({dt}.reinterpret_{st} {a[0]})"


registry.register(
    registry.OpDef(
        name="bitcast-convert",
        family=_FAMILY,
        check=_bitcast_check,
        reference=lambda inst, args, env: args[0].view(dtypes.get(inst.shape.dtype).np),
        scalar=_bitcast_scalar,
        simd=lambda inst, dts, a: a[0] if {dts[0], inst.shape.dtype} <= {"f32"} else None,
        dtypes=("f32", "s32", "u32", "f64", "s64"),
    )
)
