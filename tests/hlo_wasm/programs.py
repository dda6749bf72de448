"""The example programs the end-to-end and regression tests compile (JAX functions).

Quadratic formula (both roots), a small tanh MLP and its squared-error loss, and a function
with fori_loop, cond and scan.
"""

import jax.numpy as jnp
from jax import lax


def quadratic(a, b, c):
    d = jnp.sqrt(b * b - 4 * a * c)
    return (-b + d) / (2 * a), (-b - d) / (2 * a)


def mlp(params, x):
    w1, b1, w2, b2 = params
    return jnp.tanh(x @ w1 + b1) @ w2 + b2


def mlp_loss(params, x, y):
    return jnp.mean((mlp(params, x) - y) ** 2)


def control(x):
    s = lax.fori_loop(0, 4, lambda i, c: c * 0.5 + x[i], 0.0)
    y = lax.cond(s > 0, lambda: x * s, lambda: x - s)
    _, ys = lax.scan(lambda c, v: (c + v, c * v), 0.0, x)
    return y, ys
