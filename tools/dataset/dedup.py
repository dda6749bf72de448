"""Exact and near-duplicate removal by normalised source and normalised HLO hashes.

* exact: same source text, input shapes/dtypes and transform.
* near (source): same source after renaming identifiers in order of appearance, replacing numeric
  literals by `0` and dropping the docstring, with the same transform and input dtypes and ranks
  (dimension sizes may differ): the same program at another size or with other constants.
* near (HLO): same unoptimised HLO after renaming instructions and computations in order of
  appearance and dropping the module name and metadata: a different source spelling of the same
  computation.

The first record (in index order) of each key is kept, so merging is deterministic.
"""

import hashlib
import io
import json
import keyword
import re
import tokenize
from collections.abc import Iterable, Iterator
from typing import Any

_KEEP_NAMES = frozenset({"jax", "jnp", "lax", "nn", "scipy", "special", "linalg"})
_HLO_NAME = re.compile(r"%?\b([A-Za-z_][\w.-]*)(?=\s*(=|\(|,|\)|\s*$))")
_HLO_DEF = re.compile(r"^\s*(?:ROOT\s+)?%?([\w.-]+) = ", re.M)
_HLO_COMP = re.compile(r"^(?:ENTRY\s+)?%?([\w.-]+)\s*(?:\(.*\)\s*->\s*.*)?\{\s*$", re.M)


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def normalise_source(source: str) -> str:
    """Source tokens with identifiers renamed by first appearance and numbers replaced by 0."""
    names: dict[str, str] = {}
    out = []
    previous = None
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and previous in (tokenize.INDENT, tokenize.NEWLINE):
            continue  # The docstring.
        if tok.type == tokenize.NAME and not keyword.iskeyword(tok.string) and tok.string not in _KEEP_NAMES:
            if previous_op_is_dot(out):
                out.append(tok.string)  # Attribute: jnp.sum stays jnp.sum.
            else:
                out.append(names.setdefault(tok.string, "v%d" % len(names)))
        elif tok.type == tokenize.NUMBER:
            out.append("0")
        elif tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        else:
            out.append(tok.string)
        if tok.type not in (tokenize.NL, tokenize.COMMENT):
            previous = tok.type
    return " ".join(out)


def previous_op_is_dot(tokens: list[str]) -> bool:
    """Whether the last emitted token is `.` (the next name is an attribute)."""
    return bool(tokens) and tokens[-1] == "."


def normalise_hlo(hlo: str) -> str:
    """HLO with the module line and metadata dropped, names renamed by first definition."""
    lines = [line for line in hlo.splitlines() if line.strip() and not line.startswith("HloModule")]
    text = "\n".join(lines)
    text = re.sub(r", metadata=\{[^{}]*\}", "", text)
    names: dict[str, str] = {}
    for match in _HLO_COMP.finditer(text):
        names.setdefault(match.group(1), "c%d" % len(names))
    for match in _HLO_DEF.finditer(text):
        names.setdefault(match.group(1), "i%d" % len(names))
    return re.sub(r"%?\b[\w.-]+\b", lambda m: names.get(m.group(0).lstrip("%"), m.group(0)), text)


def keys(rec: dict[str, Any]) -> dict[str, str]:
    """The exact, near-source and near-HLO keys of a record."""
    specs = [(e["dtype"], e["shape"]) for e in rec["inputs"]]
    kinds = [(e["dtype"], len(e["shape"])) for e in rec["inputs"]]
    return {
        "exact": _digest(rec["source"], specs, rec["transform"]),
        "near_source": _digest(normalise_source(rec["source"]), kinds, rec["transform"]),
        "near_hlo": _digest(normalise_hlo(rec["hlo"])) if rec["hlo"] else _digest("no-hlo", rec["id"]),
    }


class Deduplicator:
    """Keeps the first record of each key; counts what it removes and why."""

    def __init__(self) -> None:
        self.seen: dict[str, set[str]] = {"exact": set(), "near_source": set(), "near_hlo": set()}
        self.counts = {"total": 0, "kept": 0, "exact": 0, "near_source": 0, "near_hlo": 0}

    def accept(self, rec: dict[str, Any]) -> bool:
        """True when `rec` duplicates nothing seen before (and records its keys)."""
        self.counts["total"] += 1
        record_keys = keys(rec)
        for kind in ("exact", "near_source", "near_hlo"):  # Counted under the strictest reason.
            if record_keys[kind] in self.seen[kind]:
                self.counts[kind] += 1
                return False
        for kind, key in record_keys.items():
            self.seen[kind].add(key)
        self.counts["kept"] += 1
        return True

    def filter(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """The records that are not duplicates, in order."""
        return (r for r in records if self.accept(r))
