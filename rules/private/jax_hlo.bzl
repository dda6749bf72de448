"""jax_hlo: exports a JAX function to HLO, StableHLO, jaxpr, a signature and reference data."""

load("@rules_python//python:defs.bzl", "PyInfo")
load("//rules:providers.bzl", "JaxHloInfo")
load("//rules/private:common.bzl", "JAX_TOOL_ENV", "fail_attr")
load("//rules/private:specs.bzl", "validate_spec")

TRANSFORMS = ["none", "grad", "value_and_grad", "vmap"]

def _validate(ctx):
    module, sep, function = ctx.attr.function.partition(":")
    if not sep or not module or not function:
        fail_attr(ctx, "function", "%r must look like 'package.module:function'" % ctx.attr.function)
    if not ctx.attr.args:
        fail_attr(ctx, "args", "needs one spec per positional argument, e.g. [\"f32[1024]\"]")
    for index, spec in enumerate(ctx.attr.args):
        error = validate_spec(spec)
        if error:
            fail_attr(ctx, "args", "[%d] %r: %s" % (index, spec, error))
    if ctx.attr.transform not in TRANSFORMS:
        fail_attr(ctx, "transform", "unknown transform %r (known: %s)" % (ctx.attr.transform, ", ".join(TRANSFORMS)))
    if ctx.attr.transform in ["grad", "value_and_grad"]:
        for argnum in ctx.attr.argnums:
            if argnum < 0 or argnum >= len(ctx.attr.args):
                fail_attr(ctx, "argnums", "%d is out of range for %d argument(s)" % (argnum, len(ctx.attr.args)))
    if ctx.attr.in_axes and ctx.attr.transform != "vmap":
        fail_attr(ctx, "in_axes", "only applies to transform = \"vmap\"")
    if ctx.attr.in_axes and len(ctx.attr.in_axes) != len(ctx.attr.args):
        fail_attr(ctx, "in_axes", "has %d entries for %d argument(s)" % (len(ctx.attr.in_axes), len(ctx.attr.args)))

def _import_roots(ctx, sources):
    """Execroot-relative directories from which the user's modules import.

    A file imports relative to its root (the source tree or an output tree) plus its repository
    directory; `imports = [...]` of py_library adds repository-relative directories.
    """
    bases = {}
    for src in sources.to_list():
        base = "/".join([p for p in [src.root.path, src.owner.workspace_root] if p])
        bases[base or "."] = True
    roots = dict(bases)
    imports = depset(transitive = [d[PyInfo].imports for d in ctx.attr.deps])
    for entry in imports.to_list():
        repo, _, path = entry.partition("/")
        relative = path if repo == ctx.workspace_name else "external/%s/%s" % (repo, path)
        for base in bases:
            roots["/".join([p for p in [base, relative] if p != "."])] = True
    return sorted(roots.keys())

def _jax_hlo_impl(ctx):
    _validate(ctx)
    name = ctx.label.name
    outputs = struct(
        hlo = ctx.actions.declare_file(name + ".hlo.txt"),
        stablehlo = ctx.actions.declare_file(name + ".stablehlo.mlir"),
        jaxpr = ctx.actions.declare_file(name + ".jaxpr.txt"),
        signature = ctx.actions.declare_file(name + ".signature.json"),
        reference = ctx.actions.declare_file(name + ".reference.npz"),
        optimized_hlo = ctx.actions.declare_file(name + ".optimized.hlo.txt") if ctx.attr.optimized_hlo else None,
    )
    sources = depset(transitive = [d[PyInfo].transitive_sources for d in ctx.attr.deps])

    args = ctx.actions.args()

    # One `--flag=value` per line in an @file: what a persistent worker receives as its request,
    # and what the tool expands itself when it runs as a plain process.
    args.set_param_file_format("multiline")
    args.use_param_file("@%s", use_always = True)
    args.add(str(ctx.label), format = "--label=%s")
    args.add(ctx.attr.function, format = "--function=%s")
    args.add_all(ctx.attr.args, format_each = "--arg=%s")
    for key in sorted(ctx.attr.kwargs.keys()):
        args.add("--kwarg=%s=%s" % (key, ctx.attr.kwargs[key]))
    args.add(ctx.attr.transform, format = "--transform=%s")
    args.add_joined(ctx.attr.argnums, join_with = ",", format_joined = "--argnums=%s")
    if ctx.attr.in_axes:
        args.add_joined(ctx.attr.in_axes, join_with = ",", format_joined = "--in_axes=%s")
    for key in sorted(ctx.attr.domains.keys()):
        args.add("--domain=%s=%s" % (key, ctx.attr.domains[key]))
    args.add(str(ctx.attr.seed), format = "--seed=%s")
    args.add_all(_import_roots(ctx, sources), format_each = "--import_root=%s")
    args.add(outputs.hlo, format = "--out_hlo=%s")
    args.add(outputs.stablehlo, format = "--out_stablehlo=%s")
    args.add(outputs.jaxpr, format = "--out_jaxpr=%s")
    args.add(outputs.signature, format = "--out_signature=%s")
    args.add(outputs.reference, format = "--out_reference=%s")
    declared = [outputs.hlo, outputs.stablehlo, outputs.jaxpr, outputs.signature, outputs.reference]
    if outputs.optimized_hlo:
        args.add(outputs.optimized_hlo, format = "--out_optimized_hlo=%s")
        declared.append(outputs.optimized_hlo)

    ctx.actions.run(
        executable = ctx.executable._tool,
        arguments = [args],
        inputs = sources,
        outputs = declared,
        mnemonic = "JaxHlo",
        progress_message = "Exporting %s (%s) to HLO" % (ctx.label, ctx.attr.function),
        env = JAX_TOOL_ENV,
        # A persistent worker imports JAX once for many exports (tools/jax_export/worker.py);
        # sandboxed, remote or --strategy=JaxHlo=sandboxed runs use a fresh process instead.
        execution_requirements = {"supports-workers": "1"},
    )
    groups = {
        "hlo": depset([outputs.hlo]),
        "jaxpr": depset([outputs.jaxpr]),
        "reference": depset([outputs.reference]),
        "signature": depset([outputs.signature]),
        "stablehlo": depset([outputs.stablehlo]),
    }
    if outputs.optimized_hlo:
        groups["optimized_hlo"] = depset([outputs.optimized_hlo])
    return [
        DefaultInfo(files = depset(declared)),
        OutputGroupInfo(**groups),
        JaxHloInfo(
            name = name,
            hlo = outputs.hlo,
            stablehlo = outputs.stablehlo,
            jaxpr = outputs.jaxpr,
            signature = outputs.signature,
            reference = outputs.reference,
            optimized_hlo = outputs.optimized_hlo,
        ),
    ]

