"""Correctness gate: a backend's outputs must match JAX's before it is timed.

The measure is normwise per output: max|got - jax| <= rtol * max|jax| + atol, with identical NaN
positions and shapes. Elementwise relative error is not used because the quadratic formula's
small root cancels (-b + sqrt(b^2 - 4ac)), where one ULP of b is a large relative error of the
result in any implementation.
"""

import numpy as np


class MismatchError(AssertionError):
    """A backend produced outputs that do not match JAX's within the stated tolerance."""


def max_error(got: np.ndarray, want: np.ndarray) -> float:
    """max|got - want| / max|want| (0 for an all-zero `want` equal to `got`)."""
    g, w = np.asarray(got, np.float64), np.asarray(want, np.float64)
    scale = float(np.max(np.abs(w), initial=0.0)) or 1.0
    return float(np.max(np.abs(g - w), initial=0.0)) / scale


def check(backend: str, workload: str, got: list, want: list, tol: tuple[float, float]) -> float:
    """Raises `MismatchError` unless every output matches; returns the largest error."""
    rtol, atol = tol
    if len(got) != len(want):
        raise MismatchError(f"{backend} on {workload}: {len(got)} outputs, JAX gives {len(want)}")
    worst = 0.0
    for k, (g, w) in enumerate(zip(got, want, strict=True)):
        g, w = np.asarray(g), np.asarray(w)
        if g.size != w.size:
            raise MismatchError(f"{backend} on {workload}: output {k} has {g.size} elements, JAX's {w.size}")
        g = g.reshape(w.shape)
        if not np.array_equal(np.isnan(g), np.isnan(w)):
            raise MismatchError(f"{backend} on {workload}: output {k} has NaNs where JAX's has none or vice versa")
        m = ~np.isnan(w)
        err = max_error(g[m], w[m])
        scale = float(np.max(np.abs(w[m]), initial=0.0)) or 1.0
        if err * scale > rtol * scale + atol:
            raise MismatchError(
                f"{backend} on {workload}: output {k} differs from JAX by {err:.2e} of its max "
                f"(tolerance rtol={rtol:g}, atol={atol:g})"
            )
        worst = max(worst, err)
    return worst
