"""sort: several operands sorted together along one dimension by a comparator computation.

Kernel: the operands are copied to the results, then each row is insertion-sorted in place
(stable, so `is_stable` holds) calling the inlined comparator on (a_0, b_0, a_1, b_1, ...).
"""

import functools

import numpy as np

from tools.hlo_wasm import registry
from tools.hlo_wasm.kernel import load, store, strides
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import leaves

_FAMILY = "sort"


def _ref(inst, args, env):
    dim = inst.attr("dimensions")[0]
    outs = [np.moveaxis(a, dim, -1).copy() for a in args]
    comp = inst.called[0]

    def less(rows, i, j):
        ps = []
        for r in rows:
            ps += [np.asarray(r[i]), np.asarray(r[j])]
        return bool(env.call(comp, ps))

    for idx in np.ndindex(*outs[0].shape[:-1]):
        rows = [o[idx] for o in outs]
        n = rows[0].shape[0]
        order = sorted(range(n), key=functools.cmp_to_key(
            lambda i, j: -1 if less(rows, i, j) else (1 if less(rows, j, i) else 0)))
        for o, r in zip(outs, rows):
            o[idx] = r[order]
    res = [np.moveaxis(o, -1, dim) for o in outs]
    return tuple(res) if inst.shape.is_tuple else res[0]


def _kernel(k, inst):
    outs = leaves(k.out)
    for o, i in zip(outs, k.ins):
        k.copy(o, i)
    dims = outs[0].shape.dims
    dim = inst.attr("dimensions")[0]
    n, step = dims[dim], strides(dims)[dim]
    other = [d for d in range(len(dims)) if d != dim]
    st = strides(dims)
    base = k.local("i32", "row")
    j = k.local("i32", "j")
    cur = k.local("i32", "cur")

    def per_row(idx):
        terms = [f"(i32.mul {v} (i32.const {st[d]}))" for d, v in zip(other, idx)]
        e = "(i32.const 0)"
        for t in terms:
            e = f"(i32.add {e} {t})"
        k.emit(f"(local.set {base} {e})")

        def per_i(i):
            k.emit(f"(local.set {j} (i32.add {i} (i32.const 1)))")
            k.emit(f"(block {j}_end (loop {j}_top")
            k.fb.depth += 1
            k.emit(f"(br_if {j}_end (i32.eqz (local.get {j})))")
            k.emit(f"(local.set {cur} (i32.add (local.get {base}) "
                   f"(i32.mul (local.get {j}) (i32.const {step}))))")
            a, b = f"(local.get {cur})", f"(i32.sub (local.get {cur}) (i32.const {step}))"
            args = []
            for o in outs:
                args += [(load(o, a), o.shape.dtype), (load(o, b), o.shape.dtype)]
            less = k.scalar_comp(inst.called[0], args)[0][0]
            k.emit(f"(br_if {j}_end (i32.eqz {less}))")
            for o in outs:
                t = k.set(c.wt(o.shape.dtype), load(o, a), "sw")
                k.emit(store(o, a, load(o, b)))
                k.emit(store(o, b, t))
            k.emit(f"(local.set {j} (i32.sub (local.get {j}) (i32.const 1)))")
            k.emit(f"(br {j}_top)))")
            k.fb.depth -= 1

        k.loop(n - 1, per_i, "i")

    k.nest([dims[d] for d in other], per_row, "r")


def _check(inst, shapes):
    c.require(all(s.dims == shapes[0].dims for s in shapes), "sort operands differ in dims")


registry.register(registry.OpDef("sort", _FAMILY, _check, _ref, kernel=_kernel,
                                 dtypes=c.FLOATS + c.INTS))
