"""Corpus test: hundreds of distinct JAX functions compiled and compared with JAX.

Corpus: many distinct JAX functions (shapes from scalars to rank 4, gradients, vmap,
control flow) compiled by our compiler and compared with JAX in wasmtime.

The functions are built from small families crossed with shapes so that each is a distinct
program; the count is printed and asserted (the issue asks for at least 200).
"""

import zlib

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest, parameterized
from jax import lax

from tests.hlo_wasm import harness

_UNARY = {
    "exp": jnp.exp,
    "log1p_abs": lambda x: jnp.log1p(jnp.abs(x)),
    "tanh": jnp.tanh,
    "sigmoid": jax.nn.sigmoid,
    "relu": jax.nn.relu,
    "gelu": jax.nn.gelu,
    "softplus": jax.nn.softplus,
    "sin_cos": lambda x: jnp.sin(x) * jnp.cos(x),
    "erf": lax.erf,
    "sqrt_abs": lambda x: jnp.sqrt(jnp.abs(x)),
    "square": jnp.square,
    "clip": lambda x: jnp.clip(x, -0.5, 0.7),
    "round": jnp.round,
    "sign_floor": lambda x: jnp.sign(x) * jnp.floor(x),
    "where": lambda x: jnp.where(x > 0, x, 0.1 * x),
}
_REDUCE = {
    "sum": lambda x: x.sum(),
    "mean_last": lambda x: x.mean(-1),
    "max_first": lambda x: x.max(0),
    "softmax": lambda x: jax.nn.softmax(x, axis=-1),
    "logsumexp": lambda x: jax.nn.logsumexp(x, -1),
    "norm": lambda x: x / jnp.sqrt((x * x).sum(-1, keepdims=True) + 1e-6),
    "argmax": lambda x: jnp.argmax(x, axis=-1),
    "cumsum": lambda x: jnp.cumsum(x, axis=-1),
    "layernorm": lambda x: (x - x.mean(-1, keepdims=True)) / jnp.sqrt(x.var(-1, keepdims=True) + 1e-5),
    "sort": lambda x: jnp.sort(x, axis=-1),
    "flip_cat": lambda x: jnp.concatenate([x, x[..., ::-1]], -1),
    "pad_slice": lambda x: jnp.pad(x, [(1, 0)] * x.ndim)[..., 1:],
}
_SHAPES = {"s": (), "v": (7,), "m": (3, 5), "t3": (2, 3, 4), "t4": (2, 2, 3, 4)}
_BINARY = {
    "add_bcast": lambda x, y: x + y[..., :1],
    "mul_div": lambda x, y: x * y / (1 + y * y),
    "pow_abs": lambda x, y: jnp.abs(x) ** y,
    "atan2": jnp.arctan2,
    "min_max": lambda x, y: jnp.minimum(x, 0.3 * y) + jnp.maximum(x, y),
    "hypot": lambda x, y: jnp.sqrt(x * x + y * y),
    "select": lambda x, y: jnp.where(x > y, x - y, y * 2),
}
_GRADS = {
    "tanh_sum": lambda x: jnp.tanh(x).sum(),
    "softmax_ce": lambda x: -jax.nn.log_softmax(x)[..., 0].sum(),
    "poly": lambda x: (x**3 - 2 * x).sum(),
    "sig_sq": lambda x: (jax.nn.sigmoid(x) ** 2).mean(),
    "max": lambda x: x.max(),
    "norm": lambda x: jnp.sqrt((x * x).sum() + 1.0),
}


def _cases():
    out = []
    for sn, shape in _SHAPES.items():
        for un in _UNARY:
            out.append((f"unary_{un}_{sn}", "unary", un, shape))
        if shape:
            for rn in _REDUCE:
                out.append((f"reduce_{rn}_{sn}", "reduce", rn, shape))
        for gn in _GRADS:
            if not (gn == "softmax_ce" and not shape):
                out.append((f"grad_{gn}_{sn}", "grad", gn, shape))
        for bn in _BINARY:
            if not (bn == "add_bcast" and not shape):
                out.append((f"binary_{bn}_{sn}", "binary", bn, shape))
    for m, k, n in [
        (1, 1, 1),
        (2, 3, 4),
        (4, 8, 16),
        (5, 7, 3),
        (8, 16, 12),
        (3, 33, 5),
    ]:
        out.append((f"matmul_{m}x{k}x{n}", "matmul", None, (m, k, n)))
        out.append((f"matmul_grad_{m}x{k}x{n}", "matmul_grad", None, (m, k, n)))
    for b in (1, 3):
        out.append((f"vmap_dot_{b}", "vmap_dot", None, (b, 4, 5)))
        out.append((f"scan_rnn_{b}", "scan", None, (5, b, 3)))
        out.append((f"while_newton_{b}", "while", None, (b + 3,)))
        out.append((f"switch_{b}", "switch", None, (b + 4,)))
    return out


def _build(kind, name, shape):
    """(function, args) for one corpus case."""
    rng = np.random.default_rng(zlib.crc32(f"{kind}/{name}/{shape}".encode()))
    if kind == "unary":
        return _UNARY[name], [rng.standard_normal(shape).astype(np.float32)]
    if kind == "reduce":
        return _REDUCE[name], [rng.standard_normal(shape).astype(np.float32)]
    if kind == "binary":
        return _BINARY[name], list(rng.standard_normal((2,) + shape).astype(np.float32))
    if kind == "grad":
        return jax.grad(_GRADS[name]), [rng.standard_normal(shape).astype(np.float32)]
    if kind in ("matmul", "matmul_grad"):
        m, k, n = shape
        a = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        if kind == "matmul":
            return (lambda x, y: jnp.maximum(x @ y, 0)), [a, b]
        return jax.grad(lambda x, y: jnp.sum(jnp.tanh(x @ y)), argnums=(0, 1)), [a, b]
    if kind == "vmap_dot":
        x = rng.standard_normal(shape).astype(np.float32)
        return jax.vmap(lambda r: r @ r.T), [x]
    if kind == "scan":
        xs = rng.standard_normal(shape).astype(np.float32)
        w = rng.standard_normal((3, 3)).astype(np.float32) * 0.5
        return (lambda w, xs: lax.scan(lambda h, x: (jnp.tanh(h @ w + x),) * 2, jnp.zeros(xs.shape[1:]), xs)), [w, xs]
    if kind == "while":
        x = np.abs(rng.standard_normal(shape)).astype(np.float32) + 1

        def newton(v):
            def body(c):
                i, y = c
                return i + 1, 0.5 * (y + v / y)

            return lax.while_loop(lambda c: c[0] < 6, body, (0, v))[1]

        return newton, [x]
    x = rng.standard_normal(shape).astype(np.float32)
    return (lambda v, i: lax.switch(i, [jnp.sin, jnp.cos, lambda t: t * 2], v)), [
        x,
        np.int32(shape[0] % 3),
    ]


_TOL = (3e-5, 3e-5)


class CorpusTest(parameterized.TestCase):
    @parameterized.named_parameters(*_cases())
    def test_case(self, kind, name, shape):
        fn, args = _build(kind, name, shape)
        harness.check(self, fn, *args, tol=_TOL, reference=False)

    def test_corpus_size(self):
        self.assertGreaterEqual(len(_cases()), 200)


if __name__ == "__main__":
    absltest.main()
