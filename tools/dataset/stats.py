"""Statistics of a dataset: counts, op histogram, IR lengths, validation rates; as Markdown."""

import collections
import re
from collections.abc import Iterable
from typing import Any

IRS = ("source", "jaxpr", "stablehlo", "hlo", "hlo_optimized")
WASM_STATUSES = ("match", "mismatch", "compile_error", "runtime_error", "internal_error", "timeout", "skipped")


class Stats:
    """Accumulates over records one at a time (a 100k-sample dataset never sits in memory)."""

    def __init__(self) -> None:
        self.total = 0
        self.category = collections.Counter()
        self.dtype = collections.Counter()
        self.transform = collections.Counter()
        self.ops = collections.Counter()
        self.op_samples = collections.Counter()
        self.lengths: dict[str, list[int]] = {ir: [] for ir in IRS}
        self.jax_ok = 0
        self.finite = 0
        self.parse_ok = collections.Counter()
        self.wasm = collections.Counter()
        self.wasm_optimized = collections.Counter()
        self.wasm_by_category: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.stopping_ops = collections.Counter()
        self.mismatch_ops = collections.Counter()
        self.stopping_example: dict[tuple[str, str], str] = {}
        self.decompositions = 0

    def add(self, rec: dict[str, Any]) -> None:
        """Counts one record."""
        self.total += 1
        self.category[rec["category"]] += 1
        self.dtype[rec["inputs"][0]["dtype"] if rec["inputs"] else "?"] += 1
        self.transform[rec["transform"]["kind"]] += 1
        self.ops.update(rec["hlo_ops"])
        self.op_samples.update(rec["hlo_ops"].keys())
        self.decompositions += rec["decomposition"]
        for ir in IRS:
            if rec[ir] is not None:
                self.lengths[ir].append(len(rec[ir]))
        validation = rec["validation"]
        if validation["jax"]["status"] == "ok":
            self.jax_ok += 1
            self.finite += validation["jax"]["finite"]
        for which, result in validation["parse"].items():
            self.parse_ok[which] += result == "ok"
        self.wasm_by_category[rec["category"]][validation["wasm"]["status"]] += 1
        for which in ("wasm", "wasm_optimized"):
            self._add_wasm(rec, which, validation[which])

    def _add_wasm(self, rec: dict[str, Any], which: str, result: dict[str, Any]) -> None:
        getattr(self, which)[result["status"]] += 1
        if result["status"] in ("match", "skipped"):
            return
        source = "unoptimised" if which == "wasm" else "optimised"
        if result["status"] == "mismatch":
            eager = rec["validation"]["jax"].get("eager_matches_jit", "n/a")
            key = (source, "mismatch; reference: %s; JAX op by op = jit: %s" % (result.get("reference", "n/a"), eager))
            self.mismatch_ops.update(rec["hlo_ops"].keys())
        else:
            key = (source, result.get("op") or _error_kind(result["error"]))
        self.stopping_ops[key] += 1
        self.stopping_example.setdefault(key, rec["id"])

    def add_all(self, records: Iterable[dict[str, Any]]) -> "Stats":
        """Counts every record; returns self."""
        for rec in records:
            self.add(rec)
        return self


def _error_kind(message: str) -> str:
    """An error message without its location and instruction names, short enough to group by."""
    message = re.sub(r"HLO line \d+: ", "", message)
    message = re.sub(r"^[\w.-]+ = ", "", message)  # "bitcast.3 = bitcast: ..." -> "bitcast: ..."
    message = re.sub(r"%[\w.-]*\)?|'[\w.-]*\.\d+'", "…", message)  # Instruction names.
    message = re.sub(r"/\*index=\d+\*/", "/*index=N*/", message)
    return message[:100]


def _pct(part: int, whole: int) -> str:
    return "%.1f%%" % (100.0 * part / whole) if whole else "n/a"


def _table(header: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0


def markdown(stats: Stats, title: str, dedup_counts: dict[str, int] | None, plot: str | None) -> str:
    """The report. Deterministic for a given dataset (no times or paths)."""
    s = stats
    out = ["# %s" % title, "", "%d samples." % s.total, ""]
    if dedup_counts:
        out += ["## Duplicates removed", ""]
        out += _table(
            ("generated", "kept", "exact", "near (source)", "near (HLO)"),
            [tuple(dedup_counts[k] for k in ("total", "kept", "exact", "near_source", "near_hlo"))],
        )
    if plot:
        out += ["![WASM result by category](%s)" % plot, ""]
        out += ["Samples per category, stacked by the WASM result of the unoptimised HLO.", ""]
    out += ["## Validation", ""]
    wasm_tried = s.total - s.wasm["skipped"]
    out += _table(
        ("check", "passed", "of", "rate"),
        [
            ("JAX ran it", s.jax_ok, s.total, _pct(s.jax_ok, s.total)),
            ("outputs finite", s.finite, s.jax_ok, _pct(s.finite, s.jax_ok)),
            ("HLO re-parsed by our parser", s.parse_ok["hlo"], s.jax_ok, _pct(s.parse_ok["hlo"], s.jax_ok)),
            (
                "optimised HLO re-parsed",
                s.parse_ok["hlo_optimized"],
                s.jax_ok,
                _pct(s.parse_ok["hlo_optimized"], s.jax_ok),
            ),
            ("WASM compiled and matched JAX", s.wasm["match"], wasm_tried, _pct(s.wasm["match"], wasm_tried)),
            (
                "WASM from the optimised HLO matched JAX",
                s.wasm_optimized["match"],
                wasm_tried,
                _pct(s.wasm_optimized["match"], wasm_tried),
            ),
            (
                "WASM matched, decompositions excluded",
                s.wasm["match"],
                wasm_tried - s.decompositions,
                _pct(s.wasm["match"], wasm_tried - s.decompositions),
            ),
        ],
    )
    out += ["### WASM result by category", ""]
    out += _table(
        ("category",) + WASM_STATUSES,
        [(c,) + tuple(s.wasm_by_category[c][st] for st in WASM_STATUSES) for c in sorted(s.wasm_by_category)],
    )
    if s.stopping_ops:
        out += ["### Where our WASM compiler failed or disagreed with JAX", ""]
        out += _table(
            ("HLO given", "op or error", "samples", "first sample"),
            [(hlo, kind, n, s.stopping_example[(hlo, kind)]) for (hlo, kind), n in s.stopping_ops.most_common()],
        )
    if s.mismatch_ops:
        out += ["### Ops present in samples where WASM disagreed with JAX", ""]
        out += _table(
            ("op", "mismatching samples", "all samples with the op"),
            [(op, n, s.op_samples[op]) for op, n in s.mismatch_ops.most_common(25)],
        )
    out += ["## Counts", ""]
    out += _table(("category", "samples"), sorted(s.category.items()))
    out += _table(("first input dtype", "samples"), sorted(s.dtype.items()))
    out += _table(("transform", "samples"), sorted(s.transform.items()))
    out += ["Matrix decompositions (kept, not compiled by our backends): %d." % s.decompositions, ""]
    out += ["## IR lengths (characters)", ""]
    out += _table(
        ("IR", "min", "median", "p90", "max"),
        [
            (ir, min(v, default=0), _percentile(v, 0.5), _percentile(v, 0.9), max(v, default=0))
            for ir, v in s.lengths.items()
        ],
    )
    out += ["## HLO op histogram (unoptimised HLO, all instructions)", ""]
    out += _table(("op", "count"), s.ops.most_common())
    return "\n".join(out).rstrip("\n") + "\n"
