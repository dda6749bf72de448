"""cross_cc_toolchain_config: a C toolchain configuration for a system-installed cross compiler.

One rule serves every cross target of rules_jax; the BUILD file gives each target its tools
(absolute paths of Debian packages listed in tools/setup/debian_packages.txt) and flags.
"""

load("@bazel_tools//tools/build_defs/cc:action_names.bzl", "ACTION_NAMES")
load("@bazel_tools//tools/cpp:cc_toolchain_config_lib.bzl", "feature", "flag_group", "flag_set", "tool_path")
load("@rules_cc//cc/common:cc_common.bzl", "CcToolchainConfigInfo", "cc_common")

_COMPILE_ACTIONS = [
    ACTION_NAMES.assemble,
    ACTION_NAMES.preprocess_assemble,
    ACTION_NAMES.c_compile,
    ACTION_NAMES.cpp_compile,
]

_LINK_ACTIONS = [
    ACTION_NAMES.cpp_link_executable,
    ACTION_NAMES.cpp_link_dynamic_library,
    ACTION_NAMES.cpp_link_nodeps_dynamic_library,
]

def _flags_feature(name, actions, flags):
    return feature(
        name = name,
        enabled = True,
        flag_sets = [flag_set(actions = actions, flag_groups = [flag_group(flags = flags)])] if flags else [],
    )

def _cross_cc_toolchain_config_impl(ctx):
    tools = dict(ctx.attr.tools)
    tool_paths = [tool_path(name = name, path = path) for name, path in sorted(tools.items())]
    features = [
        _flags_feature("default_compile_flags", _COMPILE_ACTIONS, ctx.attr.compile_flags),
        _flags_feature("default_link_flags", _LINK_ACTIONS, ctx.attr.link_flags),
    ]
    return cc_common.create_cc_toolchain_config_info(
        ctx = ctx,
        toolchain_identifier = ctx.attr.name,
        host_system_name = "x86_64-unknown-linux-gnu",
        target_system_name = ctx.attr.target_system_name,
        target_cpu = ctx.attr.target_cpu,
        target_libc = ctx.attr.target_libc,
        compiler = ctx.attr.compiler,
        abi_version = "unknown",
        abi_libc_version = "unknown",
        tool_paths = tool_paths,
        features = features,
        cxx_builtin_include_directories = ctx.attr.builtin_include_directories,
    )

cross_cc_toolchain_config = rule(
    implementation = _cross_cc_toolchain_config_impl,
    provides = [CcToolchainConfigInfo],
    doc = "CcToolchainConfigInfo for a cross compiler installed on the build machine.",
    attrs = {
        "tools": attr.string_dict(mandatory = True, doc = "Tool name (gcc, ld, ar, ...) -> absolute path."),
        "compile_flags": attr.string_list(doc = "Flags of every compile action."),
        "link_flags": attr.string_list(doc = "Flags of every link action."),
        "builtin_include_directories": attr.string_list(doc = "The compiler's own include directories."),
        "target_system_name": attr.string(mandatory = True, doc = "Target triple."),
        "target_cpu": attr.string(mandatory = True, doc = "Bazel's name of the target CPU."),
        "target_libc": attr.string(default = "none", doc = "C library of the target."),
        "compiler": attr.string(mandatory = True, doc = "Compiler family: gcc or clang."),
    },
)
