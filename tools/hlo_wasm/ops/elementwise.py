"""Elementwise arithmetic, comparison, selection and conversion ops.

Each op lowers to a scalar WAT expression (fused into loops by `passes/fuse.py`); f32 ops also
have an f32x4 form. References follow HLO semantics: integer ops wrap, integer division by zero
and INT_MIN/-1 follow XLA (see `support.py`), float min/max propagate NaN.
"""

import numpy as np

from tools.hlo_wasm import dtypes, registry, support
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.ops.common import FLOATS, INTS

_FAMILY = "elementwise"
_NUM = FLOATS + INTS


def _reg(name, reference, scalar, simd=None, check=None, dts=_NUM):
    registry.register(
        registry.OpDef(
            name=name,
            family=_FAMILY,
            check=check or (lambda inst, shapes: c.check_same(inst, shapes)),
            reference=c.with_errstate(reference),
            scalar=scalar,
            simd=simd,
            dtypes=dts,
        )
    )


def _t(inst) -> str:
    return c.wt(inst.shape.dtype)


def _kind(dt: str) -> str:
    return dtypes.get(dt).kind


# ---- binary arithmetic -------------------------------------------------------------------


def _wrapping(np_fn):
    """Integer results wrap (NumPy wraps for same-dtype ints; floats pass through)."""
    return lambda inst, args, env: np_fn(*args).astype(args[0].dtype)


def _arith(wasm_op):
    def scalar(inst, dts, a):
        return c.norm(inst.shape.dtype, f"({_t(inst)}.{wasm_op} {a[0]} {a[1]})")

    return scalar


def _simd2(op):
    return lambda inst, dts, a: f"(f32x4.{op} {a[0]} {a[1]})"


_reg("add", _wrapping(np.add), _arith("add"), _simd2("add"))
_reg("subtract", _wrapping(np.subtract), _arith("sub"), _simd2("sub"))
_reg("multiply", _wrapping(np.multiply), _arith("mul"), _simd2("mul"))


def _int_div_ref(a, b):
    """XLA integer division: truncating; x/0 = -1 (all ones); INT_MIN/-1 = INT_MIN."""
    dt = a.dtype
    ai, bi = a.astype(object), b.astype(object)
    out = []
    for x, y in zip(np.ravel(ai), np.ravel(bi)):
        if y == 0:
            q = -1
        else:
            q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
        out.append(q)
    bits = dt.itemsize * 8
    return np.array([q & ((1 << bits) - 1) for q in out], dtype=f"u{dt.itemsize}").view(dt).reshape(
        a.shape
    )


def _int_rem_ref(a, b):
    """XLA integer remainder: sign of the dividend; x%0 = x; INT_MIN%-1 = 0."""
    dt = a.dtype
    out = []
    for x, y in zip(np.ravel(a).astype(object), np.ravel(b).astype(object)):
        if y == 0:
            r = x
        else:
            r = abs(x) % abs(y) * (1 if x >= 0 else -1)
        out.append(r)
    bits = dt.itemsize * 8
    return np.array([r & ((1 << bits) - 1) for r in out], dtype=f"u{dt.itemsize}").view(dt).reshape(
        a.shape
    )


def _div_ref(inst, args, env):
    a, b = args
    if a.dtype.kind == "f":
        return np.divide(a, b).astype(a.dtype)
    return _int_div_ref(a, b)


def _div_scalar(inst, dts, a):
    d = inst.shape.dtype
    t = _t(inst)
    if dtypes.get(d).is_float:
        return f"({t}.div {a[0]} {a[1]})"
    sign = "s" if _kind(d) == "signed" else "u"
    return c.norm(d, f"(call ${t}_div_{sign} {a[0]} {a[1]})")


_reg("divide", _div_ref, _div_scalar, _simd2("div"))


def _rem_ref(inst, args, env):
    a, b = args
    if a.dtype.kind == "f":
        return np.fmod(a, b).astype(a.dtype)
    return _int_rem_ref(a, b)


def _rem_scalar(inst, dts, a):
    d = inst.shape.dtype
    t = _t(inst)
    if dtypes.get(d).is_float:
        return f"(call ${t}_fmod {a[0]} {a[1]})"
    sign = "s" if _kind(d) == "signed" else "u"
    return c.norm(d, f"(call ${t}_rem_{sign} {a[0]} {a[1]})")


_reg("remainder", _rem_ref, _rem_scalar)


