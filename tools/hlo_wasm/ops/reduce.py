"""Reductions: reduce (any reducer, several operands, e.g. argmax), reduce-window (incl. the
cumulative sums JAX lowers to it) and select-and-scatter (max-pool gradients).

The generic kernels inline the reducer computation as scalar code. A single f32 operand
reduced over its trailing dims by add/max/min uses an f32x4 loop with four accumulators.
"""

import re

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import linear, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import leaves

_FAMILY = "reduce"
_DTS = c.FLOATS + c.INTS + ("pred",)


def _outs(inst):
    return inst.shape.leaves()


# ---- reduce ------------------------------------------------------------------------------


def _reduce_check(inst, shapes):
    n = len(shapes) // 2
    dims = inst.attr("dimensions", ())
    for s, o in zip(shapes[:n], _outs(inst)):
        kept = tuple(d for i, d in enumerate(s.dims) if i not in dims)
        c.require(kept == o.dims, f"reduce result dims {o.dims}, expected {kept}")
        c.require(s.dtype == o.dtype, "reduce result dtype differs from its operand")
    for s in shapes[n:]:
        c.require(s.dims == (), "reduce init values must be scalars")


def _reduce_ref(inst, args, env):
    n = len(args) // 2
    xs, inits = args[:n], args[n:]
    dims = inst.attr("dimensions", ())
    kept = [i for i in range(xs[0].ndim) if i not in dims]
    outs = [np.empty([xs[0].shape[i] for i in kept], x.dtype) for x in xs]
    moved = [np.moveaxis(x, dims, list(range(x.ndim - len(dims), x.ndim))) if dims else x
             for x in xs]
    for idx in np.ndindex(*outs[0].shape):
        acc = [np.asarray(v) for v in inits]
        for j in np.ndindex(*[xs[0].shape[d] for d in dims]):
            r = env.call(inst.called[0], acc + [np.asarray(m[idx + j]) for m in moved])
            acc = list(r) if isinstance(r, tuple) else [r]
        for o, a in zip(outs, acc):
            o[idx] = a
    return tuple(outs) if n > 1 else outs[0]


def _simple_reducer(k, name):
    """'add'/'maximum'/'minimum' when computation `name` is just that op on its params."""
    comp = k.module.computation(name)
    root = comp.root_instruction
    if len(comp.instructions) != 3 or root.opcode not in ("add", "maximum", "minimum"):
        return None
    return root.opcode


def _simd_reduce(k, inst, src, init, out, op):
    dims = inst.attr("dimensions")
    m = 1
    for d in dims:
        m *= src.shape.dims[d]
    outer = out.shape.size
    wop = {"add": "add", "maximum": "max", "minimum": "min"}[op]
    main = m - m % 16
    accs = [k.local("v128", "acc") for _ in range(4)]
    s = k.local("f32", "sum")
    base = k.local("i32", "base")
    init_v = load(init, "(i32.const 0)")

    def row(o):
        k.emit(f"(local.set {base} (i32.mul {o} (i32.const {m})))")
        for a in accs:
            k.emit(f"(local.set {a} (f32x4.splat {init_v}))")

        def step(j):
            for q, a in enumerate(accs):
                addr = f"(i32.shl (i32.add (local.get {base}) {j}) (i32.const 2))"
                k.emit(f"(local.set {a} (f32x4.{wop} (local.get {a}) "
                       f"(v128.load offset={src.offset + 16 * q} {addr})))")

        j = k.local("i32", "j")
        k.emit(f"(local.set {j} (i32.const 0))")
        k.emit(f"(block {j}_end (loop {j}_top  ;; 4 accumulators x 4 lanes")
        k.fb.depth += 1
        step(f"(local.get {j})")
        k.emit(f"(local.set {j} (i32.add (local.get {j}) (i32.const 16)))")
        k.emit(f"(br_if {j}_top (i32.lt_u (local.get {j}) (i32.const {main})))))")
        k.fb.depth -= 1
        v = f"(f32x4.{wop} (f32x4.{wop} (local.get {accs[0]}) (local.get {accs[1]})) " \
            f"(f32x4.{wop} (local.get {accs[2]}) (local.get {accs[3]})))"
        va = k.set("v128", v, "vsum")
        lanes = [f"(f32x4.extract_lane {i} {va})" for i in range(4)]
        k.emit(f"(local.set {s} (f32.{wop} (f32.{wop} {lanes[0]} {lanes[1]}) "
               f"(f32.{wop} {lanes[2]} {lanes[3]})))")
        for t in range(main, m):
            x = load(src, f"(i32.add (local.get {base}) (i32.const {t}))")
            k.emit(f"(local.set {s} (f32.{wop} (local.get {s}) {x}))")
        k.emit(store(out, o, f"(local.get {s})"))

    k.loop(outer, row, "o")


