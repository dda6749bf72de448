"""Builds a function body statement by statement, tracking each variable's shape and dtype."""

import dataclasses
import math
import random

from tools.dataset.program import Param, Program
from tools.jax_export.transforms import Transform

_PARAM_NAMES = ("x", "y", "z", "w", "v", "u")
_LOCAL_NAMES = ("a", "b", "c", "d", "e", "g", "h", "k", "m", "n", "p", "q", "r", "s", "t")
FLOATS = ("f32", "f64")
INTS = ("s32", "s64")
JNP_DTYPE = {"f32": "jnp.float32", "f64": "jnp.float64", "s32": "jnp.int32", "s64": "jnp.int64"}


@dataclasses.dataclass(frozen=True)
class Var:
    """A value in the function body."""

    name: str
    shape: tuple[int, ...]
    dtype: str

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self.shape)

    @property
    def is_float(self) -> bool:
        """True for f32/f64."""
        return self.dtype in FLOATS


class Builder:
    """Accumulates parameters and statements; `program` freezes them into a Program."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.params: list[Param] = []
        self.body: list[str] = []
        self._locals = 0

    def param(self, dtype: str, shape: tuple[int, ...]) -> Var:
        """Adds a positional argument."""
        name = _PARAM_NAMES[len(self.params)]
        self.params.append(Param(name, dtype, tuple(shape)))
        return Var(name, tuple(shape), dtype)

    def let(self, expr: str, shape: tuple[int, ...], dtype: str) -> Var:
        """Binds `expr` to a fresh local name."""
        base = _LOCAL_NAMES[self._locals % len(_LOCAL_NAMES)]
        name = base if self._locals < len(_LOCAL_NAMES) else "%s%d" % (base, self._locals // len(_LOCAL_NAMES))
        self._locals += 1
        self.body.append("%s = %s" % (name, expr))
        return Var(name, tuple(shape), dtype)

    def line(self, statement: str) -> None:
        """Adds a statement that binds no tracked variable (e.g. a nested def)."""
        self.body.append(statement)

    def program(self, category: str, result: str, doc: str, depth: int, **kwargs) -> Program:
        """The finished program."""
        return Program(
            category=category,
            params=tuple(self.params),
            body=tuple(self.body),
            result=result,
            doc=doc,
            depth=depth,
            transform=kwargs.get("transform", Transform()),
            decomposition=kwargs.get("decomposition", False),
        )


def pick_dtype(rng: random.Random, allowed: tuple[str, ...] = FLOATS + INTS) -> str:
    """A dtype, f32 most often (what users write), then f64, s32, s64."""
    weights = {"f32": 5, "f64": 2, "s32": 2, "s64": 1}
    choices = [d for d in ("f32", "f64", "s32", "s64") if d in allowed]
    return rng.choices(choices, weights=[weights[d] for d in choices])[0]


def pick_shape(rng: random.Random, min_rank: int = 0, max_rank: int = 4, max_size: int = 256) -> tuple[int, ...]:
    """A small shape of rank min_rank..max_rank with at most max_size elements."""
    rank = rng.randint(min_rank, max_rank)
    while True:
        shape = tuple(rng.randint(1, 8 if rank <= 2 else 5) for _ in range(rank))
        if math.prod(shape) <= max_size:
            return shape