def _minmax(is_max: bool):
    def ref(inst, args, env):
        a, b = args
        if a.dtype.kind == "f":
            return (np.maximum if is_max else np.minimum)(a, b)
        return (np.maximum if is_max else np.minimum)(a, b)

    def scalar(inst, dts, a):
        d, t = inst.shape.dtype, _t(inst)
        if dtypes.get(d).is_float:
            return f"({t}.{'max' if is_max else 'min'} {a[0]} {a[1]})"
        if d == "pred":
            return f"(i32.{'or' if is_max else 'and'} {a[0]} {a[1]})"
        s = "s" if _kind(d) == "signed" else "u"
        cmp = f"{t}.{'gt' if is_max else 'lt'}_{s}"
        # `select` needs each argument once; arguments are local.gets or constants here.
        return f"(select {a[0]} {a[1]} ({cmp} {a[0]} {a[1]}))"

    simd = _simd2("max" if is_max else "min")
    return ref, scalar, simd


_reg("maximum", *_minmax(True), dts=_NUM + ("pred",))
_reg("minimum", *_minmax(False), dts=_NUM + ("pred",))


def _pow_ref(inst, args, env):
    a, b = args
    if a.dtype.kind == "f":
        return np.power(a, b).astype(a.dtype)
    out = []
    for x, y in zip(np.ravel(a).astype(object), np.ravel(b).astype(object)):
        if y < 0:
            r = 1 if x == 1 else ((-1 if y % 2 else 1) if x == -1 else 0)
        else:
            r = pow(int(x), int(y), 1 << (8 * a.dtype.itemsize))
        out.append(r & ((1 << (8 * a.dtype.itemsize)) - 1))
    return np.array(out, dtype=f"u{a.dtype.itemsize}").view(a.dtype).reshape(a.shape)


def _pow_scalar(inst, dts, a):
    d, t = inst.shape.dtype, _t(inst)
    if dtypes.get(d).is_float:
        return support.math_call("power", t, False, a)
    return c.norm(d, f"(call ${t}_pow {a[0]} {a[1]})")


_reg("power", _pow_ref, _pow_scalar, lambda i, d, a: support.math_call("power", "f32", True, a))
_reg(
    "atan2",
    lambda inst, args, env: np.arctan2(*args).astype(args[0].dtype),
    lambda inst, dts, a: support.math_call("atan2", _t(inst), False, a),
    lambda inst, dts, a: support.math_call("atan2", "f32", True, a),
    dts=FLOATS,
)

# ---- unary -------------------------------------------------------------------------------


def _unary_check(inst, shapes):
    c.check_same(inst, shapes)


def _neg_scalar(inst, dts, a):
    d, t = inst.shape.dtype, _t(inst)
    if dtypes.get(d).is_float:
        return f"({t}.neg {a[0]})"
    return c.norm(d, f"({t}.sub ({t}.const 0) {a[0]})")


_reg(
    "negate",
    lambda inst, args, env: np.negative(args[0]),
    _neg_scalar,
    lambda i, d, a: f"(f32x4.neg {a[0]})",
)


def _abs_scalar(inst, dts, a):
    d, t = inst.shape.dtype, _t(inst)
    if dtypes.get(d).is_float:
        return f"({t}.abs {a[0]})"
    if _kind(d) == "unsigned":
        return a[0]
    return c.norm(d, f"(select ({t}.sub ({t}.const 0) {a[0]}) {a[0]} ({t}.lt_s {a[0]} ({t}.const 0)))")


_reg(
    "abs",
    lambda inst, args, env: np.abs(args[0]).astype(args[0].dtype),
    _abs_scalar,
    lambda i, d, a: f"(f32x4.abs {a[0]})",
)


def _sign_ref(inst, args, env):
    x = args[0]
    if x.dtype.kind == "f":
        return np.where(np.isnan(x), x, np.sign(x)).astype(x.dtype)
    return np.sign(x).astype(x.dtype)


def _sign_scalar(inst, dts, a):
    d, t = inst.shape.dtype, _t(inst)
    x = a[0]
    if dtypes.get(d).is_float:
        # x for NaN and +-0, else copysign(1, x).
        return f"(select ({t}.copysign ({t}.const 1) {x}) {x} ({t}.gt ({t}.abs {x}) ({t}.const 0)))"
    if _kind(d) == "unsigned":
        return f"({t}.extend_i32_u ({t}.ne {x} ({t}.const 0)))" if t == "i64" else f"(i32.ne {x} (i32.const 0))"
    gt, lt = f"({t}.gt_s {x} ({t}.const 0))", f"({t}.lt_s {x} ({t}.const 0))"
    if t == "i64":
        return f"(i64.extend_i32_s (i32.sub {gt} {lt}))"
    return f"(i32.sub {gt} {lt})"


