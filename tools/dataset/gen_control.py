"""Generators for the conditional (cond, switch, select, where) and loop (scan, while, fori) categories."""

import random

from tools.dataset import ops
from tools.dataset.builder import Builder, Var, pick_dtype, pick_shape
from tools.dataset.program import Program


def _body(rng: random.Random, name: str, is_float: bool) -> str:
    """A one-expression elementwise function of `name`, for branch and loop bodies."""
    return ops.unary(rng, Var(name, (), "f32" if is_float else "s32"))


def _conditional_step(b: Builder, rng: random.Random, v: Var, others: list[Var]) -> Var:
    zero = "0.0" if v.is_float else "0"
    op = rng.choice(("where", "select", "cond", "switch", "clip_where", "jnp_select"))
    if op == "where":
        other = rng.choice(others) if others else v
        expr = "jnp.where(%s > %s, %s, %s)" % (v.name, zero, ops.unary(rng, v), other.name)
        return b.let(expr, v.shape, v.dtype)
    if op == "select" and others:
        other = rng.choice(others)
        return b.let("lax.select(%s > %s, %s, %s)" % (v.name, other.name, v.name, other.name), v.shape, v.dtype)
    if op == "cond":
        true_fn, false_fn = _body(rng, "t", v.is_float), _body(rng, "t", v.is_float)
        expr = "lax.cond(jnp.sum(%s) > %s, lambda t: %s, lambda t: %s, %s)" % (v.name, zero, true_fn, false_fn, v.name)
        return b.let(expr, v.shape, v.dtype)
    if op == "switch":
        branches = ", ".join("lambda t: %s" % _body(rng, "t", v.is_float) for _ in range(3))
        index = "jnp.clip(jnp.sum(%s).astype(jnp.int32), 0, 2)" % v.name
        return b.let("lax.switch(%s, [%s], %s)" % (index, branches, v.name), v.shape, v.dtype)
    if op == "jnp_select":
        lo, hi = ("-1.0", "1.0") if v.is_float else ("-2", "2")
        expr = "jnp.select([%s < %s, %s > %s], [%s, %s], %s)" % (
            v.name,
            lo,
            v.name,
            hi,
            ops.unary(rng, v),
            ops.unary(rng, v),
            v.name,
        )
        return b.let(expr, v.shape, v.dtype)
    return b.let(
        "jnp.where(jnp.abs(%s) < %s, %s, jnp.sign(%s))" % (v.name, ops.constant(rng, v.is_float), v.name, v.name),
        v.shape,
        v.dtype,
    )


def conditional(rng: random.Random, depth: int) -> Program:
    """jnp.where, lax.select, lax.cond, lax.switch, jnp.select."""
    b = Builder(rng)
    dtype = pick_dtype(rng)
    shape = pick_shape(rng)
    values = [b.param(dtype, shape) for _ in range(rng.randint(1, 2))]
    v = values[0]
    for _ in range(depth):
        v = _conditional_step(b, rng, v, values[1:])
    return b.program("conditional", v.name, "Conditionals on %s%s." % (dtype, list(shape)), depth)


def _loop_step(b: Builder, rng: random.Random, v: Var) -> Var:
    op = rng.choice(("fori", "scan", "while", "scan_rows"))
    one = "1.0" if v.is_float else "1"
    if op == "fori":
        n = rng.randint(1, 6)
        update = ops.fill(rng, rng.choice(ops.FLOAT_BINARY if v.is_float else ops.INT_BINARY), "acc", v.name)
        if v.is_float:
            update = "jnp.tanh(%s)" % update
        return b.let("lax.fori_loop(0, %d, lambda i, acc: %s, %s)" % (n, update, v.name), v.shape, v.dtype)
    if op == "while":
        n = rng.randint(1, 6)
        step = _body(rng, "s[1]", v.is_float)
        if v.is_float:
            step = "jnp.tanh(%s)" % step
        expr = "lax.while_loop(lambda s: s[0] < %d, lambda s: (s[0] + 1, %s), (0, %s))[1]" % (n, step, v.name)
        return b.let(expr, v.shape, v.dtype)
    if op == "scan_rows" and v.shape:
        row = v.shape[1:]
        init = "jnp.zeros(%s, %s.dtype)" % (row, v.name)
        carry = ops.fill(
            rng, rng.choice(("c + r", "c * 0.5 + r" if v.is_float else "c // 2 + r", "jnp.maximum(c, r)")), "", ""
        )
        b.line("def step(c, r):")
        b.line("    c = %s" % carry)
        b.line("    return c, c * %s" % ("2.0" if v.is_float else "2"))
        return b.let("lax.scan(step, %s, %s)[1]" % (init, v.name), v.shape, v.dtype)
    n = rng.randint(1, 5)
    body = _body(rng, "c", v.is_float)
    if v.is_float:
        body = "jnp.tanh(%s)" % body
    expr = "lax.scan(lambda c, _: (%s, c + %s), %s, None, length=%d)[0]" % (body, one, v.name, n)
    return b.let(expr, v.shape, v.dtype)


def loop(rng: random.Random, depth: int) -> Program:
    """lax.fori_loop, lax.while_loop, lax.scan (over rows, or with a length)."""
    b = Builder(rng)
    dtype = pick_dtype(rng)
    v = b.param(dtype, pick_shape(rng, max_rank=3, max_size=64))
    for _ in range(min(depth, 3)):
        v = _loop_step(b, rng, v)
    return b.program("loop", v.name, "Loops over %s%s." % (dtype, list(b.params[0].shape)), depth)
