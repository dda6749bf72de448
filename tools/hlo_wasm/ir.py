"""The compiler's IR: frozen dataclasses for shapes, instructions, computations and modules.

The IR mirrors HLO closely: a module holds computations; a computation holds instructions in
a valid (topological) order and names its root. Instructions refer to operands and called
computations by name. Everything is immutable; passes build new objects.
"""

import dataclasses
import functools
from typing import Any

from tools.hlo_wasm import dtypes


@dataclasses.dataclass(frozen=True)
class Shape:
    """An array shape (`dtype` + `dims`) or a tuple shape (`tuple_shapes`, dtype "tuple")."""

    dtype: str
    dims: tuple[int, ...] = ()
    tuple_shapes: tuple["Shape", ...] = ()

    @property
    def is_tuple(self) -> bool:
        """True for tuple shapes."""
        return self.dtype == "tuple"

    @property
    def size(self) -> int:
        """Number of elements (1 for a scalar)."""
        n = 1
        for d in self.dims:
            n *= d
        return n

    @property
    def rank(self) -> int:
        """Number of dimensions."""
        return len(self.dims)

    @property
    def nbytes(self) -> int:
        """Bytes in linear memory (array shapes only)."""
        return self.size * dtypes.get(self.dtype).size

    def leaves(self) -> tuple["Shape", ...]:
        """The array shapes of a (possibly nested) tuple, depth first."""
        if not self.is_tuple:
            return (self,)
        return tuple(leaf for s in self.tuple_shapes for leaf in s.leaves())

    def with_dtype(self, dtype: str) -> "Shape":
        """The same dims with another element type."""
        return Shape(dtype, self.dims)

    def __str__(self) -> str:
        if self.is_tuple:
            return "(" + ", ".join(str(s) for s in self.tuple_shapes) + ")"
        return f"{self.dtype}[{','.join(str(d) for d in self.dims)}]"


def tuple_shape(shapes) -> Shape:
    """A tuple shape of `shapes`."""
    return Shape("tuple", (), tuple(shapes))


@dataclasses.dataclass(frozen=True)
class Instruction:
    """One HLO instruction.

    Attributes:
      name: unique name within its computation (without '%').
      opcode: HLO opcode, e.g. "add".
      shape: result shape.
      operands: operand names.
      attrs: attributes as sorted (key, value) pairs; values are parsed where the compiler
        needs them (ints, int tuples, strings, window/dimension-number dicts).
      called: names of called computations, in HLO order (to_apply, condition, body, ...).
      literal: for constants, the value as a NumPy array; else None.
      line: 1-based line in the HLO text (0 when made by a pass).
    """

    name: str
    opcode: str
    shape: Shape
    operands: tuple[str, ...] = ()
    attrs: tuple[tuple[str, Any], ...] = ()
    called: tuple[str, ...] = ()
    literal: Any = dataclasses.field(default=None, compare=False)
    line: int = 0

    def attr(self, key: str, default: Any = None) -> Any:
        """The attribute `key`, or `default`."""
        for k, v in self.attrs:
            if k == key:
                return v
        return default

    def where(self) -> str:
        """A human-readable location for error messages."""
        return f"HLO line {self.line}: {self.name} = {self.opcode}" if self.line else self.name


@dataclasses.dataclass(frozen=True)
class Computation:
    """A named list of instructions with parameters and a root."""

    name: str
    instructions: tuple[Instruction, ...]
    root: str

    def by_name(self) -> dict[str, Instruction]:
        """Map from instruction name to instruction."""
        return {i.name: i for i in self.instructions}

    @property
    def params(self) -> tuple[Instruction, ...]:
        """Parameter instructions ordered by parameter number."""
        ps = [i for i in self.instructions if i.opcode == "parameter"]
        return tuple(sorted(ps, key=lambda i: i.attr("number")))

    @property
    def root_instruction(self) -> Instruction:
        """The root instruction."""
        return self.by_name()[self.root]


@dataclasses.dataclass(frozen=True)
class Module:
    """An HLO module: computations by name and the entry computation's name."""

    name: str
    computations: tuple[Computation, ...]
    entry: str

    def computation(self, name: str) -> Computation:
        """The computation called `name`."""
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"no computation named {name!r}") from None

    @functools.cached_property
    def _by_name(self) -> dict[str, Computation]:
        # Built once per (immutable) module: passes look computations up once per call site.
        return {c.name: c for c in self.computations}

    @property
    def entry_computation(self) -> Computation:
        """The ENTRY computation."""
        return self.computation(self.entry)

    def replace(self, *comps: Computation) -> "Module":
        """A module with each of `comps` replacing (or appended as) the computation of its name."""
        names = {c.name for c in comps}
        kept = [c for c in self.computations if c.name not in names]
        return Module(self.name, tuple(kept) + comps, self.entry)


class CompileError(Exception):
    """An error the user must fix (bad HLO, unsupported op, ...); its message names the place."""
