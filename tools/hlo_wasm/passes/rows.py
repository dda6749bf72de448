"""Row-wise fusion: reductions over trailing dims fused with their producers and consumers.

A *row group* has one full shape D and a count r of trailing dims: a row is the last r dims
(L = prod(D[-r:]) elements), and there are N = prod(D[:-r]) rows. Members:

* reductions of one f32 operand over exactly the trailing r dims with an add/max/min reducer;
* elementwise ops on values of shape D (per element), and broadcasts into D of scalars, of
  per-row values (dimensions = the leading dims) and of outside values along the row
  (dimensions = the trailing dims: layer norm's scale and offset);
* per-row values: elementwise ops, reshapes and size-keeping broadcasts of N-element values
  derived from the group's reductions (softmax's `max(reduce, -inf)`, `[N] -> [N,1]`, ...).

`emit_rows.py` runs a group as one loop over rows; per row, one inner loop per reduction
stage (`stages` below), with the row values a later loop reads kept in the row of an output
written later or in a one-row scratch buffer (L1-resident) instead of full-size temporaries.
Only values used outside the group are stored at full size.

Groups are formed in one pass over the computation in order, with `passes/fuse.py`'s rule:
the group is emitted at its last member, so X may join a group only if no outside user of the
group comes before X. Outside scalar constants and broadcasts of scalars, along the row or per
row are copied into each group that reads them (the group reads the small operand). The
scratch row buffer is the last leaf of the fusion's tuple shape, so `passes/memory.py`
reserves it like any other result (live only while the fusion runs) without a change.
"""

import dataclasses
import math

from tools.hlo_wasm import ir, registry
from tools.hlo_wasm.passes import fuse as _fuse

# A row's scratch values must stay small enough to live in L1/L2; larger rows are not fused.
MAX_SCRATCH_BYTES = 256 * 1024
_REDUCERS = ("add", "maximum", "minimum")
_ALIAS = ("reshape", "bitcast")


@dataclasses.dataclass
class _Group:
    """A group being formed: its members, and the outside users of members seen so far."""

    dims: tuple  # D, the full shape
    r: int | None  # trailing dims per row (None until a reduction or broadcast fixes it)
    members: list = dataclasses.field(default_factory=list)
    outside: set = dataclasses.field(default_factory=set)
    reduces: int = 0

    @property
    def nrows(self) -> int:
        return math.prod(self.dims[: len(self.dims) - self.r])


def simple_reducer(module: ir.Module, name: str) -> str | None:
    """'add'/'maximum'/'minimum' when computation `name` is that op on its two parameters."""
    comp = module.computation(name)
    root = comp.root_instruction
    if len(comp.instructions) != 3 or root.opcode not in _REDUCERS or root.shape.dtype != "f32":
        return None
    return root.opcode


def _row_reduce(inst: ir.Instruction, by: dict, module: ir.Module) -> int | None:
    """The r of `inst` when it is an f32 add/max/min reduce over exactly the trailing r dims."""
    if inst.opcode != "reduce" or len(inst.operands) != 2 or inst.shape.is_tuple:
        return None
    src = by[inst.operands[0]].shape
    dims = tuple(sorted(inst.attr("dimensions", ())))
    r = len(dims)
    if not r or src.dtype != "f32" or dims != tuple(range(src.rank - r, src.rank)):
        return None
    if src.size == 0 or math.prod(src.dims[-r:]) < 2 or by[inst.operands[1]].shape.dims != ():
        return None
    return r if simple_reducer(module, inst.called[0]) else None


def _elementwise(inst: ir.Instruction) -> bool:
    if inst.shape.is_tuple or inst.opcode in ("parameter", "constant", "broadcast", *_ALIAS):
        return False
    op = registry.lookup(inst)
    return op.elementwise and inst.shape.dtype in ("f32", "pred")


def copyable(inst: ir.Instruction, by: dict) -> bool:
    """Outside values copied into a group: scalar constants and broadcasts of scalars."""
    if inst.opcode == "constant":
        return inst.shape.dims == ()
    return inst.opcode == "broadcast" and by[inst.operands[0]].shape.dims == ()


