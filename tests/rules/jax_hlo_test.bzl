"""Analysis tests of jax_hlo and golden_test: actions, outputs, providers, failure messages."""

load("//rules:defs.bzl", "JaxHloInfo", "golden_test", "jax_hlo")
load(":analysis.bzl", "analysis", "analysis_failure_test", "asserts")

def _action_test_impl(ctx):
    env = analysis.begin(ctx)
    actions = asserts.actions(env.target, "JaxHlo")
    asserts.equals(env, 1, len(actions), "number of JaxHlo actions")
    if not actions:
        return analysis.end(env)
    action = actions[0]
    outputs = sorted([f.basename for f in action.outputs.to_list()])
    asserts.equals(env, sorted([
        "probe.hlo.txt",
        "probe.jaxpr.txt",
        "probe.optimized.hlo.txt",
        "probe.reference.npz",
        "probe.signature.json",
        "probe.stablehlo.mlir",
    ]), outputs, "outputs")
    for flag in [
        "--function=tests.rules.functions:weighted_sum",
        "--arg=f32[4]",
        "--arg={w: f32[4], b: f32[]}",
        "--transform=value_and_grad",
        "--argnums=0,1",
        "--domain=x=uniform(0, 1)",
        "--kwarg=scale=2.5",
        "--seed=7",
    ]:
        asserts.contains(env, action.argv, flag, "flags")
    asserts.equals(env, "cpu", action.env.get("JAX_PLATFORMS"), "JAX_PLATFORMS")
    asserts.equals(env, "0", action.env.get("PYTHONHASHSEED"), "PYTHONHASHSEED")

    info = env.target[JaxHloInfo]
    asserts.equals(env, "probe", info.name, "JaxHloInfo.name")
    for field, basename in [
        ("hlo", "probe.hlo.txt"),
        ("stablehlo", "probe.stablehlo.mlir"),
        ("jaxpr", "probe.jaxpr.txt"),
        ("signature", "probe.signature.json"),
        ("reference", "probe.reference.npz"),
        ("optimized_hlo", "probe.optimized.hlo.txt"),
    ]:
        asserts.equals(env, basename, getattr(info, field).basename, "JaxHloInfo." + field)
        group = getattr(env.target[OutputGroupInfo], field).to_list()
        asserts.equals(env, [basename], [f.basename for f in group], "output group " + field)
    return analysis.end(env)

jax_hlo_action_test = analysis.make(_action_test_impl)

def _no_optimized_test_impl(ctx):
    env = analysis.begin(ctx)
    asserts.equals(env, None, env.target[JaxHloInfo].optimized_hlo, "optimized_hlo when not requested")
    asserts.equals(env, False, hasattr(env.target[OutputGroupInfo], "optimized_hlo"), "optimized_hlo group")
    return analysis.end(env)

jax_hlo_no_optimized_test = analysis.make(_no_optimized_test_impl)

# Each fail() message of jax_hlo and golden_test: the target that triggers it and the fragments
# the message must contain.
_FAILURES = {
    "argnums_range_test": ("bad_argnums", ["attribute `argnums`", "3 is out of range for 2 argument(s)"]),
    "bad_dims_test": ("bad_dims", ["attribute `args`", 'dimension "x" is not a non-negative integer']),
    "bad_function_test": ("bad_function", ["attribute `function`", "'package.module:function'"]),
    "golden_generated_test": ("bad_golden_generated", ["attribute `goldens`", "must be a checked-in source file"]),
    "golden_many_files_test": ("bad_golden_many_files", ["attribute `goldens`", "must be exactly one file"]),
    "golden_group_test": ("bad_golden_group", ["attribute `goldens`", 'has no output group "wat"']),
    "in_axes_count_test": ("bad_in_axes_count", ["attribute `in_axes`", "has 1 entries for 2 argument(s)"]),
    "in_axes_without_vmap_test": ("bad_in_axes_mode", ["attribute `in_axes`", "only applies to transform = \"vmap\""]),
    "no_args_test": ("bad_no_args", ["attribute `args`", "one spec per positional argument"]),
    "unclosed_spec_test": ("bad_unclosed", ["attribute `args`", '[2] "f32[3"', "missing ']'"]),
    "unknown_dtype_test": ("bad_dtype", ["attribute `args`", 'unknown element type "q7"']),
    "unknown_transform_test": ("bad_transform", ["attribute `transform`", 'unknown transform "hessian"']),
}

def _bad(name, **kwargs):
    attrs = {
        "args": ["f32[4]", "f32[4]"],
        "function": "tests.rules.functions:weighted_sum",
        "tags": ["manual"],
        "deps": [":functions"],
    }
    attrs.update(kwargs)
    jax_hlo(name = name, **attrs)

def jax_hlo_test_suite(name):
    """Declares the targets under test and the tests; `name` is the test_suite.

    Args:
      name: name of the test_suite holding every test.
    """
    jax_hlo(
        name = "probe",
        args = ["f32[4]", "{w: f32[4], b: f32[]}"],
        argnums = [0, 1],
        domains = {"x": "uniform(0, 1)"},
        function = "tests.rules.functions:weighted_sum",
        kwargs = {"scale": "2.5"},
        optimized_hlo = True,
        seed = 7,
        tags = ["manual"],
        transform = "value_and_grad",
        deps = [":functions"],
    )
    jax_hlo(
        name = "probe_plain",
        args = ["f32[4]", "{w: f32[4], b: f32[]}"],
        function = "tests.rules.functions:weighted_sum",
        tags = ["manual"],
        deps = [":functions"],
    )
    _bad("bad_unclosed", args = ["f32[4]", "f32[4]", "f32[3"])
    _bad("bad_dtype", args = ["q7[2]"])
    _bad("bad_dims", args = ["f32[x]"])
    _bad("bad_no_args", args = [])
    _bad("bad_function", function = "weighted_sum")
    _bad("bad_argnums", transform = "grad", argnums = [3])
    _bad("bad_in_axes_mode", in_axes = ["0", "0"])
    _bad("bad_in_axes_count", transform = "vmap", in_axes = ["0"])
    _bad("bad_transform", transform = "hessian")
    golden_test(
        name = "bad_golden_group",
        src = ":probe_plain",
        goldens = {"functions.py": "wat"},
        tags = ["manual"],
    )
    native.genrule(
        name = "generated_text",
        outs = ["generated.txt"],
        cmd = "echo generated > $@",
        tags = ["manual"],
    )
    golden_test(
        name = "bad_golden_many_files",
        src = ":probe_plain",
        goldens = {":probe_plain": "hlo"},
        tags = ["manual"],
    )
    golden_test(
        name = "bad_golden_generated",
        src = ":probe_plain",
        goldens = {":generated_text": "hlo"},
        tags = ["manual"],
    )

    jax_hlo_action_test(name = "jax_hlo_action_test", target_under_test = ":probe")
    jax_hlo_no_optimized_test(name = "jax_hlo_no_optimized_test", target_under_test = ":probe_plain")
    for test_name, (target, fragments) in _FAILURES.items():
        analysis_failure_test(name = test_name, target_under_test = ":" + target, expected_fragments = fragments)
    tests = ["jax_hlo_action_test", "jax_hlo_no_optimized_test"] + sorted(_FAILURES.keys())
    native.test_suite(name = name, tests = [":" + t for t in tests])
