"""python_env: a repository rule that builds the hermetic Python environment of rules_jax.

At fetch time, in `<output_base>/external/<name>`, it:
  1. finds a host CPython >= `min_python` with `venv` and `ensurepip` (the environment variable
     RULES_JAX_PYTHON first, then `python3`, `python3.13` ... `python3.10` on PATH);
  2. creates a virtual environment (pip comes from the interpreter's bundled ensurepip);
  3. installs `requirements_lock` with `--require-hashes --only-binary=:all:`, so the bytes that
     land in the environment are the ones the lock names, whatever index serves them;
  4. removes pip and setuptools, which the build never needs (setuptools ships file names with
     spaces that Bazel 4's runfiles manifests cannot hold), and byte-compiles site-packages with
     unchecked-hash .pyc files, which carry no timestamps;
  5. writes a BUILD file with the Python toolchain (`:toolchain`) and one `py_library` per
     optional heavy package (`:iree`), so that only the actions that need them stage them.

Only repository_ctx APIs that exist in Bazel 4.2.3 and in 7/8 are used.
"""

_PYTHON_ENV_VAR = "RULES_JAX_PYTHON"

_PYTHON_CANDIDATES = ["python3", "python3.13", "python3.12", "python3.11", "python3.10"]

_PROBE_SCRIPT = "import sys, venv, ensurepip; print(sys.executable); print('%d.%d' % sys.version_info[:2])"

# Packages kept out of the default runtime and offered as their own py_library instead:
# {target name: site-packages entries}.
_OPTIONAL_PACKAGES = {
    "iree": ["iree", "iree_base_runtime.libs"],
}

# Files never staged into actions: duplicates, launchers with absolute paths, test suites,
# and install records that differ between fetches.
_ALWAYS_EXCLUDED = [
    "venv/lib64/**",  # venv's lib64 -> lib symlink: glob would list every file twice
    "venv/bin/**",  # console scripts carry absolute shebangs into the output base
    "venv/include/**",
    "venv/**/* *",  # Bazel 4 runfiles manifests cannot hold spaces
    "venv/**/tests/**",
    "venv/**/RECORD",
    "venv/**/INSTALLER",
    "venv/**/REQUESTED",
    "venv/**/direct_url.json",
]

def _fail_command(rctx, what, result):
    fail("python_env(%s): %s failed with exit code %d\n--- stdout\n%s\n--- stderr\n%s" % (
        rctx.attr.name,
        what,
        result.return_code,
        result.stdout[-4000:],
        result.stderr[-4000:],
    ))

def _run(rctx, what, argv, environment = {}, timeout = 900):
    result = rctx.execute(argv, environment = environment, timeout = timeout)
    if result.return_code != 0:
        _fail_command(rctx, what, result)
    return result

def _probe_python(rctx, python):
    """Returns struct(executable, version) for a usable interpreter, or None."""
    result = rctx.execute([python, "-c", _PROBE_SCRIPT], timeout = 60)
    if result.return_code != 0:
        return None
    lines = result.stdout.strip().split("\n")
    if len(lines) != 2:
        return None
    major, minor = lines[1].split(".")
    return struct(executable = lines[0], version = (int(major), int(minor)))

def _find_python(rctx):
    candidates = []
    from_env = rctx.os.environ.get(_PYTHON_ENV_VAR)
    if from_env:
        candidates.append(from_env)
    for name in _PYTHON_CANDIDATES:
        path = rctx.which(name)
        if path:
            candidates.append(str(path))
    wanted = tuple([int(part) for part in rctx.attr.min_python.split(".")])
    tried = []
    for candidate in candidates:
        found = _probe_python(rctx, candidate)
        tried.append("%s -> %s" % (candidate, found.version if found else "unusable"))
        if found and found.version >= wanted:
            return found
    fail("python_env(%s): no CPython >= %s with venv and ensurepip; tried:\n  %s\nSet %s=/path/to/python3." % (
        rctx.attr.name,
        rctx.attr.min_python,
        "\n  ".join(tried) or "(no python3 on PATH)",
        _PYTHON_ENV_VAR,
    ))

def _host_constraints(rctx):
    if not rctx.os.name.lower().startswith("linux"):
        fail("python_env(%s): only Linux hosts are supported, not %s" % (rctx.attr.name, rctx.os.name))
    arch = rctx.execute(["uname", "-m"]).stdout.strip()
    cpu = {"aarch64": "aarch64", "amd64": "x86_64", "arm64": "aarch64", "x86_64": "x86_64"}.get(arch)
    if not cpu:
        fail("python_env(%s): unsupported host CPU %s" % (rctx.attr.name, arch))
    return ["@platforms//os:linux", "@platforms//cpu:" + cpu]

