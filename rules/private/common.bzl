"""What several rules of rules_jax share: the environment of JAX-running actions, attribute errors."""

# Environment of every action that runs JAX: no accelerator probing, reproducible hashing, no
# .pyc written next to sources, and the script's directory (the source tree) kept off sys.path.
# Tools set XLA_FLAGS themselves.
JAX_TOOL_ENV = {
    "JAX_PLATFORMS": "cpu",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONSAFEPATH": "1",
    "TF_CPP_MIN_LOG_LEVEL": "1",
}

def fail_attr(ctx, attribute, message):
    """Fails analysis with a message that names the target and the attribute.

    Args:
      ctx: the rule context.
      attribute: name of the offending attribute.
      message: what is wrong with it.
    """
    fail("%s: attribute `%s`: %s" % (ctx.label, attribute, message))

def _platform_transition_impl(settings, attr):
    _ignore = settings  # @unused

    # C/C++ rules choose their toolchain by platform: .bazelrc sets
    # --incompatible_enable_cc_toolchain_resolution (Bazel 4.2.3 cannot transition on it).
    return {"//command_line_option:platforms": str(attr.platform)}

# Builds an attribute's targets for the platform named by the rule's `platform` attribute
# (firmware_test: Cortex-M4F; wasi_test: wasm32).
platform_transition = transition(
    implementation = _platform_transition_impl,
    inputs = [],
    outputs = ["//command_line_option:platforms"],
)
