r"""Exports a JAX function to the IR files that every rules_jax backend reads.

Usage (normally run by the `jax_hlo` rule with a --flagfile):

  python -m tools.jax_export.main \\
    --function=examples.quadratic:roots --arg=f32[1024] --arg=f32[1024] --arg=f32[1024] \\
    --import_root=. --out_hlo=q.hlo.txt --out_stablehlo=q.stablehlo.mlir \\
    --out_jaxpr=q.jaxpr.txt --out_signature=q.signature.json --out_reference=q.reference.npz

Writes the HLO text before optimisation, StableHLO, the jaxpr, the signature (flattened inputs
and outputs in order), reference inputs drawn from --seed with JAX's outputs, and optionally
the HLO after XLA:CPU's optimisation. On any error nothing is written and the exit code is 1;
errors in the user's code show the user's frames only.

With --persistent_worker it serves Bazel work requests instead (see worker.py), paying for
`import jax` once per worker rather than once per target. Arguments of the form @FILE are
read from FILE, one flag per line.
"""

import json
import os
import sys

from absl import app, flags

_FUNCTION = flags.DEFINE_string("function", None, "package.module:function to export.")
_ARG = flags.DEFINE_multi_string("arg", [], "One argument spec per positional argument, e.g. f32[8,128].")
_KWARG = flags.DEFINE_multi_string("kwarg", [], "NAME=JSON: one static keyword argument.")
_TRANSFORM = flags.DEFINE_string("transform", "none", "none, grad, value_and_grad or vmap.")
_ARGNUMS = flags.DEFINE_list("argnums", ["0"], "Arguments differentiated by grad / value_and_grad.")
_IN_AXES = flags.DEFINE_list("in_axes", [], "vmap axis per argument: an integer or None.")
_DOMAIN = flags.DEFINE_multi_string("domain", [], "NAME=DISTRIBUTION for reference inputs, e.g. a=uniform(1,2).")
_SEED = flags.DEFINE_integer("seed", 0, "Seed of the reference inputs.")
_IMPORT_ROOT = flags.DEFINE_multi_string("import_root", [], "Directory to put on sys.path (execroot-relative).")
_LABEL = flags.DEFINE_string("label", "", "Bazel label of the target, for error messages.")
_OUT_HLO = flags.DEFINE_string("out_hlo", None, "HLO text before optimisation.")
_OUT_STABLEHLO = flags.DEFINE_string("out_stablehlo", None, "StableHLO MLIR text.")
_OUT_JAXPR = flags.DEFINE_string("out_jaxpr", None, "jaxpr text.")
_OUT_SIGNATURE = flags.DEFINE_string("out_signature", None, "signature.json.")
_OUT_REFERENCE = flags.DEFINE_string("out_reference", None, "reference.npz.")
_OUT_OPTIMIZED_HLO = flags.DEFINE_string("out_optimized_hlo", None, "HLO text after XLA:CPU optimisation.")
_PERSISTENT_WORKER = flags.DEFINE_bool("persistent_worker", False, "Serve Bazel work requests on stdin.")

# Checked per request rather than by absl, because a persistent worker starts without them.
_REQUIRED = (_FUNCTION, _OUT_HLO, _OUT_STABLEHLO, _OUT_JAXPR, _OUT_SIGNATURE, _OUT_REFERENCE)


def _pin_xla() -> None:
    """Makes XLA's results independent of the machine's core count and newest vector ISA.

    Must run before JAX is imported: XLA reads XLA_FLAGS once.
    """
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    pinned = "--xla_cpu_multi_thread_eigen=false --xla_cpu_max_isa=AVX2"
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + pinned).strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


