"""The code-building API that op lowerings use.

The code-building API that op lowerings use: locals, loops, loads, stores, inlined scalar
computations. A `Kernel` wraps one instruction and the shared `FunctionBuilder`.
"""

import dataclasses

from tools.hlo_wasm import dtypes, ir, registry
from tools.hlo_wasm.ops import common as c
from tools.hlo_wasm.passes.memory import Leaf, leaves


class FunctionBuilder:
    """Accumulates the body lines and named locals of one WAT function."""

    def __init__(self):
        self.lines: list[str] = []
        self.locals: dict[str, str] = {}
        self.depth = 2

    def local(self, wtype: str, hint: str = "t") -> str:
        """Declares a fresh local and returns its `$name`."""
        base = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in hint)
        name = f"${base}_{len(self.locals)}"
        self.locals[name] = wtype
        return name

    def label(self, hint: str) -> str:
        """A fresh block label `$hint_N`."""
        self.labels = getattr(self, "labels", 0) + 1
        return f"${hint}_{self.labels}"

    def emit(self, line: str) -> None:
        """Appends one line at the current indentation."""
        self.lines.append("  " * self.depth + line)


def _log2(n: int) -> int:
    return {1: 0, 2: 1, 4: 2, 8: 3}[n]


def addr(leaf: Leaf, index: str) -> tuple[str, str]:
    """(memarg, address expression) for element `index` (an i32 expression) of `leaf`."""
    size = dtypes.get(leaf.shape.dtype).size
    a = index if size == 1 else f"(i32.shl {index} (i32.const {_log2(size)}))"
    return f"offset={leaf.offset}", a


def load(leaf: Leaf, index: str) -> str:
    """Loads element `index` of `leaf` as its compute type (f16/bf16 widen to f32)."""
    d = dtypes.get(leaf.shape.dtype)
    memarg, a = addr(leaf, index)
    raw = f"({d.load} {memarg} {a})"
    if d.name == "f16":
        return f"(call $f16_to_f32 {raw})"
    if d.name == "bf16":
        return f"(f32.reinterpret_i32 (i32.shl {raw} (i32.const 16)))"
    return raw


def store(leaf: Leaf, index: str, value: str) -> str:
    """A store of compute-type `value` into element `index` of `leaf`."""
    d = dtypes.get(leaf.shape.dtype)
    memarg, a = addr(leaf, index)
    if d.name == "f16":
        value = f"(call $f32_to_f16 {value})"
    elif d.name == "bf16":
        value = f"(call $f32_to_bf16 {value})"
    return f"({d.store} {memarg} {a} {value})"


def strides(dims) -> list[int]:
    """Row-major element strides of `dims`."""
    out, s = [], 1
    for d in reversed(dims):
        out.append(s)
        s *= d
    return out[::-1]


def linear(idx: list[str], dims) -> str:
    """i32 expression of the row-major linear index of multi-index `idx` in `dims`."""
    terms = []
    for i, s in zip(idx, strides(dims), strict=False):
        terms.append(i if s == 1 else f"(i32.mul {i} (i32.const {s}))")
    return add_i32(*terms)


def add_i32(*terms) -> str:
    """i32 sum of expressions and ints (the ints folded into one constant; `(i32.const 0)` if empty)."""
    const = sum(t for t in terms if isinstance(t, int))
    exprs = [t for t in terms if not isinstance(t, int)]
    if const:
        exprs.append(f"(i32.const {const})")
    if not exprs:
        return "(i32.const 0)"
    out = exprs[0]
    for e in exprs[1:]:
        out = f"(i32.add {out} {e})"
    return out