_reg("sign", _sign_ref, _sign_scalar, dts=FLOATS + ("s32", "s64"))


def _float_unary(name, np_fn, wasm_op, simd_op=None):
    def scalar(inst, dts, a):
        return f"({_t(inst)}.{wasm_op} {a[0]})"

    simd = (lambda i, d, a: f"(f32x4.{simd_op} {a[0]})") if simd_op else None
    _reg(name, lambda inst, args, env: np_fn(args[0]).astype(args[0].dtype), scalar, simd, dts=FLOATS)


def _round_afz_ref(x):
    return np.where(np.abs(x - np.trunc(x)) >= 0.5, np.trunc(x) + np.sign(x), np.trunc(x))


_float_unary("floor", np.floor, "floor", "floor")
_float_unary("ceil", np.ceil, "ceil", "ceil")
_float_unary("round-nearest-even", np.rint, "nearest", "nearest")
_float_unary("sqrt", np.sqrt, "sqrt", "sqrt")
_reg(
    "round-nearest-afz",
    lambda inst, args, env: _round_afz_ref(args[0]).astype(args[0].dtype),
    lambda inst, dts, a: f"(call ${_t(inst)}_round_afz {a[0]})",
    dts=FLOATS,
)
_reg(
    "rsqrt",
    lambda inst, args, env: (1 / np.sqrt(args[0])).astype(args[0].dtype),
    lambda inst, dts, a: f"({_t(inst)}.div ({_t(inst)}.const 1) ({_t(inst)}.sqrt {a[0]}))",
    lambda i, d, a: f"(f32x4.div (f32x4.splat (f32.const 1)) (f32x4.sqrt {a[0]}))",
    dts=FLOATS,
)

# Transcendental ops: WAT from tools/hlo_wasm/mathlib (owned by the mathlib engineer).
_MATH_OPS = {
    "exponential": np.exp,
    "exponential-minus-one": np.expm1,
    "log": np.log,
    "log-plus-one": np.log1p,
    "logistic": lambda x: 1 / (1 + np.exp(-x)),
    "tanh": np.tanh,
    "sine": np.sin,
    "cosine": np.cos,
    "tan": np.tan,
    "cbrt": np.cbrt,
}


def _math_erf(x):
    import math

    return np.vectorize(math.erf, otypes=[np.float64])(x)


_MATH_OPS["erf"] = _math_erf


def _math(name, np_fn):
    _reg(
        name,
        lambda inst, args, env: np_fn(args[0].astype(np.float64)).astype(args[0].dtype),
        lambda inst, dts, a: support.math_call(name, _t(inst), False, a),
        lambda inst, dts, a: support.math_call(name, "f32", True, a),
        dts=FLOATS,
    )


for _n, _f in _MATH_OPS.items():
    _math(_n, _f)


def _isfinite_check(inst, shapes):
    c.require(inst.shape.dtype == "pred", "is-finite returns pred")
    c.require(shapes[0].dims == inst.shape.dims, "is-finite keeps dims")


_reg(
    "is-finite",
    lambda inst, args, env: np.isfinite(args[0]),
    lambda inst, dts, a: f"({c.wt(dts[0])}.eq ({c.wt(dts[0])}.sub {a[0]} {a[0]}) ({c.wt(dts[0])}.const 0))",
    check=_isfinite_check,
    dts=FLOATS,
)

# ---- compare, select, clamp --------------------------------------------------------------

_NP_CMP = {"EQ": np.equal, "NE": np.not_equal, "LT": np.less, "LE": np.less_equal,
           "GT": np.greater, "GE": np.greater_equal}
_WASM_CMP = {"EQ": "eq", "NE": "ne", "LT": "lt", "LE": "le", "GT": "gt", "GE": "ge"}


def _total_key_np(x):
    """Maps floats to signed ints whose order is HLO's total order (-NaN < -inf < ... < NaN)."""
    ity = np.int32 if x.dtype.itemsize == 4 else np.int64
    i = x.view(ity)
    bits = 8 * x.dtype.itemsize
    mask = ((i >> (bits - 1)).astype(ity).view(f"u{x.dtype.itemsize}") >> 1).view(ity)
    return i ^ mask


