"""Generators for the array-manipulation and indexing categories."""

import random

from tools.dataset import ops
from tools.dataset.builder import Builder, Var, pick_dtype, pick_shape
from tools.dataset.program import Program

_MAX_SIZE = 512


def _perm(rng: random.Random, rank: int) -> list[int]:
    perm = list(range(rank))
    while perm == list(range(rank)):
        rng.shuffle(perm)
    return perm


def _array_step(b: Builder, rng: random.Random, v: Var) -> Var:
    """One shape-changing op: reshape, transpose, concatenate, slice, flip, pad, roll, stack, tile..."""
    rank = len(v.shape)
    choices = ["reshape", "expand"]
    if rank >= 1:
        choices += ["slice", "flip", "roll", "pad", "concatenate"]
    if rank >= 2:
        choices += ["transpose", "swapaxes", "merge"]
    if rank <= 3:
        choices += ["stack", "tile"]
    if 1 in v.shape:
        choices.append("squeeze")
    op = rng.choice(choices)
    if op == "reshape":
        return b.let("%s.reshape(-1)" % v.name, (v.size,), v.dtype)
    if op == "expand":
        axis = rng.randint(0, rank)
        if rank >= 4:
            return b.let("%s.reshape(-1)" % v.name, (v.size,), v.dtype)
        return b.let("jnp.expand_dims(%s, %d)" % (v.name, axis), v.shape[:axis] + (1,) + v.shape[axis:], v.dtype)
    if op == "squeeze":
        axis = v.shape.index(1)
        return b.let("jnp.squeeze(%s, axis=%d)" % (v.name, axis), v.shape[:axis] + v.shape[axis + 1 :], v.dtype)
    axis = rng.randrange(rank) if rank else 0
    if op == "slice":
        n = v.shape[axis]
        start = rng.randint(0, max(0, n - 1))
        step = rng.choice((1, 1, 2))
        index = ", ".join([":"] * axis + ["%d::%d" % (start, step) if step > 1 else "%d:" % start])
        length = len(range(start, n, step))
        return b.let("%s[%s]" % (v.name, index), v.shape[:axis] + (length,) + v.shape[axis + 1 :], v.dtype)
    if op == "flip":
        return b.let("jnp.flip(%s, axis=%d)" % (v.name, axis), v.shape, v.dtype)
    if op == "roll":
        return b.let("jnp.roll(%s, %d, axis=%d)" % (v.name, rng.randint(1, 3), axis), v.shape, v.dtype)
    if op == "pad":
        lo, hi = rng.randint(0, 2), rng.randint(1, 2)
        pads = ", ".join("(%d, %d)" % ((lo, hi) if i == axis else (0, 0)) for i in range(rank))
        shape = v.shape[:axis] + (v.shape[axis] + lo + hi,) + v.shape[axis + 1 :]
        return b.let("jnp.pad(%s, (%s,))" % (v.name, pads), shape, v.dtype)
    if op == "concatenate" and 2 * v.size <= _MAX_SIZE:
        other = b.let(ops.unary(rng, v), v.shape, v.dtype)
        shape = v.shape[:axis] + (2 * v.shape[axis],) + v.shape[axis + 1 :]
        return b.let("jnp.concatenate([%s, %s], axis=%d)" % (v.name, other.name, axis), shape, v.dtype)
    if op == "transpose":
        perm = _perm(rng, rank)
        return b.let("jnp.transpose(%s, %s)" % (v.name, tuple(perm)), tuple(v.shape[p] for p in perm), v.dtype)
    if op == "swapaxes":
        shape = list(v.shape)
        shape[0], shape[-1] = shape[-1], shape[0]
        return b.let("jnp.swapaxes(%s, 0, -1)" % v.name, tuple(shape), v.dtype)
    if op == "merge":
        return b.let(
            "%s.reshape(%s)" % (v.name, (v.shape[0] * v.shape[1],) + v.shape[2:]),
            (v.shape[0] * v.shape[1],) + v.shape[2:],
            v.dtype,
        )
    if op == "stack" and 2 * v.size <= _MAX_SIZE:
        axis = rng.randint(0, rank)
        other = b.let(ops.unary(rng, v), v.shape, v.dtype)
        return b.let(
            "jnp.stack([%s, %s], axis=%d)" % (v.name, other.name, axis), v.shape[:axis] + (2,) + v.shape[axis:], v.dtype
        )
    if op == "tile" and 2 * v.size <= _MAX_SIZE and rank >= 1:
        reps = tuple(2 if i == axis else 1 for i in range(rank))
        return b.let(
            "jnp.tile(%s, %s)" % (v.name, reps), tuple(d * r for d, r in zip(v.shape, reps, strict=True)), v.dtype
        )
    return b.let("jnp.flip(%s)" % v.name, v.shape, v.dtype)