@dataclasses.dataclass
class Kernel:
    """One instruction being lowered: its operands' and result's buffers plus builders.

    Attributes:
      inst: the instruction.
      ins: operand values (Leaf or tuple of Leafs).
      out: result value.
      fb: the function builder.
      module: the module (for called computations).
      emit_computation: callback `(scope, comp_name, param_values) -> root value` that emits a
        nested computation's code inline (used by while/conditional).
      scope: the plan scope of `inst`.
      plan: the memory plan.
      relaxed_simd: lowerings may use relaxed-SIMD instructions (`f32x4.relaxed_madd`); the
        module is then only valid in engines with the relaxed-SIMD proposal enabled.
    """

    inst: ir.Instruction
    ins: list
    out: object
    fb: FunctionBuilder
    module: ir.Module
    emit_computation: object
    scope: str
    plan: object
    relaxed_simd: bool = False

    def emit(self, line: str) -> None:
        """Appends a line."""
        self.fb.emit(line)

    def local(self, wtype: str, hint: str = "t") -> str:
        """A fresh local."""
        return self.fb.local(wtype, hint)

    def madd(self, a: str, b: str, acc: str) -> str:
        """f32x4 `acc + a * b`: one `f32x4.relaxed_madd` (FMA where the host has it) under relaxed SIMD."""
        if self.relaxed_simd:
            return f"(f32x4.relaxed_madd {a} {b} {acc})"
        return f"(f32x4.add {acc} (f32x4.mul {a} {b}))"

    def loop(self, count, body, hint: str = "i") -> None:
        """Emits `for var in range(count): body(var)`; `count` is an int or i32 expression."""
        v = self.local("i32", hint)
        n = f"(i32.const {count})" if isinstance(count, int) else count
        if isinstance(count, int) and count <= 0:
            return
        self.emit(f"(local.set {v} (i32.const 0))")
        self.emit(f"(block {v}_end (loop {v}_top")
        self.fb.depth += 1
        if not isinstance(count, int):
            self.emit(f"(br_if {v}_end (i32.ge_s (local.get {v}) {n}))")
        body(f"(local.get {v})")
        self.emit(f"(local.set {v} (i32.add (local.get {v}) (i32.const 1)))")
        self.emit(f"(br_if {v}_top (i32.lt_s (local.get {v}) {n}))))")
        self.fb.depth -= 1

    def nest(self, dims, body, hint: str = "i") -> None:
        """Emits loops over every multi-index of `dims`; `body(list of i32 exprs)`."""
        dims = list(dims)
        if any(d == 0 for d in dims):
            return

        def level(k, idx):
            if k == len(dims):
                body(idx)
            elif dims[k] == 1:
                level(k + 1, idx + ["(i32.const 0)"])
            else:
                self.loop(dims[k], lambda v: level(k + 1, idx + [v]), f"{hint}{k}")

        level(0, [])

    def set(self, wtype: str, expr: str, hint: str = "v") -> str:
        """Evaluates `expr` once into a fresh local; returns `(local.get $x)`."""
        v = self.local(wtype, hint)
        self.emit(f"(local.set {v} {expr})")
        return f"(local.get {v})"

    def copy(self, dst: Leaf, src: Leaf) -> None:
        """memory.copy of a whole buffer (no-op when they coincide)."""
        if dst.offset != src.offset and dst.shape.nbytes:
            self.emit(f"(memory.copy (i32.const {dst.offset}) (i32.const {src.offset}) (i32.const {dst.shape.nbytes}))")

    def scalar_comp(self, name: str, args: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Inlines scalar computation `name` on `(expr, dtype)` args.

        Returns `(local.get, dtype)` for each leaf of its root. Used for reducers,
        comparators and scatter combiners.
        """
        comp = self.module.computation(name)
        vals: dict = {}
        for inst in comp.instructions:
            op = inst.opcode
            if op == "parameter":
                e, d = args[inst.attr("number")]
                vals[inst.name] = (self.set(c.wt(d), e, "p"), d)
            elif op == "constant":
                vals[inst.name] = (
                    c.const(inst.shape.dtype, inst.literal.reshape(())[()]),
                    inst.shape.dtype,
                )
            elif op == "tuple":
                vals[inst.name] = tuple(vals[o] for o in inst.operands)
            elif op == "get-tuple-element":
                vals[inst.name] = vals[inst.operands[0]][inst.attr("index")]
            elif op in ("broadcast", "reshape", "bitcast", "copy") and inst.shape.size == 1:
                vals[inst.name] = vals[inst.operands[0]]
            else:
                opdef = registry.lookup(inst)
                if not opdef.elementwise or inst.shape.dims:
                    raise ir.CompileError(
                        f"op '{op}' ({inst.where()}) is not supported inside scalar "
                        f"computation {name} in backend {registry.BACKEND}"
                    )
                ops = [vals[o] for o in inst.operands]
                expr = opdef.scalar(inst, [d for _, d in ops], [e for e, _ in ops])
                vals[inst.name] = (
                    self.set(c.wt(inst.shape.dtype), expr, "s"),
                    inst.shape.dtype,
                )
        root = vals[comp.root]
        return list(root) if comp.root_instruction.shape.is_tuple else [root]

    def scratch(self) -> int:
        """Byte offset of this instruction's scratch (`OpDef.scratch`, planned by memory.py)."""
        return self.plan.scratch[(self.scope, self.inst.name)]

    def out_leaves(self) -> list[Leaf]:
        """The result's Leafs."""
        return leaves(self.out)