def _reduce_kernel(k, inst):
    n = len(k.ins) // 2
    srcs, inits = k.ins[:n], k.ins[n:]
    outs = leaves(k.out)
    dims = inst.attr("dimensions", ())
    rank = srcs[0].shape.rank
    op = _simple_reducer(k, inst.called[0]) if n == 1 else None
    trailing = tuple(range(rank - len(dims), rank)) == tuple(sorted(dims))
    m = int(np.prod([srcs[0].shape.dims[d] for d in dims])) if dims else 1
    if op and srcs[0].shape.dtype == "f32" and trailing and m >= 16:
        _simd_reduce(k, inst, srcs[0], inits[0], outs[0], op)
        return
    kept = [i for i in range(rank) if i not in dims]
    accs = [k.local(c.wt(s.shape.dtype), "acc") for s in srcs]

    def outer(oidx):
        for a, i in zip(accs, inits):
            k.emit(f"(local.set {a} {load(i, '(i32.const 0)')})")

        def inner(ridx):
            full = [None] * rank
            for d, v in zip(kept, oidx):
                full[d] = v
            for d, v in zip(dims, ridx):
                full[d] = v
            lin = k.set("i32", linear(full, srcs[0].shape.dims), "at")
            args = [(f"(local.get {a})", s.shape.dtype) for a, s in zip(accs, srcs)]
            args += [(load(s, lin), s.shape.dtype) for s in srcs]
            res = k.scalar_comp(inst.called[0], args)
            for a, (e, _) in zip(accs, res):
                k.emit(f"(local.set {a} {e})")

        k.nest([srcs[0].shape.dims[d] for d in dims], inner, "r")
        at = linear(oidx, outs[0].shape.dims)
        for a, o in zip(accs, outs):
            k.emit(store(o, at, f"(local.get {a})"))

    k.nest([srcs[0].shape.dims[d] for d in kept], outer, "o")


registry.register(registry.OpDef("reduce", _FAMILY, _reduce_check, _reduce_ref,
                                 kernel=_reduce_kernel, dtypes=_DTS))

# ---- windows -----------------------------------------------------------------------------


def parse_window(text: str, rank: int) -> dict:
    """`{size=2x2 stride=2x2 pad=0_1x0_1 lhs_dilate=.. rhs_dilate=..}` -> lists per dim."""
    w = {"size": [1] * rank, "stride": [1] * rank, "pad": [(0, 0)] * rank,
         "lhs_dilate": [1] * rank, "rhs_dilate": [1] * rank}
    for m in re.finditer(r"(\w+)=([\w\-]+)", text or ""):
        key, val = m.group(1), m.group(2)
        if key == "pad":
            w["pad"] = [tuple(int(x) for x in p.split("_")) for p in val.split("x")]
        elif key in w:
            w[key] = [int(x) for x in val.split("x")]
    return w


def _window_positions(w, in_dims, oidx, widx):
    """Input coordinates (possibly out of range / between dilated elements) as Python ints."""
    out = []
    for d in range(len(in_dims)):
        p = oidx[d] * w["stride"][d] + widx[d] * w["rhs_dilate"][d] - w["pad"][d][0]
        if p < 0 or p % w["lhs_dilate"][d]:
            return None
        p //= w["lhs_dilate"][d]
        if p >= in_dims[d]:
            return None
        out.append(p)
    return tuple(out)


def _rw_ref(inst, args, env):
    n = len(args) // 2
    xs, inits = args[:n], args[n:]
    w = parse_window(inst.attr("window"), xs[0].ndim)
    outs = [np.empty(s.dims, c.npdt(s.dtype)) for s in _outs(inst)]
    for oidx in np.ndindex(*outs[0].shape):
        acc = [np.asarray(v) for v in inits]
        for widx in np.ndindex(*w["size"]):
            p = _window_positions(w, xs[0].shape, oidx, widx)
            if p is None:
                continue
            r = env.call(inst.called[0], acc + [np.asarray(x[p]) for x in xs])
            acc = list(r) if isinstance(r, tuple) else [r]
        for o, a in zip(outs, acc):
            o[oidx] = a
    return tuple(outs) if n > 1 else outs[0]


def _window_index(k, w, in_dims, oidx, widx):
    """(in-range condition, linear input index) as WAT expressions."""
    conds, pos = [], []
    for d in range(len(in_dims)):
        e = f"(i32.add (i32.mul {oidx[d]} (i32.const {w['stride'][d]})) " \
            f"(i32.mul {widx[d]} (i32.const {w['rhs_dilate'][d]})))"
        e = f"(i32.sub {e} (i32.const {w['pad'][d][0]}))"
        ld = w["lhs_dilate"][d]
        if ld > 1:
            conds.append(f"(i32.eqz (i32.rem_s {e} (i32.const {ld})))")
            e = f"(i32.div_s {e} (i32.const {ld}))"
        pv = k.set("i32", e, "wp")
        conds.append(f"(i32.lt_u {pv} (i32.const {in_dims[d]}))")
        pos.append(pv)
    cond = "(i32.const 1)"
    for cc in conds:
        cond = f"(i32.and {cond} {cc})"
    return cond, linear(pos, in_dims)


