"""The example MLP with its weights baked in as constants.

The whole model becomes one C function whose weights land in flash on a microcontroller.
"""

import numpy as np

from examples import mlp as mlp_module

_RNG = np.random.default_rng(0)
WEIGHTS = {
    "w1": (_RNG.standard_normal((16, 32)) / 4).astype(np.float32),
    "b1": (_RNG.standard_normal(32) / 4).astype(np.float32),
    "w2": (_RNG.standard_normal((32, 4)) / 6).astype(np.float32),
    "b2": (_RNG.standard_normal(4) / 4).astype(np.float32),
}


def predict(x):
    """The MLP's forward pass on a batch `x` (f32[8,16]) with the fixed weights above."""
    return mlp_module.mlp(WEIGHTS, x)
