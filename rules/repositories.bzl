"""WORKSPACE entry points of rules_jax (Bazel 4.2.3 and other WORKSPACE users).

    load("@rules_jax//rules:repositories.bzl", "rules_jax_dependencies")
    rules_jax_dependencies()

Bzlmod users get the same repositories from rules/extensions.bzl through MODULE.bazel.
"""

load("//rules/private:python_env.bzl", _python_env = "python_env")

python_env = _python_env

def rules_jax_dependencies(name = "jax_env", requirements_lock = Label("//third_party/python:requirements_lock.txt")):
    """Creates the hermetic Python environment and registers it as the Python toolchain.

    Args:
      name: name of the environment repository.
      requirements_lock: hash-locked requirements file to install.
    """
    _python_env(name = name, requirements_lock = requirements_lock)
    native.register_toolchains("@%s//:toolchain" % name)
