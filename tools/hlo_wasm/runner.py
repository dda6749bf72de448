"""Runs compiled artefacts in wasmtime with NumPy arrays (used by tests and benchmarks)."""

import json

import numpy as np

from tools.hlo_wasm import dtypes


def engine_config(relaxed_simd: bool = False):
    """A `wasmtime.Config` for our modules: SIMD on; relaxed SIMD on when the module uses it.

    Relaxed SIMD is set explicitly either way, so a module compiled without it never depends
    on an engine default.
    """
    import wasmtime

    cfg = wasmtime.Config()
    cfg.wasm_simd = True
    cfg.wasm_relaxed_simd = relaxed_simd
    return cfg


class Runner:
    """Instantiates a module once; `__call__(*arrays)` returns the outputs as NumPy arrays.

    The engine enables relaxed SIMD when the manifest says the module uses it
    (`"relaxed_simd": true`).
    """

    def __init__(self, wasm: bytes, manifest: str | dict):
        import wasmtime

        self.manifest = json.loads(manifest) if isinstance(manifest, str) else manifest
        engine = wasmtime.Engine(engine_config(bool(self.manifest.get("relaxed_simd", False))))
        self.store = wasmtime.Store(engine)
        module = wasmtime.Module(self.store.engine, wasm)
        self.instance = wasmtime.Instance(self.store, module, [])
        exports = self.instance.exports(self.store)
        self.memory = exports["memory"]
        self.fn = exports[self.manifest["exports"]["function"]]

    def __call__(self, *args):
        """Writes the inputs into linear memory, runs the entry and returns the outputs."""
        specs = self.manifest["inputs"]
        if len(args) != len(specs):
            raise TypeError(f"expected {len(specs)} arguments, got {len(args)}")
        for a, spec in zip(args, specs, strict=False):
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
