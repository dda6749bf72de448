"""hlo_cc_library: XLA:CPU's code for a JAX function as a C/C++ library (header + object)."""

load("@rules_cc//cc:defs.bzl", "cc_library")
load("//rules:providers.bzl", "HloCcInfo", "JaxHloInfo")
load("//rules/private:common.bzl", "JAX_TOOL_ENV", "fail_attr")

KERNELS = ["ir", "host"]

# Pinned compiler of the kernels and the driver (Debian's clang-19, lld-19, llvm-19; listed in
# tools/setup/debian_packages.txt). Absolute paths: the action sees no PATH lookup.
_LLVM_TOOLS = {
    "clang": "/usr/bin/clang-19",
    "ld_lld": "/usr/bin/ld.lld-19",
    "objcopy": "/usr/bin/llvm-objcopy-19",
    "wasm_ld": "/usr/bin/wasm-ld-19",
}

def _has(ctx, attribute):
    return ctx.target_platform_has_constraint(getattr(ctx.attr, attribute)[platform_common.ConstraintValueInfo])

def _tool_target(ctx):
    """The tool's --target for the target platform, chosen by its CPU constraint."""
    if _has(ctx, "_armv7e_mf"):
        return "cortex-m4f"
    if _has(ctx, "_wasm32"):
        return "wasm32"
    if _has(ctx, "_x86_64"):
        return "x86_64"
    return None

def _is_c_identifier(text):
    if not text or text[0].isdigit():
        return False
    for char in text.elems():
        if not (char.isalnum() or char == "_"):
            return False
    return True

def _hlo_cc_library_impl(ctx):
    info = ctx.attr.src[JaxHloInfo]
    name = ctx.attr.library_name or ctx.label.name
    prefix = ctx.attr.prefix or name
    if not _is_c_identifier(prefix):
        fail_attr(ctx, "prefix", "%r is not a C identifier (set `prefix`, or use a name made of letters, digits and _)" % prefix)
    if ctx.attr.kernels not in KERNELS:
        fail_attr(ctx, "kernels", "unknown kernels %r (known: %s)" % (ctx.attr.kernels, ", ".join(KERNELS)))
    target = _tool_target(ctx)
    if not target:
        fail_attr(ctx, "src", "no C code for this target platform: its CPU constraint is none of " +
                              "@platforms//cpu:x86_64 (host), @platforms//cpu:armv7e-mf (//platforms:cortex_m4f) " +
                              "and @platforms//cpu:wasm32 (//platforms:wasm32)")
    if ctx.attr.kernels == "host" and target != "x86_64":
        fail_attr(ctx, "kernels", "\"host\" links XLA's own x86-64 objects; the target platform is %s, use \"ir\"" % target)
    if ctx.attr.cpu and target != "x86_64":
        fail_attr(ctx, "cpu", "only tunes x86_64 IR kernels; the target platform is %s" % target)

    header = ctx.actions.declare_file(name + ".h")
    source = ctx.actions.declare_file(name + ".c")
    obj = ctx.actions.declare_file(name + ".o")

    # How NAME.c (and users) include the header: its path from the repository root, which
    # cc_library puts on the include path.
    include = "/".join([p for p in [ctx.label.package, header.basename] if p])

    args = ctx.actions.args()

    # One `--flag=value` per line in an absl --flagfile.
    args.set_param_file_format("multiline")
    args.use_param_file("--flagfile=%s", use_always = True)
    args.add(info.stablehlo, format = "--stablehlo=%s")
    args.add(info.signature, format = "--signature=%s")
    args.add(prefix, format = "--prefix=%s")
    args.add(str(ctx.attr.src.label), format = "--source_label=%s")
    args.add(target, format = "--target=%s")
    args.add(ctx.attr.kernels, format = "--kernels=%s")
    if ctx.attr.max_isa:
        args.add(ctx.attr.max_isa, format = "--max_isa=%s")
    if ctx.attr.cpu:
        args.add(ctx.attr.cpu, format = "--cpu=%s")
    args.add(include, format = "--header_include=%s")
    for flag in sorted(_LLVM_TOOLS.keys()):
        args.add("--%s=%s" % (flag, _LLVM_TOOLS[flag]))
    args.add(header, format = "--out_header=%s")
    args.add(source, format = "--out_source=%s")
    args.add(obj, format = "--out_object=%s")

    # Warnings and errors only (JAX logs INFO lines about compile options).
    args.add("--verbosity=-1")

    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = [info.stablehlo, info.signature],
        outputs = [header, source, obj],
        mnemonic = "HloCc",
        progress_message = "Compiling %s with XLA:CPU to a C library for %s (%s kernels)" % (
            ctx.attr.src.label,
            target,
            ctx.attr.kernels,
        ),
        env = JAX_TOOL_ENV,
    )
    return [
        DefaultInfo(files = depset([header, source, obj])),
        OutputGroupInfo(
            header = depset([header]),
            source = depset([source]),
            object = depset([obj]),
        ),
        HloCcInfo(
            prefix = prefix,
            header = header,
            header_include = include,
            source = source,
            object = obj,
            target = target,
            kernels = ctx.attr.kernels,
            signature = info.signature,
            reference = info.reference,
        ),
    ]

