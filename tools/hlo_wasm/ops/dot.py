"""dot with general batch/contracting dimensions (`jax.lax.dot_general`).

Generic kernel: for every output element, a loop over the contracting dims accumulates in the
result's compute type. Fast path (f32, one contracting dim, no batch dims, rhs free dims
contiguous and a multiple of 4): i-k-j order with an f32x4 inner loop over output columns, so a
row of the result is updated by vector FMA-shaped mul+add (the slot where issue 7's
register-blocked microkernel goes).
"""

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c

_FAMILY = "dot"


def _dims(inst):
    return (inst.attr("lhs_batch_dims", ()), inst.attr("lhs_contracting_dims", ()),
            inst.attr("rhs_batch_dims", ()), inst.attr("rhs_contracting_dims", ()))


def _free(rank, batch, contract):
    return [d for d in range(rank) if d not in batch and d not in contract]


def _check(inst, shapes):
    lhs, rhs = shapes
    lb, lc, rb, rc = _dims(inst)
    c.require(lhs.dtype == rhs.dtype, f"dot operand dtypes differ: {lhs.dtype} vs {rhs.dtype}")
    c.require([lhs.dims[d] for d in lc] == [rhs.dims[d] for d in rc], "dot contracting sizes")
    c.require([lhs.dims[d] for d in lb] == [rhs.dims[d] for d in rb], "dot batch sizes")
    want = ([lhs.dims[d] for d in lb] + [lhs.dims[d] for d in _free(lhs.rank, lb, lc)]
            + [rhs.dims[d] for d in _free(rhs.rank, rb, rc)])
    c.require(tuple(want) == inst.shape.dims, f"dot result dims {inst.shape.dims}, expected {want}")


def _ref(inst, args, env):
    lhs, rhs = args
    lb, lc, rb, rc = _dims(inst)
    lf, rf = _free(lhs.ndim, lb, lc), _free(rhs.ndim, rb, rc)
    acc = np.float64 if lhs.dtype.kind == "f" else lhs.dtype
    a = np.transpose(lhs, list(lb) + lf + list(lc)).astype(acc)
    b = np.transpose(rhs, list(rb) + list(rc) + rf).astype(acc)
    nb = int(np.prod([lhs.shape[d] for d in lb])) if lb else 1
    nk = int(np.prod([lhs.shape[d] for d in lc])) if lc else 1
    a = a.reshape(nb, -1, nk)
    b = b.reshape(nb, nk, -1)
    with np.errstate(all="ignore"):
        r = np.matmul(a, b)
    return r.reshape(inst.shape.dims).astype(c.npdt(inst.shape.dtype))


def _convert(e, src, dst):
    if src == dst:
        return e
    if (c.wt(src), c.wt(dst)) == ("f32", "f64"):
        return f"(f64.promote_f32 {e})"
    if (c.wt(src), c.wt(dst)) == ("f64", "f32"):
        return f"(f32.demote_f64 {e})"
    return e


def _simd_rows(k, lhs, rhs, out, m, kk, n):
    """out[m,n] = lhs[m,kk] @ rhs[kk,n], i-k-j with an f32x4 loop over n (n % 4 == 0)."""
    row = k.local("i32", "row")

    def per_i(i):
        k.emit(f"(local.set {row} (i32.mul {i} (i32.const {n})))")
        k.loop(n // 4, lambda j: k.emit(
            f"(v128.store offset={out.offset} (i32.shl (i32.add (local.get {row}) "
            f"(i32.shl {j} (i32.const 2))) (i32.const 2)) (v128.const i32x4 0 0 0 0))"), "z")

        def per_k(p):
            a = k.set("v128", f"(f32x4.splat {load(lhs, f'(i32.add (i32.mul {i} (i32.const {kk})) {p})')})", "a")
            rrow = k.set("i32", f"(i32.mul {p} (i32.const {n}))", "rrow")

            def per_j(j):
                j4 = f"(i32.shl {j} (i32.const 2))"
                oa = f"(i32.shl (i32.add (local.get {row}) {j4}) (i32.const 2))"
                ra = f"(i32.shl (i32.add {rrow} {j4}) (i32.const 2))"
                k.emit(f"(v128.store offset={out.offset} {oa} (f32x4.add (v128.load offset={out.offset} {oa}) "
                       f"(f32x4.mul {a} (v128.load offset={rhs.offset} {ra}))))")

            k.loop(n // 4, per_j, "j")

        k.loop(kk, per_k, "k")

    k.loop(m, per_i, "i")


def _kernel(k, inst):
    lhs, rhs = k.ins
    out = k.out
    lb, lc, rb, rc = _dims(inst)
    lf, rf = _free(lhs.shape.rank, lb, lc), _free(rhs.shape.rank, rb, rc)
    dt = out.shape.dtype
    if (dt == lhs.shape.dtype == "f32" and not lb and len(lc) == 1 and lhs.shape.rank == 2
            and rhs.shape.rank == 2 and lc == (1,) and rc == (0,) and rhs.shape.dims[1] % 4 == 0):
        m, kk = lhs.shape.dims
        _simd_rows(k, lhs, rhs, out, m, kk, rhs.shape.dims[1])
        return
    t = c.wt(dt)
    acc = k.local(t, "acc")
    nb = len(lb)

    def per_out(oidx):
        k.emit(f"(local.set {acc} ({t}.const 0))")
        bidx, lidx, ridx = oidx[:nb], oidx[nb:nb + len(lf)], oidx[nb + len(lf):]

        def per_k(kidx):
            li, ri = [None] * lhs.shape.rank, [None] * rhs.shape.rank
            for d, v in zip(lb, bidx):
                li[d] = v
            for d, v in zip(rb, bidx):
                ri[d] = v
            for d, v in zip(lf, lidx):
                li[d] = v
            for d, v in zip(rf, ridx):
                ri[d] = v
            for d, v in zip(lc, kidx):
                li[d] = v
            for d, v in zip(rc, kidx):
                ri[d] = v
            a = _convert(load(lhs, linear(li, lhs.shape.dims)), lhs.shape.dtype, dt)
            b = _convert(load(rhs, linear(ri, rhs.shape.dims)), rhs.shape.dtype, dt)
            prod = f"({t}.mul {a} {b})"
            if dt == "pred":
                prod = f"(i32.and {a} {b})"
                k.emit(f"(local.set {acc} (i32.or (local.get {acc}) {prod}))")
            else:
                k.emit(f"(local.set {acc} {c.norm(dt, f'({t}.add (local.get {acc}) {prod})')})")

        k.nest([lhs.shape.dims[d] for d in lc], per_k, "k")
        k.emit(store(out, linear(oidx, out.shape.dims), f"(local.get {acc})"))

    k.nest(out.shape.dims, per_out, "o")


registry.register(registry.OpDef("dot", _FAMILY, _check, _ref, kernel=_kernel,
                                 dtypes=c.FLOATS + ("s32", "s64", "u32")))
