"""Picks a category, depth and program for sample `index` of a dataset with a given seed.

Every sample draws from its own `random.Random` seeded with the text "seed:index" (string seeds
are hashed with SHA-512, independent of PYTHONHASHSEED), so a sample does not depend on which
shard or process makes it, nor on the samples before it.
"""

import random
from collections.abc import Callable

from tools.dataset import gen_array, gen_control, gen_elementwise, gen_linalg, gen_transform
from tools.dataset.program import Program

GENERATORS: dict[str, Callable[[random.Random, int], Program]] = {
    "arithmetic": gen_elementwise.arithmetic,
    "math": gen_elementwise.math,
    "array": gen_array.array,
    "linalg": gen_linalg.linalg,
    "reduction": gen_elementwise.reduction,
    "indexing": gen_array.indexing,
    "gradient": gen_transform.gradient,
    "vmap": gen_transform.vmap,
    "conditional": gen_control.conditional,
    "loop": gen_control.loop,
}
CATEGORIES = tuple(GENERATORS)


def sample_rng(seed: int, index: int) -> random.Random:
    """The generator of sample `index`."""
    return random.Random("rules_jax.dataset:%d:%d" % (seed, index))


def generate(seed: int, index: int, max_depth: int = 3) -> Program:
    """The program of sample `index`: categories in rotation, depth uniform in 1..max_depth."""
    rng = sample_rng(seed, index)
    category = CATEGORIES[index % len(CATEGORIES)]
    depth = rng.randint(1, max_depth)
    return GENERATORS[category](rng, depth)
