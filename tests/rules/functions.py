"""Functions exported by the rule tests."""

import jax.numpy as jnp


def weighted_sum(x, params, scale=1.0):
    """A scalar: scale * sum(w * x) + b."""
    return scale * jnp.sum(params["w"] * x) + params["b"]
