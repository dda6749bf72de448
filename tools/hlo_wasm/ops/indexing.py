"""Indexing ops: dynamic-slice, dynamic-update-slice, gather, scatter.

Start indices are clamped into range as HLO specifies for dynamic-slice/-update-slice and
gather. Scatter skips an update whose whole window does not fit in the operand (XLA's CPU
behaviour); JAX's own clipping/dropping modes are already explicit ops in the HLO.
"""

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import leaves

_FAMILY = "indexing"
_DTS = c.FLOATS + c.INTS + ("pred",)


def _as_i32(leaf, index="(i32.const 0)"):
    e = load(leaf, index)
    return f"(i32.wrap_i64 {e})" if c.wt(leaf.shape.dtype) == "i64" else e


def _clamp(k, e, hi):
    v = k.set("i32", e, "st")
    v = k.set("i32", f"(select (i32.const 0) {v} (i32.lt_s {v} (i32.const 0)))", "st")
    return k.set("i32", f"(select (i32.const {hi}) {v} (i32.gt_s {v} (i32.const {hi})))", "st")


def _add(a, b):
    return f"(i32.add {a} {b})"


# ---- dynamic-slice / dynamic-update-slice ------------------------------------------------


def _ds_ref(inst, args, env):
    x, starts = args[0], [int(s) for s in args[1:]]
    sizes = inst.attr("dynamic_slice_sizes")
    st = [min(max(s, 0), n - z) for s, n, z in zip(starts, x.shape, sizes)]
    return x[tuple(slice(s, s + z) for s, z in zip(st, sizes))].copy()


def _ds_kernel(k, inst):
    src, starts, out = k.ins[0], k.ins[1:], k.out
    sizes = inst.attr("dynamic_slice_sizes")
    st = [_clamp(k, _as_i32(s), n - z) for s, n, z in zip(starts, src.shape.dims, sizes)]
    k.nest(out.shape.dims, lambda idx: k.emit(store(
        out, linear(idx, out.shape.dims),
        load(src, linear([_add(i, s) for i, s in zip(idx, st)], src.shape.dims)))))


def _ds_check(inst, shapes):
    c.require(tuple(inst.attr("dynamic_slice_sizes")) == inst.shape.dims, "dynamic-slice sizes")
    c.require(len(shapes) == 1 + shapes[0].rank, "dynamic-slice needs one start per dim")


registry.register(registry.OpDef("dynamic-slice", _FAMILY, _ds_check, _ds_ref, kernel=_ds_kernel,
                                 dtypes=_DTS))


def _dus_ref(inst, args, env):
    x, u, starts = args[0].copy(), args[1], [int(s) for s in args[2:]]
    st = [min(max(s, 0), n - z) for s, n, z in zip(starts, x.shape, u.shape)]
    x[tuple(slice(s, s + z) for s, z in zip(st, u.shape))] = u
    return x


def _dus_kernel(k, inst):
    src, upd, starts, out = k.ins[0], k.ins[1], k.ins[2:], k.out
    k.copy(out, src)
    st = [_clamp(k, _as_i32(s), n - z) for s, n, z in zip(starts, src.shape.dims, upd.shape.dims)]
    k.nest(upd.shape.dims, lambda idx: k.emit(store(
        out, linear([_add(i, s) for i, s in zip(idx, st)], out.shape.dims),
        load(upd, linear(idx, upd.shape.dims)))))


registry.register(registry.OpDef(
    "dynamic-update-slice", _FAMILY,
    lambda inst, shapes: c.require(shapes[0] == inst.shape, "dynamic-update-slice shape"),
    _dus_ref, kernel=_dus_kernel, dtypes=_DTS))

# ---- gather ------------------------------------------------------------------------------


def _gather_dims(inst):
    return (inst.attr("offset_dims", ()), inst.attr("collapsed_slice_dims", ()),
            inst.attr("start_index_map", ()), inst.attr("index_vector_dim"),
            inst.attr("slice_sizes", ()))


def _index_vector(ind_shape, ivd, g, count):
    """Index tuples into the indices array for each component of the start vector."""
    out = []
    for j in range(count):
        if ivd == len(ind_shape):
            out.append(tuple(g))
        else:
            out.append(tuple(g[:ivd]) + (j,) + tuple(g[ivd:]))
    return out


def _gather_ref(inst, args, env):
    x, ind = args
    offset_dims, collapsed, sim, ivd, sizes = _gather_dims(inst)
    out = np.empty(inst.shape.dims, x.dtype)
    batch = [d for d in range(out.ndim) if d not in offset_dims]
    obd, ibd = _batching(inst, "operand_batching_dims", "start_indices_batching_dims", ivd)
    window = [d for d in range(x.ndim) if d not in collapsed and d not in obd]
    for o in np.ndindex(*out.shape):
        g = [o[d] for d in batch]
        start = [0] * x.ndim
        for d, gi in zip(obd, ibd):
            start[d] = g[gi]
        for j, pos in enumerate(_index_vector(ind.shape, ivd, g, len(sim))):
            d = sim[j]
            start[d] = min(max(int(ind[pos]), 0), x.shape[d] - sizes[d])
        full = list(start)
        for d, od in zip(window, offset_dims):
            full[d] += o[od]
        out[o] = x[tuple(full)]
    return out


