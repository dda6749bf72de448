"""Generators for the gradient (grad, value_and_grad) and vectorisation (vmap) categories."""

import random

from tools.dataset import gen_elementwise, ops
from tools.dataset.builder import FLOATS, Builder, pick_dtype, pick_shape
from tools.dataset.program import Param, Program
from tools.jax_export.transforms import Transform


def gradient(rng: random.Random, depth: int) -> Program:
    """A scalar loss of one or two float inputs, under grad or value_and_grad."""
    b = Builder(rng)
    dtype = pick_dtype(rng, FLOATS)
    shape = pick_shape(rng, max_rank=3, max_size=64)
    values = [b.param(dtype, shape) for _ in range(rng.randint(1, 2))]
    if len(shape) == 2 and rng.random() < 0.4:
        w = b.param(dtype, (shape[1], rng.randint(1, 6)))
        values = [b.let("jnp.tanh(%s @ %s)" % (values[0].name, w.name), (shape[0], w.shape[1]), dtype)]
    out = gen_elementwise.chain(b, rng, values, depth, ops.SMOOTH_UNARY, ops.FLOAT_BINARY[:3])
    loss = rng.choice(("jnp.sum(%s)", "jnp.mean(%s ** 2)", "jnp.sum(jnp.sin(%s))"))
    nargs = len(b.params)
    argnums = (0,) if nargs == 1 or rng.random() < 0.5 else tuple(range(nargs))
    kind = rng.choice(("grad", "value_and_grad"))
    doc = "Loss of %s%s, differentiated by %s." % (dtype, list(shape), kind)
    return b.program("gradient", loss % out.name, doc, depth, transform=Transform(kind, argnums))


def vmap(rng: random.Random, depth: int) -> Program:
    """A per-example function batched by vmap; some arguments unbatched (in_axes None)."""
    category = rng.choice((gen_elementwise.arithmetic, gen_elementwise.reduction, gen_elementwise.math))
    inner = category(rng, depth)
    while max(len(p.shape) for p in inner.params) > 3:  # Batched inputs stay within rank 4.
        inner = category(rng, depth)
    batch = rng.randint(2, 6)
    axes = tuple(0 if i == 0 or rng.random() < 0.6 else None for i in range(len(inner.params)))
    params = tuple(
        Param(p.name, p.dtype, ((batch,) + p.shape) if axis == 0 else p.shape)
        for p, axis in zip(inner.params, axes, strict=True)
    )
    doc = "%s Batched over %d examples by vmap." % (inner.doc, batch)
    return Program(
        category="vmap",
        params=params,
        body=inner.body,
        result=inner.result,
        doc=doc,
        transform=Transform("vmap", in_axes=axes),
        depth=depth,
    )
