"""Runs a WASI command module in wasmtime (the pinned Python package).

The library behind wasi_test's runner and the C-library tests.
"""

import pathlib
import tempfile

import wasmtime


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
