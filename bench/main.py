"""The project's WebAssembly speed benchmark (issue 7).

Usage:
  bazel run //bench:wasm_speed -- [--workloads=quadratic,sum,...] [--backends=...]
      [--rounds=N] [--min_ms=20] [--json_out=FILE] [--cpu=0]
  bazel run //bench:wasm_speed -- --mode=compile_scaling [--scaling_sizes=1000,2000,...]

Mode `speed` (default), in one process: for each workload, JAX's `jax.jit` output is the
reference; each backend (our module in wasmtime, the same module in Node, IREE native
llvm-cpu, jax-js's wasm backend in Node) must match it within the workload's tolerance or is
reported WRONG and not timed; then all run in interleaved rounds (samples >= --min_ms) and the
table gives median [min–max] ms and the per-round time ratio to JAX. The process (and its Node
children) is pinned to --cpu, with XLA single-threaded. Also prints our compile time, module
size and linear memory against XLA's buffer-assignment total.

Backend `iree_wasm32` is IREE llvm-cpu's wasm32 executables in wasmtime, driven by a hand-made
host of the HAL executable ABI (bench/backends/iree_wasm32.py).

Mode `compile_scaling`: our compiler's time on generated HLO modules of the given sizes.
Mode `merge`: pools the samples of earlier runs (--merge=a.json,b.json) and prints the tables.

jax-js is read from tools/setup/node_modules (installed by tools/setup/install_deps.sh, which
`./bazelw` runs); without it that column says n/a. Results go to --json_out as JSON.
"""

import json
import os
import pathlib
import sys
import tempfile

from absl import app, flags, logging

_MODE = flags.DEFINE_enum("mode", "speed", ["speed", "compile_scaling", "merge"], "What to do.")
_MERGE = flags.DEFINE_list("merge", [], "--mode=merge: JSON files of earlier speed runs to pool.")
_WORKLOADS = flags.DEFINE_list("workloads", [], "Workloads to run (default: all).")
_BACKENDS = flags.DEFINE_list(
    "backends",
    ["ours_wasmtime", "ours_node", "ours_wasmtime_relaxed", "ours_node_relaxed", "iree", "iree_wasm32", "jaxjs"],
    "Backends besides JAX (the reference).",
)
_ROUNDS = flags.DEFINE_integer("rounds", 11, "Interleaved rounds (samples per backend).")
_MIN_MS = flags.DEFINE_float("min_ms", 20.0, "Shortest sample, in ms (calls are repeated to fill it).")
_SCALE = flags.DEFINE_enum("scale", "full", ["full", "tiny"], "Workload sizes: the issue's, or tiny ones.")
_CPU = flags.DEFINE_integer("cpu", 0, "The core to pin to (-1: do not pin).")
_JSON_OUT = flags.DEFINE_string("json_out", None, "Where to write the results as JSON.")
_NODE = flags.DEFINE_string("node", "node", "The Node executable.")
_NODE_MODULES = flags.DEFINE_string(
    "node_modules", None, "Where @jax-js/jax is installed (default: <workspace>/tools/setup/node_modules)."
)
_RELAXED_SIMD = flags.DEFINE_bool(
    "node_relaxed_simd",
    False,
    "Run every Node child with --experimental-wasm-relaxed-simd (the *_relaxed backends always are).",
)
_SCALING_SIZES = flags.DEFINE_list(
    "scaling_sizes", ["1000", "2000", "4000", "7000", "10000"], "HLO instruction counts for compile_scaling."
)


def _pin(cpu: int) -> None:
    # XLA reads XLA_FLAGS when its backend starts, so this must run before JAX is imported.
    flag = "--xla_cpu_multi_thread_eigen=false"
    if flag not in os.environ.get("XLA_FLAGS", ""):
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " " + flag).strip()
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    if cpu >= 0:
        os.sched_setaffinity(0, {cpu})


