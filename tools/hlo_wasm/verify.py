"""IR verifier: every operand exists and comes first, every op is registered, and each op's
shape/dtype check (from the registry) holds. Errors name the HLO line and the op."""

from tools.hlo_wasm import ir, registry


def _layout_ok(inst: ir.Instruction) -> bool:
    """Layouts are storage hints for logical ops (JAX writes `{0,1}` on transposes), but a
    `bitcast` reinterprets memory, so it must be row-major on both sides here."""
    return inst.attr("layout") is None or inst.opcode != "bitcast"


def verify_computation(module: ir.Module, comp: ir.Computation) -> None:
    """Raises `ir.CompileError` at the first bad instruction of `comp`."""
    shapes: dict[str, ir.Shape] = {}
    for inst in comp.instructions:
        for o in inst.operands:
            if o not in shapes:
                raise ir.CompileError(f"{inst.where()}: operand {o!r} is not defined before use")
        for name in inst.called:
            try:
                module.computation(name)
            except KeyError:
                raise ir.CompileError(f"{inst.where()}: calls unknown computation {name!r}") from None
        if inst.opcode != "fusion":
            op = registry.lookup(inst)
            try:
                op.check(inst, [shapes[o] for o in inst.operands])
            except (ValueError, TypeError, KeyError, IndexError) as e:
                raise ir.CompileError(
                    f"{inst.where()}: invalid {inst.opcode} ({e}); operands "
                    f"{', '.join(str(shapes[o]) for o in inst.operands)} -> {inst.shape}"
                ) from None
        if not _layout_ok(inst):
            raise ir.CompileError(
                f"{inst.where()}: non-row-major layout {inst.attr('layout')} is not supported "
                f"in backend {registry.BACKEND}"
            )
        shapes[inst.name] = inst.shape
    if comp.root not in shapes:
        raise ir.CompileError(f"computation {comp.name}: root {comp.root!r} is not defined")


def verify(module: ir.Module) -> None:
    """Verifies every computation of `module`."""
    for comp in module.computations:
        verify_computation(module, comp)
