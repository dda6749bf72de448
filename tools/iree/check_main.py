"""Checks an IREE module against JAX's reference outputs (the body of a jax_iree_module test).

Usage:

  check_main --module=NAME.vmfb --signature=NAME.signature.json \
      --reference=NAME.reference.npz --label=//pkg:name [--driver=local-sync] \
      [--function=main] [--rtol=R] [--atol=A]

Feeds the reference inputs `input_0 ... input_{n-1}` in signature order, compares every output
with `output_i` under the per-dtype tolerance of tools/iree/compare.py (`--rtol`/`--atol`
override it for floating-point outputs), prints one table row per output and exits 1 when any
output mismatches.
"""

from __future__ import annotations

import dataclasses
import re
import sys

from absl import app, flags

from tools.iree import compare, reference, runtime

_MODULE = flags.DEFINE_string("module", None, "The .vmfb to check.", required=True)
_SIGNATURE = flags.DEFINE_string("signature", None, "NAME.signature.json.", required=True)
_REFERENCE = flags.DEFINE_string("reference", None, "NAME.reference.npz.", required=True)
_LABEL = flags.DEFINE_string("label", "", "Bazel label of the module, for messages.")
_DRIVER = flags.DEFINE_enum("driver", "local-sync", runtime.DRIVERS, "IREE HAL driver.")
_FUNCTION = flags.DEFINE_string("function", "main", "Exported function to call.")
_RTOL = flags.DEFINE_float("rtol", None, "Relative tolerance for float outputs (overrides).")
_ATOL = flags.DEFINE_float("atol", None, "Absolute tolerance for float outputs (overrides).")


def tolerance(dtype: str) -> compare.Tolerance:
    """The dtype's default tolerance with the --rtol/--atol overrides applied to floats."""
    base = compare.tolerance_for(dtype)
    if dtype not in compare.TOLERANCES:
        return base
    if _RTOL.value is not None:
        base = dataclasses.replace(base, rtol=_RTOL.value)
    if _ATOL.value is not None:
        base = dataclasses.replace(base, atol=_ATOL.value)
    return base


def check(module: runtime.Module, sig: reference.Signature, ref_path: str) -> list[compare.Row]:
    """Runs the module on the reference inputs and compares every output."""
    declaration = module.declaration(_FUNCTION.value)
    declared = len(re.findall(r"%input\d+", declaration))
    if declaration and declared != len(sig.inputs):
        raise ValueError(f"module function takes {declared} inputs, signature has {len(sig.inputs)}: {declaration}")
    inputs, wants = reference.load_reference(ref_path, sig)
    gots = module.call(
        inputs,
        in_dtypes=[leaf.dtype for leaf in sig.inputs],
        out_dtypes=[leaf.dtype for leaf in sig.outputs],
        function=_FUNCTION.value,
    )
    return [
        compare.compare(leaf, got, want, tolerance(leaf.dtype))
        for leaf, got, want in zip(sig.outputs, gots, wants, strict=True)
    ]


def main(argv: list[str]) -> int:
    """Entry point."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    what = _LABEL.value or _MODULE.value
    try:
        sig = reference.load_signature(_SIGNATURE.value)
        with open(_MODULE.value, "rb") as f:
            module = runtime.Module(f.read(), driver=_DRIVER.value)
        rows = check(module, sig, _REFERENCE.value)
    except ValueError as e:  # inputs that do not fit together: no table to show
        print(f"error: {what}: {e}", file=sys.stderr)
        return 2
    print(f"{what}: IREE ({_DRIVER.value}) vs JAX reference for {sig.function}")
    print(compare.format_table(rows))
    bad = [r for r in rows if not r.ok]
    if bad:
        names = ", ".join(r.leaf.name for r in bad)
        print(
            f"FAIL: {len(bad)} of {len(rows)} outputs differ from JAX: {names}",
            file=sys.stderr,
        )
        return 1
    print(f"PASS: {len(rows)} outputs within tolerance")
    return 0


if __name__ == "__main__":
    app.run(main)
