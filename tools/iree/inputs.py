"""Parses command-line input values for the IREE runner, in the spirit of iree-run-module.

Accepted forms of one `--input`:

* `@file.npy`: a NumPy array file.
* `f32[2,3]=1,2,3,4,5,6`: HLO spelling (docs/contracts.md dtype names), values in row-major order;
  a single value fills the whole shape; `f32[]=2.5` is a scalar.
* `2x3xf32=1,2,3,4,5,6`: iree-run-module's spelling of the same.
"""

from __future__ import annotations

import os
import re

import numpy as np

from tools.iree.reference import NUMPY_DTYPES

# IREE's element type spelling -> HLO's.
_IREE_TYPES = {
    "i1": "pred",
    "i8": "s8",
    "i16": "s16",
    "i32": "s32",
    "i64": "s64",
    "si8": "s8",
    "si16": "s16",
    "si32": "s32",
    "si64": "s64",
    "ui8": "u8",
    "ui16": "u16",
    "ui32": "u32",
    "ui64": "u64",
    "f16": "f16",
    "bf16": "bf16",
    "f32": "f32",
    "f64": "f64",
}
_HLO_SPEC = re.compile(r"^([a-z0-9]+)\[([0-9,\s]*)\]$")
_IREE_SPEC = re.compile(r"^((?:[0-9]+x)*)([a-z0-9]+)$")


def _parse_type(spec: str) -> tuple[str, tuple[int, ...]]:
    """Returns (HLO dtype name, shape) of `f32[2,3]` or `2x3xf32`."""
    if m := _HLO_SPEC.match(spec):
        dtype = {"i8": "s8", "i16": "s16", "i32": "s32", "i64": "s64"}.get(m[1], m[1])
        shape = tuple(int(d) for d in m[2].split(",") if d.strip())
    elif m := _IREE_SPEC.match(spec):
        dtype = _IREE_TYPES.get(m[2], m[2])
        shape = tuple(int(d) for d in m[1].split("x") if d)
    else:
        raise ValueError(f"cannot parse type {spec!r}; write f32[2,3] or 2x3xf32")
    if dtype not in NUMPY_DTYPES:
        raise ValueError(f"unknown element type in {spec!r}")
    return dtype, shape


def _values(text: str, dtype: str) -> np.ndarray:
    items = [v.strip() for v in re.split(r"[,\s]+", text.strip()) if v.strip()]
    if dtype == "pred":
        return np.array([v.lower() in ("1", "true") for v in items], np.bool_)
    if dtype == "bf16":  # keep the top 16 bits of the f32 value (truncation, as documented)
        return (np.array(items, np.float32).view(np.uint32) >> 16).astype(np.uint16)
    return np.array(items, NUMPY_DTYPES[dtype])


def parse_input(text: str, base_dir: str = "") -> tuple[np.ndarray, str]:
    """Parses one `--input` value; returns the array and its HLO dtype name ('' if from .npy).

    Args:
      text: the flag value.
      base_dir: directory for relative `@file` paths (the user's cwd under `bazel run`).
    """
    if text.startswith("@"):
        path = os.path.join(base_dir, text[1:]) if base_dir else text[1:]
        return np.load(path, allow_pickle=False), ""
    spec, sep, values = text.partition("=")
    if not sep:
        raise ValueError(f"input {text!r} has no '='; write f32[3]=1,2,3 or @file.npy")
    dtype, shape = _parse_type(spec.strip())
    flat = _values(values, dtype)
    size = int(np.prod(shape))
    if flat.size == 1:
        flat = np.full(size, flat[0], flat.dtype)
    if flat.size != size:
        raise ValueError(f"input {spec} needs {size} values, got {flat.size}")
    return flat.reshape(shape), dtype
