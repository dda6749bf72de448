"""Folds transposes into dots, so no transposed copy of a matrix is materialised.

JAX's gradients and `x @ y.T` produce transposes next to dots; each would otherwise be a full
strided copy with a buffer of its own. Two rewrites, both exact (every output element is the
same products summed over the same contracting index in the same order):

* **Transposed operand.** `dot(transpose(a), b)` (or a transposed `b`) reads `a` directly: the
  dot's batch and contracting dims are mapped through the permutation. Only when the
  permutation keeps the operand's free dims in their order, since those fix the result's dims.
* **Transposed result.** `transpose(dot(a, b))` whose permutation keeps the batch dims and swaps
  the block of lhs-free dims with the block of rhs-free dims becomes `dot(b, a)` with the
  dimension numbers exchanged ((AB)ᵀ = BᵀAᵀ), when the transpose is the dot's only user.

The dot kernel then sees operands in either orientation (tools/hlo_wasm/ops/dot.py).
"""

import collections
import dataclasses

from tools.hlo_wasm import ir

_DIMS = ("lhs_batch_dims", "lhs_contracting_dims", "rhs_batch_dims", "rhs_contracting_dims")


def _with_attrs(inst: ir.Instruction, **updates) -> tuple:
    attrs = dict(inst.attrs)
    attrs.update(updates)
    return tuple(sorted(attrs.items()))


def _free(rank: int, *used) -> list[int]:
    taken = {d for dims in used for d in dims}
    return [d for d in range(rank) if d not in taken]


def _fold_operand(dot: ir.Instruction, by: dict) -> ir.Instruction:
    """`dot` reading through transposed operands where the result keeps its dims."""
    operands, updates = list(dot.operands), {}
    for k, side in enumerate(("lhs", "rhs")):
        src = by[operands[k]]
        if src.opcode != "transpose":
            continue
        perm = src.attr("dimensions")
        batch = dot.attr(f"{side}_batch_dims", ())
        contract = dot.attr(f"{side}_contracting_dims", ())
        mapped_free = [perm[d] for d in _free(len(perm), batch, contract)]
        if mapped_free != sorted(mapped_free):
            continue
        operands[k] = src.operands[0]
        updates[f"{side}_batch_dims"] = tuple(perm[d] for d in batch)
        updates[f"{side}_contracting_dims"] = tuple(perm[d] for d in contract)
    if not updates:
        return dot
    return dataclasses.replace(dot, operands=tuple(operands), attrs=_with_attrs(dot, **updates))


def _swapped_dot(tr: ir.Instruction, dot: ir.Instruction, by: dict) -> ir.Instruction | None:
    """`dot(b, a)` equal to `tr` = transpose(dot(a, b)), or None if `tr` is another permutation."""
    lb, lc, rb, rc = (dot.attr(k, ()) for k in _DIMS)
    lhs, rhs = (by[o].shape for o in dot.operands)
    nb, nl, nr = len(lb), lhs.rank - len(lb) - len(lc), rhs.rank - len(rb) - len(rc)
    swap = list(range(nb)) + list(range(nb + nl, nb + nl + nr)) + list(range(nb, nb + nl))
    if list(tr.attr("dimensions")) != swap or swap == list(range(len(swap))):
        return None
    attrs = _with_attrs(dot, lhs_batch_dims=rb, lhs_contracting_dims=rc, rhs_batch_dims=lb, rhs_contracting_dims=lc)
    attrs = tuple((k, v) for k, v in attrs if k != "layout")
    return dataclasses.replace(dot, name=tr.name, shape=tr.shape, operands=dot.operands[::-1], attrs=attrs)


def fold(comp: ir.Computation) -> ir.Computation:
    """Returns `comp` with transposes folded into dots (dead transposes are left to simplify)."""
    by = comp.by_name()
    uses = collections.Counter(o for inst in comp.instructions for o in inst.operands)
    uses[comp.root] += 1
    out = []
    for inst in comp.instructions:
        if inst.opcode == "dot":
            inst = _fold_operand(inst, by)
        elif inst.opcode == "transpose" and by[inst.operands[0]].opcode == "dot" and uses[inst.operands[0]] == 1:
            inst = _swapped_dot(inst, by[inst.operands[0]], by) or inst
        by[inst.name] = inst
        out.append(inst)
    return ir.Computation(comp.name, tuple(out), comp.root)


def run(module: ir.Module) -> ir.Module:
    """Folds transposes into dots in every computation."""
    return ir.Module(module.name, tuple(fold(c) for c in module.computations), module.entry)