def _cmp_ref(inst, args, env):
    a, b = args
    if inst.attr("type") == "TOTALORDER" and a.dtype.kind == "f":
        a, b = _total_key_np(a), _total_key_np(b)
    return _NP_CMP[inst.attr("direction")](a, b)


def _total_key(t: str, x: str) -> str:
    ity = "i32" if t == "f32" else "i64"
    bits = 31 if t == "f32" else 63
    i = f"({ity}.reinterpret_{t} {x})"
    return f"({ity}.xor {i} ({ity}.shr_u ({ity}.shr_s {i} ({ity}.const {bits})) ({ity}.const 1)))"


def _cmp_scalar(inst, dts, a):
    d = dts[0]
    t = c.wt(d)
    op = _WASM_CMP[inst.attr("direction")]
    x, y = a
    if dtypes.get(d).is_float:
        if inst.attr("type") == "TOTALORDER":
            ity = "i32" if t == "f32" else "i64"
            sfx = "" if op in ("eq", "ne") else "_s"
            return f"({ity}.{op}{sfx} {_total_key(t, x)} {_total_key(t, y)})"
        return f"({t}.{op} {x} {y})"
    sfx = "" if op in ("eq", "ne") else ("_s" if _kind(d) == "signed" else "_u")
    return f"({t}.{op}{sfx} {x} {y})"


def _cmp_simd(inst, dts, a):
    if inst.attr("type") == "TOTALORDER":
        return None
    return f"(f32x4.{_WASM_CMP[inst.attr('direction')]} {a[0]} {a[1]})"


def _cmp_check(inst, shapes):
    c.require(inst.shape.dtype == "pred", "compare returns pred")
    c.require(inst.attr("direction") in _NP_CMP, f"bad direction {inst.attr('direction')}")
    c.require(shapes[0].dtype == shapes[1].dtype, "compare operands differ in dtype")
    c.require(shapes[0].dims == shapes[1].dims == inst.shape.dims, "compare dims differ")


_reg("compare", _cmp_ref, _cmp_scalar, _cmp_simd, check=_cmp_check, dts=_NUM + ("pred",))


def _select_check(inst, shapes):
    p, a, b = shapes
    c.require(p.dtype == "pred", "select predicate must be pred")
    c.require(a.dtype == b.dtype == inst.shape.dtype, "select branches differ in dtype")
    c.require(p.dims in (inst.shape.dims, ()), "select predicate dims")


def _select_simd(inst, dts, a):
    # The predicate is a lane mask (from an f32x4 compare) or a splat pred scalar.
    return f"(v128.bitselect {a[1]} {a[2]} {a[0]})"


_reg(
    "select",
    lambda inst, args, env: np.where(args[0], args[1], args[2]).astype(args[1].dtype),
    lambda inst, dts, a: f"(select {a[1]} {a[2]} {a[0]})",
    _select_simd,
    check=_select_check,
    dts=_NUM + ("pred",),
)


def _clamp_ref(inst, args, env):
    lo, x, hi = args
    if x.dtype.kind == "f":
        return np.minimum(np.maximum(x, lo), hi).astype(x.dtype)
    return np.minimum(np.maximum(x, lo), hi).astype(x.dtype)


def _clamp_scalar(inst, dts, a):
    lo, x, hi = a
    d, t = inst.shape.dtype, _t(inst)
    if dtypes.get(d).is_float:
        return f"({t}.min ({t}.max {x} {lo}) {hi})"
    s = "s" if _kind(d) == "signed" else "u"
    # Evaluate max(x, lo) once through a nested select on arguments (locals or constants).
    mx = f"(select {x} {lo} ({t}.gt_{s} {x} {lo}))"
    return f"(select {hi} {mx} ({t}.gt_{s} {mx} {hi}))"


def _clamp_check(inst, shapes):
    lo, x, hi = shapes
    c.require(lo.dtype == x.dtype == hi.dtype == inst.shape.dtype, "clamp dtypes differ")
    c.require(lo.dims in ((), x.dims) and hi.dims in ((), x.dims), "clamp bounds dims")


_reg(
    "clamp",
    _clamp_ref,
    _clamp_scalar,
    lambda i, d, a: f"(f32x4.min (f32x4.max {a[1]} {a[0]}) {a[2]})",
    check=_clamp_check,
)
