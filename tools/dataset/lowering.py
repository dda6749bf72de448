"""Runs a generated program through JAX: trace, lower, compile, execute on seeded inputs.

Uses the foundation's modules for what `jax_hlo` also does (transforms, signature entries,
reference inputs), so a dataset sample and a `jax_hlo` target of the same function agree.
"""

import dataclasses
import re
import traceback
from typing import Any

import numpy as np

from tools.dataset.program import FUNCTION, Program
from tools.jax_export import dtypes, reference, signature, transforms

# Name given to the generated module's code object: it appears in stack-frame metadata of the
# optimised HLO, which must not depend on where the tool runs.
SOURCE_NAME = "<rules_jax.dataset>"

# The optimised HLO's trailing stack-frame tables and per-instruction metadata carry host paths
# of the tool's own frames; removed so records are identical across checkouts.
_FRAME_TABLES = re.compile(r"\n(FileNames|FunctionNames|FileLocations|StackFrames)\n.*?(?=\n\n|\Z)", re.S)
_METADATA = re.compile(r", metadata=\{[^{}]*\}")


@dataclasses.dataclass(frozen=True)
class Lowered:
    """Everything JAX says about one program."""

    jaxpr: str
    stablehlo: str
    hlo: str
    hlo_optimized: str
    inputs: list[dict]  # signature entries
    outputs: list[dict]
    input_arrays: list[np.ndarray]
    output_arrays: list[np.ndarray]


class JaxError(Exception):
    """The program failed in JAX (tracing, lowering, compiling or running); message = last frame."""


def load(source: str) -> Any:
    """Executes the module text and returns its function `f`."""
    namespace: dict[str, Any] = {}
    exec(compile(source, SOURCE_NAME, "exec"), namespace)  # noqa: S102 - our own generated source.
    return namespace[FUNCTION]


def clean_optimized(text: str) -> str:
    """Optimised HLO without host-dependent metadata."""
    text = _FRAME_TABLES.sub("", text)
    text = _METADATA.sub("", text)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def _output_entries(tree: Any) -> list[dict]:
    import jax

    leaves = jax.tree_util.tree_flatten_with_path(tree)[0]
    return signature.entries(leaves, ["out"] * len(leaves), ["out"] * len(leaves))


def _input_entries(program: Program, avals: list[Any]) -> list[dict]:
    names = [p.name for p in program.params]
    return signature.entries([((), a) for a in avals], names, names)


def draw_inputs(program: Program, seed: int) -> list[np.ndarray]:
    """Seeded inputs with jax_hlo's default domains: normal(0, 1) floats, randint(-8, 8) ints."""
    return [
        reference.draw(reference.default_domain(p.dtype), p.dtype, p.shape, seed, i)
        for i, p in enumerate(program.params)
    ]


def run(program: Program, seed: int, source: str | None = None) -> Lowered:
    """Lowers and runs `program` (or `source`, a variant of its text, for tests).

    Raises:
      JaxError: with the exception's type and message.
    """
    import jax

    try:
        with jax.enable_x64(program.x64):
            function = transforms.apply(load(source or program.source()), program.transform)
            avals = [jax.ShapeDtypeStruct(p.shape, dtypes.to_numpy(p.dtype)) for p in program.params]
            traced = jax.jit(function, keep_unused=True).trace(*avals)
            lowered = traced.lower()
            compiled = lowered.compile()
            input_arrays = draw_inputs(program, seed)
            outs = jax.tree_util.tree_leaves(compiled(*input_arrays))
            result = Lowered(
                jaxpr=str(traced.jaxpr) + "\n",
                stablehlo=lowered.as_text(),
                hlo=lowered.as_text(dialect="hlo"),
                hlo_optimized=clean_optimized(compiled.as_text()),
                inputs=_input_entries(program, avals),
                outputs=_output_entries(traced.out_info),
                input_arrays=input_arrays,
                output_arrays=[np.asarray(o) for o in outs],
            )
    except Exception as error:  # noqa: BLE001 - any failure of a generated program is data.
        frame = traceback.extract_tb(error.__traceback__)[-1]
        where = "" if frame.filename.startswith("/") else " (%s:%d)" % (frame.filename, frame.lineno)
        raise JaxError("%s: %s%s" % (type(error).__name__, str(error).split("\n")[0][:300], where)) from None
    return result


def run_eager(program: Program, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """The program run op by op under `jax.disable_jit()`: each primitive on its own, no fusion.

    A third executor for triage: when it agrees with our WASM module and not with `jax.jit`,
    XLA's whole-program compilation changed the result.

    Raises:
      JaxError: as `run`.
    """
    import jax

    try:
        with jax.enable_x64(program.x64), jax.disable_jit():
            function = transforms.apply(load(program.source()), program.transform)
            return [np.asarray(o) for o in jax.tree_util.tree_leaves(function(*inputs))]
    except Exception as error:  # noqa: BLE001 - recorded like run's failures.
        raise JaxError("%s: %s" % (type(error).__name__, str(error).split("\n")[0][:300])) from None
