"""Bazel 4.2.3's built-in Python providers under names that do not shadow them.

`PyInfo = PyInfo` at the top of a .bzl file is an error (the assignment makes the name global
for the whole file), so defs.bzl re-exports these instead.
"""

BUILTIN_PY_INFO = PyInfo
BUILTIN_PY_RUNTIME_INFO = PyRuntimeInfo
