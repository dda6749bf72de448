"""dot with general batch/contracting dimensions (`jax.lax.dot_general`).

Generic kernel: for every output element, a loop over the contracting dims accumulates in the
result's compute type. f32 2-D fast paths read transposed operands in place (no copies):
`x @ W` and `x.T @ W` (n % 4 == 0) run i-k-j with an f32x4 loop over output columns (the
slot where issue 7's register-blocked microkernel goes); `x @ W.T` runs f32x4 dot products
over the contracting dim.
"""

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c

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


def _simd_rows(k, lhs, rhs, out, m, kk, n, lhs_t=False):
    """out[m,n] = lhs @ rhs[kk,n], i-k-j with an f32x4 loop over n (n % 4 == 0).

    `lhs` is [m,kk], or [kk,m] when `lhs_t` (a transposed operand read in place, no copy).
    """
    row = k.local("i32", "row")

    def per_i(i):
        k.emit(f"(local.set {row} (i32.mul {i} (i32.const {n})))")
        k.loop(
            n // 4,
            lambda j: k.emit(
                f"(v128.store offset={out.offset} (i32.shl (i32.add (local.get {row}) "
                f"(i32.shl {j} (i32.const 2))) (i32.const 2)) (v128.const i32x4 0 0 0 0))"
            ),
            "z",
        )

        def per_k(p):
            a = k.set(
                "v128",
                f"(f32x4.splat {load(lhs, _lhs_at(i, p, m, kk, lhs_t))})",
                "a",
            )
            rrow = k.set("i32", f"(i32.mul {p} (i32.const {n}))", "rrow")

            def per_j(j):
                j4 = f"(i32.shl {j} (i32.const 2))"
                oa = f"(i32.shl (i32.add (local.get {row}) {j4}) (i32.const 2))"
                ra = f"(i32.shl (i32.add {rrow} {j4}) (i32.const 2))"
                k.emit(
                    f"(v128.store offset={out.offset} {oa} (f32x4.add (v128.load offset={out.offset} {oa}) "
                    f"(f32x4.mul {a} (v128.load offset={rhs.offset} {ra}))))"
                )

            k.loop(n // 4, per_j, "j")

        k.loop(kk, per_k, "k")

    k.loop(m, per_i, "i")


def _lhs_at(i, p, m, kk, lhs_t):
    if lhs_t:
        return f"(i32.add (i32.mul {p} (i32.const {m})) {i})"
    return f"(i32.add (i32.mul {i} (i32.const {kk})) {p})"


def _simd_dots(k, lhs, rhs, out, m, kk, n):
    """out[m,n] = lhs[m,kk] . rhs[n,kk] rows (x @ W.T): f32x4 dot products over kk."""
    acc = k.local("v128", "acc")
    s = k.local("f32", "s")
    main = kk - kk % 4

    def per_ij(idx):
        i, j = idx
        k.emit(f"(local.set {acc} (v128.const i32x4 0 0 0 0))")
        la = k.set("i32", f"(i32.mul {i} (i32.const {kk}))", "la")
        ra = k.set("i32", f"(i32.mul {j} (i32.const {kk}))", "ra")

        def step(q):
            q4 = f"(i32.shl {q} (i32.const 2))"
            a = f"(v128.load offset={lhs.offset} (i32.shl (i32.add {la} {q4}) (i32.const 2)))"
            b = f"(v128.load offset={rhs.offset} (i32.shl (i32.add {ra} {q4}) (i32.const 2)))"
            k.emit(f"(local.set {acc} (f32x4.add (local.get {acc}) (f32x4.mul {a} {b})))")

        k.loop(main // 4, step, "q")
        lanes = [f"(f32x4.extract_lane {t} (local.get {acc}))" for t in range(4)]
        k.emit(f"(local.set {s} (f32.add (f32.add {lanes[0]} {lanes[1]}) (f32.add {lanes[2]} {lanes[3]})))")
        for t in range(main, kk):
            a = load(lhs, f"(i32.add {la} (i32.const {t}))")
            b = load(rhs, f"(i32.add {ra} (i32.const {t}))")
            k.emit(f"(local.set {s} (f32.add (local.get {s}) (f32.mul {a} {b})))")
        k.emit(store(out, f"(i32.add (i32.mul {i} (i32.const {n})) {j})", f"(local.get {s})"))

    k.nest([m, n], per_ij, "ij")


def _kernel(k, inst):
    lhs, rhs = k.ins
    out = k.out
    lb, lc, rb, rc = _dims(inst)
    lf, rf = _free(lhs.shape.rank, lb, lc), _free(rhs.shape.rank, rb, rc)
    dt = out.shape.dtype
    plain2d = (
        dt == lhs.shape.dtype == rhs.shape.dtype == "f32"
        and not lb
        and lhs.shape.rank == rhs.shape.rank == 2
        and len(lc) == 1
    )
    if plain2d and rc == (0,) and rhs.shape.dims[1] % 4 == 0:
        kk = rhs.shape.dims[0]
        m = lhs.shape.dims[1 - lc[0]]
        _simd_rows(k, lhs, rhs, out, m, kk, rhs.shape.dims[1], lhs_t=lc == (0,))
        return
    if plain2d and lc == (1,) and rc == (1,) and lhs.shape.dims[1] >= 4:
        m, kk = lhs.shape.dims
        _simd_dots(k, lhs, rhs, out, m, kk, rhs.shape.dims[0])
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


registry.register(registry.OpDef("dot", _FAMILY, _check, _ref, kernel=_kernel, dtypes=("f32", "f64", "s32")))