def _request():
    from tools.jax_export import loader, specs, transforms
    from tools.jax_export.export import Request
    from tools.jax_export.user_errors import UserError

    args = []
    for index, text in enumerate(_ARG.value):
        try:
            args.append(specs.parse(text))
        except specs.SpecError as error:
            raise UserError("attribute `args`[%d]: %s" % (index, error)) from None
    kwargs = {}
    for item in _KWARG.value:
        key, _, value = item.partition("=")
        try:
            kwargs[key] = json.loads(value)
        except json.JSONDecodeError as error:
            raise UserError("attribute `kwargs`[%r]: %r is not a JSON literal: %s" % (key, value, error)) from None
    domains = {}
    for item in _DOMAIN.value:
        key, _, value = item.partition("=")
        domains[key] = value
    function = loader.load_function(_FUNCTION.value)
    try:
        argnums = tuple(int(n) for n in _ARGNUMS.value)
    except ValueError:
        raise UserError("attribute `argnums`: %s are not all integers" % _ARGNUMS.value) from None
    transform = transforms.Transform(_TRANSFORM.value, argnums, transforms.parse_in_axes(_IN_AXES.value))
    return Request(
        target=_FUNCTION.value,
        args=tuple(args),
        param_names=tuple(loader.parameter_names(function, len(args), kwargs)),
        kwargs=kwargs,
        transform=transform,
        domains=domains,
        seed=_SEED.value,
        optimized_hlo=_OUT_OPTIMIZED_HLO.value is not None,
    )


def _write(path: str, content) -> None:
    mode = "wb" if isinstance(content, bytes) else "w"
    with open(path, mode) as f:
        f.write(content)


def _wide(request) -> bool:
    import jax

    from tools.jax_export import dtypes

    leaves = jax.tree_util.tree_leaves(request.args, is_leaf=lambda x: hasattr(x, "dtype"))
    return any(leaf.dtype in dtypes.WIDE for leaf in leaves)


def _export_once() -> int:
    """Runs one export with the current flag values; returns the exit code."""
    import jax

    from tools.jax_export import export, loader

    export.configure_locations()
    from tools.jax_export.user_errors import UserError

    prefix = "%s: " % _LABEL.value if _LABEL.value else ""
    missing = [f.name for f in _REQUIRED if f.value is None]
    if missing:
        print("%smissing flags: %s" % (prefix, ", ".join("--" + m for m in missing)), file=sys.stderr)
        return 2
    loader.add_import_roots([os.path.abspath(r) for r in _IMPORT_ROOT.value])
    try:
        request = _request()
        # Set, not just enabled: a persistent worker may have exported a 64-bit function before.
        jax.config.update("jax_enable_x64", _wide(request))
        result = export.run(request)
    except UserError as error:
        print("%s%s" % (prefix, error), file=sys.stderr)
        return 1
    outputs = [
        (_OUT_HLO.value, result.hlo),
        (_OUT_STABLEHLO.value, result.stablehlo),
        (_OUT_JAXPR.value, result.jaxpr),
        (_OUT_SIGNATURE.value, result.signature),
        (_OUT_REFERENCE.value, result.reference),
    ]
    if result.optimized_hlo is not None:
        outputs.append((_OUT_OPTIMIZED_HLO.value, result.optimized_hlo))
    for path, content in outputs:
        _write(path, content)
    return 0


def _handle_work_request(arguments: list[str]) -> int:
    """One persistent-worker request: parse its flags afresh, then export."""
    import jax

    flags.FLAGS.unparse_flags()
    flags.FLAGS(["main"] + arguments)
    try:
        return _export_once()
    finally:
        jax.clear_caches()


def main(argv: list[str]) -> int:
    """Exports the function, or serves export requests as a persistent worker."""
    del argv
    _pin_xla()
    if _PERSISTENT_WORKER.value:
        # Everything the tool imports, loaded before the worker's snapshot so that only the
        # user's modules are unloaded between requests.
        import jax  # noqa: F401

        from tools.jax_export import export, loader, worker  # noqa: F401

        return worker.serve(_handle_work_request)
    return _export_once()


def _expand_param_files(argv: list[str]) -> list[str]:
    """Replaces `@file` arguments (Bazel's param files, one flag per line) by their lines."""
    expanded = []
    for arg in argv:
        if arg.startswith("@"):
            with open(arg[1:]) as f:
                expanded.extend(line for line in f.read().splitlines() if line)
        else:
            expanded.append(arg)
    return expanded


if __name__ == "__main__":
    app.run(main, argv=_expand_param_files(sys.argv))
