"""Merges shard files into one deduplicated dataset with its statistics report and plot."""

import json
import os
from collections.abc import Iterator
from typing import Any

from tools.dataset import dedup, png, record, stats


def read(paths: list[str]) -> Iterator[dict[str, Any]]:
    """Records of the shard files, in order."""
    for path in paths:
        with open(path, encoding="ascii") as stream:
            for line in stream:
                yield json.loads(line)


def merge(paths: list[str], out: str, out_dedup: str, out_report: str, out_plot: str, title: str) -> dict[str, int]:
    """Writes the kept records, the dedup counts (JSON), the report (Markdown) and the plot (PNG)."""
    dd = dedup.Deduplicator()
    st = stats.Stats()
    with open(out, "w", encoding="ascii", newline="\n") as stream:
        for rec in dd.filter(read(paths)):
            st.add(rec)
            stream.write(record.dumps(rec))
    with open(out_dedup, "w", encoding="ascii") as stream:
        stream.write(json.dumps(dd.counts, indent=2, sort_keys=True) + "\n")
    categories = sorted(st.wasm_by_category)
    bars = [[(s, st.wasm_by_category[c][s]) for s in stats.WASM_STATUSES] for c in categories]
    with open(out_plot, "wb") as stream:
        stream.write(png.stacked_bars(bars, categories, "WASM result per category"))
    with open(out_report, "w", encoding="utf-8", newline="\n") as stream:
        stream.write(stats.markdown(st, title, dd.counts, os.path.basename(out_plot)))
    return dd.counts
