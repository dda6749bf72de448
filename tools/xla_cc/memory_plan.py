"""Where each buffer allocation lives at run time: caller's arrays, constants or scratch.

XLA requires 64-byte aligned buffers (`min_alignment` in every kernel thunk; kernel IR declares
its arguments `align 64`). Parameters are used in place when the caller's pointer is aligned and
otherwise staged into scratch. A result that fills a whole scratch allocation is computed
directly in the caller's output array when that is aligned, which also lets XLA use it as
scratch before the result is written (it never overlaps inputs: callers must not alias them).
"""

import dataclasses

from tools.xla_cc import program

ALIGN = 64


def _round_up(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


@dataclasses.dataclass(frozen=True)
class Plan:
    """Where every XLA allocation lives at run time."""

    temp_offset: dict[int, int]  # allocation index -> offset in scratch
    staging_offset: dict[int, int]  # parameter number -> staging offset in scratch
    output_alias: dict[int, int]  # allocation index -> result index computed in place
    temp_bytes: int
    scratch_only_bytes: int  # scratch needed with aligned inputs and outputs
    constant_bytes: int


def _output_aliases(prog: program.Program) -> dict[int, int]:
    """Scratch allocations that are exactly one result: computed in the caller's array."""
    users: dict[int, list[int]] = {}
    for i, (_, s) in enumerate(prog.results):
        users.setdefault(s.alloc, []).append(i)
    by_index = {a.index: a for a in prog.allocations}
    alias = {}
    for alloc_index, result_indices in users.items():
        alloc = by_index[alloc_index]
        s = prog.results[result_indices[0]][1]
        whole = (s.offset, s.size) == (0, alloc.size)
        if len(result_indices) == 1 and alloc.kind == "temp" and whole:
            alias[alloc_index] = result_indices[0]
    return alias


def plan(prog: program.Program) -> Plan:
    """Lays out the scratch arena deterministically.

    XLA's own temporaries come first, so a caller whose inputs and outputs are all aligned
    needs only `scratch_only_bytes`; then the fallback slots of results computed in place,
    then staging for misaligned inputs.
    """
    alias = _output_aliases(prog)
    scratch = [a for a in prog.allocations if a.kind in ("temp", "thread_local")]
    ordered = [a for a in scratch if a.index not in alias] + [a for a in scratch if a.index in alias]
    offsets, cursor = {}, 0
    for a in ordered:
        offsets[a.index] = cursor
        cursor += _round_up(a.size)
    scratch_only = sum(_round_up(a.size) for a in scratch if a.index not in alias)
    staging = {}
    for number, (shape, _) in enumerate(prog.params):
        staging[number] = cursor
        cursor += _round_up(shape.nbytes)
    constants = sum(a.size for a in prog.allocations if a.kind == "constant")
    return Plan(offsets, staging, alias, cursor, scratch_only, constants)