def along_row(inst: ir.Instruction, by: dict, dims: tuple, r: int) -> bool:
    """A broadcast into `dims` of an f32 value along the row (dims[-r:]) or per row (dims[:-r])."""
    if inst.opcode != "broadcast" or inst.shape.dims != dims:
        return False
    src = by[inst.operands[0]].shape
    bd, lead = tuple(inst.attr("dimensions", ())), len(dims) - r
    if src.dtype != "f32":
        return False
    return (src.dims == dims[lead:] and bd == tuple(range(lead, len(dims)))) or (
        src.dims == dims[:lead] and bd == tuple(range(lead))
    )


class _Former:
    """The one-pass group assignment (see the module docstring)."""

    def __init__(self, module: ir.Module, comp: ir.Computation):
        self.module = module
        self.by = comp.by_name()
        self.group: dict[str, int] = {}
        self.groups: dict[int, _Group] = {}
        self.next = 0

    def role(self, inst, g: _Group) -> tuple[str, int | None] | None:
        """(role, r) of `inst` in group `g`, or None when it cannot join."""
        by, dims = self.by, g.dims
        if inst.opcode == "reduce":
            r = _row_reduce(inst, by, self.module)
            ok = r is not None and by[inst.operands[0]].shape.dims == dims and g.r in (None, r)
            return ("reduce", r) if ok and self.level(inst.operands[0], g) == "full" else None
        if inst.shape.dims == dims:
            if inst.opcode == "broadcast":
                src = by[inst.operands[0]].shape.dims
                bd = tuple(inst.attr("dimensions", ()))
                k = len(src)
                # A per-row member broadcast back along the row. (Broadcasts of outside values
                # are never members: `_callee` copies them into the groups that read them.)
                if k and bd == tuple(range(k)) and src == dims[:k] and k < len(dims):
                    r = len(dims) - k
                    if g.r in (None, r) and self.level(inst.operands[0], g) == "row":
                        return "rowb", r
                return None
            if _elementwise(inst) and all(self.level(o, g) in ("full", "scalar") for o in inst.operands):
                return "full", g.r
            return None
        if g.r is None or inst.shape.size != g.nrows or inst.shape.dtype not in ("f32", "pred"):
            return None
        if inst.opcode in _ALIAS or (
            inst.opcode == "broadcast"
            and by[inst.operands[0]].shape.size == inst.shape.size
            and list(inst.attr("dimensions", ())) == sorted(inst.attr("dimensions", ()))
        ):
            return ("row", g.r) if self.level(inst.operands[0], g) == "row" else None
        if _elementwise(inst) and all(
            self.level(o, g) == "scalar" or (self.level(o, g) == "row" and self.by[o].shape.dims == inst.shape.dims)
            for o in inst.operands
        ):
            return "row", g.r
        return None

    def level(self, name: str, g: _Group) -> str | None:
        """How operand `name` reads inside `g`: 'full', 'row', 'scalar' or None (cannot)."""
        inst = self.by[name]
        gid = self.group.get(name)
        if gid is not None and self.groups.get(gid) is g:
            if inst.shape.dims == g.dims:
                return "full"
            return "row"
        if copyable(inst, self.by) or inst.shape.dims == ():
            return "scalar"
        if inst.shape.dtype != "f32":  # the loops load outside arrays as f32
            return None
        if inst.shape.dims == g.dims:
            return "full"
        if g.r is not None and inst.shape.size == g.nrows:
            return "row"
        return None

    def candidates(self, inst) -> list[int]:
        gids = sorted({self.group[o] for o in inst.operands if o in self.group})
        return [g for g in gids if not self.groups[g].outside]

    def place(self, inst) -> None:
        """Assigns `inst` to a group (joining or merging its operands' groups) if it fits."""
        cands = self.candidates(inst)
        chosen = None
        if len(cands) > 1:
            merged = self.try_merge(cands)
            if merged is not None and self.role(inst, self.groups[merged]) is not None:
                chosen = merged
        for gid in cands if chosen is None else ():
            if gid in self.groups and self.role(inst, self.groups[gid]) is not None:
                chosen = gid
                break
        if chosen is None:
            chosen = self.seed(inst)
        if chosen is None:
            return
        g = self.groups[chosen]
        role, r = self.role(inst, g)
        g.r = r
        g.reduces += role == "reduce"
        g.members.append(inst.name)
        self.group[inst.name] = chosen

    def seed(self, inst) -> int | None:
        """A new group for `inst` when it can start one (a row reduce, a full elementwise op)."""
        if inst.opcode == "reduce":
            dims = self.by[inst.operands[0]].shape.dims
        elif _elementwise(inst) and inst.shape.rank:
            dims = inst.shape.dims
        else:
            return None
        g = _Group(dims, None)
        if self.role(inst, g) is None:
            return None
        gid, self.next = self.next, self.next + 1
        self.groups[gid] = g
        return gid

    def try_merge(self, gids: list[int]) -> int | None:
        """Merges compatible groups `gids` into the first; returns it, or None."""
        gs = [self.groups[g] for g in gids]
        rs = {g.r for g in gs if g.r is not None}
        if len({g.dims for g in gs}) != 1 or len(rs) > 1:
            return None
        first = gs[0]
        first.r = rs.pop() if rs else None
        for gid, g in zip(gids[1:], gs[1:], strict=True):
            for m in g.members:
                self.group[m] = gids[0]
            first.members.extend(g.members)
            first.reduces += g.reduces
            first.outside |= g.outside
            del self.groups[gid]
        first.outside = {u for u in first.outside if self.group.get(u) != gids[0]}
        return gids[0]

    def run(self, comp: ir.Computation) -> dict[str, int]:
        for inst in comp.instructions:
            self.place(inst)
            gid = self.group.get(inst.name)
            for o in inst.operands:
                h = self.group.get(o)
                if h is not None and h != gid and h in self.groups:
                    self.groups[h].outside.add(inst.name)
        return {n: g for n, g in self.group.items() if g in self.groups and self.keep(self.groups[g])}

    def keep(self, g: _Group) -> bool:
        return g.reduces > 0 and len(g.members) > 1 and g.r is not None


