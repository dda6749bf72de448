"""A function IREE cannot compile, for the failure test of jax_iree_module."""

import jax.numpy as jnp


def fft6(x):
    """Real part of a length-6 FFT: IREE 3.13 lowers stablehlo.fft only for power-of-two lengths."""
    return jnp.fft.fft(x).real
