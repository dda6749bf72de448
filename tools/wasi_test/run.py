"""Runs a WASI command module in wasmtime (the pinned Python package), for wasi_test.

  run.py --pass_line=PASS MODULE.wasm

Prints the module's stdout and exits with its exit status; a module that exits 0 without
printing a line containing `--pass_line` fails (status 1).
"""

import pathlib
import sys
import tempfile

import wasmtime
from absl import app, flags

_PASS_LINE = flags.DEFINE_string("pass_line", "PASS", "Text stdout must contain.")


def run(wasm: pathlib.Path) -> tuple[int, str]:
    """Runs `_start` of a WASI command module; returns (exit status, stdout)."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "stdout"
        config = wasmtime.WasiConfig()
        config.stdout_file = str(out)
        config.inherit_stderr()
        store.set_wasi(config)
        module = wasmtime.Module.from_file(engine, str(wasm))
        instance = linker.instantiate(store, module)
        try:
            instance.exports(store)["_start"](store)
            status = 0
        except wasmtime.ExitTrap as e:
            status = e.code
        return status, out.read_text()


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