def _node_modules() -> pathlib.Path:
    if _NODE_MODULES.value:
        return pathlib.Path(_NODE_MODULES.value)
    root = os.environ.get("BUILD_WORKSPACE_DIRECTORY") or pathlib.Path(__file__).resolve().parents[1]
    return pathlib.Path(root) / "tools" / "setup" / "node_modules"


def _speed(out: dict) -> None:
    from bench import report, suite, workloads
    from bench.backends import Context, jaxjs

    chosen = workloads.select(workloads.make(_SCALE.value), _WORKLOADS.value)
    unknown = sorted(set(_BACKENDS.value) - set(suite.BACKENDS))
    if unknown:
        raise app.UsageError(f"unknown backends {unknown}; known: {sorted(suite.BACKENDS)}")
    backends = {n: suite.BACKENDS[n] for n in _BACKENDS.value}
    out["machine"] = suite.machine()
    print(f"load average {out['machine']['loadavg']}, pinned to {out['machine']['affinity']}", flush=True)
    with tempfile.TemporaryDirectory(prefix="wasm_speed_") as tmp:
        ctx = Context(
            tmp=pathlib.Path(tmp),
            node=_NODE.value,
            jaxjs=jaxjs.entry(_node_modules()),
            min_ms=_MIN_MS.value,
            node_flags=("--experimental-wasm-relaxed-simd",) if _RELAXED_SIMD.value else (),
        )
        out["workloads"] = {}
        for w in chosen:
            print(f"{w.name} ...", flush=True)
            record = suite.run_workload(w, backends, ctx, _ROUNDS.value)
            out["workloads"][w.name] = record
            print("  " + report.speed_line(record), flush=True)
    out["machine"]["loadavg_after"] = list(os.getloadavg())
    _print_tables(out)


def _print_tables(out: dict) -> None:
    from bench import report

    print("\nTime per call, median [min–max] ms, ×(time ÷ JAX, median of per-round ratios):\n")
    print(report.speed_table(out))
    print("\nTime ÷ JAX: wall (median of per-round ratios) / CPU time (ratio of medians):\n")
    print(report.ratio_table(out))
    print("\nOur compiler (compile time, module size) and peak linear memory vs XLA's buffers:\n")
    print(report.build_table(out))
    issues = report.problems(out)
    if issues:
        print("\nNot timed:\n" + issues)


def _merge(out: dict) -> None:
    from bench import report

    runs = [json.loads(_resolve(p).read_text()) for p in _MERGE.value]
    if not runs:
        raise app.UsageError("--mode=merge needs --merge=FILE,...")
    out.update(report.merge(runs))
    _print_tables(out)


def _resolve(name: str) -> pathlib.Path:
    # `bazel run` starts in the runfiles tree; relative paths mean the caller's directory.
    path = pathlib.Path(name)
    if not path.is_absolute() and os.environ.get("BUILD_WORKING_DIRECTORY"):
        path = pathlib.Path(os.environ["BUILD_WORKING_DIRECTORY"]) / path
    return path


def _scaling(out: dict) -> None:
    from bench import scaling

    out["compile_scaling"] = scaling.measure([int(s) for s in _SCALING_SIZES.value])
    print(scaling.table(out["compile_scaling"]))


def main(argv: list[str]) -> int:
    """Pins the process, runs the chosen mode, prints the tables and writes the JSON."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    _pin(_CPU.value)
    logging.set_verbosity(logging.WARNING)  # iree.compiler logs every tool invocation at INFO
    out: dict = {"mode": _MODE.value, "rounds": _ROUNDS.value, "scale": _SCALE.value}
    {"speed": _speed, "compile_scaling": _scaling, "merge": _merge}[_MODE.value](out)
    if _JSON_OUT.value:
        path = _resolve(_JSON_OUT.value)
        path.write_text(json.dumps(out, indent=1) + "\n")
        print(f"\nwrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    app.run(main)
