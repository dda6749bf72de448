"""Runs a function of an IREE module on command-line inputs and prints the outputs.

Usage (the `bazel run` target of a jax_iree_module passes --module and --signature):

  run_main --module=NAME.vmfb [--signature=NAME.signature.json] [--label=//pkg:name] \
      --input=@a.npy --input=f32[3]=1,2,3 --input=3xf32=4 [--output_npz=out.npz] \
      [--driver=local-sync] [--function=main]

Inputs go in HLO parameter order (the signature's); see tools/iree/inputs.py for the forms.
With a signature, inputs are checked against it and outputs are printed under their names.
Relative file paths are taken from the directory `bazel run` was started in.
"""

from __future__ import annotations

import os
import sys

import numpy as np
from absl import app, flags

from tools.iree import inputs, reference, runtime

_MODULE = flags.DEFINE_string("module", None, "The .vmfb to run.", required=True)
_SIGNATURE = flags.DEFINE_string("signature", "", "NAME.signature.json (optional).")
_INPUTS = flags.DEFINE_multi_string("input", [], "One input: @file.npy or f32[3]=1,2,3.")
_OUTPUT_NPZ = flags.DEFINE_string("output_npz", "", "Also write outputs to this .npz.")
_LABEL = flags.DEFINE_string("label", "", "Bazel label of the module, printed first.")
_DRIVER = flags.DEFINE_enum("driver", "local-sync", runtime.DRIVERS, "IREE HAL driver.")
_FUNCTION = flags.DEFINE_string("function", "main", "Exported function to call.")


def _check_inputs(arrays: list[np.ndarray], dtypes: list[str], sig: reference.Signature) -> None:
    if len(arrays) != len(sig.inputs):
        specs = ", ".join(f"{leaf.name}: {leaf.spec}" for leaf in sig.inputs)
        raise app.UsageError(f"got {len(arrays)} inputs, the function takes ({specs})")
    for array, dtype, leaf in zip(arrays, dtypes, sig.inputs, strict=True):
        want = reference.NUMPY_DTYPES[leaf.dtype]
        if array.shape != leaf.shape or array.dtype != want or dtype not in ("", leaf.dtype):
            raise app.UsageError(
                f"input {leaf.index} ({leaf.name}) should be {leaf.spec}, got {dtype or array.dtype}{list(array.shape)}"
            )


def printable(array: np.ndarray, dtype: str) -> np.ndarray:
    """The array as values to print: bf16 bit patterns become the float32 values they encode."""
    if dtype == "bf16":
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array


def main(argv: list[str]) -> int:
    """Entry point."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    base = os.environ.get("BUILD_WORKING_DIRECTORY", "")
    try:
        parsed = [inputs.parse_input(text, base) for text in _INPUTS.value]
    except (OSError, ValueError) as e:  # a missing .npy or a malformed literal: no traceback
        print(f"error: {_LABEL.value or _MODULE.value}: --input: {e}", file=sys.stderr)
        return 2
    arrays, dtypes = [a for a, _ in parsed], [d for _, d in parsed]
    sig = reference.load_signature(_SIGNATURE.value) if _SIGNATURE.value else None
    if sig:
        _check_inputs(arrays, dtypes, sig)
        dtypes = [leaf.dtype for leaf in sig.inputs]
    with open(_MODULE.value, "rb") as f:
        module = runtime.Module(f.read(), driver=_DRIVER.value)
    print(f"{_LABEL.value or _MODULE.value}: {module.declaration(_FUNCTION.value)}")
    out_dtypes = [leaf.dtype for leaf in sig.outputs] if sig else []
    results = module.call(arrays, dtypes, out_dtypes, function=_FUNCTION.value)
    leaves = list(sig.outputs) if sig else [None] * len(results)
    with np.printoptions(threshold=64, linewidth=100):
        for i, (result, leaf) in enumerate(zip(results, leaves, strict=True)):
            title = f"{leaf.name} {leaf.spec}" if leaf else f"{result.dtype}{list(result.shape)}"
            print(f"result[{i}]: {title}")
            print(printable(result, leaf.dtype if leaf else ""))
    if _OUTPUT_NPZ.value:
        path = os.path.join(base, _OUTPUT_NPZ.value)
        np.savez(path, **{f"output_{i}": r for i, r in enumerate(results)})
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    app.run(main)
