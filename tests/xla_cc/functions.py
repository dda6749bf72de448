"""JAX functions the xla_cc tests compile, with their argument specs.

Each case is (function, argument specs as a pytree of ShapeDtypeStruct, parameter names).
"""

import jax
import jax.numpy as jnp
import numpy as np


def quadratic(a, b, c):
    """Both roots of a*x^2 + b*x + c."""
    d = jnp.sqrt(b * b - 4.0 * a * c)
    return (-b + d) / (2.0 * a), (-b - d) / (2.0 * a)


def quadratic_grad(a, b, c):
    """Gradient of the sum of the larger root w.r.t. (a, b, c)."""
    return jax.grad(lambda a, b, c: jnp.sum(quadratic(a, b, c)[0]), argnums=(0, 1, 2))(a, b, c)


def mlp(params, x):
    """tanh(x @ W1 + b1) @ W2 + b2."""
    h = jnp.tanh(x @ params["w1"] + params["b1"])
    return h @ params["w2"] + params["b2"]


def mlp_loss_grad(params, x, y):
    """Gradient of the mean squared error of `mlp` w.r.t. every weight."""
    return jax.grad(lambda p: jnp.mean((mlp(p, x) - y) ** 2))(params)


def control_flow(x, n):
    """fori_loop with a dynamic trip count, lax.cond, while_loop and scan."""

    def body(i, v):
        return jax.lax.cond(i % 2 == 0, lambda v: v * 1.5 - 0.25, lambda v: jnp.tanh(v), v)

    v = jax.lax.fori_loop(0, n, body, x)
    v, _ = jax.lax.while_loop(lambda s: s[1] < 5, lambda s: (s[0] + jnp.cos(s[0]) * 0.1, s[1] + 1), (v, 0))

    def step(carry, row):
        carry = carry * 0.9 + row
        return carry, jnp.sum(carry)

    carry, sums = jax.lax.scan(step, v[:8], v.reshape(8, 8))
    return carry, sums


def scan_rnn(h, xs):
    """A 100-step recurrence on a 256-wide state: XLA emits a counted WhileThunk."""

    def step(h, x):
        h = jnp.tanh(h * 0.5 + x)
        return h, jnp.sum(h)

    return jax.lax.scan(step, h, xs)


_RNG = np.random.default_rng(42)
MLP_WEIGHTS = {
    "w1": _RNG.normal(size=(16, 32)).astype(np.float32) / 4,
    "b1": _RNG.normal(size=(32,)).astype(np.float32) / 4,
    "w2": _RNG.normal(size=(32, 8)).astype(np.float32) / 4,
    "b2": _RNG.normal(size=(8,)).astype(np.float32) / 4,
}


def mlp_const(x):
    """`mlp` with its weights baked in as constants (they land in flash on a microcontroller)."""
    return mlp(MLP_WEIGHTS, x)


def elementwise(x):
    """Large enough for XLA to split the kernel into one workgroup per compile CPU."""
    return jnp.exp(-x * x) * 3.0 + jnp.sin(x)


def sort(x):
    return jnp.sort(x)


def f32(*shape):
    return jax.ShapeDtypeStruct(shape, np.float32)


MLP_PARAMS = {"w1": f32(16, 32), "b1": f32(32), "w2": f32(32, 8), "b2": f32(8)}

CASES = {
    "quadratic": (quadratic, (f32(16), f32(16), f32(16)), ("a", "b", "c")),
    "quadratic_grad": (quadratic_grad, (f32(16), f32(16), f32(16)), ("a", "b", "c")),
    "mlp": (mlp, (MLP_PARAMS, f32(4, 16)), ("params", "x")),
    "mlp_loss_grad": (
        mlp_loss_grad,
        (MLP_PARAMS, f32(4, 16), f32(4, 8)),
        ("params", "x", "y"),
    ),
    "control_flow": (
        control_flow,
        (f32(64), jax.ShapeDtypeStruct((), np.int32)),
        ("x", "n"),
    ),
    "scan_rnn": (scan_rnn, (f32(256), f32(100, 256)), ("h", "xs")),
    "mlp_const": (mlp_const, (f32(4, 16),), ("x",)),
    "elementwise_64k": (elementwise, (f32(1 << 16),), ("x",)),
    "sort": (sort, (f32(32),), ("x",)),
    # Benchmark sizes (tests/xla_cc/benchmark.py).
    "quadratic_1m": (
        quadratic,
        (f32(1 << 20), f32(1 << 20), f32(1 << 20)),
        ("a", "b", "c"),
    ),
    "mlp_b1024": (mlp, (MLP_PARAMS, f32(1024, 16)), ("params", "x")),
}
