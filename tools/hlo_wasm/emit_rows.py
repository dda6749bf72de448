"""Lowers a row group (a `fusion` with kind=rows, made by `passes/rows.py`) to one loop nest.

One outer loop over the N rows; per row, `passes.rows.stages` decides the inner loops: loop p
accumulates the reductions whose operand is ready at stage p, stores full-size outputs of
stage p and writes values later loops read into the row scratch (one row of L f32 per value,
so it stays in L1). Per-row values (reduction results and what is computed from them) are
scalars computed between the loops; invariants are computed once before the rows.

When every value is f32 (pred only as compare masks) the inner loops are f32x4: a main loop of
16 elements per step (four vectors, four accumulators per reduction, like `ops/reduce.py`; 8
elements and two accumulators when the step inlines a transcendental function), then the
remaining whole vectors and the scalar tail unrolled (L is static). Row max/min accumulate
with pmax/pmin and a NaN flag; rows whose result is NaN or zero are recomputed exactly.

`a / b` with b per row is computed as `a * (1/b)`, the reciprocal once per row (as XLA's
softmax does): at most one more rounding than the division, within the f32 tolerances.
"""

import dataclasses

from tools.hlo_wasm import emit_fused, inline_math
from tools.hlo_wasm.kernel import Kernel, load, store
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes import rows
from tools.hlo_wasm.passes.memory import leaves

_WOP = {"add": "add", "maximum": "max", "minimum": "min"}
# f32x4 vectors per main-loop step: 4 (independent accumulators, loop overhead amortised), 2
# when the step inlines a transcendental function, whose constants and temporaries then
# exceed x86's 16 vector registers (softmax's exp loop: 2 is 4% faster than 4, 1 and 8 slower).
_UNROLL, _UNROLL_HEAVY = 4, 2
_TRANSCENDENTAL = ("exponential", "exponential-minus-one", "log", "log-plus-one", "logistic", "tanh", "erf")


def _tree(wop: str, vs: list) -> str:
    """Pairwise combination ((a0 op a1) op (a2 op a3)) of accumulator expressions."""
    while len(vs) > 1:
        vs = [f"(f32x4.{wop} {vs[i]} {vs[i + 1]})" if i + 1 < len(vs) else vs[i] for i in range(0, len(vs), 2)]
    return vs[0]


def _simd_ok(comp) -> bool:
    """`emit_fused._simd_ok` for a row group: its reductions are f32 add/max/min (f32x4-able)."""
    body = tuple(
        dataclasses.replace(i, opcode="parameter", operands=()) if i.opcode == "reduce" else i
        for i in comp.instructions
    )
    stub = dataclasses.replace(comp, instructions=body)
    return emit_fused._simd_ok(stub)


