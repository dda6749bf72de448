"""Analysis tests of dataset_shard, dataset_merge and jax_dataset: actions, flags, outputs, failures."""

load("//tests/rules:analysis.bzl", "analysis", "analysis_failure_test", "asserts")
load("//tools/dataset:dataset.bzl", "dataset_shard", "jax_dataset")

def _shard_test_impl(ctx):
    env = analysis.begin(ctx)
    actions = asserts.actions(env.target, "DatasetShard")
    asserts.equals(env, 1, len(actions), "number of DatasetShard actions")
    if not actions:
        return analysis.end(env)
    action = actions[0]
    asserts.equals(env, ["probe_shard_1.jsonl"], [f.basename for f in action.outputs.to_list()], "outputs")
    asserts.contains(env, action.argv, "shard", "command")
    for flag in ["--seed=5", "--samples=10", "--shards=3", "--shard=1", "--max_depth=2"]:
        asserts.contains(env, action.argv, flag, "flags")
    asserts.equals(env, "cpu", action.env.get("JAX_PLATFORMS"), "JAX_PLATFORMS")
    asserts.equals(env, "0", action.env.get("PYTHONHASHSEED"), "PYTHONHASHSEED")
    return analysis.end(env)

dataset_shard_action_test = analysis.make(_shard_test_impl)

def _merge_test_impl(ctx):
    env = analysis.begin(ctx)
    actions = asserts.actions(env.target, "DatasetMerge")
    asserts.equals(env, 1, len(actions), "number of DatasetMerge actions")
    if not actions:
        return analysis.end(env)
    action = actions[0]
    outputs = sorted([f.basename for f in action.outputs.to_list()])
    asserts.equals(env, ["probe.dedup.json", "probe.jsonl", "probe.png", "probe.report.md"], outputs, "outputs")
    inputs = [f.basename for f in action.inputs.to_list() if f.basename.startswith("probe_shard_")]
    asserts.equals(env, ["probe_shard_0.jsonl", "probe_shard_1.jsonl", "probe_shard_2.jsonl"], sorted(inputs), "shard inputs")
    shard_flags = [a.split("/")[-1] for a in action.argv if a.startswith("--shard_file=")]
    asserts.equals(env, ["probe_shard_0.jsonl", "probe_shard_1.jsonl", "probe_shard_2.jsonl"], shard_flags, "shard flags, in order")
    group = env.target[OutputGroupInfo].dataset.to_list()
    asserts.equals(env, ["probe.jsonl"], [f.basename for f in group], "output group dataset")
    return analysis.end(env)

dataset_merge_action_test = analysis.make(_merge_test_impl)

def dataset_rules_test_suite(name):
    """Declares the targets under test and the tests; `name` is the test_suite.

    Args:
      name: name of the test_suite holding every test.
    """
    jax_dataset(name = "probe", samples = 10, shards = 3, seed = 5, max_depth = 2, tags = ["manual"])
    dataset_shard(name = "bad_shard", samples = 10, shards = 3, shard = 3, tags = ["manual"])
    dataset_shard(name = "no_samples", samples = 0, shards = 1, shard = 0, tags = ["manual"])
    dataset_shard_action_test(name = "dataset_shard_action_test", target_under_test = ":probe_shard_1")
    dataset_merge_action_test(name = "dataset_merge_action_test", target_under_test = ":probe")
    analysis_failure_test(
        name = "bad_shard_test",
        target_under_test = ":bad_shard",
        expected_fragments = ["attribute `shard`", "3 is not in [0, shards=3)"],
    )
    analysis_failure_test(
        name = "no_samples_test",
        target_under_test = ":no_samples",
        expected_fragments = ["attribute `samples`", "at least 1"],
    )
    native.test_suite(name = name, tests = [
        ":bad_shard_test",
        ":dataset_merge_action_test",
        ":dataset_shard_action_test",
        ":no_samples_test",
    ])
