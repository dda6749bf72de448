"""Functions exported by the jax_export tests, good and deliberately bad."""

import jax.numpy as jnp


def affine(x, params, scale=1.0):
    """Scale * (x @ w) + b, and the sum of x."""
    return scale * (x @ params["w"]) + params["b"], jnp.sum(x)


def raises(x):
    """Fails while tracing, from a line of user code the error must point at."""
    return x + undefined_helper(x)  # noqa: F821


def returns_string(x):
    """Returns a non-array output."""
    return {"value": x, "label": "not an array"}


def returns_nothing(x):
    """Returns no arrays at all."""
    del x


def affine_loss(x, params):
    """Scalar loss whose gradient has a closed form: d/dw = x^T 1, d/db = rows(x)."""
    return jnp.sum(affine(x, params)[0])


def wide_sum(x):
    """A 64-bit function: the worker must enable x64 for it and disable it afterwards."""
    return jnp.sum(x * 2)