def _rewrite_pyvenv_cfg(rctx):
    # Python 3.11+ writes `command = <abs path of the output base>`; keep only the keys the
    # interpreter reads so the file is the same in every output base.
    kept = []
    for line in rctx.read("venv/pyvenv.cfg").split("\n"):
        key = line.split("=")[0].strip()
        if key in ["home", "include-system-site-packages", "version"]:
            kept.append(line)
    rctx.file("venv/pyvenv.cfg", "\n".join(kept) + "\n")

def _site_packages(pyversion):
    return "venv/lib/python%s/site-packages" % pyversion

def _build_file(rctx, pyversion, constraints):
    site = _site_packages(pyversion)
    optional_globs = []
    libraries = []
    for name, entries in _OPTIONAL_PACKAGES.items():
        globs = ["%s/%s/**" % (site, entry) for entry in entries]
        optional_globs.extend(globs)
        libraries.append(rctx.attr._library_template.format(
            name = name,
            srcs = repr(globs),
            excludes = repr(_ALWAYS_EXCLUDED),
        ))
    return rctx.attr._build_template.format(
        runtime_excludes = repr(_ALWAYS_EXCLUDED + optional_globs),
        constraints = repr(constraints),
        optional_libraries = "\n".join(libraries),
    )

def _python_env_impl(rctx):
    python = _find_python(rctx)
    pyversion = "%d.%d" % python.version

    # Reading the lock through rctx.path records it: editing it re-runs this rule.
    lock = rctx.path(rctx.attr.requirements_lock)
    rctx.symlink(lock, "requirements_lock.txt")

    rctx.report_progress("creating a virtual environment with %s" % python.executable)
    _run(rctx, "python -m venv", [python.executable, "-m", "venv", "--clear", "venv"])
    _rewrite_pyvenv_cfg(rctx)
    venv_python = str(rctx.path("venv/bin/python3"))

    rctx.report_progress("installing %s" % rctx.attr.requirements_lock)
    _run(rctx, "pip install", [
        venv_python,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-input",
        "--require-hashes",
        "--only-binary=:all:",
        "--no-compile",
        "--requirement",
        str(lock),
    ])
    _run(rctx, "pip uninstall", [venv_python, "-m", "pip", "uninstall", "--quiet", "--yes", "pip", "setuptools"])

    rctx.report_progress("byte-compiling site-packages")
    _run(
        rctx,
        "compileall",
        [venv_python, "-m", "compileall", "-q", "-j0", "--invalidation-mode", "unchecked-hash", _site_packages(pyversion)],
        environment = {"PYTHONHASHSEED": "0"},
    )
    freeze = _run(rctx, "pip freeze", [venv_python, "-c", "import importlib.metadata as m; print('\\n'.join(sorted('%s==%s' % (d.metadata['Name'], d.version) for d in m.distributions())))"])
    rctx.file("INFO", "python %s\n%s" % (pyversion, freeze.stdout))
    rctx.file("BUILD.bazel", _build_file(rctx, pyversion, _host_constraints(rctx)))

python_env = repository_rule(
    implementation = _python_env_impl,
    doc = "A virtual environment installed from a hash-locked requirements file, registered as a Python toolchain.",
    attrs = {
        "requirements_lock": attr.label(
            mandatory = True,
            allow_single_file = True,
            doc = "Requirements file with exact pins and `--hash=sha256:` for every package.",
        ),
        "min_python": attr.string(
            default = "3.10",
            doc = "Oldest host CPython accepted to create the environment.",
        ),
        "_build_template": attr.string(default = """\
# Generated by @rules_jax//rules/private:python_env.bzl. DO NOT EDIT.
load("@rules_python//python:defs.bzl", "py_library", "py_runtime", "py_runtime_pair")

package(default_visibility = ["//visibility:public"])

exports_files(["INFO", "requirements_lock.txt"])

filegroup(
    name = "runtime_files",
    srcs = glob(["venv/**"], exclude = {runtime_excludes}) + ["INFO"],
)

py_runtime(
    name = "py3_runtime",
    files = [":runtime_files"],
    interpreter = "venv/bin/python3",
    python_version = "PY3",
    stub_shebang = "#!/usr/bin/env python3",
)

py_runtime_pair(
    name = "runtime_pair",
    py3_runtime = ":py3_runtime",
)

toolchain(
    name = "toolchain",
    exec_compatible_with = {constraints},
    toolchain = ":runtime_pair",
    toolchain_type = "@bazel_tools//tools/python:toolchain_type",
)
{optional_libraries}
"""),
        "_library_template": attr.string(default = """
py_library(
    name = "{name}",
    data = glob({srcs}, exclude = {excludes}),
)
"""),
    },
    environ = [_PYTHON_ENV_VAR],
)
