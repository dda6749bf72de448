"""Traces a user's JAX function and produces every file `jax_hlo` writes, in memory.

The caller (main.py) decides where the bytes go; nothing here touches the file system, so a
failure at any step leaves no output behind.
"""

import dataclasses
import functools
import os
from collections.abc import Callable
from typing import Any

import numpy as np

from tools.jax_export import dtypes, npz, reference, signature, transforms
from tools.jax_export.specs import ArraySpec
from tools.jax_export.user_errors import UserError, user_traceback


@dataclasses.dataclass(frozen=True)
class Request:
    """What to export, as given by the BUILD attributes."""

    target: str  # package.module:function
    args: tuple[Any, ...]  # one pytree of ArraySpec per positional argument
    param_names: tuple[str, ...]  # one per positional argument
    kwargs: dict[str, Any]
    transform: transforms.Transform
    domains: dict[str, str]
    seed: int
    optimized_hlo: bool


@dataclasses.dataclass(frozen=True)
class Result:
    """The exported files' contents."""

    hlo: str
    stablehlo: str
    jaxpr: str
    signature: str
    reference: bytes
    optimized_hlo: str | None


def _is_spec(value: Any) -> bool:
    return isinstance(value, ArraySpec)


def _is_array_like(leaf: Any) -> bool:
    import jax

    return isinstance(leaf, (jax.Array, np.ndarray, np.generic, bool, int, float))


def _checked(function: Callable, name: str) -> Callable:
    """Wraps the user's function so a non-array result is reported with its output path."""
    import jax

    @functools.wraps(function)  # Keeps the parameter names, which JAX writes into the HLO.
    def wrapper(*args):
        result = function(*args)
        leaves = jax.tree_util.tree_flatten_with_path(result)[0]
        if not leaves:
            raise UserError("function %s returned no arrays (result: %r)" % (name, result))
        for path, leaf in leaves:
            if not _is_array_like(leaf):
                raise UserError(
                    "function %s returned a %s at output%s; every output must be an array"
                    % (name, type(leaf).__name__, jax.tree_util.keystr(path) or " (the whole result)")
                )
        return result

    # jax.jit names the HLO module after the function (jit_<name>): keep the user's name even
    # when static kwargs made `function` a functools.partial.
    inner = function.func if isinstance(function, functools.partial) else function
    wrapper.__name__ = wrapper.__qualname__ = getattr(inner, "__name__", "function")
    return wrapper


def _input_entries(request: Request) -> list[dict]:
    import jax

    leaves, prefixes, path_prefixes = [], [], []
    for name, tree in zip(request.param_names, request.args, strict=True):
        flat = jax.tree_util.tree_flatten_with_path(tree, is_leaf=_is_spec)[0]
        for path, spec in flat:
            leaves.append((path, jax.ShapeDtypeStruct(spec.shape, dtypes.to_numpy(spec.dtype))))
            prefixes.append(name)
            path_prefixes.append(name)
    return signature.entries(leaves, prefixes, path_prefixes)


def _output_entries(out_tree: Any) -> list[dict]:
    import jax

    leaves = jax.tree_util.tree_flatten_with_path(out_tree)[0]
    prefixes = ["out"] * len(leaves)
    if len(leaves) == 1 and not leaves[0][0]:
        return signature.entries(leaves, prefixes, ["out"])
    return signature.entries(leaves, prefixes, ["out"] * len(leaves))


def _domain_for(entry: dict, param_name: str, domains: dict[str, str]) -> reference.Domain:
    for key in (entry["name"], param_name):
        if key in domains:
            return reference.parse_domain(domains[key], key)
    return reference.default_domain(entry["dtype"])


def _check_domain_keys(request: Request, inputs: list[dict]) -> None:
    known = set(request.param_names) | {e["name"] for e in inputs}
    unknown = sorted(set(request.domains) - known)
    if unknown:
        raise UserError("attribute `domains`: %s name no input (inputs: %s)" % (unknown, sorted(known)))


