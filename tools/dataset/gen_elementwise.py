"""Generators for the arithmetic, math and reduction categories."""

import random

from tools.dataset import ops
from tools.dataset.builder import FLOATS, Builder, Var, pick_dtype, pick_shape
from tools.dataset.program import Program


def chain(b: Builder, rng: random.Random, values: list[Var], depth: int, unary_pool, binary_pool) -> Var:
    """`depth` statements, each a unary op of one value or a binary op of two."""
    current = values[0]
    for _ in range(depth):
        others = [v for v in values if v.name != current.name]
        if others and rng.random() < 0.5:
            other = rng.choice(others)
            expr = ops.binary(rng, current, other, binary_pool)
        else:
            expr = ops.unary(rng, current, unary_pool)
        current = b.let(expr, current.shape, current.dtype)
        values.append(current)
    return current


def arithmetic(rng: random.Random, depth: int) -> Program:
    """+, -, *, /, //, %, min/max, abs on one to three same-shaped inputs of any dtype."""
    b = Builder(rng)
    dtype = pick_dtype(rng)
    shape = pick_shape(rng)
    values = [b.param(dtype, shape) for _ in range(rng.randint(1, 3))]
    out = chain(b, rng, values, depth, None, None)
    return b.program("arithmetic", out.name, "Arithmetic on %s%s." % (dtype, list(shape)), depth)


def math(rng: random.Random, depth: int) -> Program:
    """Transcendental and rounding functions (exp, log, trig, erf, power...) on floats."""
    b = Builder(rng)
    dtype = pick_dtype(rng, FLOATS)
    shape = pick_shape(rng)
    values = [b.param(dtype, shape) for _ in range(rng.randint(1, 2))]
    out = chain(b, rng, values, depth, ops.MATH_UNARY, ops.MATH_BINARY)
    return b.program("math", out.name, "Elementwise math on %s%s." % (dtype, list(shape)), depth)


_FLOAT_REDUCTIONS = ("jnp.sum", "jnp.mean", "jnp.max", "jnp.min", "jnp.std", "jnp.var", "jax.nn.logsumexp")
_INT_REDUCTIONS = ("jnp.sum", "jnp.max", "jnp.min", "jnp.prod")
_SAME_SHAPE = ("jnp.cumsum", "jax.nn.softmax", "jnp.cumprod")


def _index_result_dtype(b: Builder) -> str:
    """argmax/argmin give s64 under jax_enable_x64 (a 64-bit input), else s32."""
    return "s64" if any(p.dtype in ("f64", "s64") for p in b.params) else "s32"


def _reduce(b: Builder, rng: random.Random, v: Var) -> Var:
    """One reduction of v over an axis, over all axes, or an axis-preserving scan."""
    if v.shape and rng.random() < 0.2:
        axis = rng.randrange(len(v.shape))
        fn = rng.choice(_SAME_SHAPE if v.is_float else ("jnp.cumsum",))
        if fn == "jnp.cumprod":
            return b.let("jnp.cumprod(jnp.tanh(%s), axis=%d)" % (v.name, axis), v.shape, v.dtype)
        return b.let("%s(%s, axis=%d)" % (fn, v.name, axis), v.shape, v.dtype)
    if v.shape and rng.random() < 0.15:
        axis = rng.randrange(len(v.shape))
        fn = rng.choice(("jnp.argmax", "jnp.argmin"))
        shape = v.shape[:axis] + v.shape[axis + 1 :]
        return b.let("%s(%s, axis=%d)" % (fn, v.name, axis), shape, _index_result_dtype(b))
    fn = rng.choice(_FLOAT_REDUCTIONS if v.is_float else _INT_REDUCTIONS)
    operand = "jnp.clip(%s, -2, 2)" % v.name if fn == "jnp.prod" else v.name
    if not v.shape or rng.random() < 0.3:
        return b.let("%s(%s)" % (fn, operand), (), v.dtype)
    axis = rng.randrange(len(v.shape))
    keep = rng.random() < 0.3
    if keep:
        shape = v.shape[:axis] + (1,) + v.shape[axis + 1 :]
        return b.let("%s(%s, axis=%d, keepdims=True)" % (fn, operand, axis), shape, v.dtype)
    return b.let("%s(%s, axis=%d)" % (fn, operand, axis), v.shape[:axis] + v.shape[axis + 1 :], v.dtype)


def reduction(rng: random.Random, depth: int) -> Program:
    """sum/mean/max/min/prod/std/var/logsumexp/argmax/cumsum/softmax over axes, with keepdims."""
    b = Builder(rng)
    dtype = pick_dtype(rng)
    v = b.param(dtype, pick_shape(rng, min_rank=1))
    for _ in range(depth):
        if rng.random() < 0.3:
            v = b.let(ops.unary(rng, v), v.shape, v.dtype)
        v = _reduce(b, rng, v)
        if not v.shape:
            break
    return b.program("reduction", v.name, "Reductions of %s%s." % (dtype, list(b.params[0].shape)), depth)
