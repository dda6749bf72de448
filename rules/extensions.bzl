"""Bzlmod (Bazel 7/8) module extension that creates the hermetic Python environment.

Bazel 4.2.3 never loads this file: `module_extension` and `tag_class` do not exist there.
WORKSPACE users call rules/repositories.bzl instead; both share rules/private/python_env.bzl.
"""

load("//rules/private:python_env.bzl", "python_env")

_venv = tag_class(
    doc = "One hermetic Python environment.",
    attrs = {
        "name": attr.string(default = "jax_env", doc = "Repository name of the environment."),
        "requirements_lock": attr.label(mandatory = True, doc = "Hash-locked requirements file."),
    },
)

def _python_env_extension_impl(module_ctx):
    for module in module_ctx.modules:
        for venv in module.tags.venv:
            python_env(name = venv.name, requirements_lock = venv.requirements_lock)

python_env_extension = module_extension(
    implementation = _python_env_extension_impl,
    tag_classes = {"venv": _venv},
)
