"""Reference inputs drawn from a fixed seed, and the array conversions of NAME.reference.npz.

Each input leaf has its own generator seeded with (seed, index), so adding an argument does not
change the values of the others. A domain, given per input name or per Python parameter, says
where values come from:

    uniform(LOW, HIGH)   floats in [LOW, HIGH)          (default for floats: normal(0, 1))
    normal(MEAN, STD)
    randint(LOW, HIGH)   integers in [LOW, HIGH)        (default for integers: randint(-8, 8))
    bernoulli(P)         booleans, true with probability P (default for pred: bernoulli(0.5))
"""

import dataclasses
import re

import numpy as np

from tools.jax_export import dtypes
from tools.jax_export.user_errors import UserError

_DOMAIN = re.compile(r"^\s*(uniform|normal|randint|bernoulli)\s*\(([^)]*)\)\s*$")
_ARITY = {"uniform": 2, "normal": 2, "randint": 2, "bernoulli": 1}


@dataclasses.dataclass(frozen=True)
class Domain:
    """A distribution to draw one input from."""

    kind: str
    params: tuple[float, ...]


def parse_domain(text: str, key: str) -> Domain:
    """Parses `uniform(0, 1)`-style text; `key` names the input in error messages."""
    match = _DOMAIN.match(text)
    if not match:
        raise UserError(
            "attribute `domains`: %r for %r is not one of uniform(lo, hi), normal(mean, std), "
            "randint(lo, hi), bernoulli(p)" % (text, key)
        )
    kind = match.group(1)
    try:
        params = tuple(float(p) for p in match.group(2).split(","))
    except ValueError:
        raise UserError("attribute `domains`: %r for %r has a non-numeric parameter" % (text, key)) from None
    if len(params) != _ARITY[kind]:
        raise UserError("attribute `domains`: %s takes %d parameter(s), got %r" % (kind, _ARITY[kind], text))
    return Domain(kind, params)


def default_domain(dtype: str) -> Domain:
    """The distribution used for an input with no domain of its own."""
    if dtype == "pred":
        return Domain("bernoulli", (0.5,))
    if dtype[0] in "su":
        return Domain("randint", (0.0, 8.0) if dtype[0] == "u" else (-8.0, 8.0))
    return Domain("normal", (0.0, 1.0))


def draw(domain: Domain, dtype: str, shape: tuple[int, ...], seed: int, index: int) -> np.ndarray:
    """Draws one input array."""
    rng = np.random.default_rng([seed, index])
    if domain.kind == "uniform":
        values = rng.uniform(domain.params[0], domain.params[1], size=shape)
    elif domain.kind == "normal":
        values = rng.normal(domain.params[0], domain.params[1], size=shape)
    elif domain.kind == "randint":
        values = rng.integers(int(domain.params[0]), int(domain.params[1]), size=shape)
    else:
        values = rng.random(size=shape) < domain.params[0]
    return np.asarray(values).astype(dtypes.to_numpy(dtype))


def for_storage(array: np.ndarray) -> np.ndarray:
    """The array as stored in .npz: bf16 becomes its uint16 bit pattern (NumPy has no bf16)."""
    array = np.asarray(array)
    if array.dtype.name == "bfloat16":
        return array.view(np.uint16)
    return array
