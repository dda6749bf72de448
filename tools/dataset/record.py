"""The JSON Lines record of one sample: field order, canonical text, content hash, schema check."""

import hashlib
import json
import re
from collections import Counter
from typing import Any

SCHEMA = "rules_jax.dataset/1"

# Field -> (type, description). The datasheet's field table and the schema test read this.
FIELDS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "schema": (str, "record format, `rules_jax.dataset/1`"),
    "id": (str, "`<seed>-<index>`: unique within a dataset"),
    "seed": (int, "dataset seed"),
    "index": (int, "sample index; the program depends only on (seed, index)"),
    "category": (str, "one of the ten categories"),
    "depth": (int, "composition depth the generator used"),
    "transform": (dict, "JAX transform before lowering, as in signature.json (`kind`, `argnums`, `in_axes`)"),
    "x64": (bool, "traced with jax_enable_x64 (a 64-bit input)"),
    "decomposition": (bool, "uses a matrix decomposition (LAPACK custom call): not compiled by our backends"),
    "source": (str, "the Python module text defining `f`"),
    "inputs": (list, "flattened inputs as in signature.json: index, name, path, shape, dtype"),
    "outputs": (list, "flattened outputs as in signature.json"),
    "jaxpr": ((str, type(None)), "the jaxpr (null when JAX failed)"),
    "stablehlo": ((str, type(None)), "StableHLO MLIR"),
    "hlo": ((str, type(None)), "HLO text before optimisation"),
    "hlo_optimized": ((str, type(None)), "HLO after XLA:CPU optimisation, stack-frame metadata removed"),
    "hlo_ops": (dict, "opcode -> count in the unoptimised HLO"),
    "validation": (dict, "`jax`, `parse`, `wasm` and `wasm_optimized` results"),
    "content_hash": (str, "SHA-256 of source, inputs, transform and every IR"),
}
_HASHED = ("source", "inputs", "transform", "jaxpr", "stablehlo", "hlo", "hlo_optimized")
_OPCODE = re.compile(r"^\s*(?:ROOT\s+)?%?[\w.-]+ = (?:\([^=]*?\)|\S+) ([a-z][\w-]*)\(", re.M)


def hlo_ops(hlo: str | None) -> dict[str, int]:
    """Opcode histogram of an HLO module's text (every computation)."""
    return dict(sorted(Counter(_OPCODE.findall(hlo or "")).items()))


def content_hash(record: dict[str, Any]) -> str:
    """SHA-256 over the fields that define the sample (not its validation)."""
    payload = json.dumps([record[k] for k in _HASHED], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def dumps(record: dict[str, Any]) -> str:
    """One line of canonical JSON (sorted keys, ASCII, no spaces): same record, same bytes."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False) + "\n"


def check(record: dict[str, Any]) -> list[str]:
    """Schema errors of a record (empty when valid)."""
    errors = ["missing field %r" % k for k in FIELDS if k not in record]
    errors += ["unknown field %r" % k for k in record if k not in FIELDS]
    for key, (kind, _) in FIELDS.items():
        if key in record and not isinstance(record[key], kind):
            errors.append("field %r is %s" % (key, type(record[key]).__name__))
    if errors:
        return errors
    if record["schema"] != SCHEMA:
        errors.append("schema %r" % record["schema"])
    if record["content_hash"] != content_hash(record):
        errors.append("content_hash does not match the content")
    validation = record["validation"]
    for part in ("jax", "parse", "wasm", "wasm_optimized"):
        if part not in validation:
            errors.append("validation.%s missing" % part)
    return errors
