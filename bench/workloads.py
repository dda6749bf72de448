"""The benchmark's workloads (issue 7), defined once.

Each is a JAX function, its f32 inputs, its nominal work and the tolerance every backend's
outputs must meet against JAX's.

`make(scale)` builds them; `scale="full"` gives the issue's sizes, `scale="tiny"` small ones for
the test. The jax-js versions of the same functions live in `bench/jaxjs_bench.mjs`, keyed by
the same names.
"""

import dataclasses
from collections.abc import Callable

import numpy as np


@dataclasses.dataclass(frozen=True)
class Workload:
    """One benchmark case.

    Attributes:
      name: the key used on the command line, in the JSON table and in the Node scripts.
      fn: the JAX function (positional array arguments; any pytree of outputs).
      inputs: the f32 arguments (NumPy, seeded).
      flops: nominal floating-point operations per call (0 where bytes are the measure).
      bytes: nominal bytes moved per call (inputs + outputs, each once).
      tol: (rtol, atol) each output must meet against JAX's, elementwise.
      dims: the sizes, for the jax-js script (which rebuilds the function from them).
    """

    name: str
    fn: Callable
    inputs: tuple
    flops: float
    bytes: float
    tol: tuple[float, float]
    dims: dict


# Elementwise ops that round once per op (plus sqrt/exp within a few ULPs).
_ELEMENTWISE_TOL = (2e-6, 1e-6)
# Reassociated reductions and dots: every backend sums in its own order.
_REDUCTION_TOL = (1e-4, 1e-5)


def _quadratic(a, b, c):
    import jax.numpy as jnp

    d = jnp.sqrt(b * b - 4.0 * a * c)
    return (-b + d) / (2.0 * a), (-b - d) / (2.0 * a)


def _sum(x):
    import jax.numpy as jnp

    return jnp.sum(x)


def _softmax(x):
    import jax

    return jax.nn.softmax(x, axis=-1)


def _matmul(a, b):
    return a @ b


def _mlp_forward(x, w1, b1, w2, b2):
    import jax

    h = jax.nn.relu(x @ w1 + b1)
    return jax.nn.softmax(h @ w2 + b2, axis=-1)


def _mlp_loss(w1, b1, w2, b2, x, y):
    import jax

    h = jax.nn.relu(x @ w1 + b1)
    logp = jax.nn.log_softmax(h @ w2 + b2, axis=-1)
    return -(logp * y).sum(-1).mean()


def _mlp_grad(w1, b1, w2, b2, x, y):
    import jax

    return jax.grad(_mlp_loss, argnums=(0, 1, 2, 3))(w1, b1, w2, b2, x, y)


def _conv2d(x, k):
    import jax

    return jax.lax.conv_general_dilated(x, k, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))


def _layer_norm(x, g, b):
    import jax.numpy as jnp

    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / jnp.sqrt(var + 1e-5) * g + b


def _transformer(x, g1, b1, wq, wk, wv, wo, g2, b2, w1, c1, w2, c2):
    """Pre-norm block: x + attn(ln(x)); then + mlp(ln(.)) with tanh-GELU; one head of width d."""
    import jax

    h = _layer_norm(x, g1, b1)
    q, k, v = h @ wq, h @ wk, h @ wv
    att = jax.nn.softmax(q @ k.T / np.sqrt(q.shape[-1]).astype(np.float32), axis=-1)
    x = x + (att @ v) @ wo
    h = _layer_norm(x, g2, b2)
    return x + jax.nn.gelu(h @ w1 + c1) @ w2 + c2


def _f32(rng, shape, scale=1.0, low=None, high=None):
    if low is not None:
        return rng.uniform(low, high, shape).astype(np.float32)
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def _sizes(scale: str) -> dict:
    if scale == "full":
        return dict(
            quad=1_000_000, sum=10_000_000, softmax=1024, mm=(256, 1024), mlp=(64, 784, 512, 10), conv=28, seq=128
        )
    if scale == "tiny":
        return dict(quad=1000, sum=10_000, softmax=16, mm=(8, 32), mlp=(4, 12, 16, 10), conv=6, seq=8)
    raise ValueError(f"unknown scale {scale!r}: use 'full' or 'tiny'")


