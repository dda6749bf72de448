"""Data-movement ops: broadcast, reshape, bitcast, transpose, slice, concatenate, pad, reverse,
iota, copy. Each kernel loops over one index space and moves elements by computed addresses."""

import re

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c

_FAMILY = "shape"
_ALL = c.ALL + ("bf16", "f16")


def _reg(name, check, reference, kernel=None, alias=False, dts=_ALL):
    registry.register(
        registry.OpDef(name, _FAMILY, check, reference, kernel=kernel, alias=alias, dtypes=dts)
    )


def _same_dtype(inst, shapes):
    c.require(all(s.dtype == inst.shape.dtype for s in shapes), "operand dtype differs from result")


def _add(a: str, b: int) -> str:
    return a if b == 0 else f"(i32.add {a} (i32.const {b}))"


# ---- broadcast ---------------------------------------------------------------------------


def _bcast_check(inst, shapes):
    _same_dtype(inst, shapes)
    dims = inst.attr("dimensions", ())
    c.require(len(dims) == shapes[0].rank, "broadcast dimensions must list every operand dim")
    for i, d in enumerate(dims):
        c.require(shapes[0].dims[i] == inst.shape.dims[d], "broadcast dim size mismatch")


def _bcast_ref(inst, args, env):
    x = args[0]
    dims = inst.attr("dimensions", ())
    shape = [1] * inst.shape.rank
    for i, d in enumerate(dims):
        shape[d] = x.shape[i]
    order = np.argsort(dims) if dims else []
    x = np.transpose(x, order) if len(dims) > 1 else x
    return np.broadcast_to(x.reshape(shape), inst.shape.dims).copy()


def _bcast_kernel(k, inst):
    (src,), out = k.ins, k.out
    dims = inst.attr("dimensions", ())

    def body(idx):
        i = linear([idx[d] for d in dims], src.shape.dims)
        k.emit(store(out, linear(idx, out.shape.dims), load(src, i)))

    k.nest(out.shape.dims, body)


_reg("broadcast", _bcast_check, _bcast_ref, _bcast_kernel)

# ---- reshape, bitcast, copy --------------------------------------------------------------


def _reshape_check(inst, shapes):
    _same_dtype(inst, shapes)
    c.require(shapes[0].size == inst.shape.size, "reshape changes the element count")


_reg("reshape", _reshape_check, lambda i, a, e: a[0].reshape(i.shape.dims), alias=True)
_reg("bitcast", _reshape_check, lambda i, a, e: a[0].reshape(i.shape.dims), alias=True)


def _copy_kernel(k, inst):
    k.copy(k.out, k.ins[0])


_reg("copy", _reshape_check, lambda i, a, e: a[0].copy(), _copy_kernel)

# ---- transpose ---------------------------------------------------------------------------


def _transpose_check(inst, shapes):
    _same_dtype(inst, shapes)
    perm = inst.attr("dimensions")
    c.require(sorted(perm) == list(range(shapes[0].rank)), "transpose needs a permutation")
    c.require(tuple(shapes[0].dims[p] for p in perm) == inst.shape.dims, "transpose dims")


def _transpose_kernel(k, inst):
    (src,), out = k.ins, k.out
    perm = inst.attr("dimensions")

    def body(idx):
        in_idx = [None] * len(perm)
        for i, p in enumerate(perm):
            in_idx[p] = idx[i]
        k.emit(store(out, linear(idx, out.shape.dims), load(src, linear(in_idx, src.shape.dims))))

    k.nest(out.shape.dims, body)


_reg("transpose", _transpose_check, lambda i, a, e: np.transpose(a[0], i.attr("dimensions")).copy(),
     _transpose_kernel)

# ---- slice -------------------------------------------------------------------------------


def parse_slice(text: str) -> list[tuple[int, int, int]]:
    """`{[0:1], [2:10:2]}` -> [(0, 1, 1), (2, 10, 2)]."""
    out = []
    for m in re.finditer(r"\[(-?\d+):(-?\d+)(?::(-?\d+))?\]", text):
        out.append((int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)))
    return out