def _callee(mem, by, users, root, cname, dims, r):
    """The fused computation of one group and its outputs (members used outside or root)."""
    names = {m.name for m in mem}
    params, body, pname, copied = [], [], {}, {}

    def param(o):
        if o not in pname:
            pname[o] = f"param.{len(params)}"
            params.append(o)
            body.append(ir.Instruction(pname[o], "parameter", by[o].shape, attrs=(("number", len(params) - 1),)))
        return pname[o]

    def outside(o):
        inst = by[o]
        if inst.opcode == "constant" and inst.shape.dims == ():
            if o not in copied:
                copied[o] = f"{o}.c"
                body.append(dataclasses.replace(inst, name=copied[o]))
            return copied[o]
        if copyable(inst, by) or along_row(inst, by, dims, r):
            # Scalar broadcasts, and broadcasts along or per row (layer norm's scale, a row
            # vector computed elsewhere): read the small operand instead of a full-size copy.
            if o not in copied:
                src = inst.operands[0]
                src = src if src in names else outside(src)
                copied[o] = f"{o}.c"
                body.append(dataclasses.replace(inst, name=copied[o], operands=(src,)))
            return copied[o]
        return param(o)

    for m in mem:
        ops = tuple(o if o in names else outside(o) for o in m.operands)
        body.append(dataclasses.replace(m, operands=ops))
    outs = [m for m in mem if m.name == root or any(u not in names for u in users[m.name])]
    troot = ir.Instruction(f"{cname}.root", "tuple", ir.tuple_shape(o.shape for o in outs), tuple(o.name for o in outs))
    return ir.Computation(cname, tuple(body) + (troot,), troot.name), params, outs


