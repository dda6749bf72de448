"""Lowers a fused elementwise group (a `fusion` made by `passes/fuse.py`) to one loop nest.

Every value of the group has a level: 0 = loop invariant (constants, scalar parameters,
broadcasts of scalars), 1 = invariant along the innermost output dim (a broadcast that does
not map onto it, e.g. softmax's row max), 2 = varying with every element. Level-0 values are
computed once before the loops, level-1 values once per row, level-2 values once per element;
every output of the group is stored in the same iteration, so a multi-output group (the
quadratic formula's two roots) reads its inputs once.

Without array broadcasts the loop walks the flat index of the output; otherwise it nests
over the outer dims and walks the innermost dim. When every value is f32 (pred only as compare
masks) and every op has an f32x4 form, the innermost loop processes 4 lanes per step and a
scalar loop finishes the tail.
"""

from tools.hlo_wasm import inline_math, ir, registry
from tools.hlo_wasm.kernel import Kernel, linear, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import leaves

_PASS = ("broadcast", "reshape", "bitcast", "copy")  # value-preserving inside a fusion
_BOOL_SIMD = {"and": "v128.and", "or": "v128.or"}


def _is_array_bcast(inst, byname) -> bool:
    """A broadcast whose operand is a non-scalar fusion parameter of a different size."""
    if inst.opcode != "broadcast":
        return False
    src = byname[inst.operands[0]]
    return src.opcode == "parameter" and src.shape.dims != () and src.shape.dims != inst.shape.dims


def _levels(comp: ir.Computation, rank: int) -> dict[str, int]:
    byname = comp.by_name()
    lv: dict[str, int] = {}
    for inst in comp.instructions:
        if inst.opcode == "tuple":
            continue
        if inst.opcode == "constant":
            lv[inst.name] = 0
        elif inst.opcode == "parameter":
            lv[inst.name] = 0 if inst.shape.dims == () else 2
        elif _is_array_bcast(inst, byname):
            lv[inst.name] = 2 if rank - 1 in inst.attr("dimensions", ()) else 1
        else:
            lv[inst.name] = max((lv[o] for o in inst.operands), default=0)
    return lv


def _simd_ok(comp: ir.Computation) -> bool:
    """True when the loop can run as f32x4.

    That is, every value is f32 (pred only as lane masks) and every op has an f32x4 form for
    its actual operand dtypes.
    """
    byname = comp.by_name()
    for inst in comp.instructions:
        if inst.opcode == "tuple":
            continue
        d = inst.shape.dtype
        if d == "pred" and inst.opcode not in (
            "compare",
            "and",
            "or",
            "not",
            "constant",
        ):
            return False
        if d not in ("f32", "pred"):
            return False
        if inst.opcode in ("parameter", "constant", *_PASS, *_BOOL_SIMD, "not"):
            continue
        op = registry.lookup(inst)
        dts = [byname[o].shape.dtype for o in inst.operands]
        if op.simd is None or op.simd(inst, dts, ["x"] * len(dts)) is None:
            return False
    root = comp.root_instruction
    outs = root.operands if root.opcode == "tuple" else (root.name,)
    return all(byname[o].shape.dtype == "f32" for o in outs)


def _scalar_expr(inst, vals):
    """Scalar WAT expression of `inst` from operand values (local.gets / constants)."""
    if inst.opcode == "constant":
        return c.const(inst.shape.dtype, inst.literal.reshape(-1)[0])
    if inst.opcode in _PASS:
        return vals[inst.operands[0]]
    op = registry.lookup(inst)
    dts = [vals[o + ":dtype"] for o in inst.operands]
    return op.scalar(inst, dts, [vals[o] for o in inst.operands])


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
    dts = [vals[o + ":dtype"] for o in inst.operands]
    return op.simd(inst, dts, [vals[o] for o in inst.operands])


def _splat(k: Kernel, value: str, dtype: str) -> str:
    if dtype == "pred":
        return k.set("v128", f"(i32x4.splat (i32.sub (i32.const 0) {value}))", "vs")
    return k.set("v128", f"(f32x4.splat {value})", "vs")