def _rw_kernel(k, inst):
    n = len(k.ins) // 2
    srcs, inits = k.ins[:n], k.ins[n:]
    outs = leaves(k.out)
    in_dims = srcs[0].shape.dims
    w = parse_window(inst.attr("window"), len(in_dims))
    accs = [k.local(c.wt(s.shape.dtype), "acc") for s in srcs]

    def outer(oidx):
        for a, i in zip(accs, inits):
            k.emit(f"(local.set {a} {load(i, '(i32.const 0)')})")

        def inner(widx):
            cond, lin = _window_index(k, w, in_dims, oidx, widx)
            k.emit(f"(if {cond} (then")
            k.fb.depth += 1
            at = k.set("i32", lin, "at")
            args = [(f"(local.get {a})", s.shape.dtype) for a, s in zip(accs, srcs)]
            args += [(load(s, at), s.shape.dtype) for s in srcs]
            for a, (e, _) in zip(accs, k.scalar_comp(inst.called[0], args)):
                k.emit(f"(local.set {a} {e})")
            k.fb.depth -= 1
            k.emit("))")

        k.nest(w["size"], inner, "w")
        at = linear(oidx, outs[0].shape.dims)
        for a, o in zip(accs, outs):
            k.emit(store(o, at, f"(local.get {a})"))

    k.nest(outs[0].shape.dims, outer, "o")


def _rw_check(inst, shapes):
    n = len(shapes) // 2
    w = parse_window(inst.attr("window"), shapes[0].rank)
    want = []
    for d, size in enumerate(shapes[0].dims):
        dil = (size - 1) * w["lhs_dilate"][d] + 1 if size else 0
        padded = dil + sum(w["pad"][d])
        win = (w["size"][d] - 1) * w["rhs_dilate"][d] + 1
        want.append(max(0, (padded - win) // w["stride"][d] + 1))
    for o in _outs(inst):
        c.require(tuple(want) == o.dims, f"reduce-window result dims {o.dims}, expected {want}")
    c.require(all(s.dims == () for s in shapes[n:]), "reduce-window inits must be scalars")


registry.register(registry.OpDef("reduce-window", _FAMILY, _rw_check, _rw_ref, kernel=_rw_kernel,
                                 dtypes=c.FLOATS + ("s32",)))

# ---- select-and-scatter ------------------------------------------------------------------


def _sas_ref(inst, args, env):
    operand, source, init = args
    select, scatter = inst.attr("select")[0], inst.attr("scatter")[0]
    w = parse_window(inst.attr("window"), operand.ndim)
    out = np.full(operand.shape, init, operand.dtype)
    for sidx in np.ndindex(*source.shape):
        best = None
        for widx in np.ndindex(*w["size"]):
            p = _window_positions(w, operand.shape, sidx, widx)
            if p is None:
                continue
            if best is None or not bool(env.call(select, [operand[best], operand[p]])):
                best = p
        if best is not None:
            out[best] = env.call(scatter, [np.asarray(out[best]), np.asarray(source[sidx])])
    return out


def _sas_kernel(k, inst):
    operand, source, init = k.ins
    out = k.out
    select, scatter = inst.attr("select")[0], inst.attr("scatter")[0]
    in_dims = operand.shape.dims
    w = parse_window(inst.attr("window"), len(in_dims))
    dt = operand.shape.dtype
    iv = k.set(c.wt(dt), load(init, "(i32.const 0)"), "init")
    k.loop(out.shape.size, lambda i: k.emit(store(out, i, iv)))
    best = k.local("i32", "best")

    def per_source(sidx):
        k.emit(f"(local.set {best} (i32.const -1))")

        def inner(widx):
            cond, lin = _window_index(k, w, in_dims, sidx, widx)
            k.emit(f"(if {cond} (then")
            k.fb.depth += 1
            at = k.set("i32", lin, "at")
            k.emit(f"(if (i32.lt_s (local.get {best}) (i32.const 0)) (then (local.set {best} {at})) (else")
            k.fb.depth += 1
            keep = k.scalar_comp(select, [(load(operand, f"(local.get {best})"), dt),
                                          (load(operand, at), dt)])[0][0]
            k.emit(f"(if (i32.eqz {keep}) (then (local.set {best} {at})))))")
            k.fb.depth -= 2
            k.emit("))")

        k.nest(w["size"], inner, "w")
        b = f"(local.get {best})"
        k.emit(f"(if (i32.ge_s {b} (i32.const 0)) (then")
        k.fb.depth += 1
        src = load(source, linear(sidx, source.shape.dims))
        r = k.scalar_comp(scatter, [(load(out, b), dt), (src, dt)])[0][0]
        k.emit(store(out, b, r))
        k.fb.depth -= 1
        k.emit("))")

    k.nest(source.shape.dims, per_source, "s")


registry.register(registry.OpDef(
    "select-and-scatter", _FAMILY,
    lambda inst, shapes: c.require(shapes[0].dims == inst.shape.dims, "select-and-scatter dims"),
    _sas_ref, kernel=_sas_kernel, dtypes=c.FLOATS))