def array(rng: random.Random, depth: int) -> Program:
    """Reshape, transpose / concatenate / slice / flip / pad / roll / stack / tile / squeeze."""
    b = Builder(rng)
    dtype = pick_dtype(rng)
    v = b.param(dtype, pick_shape(rng, min_rank=1, max_size=128))
    for _ in range(depth):
        v = _array_step(b, rng, v)
    return b.program("array", v.name, "Array manipulation of %s%s." % (dtype, list(b.params[0].shape)), depth)


# Index arguments are s32 whatever the data's dtype (what users write; JAX converts as needed).
_INDEX_DTYPE = "s32"


def _indexing_step(b: Builder, rng: random.Random, v: Var, index_params: list[Var]) -> Var:
    """One indexing op: static index, .at[] update, take/gather, scatter-add, dynamic (update) slice."""
    rank = len(v.shape)
    axis = rng.randrange(rank)
    n = v.shape[axis]
    op = rng.choice(("static", "at", "take", "scatter", "dynamic_slice", "dynamic_update", "fancy"))
    if op == "static" and rank >= 2:
        i = rng.randrange(n)
        index = ", ".join([":"] * axis + [str(i)])
        return b.let("%s[%s]" % (v.name, index), v.shape[:axis] + v.shape[axis + 1 :], v.dtype)
    if op == "at":
        i = rng.randrange(v.shape[0])
        method = rng.choice(("set", "add", "multiply", "max", "min"))
        value = ops.constant(rng, v.is_float)
        return b.let("%s.at[%d].%s(%s)" % (v.name, i, method, value), v.shape, v.dtype)
    if op in ("take", "scatter", "fancy"):
        count = rng.randint(1, 6)
        idx = b.param(_INDEX_DTYPE, (count,))
        index_params.append(idx)
        if op == "take":
            mode = rng.choice(('"clip"', '"wrap"', None))
            mode_arg = ", mode=%s" % mode if mode else ""
            expr = "jnp.take(%s, %s %% %d, axis=%d%s)" % (v.name, idx.name, n, axis, mode_arg)
            return b.let(expr, v.shape[:axis] + (count,) + v.shape[axis + 1 :], v.dtype)
        n0 = v.shape[0]
        if op == "fancy":
            return b.let("%s[%s %% %d]" % (v.name, idx.name, n0), (count,) + v.shape[1:], v.dtype)
        method = rng.choice(("add", "set", "max", "min"))
        update = b.let(
            "jnp.ones((%d,) + %s.shape[1:], %s.dtype)" % (count, v.name, v.name), (count,) + v.shape[1:], v.dtype
        )
        return b.let("%s.at[%s %% %d].%s(%s)" % (v.name, idx.name, n0, method, update.name), v.shape, v.dtype)
    size = rng.randint(1, n)
    start = b.param(_INDEX_DTYPE, ())
    index_params.append(start)
    if op == "dynamic_slice":
        shape = v.shape[:axis] + (size,) + v.shape[axis + 1 :]
        return b.let("lax.dynamic_slice_in_dim(%s, %s, %d, axis=%d)" % (v.name, start.name, size, axis), shape, v.dtype)
    shape = v.shape[:axis] + (size,) + v.shape[axis + 1 :]
    slice_index = ", ".join([":"] * axis + [":%d" % size])
    update = b.let(ops.unary(rng, Var("%s[%s]" % (v.name, slice_index), shape, v.dtype)), shape, v.dtype)
    expr = "lax.dynamic_update_slice_in_dim(%s, %s, %s, axis=%d)" % (v.name, update.name, start.name, axis)
    return b.let(expr, v.shape, v.dtype)


def indexing(rng: random.Random, depth: int) -> Program:
    """Static and dynamic indexing: x[i], .at[].set/add, take, gather, scatter, dynamic slices."""
    b = Builder(rng)
    dtype = pick_dtype(rng)
    v = b.param(dtype, pick_shape(rng, min_rank=1, max_size=128))
    index_params: list[Var] = []
    for _ in range(depth):
        if len(b.params) >= 5:
            break
        v = _indexing_step(b, rng, v, index_params)
    if not v.shape:
        v = b.let("%s * 1" % v.name, (), v.dtype)
    return b.program("indexing", v.name, "Indexing into %s%s." % (dtype, list(b.params[0].shape)), depth)
