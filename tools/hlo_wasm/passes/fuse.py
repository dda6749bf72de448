"""Elementwise fusion: groups elementwise instructions of equal dims into single-loop fusions.

Only computations that run as programs (the entry, while bodies/conditions, conditional
branches) are fused; scalar computations (reducers, comparators) are inlined by their users.

Members: elementwise ops (registry `scalar` lowering) and broadcasts of scalars. Scalar
constants are copied into each group that uses them. A group is emitted at the position of
its last member, so an instruction X may join the groups of its operands only if no outside
user of those groups comes before X. Every member used outside the group (or the root) is an
output, so siblings that share inputs (the quadratic formula's two roots) share one loop.
"""

import dataclasses

from tools.hlo_wasm import ir, registry


def _fusible(inst: ir.Instruction, by: dict) -> bool:
    if inst.shape.is_tuple:
        return False
    if inst.opcode == "broadcast":
        # Scalars always; arrays when the broadcast keeps dim order (no transpose) and the
        # operand is not a constant (constants stay in memory as fusion parameters).
        dims = inst.attr("dimensions", ())
        return by[inst.operands[0]].shape.dims == () or list(dims) == sorted(dims)
    if inst.opcode in ("parameter", "constant", "tuple", "get-tuple-element"):
        return False
    op = registry.lookup(inst)
    return op.elementwise


def program_computations(module: ir.Module) -> list[str]:
    """Names of the computations that run as code (entry + while/conditional bodies)."""
    out, stack = [], [module.entry]
    while stack:
        name = stack.pop()
        if name in out:
            continue
        out.append(name)
        for inst in module.computation(name).instructions:
            if inst.opcode in ("while", "conditional"):
                stack.extend(inst.called)
    return out


def _groups(comp: ir.Computation) -> dict[str, int]:
    """Assigns fusible instructions to group ids, in one pass over `comp` (linear time).

    Instructions are visited in order, so the users of a group's members that are already
    visited are exactly those that come before the instruction being placed. Each group keeps
    `outside[g]`: visited instructions outside g that use a member of g. X may join g only
    if that set is empty (no outside user of g comes before X).
    """
    by = comp.by_name()
    group: dict[str, int] = {}
    members: dict[int, list[str]] = {}
    outside: dict[int, set[str]] = {}
    next_id = 0
    for inst in comp.instructions:
        gid = None
        if _fusible(inst, by):
            cands = {group[o] for o in inst.operands if o in group and by[o].shape.dims == inst.shape.dims}
            ok = [g for g in sorted(cands) if not outside[g]]
            if ok:
                gid = ok[0]
            else:
                gid, next_id = next_id, next_id + 1
                members[gid], outside[gid] = [], set()
            members[gid].append(inst.name)
            group[inst.name] = gid
            if len(ok) > 1:
                pool = outside[gid]
                for g in ok[1:]:
                    for m in members.pop(g):
                        group[m] = gid
                        members[gid].append(m)
                    pool |= outside.pop(g)
                outside[gid] = {u for u in pool if group.get(u) != gid}
        for o in inst.operands:
            h = group.get(o)
            if h is not None and h != gid:
                outside[h].add(inst.name)
    return group


def fuse(comp: ir.Computation, counter: list) -> tuple[ir.Computation, list[ir.Computation]]:
    """Returns the computation with fusions, plus the new fused computations."""
    by = comp.by_name()
    group = _groups(comp)
    last, members = {}, {}
    for inst in comp.instructions:
        if inst.name in group:
            last[group[inst.name]] = inst.name
            members.setdefault(group[inst.name], []).append(inst)
    users: dict[str, list[str]] = {i.name: [] for i in comp.instructions}
    for i in comp.instructions:
        for o in i.operands:
            users[o].append(i.name)
    out, new_comps, rename = [], [], {}
    for inst in comp.instructions:
        g = group.get(inst.name)
        if g is None:
            out.append(dataclasses.replace(inst, operands=tuple(rename.get(o, o) for o in inst.operands)))
            continue
        if last[g] != inst.name:
            continue
        mem = members[g]
        fused, callee = _build(mem, by, users, comp.root, counter, rename)
        out.extend(fused)
        new_comps.append(callee)
    return ir.Computation(comp.name, tuple(out), rename.get(comp.root, comp.root)), new_comps


def _build(mem, by, users, root, counter, rename):
    """Builds the fused computation and the fusion (+ get-tuple-element) instructions."""
    names = {m.name for m in mem}
    params, body, consts = [], [], {}
    pname = {}
    for m in mem:
        ops = []
        for o in m.operands:
            if o in names:
                ops.append(o)
            elif by[o].opcode == "constant" and by[o].shape.dims == ():
                cname = f"{o}.c"
                if cname not in consts:
                    consts[cname] = dataclasses.replace(by[o], name=cname)
                    body.append(consts[cname])
                ops.append(cname)
            else:
                if o not in pname:
                    pname[o] = f"param.{len(params)}"
                    params.append(o)
                    body.append(
                        ir.Instruction(
                            pname[o],
                            "parameter",
                            by[o].shape,
                            attrs=(("number", len(params) - 1),),
                        )
                    )
                ops.append(pname[o])
        body.append(dataclasses.replace(m, operands=tuple(ops)))
    outs = [m for m in mem if m.name == root or any(u not in names for u in users[m.name])]
    counter[0] += 1
    cname = f"fused.{counter[0]}"
    lastm = mem[-1]
    if len(outs) == 1:
        shape = outs[0].shape
        comp = ir.Computation(cname, tuple(body), outs[0].name)
    else:
        shape = ir.tuple_shape(o.shape for o in outs)
        troot = ir.Instruction(f"{cname}.root", "tuple", shape, tuple(o.name for o in outs))
        comp = ir.Computation(cname, tuple(body) + (troot,), troot.name)
    fname = f"fusion.{counter[0]}"
    fusion = ir.Instruction(
        fname,
        "fusion",
        shape,
        tuple(rename.get(p, p) for p in params),
        attrs=(("calls", (cname,)),),
        called=(cname,),
        line=lastm.line,
    )
    insts = [fusion]
    if len(outs) == 1:
        rename[outs[0].name] = fname
    else:
        for k, o in enumerate(outs):
            g = ir.Instruction(
                f"{o.name}.out",
                "get-tuple-element",
                o.shape,
                (fname,),
                attrs=(("index", k),),
                line=o.line,
            )
            insts.append(g)
            rename[o.name] = g.name
    return insts, comp


def run(module: ir.Module) -> ir.Module:
    """Fuses every program computation of `module`."""
    counter = [0]
    result = module
    for name in program_computations(module):
        comp, extra = fuse(result.computation(name), counter)
        result = result.replace(comp, *extra)
    return result
