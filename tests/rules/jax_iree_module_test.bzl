"""Analysis tests of jax_iree_module, jax_iree_test and jax_iree_run: actions, flags, files."""

load("//rules:defs.bzl", "JaxIreeInfo", "jax_hlo", "jax_iree_module", "jax_iree_run", "jax_iree_test")
load(":analysis.bzl", "analysis", "analysis_failure_test", "asserts")

def _compile_action(env, vmfb):
    """The target's one IreeCompile action, checked to read the StableHLO and write only `vmfb`."""
    actions = asserts.actions(env.target, "IreeCompile")
    asserts.equals(env, 1, len(actions), "number of IreeCompile actions")
    if not actions:
        return None
    action = actions[0]
    asserts.equals(env, [vmfb], [f.basename for f in action.outputs.to_list()], "outputs")
    inputs = [f.basename for f in action.inputs.to_list()]
    asserts.contains(env, inputs, "iree_src.stablehlo.mlir", "inputs")
    for stray in ["iree_src.reference.npz", "iree_src.signature.json"]:
        if stray in inputs:
            asserts.fail(env, "inputs: %s is not needed to compile" % stray)
    asserts.equals(env, "0", action.env.get("PYTHONHASHSEED"), "PYTHONHASHSEED")
    return action

def _llvm_cpu_test_impl(ctx):
    env = analysis.begin(ctx)
    action = _compile_action(env, "iree_llvm_cpu.vmfb")
    if action:
        for flag in [
            "--label=//tests/rules:iree_llvm_cpu",
            "--backend=llvm-cpu",
            "--target_triple=aarch64-unknown-linux-gnu",
            "--target_cpu=cortex-a72",
            "--target_cpu_features=+neon",
            "--iree_flag=--iree-opt-data-tiling",
            "--iree_flag=--iree-opt-level=O2",
        ]:
            asserts.contains(env, action.argv, flag, "flags")
        asserts.equals(
            env,
            ["--iree_flag=--iree-opt-data-tiling", "--iree_flag=--iree-opt-level=O2"],
            action.argv[-2:],
            "extra IREE flags come last, in order",
        )
        inputs = [a for a in action.argv if a.startswith("--input=")]
        asserts.equals(env, 1, len(inputs), "--input flags")
        if inputs:
            asserts.equals(env, True, inputs[0].endswith("/tests/rules/iree_src.stablehlo.mlir"), "--input: " + inputs[0])
    info = env.target[JaxIreeInfo]
    asserts.equals(env, "llvm-cpu", info.backend, "JaxIreeInfo.backend")
    asserts.equals(env, "iree_llvm_cpu.vmfb", info.vmfb.basename, "JaxIreeInfo.vmfb")
    asserts.equals(env, "iree_src.signature.json", info.hlo.signature.basename, "JaxIreeInfo.hlo")
    asserts.equals(env, [info.vmfb], env.target[DefaultInfo].files.to_list(), "default outputs")
    return analysis.end(env)

jax_iree_llvm_cpu_test = analysis.make(_llvm_cpu_test_impl)

def _vmvx_test_impl(ctx):
    env = analysis.begin(ctx)
    action = _compile_action(env, "iree_vmvx.vmfb")
    if action:
        asserts.contains(env, action.argv, "--backend=vmvx", "flags")
        llvm = [a for a in action.argv if a.startswith("--target_")]
        asserts.equals(env, [], llvm, "llvm-cpu flags on a vmvx module")
    asserts.equals(env, "vmvx", env.target[JaxIreeInfo].backend, "JaxIreeInfo.backend")
    return analysis.end(env)

jax_iree_vmvx_test = analysis.make(_vmvx_test_impl)

def _default_cpu_test_impl(ctx):
    env = analysis.begin(ctx)
    action = _compile_action(env, "iree_default.vmfb")
    if action:
        for flag in ["--backend=llvm-cpu", "--target_triple=x86_64-unknown-linux-gnu", "--target_cpu=generic"]:
            asserts.contains(env, action.argv, flag, "default flags")
    return analysis.end(env)

jax_iree_default_cpu_test = analysis.make(_default_cpu_test_impl)

def _flags_written(env):
    """The lines of the launcher's flag file (the one FileWrite action whose output ends .flags)."""
    for action in asserts.actions(env.target, "FileWrite"):
        if action.outputs.to_list()[0].basename.endswith(".flags"):
            return action.content.split("\n")
    asserts.fail(env, "no .flags file written")
    return []

def _runfile_names(env):
    runfiles = env.target[DefaultInfo].default_runfiles.files.to_list()
    return [f.short_path for f in runfiles]