def _reference_inputs(request: Request, inputs: list[dict], owners: list[str]) -> list[np.ndarray]:
    _check_domain_keys(request, inputs)
    return [
        reference.draw(_domain_for(e, owner, request.domains), e["dtype"], tuple(e["shape"]), request.seed, e["index"])
        for e, owner in zip(inputs, owners, strict=True)
    ]


def _leaf_owners(request: Request) -> list[str]:
    import jax

    owners = []
    for name, tree in zip(request.param_names, request.args, strict=True):
        count = len(jax.tree_util.tree_leaves(tree, is_leaf=_is_spec))
        owners.extend([name] * count)
    return owners


# Source paths in debug locations, made relative to the workspace: whether the export runs in
# a sandbox, a worker in the execroot, or from an output tree, `examples/quadratic.py` it is.
_CANONICAL_SOURCE_REGEX = r"^(.*/execroot/[^/]+/)?(bazel-out/[^/]+/bin/)?(external/)?"


def configure_locations() -> None:
    """Makes the StableHLO's source locations name only the user's frames, with relative paths.

    Locations let later tools (e.g. the C backend's errors) name the JAX op and the user's
    source line. Frames of this tool, absl, and the standard library are left out, so editing
    them does not change any output.
    """
    import sysconfig

    import absl
    import jax
    from jax._src import source_info_util  # Private, but the only way to exclude frames.

    jax.config.update("jax_hlo_source_file_canonicalization_regex", _CANONICAL_SOURCE_REGEX)
    for path in (
        os.path.dirname(os.path.abspath(__file__)),
        os.path.dirname(absl.__file__),
        sysconfig.get_paths()["stdlib"],
    ):
        source_info_util.register_exclusion(path)


def run(request: Request) -> Result:
    """Traces, lowers and runs the function; returns the contents of every output file.

    Raises:
      UserError: bad attributes, or the user's function raised (with the user's traceback).
    """
    import jax

    transforms.check(request.transform, len(request.args))
    function = _checked(load_partial(request), request.target)
    function = transforms.apply(function, request.transform)
    avals = [
        jax.tree_util.tree_map(lambda s: jax.ShapeDtypeStruct(s.shape, dtypes.to_numpy(s.dtype)), t, is_leaf=_is_spec)
        for t in request.args
    ]
    jitted = jax.jit(function, keep_unused=True)
    try:
        traced = jitted.trace(*avals)
        lowered = traced.lower()
    except UserError:
        raise
    except Exception as error:  # The user's function raised while tracing.
        raise user_traceback(error, "tracing %s" % request.target) from None
    inputs = _input_entries(request)
    outputs = _output_entries(traced.out_info)
    sig = signature.build(request.target, request.transform.to_json(), inputs, outputs)
    input_arrays = _reference_inputs(request, inputs, _leaf_owners(request))
    compiled = lowered.compile()
    output_leaves = jax.tree_util.tree_leaves(
        compiled(*jax.tree_util.tree_unflatten(_arg_treedef(request), input_arrays))
    )
    arrays = [("input_%d" % i, reference.for_storage(a)) for i, a in enumerate(input_arrays)]
    arrays += [("output_%d" % i, reference.for_storage(np.asarray(a))) for i, a in enumerate(output_leaves)]
    return Result(
        hlo=lowered.as_text(dialect="hlo"),
        stablehlo=lowered.as_text(debug_info=True),
        jaxpr=str(traced.jaxpr) + "\n",
        signature=signature.dumps(sig),
        reference=npz.dumps(arrays),
        optimized_hlo=compiled.as_text() if request.optimized_hlo else None,
    )


def _arg_treedef(request: Request) -> Any:
    import jax

    return jax.tree_util.tree_structure(tuple(request.args), is_leaf=_is_spec)


def load_partial(request: Request) -> Callable:
    """The user's function with the static keyword arguments bound."""
    from tools.jax_export import loader

    function = loader.load_function(request.target)
    return functools.partial(function, **request.kwargs) if request.kwargs else function
