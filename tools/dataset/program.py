"""A generated JAX function: its parameters, body, transform, and the Python source it renders to."""

import dataclasses

from tools.jax_export import dtypes
from tools.jax_export.transforms import Transform

HEADER = "import jax\nimport jax.numpy as jnp\nfrom jax import lax\n"
FUNCTION = "f"


@dataclasses.dataclass(frozen=True)
class Param:
    """One positional argument: a single array."""

    name: str
    dtype: str  # HLO spelling: f32, f64, s32, s64
    shape: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Program:
    """A generated function and how it is exported.

    Attributes:
      category: one of generator.CATEGORIES.
      params: the positional arguments, as traced (batched shapes for vmap).
      body: statements of the function body, one per line.
      result: the returned expression.
      doc: one-line docstring.
      transform: the JAX transform applied before lowering.
      decomposition: uses a matrix decomposition (LAPACK custom call); our backends do not compile it.
      depth: the composition depth the generator used.
    """

    category: str
    params: tuple[Param, ...]
    body: tuple[str, ...]
    result: str
    doc: str
    transform: Transform = Transform()
    decomposition: bool = False
    depth: int = 1

    @property
    def x64(self) -> bool:
        """Whether tracing needs jax_enable_x64 (a 64-bit input)."""
        return any(p.dtype in dtypes.WIDE for p in self.params)

    def source(self) -> str:
        """The module text: imports and one function `f`, formatted like ruff would."""
        lines = [HEADER, "", "def %s(%s):" % (FUNCTION, ", ".join(p.name for p in self.params))]
        lines.append('    """%s"""' % self.doc)
        lines.extend("    " + s for s in self.body)
        lines.append("    return " + self.result)
        return "\n".join(lines) + "\n"
