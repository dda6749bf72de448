r"""Writes a C test program that checks an hlo_cc_library against its jax_hlo reference data.

  python -m tools.xla_cc.reference_main --signature=NAME.signature.json \
      --reference=NAME.reference.npz --prefix=quad --header_include=examples/cc/quad.h \
      --rtol=1e-5 --atol=1e-6 --out=quad_test.c

The program embeds the reference inputs and JAX's outputs (`input_i` / `output_i` of the .npz),
calls `PREFIX_with_temp` with aligned and misaligned arrays, compares floating-point outputs
within `|got - want| <= atol + rtol * |want|` and integer outputs exactly, prints `PASS` or
`FAIL` and exits with the number of mismatches (capped at 100). It uses only `printf`, so the same source runs on
the host, as Cortex-M4F firmware (semihosting) and as a wasm32 WASI module.
"""

import json
import pathlib
import sys

import numpy as np
from absl import app, flags

from tools.xla_cc import harness_c

_SIGNATURE = flags.DEFINE_string("signature", None, "Input: NAME.signature.json.")
_REFERENCE = flags.DEFINE_string("reference", None, "Input: NAME.reference.npz.")
_PREFIX = flags.DEFINE_string("prefix", None, "C prefix of the library.")
_HEADER_INCLUDE = flags.DEFINE_string("header_include", None, "#include path.")
_RTOL = flags.DEFINE_float("rtol", 1e-5, "Relative tolerance.")
_ATOL = flags.DEFINE_float("atol", 1e-6, "Absolute tolerance.")
_OUT = flags.DEFINE_string("out", None, "Output: the C test program.")


def main(argv: list[str]) -> None:
    """Writes the test program."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    sig = json.loads(pathlib.Path(_SIGNATURE.value).read_text())
    with np.load(_REFERENCE.value) as npz:
        inputs = [npz[f"input_{leaf['index']}"] for leaf in sig["inputs"]]
        outputs = [npz[f"output_{leaf['index']}"] for leaf in sig["outputs"]]
    for leaf in sig["inputs"] + sig["outputs"]:
        if leaf["dtype"] not in harness_c.C_TYPES:
            print(
                f"reference_main: error: {leaf['name']} is {leaf['dtype']}; the test "
                f"program supports {', '.join(harness_c.C_TYPES)}",
                file=sys.stderr,
            )
            sys.exit(1)
    source = harness_c.generate(
        _PREFIX.value,
        sig,
        inputs,
        outputs,
        _RTOL.value,
        _ATOL.value,
        header_include=_HEADER_INCLUDE.value,
    )
    pathlib.Path(_OUT.value).write_text(source)


if __name__ == "__main__":
    flags.mark_flags_as_required(["signature", "reference", "prefix", "out"])
    app.run(main)
