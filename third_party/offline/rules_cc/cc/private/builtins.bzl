"""Bazel 4.2.3's built-in C++ symbols under names that do not shadow them (see rules_python's)."""

BUILTIN_CC_COMMON = cc_common
BUILTIN_CC_TOOLCHAIN_CONFIG_INFO = CcToolchainConfigInfo
