"""Lowers a fused elementwise group (a `fusion` made by `passes/fuse.py`) to one loop.

The loop walks the flat index of the (common) output shape. Loop-invariant values (scalar
parameters, constants, broadcasts of scalars and anything computed only from them) are computed
once before the loop. Each varying value is computed once per element into a local, and every
output of the group is stored in the same iteration, so a multi-output group (the quadratic
formula's two roots) reads its inputs once. When every value is f32 (pred only as compare
masks) and every op has an f32x4 form, the main loop processes 4 lanes per step (unrolled
twice) and a scalar loop finishes the tail.
"""

from tools.hlo_wasm import ir, registry
from tools.hlo_wasm.kernel import Kernel, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import leaves

_PASS = ("broadcast", "reshape", "bitcast", "copy")  # value-preserving inside a fusion


def _invariant(comp: ir.Computation) -> set[str]:
    """Names of fused values that do not depend on the loop index."""
    inv = set()
    for inst in comp.instructions:
        if inst.opcode == "constant" or (
            inst.opcode == "parameter" and inst.shape.size == 1 and inst.shape.dims == ()
        ):
            inv.add(inst.name)
        elif inst.opcode not in ("parameter", "tuple") and all(o in inv for o in inst.operands):
            inv.add(inst.name)
    return inv


def _simd_ok(comp: ir.Computation) -> bool:
    for inst in comp.instructions:
        if inst.opcode == "tuple":
            continue
        d = inst.shape.dtype
        if d == "pred" and inst.opcode not in ("compare", "and", "or", "not", "constant"):
            return False
        if d not in ("f32", "pred"):
            return False
        if inst.opcode in ("parameter", "constant") + _PASS:
            continue
        op = registry.lookup(inst)
        if op.simd is None:
            return False
    root = comp.root_instruction
    outs = root.operands if root.opcode == "tuple" else (root.name,)
    byname = comp.by_name()
    return all(byname[o].shape.dtype == "f32" for o in outs)


def _scalar_expr(inst, vals):
    """Scalar WAT expression of `inst` from operand values (local.gets / constants)."""
    if inst.opcode == "constant":
        return c.const(inst.shape.dtype, inst.literal.reshape(-1)[0])
    if inst.opcode in _PASS:
        return vals[inst.operands[0]]
    op = registry.lookup(inst)
    dts = [d for d in (vals[o + ":dtype"] for o in inst.operands)]
    return op.scalar(inst, dts, [vals[o] for o in inst.operands])


_BOOL_SIMD = {"and": "v128.and", "or": "v128.or"}


def _simd_expr(inst, vals):
    if inst.opcode == "constant":
        v = c.const(inst.shape.dtype, inst.literal.reshape(-1)[0])
        if inst.shape.dtype == "pred":
            return f"(i32x4.splat (i32.sub (i32.const 0) {v}))"
        return f"(f32x4.splat {v})"
    if inst.opcode in _PASS:
        return vals[inst.operands[0]]
    if inst.opcode in _BOOL_SIMD:
        a, b = (vals[o] for o in inst.operands)
        return f"({_BOOL_SIMD[inst.opcode]} {a} {b})"
    if inst.opcode == "not":
        return f"(v128.not {vals[inst.operands[0]]})"
    op = registry.lookup(inst)
    return op.simd(inst, ["f32"] * len(inst.operands), [vals[o] for o in inst.operands])


def _outputs(comp, out_value):
    root = comp.root_instruction
    names = root.operands if root.opcode == "tuple" else (root.name,)
    return list(zip(names, leaves(out_value)))


def _body(k: Kernel, comp, inv, vals, index, params, outs, simd: bool):
    """Emits one iteration (scalar, or 4 lanes when `simd`) at flat element `index`."""
    for inst in comp.instructions:
        if inst.name in inv or inst.opcode == "tuple":
            continue
        if inst.opcode == "parameter":
            leaf = params[inst.attr("number")]
            if simd:
                e = f"(v128.load offset={leaf.offset} (i32.shl {index} (i32.const 2)))"
            else:
                e = load(leaf, index)
        else:
            e = _simd_expr(inst, vals) if simd else _scalar_expr(inst, vals)
        wtype = "v128" if simd else c.wt(inst.shape.dtype)
        vals[inst.name] = k.set(wtype, e, inst.name)
        vals[inst.name + ":dtype"] = inst.shape.dtype
    for name, leaf in outs:
        if simd:
            k.emit(f"(v128.store offset={leaf.offset} (i32.shl {index} (i32.const 2)) {vals[name]})")
        else:
            k.emit(store(leaf, index, vals[name]))


def _hoist(k: Kernel, comp, inv, params, simd: bool) -> dict:
    vals = {}
    for inst in comp.instructions:
        if inst.name not in inv:
            continue
        vals[inst.name + ":dtype"] = inst.shape.dtype
        if inst.opcode == "parameter":
            e = load(params[inst.attr("number")], "(i32.const 0)")
        else:
            e = _scalar_expr(inst, vals)
        vals[inst.name] = k.set(c.wt(inst.shape.dtype), e, inst.name)
    if not simd:
        return vals
    vvals = {}
    for name in inv:
        d = vals[name + ":dtype"]
        vvals[name + ":dtype"] = d
        if d == "pred":
            vvals[name] = k.set("v128", f"(i32x4.splat (i32.sub (i32.const 0) {vals[name]}))")
        else:
            vvals[name] = k.set("v128", f"(f32x4.splat {vals[name]})")
    return {"scalar": vals, "simd": vvals}


def lower_fusion(k: Kernel) -> None:
    """Emits the loop(s) of fusion instruction `k.inst`."""
    comp = k.module.computation(k.inst.called[0])
    params = k.ins
    outs = _outputs(comp, k.out)
    n = outs[0][1].shape.size
    inv = _invariant(comp)
    simd = n >= 8 and _simd_ok(comp)
    if not simd:
        vals = _hoist(k, comp, inv, params, False)
        k.loop(n, lambda i: _body(k, comp, inv, dict(vals), i, params, outs, False))
        return
    both = _hoist(k, comp, inv, params, True)
    main = n - n % 4
    i = k.local("i32", "i")
    k.emit(f"(local.set {i} (i32.const 0))")
    k.emit(f"(block {i}_end (loop {i}_top  ;; f32x4 main loop, {main // 4} steps")
    k.fb.depth += 1
    _body(k, comp, inv, dict(both["simd"]), f"(local.get {i})", params, outs, True)
    k.emit(f"(local.set {i} (i32.add (local.get {i}) (i32.const 4)))")
    k.emit(f"(br_if {i}_top (i32.lt_u (local.get {i}) (i32.const {main})))))")
    k.fb.depth -= 1
    if main < n:  # scalar tail: at most 3 elements
        k.loop(n - main, lambda j: _body(k, comp, inv, dict(both["scalar"]),
                                         f"(i32.add {j} (i32.const {main}))", params, outs, False),
               "tail")
