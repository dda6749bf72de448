"""Structured control flow: fori_loop with a dynamic trip count, cond, scan and while_loop."""

import jax.numpy as jnp
from jax import lax


def control_flow(x, n):
    """Runs each kind of structured control flow once.

    Iterates a damped sine map `n` times, branches on the sum, scans a running total, then grows
    a counter until it passes 10.

    Args:
      x: f32[8] starting state.
      n: s32[] number of iterations of the map.

    Returns:
      The squared running totals (f32[8]), the final counter value and its number of steps.
    """

    def damped_sine(i, state):
        return 0.9 * state + jnp.sin(state + i.astype(state.dtype))

    state = lax.fori_loop(0, n, damped_sine, x)
    state = lax.cond(jnp.sum(state) > 0.0, lambda v: 2.0 * v, lambda v: -v, state)

    def running_total(total, value):
        total = total + value
        return total, total * total

    total, squares = lax.scan(running_total, jnp.float32(0.0), state)

    def below_ten(counter):
        return counter[0] < 10.0

    def grow(counter):
        return 1.5 * counter[0] + 1.0, counter[1] + 1

    value, steps = lax.while_loop(below_ten, grow, (jnp.abs(total), jnp.int32(0)))
    return squares, value, steps
