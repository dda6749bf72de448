"""The quadratic formula, the seed example: both roots of a*x^2 + b*x + c, elementwise."""

import jax.numpy as jnp


def roots(a, b, c):
    """Both roots of a*x^2 + b*x + c (NaN where the discriminant is negative)."""
    discriminant = jnp.sqrt(b * b - 4.0 * a * c)
    return (-b + discriminant) / (2.0 * a), (-b - discriminant) / (2.0 * a)


def root_sum(a, b, c):
    """Scalar summary of both roots, the function differentiated by the gradient example."""
    larger, smaller = roots(a, b, c)
    return jnp.sum(larger) + 0.5 * jnp.sum(smaller)
