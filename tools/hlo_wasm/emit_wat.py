"""The WebAssembly backend: emits one WAT module for a planned HLO module.

The module imports nothing, declares one memory sized at compile time, holds constants in a
data segment, and exports `memory` plus one function named after the entry which reads its
inputs from, and leaves its outputs at, the byte offsets recorded in the manifest. Each HLO
instruction's code is preceded by one `;;` comment naming it and its HLO line.
"""

import numpy as np

from tools.hlo_wasm import emit_fused, ir, registry, support
from tools.hlo_wasm.kernel import FunctionBuilder, Kernel
from tools.hlo_wasm.passes import memory

_NO_CODE = ("parameter", "constant", "tuple", "get-tuple-element")
PAGE = 65536


class _Emitter:
    def __init__(self, module: ir.Module, plan: memory.Plan):
        self.module = module
        self.plan = plan
        self.fb = FunctionBuilder()

    def computation(self, scope: str, name: str, params=None):
        """Emits the code of computation `name` inline; returns its root value."""
        comp = self.module.computation(name)
        for inst in comp.instructions:
            self.instruction(scope, inst)
        return self.plan.values[(scope, comp.root)]

    def instruction(self, scope: str, inst: ir.Instruction) -> None:
        where = f"HLO line {inst.line}" if inst.line else "made by the compiler"
        self.fb.emit(f";; {inst.name} = {inst.shape} {inst.opcode}  ({where})")
        if inst.opcode in _NO_CODE:
            return
        out = self.plan.values[(scope, inst.name)]
        ins = [self.plan.values[(scope, o)] for o in inst.operands]
        k = Kernel(inst, ins, out, self.fb, self.module, self.computation, scope, self.plan)
        if inst.opcode == "fusion":
            emit_fused.lower_fusion(k)
            return
        op = registry.lookup(inst)
        if op.alias and inst.opcode in ("reshape", "bitcast"):
            return
        if op.kernel is None:
            raise ir.CompileError(
                f"op '{inst.opcode}' ({inst.where()}) reached the {registry.BACKEND} emitter "
                "unfused and has no kernel"
            )
        op.kernel(k, inst)


def _data_segments(plan: memory.Plan) -> list[str]:
    out = []
    for offset, lit in plan.constants:
        raw = np.ascontiguousarray(lit).tobytes()
        if raw.strip(b"\0"):
            text = "".join(f"\\{b:02x}" for b in raw)
            out.append(f'  (data (i32.const {offset}) "{text}")')
    return out


def emit(module: ir.Module, plan: memory.Plan, export: str, banner: str) -> str:
    """Returns WAT text for `module` laid out by `plan`, exporting function `export`."""
    e = _Emitter(module, plan)
    e.computation("", module.entry)
    body = "\n".join(e.fb.lines)
    helpers = support.functions_for(body)
    while True:  # helpers may call helpers / f16 conversions
        more = support.functions_for(body + "\n".join(helpers))
        if len(more) == len(helpers):
            break
        helpers = more
    pages = max(1, -(-plan.size // PAGE))
    decls = [f"(local {n} {t})" for n, t in e.fb.locals.items()]
    local_decls = "\n    ".join(" ".join(decls[i : i + 6]) for i in range(0, len(decls), 6))
    parts = [f";; {line}" for line in banner.splitlines()]
    parts.append("(module")
    parts.append(f'  (memory (export "memory") {pages})')
    parts.extend(_data_segments(plan))
    for h in helpers:
        parts.append("  " + h.replace("\n", "\n  "))
    parts.append(f'  (func ${export} (export "{export}")')
    if local_decls:
        parts.append(f"    {local_decls}")
    parts.append(body)
    parts.append("  )")
    parts.append(")")
    return "\n".join(parts) + "\n"