def make(scale: str = "full", seed: int = 0) -> list[Workload]:
    """All workloads at `scale`, inputs drawn from `seed`."""
    s = _sizes(scale)
    rng = np.random.default_rng(seed)
    out = []
    n = s["quad"]
    a, b = _f32(rng, n, low=0.5, high=2.0), _f32(rng, n, low=-10, high=10)
    c = (b * b / (4 * a) * _f32(rng, n, low=-1.0, high=0.9)).astype(np.float32)  # discriminant > 0
    out.append(Workload("quadratic", _quadratic, (a, b, c), 10 * n, 20 * n, _ELEMENTWISE_TOL, {"n": n}))
    n = s["sum"]
    out.append(
        Workload("sum", _sum, (_f32(rng, n, low=0, high=1),), n, 4 * n, _REDUCTION_TOL, {"n": n}),
    )
    n = s["softmax"]
    out.append(
        Workload("softmax", _softmax, (_f32(rng, (n, n), 3.0),), 5 * n * n, 8 * n * n, _ELEMENTWISE_TOL, {"n": n})
    )
    for n in s["mm"]:
        mm_in = (_f32(rng, (n, n), low=-1, high=1), _f32(rng, (n, n), low=-1, high=1))
        out.append(Workload(f"matmul{n}", _matmul, mm_in, 2 * n**3, 12 * n * n, _REDUCTION_TOL, {"n": n}))
    bsz, d_in, d_h, d_out = s["mlp"]
    w1, b1 = _f32(rng, (d_in, d_h), np.sqrt(2 / d_in)), _f32(rng, d_h, 0.1)
    w2, b2 = _f32(rng, (d_h, d_out), np.sqrt(1 / d_h)), _f32(rng, d_out, 0.1)
    x = _f32(rng, (bsz, d_in), low=0, high=1)
    y = np.eye(d_out, dtype=np.float32)[rng.integers(0, d_out, bsz)]
    fwd_flops = 2 * bsz * (d_in * d_h + d_h * d_out)
    mlp_dims = {"batch": bsz, "d_in": d_in, "d_hidden": d_h, "d_out": d_out}
    params = (w1, b1, w2, b2)
    nbytes = 4 * (sum(p.size for p in params) + x.size)
    out.append(Workload("mlp_forward", _mlp_forward, (x, *params), fwd_flops, nbytes, _REDUCTION_TOL, mlp_dims))
    grad_flops = fwd_flops + 2 * bsz * d_in * d_h + 4 * bsz * d_h * d_out
    out.append(Workload("mlp_grad", _mlp_grad, (*params, x, y), grad_flops, 2 * nbytes, _REDUCTION_TOL, mlp_dims))
    hw, filters = s["conv"], 32
    img, ker = _f32(rng, (1, hw, hw, 1)), _f32(rng, (3, 3, 1, filters), 1 / 3)
    conv_flops = 2 * hw * hw * 9 * filters
    out.append(
        Workload(
            "conv2d",
            _conv2d,
            (img, ker),
            conv_flops,
            4 * (img.size + ker.size + hw * hw * filters),
            _REDUCTION_TOL,
            {"hw": hw, "filters": filters},
        )
    )
    seq, d = s["seq"], 128 if scale == "full" else 16
    ones, zeros = np.ones(d, np.float32), np.zeros(d, np.float32)

    def mat(m, k):
        return _f32(rng, (m, k), 1 / np.sqrt(m))

    tr_in = (
        _f32(rng, (seq, d)), ones, zeros, mat(d, d), mat(d, d), mat(d, d), mat(d, d), ones, zeros,
        mat(d, 4 * d), np.zeros(4 * d, np.float32), mat(4 * d, d), zeros,
    )  # fmt: skip
    tr_flops = 2 * seq * d * d * 4 + 4 * seq * seq * d + 2 * 2 * seq * d * 4 * d
    tr_bytes = 4 * sum(t.size for t in tr_in) + 4 * seq * d
    out.append(Workload("transformer", _transformer, tr_in, tr_flops, tr_bytes, _REDUCTION_TOL, {"seq": seq, "d": d}))
    return out


def select(workloads: list[Workload], names: list[str]) -> list[Workload]:
    """The workloads named in `names` (all when empty), in the order of `workloads`."""
    if not names:
        return workloads
    known = {w.name for w in workloads}
    unknown = sorted(set(names) - known)
    if unknown:
        raise ValueError(f"unknown workloads {unknown}; known: {sorted(known)}")
    return [w for w in workloads if w.name in names]
