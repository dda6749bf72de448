"""Compares a backend's outputs with JAX's reference outputs, with per-dtype tolerances.

The tolerances live in tolerances.json, which the JavaScript checker (reference.mjs) reads too.
"""

import dataclasses
import json
import os

import numpy as np

_TOLERANCES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tolerances.json")


def tolerances() -> dict:
    """The tolerance table: {dtype: {"rtol": float, "atol": float}} for floating types."""
    with open(_TOLERANCES_FILE) as f:
        return {k: v for k, v in json.load(f).items() if k != "comment"}


def as_comparable(array: np.ndarray, dtype: str) -> np.ndarray:
    """Reference arrays as numbers: bf16 is stored as uint16 bits and widened to float32 here."""
    array = np.asarray(array)
    if dtype == "bf16" and array.dtype == np.uint16:
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array


@dataclasses.dataclass(frozen=True)
class Comparison:
    """The result of comparing one output."""

    name: str
    ok: bool
    detail: str


def compare(name: str, got: np.ndarray, want: np.ndarray, dtype: str) -> Comparison:
    """Compares one output; `detail` names the worst element when it fails."""
    got, want = as_comparable(got, dtype), as_comparable(want, dtype)
    if got.shape != want.shape:
        return Comparison(name, False, "shape %s, want %s" % (got.shape, want.shape))
    table = tolerances()
    if dtype not in table:
        bad = np.flatnonzero(got.reshape(-1) != want.reshape(-1))
        detail = (
            "exact"
            if not bad.size
            else "%d of %d differ; first at %d: %s vs %s"
            % (bad.size, want.size, bad[0], got.reshape(-1)[bad[0]], want.reshape(-1)[bad[0]])
        )
        return Comparison(name, not bad.size, detail)
    g, w = got.astype(np.float64).reshape(-1), want.astype(np.float64).reshape(-1)
    finite = np.isfinite(w)
    scale = max(1.0, float(np.max(np.abs(w[finite]), initial=0.0)))
    bound = table[dtype]["atol"] * scale + table[dtype]["rtol"] * np.abs(w)
    error = np.where(finite, np.abs(g - w), 0.0)
    bad = finite & ~(error <= bound)
    bad |= ~finite & ~((np.isnan(w) & np.isnan(g)) | (w == g))
    worst = int(np.argmax(np.where(finite, error / np.maximum(bound, 1e-300), np.where(bad, np.inf, 0))))
    detail = "max |err| %.3g (bound %.3g at worst element %d)" % (
        error.max(initial=0),
        bound[worst] if bound.size else 0,
        worst,
    )
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        detail = "%d of %d outside tolerance; element %d: got %r, want %r" % (
            int(bad.sum()),
            w.size,
            first,
            g[first],
            w[first],
        )
    return Comparison(name, not bad.any(), detail)
