"""Runs hlo_wasm_binary modules in wasmtime on their reference inputs and compares the outputs.

Usage (normally through the `wasm_test` rule, runtime = "wasmtime"):

  python -m tools.wasm_test.wasmtime_check --module=NAME.wasm,NAME.manifest.json,NAME.reference.npz ...

Prints one line per output and exits 1 if any output is outside the tolerance of its dtype
(tools/wasm_test/tolerances.json).
"""

import json
import sys

import numpy as np
from absl import app, flags

from tools.hlo_wasm.runner import Runner
from tools.wasm_test import compare

_MODULE = flags.DEFINE_multi_string("module", [], "WASM,MANIFEST,REFERENCE of one module.")


def _check(wasm_path: str, manifest_path: str, reference_path: str) -> bool:
    with open(wasm_path, "rb") as f:
        wasm = f.read()
    with open(manifest_path) as f:
        manifest = json.load(f)
    reference = np.load(reference_path)
    inputs = [
        compare.as_comparable(reference["input_%d" % i], spec["dtype"]) for i, spec in enumerate(manifest["inputs"])
    ]
    outputs = Runner(wasm, manifest)(*inputs)
    ok = True
    for i, (spec, got) in enumerate(zip(manifest["outputs"], outputs, strict=True)):
        result = compare.compare(spec["name"], got, reference["output_%d" % i], spec["dtype"])
        print("%-4s %s.%s: %s" % ("ok" if result.ok else "FAIL", manifest["name"], spec["name"], result.detail))
        ok &= result.ok
    return ok


def main(argv: list[str]) -> int:
    """Checks every module; returns 1 if any output mismatches."""
    del argv
    results = [_check(*module.split(",")) for module in _MODULE.value]
    print("%d passed, %d failed" % (sum(results), len(results) - sum(results)))
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(app.run(main))
