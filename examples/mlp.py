"""A small multi-layer perceptron, tanh(x @ W1 + b1) @ W2 + b2, and its squared-error loss."""

import jax.numpy as jnp


def mlp(params, x):
    """Forward pass; `params` is a dict with w1, b1, w2, b2."""
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    return hidden @ params["w2"] + params["b2"]


def loss(params, x, y):
    """Mean squared error of the forward pass against targets `y`."""
    return jnp.mean((mlp(params, x) - y) ** 2)
