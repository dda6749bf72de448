"""A NumPy interpreter for the IR: runs each op's registered reference implementation.

This is the executable spec the differential tests compare the compiled WebAssembly with.
"""

import numpy as np

from tools.hlo_wasm import ir, registry


class _Env:
    """Evaluation context handed to references: parameters and `call` for sub-computations."""

    def __init__(self, module: ir.Module, params: list):
        self.module = module
        self.params = params

    def call(self, name: str, args: list):
        return run_computation(self.module, name, args)


def run_computation(module: ir.Module, name: str, args: list):
    """Evaluates computation `name` on `args` (NumPy arrays / tuples); returns the root value."""
    comp = module.computation(name)
    env = _Env(module, args)
    vals = {}
    for inst in comp.instructions:
        ins = [vals[o] for o in inst.operands]
        if inst.opcode == "fusion":
            vals[inst.name] = run_computation(module, inst.called[0], ins)
            continue
        op = registry.lookup(inst)
        out = op.reference(inst, ins, env)
        if not inst.shape.is_tuple:
            out = np.asarray(out)
            want = registry_dtype(inst.shape.dtype)
            if want is not None and out.dtype != want:
                out = out.astype(want)
        vals[inst.name] = out
    return vals[comp.root]


def registry_dtype(name: str):
    """NumPy dtype for an HLO element type (None for token)."""
    from tools.hlo_wasm import dtypes

    return dtypes.get(name).np if name in dtypes.DTYPES else None


def run(module: ir.Module, args: list) -> list[np.ndarray]:
    """Evaluates the entry computation; returns the flat list of output arrays."""
    out = run_computation(module, module.entry, args)

    def flat(v):
        return [x for e in v for x in flat(e)] if isinstance(v, tuple) else [v]

    return flat(out)
