"""Generates a Python -> IR dataset of JAX functions, validated by execution.

Usage:
  # Everything in one command: shards on a process pool (progress bar on stderr), then the
  # merged, deduplicated dataset, its dedup counts, report and plot. Rerun the same command
  # after an interruption to resume.
  python -m tools.dataset.main generate --out_dir=/tmp/ds --samples=100000 --shards=500 --jobs=2

  # One shard (what the Bazel rule `dataset_shard` runs):
  python -m tools.dataset.main shard --out=shard.jsonl --samples=200 --shards=4 --shard=0

  # Merge shards (what the Bazel rule `dataset` runs):
  python -m tools.dataset.main merge --shard_file=a.jsonl --shard_file=b.jsonl --out=ds.jsonl \
      --out_dedup=ds.dedup.json --out_report=ds.report.md --out_plot=ds.png

Flags may also come from a file: `@params` or `--flagfile=params`, one `--flag=value` per line.
"""

import os
import sys

from absl import app, flags

_SEED = flags.DEFINE_integer("seed", 0, "Dataset seed: the same seed gives the same bytes.")
_SAMPLES = flags.DEFINE_integer("samples", 200, "Number of samples generated (before dedup).")
_SHARDS = flags.DEFINE_integer("shards", 4, "Number of shards the samples are split into.")
_SHARD = flags.DEFINE_integer("shard", 0, "shard: which shard to write.")
_JOBS = flags.DEFINE_integer("jobs", os.cpu_count() or 1, "generate: worker processes.")
_MAX_DEPTH = flags.DEFINE_integer("max_depth", 3, "Composition depth: each program has 1..max_depth steps.")
_OUT_DIR = flags.DEFINE_string("out_dir", None, "generate: directory for shards and the merged dataset.")
_OUT = flags.DEFINE_string("out", None, "shard/merge: the JSON Lines file written.")
_SHARD_FILES = flags.DEFINE_multi_string("shard_file", [], "merge: shard files, in order.")
_OUT_DEDUP = flags.DEFINE_string("out_dedup", None, "merge: dedup counts (JSON).")
_OUT_REPORT = flags.DEFINE_string("out_report", None, "merge: statistics report (Markdown).")
_OUT_PLOT = flags.DEFINE_string("out_plot", None, "merge: plot (PNG).")
_TITLE = flags.DEFINE_string("title", "rules_jax dataset", "merge: report title.")
_QUIET = flags.DEFINE_bool("quiet", False, "generate: no progress bar.")


def _expand_param_files(argv: list[str]) -> list[str]:
    """`@file` arguments (Bazel param files) become --flagfile=file."""
    return [("--flagfile=" + a[1:]) if a.startswith("@") else a for a in argv]


def _merge(paths: list[str], prefix: str) -> dict[str, int]:
    from tools.dataset import merge

    return merge.merge(
        paths,
        _OUT.value or prefix + ".jsonl",
        _OUT_DEDUP.value or prefix + ".dedup.json",
        _OUT_REPORT.value or prefix + ".report.md",
        _OUT_PLOT.value or prefix + ".png",
        _TITLE.value,
    )


def main(argv: list[str]) -> None:
    """Runs one command: generate, shard or merge."""
    if len(argv) != 2 or argv[1] not in ("generate", "shard", "merge"):
        raise app.UsageError("expected one command: generate, shard or merge")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    command = argv[1]
    if command == "shard":
        from tools.dataset import shard

        indices = shard.shard_range(_SHARD.value, _SHARDS.value, _SAMPLES.value)
        shard.write(_OUT.value, _SEED.value, indices, _MAX_DEPTH.value)
    elif command == "merge":
        counts = _merge(_SHARD_FILES.value, "dataset")
        print(
            "kept %(kept)d of %(total)d (exact %(exact)d, near source %(near_source)d, near HLO %(near_hlo)d)" % counts,
            file=sys.stderr,
        )
    else:
        from tools.dataset import parallel

        if not _OUT_DIR.value:
            raise app.UsageError("generate needs --out_dir")
        paths = parallel.run(
            _OUT_DIR.value, _SEED.value, _SAMPLES.value, _SHARDS.value, _JOBS.value, _MAX_DEPTH.value, not _QUIET.value
        )
        counts = _merge(paths, os.path.join(_OUT_DIR.value, "dataset"))
        print(
            "kept %(kept)d of %(total)d (exact %(exact)d, near source %(near_source)d, near HLO %(near_hlo)d)" % counts,
            file=sys.stderr,
        )


if __name__ == "__main__":
    app.run(main, argv=_expand_param_files(sys.argv))
