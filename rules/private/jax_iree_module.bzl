"""jax_iree_module: compiles jax_hlo's StableHLO with IREE, checks it against JAX, runs it.

Starlark subset of Bazel 4.2.3 and 7/8: no lambdas, no dict union, no str.removeprefix, no
float attributes (tolerances are strings the checker parses). Attributes are written out in
each rule (not shared through variables) so that //tools/docgen sees every one.
"""

load("//rules:providers.bzl", "JaxHloInfo", "JaxIreeInfo")

BACKENDS = ["llvm-cpu", "vmvx"]
DRIVERS = ["local-sync", "local-task"]

# Every IREE action: no .pyc next to sources, reproducible hashing, the tool's own directory
# kept off sys.path (so `tools/iree` cannot shadow the pip package `iree`).
_ENV = {
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONHASHSEED": "0",
    "PYTHONSAFEPATH": "1",
}

def _jax_iree_module_impl(ctx):
    for attribute in ["target_cpu", "target_cpu_features"]:
        if getattr(ctx.attr, attribute) == "host":
            fail("%s: attribute `%s`: 'host' makes the module depend on the build machine; " % (ctx.label, attribute) +
                 "name a CPU such as \"x86-64-v3\" or \"znver3\" (or features such as \"+avx2,+fma\")")
    hlo = ctx.attr.src[JaxHloInfo]
    vmfb = ctx.actions.declare_file(ctx.label.name + ".vmfb")

    args = ctx.actions.args()
    args.set_param_file_format("multiline")
    args.use_param_file("--flagfile=%s", use_always = True)
    args.add(hlo.stablehlo, format = "--input=%s")
    args.add(vmfb, format = "--output=%s")
    args.add(str(ctx.label), format = "--label=%s")
    args.add(ctx.attr.backend, format = "--backend=%s")
    if ctx.attr.backend == "llvm-cpu":
        args.add(ctx.attr.target_triple, format = "--target_triple=%s")
        args.add(ctx.attr.target_cpu, format = "--target_cpu=%s")
        args.add(ctx.attr.target_cpu_features, format = "--target_cpu_features=%s")
    args.add_all(ctx.attr.iree_flags, format_each = "--iree_flag=%s")

    ctx.actions.run(
        executable = ctx.executable._compiler,
        arguments = [args],
        inputs = [hlo.stablehlo],
        outputs = [vmfb],
        mnemonic = "IreeCompile",
        progress_message = "Compiling %s with IREE (%s)" % (ctx.label, ctx.attr.backend),
        env = _ENV,
    )
    return [
        DefaultInfo(files = depset([vmfb])),
        JaxIreeInfo(vmfb = vmfb, backend = ctx.attr.backend, hlo = hlo),
    ]

jax_iree_module = rule(
    implementation = _jax_iree_module_impl,
    doc = """Compiles a jax_hlo target's StableHLO to an IREE module, `NAME.vmfb`.

```starlark
jax_iree_module(
    name = "quadratic_iree",
    src = ":quadratic",
    backend = "llvm-cpu",
)
```

The module is byte-identical across runs and machines: the source reaches IREE without its
path or source locations, and llvm-cpu code targets a named CPU (`generic` unless set).
A function IREE cannot compile fails the build with IREE's diagnostic under this label; the
diagnostic names the Python line of the failing op (from the locations jax_hlo records).
""",
    attrs = {
        "src": attr.label(
            mandatory = True,
            providers = [JaxHloInfo],
            doc = "The jax_hlo target whose StableHLO is compiled.",
        ),
        "backend": attr.string(
            default = "llvm-cpu",
            values = BACKENDS,
            doc = "IREE HAL target backend: `llvm-cpu` (native code via LLVM) or `vmvx` " +
                  "(IREE's portable VM ISA, interpreted; slower, no LLVM codegen).",
        ),
        "target_triple": attr.string(
            default = "x86_64-unknown-linux-gnu",
            doc = "llvm-cpu only: LLVM target triple of the machine that runs the module.",
        ),
        "target_cpu": attr.string(
            default = "generic",
            doc = "llvm-cpu only: LLVM CPU name (`generic` = the triple's baseline ISA; " +
                  "`x86-64-v3` adds AVX2/FMA). `host` is refused: outputs would depend on the build machine.",
        ),
        "target_cpu_features": attr.string(
            default = "",
            doc = "llvm-cpu only: LLVM CPU feature string such as `+avx2,+fma`.",
        ),
        "iree_flags": attr.string_list(
            doc = "Extra `iree-compile` flags, appended last (e.g. `--iree-opt-data-tiling`).",
        ),
        "_compiler": attr.label(
            default = Label("//tools/iree:compile_main"),
            cfg = "exec",
            executable = True,
            doc = "The StableHLO -> .vmfb compile tool.",
        ),
    },
)

def _runfile_path(file):
    """Path of `file` relative to the runfiles workspace directory (where launchers start)."""
    return file.short_path

def _launcher(ctx, tool, flags):
    """Writes the flag file and the launcher script; returns (script, flag file)."""
    flagfile = ctx.actions.declare_file(ctx.label.name + ".flags")
    ctx.actions.write(flagfile, "".join([flag + "\n" for flag in flags]))
    script = ctx.actions.declare_file(ctx.label.name + ".sh")
    ctx.actions.expand_template(
        template = ctx.file._launcher_template,
        output = script,
        substitutions = {
            "{FLAGS}": _runfile_path(flagfile),
            "{LABEL}": str(ctx.label),
            "{TOOL}": _runfile_path(tool[DefaultInfo].files_to_run.executable),
        },
        is_executable = True,
    )
    return script, flagfile