def _test_rule_test_impl(ctx):
    env = analysis.begin(ctx)
    flags = _flags_written(env)
    for flag in [
        "--module=tests/rules/iree_vmvx.vmfb",
        "--signature=tests/rules/iree_src.signature.json",
        "--reference=tests/rules/iree_src.reference.npz",
        "--label=//tests/rules:iree_vmvx",
        "--driver=local-task",
        "--rtol=1e-4",
        "--atol=1e-5",
    ]:
        asserts.contains(env, flags, flag, "checker flags")
    names = _runfile_names(env)
    for path in [
        "tests/rules/iree_vmvx.vmfb",
        "tests/rules/iree_src.signature.json",
        "tests/rules/iree_src.reference.npz",
        "tests/rules/iree_vmvx_test.flags",
        "tools/iree/check_main",
    ]:
        asserts.contains(env, names, path, "runfiles")
    return analysis.end(env)

jax_iree_test_rule_test = analysis.make(_test_rule_test_impl)

def _run_rule_test_impl(ctx):
    env = analysis.begin(ctx)
    flags = _flags_written(env)
    for flag in ["--module=tests/rules/iree_llvm_cpu.vmfb", "--signature=tests/rules/iree_src.signature.json"]:
        asserts.contains(env, flags, flag, "runner flags")
    if [f for f in flags if f.startswith("--reference=") or f.startswith("--rtol=")]:
        asserts.fail(env, "runner flags: no reference or tolerance expected in %r" % flags)
    names = _runfile_names(env)
    asserts.contains(env, names, "tools/iree/run_main", "runfiles")
    if "tests/rules/iree_src.reference.npz" in names:
        asserts.fail(env, "runfiles: the run target does not need the reference")
    return analysis.end(env)

jax_iree_run_rule_test = analysis.make(_run_rule_test_impl)

def jax_iree_module_test_suite(name):
    """Declares the targets under test and the tests; `name` is the test_suite.

    Args:
      name: name of the test_suite holding every test.
    """
    jax_hlo(
        name = "iree_src",
        args = ["f32[4]", "{w: f32[4], b: f32[]}"],
        function = "tests.rules.functions:weighted_sum",
        tags = ["manual"],
        deps = [":functions"],
    )
    jax_iree_module(
        name = "iree_llvm_cpu",
        src = ":iree_src",
        target_triple = "aarch64-unknown-linux-gnu",
        target_cpu = "cortex-a72",
        target_cpu_features = "+neon",
        iree_flags = ["--iree-opt-data-tiling", "--iree-opt-level=O2"],
        tags = ["manual"],
    )
    jax_iree_module(name = "iree_default", src = ":iree_src", tags = ["manual"])
    jax_iree_module(name = "iree_vmvx", src = ":iree_src", backend = "vmvx", tags = ["manual"])
    jax_iree_module(name = "iree_host_cpu", src = ":iree_src", target_cpu = "host", tags = ["manual"])
    jax_iree_module(name = "iree_host_features", src = ":iree_src", target_cpu_features = "host", tags = ["manual"])
    jax_iree_test(
        name = "iree_vmvx_test",
        module = ":iree_vmvx",
        driver = "local-task",
        rtol = "1e-4",
        atol = "1e-5",
        tags = ["manual"],
    )
    jax_iree_run(name = "iree_run", module = ":iree_llvm_cpu", tags = ["manual"])

    jax_iree_llvm_cpu_test(name = "jax_iree_llvm_cpu_test", target_under_test = ":iree_llvm_cpu")
    jax_iree_default_cpu_test(name = "jax_iree_default_cpu_test", target_under_test = ":iree_default")
    jax_iree_vmvx_test(name = "jax_iree_vmvx_test", target_under_test = ":iree_vmvx")
    jax_iree_test_rule_test(name = "jax_iree_test_rule_test", target_under_test = ":iree_vmvx_test")
    jax_iree_run_rule_test(name = "jax_iree_run_rule_test", target_under_test = ":iree_run")
    analysis_failure_test(
        name = "jax_iree_host_cpu_test",
        target_under_test = ":iree_host_cpu",
        expected_fragments = ["//tests/rules:iree_host_cpu", "attribute `target_cpu`", "depend on the build machine"],
    )
    analysis_failure_test(
        name = "jax_iree_host_features_test",
        target_under_test = ":iree_host_features",
        expected_fragments = ["attribute `target_cpu_features`", "depend on the build machine"],
    )
    native.test_suite(name = name, tests = [
        ":jax_iree_default_cpu_test",
        ":jax_iree_host_cpu_test",
        ":jax_iree_host_features_test",
        ":jax_iree_llvm_cpu_test",
        ":jax_iree_run_rule_test",
        ":jax_iree_test_rule_test",
        ":jax_iree_vmvx_test",
    ])
