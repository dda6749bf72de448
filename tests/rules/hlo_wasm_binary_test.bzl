"""Analysis tests of hlo_wasm_binary: the compile action, its flags and outputs, bad attributes."""

load("//rules:defs.bzl", "WasmModuleInfo", "hlo_wasm_binary", "jax_hlo")
load(":analysis.bzl", "analysis", "analysis_failure_test", "asserts")

_OUTPUTS = ["%s.d.ts", "%s.manifest.json", "%s.mjs", "%s.wasm", "%s.wat"]

def _compile_action(env, name):
    """The target's one HloWasm action, checked to read the HLO and signature and write all files."""
    actions = asserts.actions(env.target, "HloWasm")
    asserts.equals(env, 1, len(actions), "number of HloWasm actions")
    if not actions:
        return None
    action = actions[0]
    outputs = sorted([f.basename for f in action.outputs.to_list()])
    asserts.equals(env, sorted([o % name for o in _OUTPUTS]), outputs, "outputs")
    inputs = [f.basename for f in action.inputs.to_list()]
    for needed in ["wasm_src.hlo.txt", "wasm_src.signature.json"]:
        asserts.contains(env, inputs, needed, "inputs")
    asserts.contains(env, action.argv, "--name=" + name, "flags")
    asserts.equals(env, "0", action.env.get("PYTHONHASHSEED"), "PYTHONHASHSEED")
    return action

def _standard_test_impl(ctx):
    env = analysis.begin(ctx)
    action = _compile_action(env, "wasm_standard")
    if action and "--relaxed_simd" in action.argv:
        asserts.fail(env, "flags: --relaxed_simd given to a module that did not ask for it")
    info = env.target[WasmModuleInfo]
    asserts.equals(env, False, info.relaxed_simd, "WasmModuleInfo.relaxed_simd")
    asserts.equals(env, "wasm_standard.wasm", info.wasm.basename, "WasmModuleInfo.wasm")
    asserts.equals(env, "wasm_src.reference.npz", info.reference.basename, "WasmModuleInfo.reference")
    return analysis.end(env)

hlo_wasm_binary_standard_test = analysis.make(_standard_test_impl)

def _relaxed_test_impl(ctx):
    env = analysis.begin(ctx)
    action = _compile_action(env, "wasm_relaxed")
    if action:
        asserts.contains(env, action.argv, "--relaxed_simd", "flags")
    asserts.equals(env, True, env.target[WasmModuleInfo].relaxed_simd, "WasmModuleInfo.relaxed_simd")
    return analysis.end(env)

hlo_wasm_binary_relaxed_test = analysis.make(_relaxed_test_impl)

def hlo_wasm_binary_test_suite(name):
    """Declares the targets under test and the tests; `name` is the test_suite.

    Args:
      name: name of the test_suite holding every test.
    """
    jax_hlo(
        name = "wasm_src",
        args = ["f32[4]", "{w: f32[4], b: f32[]}"],
        function = "tests.rules.functions:weighted_sum",
        tags = ["manual"],
        deps = [":functions"],
    )
    hlo_wasm_binary(name = "wasm_standard", src = ":wasm_src", tags = ["manual"])
    hlo_wasm_binary(name = "wasm_relaxed", src = ":wasm_src", relaxed_simd = True, tags = ["manual"])
    hlo_wasm_binary(name = "wasm_unoptimized_src", src = ":wasm_src", optimized_hlo = True, tags = ["manual"])

    hlo_wasm_binary_standard_test(name = "hlo_wasm_binary_standard_test", target_under_test = ":wasm_standard")
    hlo_wasm_binary_relaxed_test(name = "hlo_wasm_binary_relaxed_test", target_under_test = ":wasm_relaxed")
    analysis_failure_test(
        name = "hlo_wasm_binary_optimized_hlo_test",
        target_under_test = ":wasm_unoptimized_src",
        expected_fragments = ["//tests/rules:wasm_unoptimized_src", "attribute `optimized_hlo`", "optimized_hlo = True"],
    )
    native.test_suite(name = name, tests = [
        ":hlo_wasm_binary_optimized_hlo_test",
        ":hlo_wasm_binary_relaxed_test",
        ":hlo_wasm_binary_standard_test",
    ])
