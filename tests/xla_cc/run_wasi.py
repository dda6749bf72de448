"""Runs a WASI command module under wasmtime; returns (exit status, stdout)."""

import pathlib
import tempfile

import wasmtime


def run(wasm: pathlib.Path) -> tuple[int, str]:
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "stdout"
        config = wasmtime.WasiConfig()
        config.stdout_file = str(out)
        store.set_wasi(config)
        instance = linker.instantiate(store, wasmtime.Module.from_file(engine, str(wasm)))
        try:
            instance.exports(store)["_start"](store)
            status = 0
        except wasmtime.ExitTrap as e:
            status = e.code
        return status, out.read_text()
