"""Generator for the linear algebra category (decompositions are kept, and marked)."""

import random

from tools.dataset import ops
from tools.dataset.builder import FLOATS, Builder, Var, pick_dtype
from tools.dataset.program import Program

# Each needs a LAPACK custom call on CPU: kept in the dataset, marked as not compiled by our backends.
_DECOMPOSITIONS = (
    ("jnp.linalg.svd({a}, compute_uv=False)", "vector"),
    ("jnp.linalg.qr({a})[1]", "square"),
    ("jnp.linalg.eigh({a} @ {a}.T)[0]", "vector"),
    ("jnp.linalg.cholesky({a} @ {a}.T + {n} * jnp.eye({n}, dtype={a}.dtype))", "square"),
    ("jnp.linalg.inv({a} + {n} * jnp.eye({n}, dtype={a}.dtype))", "square"),
    ("jnp.linalg.det({a})", "scalar"),
    ("jnp.linalg.solve({a} + {n} * jnp.eye({n}, dtype={a}.dtype), {a}[:, 0])", "vector"),
)


def _product(b: Builder, rng: random.Random, x: Var) -> Var:
    """A product of x (rank 1..3) with a new parameter: matmul, dot, einsum, outer, tensordot."""
    k = x.shape[-1]
    if len(x.shape) == 1:
        form = rng.choice(("dot", "outer", "matvec"))
        if form == "dot":
            y = b.param(x.dtype, x.shape)
            return b.let("jnp.dot(%s, %s)" % (x.name, y.name), (), x.dtype)
        if form == "outer":
            y = b.param(x.dtype, (rng.randint(1, 8),))
            return b.let("jnp.outer(%s, %s)" % (x.name, y.name), (k, y.shape[0]), x.dtype)
        w = b.param(x.dtype, (rng.randint(1, 8), k))
        return b.let("%s @ %s" % (w.name, x.name), (w.shape[0],), x.dtype)
    n = rng.randint(1, 8)
    if len(x.shape) == 3:
        w = b.param(x.dtype, (x.shape[0], k, n))
        if rng.random() < 0.5:
            return b.let('jnp.einsum("bij,bjk->bik", %s, %s)' % (x.name, w.name), x.shape[:2] + (n,), x.dtype)
        return b.let("jnp.matmul(%s, %s)" % (x.name, w.name), x.shape[:2] + (n,), x.dtype)
    form = rng.choice(("matmul", "transpose", "tensordot", "einsum"))
    if form == "transpose":
        return b.let("%s @ %s.T" % (x.name, x.name), (x.shape[0], x.shape[0]), x.dtype)
    w = b.param(x.dtype, (k, n))
    if form == "tensordot":
        return b.let("jnp.tensordot(%s, %s, axes=1)" % (x.name, w.name), (x.shape[0], n), x.dtype)
    if form == "einsum":
        return b.let('jnp.einsum("ij,jk->ik", %s, %s)' % (x.name, w.name), (x.shape[0], n), x.dtype)
    return b.let("%s @ %s" % (x.name, w.name), (x.shape[0], n), x.dtype)


def _finish(b: Builder, rng: random.Random, v: Var) -> Var:
    """Optionally a norm, trace or elementwise op after the products."""
    if not v.is_float or not v.shape:
        return v
    choice = rng.random()
    if choice < 0.2:
        return b.let("jnp.linalg.norm(%s)" % v.name, (), v.dtype)
    if choice < 0.35 and len(v.shape) >= 2:
        return b.let("jnp.linalg.norm(%s, axis=-1)" % v.name, v.shape[:-1], v.dtype)
    if choice < 0.45 and len(v.shape) == 2 and v.shape[0] == v.shape[1]:
        return b.let("jnp.trace(%s)" % v.name, (), v.dtype)
    if choice < 0.65:
        return b.let(ops.unary(rng, v), v.shape, v.dtype)
    return v


def linalg(rng: random.Random, depth: int) -> Program:
    """matmul, dot, einsum, outer, tensordot, norm, trace; sometimes a decomposition."""
    b = Builder(rng)
    if rng.random() < 0.15:
        dtype = pick_dtype(rng, FLOATS)
        n = rng.randint(4, 6)  # jnp.linalg.det has closed forms (no LAPACK call) up to 3x3.
        a = b.param(dtype, (n, n))
        template, _ = rng.choice(_DECOMPOSITIONS)
        v = b.let(template.format(a=a.name, n=n), (n,), dtype)
        doc = "Matrix decomposition of %s[%d, %d] (LAPACK custom call)." % (dtype, n, n)
        return b.program("linalg", v.name, doc, 1, decomposition=True)
    dtype = pick_dtype(rng, ("f32", "f64", "s32"))
    rank = rng.choice((1, 2, 2, 3))
    shape = tuple(rng.randint(1, 8) for _ in range(rank))
    v = b.param(dtype, shape)
    for _ in range(depth):
        if len(b.params) >= 5 or len(v.shape) == 0:
            break
        v = _product(b, rng, v)
    v = _finish(b, rng, v)
    return b.program("linalg", v.name, "Linear algebra on %s%s." % (dtype, list(shape)), depth)