class _Loop:
    """State of one fused loop nest: the group, its buffers and the per-level values."""

    def __init__(self, k: Kernel):
        self.k = k
        self.comp = k.module.computation(k.inst.called[0])
        self.byname = self.comp.by_name()
        self.params = k.ins
        root = self.comp.root_instruction
        names = root.operands if root.opcode == "tuple" else (root.name,)
        self.outs = list(zip(names, leaves(k.out), strict=False))
        self.dims = list(self.outs[0][1].shape.dims)
        self.lv = _levels(self.comp, len(self.dims))
        self.nested = any(_is_array_bcast(i, self.byname) for i in self.comp.instructions)
        self.simd = _simd_ok(self.comp)
        # Array parameters read only through their broadcasts are loaded by the broadcast (at
        # the broadcast's index); loading them at the output's index would be dead code,
        # reading past their own buffer.
        used = {o for i in self.comp.instructions if not _is_array_bcast(i, self.byname) for o in i.operands}
        self.bcast_only = {
            i.name for i in self.comp.instructions if i.opcode == "parameter" and i.shape.dims and i.name not in used
        }

    def compute(self, level: int, vals: dict, simd: bool, src: dict, j: str) -> None:
        """Emits the values of `level`; level-2 loads read `src[name]` (leaf, base) at +j."""
        k = self.k
        for inst in self.comp.instructions:
            if inst.opcode == "tuple" or self.lv[inst.name] != level or inst.name in self.bcast_only:
                continue
            if inst.name in src:
                leaf, base = src[inst.name]
                at = f"(i32.add {base} {j})" if base != "(i32.const 0)" else j
                if simd:
                    e = f"(v128.load offset={leaf.offset} (i32.shl {at} (i32.const 2)))"
                else:
                    e = load(leaf, at)
            elif inst.opcode == "parameter":  # level 0 scalar parameter
                e = load(self.params[inst.attr("number")], "(i32.const 0)")
            elif level == 1 and _is_array_bcast(inst, self.byname):
                e = vals[inst.name + ":row"]
            elif simd:
                e = inline_math.inline(k.fb, _simd_expr(inst, vals))
            else:
                e = _scalar_expr(inst, vals)
            wtype = "v128" if simd else c.wt(inst.shape.dtype)
            vals[inst.name] = k.set(wtype, e, inst.name)
            vals[inst.name + ":dtype"] = inst.shape.dtype

    def splat_all(self, vals: dict, level: int) -> dict:
        """f32x4 copies (by name, with dtypes) of the scalar values of `level` in `vals`."""
        out = {n: v for n, v in vals.items() if n.endswith(":dtype")}
        for name, lvl in self.lv.items():
            if lvl == level:
                out[name] = _splat(self.k, vals[name], vals[name + ":dtype"])
        return out

    def sources(self, oidx: list[str], rowbase: str) -> tuple[dict, dict]:
        """Level-2 load sources (leaf, base) and level-1 row loads for outer index `oidx`."""
        src, rows = {}, {}
        full = oidx + ["(i32.const 0)"]
        for inst in self.comp.instructions:
            if inst.opcode == "parameter" and self.lv[inst.name] == 2 and inst.name not in self.bcast_only:
                src[inst.name] = (self.params[inst.attr("number")], rowbase)
            elif _is_array_bcast(inst, self.byname):
                leaf = self.params[self.byname[inst.operands[0]].attr("number")]
                at = linear([full[d] for d in inst.attr("dimensions", ())], leaf.shape.dims)
                if self.lv[inst.name] == 2:
                    src[inst.name] = (leaf, self.k.set("i32", at, "bbase"))
                else:
                    rows[inst.name + ":row"] = load(leaf, at)
        return src, rows

    def row(self, vals0: dict, oidx: list[str], rowbase: str, inner: int) -> None:
        """Emits one row: level-1 values, then the innermost (SIMD + tail) loop."""
        k = self.k
        src, rows = self.sources(oidx, rowbase)
        vals = dict(vals0["scalar"])
        vals.update(rows)
        self.compute(1, vals, False, {}, "")
        simd = self.simd and inner >= 8
        if simd:
            vvals = dict(vals0["simd"])
            vvals.update(self.splat_all(vals, 1))
            main = inner - inner % 4
            j = k.local("i32", "j")
            k.emit(f"(local.set {j} (i32.const 0))")
            k.emit(f"(block {j}_end (loop {j}_top  ;; f32x4, {main // 4} steps")
            k.fb.depth += 1
            self.element(dict(vvals), True, src, f"(local.get {j})")
            k.emit(f"(local.set {j} (i32.add (local.get {j}) (i32.const 4)))")
            k.emit(f"(br_if {j}_top (i32.lt_u (local.get {j}) (i32.const {main})))))")
            k.fb.depth -= 1
            if main < inner:
                k.loop(
                    inner - main,
                    lambda t: self.element(dict(vals), False, src, f"(i32.add {t} (i32.const {main}))"),
                    "tail",
                )
            return
        k.loop(inner, lambda t: self.element(dict(vals), False, src, t), "j")

    def element(self, vals: dict, simd: bool, src: dict, j: str) -> None:
        """Emits the level-2 values and the stores of one element (or 4 lanes)."""
        self.compute(2, vals, simd, src, j)
        for name, leaf in self.outs:
            base = self.rowbase
            at = f"(i32.add {base} {j})" if base != "(i32.const 0)" else j
            if simd:
                self.k.emit(f"(v128.store offset={leaf.offset} (i32.shl {at} (i32.const 2)) {vals[name]})")
            else:
                self.k.emit(store(leaf, at, vals[name]))


def lower_fusion(k: Kernel) -> None:
    """Emits the loop nest of fusion instruction `k.inst`."""
    loop = _Loop(k)
    vals0 = {}
    loop.compute(0, vals0, False, {}, "")
    both = {"scalar": vals0, "simd": loop.splat_all(vals0, 0) if loop.simd else {}}
    n = loop.outs[0][1].shape.size
    if n == 0:
        return
    if not loop.nested:
        loop.rowbase = "(i32.const 0)"
        loop.row(both, [], loop.rowbase, n)
        return
    inner = loop.dims[-1]

    def per_row(oidx):
        loop.rowbase = k.set("i32", linear(list(oidx) + ["(i32.const 0)"], loop.dims), "rowbase")
        loop.row(both, list(oidx), loop.rowbase, inner)

    k.nest(loop.dims[:-1], per_row, "o")