hlo_cc_library_files = rule(
    implementation = _hlo_cc_library_impl,
    doc = """Compiles a `jax_hlo` target with XLA:CPU into `NAME.h`, `NAME.c` and `NAME.o`.

The files behind the `hlo_cc_library` macro, which wraps them in a `cc_library`; use this rule
directly only to read the generated files. Output groups: `header`, `source`, `object`.

The target platform chooses the code: `@platforms//cpu:armv7e-mf` (`//platforms:cortex_m4f`)
gives Cortex-M4F hard-float objects, `@platforms//cpu:wasm32` (`//platforms:wasm32`) wasm32
objects, `@platforms//cpu:x86_64` (the host) x86-64 objects; any other platform fails analysis.
Kernels and driver are compiled by Debian's clang-19 / lld-19 / llvm-19 at their absolute
paths (`/usr/bin/clang-19`, `ld.lld-19`, `wasm-ld-19`, `llvm-objcopy-19`). Outputs are
byte-identical across builds.
""",
    attrs = {
        "src": attr.label(
            mandatory = True,
            providers = [JaxHloInfo],
            doc = "The `jax_hlo` target whose StableHLO and signature are compiled.",
        ),
        "library_name": attr.string(
            doc = "Base name of the generated files (`NAME.h`, `NAME.c`, `NAME.o`); default: the target's name.",
        ),
        "prefix": attr.string(
            doc = "C prefix of every public symbol and macro (`PREFIX`, `PREFIX_with_temp`, " +
                  "`PREFIX_TEMP_BYTES`, ...); default: the library's name. Must be a C identifier.",
        ),
        "kernels": attr.string(
            default = "ir",
            doc = "`ir` (default): XLA's optimized LLVM IR recompiled for the target platform by clang-19 " +
                  "(every platform). `host`: XLA's own x86-64 objects (x86_64 only; fastest; large code " +
                  "model without PIC, so executables link with `-no-pie`).",
        ),
        "max_isa": attr.string(
            doc = "Caps the ISA XLA compiles and vectorizes for (`xla_cpu_max_isa`: `SSE4_2`, `AVX`, " +
                  "`AVX2`, `AVX512`, ...). Default: `AVX2` for x86_64 (a portable default for x86-64 " +
                  "machines of the last decade), `SSE4_2` (128-bit vectors) for Cortex-M4F and wasm32.",
        ),
        "cpu": attr.string(
            doc = "`-march` for x86_64 `ir` kernels (e.g. `haswell`); default: generic x86-64.",
        ),
        "_tool": attr.label(
            default = Label("//tools/xla_cc:main"),
            cfg = "exec",
            executable = True,
        ),
        "_armv7e_mf": attr.label(default = Label("@platforms//cpu:armv7e-mf")),
        "_wasm32": attr.label(default = Label("@platforms//cpu:wasm32")),
        "_x86_64": attr.label(default = Label("@platforms//cpu:x86_64")),
    },
)

