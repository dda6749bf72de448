"""Makes the files jax_hlo writes (StableHLO, signature.json, reference.npz) for IREE tests.

A test-only stand-in for tools/jax_export, following docs/contracts.md: inputs are the flattened
argument leaves in HLO parameter order, named by parameter and pytree keys; outputs are `out`
for a single leaf, else `out_` + keys; the reference holds `input_i` / `output_i`.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

_DTYPES = {
    "float32": "f32",
    "float64": "f64",
    "float16": "f16",
    "bfloat16": "bf16",
    "int8": "s8",
    "int32": "s32",
    "uint8": "u8",
    "bool": "pred",
}


def stored(array: Any) -> np.ndarray:
    """The array as reference.npz stores it (bf16 as uint16 bit patterns)."""
    array = np.asarray(array)
    return array.view(np.uint16) if array.dtype == jnp.bfloat16 else array


def _key(k: Any) -> str:
    for field in ("key", "idx", "name"):
        if hasattr(k, field):
            return str(getattr(k, field))
    return str(k)


def _entries(leaves: list[tuple[Any, Any]], prefixes: list[str], paths: list[str]) -> list[dict]:
    return [
        {
            "index": i,
            "name": "_".join([prefix] + [_key(k) for k in path]),
            "path": start + jax.tree_util.keystr(path),
            "shape": [int(d) for d in leaf.shape],
            "dtype": _DTYPES[str(leaf.dtype)],
        }
        for i, ((path, leaf), prefix, start) in enumerate(zip(leaves, prefixes, paths, strict=True))
    ]


def _draw(leaf: Any, index: int, domain: tuple[float, float] | None, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, index])
    dtype = np.dtype(leaf.dtype)
    if dtype == jnp.bfloat16 or dtype.kind == "f":
        lo, hi = domain or (None, None)
        values = rng.normal(size=leaf.shape) if lo is None else rng.uniform(lo, hi, leaf.shape)
        return values.astype(dtype)
    if dtype.kind == "b":
        return rng.random(leaf.shape) < 0.5
    return rng.integers(0 if dtype.kind == "u" else -8, 8, size=leaf.shape).astype(dtype)


def write(
    out_dir: str,
    name: str,
    fn: Callable[..., Any],
    args: tuple[Any, ...],
    domains: dict[str, tuple[float, float]] | None = None,
    seed: int = 0,
) -> dict[str, str]:
    """Lowers `fn` at `args` (pytrees of ShapeDtypeStruct) and writes the three files.

    Args:
      out_dir: directory to write into.
      name: file stem.
      fn: the function.
      args: argument specs.
      domains: uniform (low, high) per Python parameter name; normal(0, 1) otherwise.
      seed: reference seed.

    Returns:
      Paths by kind: `stablehlo`, `signature`, `reference`.
    """
    params = list(inspect.signature(fn).parameters)
    in_leaves, prefixes, starts = [], [], []
    for param, arg in zip(params, args, strict=False):
        leaves = jax.tree_util.tree_flatten_with_path(arg)[0]
        in_leaves += leaves
        prefixes += [param] * len(leaves)
        starts += [param] * len(leaves)
    inputs = [
        _draw(leaf, i, (domains or {}).get(prefix), seed)
        for i, ((_, leaf), prefix) in enumerate(zip(in_leaves, prefixes, strict=True))
    ]
    lowered = jax.jit(fn).lower(*args)
    treedef = jax.tree_util.tree_structure(args)
    results = jax.jit(fn)(*jax.tree_util.tree_unflatten(treedef, [jnp.asarray(x) for x in inputs]))
    out_leaves = jax.tree_util.tree_flatten_with_path(results)[0]
    single = len(out_leaves) == 1 and not out_leaves[0][0]
    out_prefix = ["out"] * len(out_leaves)
    signature = {
        "format": "rules_jax.signature/1",
        "function": f"tests.iree:{name}",
        "transform": {"kind": "none"},
        "inputs": _entries(in_leaves, prefixes, starts),
        "outputs": _entries(out_leaves, out_prefix, [""] * len(out_leaves)),
    }
    if single:
        signature["outputs"][0]["name"] = "out"
    paths = {k: os.path.join(out_dir, f"{name}.{k}") for k in ("stablehlo", "signature", "reference")}
    paths = {
        "stablehlo": os.path.join(out_dir, f"{name}.stablehlo.mlir"),
        "signature": os.path.join(out_dir, f"{name}.signature.json"),
        "reference": os.path.join(out_dir, f"{name}.reference.npz"),
    }
    with open(paths["stablehlo"], "w", encoding="utf-8") as f:
        f.write(lowered.as_text())
    with open(paths["signature"], "w", encoding="utf-8") as f:
        json.dump(signature, f, indent=1)
    arrays = {f"input_{i}": stored(x) for i, x in enumerate(inputs)}
    arrays.update({f"output_{i}": stored(leaf) for i, (_, leaf) in enumerate(out_leaves)})
    np.savez(paths["reference"], **arrays)
    return paths
