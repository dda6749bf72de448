"""Builds NAME.signature.json: names, paths, shapes and dtypes of the flattened inputs and outputs."""

import json
import re
from typing import Any

from tools.jax_export import dtypes

FORMAT = "rules_jax.signature/1"


def _key_text(key: Any) -> str:
    for field in ("key", "idx", "name"):
        if hasattr(key, field):
            return str(getattr(key, field))
    return str(key)


def _identifier(parts: list[str]) -> str:
    name = "_".join(parts)
    name = re.sub(r"[^0-9A-Za-z_]", "_", name)
    return "_" + name if name[:1].isdigit() else name


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        result.append(name if count == 0 else "%s_%d" % (name, count))
    return result


def entries(leaves: list[tuple[Any, Any]], prefixes: list[str], path_prefixes: list[str]) -> list[dict]:
    """Signature entries for flattened leaves.

    Args:
      leaves: (key path, leaf) pairs; each leaf has `.shape` and `.dtype`.
      prefixes: per leaf, the first part of its name (a parameter name or "out").
      path_prefixes: per leaf, the readable start of its path.

    Returns:
      One dict per leaf with index, name, path, shape and dtype.
    """
    names = []
    for (path, _), prefix in zip(leaves, prefixes, strict=True):
        names.append(_identifier([prefix] + [_key_text(k) for k in path]))
    result = []
    for index, ((path, leaf), name, path_prefix) in enumerate(zip(leaves, _unique(names), path_prefixes, strict=True)):
        import jax  # The key path printer lives in JAX.

        result.append(
            {
                "index": index,
                "name": name,
                "path": path_prefix + jax.tree_util.keystr(path),
                "shape": [int(d) for d in leaf.shape],
                "dtype": dtypes.from_numpy(leaf.dtype),
            }
        )
    return result


def build(function: str, transform: dict, inputs: list[dict], outputs: list[dict]) -> dict:
    """The whole signature document."""
    return {"format": FORMAT, "function": function, "transform": transform, "inputs": inputs, "outputs": outputs}


def dumps(signature: dict) -> str:
    """JSON text of the signature with one line per input or output entry, for readable diffs."""
    lines = ["{"]
    for key in ("format", "function", "transform"):
        lines.append("  %s: %s," % (json.dumps(key), json.dumps(signature[key], sort_keys=True)))
    for key in ("inputs", "outputs"):
        entries = [json.dumps(e) for e in signature[key]]
        lines.append('  "%s": [' % key)
        lines.extend("    %s%s" % (e, "," if i + 1 < len(entries) else "") for i, e in enumerate(entries))
        lines.append("  ]%s" % ("," if key == "inputs" else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def logical(signature: dict) -> str:
    """One-line logical signature, e.g. `f32[16], f32[16] -> f32[16]`."""

    def text(entry: dict) -> str:
        return "%s[%s]" % (entry["dtype"], ",".join(str(d) for d in entry["shape"]))

    return "%s -> %s" % (
        ", ".join(text(e) for e in signature["inputs"]),
        ", ".join(text(e) for e in signature["outputs"]),
    )
