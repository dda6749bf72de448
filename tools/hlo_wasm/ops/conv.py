"""Lowering of `convolution` as `jax.lax.conv_general_dilated` emits it.

convolution as `jax.lax.conv_general_dilated` emits it: any dim_labels, strides, padding
(negative crops), lhs/rhs dilation and feature groups (batch_group_count must be 1; a window
with `rhs_reversal` is rejected).

f32 fast path (`ops/conv_simd.py`): when the output's feature dim and the filter's output
feature dim are both minor-most (NHWC/HWIO and their 1-D/3-D forms; any batch/spatial order),
each output position runs blocks of up to 8 f32x4 accumulators (scalar ones for a remainder
of features that is not a multiple of 4) over its valid window range, computed once per
position instead of a bounds check per tap; depthwise convolutions multiply input and filter
feature vectors lane-wise.

Generic kernel (everything else: f64, NCHW outputs, OIHW filters, ...): for every output
element, loops over the kernel window and the group's input features, skipping taps that fall
into padding or between dilated input elements.
"""

import re

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.ops import conv_simd
from tools.hlo_wasm.ops.reduce import parse_window

_FAMILY = "conv"


def parse_labels(text: str):
    """`b01f_01io->b01f` -> (lhs, rhs, out) label strings."""
    lhs_rhs, out = text.split("->")
    lhs, rhs = lhs_rhs.split("_")
    return lhs, rhs, out


def _spatial(labels: str) -> list[int]:
    """Positions of spatial dims 0, 1, ... in a label string."""
    digits = sorted((ch, i) for i, ch in enumerate(labels) if ch.isdigit())
    return [i for _, i in digits]


def geometry(inst, rhs_dims) -> conv_simd.Geometry:
    """The layout, window and grouping of convolution `inst` with filter dims `rhs_dims`."""
    lhs_l, rhs_l, out_l = parse_labels(inst.attr("dim_labels"))
    g = inst.attr("feature_group_count", 1)
    return conv_simd.Geometry(
        lhs_l=lhs_l,
        rhs_l=rhs_l,
        out_l=out_l,
        ls=tuple(_spatial(lhs_l)),
        rs=tuple(_spatial(rhs_l)),
        os=tuple(_spatial(out_l)),
        window=parse_window(inst.attr("window"), len(_spatial(lhs_l))),
        groups=g,
        cin=rhs_dims[rhs_l.index("i")],
        per_group=rhs_dims[rhs_l.index("o")] // g,
    )


def _ref(inst, args, env):
    lhs, rhs = args
    geo = geometry(inst, rhs.shape)
    lhs_l, rhs_l, out_l, w = geo.lhs_l, geo.rhs_l, geo.out_l, geo.window
    ls, rs, os_ = geo.ls, geo.rs, geo.os
    out = np.zeros(inst.shape.dims, np.float64 if lhs.dtype.kind == "f" else lhs.dtype)
    cin, per_group = geo.cin, geo.per_group
    for o in np.ndindex(*out.shape):
        b, f = o[out_l.index("b")], o[out_l.index("f")]
        grp = f // per_group
        acc = 0.0
        for kw in np.ndindex(*[rhs.shape[d] for d in rs]):
            pos = []
            for s in range(len(ls)):
                p = o[os_[s]] * w["stride"][s] + kw[s] * w["rhs_dilate"][s] - w["pad"][s][0]
                if p < 0 or p % w["lhs_dilate"][s]:
                    break
                p //= w["lhs_dilate"][s]
                if p >= lhs.shape[ls[s]]:
                    break
                pos.append(p)
            else:
                for i in range(cin):
                    li = [0] * lhs.ndim
                    li[lhs_l.index("b")], li[lhs_l.index("f")] = b, grp * cin + i
                    for s, p in enumerate(pos):
                        li[ls[s]] = p
                    ri = [0] * rhs.ndim
                    ri[rhs_l.index("i")], ri[rhs_l.index("o")] = i, f
                    for s, kv in enumerate(kw):
                        ri[rs[s]] = kv
                    acc += float(lhs[tuple(li)]) * float(rhs[tuple(ri)])
        out[o] = acc
    return out.astype(c.npdt(inst.shape.dtype))


