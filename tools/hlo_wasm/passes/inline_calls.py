"""Call inlining: replaces every `call` and XLA `fusion` by the instructions of its callee.

Callee instructions are copied with names prefixed by the call's name (so they stay unique),
its parameters become the call's operands, and users of the call read the callee's root. Nested
calls are inlined first. Post-optimisation HLO's fusions are undone this way; our own fusion
pass then refuses them for WebAssembly.
"""

import dataclasses

from tools.hlo_wasm import ir

_INLINE = ("call", "fusion")


def _inline_comp(module: ir.Module, comp: ir.Computation, done: dict) -> ir.Computation:
    if comp.name in done:
        return done[comp.name]
    out: list[ir.Instruction] = []
    rename: dict[str, str] = {}
    for inst in comp.instructions:
        ops = tuple(rename.get(o, o) for o in inst.operands)
        if inst.opcode not in _INLINE:
            out.append(dataclasses.replace(inst, operands=ops))
            continue
        callee = _inline_comp(module, module.computation(inst.called[0]), done)
        inner: dict[str, str] = {}
        for ci in callee.instructions:
            if ci.opcode == "parameter":
                inner[ci.name] = ops[ci.attr("number")]
                continue
            new = f"{inst.name}.{ci.name}"
            inner[ci.name] = new
            cops = tuple(inner[o] for o in ci.operands)
            out.append(dataclasses.replace(ci, name=new, operands=cops, line=ci.line))
        rename[inst.name] = inner[callee.root]
    root = rename.get(comp.root, comp.root)
    if root != comp.root and any(i.name == root for i in comp.instructions) is False:
        pass
    new_comp = ir.Computation(comp.name, tuple(out), root)
    done[comp.name] = new_comp
    return new_comp


def run(module: ir.Module) -> ir.Module:
    """Returns `module` with every call and fusion inlined (callees stay, unused)."""
    done: dict = {}
    comps = tuple(_inline_comp(module, c, done) for c in module.computations)
    return ir.Module(module.name, comps, module.entry)
