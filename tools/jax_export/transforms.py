"""The optional JAX transform `jax_hlo` applies before lowering: grad, value_and_grad or vmap."""

import dataclasses
from collections.abc import Callable
from typing import Any

from tools.jax_export.user_errors import UserError

KINDS = ("none", "grad", "value_and_grad", "vmap")


@dataclasses.dataclass(frozen=True)
class Transform:
    """A transform and its arguments, as given in BUILD."""

    kind: str = "none"
    argnums: tuple[int, ...] = (0,)
    in_axes: tuple[int | None, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The `transform` entry of signature.json."""
        if self.kind in ("grad", "value_and_grad"):
            return {"kind": self.kind, "argnums": list(self.argnums)}
        if self.kind == "vmap":
            return {"kind": self.kind, "in_axes": list(self.in_axes)}
        return {"kind": self.kind}


def parse_in_axes(values: list[str]) -> tuple[int | None, ...]:
    """Parses vmap axes written as strings in BUILD: an integer or `None` per argument."""
    axes: list[int | None] = []
    for value in values:
        if value.strip().lower() == "none":
            axes.append(None)
        else:
            try:
                axes.append(int(value))
            except ValueError:
                raise UserError("attribute `in_axes`: %r is neither an integer nor None" % value) from None
    return tuple(axes)


def check(transform: Transform, num_args: int) -> None:
    """Checks the transform's arguments against the number of positional arguments.

    Raises:
      UserError: unknown kind, or argnums / in_axes that do not fit the arguments.
    """
    if transform.kind not in KINDS:
        raise UserError("attribute `transform`: unknown transform %r (known: %s)" % (transform.kind, ", ".join(KINDS)))
    if transform.kind in ("grad", "value_and_grad"):
        bad = [n for n in transform.argnums if not 0 <= n < num_args]
        if bad or not transform.argnums:
            raise UserError(
                "attribute `argnums`: %s out of range for %d argument(s)" % (list(transform.argnums), num_args)
            )
    if transform.kind == "vmap" and transform.in_axes and len(transform.in_axes) != num_args:
        raise UserError("attribute `in_axes`: %d entries for %d argument(s)" % (len(transform.in_axes), num_args))


def apply(function: Callable, transform: Transform) -> Callable:
    """Returns `function` under the transform (a single argnum gives an unwrapped gradient)."""
    import jax  # Imported here so the module loads without JAX for argument checking.

    argnums: Any = transform.argnums[0] if len(transform.argnums) == 1 else transform.argnums
    if transform.kind == "grad":
        return jax.grad(function, argnums=argnums)
    if transform.kind == "value_and_grad":
        return jax.value_and_grad(function, argnums=argnums)
    if transform.kind == "vmap":
        return jax.vmap(function, in_axes=transform.in_axes or 0)
    return function