class _Group:
    def __init__(self, k: Kernel):
        self.k = k
        self.comp = k.module.computation(k.inst.called[0])
        self.by = self.comp.by_name()
        self.nrows, self.row_len = k.inst.attr("rows")
        self.st = rows.stages(self.comp, self.nrows, self.row_len)
        outs = leaves(k.out)
        self.scratch = outs[-1]
        self.out_leaf = {n: outs[i] for n, i in self.st.outputs.items()}
        self.simd = _simd_ok(self.comp)
        self.insts = [i for i in self.comp.instructions if i.opcode != "tuple"]
        self.reduces = [i for i in self.insts if i.opcode == "reduce"]
        self.recips = {
            i.operands[1]
            for p in range(self.st.loops)
            for n in self.st.needs[p]
            for i in [self.by[n]]
            if i.opcode == "divide" and self.st.level[i.operands[1]] == 1 and i.shape.dtype == "f32"
        }
        # Invariant and per-row values the f32x4 code reads (they get a splat).
        full = self.nrows * self.row_len
        self.splatted = {o for p in range(self.st.loops) for n in self.st.needs[p] for o in self.by[n].operands}
        self.splatted |= {r.operands[0] for r in self.reduces}
        self.splatted |= {n for n, leaf in self.out_leaf.items() if leaf.shape.size == full}

    def nonpositive(self, inst) -> bool:
        """True for exp(a - m), m a row max (through reshapes/broadcasts/max with a constant).

        That is softmax's and logsumexp's x - max(x), which is <= 0.
        """
        arg = self.by[inst.operands[0]] if inst.opcode == "exponential" else None
        if arg is None or arg.opcode != "subtract":
            return False
        m = self.by[arg.operands[1]]
        while m.opcode in ("broadcast", "reshape", "bitcast", "maximum") and self.st.level[m.name] == 1:
            m = self.by[m.operands[0]]
        return m.opcode == "reduce" and rows.simple_reducer(self.k.module, m.called[0]) == "maximum"

    def param(self, name: str):
        return self.k.ins[self.by[name].attr("number")]

    # ---- invariants and per-row values ----------------------------------------------------

    def needed_rows(self) -> set:
        """Level-0/1 values some loop, output or reduction init needs."""
        want = [o for o in self.st.outputs if self.st.level[o] < 2]
        for p in range(self.st.loops):
            for v in self.st.needs[p]:
                want.extend(o for o in self.by[v].operands if self.st.level[o] < 2)
        for r in self.reduces:
            want.extend(r.operands)
        out = set()
        while want:
            v = want.pop()
            if v in out or self.st.level[v] == 2:
                continue
            out.add(v)
            if self.by[v].opcode != "reduce":
                want.extend(self.by[v].operands)
        return out

    def scalar_value(self, inst, vals: dict, row: str) -> str:
        n, kind = inst.name, self.st.kind[inst.name]
        if kind == "scalar":
            return load(self.param(n), "(i32.const 0)")
        if kind == "rowload":
            return load(self.param(n), row)
        if inst.opcode == "reduce":
            return vals[n]  # set by its loop
        if inst.opcode == "broadcast" and self.st.level[n] == 1:
            return vals[inst.operands[0]]
        return emit_fused._scalar_expr(inst, vals)

    def emit_scalars(self, level: int, stage: int | None, vals: dict, vvals: dict, row: str, want: set):
        """Computes the wanted level-`level` values (of `stage`) as scalars (+ f32x4 splats)."""
        k = self.k
        for inst in self.insts:
            n = inst.name
            if n not in want or self.st.level[n] != level or (stage is not None and self.st.stage[n] != stage):
                continue
            if inst.opcode == "reduce" and n not in vals:
                continue
            e = self.scalar_value(inst, vals, row)
            vals[n] = k.set(c.wt(inst.shape.dtype), e, n) if inst.opcode != "reduce" else vals[n]
            vals[n + ":dtype"] = inst.shape.dtype
            vvals[n + ":dtype"] = inst.shape.dtype
            if n in self.recips:
                vals[n + ":recip"] = k.set("f32", f"(f32.div (f32.const 1) {vals[n]})", "recip")
            if self.simd and n in self.splatted:
                vvals[n] = emit_fused._splat(k, vals[n], inst.shape.dtype)
                if n in self.recips:
                    vvals[n + ":recip"] = emit_fused._splat(k, vals[n + ":recip"], "f32")
            if n in self.st.outputs and self.st.level[n] == 1:
                k.emit(store(self.out_leaf[n], row, vals[n]))

    # ---- per-element values ---------------------------------------------------------------

    def element(self, p: int, vals: dict, simd: bool, full: str, rowb: str, off: int) -> dict:
        """Emits loop p's per-element values at element j + off; returns them.

        `full` is the byte address of element (row, j) in full-size buffers, `rowb` of
        element j in a row (scratch, broadcasts along the row).
        """
        k, st = self.k, self.st
        vals = dict(vals)
        for n in st.needs[p]:
            inst = self.by[n]
            src = None
            if st.kind[n] == "load":
                src, at, base = self.param(n), full, 0
            elif st.kind[n] == "col":
                src, at, base = self.param(inst.operands[0]), rowb, 0
            elif st.stage[n] < p and n in self.out_leaf:
                src, at, base = self.out_leaf[n], full, 0
            elif st.stage[n] < p and n in st.home:
                src, at, base = self.out_leaf[st.home[n]], full, 0
            elif st.stage[n] < p and n in st.scratch:
                src, at, base = self.scratch, rowb, st.scratch[n] * self.row_len * 4
            if src is not None:
                o = src.offset + base + 4 * off
                e = f"(v128.load offset={o} {at})" if simd else f"(f32.load offset={o} {at})"
            elif inst.opcode == "divide" and inst.operands[1] in self.recips:
                a, b = vals[inst.operands[0]], vals[inst.operands[1] + ":recip"]
                e = f"(f32x4.mul {a} {b})" if simd else f"(f32.mul {a} {b})"
            else:
                e = emit_fused._simd_expr(inst, vals) if simd else emit_fused._scalar_expr(inst, vals)
                if simd:
                    e = inline_math.inline(k.fb, e, self.nonpositive(inst))
            vals[n] = k.set("v128" if simd else c.wt(inst.shape.dtype), e, n)
            vals[n + ":dtype"] = inst.shape.dtype
        return vals

    def stores(self, p: int, vals: dict, simd: bool, full: str, rowb: str, off: int) -> None:
        st, k = self.st, self.k
        op = "v128.store" if simd else "f32.store"
        for n in st.needs[p]:
            if st.stage[n] != p:
                continue
            if n in self.out_leaf:
                k.emit(f"({op} offset={self.out_leaf[n].offset + 4 * off} {full} {vals[n]})")
            if n in st.home:
                k.emit(f"({op} offset={self.out_leaf[st.home[n]].offset + 4 * off} {full} {vals[n]})")
            if n in st.scratch:
                o = self.scratch.offset + st.scratch[n] * self.row_len * 4 + 4 * off
                k.emit(f"({op} offset={o} {rowb} {vals[n]})")
        for n, leaf in self.out_leaf.items():  # full-size outputs that are per-row/invariant
            if st.level[n] < 2 and leaf.shape.size == self.nrows * self.row_len and st.stage[n] == p:
                k.emit(f"({op} offset={leaf.offset + 4 * off} {full} {vals[n]})")

    def exact_rows(self, p: int, vals: dict, rowbyte: str, r, s: str, flag: str, n: int) -> None:
        """Recomputes max/min `r` over the first n elements with f32.max/min if NaN or zero."""
        k, wop = self.k, _WOP[rows.simple_reducer(self.k.module, r.called[0])]
        k.emit(f"(if (i32.or (v128.any_true (local.get {flag})) (f32.eq {s} (f32.const 0)))")
        k.emit("  (then")
        k.fb.depth += 2
        k.emit(f"(local.set {s[11:-1]} {vals[r.operands[1]]})")

        def body(j):
            jb = k.set("i32", f"(i32.shl {j} (i32.const 2))", "jb")
            fa = k.set("i32", f"(i32.add {rowbyte} {jb})", "fa")
            ev = self.element(p, vals, False, fa, jb, 0)
            k.emit(f"(local.set {s[11:-1]} (f32.{wop} {s} {ev[r.operands[0]]}))")

        k.loop(n, body, "exact")
        k.fb.depth -= 2
        k.emit("))")

    def loop(self, p: int, vals: dict, vvals: dict, rowbyte: str) -> None:
        """Emits inner loop p and finishes its reductions into `vals`."""
        k, L = self.k, self.row_len
        lp = _LoopState(self, p, vals)
        if lp.main:
            jb, fa = k.local("i32", "jb"), k.local("i32", "fa")
            k.emit(f"(local.set {jb} (i32.const 0))")
            k.emit(f"(local.set {fa} {rowbyte})")
            k.emit(f"(block {jb}_end (loop {jb}_top  ;; stage {p}: f32x4 x {lp.u}, {lp.main // (4 * lp.u)} steps")
            k.fb.depth += 1
            for q in range(lp.u):
                ev = self.element(p, vvals, True, f"(local.get {fa})", f"(local.get {jb})", 4 * q)
                self.stores(p, ev, True, f"(local.get {fa})", f"(local.get {jb})", 4 * q)
                lp.accumulate(ev, q)
            k.emit(f"(local.set {fa} (i32.add (local.get {fa}) (i32.const {16 * lp.u})))")
            k.emit(f"(local.set {jb} (i32.add (local.get {jb}) (i32.const {16 * lp.u})))")
            k.emit(f"(br_if {jb}_top (i32.lt_u (local.get {jb}) (i32.const {4 * lp.main})))))")
            k.fb.depth -= 1
        for off in range(lp.main, lp.vec_end, 4):
            ev = self.element(p, vvals, True, rowbyte, "(i32.const 0)", off)
            self.stores(p, ev, True, rowbyte, "(i32.const 0)", off)
            lp.accumulate(ev, 0)
        for r in lp.reds:
            vals[r.name] = lp.finish(r, vals, rowbyte)
        if lp.vec_end == L:
            return
        if self.simd:  # the scalar tail, unrolled
            for off in range(lp.vec_end, L):
                ev = self.element(p, vals, False, rowbyte, "(i32.const 0)", off)
                self.stores(p, ev, False, rowbyte, "(i32.const 0)", off)
                lp.accumulate_scalar(ev, vals)
            return

        def body(j):
            jb = k.set("i32", f"(i32.shl {j} (i32.const 2))", "jb")
            fa = k.set("i32", f"(i32.add {rowbyte} {jb})", "fa")
            ev = self.element(p, vals, False, fa, jb, 0)
            self.stores(p, ev, False, fa, jb, 0)
            lp.accumulate_scalar(ev, vals)

        k.loop(L, body, "j")


