"""Elementwise expressions over one or two same-shaped variables, kept finite by construction.

Each template is Python text with `{a}` / `{b}` holes. Float templates guard their domains
(`jnp.log1p(jnp.abs(...))`, `jnp.exp(-jnp.abs(...))`) so seeded normal inputs give finite
outputs; integer templates avoid division by zero the same way.
"""

import random

from tools.dataset.builder import Var

FLOAT_UNARY = (
    "-{a}",
    "jnp.abs({a})",
    "{a} * {c}",
    "{a} + {c}",
    "jnp.square({a})",
    "jnp.sin({a})",
    "jnp.cos({a})",
    "jnp.tanh({a})",
    "jnp.exp(-jnp.abs({a}))",
    "jnp.log1p(jnp.abs({a}))",
    "jnp.sqrt(jnp.abs({a}) + 1.0)",
    "jax.nn.sigmoid({a})",
    "jax.nn.relu({a})",
    "jax.nn.softplus({a})",
    "jnp.arctan({a})",
    "jnp.floor({a})",
    "jnp.sign({a})",
    "jnp.clip({a}, -{c}, {c})",
)
SMOOTH_UNARY = (
    "-{a}",
    "{a} * {c}",
    "jnp.square({a})",
    "jnp.sin({a})",
    "jnp.cos({a})",
    "jnp.tanh({a})",
    "jnp.exp(-jnp.square({a}))",
    "jnp.log1p(jnp.square({a}))",
    "jax.nn.sigmoid({a})",
    "jax.nn.softplus({a})",
    "jnp.arctan({a})",
)
MATH_UNARY = (
    "jnp.sin({a})",
    "jnp.cos({a})",
    "jnp.tan(jnp.clip({a}, -1.0, 1.0))",
    "jnp.tanh({a})",
    "jnp.exp(jnp.clip({a}, -8.0, 8.0))",
    "jnp.expm1(jnp.clip({a}, -8.0, 8.0))",
    "jnp.log(jnp.abs({a}) + 1.0)",
    "jnp.log1p(jnp.abs({a}))",
    "jnp.sqrt(jnp.abs({a}))",
    "lax.rsqrt(jnp.abs({a}) + 1.0)",
    "jnp.power(jnp.abs({a}), {c})",
    "jnp.arcsin(jnp.clip({a}, -1.0, 1.0))",
    "jnp.arccos(jnp.clip({a}, -1.0, 1.0))",
    "jnp.arctan({a})",
    "jnp.sinh(jnp.clip({a}, -5.0, 5.0))",
    "jnp.cosh(jnp.clip({a}, -5.0, 5.0))",
    "jnp.arcsinh({a})",
    "jax.nn.gelu({a})",
    "jax.nn.silu({a})",
    "jax.scipy.special.erf({a})",
    "jnp.round({a})",
    "jnp.ceil({a})",
    "jnp.cbrt({a})",
)
FLOAT_BINARY = (
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "{a} / (jnp.abs({b}) + 1.0)",
    "jnp.maximum({a}, {b})",
    "jnp.minimum({a}, {b})",
)
MATH_BINARY = (
    "jnp.arctan2({a}, {b})",
    "jnp.hypot({a}, {b})",
    "jnp.power(jnp.abs({a}) + 0.5, jnp.clip({b}, -2.0, 2.0))",
    "jnp.fmod({a}, jnp.abs({b}) + 1.0)",
    "jnp.logaddexp({a}, {b})",
    "jnp.copysign({a}, {b})",
)
INT_UNARY = (
    "-{a}",
    "jnp.abs({a})",
    "{a} * {k}",
    "{a} + {k}",
    "{a} - {k}",
    "jnp.square({a})",
    "{a} // {k}",
    "{a} % {k}",
    "jnp.clip({a}, -{k}, {k})",
    "jnp.sign({a})",
    "{a} >> 1",
    "{a} & {k}",
)
INT_BINARY = (
    "{a} + {b}",
    "{a} - {b}",
    "{a} * {b}",
    "jnp.maximum({a}, {b})",
    "jnp.minimum({a}, {b})",
    "{a} // (jnp.abs({b}) + 1)",
    "{a} % (jnp.abs({b}) + 1)",
    "{a} ^ {b}",
)
_FLOAT_CONSTANTS = ("0.5", "2.0", "3.0", "1.5", "0.25", "0.1")


def constant(rng: random.Random, is_float: bool) -> str:
    """A small literal."""
    return rng.choice(_FLOAT_CONSTANTS) if is_float else str(rng.randint(2, 7))


def fill(rng: random.Random, template: str, a: str, b: str = "", is_float: bool = True) -> str:
    """Fills a template's holes; {c} is a float literal, {k} an int literal."""
    return template.format(a=a, b=b, c=constant(rng, True), k=constant(rng, False))


def unary(rng: random.Random, v: Var, pool: tuple[str, ...] | None = None) -> str:
    """A unary elementwise expression of v (shape and dtype preserved)."""
    if pool is None or not v.is_float:
        pool = FLOAT_UNARY if v.is_float else INT_UNARY
    return fill(rng, rng.choice(pool), v.name)


def binary(rng: random.Random, a: Var, b: Var, pool: tuple[str, ...] | None = None) -> str:
    """A binary elementwise expression of same-dtype a and b (broadcastable shapes)."""
    if pool is None or not a.is_float:
        pool = FLOAT_BINARY if a.is_float else INT_BINARY
    return fill(rng, rng.choice(pool), a.name, b.name)


def broadcast_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    """NumPy broadcasting of two shapes known to be compatible."""
    rank = max(len(a), len(b))
    a = (1,) * (rank - len(a)) + a
    b = (1,) * (rank - len(b)) + b
    return tuple(max(x, y) for x, y in zip(a, b, strict=True))