def hlo_cc_library(
        name,
        src,
        prefix = None,
        kernels = "ir",
        max_isa = None,
        cpu = None,
        deps = [],
        **kwargs):
    """A `cc_library` named `name` holding XLA:CPU's code for the `jax_hlo` target `src`.

    C and C++ targets `deps` on it and `#include "PACKAGE/NAME.h"`. The header declares

    * `int PREFIX(const T* in..., T* out_...)`: inputs and outputs follow `NAME.signature.json`
      exactly (`const` typed pointers for inputs, `out_` pointers for outputs); it uses a static
      scratch buffer in the library (not reentrant);
    * `int PREFIX_with_temp(..., void* temp)`: the same with caller-owned scratch of
      `PREFIX_TEMP_BYTES` bytes (`PREFIX_TEMP_BYTES_ALIGNED_IO` when every array is 64-byte
      aligned); never allocates, reentrant;
    * size and element-count constants per argument, `PREFIX_status` codes and
      `PREFIX_status_string`; the banner states the logical signature and memory.

    Only the entry points are global (kernels are hidden), so two libraries link into one
    binary. The library needs `memcpy`/`memmove`/`memset` and the libm functions XLA's kernels
    call. Runtime steps other than kernel, copy, dot, while, conditional and call (sort, FFT,
    LAPACK custom calls, ...) fail the build naming the HLO instruction and the JAX op's line.

    The code follows `--platforms`: host x86-64, `//platforms:cortex_m4f` firmware or
    `//platforms:wasm32`. Also creates `NAME_files` (the generated `NAME.h`, `NAME.c` for
    reading, `NAME.o`; see `hlo_cc_library_files`).

    Example:

        hlo_cc_library(name = "quadratic_cc", src = "//examples:quadratic")
        cc_binary(name = "quadratic_main", srcs = ["quadratic_main.cc"], deps = [":quadratic_cc"])

    Args:
      name: name of the cc_library, base name of the generated files and default C prefix.
      src: the `jax_hlo` target to compile.
      prefix: C prefix of the public symbols; default `name`.
      kernels: `ir` (recompiled for the target platform; default) or `host` (XLA's x86-64
        objects; adds `-no-pie` to the link options of dependent binaries).
      max_isa: cap of the ISA XLA vectorizes for; default AVX2 on x86_64, SSE4_2 elsewhere.
      cpu: `-march` of x86_64 `ir` kernels; default generic.
      deps: more dependencies of the cc_library.
      **kwargs: common attributes (`visibility`, `tags`, `testonly`, ...) of both targets.
    """
    files = name + "_files"
    hlo_cc_library_files(
        name = files,
        src = src,
        library_name = name,
        prefix = prefix,
        kernels = kernels,
        max_isa = max_isa,
        cpu = cpu,
        **kwargs
    )
    for group in ["header", "object"]:
        native.filegroup(
            name = "%s_%s" % (files, group),
            srcs = [":" + files],
            output_group = group,
            visibility = ["//visibility:private"],
            tags = kwargs.get("tags"),
            testonly = kwargs.get("testonly"),
        )
    cc_library(
        name = name,
        hdrs = [":%s_header" % files],
        srcs = [":%s_object" % files],
        # XLA's host objects use the large code model without PIC.
        linkopts = ["-no-pie"] if kernels == "host" else [],
        # One precompiled object, never a shared library (`host` objects cannot be in one).
        linkstatic = True,
        deps = deps,
        **kwargs
    )

def _hlo_cc_reference_main_impl(ctx):
    library = ctx.attr.library[HloCcInfo]
    out = ctx.actions.declare_file(ctx.label.name + ".c")
    args = ctx.actions.args()
    args.set_param_file_format("multiline")
    args.use_param_file("--flagfile=%s", use_always = True)
    args.add(library.signature, format = "--signature=%s")
    args.add(library.reference, format = "--reference=%s")
    args.add(library.prefix, format = "--prefix=%s")
    args.add(library.header_include, format = "--header_include=%s")
    args.add(ctx.attr.rtol, format = "--rtol=%s")
    args.add(ctx.attr.atol, format = "--atol=%s")
    args.add(out, format = "--out=%s")
    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = [library.signature, library.reference],
        outputs = [out],
        mnemonic = "HloCcReferenceMain",
        progress_message = "Writing the reference test program of %s" % ctx.attr.library.label,
        env = JAX_TOOL_ENV,
    )
    return [DefaultInfo(files = depset([out]))]

hlo_cc_reference_main = rule(
    implementation = _hlo_cc_reference_main_impl,
    doc = """Writes `NAME.c`: a C test program that checks an `hlo_cc_library` against the reference
inputs and outputs of its `jax_hlo` target (`NAME.reference.npz`).

The program embeds the reference data, calls `PREFIX_with_temp` with 64-byte aligned and with
misaligned arrays (and checks that `PREFIX_TEMP_BYTES_ALIGNED_IO` suffices for aligned ones),
compares every f32/f64 output with `|got - want| <= atol + rtol * |want|` and every s32 output
exactly, prints `PASS` or `FAIL` and returns the number of mismatches. It needs only `printf`,
so one source serves a host `cc_test`, Cortex-M4F firmware (`firmware_test`) and a wasm32
module (`wasi_test`).

```starlark
hlo_cc_reference_main(
    name = "quadratic_test_main",
    library = ":quadratic_cc_files",
)

cc_test(
    name = "quadratic_test",
    srcs = [":quadratic_test_main"],
    deps = [":quadratic_cc"],
)
```
""",
    attrs = {
        "library": attr.label(
            mandatory = True,
            providers = [HloCcInfo],
            doc = "The `NAME_files` target of an `hlo_cc_library` (it carries the prefix, header and reference).",
        ),
        "rtol": attr.string(
            default = "1e-5",
            doc = "Relative tolerance (a decimal number).",
        ),
        "atol": attr.string(
            default = "1e-6",
            doc = "Absolute tolerance (a decimal number).",
        ),
        "_tool": attr.label(
            default = Label("//tools/xla_cc:reference_main"),
            cfg = "exec",
            executable = True,
        ),
    },
)
