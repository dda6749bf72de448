"""Analysis tests of hlo_cc_library: the action per target platform and every fail() message."""

load("//rules:defs.bzl", "HloCcInfo", "hlo_cc_library", "hlo_cc_library_files")
load(":analysis.bzl", "analysis", "analysis_failure_test", "asserts", "make_failure_test")

# Labels in transition settings are those of the main repository (this one).
_CORTEX_M4F = "//platforms:cortex_m4f"
_WASM32 = "//platforms:wasm32"
_RISCV32 = "//tests/rules:riscv32"

def _action_test_impl(ctx):
    env = analysis.begin(ctx)
    actions = asserts.actions(env.target, "HloCc")
    asserts.equals(env, 1, len(actions), "number of HloCc actions")
    if not actions:
        return analysis.end(env)
    action = actions[0]
    asserts.equals(
        env,
        ["cc_probe.c", "cc_probe.h", "cc_probe.o"],
        sorted([f.basename for f in action.outputs.to_list()]),
        "outputs",
    )
    for flag in [
        "--target=" + ctx.attr.expected_target,
        "--kernels=ir",
        "--prefix=cc_probe",
        "--header_include=tests/rules/cc_probe.h",
        "--source_label=//tests/rules:probe_plain",
        "--clang=/usr/bin/clang-19",
    ]:
        asserts.contains(env, action.argv, flag, "flags")
    asserts.equals(env, "0", action.env.get("PYTHONHASHSEED"), "PYTHONHASHSEED")
    info = env.target[HloCcInfo]
    asserts.equals(env, "cc_probe", info.prefix, "HloCcInfo.prefix")
    asserts.equals(env, ctx.attr.expected_target, info.target, "HloCcInfo.target")
    asserts.equals(env, "tests/rules/cc_probe.h", info.header_include, "HloCcInfo.header_include")
    for group, basename in [("header", "cc_probe.h"), ("source", "cc_probe.c"), ("object", "cc_probe.o")]:
        files = getattr(env.target[OutputGroupInfo], group).to_list()
        asserts.equals(env, [basename], [f.basename for f in files], "output group " + group)
    return analysis.end(env)

_TARGET_ATTRS = {"expected_target": attr.string(mandatory = True)}

hlo_cc_host_action_test = analysis.make(_action_test_impl, attrs = _TARGET_ATTRS)
hlo_cc_cortex_m4f_action_test = analysis.make(
    _action_test_impl,
    attrs = _TARGET_ATTRS,
    cfg = analysis_test_transition(settings = {"//command_line_option:platforms": _CORTEX_M4F}),
)
hlo_cc_wasm32_action_test = analysis.make(
    _action_test_impl,
    attrs = _TARGET_ATTRS,
    cfg = analysis_test_transition(settings = {"//command_line_option:platforms": _WASM32}),
)

def _failures_on(platform):
    return make_failure_test(analysis_test_transition(settings = {
        "//command_line_option:allow_analysis_failures": "True",
        "//command_line_option:platforms": platform,
    }))

hlo_cc_riscv32_failure_test = _failures_on(_RISCV32)
hlo_cc_cortex_m4f_failure_test = _failures_on(_CORTEX_M4F)
hlo_cc_wasm32_failure_test = _failures_on(_WASM32)

def hlo_cc_library_test_suite(name):
    """Declares the targets under test and the tests; `name` is the test_suite.

    Args:
      name: name of the test_suite holding every test.
    """
    native.platform(
        name = "riscv32",
        constraint_values = ["@platforms//cpu:riscv32", "@platforms//os:none"],
    )

    # The macro's targets, so that loading and analysing them is covered too.
    hlo_cc_library(name = "cc_probe", src = ":probe_plain", tags = ["manual"])
    for suffix, kwargs in [
        ("bad_prefix", {"prefix": "2fast"}),
        ("bad_kernels", {"kernels": "llvm"}),
        ("host_kernels", {"kernels": "host"}),
        ("cpu", {"cpu": "haswell"}),
    ]:
        hlo_cc_library_files(name = "cc_" + suffix, src = ":probe_plain", tags = ["manual"], **kwargs)

    hlo_cc_host_action_test(name = "hlo_cc_host_action_test", target_under_test = ":cc_probe_files", expected_target = "x86_64")
    hlo_cc_cortex_m4f_action_test(name = "hlo_cc_cortex_m4f_action_test", target_under_test = ":cc_probe_files", expected_target = "cortex-m4f")
    hlo_cc_wasm32_action_test(name = "hlo_cc_wasm32_action_test", target_under_test = ":cc_probe_files", expected_target = "wasm32")

    analysis_failure_test(
        name = "hlo_cc_bad_prefix_test",
        target_under_test = ":cc_bad_prefix",
        expected_fragments = ["attribute `prefix`", '"2fast" is not a C identifier'],
    )
    analysis_failure_test(
        name = "hlo_cc_bad_kernels_test",
        target_under_test = ":cc_bad_kernels",
        expected_fragments = ["attribute `kernels`", "unknown kernels \"llvm\" (known: ir, host)"],
    )
    hlo_cc_riscv32_failure_test(
        name = "hlo_cc_unknown_platform_test",
        target_under_test = ":cc_probe_files",
        expected_fragments = ["attribute `src`", "no C code for this target platform", "@platforms//cpu:armv7e-mf"],
    )
    hlo_cc_cortex_m4f_failure_test(
        name = "hlo_cc_host_kernels_on_cortex_m4f_test",
        target_under_test = ":cc_host_kernels",
        expected_fragments = ["attribute `kernels`", "XLA's own x86-64 objects", "the target platform is cortex-m4f"],
    )
    hlo_cc_wasm32_failure_test(
        name = "hlo_cc_cpu_on_wasm32_test",
        target_under_test = ":cc_cpu",
        expected_fragments = ["attribute `cpu`", "only tunes x86_64 IR kernels", "the target platform is wasm32"],
    )
    tests = [
        "hlo_cc_bad_kernels_test",
        "hlo_cc_bad_prefix_test",
        "hlo_cc_cortex_m4f_action_test",
        "hlo_cc_cpu_on_wasm32_test",
        "hlo_cc_host_action_test",
        "hlo_cc_host_kernels_on_cortex_m4f_test",
        "hlo_cc_unknown_platform_test",
        "hlo_cc_wasm32_action_test",
    ]
    native.test_suite(name = name, tests = [":" + t for t in tests])
