"""Simplification: forwards no-op instructions and removes dead code.

* `copy`, `convert` to the same type, and `reshape`/`bitcast` to the same dims become aliases
  of their operand (buffers are immutable, so a copy is never needed for correctness).
* Instructions that the root does not (transitively) use are dropped; parameters stay so
  that the signature does not change.
"""

import dataclasses

from tools.hlo_wasm import ir


def _is_noop(inst: ir.Instruction, shapes: dict) -> bool:
    if inst.opcode == "copy":
        return True
    if inst.opcode in ("convert", "reshape", "bitcast") and len(inst.operands) == 1:
        return shapes[inst.operands[0]] == inst.shape
    return False


def simplify(comp: ir.Computation) -> ir.Computation:
    """Returns `comp` with no-ops forwarded and dead instructions removed."""
    shapes = {i.name: i.shape for i in comp.instructions}
    fwd: dict[str, str] = {}
    insts = []
    for inst in comp.instructions:
        ops = tuple(fwd.get(o, o) for o in inst.operands)
        if _is_noop(inst, shapes) and inst.name != comp.root:
            fwd[inst.name] = ops[0]
            continue
        insts.append(dataclasses.replace(inst, operands=ops))
    by = {i.name: i for i in insts}
    live, stack = set(), [comp.root]
    while stack:
        n = stack.pop()
        if n not in live:
            live.add(n)
            stack.extend(by[n].operands)
    kept = tuple(i for i in insts if i.name in live or i.opcode == "parameter")
    return ir.Computation(comp.name, kept, comp.root)


def run(module: ir.Module) -> ir.Module:
    """Simplifies every computation."""
    return ir.Module(module.name, tuple(simplify(c) for c in module.computations), module.entry)
