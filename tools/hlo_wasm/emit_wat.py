"""The WebAssembly backend: emits one WAT module for a planned HLO module.

The module imports nothing, declares one memory sized at compile time, holds constants in a
data segment, and exports `memory` plus one function named after the entry which reads its
inputs from, and leaves its outputs at, the byte offsets recorded in the manifest. Each
top-level HLO instruction with code becomes a function named after it, called in order by the
entry; while/conditional bodies are emitted inside their instruction's function. Each HLO
instruction's code is preceded by one `;;` comment naming it and its HLO line.
"""

import numpy as np

from tools.hlo_wasm import emit_fused, emit_rows, ir, registry, support
from tools.hlo_wasm.kernel import FunctionBuilder, Kernel
from tools.hlo_wasm.passes import memory

_NO_CODE = ("parameter", "constant", "tuple", "get-tuple-element", "opt-barrier")
PAGE = 65536


class _Emitter:
    def __init__(self, module: ir.Module, plan: memory.Plan, relaxed_simd: bool = False):
        self.module = module
        self.relaxed_simd = relaxed_simd
        self.plan = plan
        self.entry = FunctionBuilder()
        self.fb = self.entry
        self.funcs: list[tuple[str, FunctionBuilder]] = []
        self.names: set[str] = set()

    def function_name(self, inst: ir.Instruction) -> str:
        """A unique WAT function name derived from the instruction's name."""
        base = "".join(ch if ch.isalnum() or ch in "_." else "_" for ch in inst.name)
        base = base[-48:].lstrip(".") or "op"
        name, n = base, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

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
        if scope == "" and self.fb is self.entry:
            # Each top-level instruction becomes its own named function: small functions keep
            # locals few (engines cap them) and the WAT readable; the entry calls them in order.
            if inst.opcode in ("reshape", "bitcast") and not inst.shape.is_tuple:
                return
            name = self.function_name(inst)
            self.fb = FunctionBuilder()
            self.fb.emit(f";; {inst.name} = {inst.shape} {inst.opcode}  ({where})")
            try:
                self.lower(scope, inst)
            finally:
                self.funcs.append((name, self.fb))
                self.fb = self.entry
            self.entry.emit(f"(call ${name})")
            return
        self.lower(scope, inst)

    def lower(self, scope: str, inst: ir.Instruction) -> None:
        """Emits the code of one instruction into the current function."""
        out = self.plan.values[(scope, inst.name)]
        ins = [self.plan.values[(scope, o)] for o in inst.operands]
        k = Kernel(inst, ins, out, self.fb, self.module, self.computation, scope, self.plan, self.relaxed_simd)
        if inst.opcode == "fusion" and inst.attr("kind") == "rows":
            emit_rows.lower_rows(k)
            return
        if inst.opcode == "fusion":
            emit_fused.lower_fusion(k)
            return
        op = registry.lookup(inst)
        if op.alias and inst.opcode in ("reshape", "bitcast"):
            return
        if op.kernel is None:
            raise ir.CompileError(
                f"op '{inst.opcode}' ({inst.where()}) reached the {registry.BACKEND} emitter unfused and has no kernel"
            )
        op.kernel(k, inst)


_HEX = [f"\\{b:02x}" for b in range(256)]  # WAT string escapes, one per byte value


def _data_segments(plan: memory.Plan) -> list[str]:
    out = []
    for offset, lit in plan.constants:
        raw = np.ascontiguousarray(lit).tobytes()
        if raw.strip(b"\0"):
            text = "".join(map(_HEX.__getitem__, raw))
            out.append(f'  (data (i32.const {offset}) "{text}")')
    return out


def emit(module: ir.Module, plan: memory.Plan, export: str, banner: str, relaxed_simd: bool = False) -> str:
    """Returns WAT text for `module` laid out by `plan`, exporting function `export`.

    With `relaxed_simd`, lowerings may use relaxed-SIMD instructions (e.g. `f32x4.relaxed_madd`).
    """
    e = _Emitter(module, plan, relaxed_simd)
    e.computation("", module.entry)
    funcs = [(name, fb, "") for name, fb in e.funcs]
    funcs.append((export, e.entry, f' (export "{export}")'))
    body = "\n".join(line for _, fb, _ in funcs for line in fb.lines)
    helpers = support.functions_for(body)
    while True:  # helpers may call helpers / f16 conversions
        more = support.functions_for(body + "\n".join(helpers))
        if len(more) == len(helpers):
            break
        helpers = more
    pages = max(1, -(-plan.size // PAGE))
    parts = [f";; {line}" for line in banner.splitlines()]
    parts.append("(module")
    parts.append(f'  (memory (export "memory") {pages})')
    parts.extend(_data_segments(plan))
    for h in helpers:
        parts.append("  " + h.replace("\n", "\n  "))
    for name, fb, exp in funcs:
        parts.append(_function(name, fb, exp))
    parts.append(")")
    return "\n".join(parts) + "\n"


def _function(name: str, fb: FunctionBuilder, export: str) -> str:
    decls = [f"(local {n} {t})" for n, t in fb.locals.items()]
    lines = [f"  (func ${name}{export}"]
    lines += ["    " + " ".join(decls[i : i + 6]) for i in range(0, len(decls), 6)]
    lines += fb.lines
    lines.append("  )")
    return "\n".join(lines)
