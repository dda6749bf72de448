"""Runs a WASI command module in wasmtime (the pinned Python package), for wasi_test.

  run.py --pass_line=PASS MODULE.wasm

Prints the module's stdout and exits with its exit status; a module that exits 0 without
printing a line containing `--pass_line` fails (status 1).
"""

import pathlib
import sys

from absl import app, flags

from tools.wasi_test.wasi import run

_PASS_LINE = flags.DEFINE_string("pass_line", "PASS", "Text stdout must contain.")


def main(argv: list[str]) -> None:
    """Runs the module named on the command line."""
    if len(argv) != 2:
        raise app.UsageError("usage: run.py [--pass_line=TEXT] MODULE.wasm")
    status, output = run(pathlib.Path(argv[1]))
    sys.stdout.write(output)
    if status == 0 and _PASS_LINE.value not in output:
        print(f"wasi_test: exit 0 but no line containing '{_PASS_LINE.value}'")
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    app.run(main)
