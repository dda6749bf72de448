"""Stand-in for @rules_cc//cc/common:cc_common.bzl on Bazel 4.2.3: the built-in cc_common."""

load("//cc/private:builtins.bzl", "BUILTIN_CC_COMMON", "BUILTIN_CC_TOOLCHAIN_CONFIG_INFO")

cc_common = BUILTIN_CC_COMMON
CcToolchainConfigInfo = BUILTIN_CC_TOOLCHAIN_CONFIG_INFO