def _module_flags(ctx, module):
    return [
        "--module=" + _runfile_path(module.vmfb),
        "--signature=" + _runfile_path(module.hlo.signature),
        "--label=" + str(ctx.attr.module.label),
        "--driver=" + ctx.attr.driver,
    ]

def _runfiles(ctx, tool, files):
    runfiles = ctx.runfiles(files = files)
    return runfiles.merge(tool[DefaultInfo].default_runfiles)

def _jax_iree_test_impl(ctx):
    module = ctx.attr.module[JaxIreeInfo]
    flags = _module_flags(ctx, module) + ["--reference=" + _runfile_path(module.hlo.reference)]
    if ctx.attr.rtol:
        flags.append("--rtol=" + ctx.attr.rtol)
    if ctx.attr.atol:
        flags.append("--atol=" + ctx.attr.atol)
    script, flagfile = _launcher(ctx, ctx.attr._checker, flags)
    files = [flagfile, module.vmfb, module.hlo.signature, module.hlo.reference]
    return [DefaultInfo(executable = script, runfiles = _runfiles(ctx, ctx.attr._checker, files))]

_LAUNCHER_ATTR = attr.label(
    default = Label("//tools/iree:launcher.sh.tpl"),
    allow_single_file = True,
    doc = "Template of the launcher script.",
)

jax_iree_test = rule(
    implementation = _jax_iree_test_impl,
    test = True,
    doc = """Runs a jax_iree_module on its jax_hlo reference inputs and compares with JAX's outputs.

Inputs are fed in signature order; each output is compared under a per-dtype tolerance
(f32: rtol 1e-5, atol 1e-6; f16 1e-2/1e-3; bf16 2e-2/1e-2; integers and pred exact; NaN
matches NaN). The log shows one table row per output; the test fails on any mismatch.
""",
    attrs = {
        "module": attr.label(
            mandatory = True,
            providers = [JaxIreeInfo],
            doc = "The jax_iree_module to check.",
        ),
        "driver": attr.string(
            default = "local-sync",
            values = DRIVERS,
            doc = "IREE HAL driver: `local-sync` (runs on the calling thread, deterministic) or " +
                  "`local-task` (a thread pool). Both run llvm-cpu and vmvx executables.",
        ),
        "rtol": attr.string(
            doc = "Relative tolerance for floating-point outputs, overriding the dtype default (e.g. \"1e-4\").",
        ),
        "atol": attr.string(
            doc = "Absolute tolerance for floating-point outputs, overriding the dtype default.",
        ),
        "_checker": attr.label(
            default = Label("//tools/iree:check_main"),
            cfg = "target",
            executable = True,
            doc = "The checker; runs on the test machine.",
        ),
        "_launcher_template": _LAUNCHER_ATTR,
    },
)

def _jax_iree_run_impl(ctx):
    module = ctx.attr.module[JaxIreeInfo]
    script, flagfile = _launcher(ctx, ctx.attr._runner, _module_flags(ctx, module))
    files = [flagfile, module.vmfb, module.hlo.signature]
    return [DefaultInfo(executable = script, runfiles = _runfiles(ctx, ctx.attr._runner, files))]

jax_iree_run = rule(
    implementation = _jax_iree_run_impl,
    executable = True,
    doc = """`bazel run` target that calls a jax_iree_module on given inputs and prints the outputs.

```sh
bazel run //examples/iree:quadratic_run -- --input=@a.npy --input=f32[16]=5 --input=f32[16]=0
```

Inputs are `@file.npy` (relative to where `bazel run` started) or literals such as
`f32[3]=1,2,3` / `3xf32=1,2,3`, in signature order; `--output_npz=FILE` also saves the outputs.
""",
    attrs = {
        "module": attr.label(
            mandatory = True,
            providers = [JaxIreeInfo],
            doc = "The jax_iree_module to run.",
        ),
        "driver": attr.string(
            default = "local-sync",
            values = DRIVERS,
            doc = "IREE HAL driver: `local-sync` (runs on the calling thread, deterministic) or " +
                  "`local-task` (a thread pool). Both run llvm-cpu and vmvx executables.",
        ),
        "_runner": attr.label(
            default = Label("//tools/iree:run_main"),
            cfg = "target",
            executable = True,
            doc = "The runner.",
        ),
        "_launcher_template": _LAUNCHER_ATTR,
    },
)

def jax_iree_module_and_test(name, src, backend = "llvm-cpu", rtol = "", atol = "", tags = None, **kwargs):
    """A jax_iree_module `name` and the jax_iree_test `name + "_test"` that checks it.

    Args:
      name: name of the module (`name.vmfb`); the test is `name + "_test"`.
      src: the jax_hlo target to compile.
      backend: IREE HAL target backend, `llvm-cpu` or `vmvx`.
      rtol: relative tolerance of the test for floating-point outputs ("" = the dtype default).
      atol: absolute tolerance of the test for floating-point outputs ("" = the dtype default).
      tags: tags of both targets.
      **kwargs: further attributes of the module (`target_cpu`, `iree_flags`, `visibility`, ...).
    """
    jax_iree_module(name = name, src = src, backend = backend, tags = tags, **kwargs)
    jax_iree_test(
        name = name + "_test",
        module = ":" + name,
        rtol = rtol,
        atol = atol,
        tags = tags,
    )
