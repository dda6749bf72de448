"""dataset_shard, dataset_merge and the jax_dataset macro: a Python -> IR dataset as Bazel targets.

Each shard is its own action (cached, and run remotely under remote execution with no change);
the merge action deduplicates, and writes the statistics report and plot.
"""

# Environment of every dataset action: CPU only, reproducible hashing, no .pyc next to sources.
_ENV = {
    "JAX_PLATFORMS": "cpu",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "TF_CPP_MIN_LOG_LEVEL": "1",
}

def _params(ctx):
    """Args holding `--flag=value` lines in a param file (absl reads it with --flagfile)."""
    args = ctx.actions.args()
    args.set_param_file_format("multiline")
    args.use_param_file("@%s", use_always = True)
    return args

def _dataset_shard_impl(ctx):
    if ctx.attr.shard < 0 or ctx.attr.shard >= ctx.attr.shards:
        fail("%s: attribute `shard`: %d is not in [0, shards=%d)" % (ctx.label, ctx.attr.shard, ctx.attr.shards))
    if ctx.attr.samples < 1:
        fail("%s: attribute `samples`: must be at least 1" % ctx.label)
    out = ctx.actions.declare_file(ctx.label.name + ".jsonl")
    command = ctx.actions.args()
    command.add("shard")
    args = _params(ctx)
    args.add(str(ctx.attr.seed), format = "--seed=%s")
    args.add(str(ctx.attr.samples), format = "--samples=%s")
    args.add(str(ctx.attr.shards), format = "--shards=%s")
    args.add(str(ctx.attr.shard), format = "--shard=%s")
    args.add(str(ctx.attr.max_depth), format = "--max_depth=%s")
    args.add(out, format = "--out=%s")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [command, args],
        outputs = [out],
        mnemonic = "DatasetShard",
        progress_message = "Generating dataset shard %d/%d of %s" % (ctx.attr.shard + 1, ctx.attr.shards, ctx.label),
        env = _ENV,
    )
    return [DefaultInfo(files = depset([out]))]

dataset_shard = rule(
    implementation = _dataset_shard_impl,
    doc = """One shard of a generated Python -> IR dataset: `NAME.jsonl`, one validated sample per line.

Samples `shard` of `shards` equal contiguous ranges of `0..samples-1`; each depends only on
(`seed`, index), so the shards of one dataset can build anywhere, in any order.
""",
    attrs = {
        "seed": attr.int(default = 0, doc = "Dataset seed."),
        "samples": attr.int(mandatory = True, doc = "Samples in the whole dataset (all shards)."),
        "shards": attr.int(mandatory = True, doc = "Number of shards of the dataset."),
        "shard": attr.int(mandatory = True, doc = "Which shard this target makes, 0-based."),
        "max_depth": attr.int(default = 3, doc = "Composition depth: 1..max_depth steps per program."),
        "_tool": attr.label(default = Label("//tools/dataset:main"), cfg = "exec", executable = True),
    },
)

def _dataset_merge_impl(ctx):
    name = ctx.label.name
    outputs = [
        ctx.actions.declare_file(name + ".jsonl"),
        ctx.actions.declare_file(name + ".dedup.json"),
        ctx.actions.declare_file(name + ".report.md"),
        ctx.actions.declare_file(name + ".png"),
    ]
    command = ctx.actions.args()
    command.add("merge")
    args = _params(ctx)
    args.add_all(ctx.files.shards, format_each = "--shard_file=%s")
    args.add(outputs[0], format = "--out=%s")
    args.add(outputs[1], format = "--out_dedup=%s")
    args.add(outputs[2], format = "--out_report=%s")
    args.add(outputs[3], format = "--out_plot=%s")
    args.add(str(ctx.label), format = "--title=Dataset %s")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [command, args],
        inputs = ctx.files.shards,
        outputs = outputs,
        mnemonic = "DatasetMerge",
        progress_message = "Merging and deduplicating %d dataset shards of %s" % (len(ctx.files.shards), ctx.label),
        env = _ENV,
    )
    return [
        DefaultInfo(files = depset(outputs)),
        OutputGroupInfo(
            dataset = depset([outputs[0]]),
            report = depset(outputs[2:]),
        ),
    ]

dataset_merge = rule(
    implementation = _dataset_merge_impl,
    doc = """Merges dataset shards: `NAME.jsonl` (deduplicated), `NAME.dedup.json` (counts),
`NAME.report.md` (statistics) and `NAME.png` (plot).""",
    attrs = {
        "shards": attr.label_list(allow_files = [".jsonl"], mandatory = True, doc = "dataset_shard targets, in order."),
        "_tool": attr.label(default = Label("//tools/dataset:main"), cfg = "exec", executable = True),
    },
)

def jax_dataset(name, samples, shards, seed = 0, max_depth = 3, **kwargs):
    """A dataset of `samples` generated samples in `shards` targets `NAME_shard_K`, merged into `NAME`.

    Args:
      name: the merged target; shards are `NAME_shard_0` ... `NAME_shard_{shards-1}`.
      samples: samples generated, before deduplication.
      shards: number of shard targets.
      seed: dataset seed.
      max_depth: composition depth.
      **kwargs: common attributes (tags, visibility, ...) of every target.
    """
    shard_names = []
    for shard in range(shards):
        shard_name = "%s_shard_%d" % (name, shard)
        shard_names.append(":" + shard_name)
        dataset_shard(
            name = shard_name,
            seed = seed,
            samples = samples,
            shards = shards,
            shard = shard,
            max_depth = max_depth,
            **kwargs
        )
    dataset_merge(name = name, shards = shard_names, **kwargs)
