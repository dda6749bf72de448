"""The op registry: one `OpDef` per HLO opcode, registered beside its family in `ops/`.

An entry holds everything the compiler knows about an op: its shape/dtype check, its NumPy
reference semantics (the spec; also the evaluator used by tests), and its WebAssembly lowering,
either as a scalar expression (elementwise ops, fused into loops by `passes/fuse.py`, with an
optional f32x4 form) or as a kernel that emits its own loops. The emitter, the reference
evaluator, the verifier and the meta-test all read this table.
"""

import dataclasses
from collections.abc import Callable
from typing import Any

from tools.hlo_wasm import ir

BACKEND = "wasm"


@dataclasses.dataclass(frozen=True)
class OpDef:
    """What the compiler knows about one HLO opcode.

    Attributes:
      name: HLO opcode.
      family: module name under `ops/` that registered it.
      check: `check(inst, operand_shapes)` raises `ValueError` on bad shapes/dtypes.
      reference: `reference(inst, args, env)` -> NumPy array (or tuple for tuple shapes); `env`
        evaluates called computations (`env.call(name, args)`).
      scalar: for elementwise ops, `scalar(inst, in_dtypes, args) -> WAT expression` computing
        one element in the compute type of `inst.shape.dtype` from argument expressions.
      simd: optional `simd(inst, in_dtypes, args) -> WAT v128 expression or None` (f32x4).
      kernel: for other ops, `kernel(k, inst)` emitting WAT through an `emit_wat.Kernel`.
      dtypes: element types the op is tested with (the meta-test reads it).
      alias: True when the result shares its operand's buffer (reshape, bitcast, tuple...).
      scratch: optional `scratch(inst, operand_shapes) -> bytes` of working memory the kernel
        needs while it runs (e.g. a packed GEMM panel); `passes/memory.py` reserves it, live
        during that instruction only, and `Kernel.scratch()` gives its offset.
    """

    name: str
    family: str
    check: Callable[[ir.Instruction, list[ir.Shape]], None]
    reference: Callable[..., Any]
    scalar: Callable[..., str] | None = None
    simd: Callable[..., str | None] | None = None
    kernel: Callable[..., None] | None = None
    dtypes: tuple[str, ...] = ()
    alias: bool = False
    scratch: Callable[[ir.Instruction, list[ir.Shape]], int] | None = None

    @property
    def elementwise(self) -> bool:
        """True when the op lowers to a scalar expression (fusible)."""
        return self.scalar is not None


_REGISTRY: dict[str, OpDef] = {}


def register(op: OpDef) -> OpDef:
    """Adds `op` to the registry; an opcode may be registered only once."""
    if op.name in _REGISTRY:
        raise ValueError(f"op {op.name} registered twice")
    _REGISTRY[op.name] = op
    return op


def _load_families() -> None:
    # Importing the families registers their ops.
    from tools.hlo_wasm.ops import (  # noqa: F401
        bitwise,
        control,
        conv,
        convert,
        dot,
        elementwise,
        indexing,
        reduce,
        rng,
        shape,
        sort,
    )


def all_ops() -> dict[str, OpDef]:
    """All registered ops by opcode."""
    _load_families()
    return dict(_REGISTRY)


def lookup(inst: ir.Instruction) -> OpDef:
    """The OpDef for `inst`; raises `ir.CompileError` naming the op, line and backend."""
    _load_families()
    op = _REGISTRY.get(inst.opcode)
    if op is None:
        raise ir.CompileError(f"unsupported HLO op '{inst.opcode}' ({inst.where()}) in backend {BACKEND}")
    return op
