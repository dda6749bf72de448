"""dot with general batch/contracting dimensions (`jax.lax.dot_general`).

f32 dots whose dims reduce to one strided batch/m/n/k dim each run the register-blocked f32x4
GEMM of `ops/gemm.py` (any operand layout read in place, no copies). Everything else (other
dtypes, dims that do not merge) takes the generic kernel: for every output element, a loop
over the contracting dims accumulates in the result's compute type.
"""

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.ops import gemm

_FAMILY = "dot"


def _dims(inst):
    return (
        inst.attr("lhs_batch_dims", ()),
        inst.attr("lhs_contracting_dims", ()),
        inst.attr("rhs_batch_dims", ()),
        inst.attr("rhs_contracting_dims", ()),
    )


def _free(rank, batch, contract):
    return [d for d in range(rank) if d not in batch and d not in contract]


def _check(inst, shapes):
    lhs, rhs = shapes
    lb, lc, rb, rc = _dims(inst)
    c.require(lhs.dtype == rhs.dtype, f"dot operand dtypes differ: {lhs.dtype} vs {rhs.dtype}")
    c.require([lhs.dims[d] for d in lc] == [rhs.dims[d] for d in rc], "dot contracting sizes")
    c.require([lhs.dims[d] for d in lb] == [rhs.dims[d] for d in rb], "dot batch sizes")
    want = (
        [lhs.dims[d] for d in lb]
        + [lhs.dims[d] for d in _free(lhs.rank, lb, lc)]
        + [rhs.dims[d] for d in _free(rhs.rank, rb, rc)]
    )
    c.require(
        tuple(want) == inst.shape.dims,
        f"dot result dims {inst.shape.dims}, expected {want}",
    )


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


def _kernel(k, inst):
    lhs, rhs = k.ins
    out = k.out
    lb, lc, rb, rc = _dims(inst)
    lf, rf = _free(lhs.shape.rank, lb, lc), _free(rhs.shape.rank, rb, rc)
    dt = out.shape.dtype
    g = gemm.analyse(inst, lhs.shape, rhs.shape)
    if g is not None:
        gemm.emit(k, g, lhs, rhs, out)
        return
    t = c.wt(dt)
    acc = k.local(t, "acc")
    nb = len(lb)

    def per_out(oidx):
        k.emit(f"(local.set {acc} ({t}.const 0))")
        bidx, lidx, ridx = oidx[:nb], oidx[nb : nb + len(lf)], oidx[nb + len(lf) :]

        def per_k(kidx):
            li, ri = [None] * lhs.shape.rank, [None] * rhs.shape.rank
            for d, v in zip(lb, bidx, strict=False):
                li[d] = v
            for d, v in zip(rb, bidx, strict=False):
                ri[d] = v
            for d, v in zip(lf, lidx, strict=False):
                li[d] = v
            for d, v in zip(rf, ridx, strict=False):
                ri[d] = v
            for d, v in zip(lc, kidx, strict=False):
                li[d] = v
            for d, v in zip(rc, kidx, strict=False):
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


registry.register(
    registry.OpDef("dot", _FAMILY, _check, _ref, kernel=_kernel, dtypes=("f32", "f64", "s32"), scratch=gemm.scratch)
)