def _kernel(k, inst):
    geo = geometry(inst, k.ins[1].shape.dims)
    if not conv_simd.emit(k, geo):
        _generic(k, geo)


def _generic(k, geo: conv_simd.Geometry) -> None:
    """The scalar kernel: one accumulator per output element, a bounds check per tap."""
    lhs, rhs = k.ins
    out = k.out
    lhs_l, rhs_l, out_l, w = geo.lhs_l, geo.rhs_l, geo.out_l, geo.window
    ls, rs, os_ = geo.ls, geo.rs, geo.os
    cin, per_group = geo.cin, geo.per_group
    t = c.wt(out.shape.dtype)
    acc = k.local(t, "acc")

    def per_out(o):
        k.emit(f"(local.set {acc} ({t}.const 0))")
        f = o[out_l.index("f")]
        cbase = k.set(
            "i32",
            f"(i32.mul (i32.div_u {f} (i32.const {per_group})) (i32.const {cin}))",
            "cbase",
        )

        def per_tap(kw):
            conds, pos = [], []
            for s in range(len(ls)):
                e = (
                    f"(i32.sub (i32.add (i32.mul {o[os_[s]]} (i32.const {w['stride'][s]})) "
                    f"(i32.mul {kw[s]} (i32.const {w['rhs_dilate'][s]}))) (i32.const {w['pad'][s][0]}))"
                )
                if w["lhs_dilate"][s] > 1:
                    conds.append(f"(i32.eqz (i32.rem_s {e} (i32.const {w['lhs_dilate'][s]})))")
                    e = f"(i32.div_s {e} (i32.const {w['lhs_dilate'][s]}))"
                p = k.set("i32", e, "p")
                conds.append(f"(i32.lt_u {p} (i32.const {lhs.shape.dims[ls[s]]}))")
                pos.append(p)
            cond = "(i32.const 1)"
            for cc in conds:
                cond = f"(i32.and {cond} {cc})"
            k.emit(f"(if {cond} (then")
            k.fb.depth += 1

            def per_in(ci):
                li = [None] * lhs.shape.rank
                li[lhs_l.index("b")] = o[out_l.index("b")]
                li[lhs_l.index("f")] = f"(i32.add {cbase} {ci[0]})"
                for s, p in enumerate(pos):
                    li[ls[s]] = p
                ri = [None] * rhs.shape.rank
                ri[rhs_l.index("i")], ri[rhs_l.index("o")] = ci[0], f
                for s, kv in enumerate(kw):
                    ri[rs[s]] = kv
                prod = f"({t}.mul {load(lhs, linear(li, lhs.shape.dims))} {load(rhs, linear(ri, rhs.shape.dims))})"
                k.emit(f"(local.set {acc} {c.norm(out.shape.dtype, f'({t}.add (local.get {acc}) {prod})')})")

            k.nest([cin], per_in, "c")
            k.fb.depth -= 1
            k.emit("))")

        k.nest([rhs.shape.dims[d] for d in rs], per_tap, "kw")
        k.emit(store(out, linear(o, out.shape.dims), f"(local.get {acc})"))

    k.nest(out.shape.dims, per_out, "o")


def _check(inst, shapes):
    c.require(inst.attr("batch_group_count", 1) == 1, "batch_group_count > 1 is not supported")
    c.require(shapes[0].dtype == shapes[1].dtype, "convolution operand dtypes differ")
    # XLA's window dims may reverse the filter (`rhs_reversal=1x0`); JAX never emits it.
    c.require(not re.search(r"rhs_reversal=[0x]*1", inst.attr("window") or ""), "window rhs_reversal is not supported")
    parse_labels(inst.attr("dim_labels"))


registry.register(registry.OpDef("convolution", _FAMILY, _check, _ref, kernel=_kernel, dtypes=c.FLOATS))
