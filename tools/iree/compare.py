"""Compares a backend's outputs with JAX's reference outputs, per dtype tolerance.

An element passes when `|got - want| <= atol + rtol * |want|` (NumPy's `isclose`), NaN matches
NaN and infinities must match exactly. The defaults below are stated per dtype; they allow for
IREE and XLA picking different (both correct) evaluation orders in reductions and different
polynomial approximations of transcendental functions (a few ULPs), not for a wrong result.
Integers and `pred` must be equal.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from tools.iree.reference import Leaf


@dataclasses.dataclass(frozen=True)
class Tolerance:
    """Allowed error: |got - want| <= atol + rtol * |want|."""

    rtol: float
    atol: float


# f64: IREE demotes f64 to f32 by default (--iree-input-demote-f64-to-f32), hence f32-like bounds.
TOLERANCES = {
    "f16": Tolerance(rtol=1e-2, atol=1e-3),
    "bf16": Tolerance(rtol=2e-2, atol=1e-2),
    "f32": Tolerance(rtol=1e-5, atol=1e-6),
    "f64": Tolerance(rtol=1e-5, atol=1e-6),
}
EXACT = Tolerance(rtol=0.0, atol=0.0)


def tolerance_for(dtype: str) -> Tolerance:
    """Returns the default tolerance for an HLO dtype name (exact for ints and pred)."""
    return TOLERANCES.get(dtype, EXACT)


def _as_float(array: np.ndarray, dtype: str) -> np.ndarray:
    if dtype == "bf16":  # uint16 bit patterns -> the float32 they are the top half of
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array.astype(np.float64)


@dataclasses.dataclass(frozen=True)
class Row:
    """The comparison of one output."""

    leaf: Leaf
    tolerance: Tolerance
    max_abs: float
    max_rel: float
    mismatches: int
    worst: tuple[int, ...]
    got: float
    want: float
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when every element is within tolerance and the shapes match."""
        return not self.problem and self.mismatches == 0


def compare(leaf: Leaf, got: np.ndarray, want: np.ndarray, tolerance: Tolerance) -> Row:
    """Compares one output array against the reference."""
    if got.shape != want.shape:
        problem = f"shape {list(got.shape)} != {list(want.shape)}"
        return Row(leaf, tolerance, np.inf, np.inf, want.size, (), np.nan, np.nan, problem)
    g, w = _as_float(got, leaf.dtype), _as_float(want, leaf.dtype)
    if leaf.dtype in TOLERANCES:
        close = np.isclose(g, w, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
    else:  # integers and pred: exact, compared in their own type (int64 does not fit f64)
        close = np.asarray(got == want)
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(g == w, 0.0, np.abs(g - w))  # equal infinities differ by 0
        diff = np.where(np.isnan(g) & np.isnan(w), 0.0, diff)
        diff = np.where(np.isnan(diff), np.inf, diff)  # NaN against a number
        rel = np.where(diff == 0, 0.0, diff / np.maximum(np.abs(w), np.finfo(np.float32).tiny))
        rel = np.where(np.isnan(rel), np.inf, rel)
    # The element to show: a mismatching one if any, the largest error among those.
    flat = int(np.lexsort((diff.ravel(), ~close.ravel()))[-1]) if w.size else 0
    worst = np.unravel_index(flat, w.shape) if w.size else ()
    return Row(
        leaf=leaf,
        tolerance=tolerance,
        max_abs=float(diff.max(initial=0.0)),
        max_rel=float(rel.max(initial=0.0)),
        mismatches=int(np.count_nonzero(~close)),
        worst=tuple(int(i) for i in worst),
        got=float(g[worst]) if w.size else np.nan,
        want=float(w[worst]) if w.size else np.nan,
    )


_HEADER = (
    "output",
    "spec",
    "max abs err",
    "max rel err",
    "rtol",
    "atol",
    "bad",
    "worst at",
    "got",
    "want",
    "",
)


def format_table(rows: list[Row]) -> str:
    """Formats rows as an aligned text table, one line per output."""
    lines = [_HEADER]
    for r in rows:
        lines.append(
            (
                f"{r.leaf.index}:{r.leaf.name}",
                r.leaf.spec,
                f"{r.max_abs:.3g}",
                f"{r.max_rel:.3g}",
                f"{r.tolerance.rtol:g}",
                f"{r.tolerance.atol:g}",
                f"{r.mismatches}/{int(np.prod(r.leaf.shape))}",
                str(list(r.worst)),
                f"{r.got:.9g}",
                f"{r.want:.9g}",
                "ok" if r.ok else f"MISMATCH {r.problem}".rstrip(),
            )
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(_HEADER))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines)
