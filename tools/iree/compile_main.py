"""Compiles the StableHLO that jax_hlo writes into an IREE module (.vmfb).

Usage (a Bazel action passes every flag in a --flagfile):

  compile_main --input=NAME.stablehlo.mlir --output=NAME.vmfb --label=//pkg:name \
      [--backend=llvm-cpu|vmvx] [--target_triple=x86_64-unknown-linux-gnu] \
      [--target_cpu=generic] [--target_cpu_features=] [--iree_flag=--flag=value ...]

The output is byte-identical for identical inputs and flags (source locations do not reach it).
On failure the tool prints IREE's diagnostics under a line naming the label and the backend,
exits 1 and leaves no output file; when the input carries source locations (jax_hlo writes the
user's Python file and line), the diagnostics name that line.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

from absl import app, flags

from tools.iree import compiler

_INPUT = flags.DEFINE_string("input", None, "StableHLO MLIR text file.", required=True)
_OUTPUT = flags.DEFINE_string("output", None, "The .vmfb file to write.", required=True)
_LABEL = flags.DEFINE_string("label", "", "Bazel label of the target, for error messages.")
_BACKEND = flags.DEFINE_enum("backend", "llvm-cpu", compiler.BACKENDS, "IREE HAL target backend.")
_TRIPLE = flags.DEFINE_string("target_triple", compiler.DEFAULT_TRIPLE, "llvm-cpu: LLVM triple.")
_CPU = flags.DEFINE_string("target_cpu", compiler.DEFAULT_CPU, "llvm-cpu: LLVM CPU name; 'host' is refused.")
_FEATURES = flags.DEFINE_string("target_cpu_features", "", "llvm-cpu: LLVM CPU features.")
_IREE_FLAGS = flags.DEFINE_multi_string("iree_flag", [], "Extra iree-compile flag (repeatable).")


def write_atomically(path: str, data: bytes) -> None:
    """Writes `data` to `path` through a temporary sibling, so a failure leaves nothing."""
    tmp = path + ".tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _explained(error: compiler.CompileError, source: bytes, options: compiler.Options, scratch: str) -> Exception:
    """The error to report for a failed compile of location-stripped text.

    The module is compiled without source locations (so its bytes do not depend on them). When
    that fails and the input has locations (jax_hlo writes the user's file and line), the text is
    compiled again as it is, so that IREE's diagnostic names the Python line and the JAX op.
    """
    if not compiler.has_locations(source):
        return error
    try:
        compiler.compile_stablehlo(source, options, scratch, keep_locations=True)
    except compiler.CompileError as with_locations:
        return with_locations
    # Only the stripped text fails: report that, saying whose line numbers they are.
    return compiler.CompileError(str(error).replace("<stdin>", "<stdin> (locations stripped)"))


def main(argv: list[str]) -> int:
    """Entry point."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    where = f"{_LABEL.value or _INPUT.value} (IREE backend {_BACKEND.value})"
    source = b""
    try:
        options = compiler.Options(
            backend=_BACKEND.value,
            target_triple=_TRIPLE.value,
            target_cpu=_CPU.value,
            target_cpu_features=_FEATURES.value,
            extra_flags=tuple(_IREE_FLAGS.value),
        )
        with open(_INPUT.value, "rb") as f:
            source = f.read()
        # IREE's temporary files go beside the output (inside the action's sandbox and output
        # tree), not to the host's /tmp; the directory is removed whatever happens.
        scratch = tempfile.mkdtemp(
            prefix=os.path.basename(_OUTPUT.value) + ".scratch.", dir=os.path.dirname(_OUTPUT.value) or "."
        )
        try:
            vmfb = compiler.compile_stablehlo(source, options, scratch)
        except compiler.CompileError as e:
            raise _explained(e, source, options, scratch) from e
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except (ValueError, compiler.CompileError) as e:
        if os.path.exists(_OUTPUT.value):
            os.remove(_OUTPUT.value)
        message = str(e).replace("<stdin>", _INPUT.value)
        print(f"error: IREE cannot compile {where}:\n{message}", file=sys.stderr)
        return 1
    write_atomically(_OUTPUT.value, vmfb)
    return 0


if __name__ == "__main__":
    app.run(main)
