"""Runs compiled artefacts in wasmtime with NumPy arrays (used by tests and benchmarks)."""

import json

import numpy as np

from tools.hlo_wasm import dtypes


class Runner:
    """Instantiates a module once; `__call__(*arrays)` returns the outputs as NumPy arrays."""

    def __init__(self, wasm: bytes, manifest: str | dict):
        import wasmtime

        self.manifest = json.loads(manifest) if isinstance(manifest, str) else manifest
        self.store = wasmtime.Store()
        module = wasmtime.Module(self.store.engine, wasm)
        self.instance = wasmtime.Instance(self.store, module, [])
        exports = self.instance.exports(self.store)
        self.memory = exports["memory"]
        self.fn = exports[self.manifest["exports"]["function"]]

    def __call__(self, *args):
        specs = self.manifest["inputs"]
        if len(args) != len(specs):
            raise TypeError(f"expected {len(specs)} arguments, got {len(args)}")
        for a, spec in zip(args, specs):
            dt = dtypes.get(spec["dtype"]).np
            arr = np.ascontiguousarray(np.asarray(a).astype(dt, copy=False))
            if arr.size != spec["length"]:
                raise ValueError(f"{spec['name']}: {arr.size} elements, want {spec['length']}")
            self.memory.write(self.store, arr.tobytes(), spec["offset"])
        self.fn(self.store)
        outs = []
        for spec in self.manifest["outputs"]:
            raw = self.memory.read(self.store, spec["offset"], spec["offset"] + spec["bytes"])
            dt = dtypes.get(spec["dtype"]).np
            outs.append(np.frombuffer(bytes(raw), dtype=dt).reshape(spec["shape"]).copy())
        return outs