def _batching(inst, operand_key, indices_key, ivd):
    """Operand batching dims and, for each, its position among the indices' batch dims."""
    ob = inst.attr(operand_key, ())
    ib = [d if d < ivd else d - 1 for d in inst.attr(indices_key, ())]
    return ob, ib


def _gather_kernel(k, inst):
    src, ind = k.ins
    out = k.out
    offset_dims, collapsed, sim, ivd, sizes = _gather_dims(inst)
    batch = [d for d in range(out.shape.rank) if d not in offset_dims]
    obd, ibd = _batching(inst, "operand_batching_dims", "start_indices_batching_dims", ivd)
    window = [d for d in range(src.shape.rank) if d not in collapsed and d not in obd]

    def body(o):
        g = [o[d] for d in batch]
        full = ["(i32.const 0)"] * src.shape.rank
        for d, gi in zip(obd, ibd):
            full[d] = g[gi]
        for j, pos in enumerate(_index_vector(ind.shape.dims, ivd, g, len(sim))):
            d = sim[j]
            pos = [p if isinstance(p, str) else f"(i32.const {p})" for p in pos]
            full[d] = _clamp(k, _as_i32(ind, linear(pos, ind.shape.dims)), src.shape.dims[d] - sizes[d])
        for d, od in zip(window, offset_dims):
            full[d] = _add(full[d], o[od])
        k.emit(store(out, linear(o, out.shape.dims), load(src, linear(full, src.shape.dims))))

    k.nest(out.shape.dims, body)


def _gather_check(inst, shapes):
    c.require(shapes[0].dtype == inst.shape.dtype, "gather dtype")


registry.register(registry.OpDef("gather", _FAMILY, _gather_check, _gather_ref,
                                 kernel=_gather_kernel, dtypes=_DTS))

# ---- scatter -----------------------------------------------------------------------------


def _scatter_dims(inst):
    return (inst.attr("update_window_dims", ()), inst.attr("inserted_window_dims", ()),
            inst.attr("scatter_dims_to_operand_dims", ()), inst.attr("index_vector_dim"))


def _scatter_ref(inst, args, env):
    x, ind, upd = args[0].copy(), args[1], args[2]
    uwd, inserted, sdod, ivd = _scatter_dims(inst)
    scat = [d for d in range(upd.ndim) if d not in uwd]
    obd, ibd = _batching(inst, "input_batching_dims", "scatter_indices_batching_dims", ivd)
    window = [d for d in range(x.ndim) if d not in inserted and d not in obd]
    wsize = [1] * x.ndim
    for d, ud in zip(window, uwd):
        wsize[d] = upd.shape[ud]
    for u in np.ndindex(*upd.shape):
        g = [u[d] for d in scat]
        start = [0] * x.ndim
        for d, gi in zip(obd, ibd):
            start[d] = g[gi]
        for j, pos in enumerate(_index_vector(ind.shape, ivd, g, len(sdod))):
            start[sdod[j]] = int(ind[pos])
        if any(s < 0 or s + w > n for s, w, n in zip(start, wsize, x.shape)):
            continue
        full = list(start)
        for d, ud in zip(window, uwd):
            full[d] += u[ud]
        full = tuple(full)
        x[full] = env.call(inst.called[0], [np.asarray(x[full]), np.asarray(upd[u])])
    return x


def _scatter_kernel(k, inst):
    src, ind, upd = k.ins
    out = leaves(k.out)[0]
    uwd, inserted, sdod, ivd = _scatter_dims(inst)
    scat = [d for d in range(upd.shape.rank) if d not in uwd]
    obd, ibd = _batching(inst, "input_batching_dims", "scatter_indices_batching_dims", ivd)
    window = [d for d in range(src.shape.rank) if d not in inserted and d not in obd]
    wsize = [1] * src.shape.rank
    for d, ud in zip(window, uwd):
        wsize[d] = upd.shape.dims[ud]
    k.copy(out, src)
    dt = out.shape.dtype

    def body(u):
        g = [u[d] for d in scat]
        full = ["(i32.const 0)"] * src.shape.rank
        for d, gi in zip(obd, ibd):
            full[d] = g[gi]
        ok = "(i32.const 1)"
        for j, pos in enumerate(_index_vector(ind.shape.dims, ivd, g, len(sdod))):
            d = sdod[j]
            pos = [p if isinstance(p, str) else f"(i32.const {p})" for p in pos]
            s = k.set("i32", _as_i32(ind, linear(pos, ind.shape.dims)), "st")
            ok = f"(i32.and {ok} (i32.le_u {s} (i32.const {src.shape.dims[d] - wsize[d]})))"
            full[d] = s
        for d, ud in zip(window, uwd):
            full[d] = _add(full[d], u[ud])
        k.emit(f"(if {ok} (then")
        k.fb.depth += 1
        at = k.set("i32", linear(full, src.shape.dims), "at")
        r = k.scalar_comp(inst.called[0], [(load(out, at), dt),
                                           (load(upd, linear(u, upd.shape.dims)), dt)])[0][0]
        k.emit(store(out, at, r))
        k.fb.depth -= 1
        k.emit("))")

    k.nest(upd.shape.dims, body)


def _scatter_check(inst, shapes):
    c.require(len(shapes) == 3, "only single-operand scatter is supported")
    c.require(shapes[0] == inst.shape, "scatter result shape")


registry.register(registry.OpDef("scatter", _FAMILY, _scatter_check, _scatter_ref,
                                 kernel=_scatter_kernel, dtypes=c.FLOATS + ("s32",)))
