"""jax-js (npm `@jax-js/jax`, its wasm backend, one thread in Node) on the same function.

The function is written again in bench/jaxjs_bench.mjs. jax-js is installed by
tools/setup/install_deps.sh (`npm ci` in tools/setup) and read from tools/setup/node_modules.
"""

import json
import pathlib

import numpy as np

from bench import node_child, workloads
from bench.backends import Context, Prepared, Unavailable


def entry(node_modules: pathlib.Path) -> pathlib.Path | None:
    """@jax-js/jax's ESM entry under `node_modules`, or None when it is not installed."""
    package = node_modules / "@jax-js" / "jax"
    try:
        meta = json.loads((package / "package.json").read_text())
    except OSError:
        return None
    exports = meta.get("exports", {}).get(".", {})
    target = exports.get("import") if isinstance(exports, dict) else None
    if isinstance(target, dict):
        target = target.get("default")
    return package / (target or meta.get("module") or "dist/index.js")


def prepare(w: workloads.Workload, want: list[np.ndarray], ctx: Context) -> Prepared:
    """Starts bench/jaxjs_bench.mjs for `w`; `want` (JAX's outputs) gives the output shapes."""
    if ctx.jaxjs is None:
        raise Unavailable("@jax-js/jax is not installed (run tools/setup/install_deps.sh)")
    d = ctx.tmp / f"jaxjs_{w.name}"
    d.mkdir(parents=True, exist_ok=True)
    inputs = []
    for k, a in enumerate(w.inputs):
        path = d / f"in{k}.bin"
        path.write_bytes(np.ascontiguousarray(a, np.float32).tobytes())
        inputs.append({"file": str(path), "shape": list(a.shape)})
    outs = [str(d / f"out{k}.bin") for k in range(len(want))]
    config = {
        "jaxjs": str(ctx.jaxjs),
        "workload": w.name,
        "dims": w.dims,
        "inputs": inputs,
        "outputs": outs,
        "min_ms": ctx.min_ms,
    }
    try:
        child = node_child.NodeChild(ctx.node, "jaxjs_bench.mjs", config, d / "config.json", ctx.node_flags)
    except (node_child.SetupError, OSError) as e:
        raise Unavailable(f"jax-js: {e}") from e
    got = [np.fromfile(o, dtype=np.float32).reshape(x.shape) for o, x in zip(outs, want, strict=True)]
    return Prepared(child, got, dict(child.ready))