jax_hlo = rule(
    implementation = _jax_hlo_impl,
    doc = """Exports a JAX function to the IR files every rules_jax backend reads.

Runs the function under `jax.jit` on abstract arguments (no Python runs in the product) and
writes `NAME.hlo.txt` (HLO before optimisation), `NAME.stablehlo.mlir`, `NAME.jaxpr.txt`,
`NAME.signature.json` (the flattened inputs and outputs, in order: the single source of truth
for argument order), `NAME.reference.npz` (seeded inputs and JAX's outputs) and, with
`optimized_hlo = True`, `NAME.optimized.hlo.txt`. Each is also an output group of that name.

```starlark
jax_hlo(
    name = "quadratic",
    deps = [":quadratic_lib"],
    function = "examples.quadratic:roots",
    args = ["f32[1024]", "f32[1024]", "f32[1024]"],
    domains = {"a": "uniform(1, 2)"},
)
```
""",
    attrs = {
        "deps": attr.label_list(
            providers = [PyInfo],
            cfg = "exec",
            doc = "py_library targets that hold the function and what it imports.",
        ),
        "function": attr.string(
            mandatory = True,
            doc = "The function as `package.module:function` (dots after the colon reach attributes).",
        ),
        "args": attr.string_list(
            mandatory = True,
            doc = "One spec per positional argument: `dtype[dims]` (`f32[1024]`, `s32[]`, `bf16[8,128]`) or a " +
                  "pytree of them: `(f32[2], s32[])`, `[f32[2], f32[3]]`, `{w: f32[4,4], b: f32[4]}`.",
        ),
        "kwargs": attr.string_dict(
            doc = "Static keyword arguments, each value a JSON literal: `{\"axis\": \"1\", \"mode\": \"\\\"fast\\\"\"}`.",
        ),
        "transform": attr.string(
            default = "none",
            doc = "Transform applied before lowering: `none`, `grad`, `value_and_grad` or `vmap`.",
        ),
        "argnums": attr.int_list(
            default = [0],
            doc = "Positional arguments differentiated by `grad` / `value_and_grad`.",
        ),
        "in_axes": attr.string_list(
            doc = "For `vmap`: the mapped axis of each positional argument, an integer or `None`.",
        ),
        "domains": attr.string_dict(
            doc = "Distribution of reference inputs per input name or parameter name: `uniform(lo, hi)`, " +
                  "`normal(mean, std)`, `randint(lo, hi)`, `bernoulli(p)`. Defaults: normal(0, 1), " +
                  "randint(-8, 8), bernoulli(0.5).",
        ),
        "seed": attr.int(
            default = 0,
            doc = "Seed of the reference inputs.",
        ),
        "optimized_hlo": attr.bool(
            default = False,
            doc = "Also write the HLO after XLA:CPU's optimisation (pinned to one core and AVX2).",
        ),
        "_tool": attr.label(
            default = Label("//tools/jax_export:main"),
            cfg = "exec",
            executable = True,
        ),
    },
)
