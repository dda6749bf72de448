"""Reads NAME.signature.json and NAME.reference.npz as docs/contracts.md defines them."""

from __future__ import annotations

import dataclasses
import json

import numpy as np

SIGNATURE_FORMAT = "rules_jax.signature/1"

# HLO element type names (docs/contracts.md) -> NumPy dtype of the arrays in reference.npz.
# bf16 is stored as its uint16 bit pattern.
NUMPY_DTYPES = {
    "pred": np.dtype(np.bool_),
    "s8": np.dtype(np.int8),
    "s16": np.dtype(np.int16),
    "s32": np.dtype(np.int32),
    "s64": np.dtype(np.int64),
    "u8": np.dtype(np.uint8),
    "u16": np.dtype(np.uint16),
    "u32": np.dtype(np.uint32),
    "u64": np.dtype(np.uint64),
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(np.uint16),
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
}


@dataclasses.dataclass(frozen=True)
class Leaf:
    """One flattened input or output of the function.

    Attributes:
      index: int: position among the inputs (HLO parameter number) or outputs.
      name: str: C identifier (`params_w1`, `out_0`).
      path: str: readable pytree path (`params['w1']`).
      shape: tuple[int, ...]: dimensions, `()` for a scalar.
      dtype: str: HLO element type name (`f32`).
    """

    index: int
    name: str
    path: str
    shape: tuple[int, ...]
    dtype: str

    @property
    def spec(self) -> str:
        """HLO-style shape text, e.g. `f32[3,4]`."""
        return f"{self.dtype}[{','.join(str(d) for d in self.shape)}]"


@dataclasses.dataclass(frozen=True)
class Signature:
    """The flattened inputs and outputs of a jax_hlo function, in HLO order."""

    function: str
    inputs: tuple[Leaf, ...]
    outputs: tuple[Leaf, ...]


def _leaves(entries: list[dict], what: str) -> tuple[Leaf, ...]:
    leaves = []
    for position, entry in enumerate(entries):
        leaf = Leaf(
            index=int(entry["index"]),
            name=str(entry["name"]),
            path=str(entry.get("path", entry["name"])),
            shape=tuple(int(d) for d in entry["shape"]),
            dtype=str(entry["dtype"]),
        )
        if leaf.index != position:
            raise ValueError(f"signature {what}[{position}] has index {leaf.index}")
        if leaf.dtype not in NUMPY_DTYPES:
            raise ValueError(f"signature {what}[{position}] has unknown dtype {leaf.dtype!r}")
        leaves.append(leaf)
    return tuple(leaves)


def parse_signature(text: str) -> Signature:
    """Parses signature.json text, checking the format tag, indices and dtypes."""
    data = json.loads(text)
    if data.get("format") != SIGNATURE_FORMAT:
        raise ValueError(f"signature format is {data.get('format')!r}, want {SIGNATURE_FORMAT!r}")
    return Signature(
        function=str(data.get("function", "")),
        inputs=_leaves(data["inputs"], "inputs"),
        outputs=_leaves(data["outputs"], "outputs"),
    )


def load_signature(path: str) -> Signature:
    """Reads and parses a signature.json file."""
    with open(path, encoding="utf-8") as f:
        return parse_signature(f.read())


def _checked(arrays: np.lib.npyio.NpzFile, key: str, leaf: Leaf) -> np.ndarray:
    if key not in arrays:
        raise ValueError(f"reference has no array {key!r} for {leaf.name} {leaf.spec}")
    array = arrays[key]
    want = NUMPY_DTYPES[leaf.dtype]
    if array.shape != leaf.shape or array.dtype != want:
        raise ValueError(
            f"reference {key} is {array.dtype}{list(array.shape)}, "
            f"signature says {leaf.name} {leaf.spec} (stored as {want})"
        )
    return array


def load_reference(path: str, signature: Signature) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Returns the reference inputs and outputs in signature order, checked against it."""
    with np.load(path, allow_pickle=False) as arrays:
        inputs = [_checked(arrays, f"input_{leaf.index}", leaf) for leaf in signature.inputs]
        outputs = [_checked(arrays, f"output_{leaf.index}", leaf) for leaf in signature.outputs]
    return inputs, outputs
