"""Test helpers for tools/xla_cc.

StableHLO + signature.json for a test function (what `jax_hlo` writes), running the tool, and
C harnesses that check a library against JAX's outputs.
"""

import json
import pathlib
import subprocess
import sys

import jax
import numpy as np

from tests.xla_cc import functions

# The source tree, or the runfiles tree under Bazel (not resolved: runfiles are symlinks).
REPO = pathlib.Path(__file__).absolute().parents[2]
_DTYPE_NAMES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.int32): "s32",
    np.dtype(np.float64): "f64",
}


def _key(k) -> str:
    return str(getattr(k, "key", getattr(k, "idx", getattr(k, "name", k))))


def _leaves(tree, prefix: str | None):
    out = []
    for path, leaf in jax.tree_util.tree_flatten_with_path(tree)[0]:
        keys = [_key(k) for k in path]
        name = "_".join(([prefix] if prefix else []) + keys)
        out.append((name, jax.tree_util.keystr(path), leaf))
    return out


def signature_json(function: str, specs, names, outputs) -> dict:
    """A signature per docs/contracts.md for positional args `specs` named `names`."""
    inputs = []
    for arg, name in zip(specs, names, strict=False):
        for leaf_name, path, leaf in _leaves(arg, name):
            inputs.append((leaf_name, name + path, leaf))
    outs = _leaves(outputs, None)
    single = len(outs) == 1 and outs[0][0] == ""
    out_leaves = [("out" if single else f"out_{n}", p or "", leaf) for n, p, leaf in outs]

    def entry(i, name, path, leaf):
        return {
            "index": i,
            "name": name,
            "path": path,
            "shape": list(leaf.shape),
            "dtype": _DTYPE_NAMES[np.dtype(leaf.dtype)],
        }

    return {
        "format": "rules_jax.signature/1",
        "function": function,
        "transform": {"kind": "none"},
        "inputs": [entry(i, *x) for i, x in enumerate(inputs)],
        "outputs": [entry(i, *x) for i, x in enumerate(out_leaves)],
    }


def sample_inputs(case: str, specs) -> list[np.ndarray]:
    """Seeded inputs; the quadratic's have real roots, control flow gets a small trip count."""
    rng = np.random.default_rng(0)
    leaves = jax.tree_util.tree_leaves(specs)
    if case.startswith("quadratic"):
        lo_hi = [(0.5, 1.5), (4.0, 6.0), (-1.0, 1.0)]
        return [rng.uniform(*lo_hi[i], size=s.shape).astype(np.float32) for i, s in enumerate(leaves)]
    out = []
    for s in leaves:
        if np.dtype(s.dtype) == np.int32:
            out.append(np.array(7, np.int32))
        else:
            out.append(rng.uniform(-1, 1, size=s.shape).astype(s.dtype))
    return out


def export_case(case: str, out_dir: pathlib.Path) -> dict:
    """Writes CASE.stablehlo.mlir, CASE.signature.json and returns paths + reference data."""
    fn, specs, names = functions.CASES[case]
    lowered = jax.jit(fn, keep_unused=True).lower(*specs)
    out_dir.mkdir(parents=True, exist_ok=True)
    mlir = out_dir / f"{case}.stablehlo.mlir"
    mlir.write_text(lowered.as_text(debug_info=True))
    sig = signature_json(f"tests.xla_cc.functions:{case}", specs, names, lowered.out_info)
    sig_path = out_dir / f"{case}.signature.json"
    sig_path.write_text(json.dumps(sig, indent=2))
    inputs = sample_inputs(case, specs)
    treedef = jax.tree_util.tree_structure(specs)
    outputs = jax.jit(fn)(*jax.tree_util.tree_unflatten(treedef, inputs))
    return {
        "mlir": mlir,
        "signature": sig_path,
        "sig": sig,
        "inputs": inputs,
        "outputs": [np.asarray(o) for o in jax.tree_util.tree_leaves(outputs)],
    }


def run_tool(exported: dict, prefix: str, out_dir: pathlib.Path, *flags: str, check=True):
    """Runs tools/xla_cc/main.py in its own process (it pins the CPU and sets XLA_FLAGS)."""
    cmd = [
        sys.executable,
        "-m",
        "tools.xla_cc.main",
        f"--stablehlo={exported['mlir']}",
        f"--signature={exported['signature']}",
        f"--prefix={prefix}",
        f"--source_label=//tests/xla_cc:{prefix}",
        f"--out_header={out_dir / (prefix + '.h')}",
        f"--out_source={out_dir / (prefix + '.c')}",
        f"--out_object={out_dir / (prefix + '.o')}",
        *flags,
    ]
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if check and done.returncode:
        raise AssertionError(f"tool failed: {' '.join(cmd)}\n{done.stderr}")
    return done
