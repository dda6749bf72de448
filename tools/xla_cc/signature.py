"""Reads `NAME.signature.json` (docs/contracts.md), the source of C names and argument order."""

import dataclasses
import json
import re

from tools.xla_cc import dtypes

_FORMAT = "rules_jax.signature/1"
_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclasses.dataclass(frozen=True)
class Leaf:
    """One flattened input or output."""

    index: int
    name: str
    path: str
    shape: tuple[int, ...]
    dtype: str

    @property
    def count(self) -> int:
        """Number of elements."""
        n = 1
        for d in self.shape:
            n *= d
        return n

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return self.count * dtypes.lookup(self.dtype).size

    def logical(self) -> str:
        """The logical type, e.g. `f32[8,16]`."""
        return f"{self.dtype}[{','.join(map(str, self.shape))}]"


@dataclasses.dataclass(frozen=True)
class Signature:
    """A jax_hlo signature: flattened inputs and outputs in order."""

    function: str
    inputs: tuple[Leaf, ...]
    outputs: tuple[Leaf, ...]

    def logical(self) -> str:
        """The banner form, e.g. `f32[16], f32[16] -> f32[16]`."""
        ins = ", ".join(x.logical() for x in self.inputs)
        outs = ", ".join(x.logical() for x in self.outputs)
        return f"{ins} -> {outs}"


def _leaf(raw: dict, where: str) -> Leaf:
    name = raw["name"]
    if not _C_IDENT.fullmatch(name):
        raise dtypes.UnsupportedSignature(f"{where} name '{name}' is not a C identifier")
    shape = raw["shape"]
    if not all(isinstance(d, int) and d >= 0 for d in shape):
        raise dtypes.UnsupportedSignature(
            f"{where} '{name}' has a non-static shape {shape}; hlo_cc_library needs static shapes"
        )
    dtypes.lookup(raw["dtype"]).c_type  # noqa: B018 - validates the dtype, naming it
    return Leaf(raw["index"], name, raw.get("path", name), tuple(shape), raw["dtype"])


def parse(text: str) -> Signature:
    """Parses and validates signature JSON text."""
    raw = json.loads(text)
    if raw.get("format") != _FORMAT:
        raise dtypes.UnsupportedSignature(f"signature format must be {_FORMAT!r}")
    inputs = tuple(_leaf(x, "input") for x in raw["inputs"])
    outputs = tuple(_leaf(x, "output") for x in raw["outputs"])
    for kind, leaves in (("input", inputs), ("output", outputs)):
        if [x.index for x in leaves] != list(range(len(leaves))):
            raise dtypes.UnsupportedSignature(f"{kind} indices must be 0..n-1 in order")
        names = [x.name for x in leaves]
        if len(set(names)) != len(names):
            raise dtypes.UnsupportedSignature(f"{kind} names are not unique: {names}")
    return Signature(raw.get("function", ""), inputs, outputs)
