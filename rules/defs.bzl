"""Public API of rules_jax. Implementations live in rules/private/."""

load(
    "//rules:providers.bzl",
    _GoldenInfo = "GoldenInfo",
    _HloCcInfo = "HloCcInfo",
    _JaxHloInfo = "JaxHloInfo",
    _JaxIreeInfo = "JaxIreeInfo",
    _WasmModuleInfo = "WasmModuleInfo",
)
load("//rules/private:firmware_test.bzl", _firmware_test = "firmware_test")
load("//rules/private:golden.bzl", _golden_test = "golden_test_with_update", _golden_update = "golden_update")
load(
    "//rules/private:hlo_cc_library.bzl",
    _hlo_cc_library = "hlo_cc_library",
    _hlo_cc_library_files = "hlo_cc_library_files",
    _hlo_cc_reference_main = "hlo_cc_reference_main",
)
load("//rules/private:hlo_wasm_binary.bzl", _hlo_wasm_binary = "hlo_wasm_binary")
load("//rules/private:jax_hlo.bzl", _jax_hlo = "jax_hlo")
load(
    "//rules/private:jax_iree_module.bzl",
    _jax_iree_module = "jax_iree_module",
    _jax_iree_module_and_test = "jax_iree_module_and_test",
    _jax_iree_run = "jax_iree_run",
    _jax_iree_test = "jax_iree_test",
)
load("//rules/private:wasi_test.bzl", _wasi_test = "wasi_test")
load("//rules/private:wasm_test.bzl", _wasm_test = "wasm_test")

GoldenInfo = _GoldenInfo
HloCcInfo = _HloCcInfo
JaxHloInfo = _JaxHloInfo
JaxIreeInfo = _JaxIreeInfo
WasmModuleInfo = _WasmModuleInfo
firmware_test = _firmware_test
golden_test = _golden_test
golden_update = _golden_update
hlo_cc_library = _hlo_cc_library
hlo_cc_library_files = _hlo_cc_library_files
hlo_cc_reference_main = _hlo_cc_reference_main
hlo_wasm_binary = _hlo_wasm_binary
jax_hlo = _jax_hlo
jax_iree_module = _jax_iree_module
jax_iree_module_and_test = _jax_iree_module_and_test
jax_iree_run = _jax_iree_run
jax_iree_test = _jax_iree_test
wasi_test = _wasi_test
wasm_test = _wasm_test