def _slice_check(inst, shapes):
    _same_dtype(inst, shapes)
    sl = parse_slice(inst.attr("slice"))
    c.require(len(sl) == shapes[0].rank, "slice rank")
    want = tuple(max(0, -(-(b - a) // s)) for a, b, s in sl)
    c.require(want == inst.shape.dims, f"slice result dims {want} != {inst.shape.dims}")


def _slice_ref(inst, args, env):
    sl = parse_slice(inst.attr("slice"))
    return args[0][tuple(slice(a, b, s) for a, b, s in sl)].copy()


def _slice_kernel(k, inst):
    (src,), out = k.ins, k.out
    sl = parse_slice(inst.attr("slice"))

    def body(idx):
        in_idx = []
        for i, (a, _, s) in zip(idx, sl):
            in_idx.append(_add(i if s == 1 else f"(i32.mul {i} (i32.const {s}))", a))
        k.emit(store(out, linear(idx, out.shape.dims), load(src, linear(in_idx, src.shape.dims))))

    k.nest(out.shape.dims, body)


_reg("slice", _slice_check, _slice_ref, _slice_kernel)

# ---- concatenate -------------------------------------------------------------------------


def _concat_check(inst, shapes):
    _same_dtype(inst, shapes)
    d = inst.attr("dimensions")[0]
    c.require(sum(s.dims[d] for s in shapes) == inst.shape.dims[d], "concatenate dim sizes")


def _concat_kernel(k, inst):
    out = k.out
    d = inst.attr("dimensions")[0]
    base = 0
    for src in k.ins:

        def body(idx, src=src, base=base):
            o = list(idx)
            o[d] = _add(o[d], base)
            k.emit(store(out, linear(o, out.shape.dims), load(src, linear(idx, src.shape.dims))))

        k.nest(src.shape.dims, body)
        base += src.shape.dims[d]


_reg("concatenate", _concat_check,
     lambda i, a, e: np.concatenate(a, axis=i.attr("dimensions")[0]), _concat_kernel)

# ---- pad ---------------------------------------------------------------------------------


def parse_padding(text: str) -> list[tuple[int, int, int]]:
    """`0_0x1_2_1` -> [(0, 0, 0), (1, 2, 1)] as (low, high, interior)."""
    out = []
    for part in text.split("x"):
        nums = [int(v) for v in part.split("_")]
        out.append((nums[0], nums[1], nums[2] if len(nums) > 2 else 0))
    return out


def _pad_ref(inst, args, env):
    x, v = args
    cfg = parse_padding(inst.attr("padding")) if x.ndim else []
    out = np.full(inst.shape.dims, v, dtype=x.dtype)
    # Place with interior padding into a big array, then crop negative edges.
    big_dims = [max(0, n + (n - 1) * it) + max(lo, 0) + max(hi, 0) if n else max(lo, 0) + max(hi, 0)
                for n, (lo, hi, it) in zip(x.shape, cfg)]
    big = np.full(big_dims, v, dtype=x.dtype)
    idx = tuple(slice(max(lo, 0), max(lo, 0) + (n - 1) * (it + 1) + 1 if n else max(lo, 0), it + 1)
                for n, (lo, hi, it) in zip(x.shape, cfg))
    big[idx] = x
    crop = tuple(slice(max(-lo, 0), max(-lo, 0) + o) for (lo, hi, it), o in zip(cfg, inst.shape.dims))
    out[...] = big[crop]
    return out


def _pad_check(inst, shapes):
    _same_dtype(inst, shapes)
    cfg = parse_padding(inst.attr("padding")) if shapes[0].rank else []
    want = tuple(lo + hi + n + max(n - 1, 0) * it for n, (lo, hi, it) in zip(shapes[0].dims, cfg))
    c.require(want == inst.shape.dims, f"pad result dims {want} != {inst.shape.dims}")


def _pad_kernel(k, inst):
    (src, val), out = k.ins, k.out
    cfg = parse_padding(inst.attr("padding")) if src.shape.rank else []
    v = k.set(c.wt(out.shape.dtype), load(val, "(i32.const 0)"), "pad")
    k.loop(out.shape.size, lambda i: k.emit(store(out, i, v)))

    def body(idx):
        o, conds = [], []
        for i, (lo, _, it), n in zip(idx, cfg, out.shape.dims):
            e = _add(i if it == 0 else f"(i32.mul {i} (i32.const {it + 1}))", lo)
            o.append(e)
            conds.append(f"(i32.lt_u {e} (i32.const {n}))")
        st = store(out, linear(o, out.shape.dims), load(src, linear(idx, src.shape.dims)))
        cond = conds[0] if conds else "(i32.const 1)"
        for cc in conds[1:]:
            cond = f"(i32.and {cond} {cc})"
        k.emit(f"(if {cond} (then {st}))")

    k.nest(src.shape.dims, body)


_reg("pad", _pad_check, _pad_ref, _pad_kernel)

# ---- reverse -----------------------------------------------------------------------------


def _reverse_kernel(k, inst):
    (src,), out = k.ins, k.out
    rev = set(inst.attr("dimensions", ()))

    def body(idx):
        in_idx = [
            f"(i32.sub (i32.const {n - 1}) {i})" if d in rev else i
            for d, (i, n) in enumerate(zip(idx, out.shape.dims))
        ]
        k.emit(store(out, linear(idx, out.shape.dims), load(src, linear(in_idx, src.shape.dims))))

    k.nest(out.shape.dims, body)


_reg("reverse", lambda i, s: c.check_same(i, s),
     lambda i, a, e: np.flip(a[0], i.attr("dimensions", ())).copy(), _reverse_kernel)

# ---- iota --------------------------------------------------------------------------------


def _iota_ref(inst, args, env):
    d = inst.attr("iota_dimension")
    shape = [1] * inst.shape.rank
    shape[d] = inst.shape.dims[d]
    r = np.arange(inst.shape.dims[d]).reshape(shape)
    return np.broadcast_to(r, inst.shape.dims).astype(c.npdt(inst.shape.dtype))


def _iota_kernel(k, inst):
    out = k.out
    d = inst.attr("iota_dimension")
    t = c.wt(out.shape.dtype)
    conv = {"i32": "{}", "i64": "(i64.extend_i32_u {})", "f32": "(f32.convert_i32_u {})",
            "f64": "(f64.convert_i32_u {})"}[t]
    k.nest(out.shape.dims, lambda idx: k.emit(store(out, linear(idx, out.shape.dims),
                                                    conv.format(idx[d]))))


_reg("iota", lambda i, s: c.require(i.attr("iota_dimension") < i.shape.rank, "iota dimension"),
     _iota_ref, _iota_kernel, dts=c.FLOATS + c.INTS)
