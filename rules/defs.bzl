"""Public API of rules_jax. Implementations live in rules/private/."""

load("//rules:providers.bzl", _GoldenInfo = "GoldenInfo", _JaxHloInfo = "JaxHloInfo")
load("//rules/private:firmware_test.bzl", _firmware_test = "firmware_test")
load("//rules/private:golden.bzl", _golden_test = "golden_test_with_update", _golden_update = "golden_update")
load("//rules/private:jax_hlo.bzl", _jax_hlo = "jax_hlo")

GoldenInfo = _GoldenInfo
firmware_test = _firmware_test
JaxHloInfo = _JaxHloInfo
golden_test = _golden_test
golden_update = _golden_update
jax_hlo = _jax_hlo