class _LoopState:
    """One inner loop's shape (unroll, vector part) and its reductions' accumulators.

    max/min accumulate with pmax/pmin (one x86 instruction; f32x4.max is eight) and a NaN
    flag; rows whose result is NaN or zero (where pmax differs from max: NaN is dropped, -0
    and +0 tie) are recomputed with f32.max/min (`_Group.exact_rows`), so results are max's.
    """

    def __init__(self, g: _Group, p: int, vals: dict):
        self.g, self.p, k = g, p, g.k
        self.reds = [r for r in g.reduces if g.st.stage[r.operands[0]] == p]
        self.ops = {r.name: rows.simple_reducer(k.module, r.called[0]) for r in self.reds}
        heavy = any(g.by[n].opcode in _TRANSCENDENTAL for n in g.st.needs[p])
        self.u = _UNROLL_HEAVY if heavy else _UNROLL
        self.main = g.row_len - g.row_len % (4 * self.u) if g.simd else 0
        self.vec_end = g.row_len - g.row_len % 4 if g.simd else 0
        vec = self.reds if self.vec_end else []
        self.accs = {r.name: [k.local("v128", "acc") for _ in range(self.u)] for r in vec}
        self.flags = {r.name: k.local("v128", "nan") for r in vec if self.ops[r.name] != "add"}
        for r in vec:
            init = "(f32.const 0)" if self.ops[r.name] == "add" else vals[r.operands[1]]
            for a in self.accs[r.name][: self.u if self.main else 1]:
                k.emit(f"(local.set {a} (f32x4.splat {init}))")
        for f in self.flags.values():
            k.emit(f"(local.set {f} (v128.const i32x4 0 0 0 0))")

    def accumulate(self, ev: dict, q: int) -> None:
        """Adds vector values `ev` into accumulator q of each reduction."""
        k = self.g.k
        for r in self.reds:
            a, x, wop = self.accs[r.name][q], ev[r.operands[0]], _WOP[self.ops[r.name]]
            if r.name in self.flags:
                f = self.flags[r.name]
                k.emit(f"(local.set {a} (f32x4.p{wop} (local.get {a}) {x}))")
                k.emit(f"(local.set {f} (v128.or (local.get {f}) (f32x4.ne {x} {x})))")
            else:
                k.emit(f"(local.set {a} (f32x4.{wop} (local.get {a}) {x}))")

    def accumulate_scalar(self, ev: dict, vals: dict) -> None:
        for r in self.reds:
            s = vals[r.name]
            self.g.k.emit(f"(local.set {s[11:-1]} (f32.{_WOP[self.ops[r.name]]} {s} {ev[r.operands[0]]}))")

    def finish(self, r, vals: dict, rowbyte: str) -> str:
        """The scalar local holding reduction r after the vector part (init when none)."""
        k, wop = self.g.k, _WOP[self.ops[r.name]]
        if not self.vec_end:
            return k.set("f32", vals[r.operands[1]], r.name)
        a = [f"(local.get {x})" for x in self.accs[r.name]]
        va = k.set("v128", _tree(f"p{wop}" if r.name in self.flags else wop, a if self.main else a[:1]), "vacc")
        lanes = [f"(f32x4.extract_lane {i} {va})" for i in range(4)]
        s = k.set("f32", f"(f32.{wop} (f32.{wop} {lanes[0]} {lanes[1]}) (f32.{wop} {lanes[2]} {lanes[3]}))", r.name)
        if self.ops[r.name] == "add":
            k.emit(f"(local.set {s[11:-1]} (f32.add {s} {vals[r.operands[1]]}))")
        else:
            self.g.exact_rows(self.p, vals, rowbyte, r, s, self.flags[r.name], self.vec_end)
        return s


def lower_rows(k: Kernel) -> None:
    """Emits the loop nest of row-group fusion `k.inst`."""
    g = _Group(k)
    want = g.needed_rows()
    vals: dict = {}
    vvals: dict = {}
    g.emit_scalars(0, None, vals, vvals, "(i32.const 0)", want)

    def per_row(i):
        row = k.set("i32", i, "row")
        rowbyte = k.set("i32", f"(i32.mul {row} (i32.const {4 * g.row_len}))", "rowbyte")
        rv, rvv = dict(vals), dict(vvals)
        for p in range(g.st.loops + 1):
            g.emit_scalars(1, p, rv, rvv, row, want)
            if p < g.st.loops:
                g.loop(p, rv, rvv, rowbyte)
        # Per-row values of stages past the last loop that nothing else needed.
        for p in range(g.st.loops + 1, max(g.st.stage.values(), default=0) + 1):
            g.emit_scalars(1, p, rv, rvv, row, want)

    k.loop(g.nrows, per_row, "row")
