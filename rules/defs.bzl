"""Public API of rules_jax. Implementations live in rules/private/."""

load("//rules:providers.bzl", _GoldenInfo = "GoldenInfo", _HloCcInfo = "HloCcInfo", _JaxHloInfo = "JaxHloInfo")
load("//rules/private:firmware_test.bzl", _firmware_test = "firmware_test")
load("//rules/private:golden.bzl", _golden_test = "golden_test_with_update", _golden_update = "golden_update")
load("//rules/private:hlo_cc_library.bzl", _hlo_cc_library = "hlo_cc_library", _hlo_cc_library_files = "hlo_cc_library_files", _hlo_cc_reference_main = "hlo_cc_reference_main")
load("//rules/private:jax_hlo.bzl", _jax_hlo = "jax_hlo")
load("//rules/private:wasi_test.bzl", _wasi_test = "wasi_test")

GoldenInfo = _GoldenInfo
firmware_test = _firmware_test
JaxHloInfo = _JaxHloInfo
golden_test = _golden_test
golden_update = _golden_update
HloCcInfo = _HloCcInfo
hlo_cc_library = _hlo_cc_library
hlo_cc_library_files = _hlo_cc_library_files
hlo_cc_reference_main = _hlo_cc_reference_main
jax_hlo = _jax_hlo
wasi_test = _wasi_test