def _build(mem, by, users, root, counter, rename, g: _Group):
    """The fusion (+ get-tuple-element) instructions and callee of one group, or None.

    None when the group should stay unfused: an output that is not f32 (the loops store f32
    only) or a row scratch larger than MAX_SCRATCH_BYTES.
    """
    row_len = math.prod(g.dims[len(g.dims) - g.r :])
    cname = f"rows.{counter[0] + 1}"
    comp, params, outs = _callee(mem, by, users, root, cname, g.dims, g.r)
    if any(o.shape.dtype != "f32" for o in outs):
        return None
    nslots = len(stages(comp, g.nrows, row_len).scratch)
    if nslots * row_len * 4 > MAX_SCRATCH_BYTES:
        return None
    counter[0] += 1
    shape = ir.tuple_shape([o.shape for o in outs] + [ir.Shape("f32", (nslots * row_len,))])
    fname = f"row_fusion.{counter[0]}"
    fusion = ir.Instruction(
        fname,
        "fusion",
        shape,
        tuple(rename.get(p, p) for p in params),
        attrs=(("calls", (cname,)), ("kind", "rows"), ("rows", (g.nrows, row_len))),
        called=(cname,),
        line=mem[-1].line,
    )
    insts = [fusion]
    for k, o in enumerate(outs):
        gte = ir.Instruction(
            f"{o.name}.out", "get-tuple-element", o.shape, (fname,), attrs=(("index", k),), line=o.line
        )
        insts.append(gte)
        rename[o.name] = gte.name
    return insts, comp


def fuse_rows(module: ir.Module, comp: ir.Computation, counter: list) -> tuple[ir.Computation, list[ir.Computation]]:
    """Returns `comp` with row groups fused, plus the new fused computations."""
    by = comp.by_name()
    former = _Former(module, comp)
    group = former.run(comp)
    users: dict[str, list[str]] = {i.name: [] for i in comp.instructions}
    for i in comp.instructions:
        for o in i.operands:
            users[o].append(i.name)
    members: dict[int, list] = {}
    last: dict[int, str] = {}
    for inst in comp.instructions:
        if inst.name in group:
            members.setdefault(group[inst.name], []).append(inst)
            last[group[inst.name]] = inst.name
    out, new_comps, rename = [], [], {}
    for inst in comp.instructions:
        gid = group.get(inst.name)
        if gid is not None and last[gid] == inst.name:
            built = _build(members[gid], by, users, comp.root, counter, rename, former.groups[gid])
            if built is None:  # unfused after all: emit the members as they were
                for m in members[gid]:
                    out.append(dataclasses.replace(m, operands=tuple(rename.get(o, o) for o in m.operands)))
                continue
            out.extend(built[0])
            new_comps.append(built[1])
            continue
        if gid is None:
            out.append(dataclasses.replace(inst, operands=tuple(rename.get(o, o) for o in inst.operands)))
    return ir.Computation(comp.name, tuple(out), rename.get(comp.root, comp.root)), new_comps


def run(module: ir.Module) -> ir.Module:
    """Row-fuses every program computation of `module`."""
    counter = [0]
    result = module
    for name in _fuse.program_computations(module):
        comp, extra = fuse_rows(result, result.computation(name), counter)
        result = result.replace(comp, *extra)
    return result


# ---- stages (shared with emit_rows.py) -------------------------------------------------------


@dataclasses.dataclass
class Stages:
    """How a row group's body runs: per value a level and a stage, per loop what it needs.

    Levels: 0 = invariant, 1 = per row, 2 = per element. A reduction's result is available
    one stage after its operand; loop p computes the per-element values of stage p that
    reductions (accumulated in loop p), full-size outputs (stored in loop p) or later loops
    (through the row scratch) need. Per-row values of stage p are computed before loop p.

    Attributes:
      level, stage: per value name.
      kind: 'load' (full-size parameter), 'col' (broadcast along the row of a parameter),
        'rowload' (per-row parameter), 'scalar' (scalar parameter) or '' (computed).
      loops: number of inner loops.
      needs: per loop, the per-element values it computes or loads, in body order.
      scratch: value name -> scratch slot (a row of L f32) for values later loops read.
      outputs: output value name -> output index (the fusion's tuple index).
      home: value name -> the full-size output whose row holds it instead of the scratch.
    """

    level: dict
    stage: dict
    kind: dict
    loops: int
    needs: list
    scratch: dict
    outputs: dict
    home: dict


def stages(comp: ir.Computation, nrows: int, row_len: int) -> Stages:
    """The level/stage analysis of a row group's fused computation."""
    by = comp.by_name()
    level, stage, kind = {}, {}, {}
    for inst in comp.instructions:
        n, op = inst.name, inst.opcode
        if op == "tuple":
            continue
        kind[n] = ""
        if op == "constant" or (op == "broadcast" and by[inst.operands[0]].shape.dims == ()):
            level[n], stage[n] = 0, 0
        elif op == "parameter":
            size = inst.shape.size
            if inst.shape.dims == ():
                level[n], kind[n] = 0, "scalar"
            elif size == nrows * row_len:
                level[n], kind[n] = 2, "load"
            else:
                level[n], kind[n] = 1, "rowload"
            stage[n] = 0
        elif op == "broadcast" and inst.shape.size == nrows * row_len:
            if tuple(inst.attr("dimensions", ()))[:1] == (0,) and inst.shape.size != by[inst.operands[0]].shape.size:
                level[n], stage[n] = 1, stage[inst.operands[0]]  # per-row value along the row
            else:
                level[n], stage[n], kind[n] = 2, 0, "col"
        elif op == "reduce":
            level[n], stage[n] = 1, stage[inst.operands[0]] + 1
        else:
            level[n] = max(level[o] for o in inst.operands)
            stage[n] = max(stage[o] for o in inst.operands)
    root = comp.root_instruction
    outputs = {o: k for k, o in enumerate(root.operands)}
    full = {o for o in outputs if by[o].shape.size == nrows * row_len}
    roots: dict[int, list] = {}
    for o in sorted(full, key=outputs.get):
        roots.setdefault(stage[o], []).append(o)
    for inst in comp.instructions:
        if inst.opcode == "reduce":
            roots.setdefault(stage[inst.operands[0]], []).append(inst.operands[0])
    loops = max(roots, default=-1) + 1
    order = {inst.name: k for k, inst in enumerate(comp.instructions)}
    needs: list = [set() for _ in range(loops)]
    scratch: dict = {}
    last_use: dict = {}
    for p in reversed(range(loops)):
        todo = list(roots.get(p, []))
        while todo:
            v = todo.pop()
            if v in needs[p] or level[v] < 2:
                continue
            needs[p].add(v)
            if kind[v]:
                continue
            if stage[v] < p and v in full:
                continue  # read back from its output buffer
            if stage[v] < p and by[v].shape.dtype == "f32":
                if v not in scratch:
                    scratch[v] = len(scratch)
                    roots.setdefault(stage[v], []).append(v)
                last_use[v] = max(last_use.get(v, 0), p)
                continue
            todo.extend(by[v].operands)
    # A value may live in the row of a full-size output written in a loop at or after its last
    # read (softmax's exp(x - max) in the output row): each element is read before the output
    # overwrites it in the same step, so no scratch is needed.
    home, free = {}, [o for o in sorted(full, key=outputs.get) if by[o].shape.dtype == "f32"]
    for v in sorted(scratch, key=scratch.get):
        for o in free:
            if stage[o] >= last_use[v] and stage[o] > stage[v]:
                home[v] = o
                free.remove(o)
                break
    slots = {v: k for k, v in enumerate(v for v in sorted(scratch, key=scratch.get) if v not in home)}
    return Stages(level, stage, kind, loops, [sorted(s, key=order.get) for s in needs], slots, outputs, home)
