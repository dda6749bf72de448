"""One benchmark run over the workloads.

Per workload: prepare every backend, check its outputs against JAX's, then time the ones that
passed in interleaved rounds and summarise them against JAX.
"""

import dataclasses
import os
from collections.abc import Callable

import numpy as np

from bench import check, timing, workloads
from bench.backends import Context, Prepared, Unavailable, iree_native, iree_wasm32, jaxjs, ours, xla


@dataclasses.dataclass
class Shared:
    """What every backend of one workload may use: JAX's outputs, the HLO texts, our builds.

    `compiled` and `compile_error` are keyed by `relaxed_simd` (False: the default module).
    """

    workload: workloads.Workload
    want: list[np.ndarray]
    hlo: str
    stablehlo: str
    compiled: dict[bool, ours.Compiled]
    compile_error: dict[bool, str]


def _ours(prepare: Callable, relaxed_simd: bool = False) -> Callable[[Shared, Context], Prepared]:
    def run(s: Shared, ctx: Context) -> Prepared:
        if relaxed_simd not in s.compiled:
            raise Unavailable(s.compile_error.get(relaxed_simd, "not compiled"))
        return prepare(s.workload, s.compiled[relaxed_simd], ctx)

    return run


# Backend name -> how to prepare it. The reference ("jax") is prepared first, separately.
BACKENDS: dict[str, Callable[[Shared, Context], Prepared]] = {
    "ours_wasmtime": _ours(ours.prepare_wasmtime),
    "ours_node": _ours(ours.prepare_node),
    "ours_wasmtime_relaxed": _ours(ours.prepare_wasmtime, relaxed_simd=True),
    "ours_node_relaxed": _ours(ours.prepare_node, relaxed_simd=True),
    "iree": lambda s, ctx: iree_native.prepare(s.workload, s.stablehlo, ctx),
    "iree_wasm32": lambda s, ctx: iree_wasm32.prepare(s.workload, s.stablehlo, ctx),
    "jaxjs": lambda s, ctx: jaxjs.prepare(s.workload, s.want, ctx),
}
REFERENCE = "jax"


def _shared(w: workloads.Workload, want: list[np.ndarray]) -> Shared:
    hlo = xla.hlo_text(w)
    compiled, errors = {}, {}
    for relaxed_simd in (False, True):
        try:
            compiled[relaxed_simd] = ours.compile_workload(w, hlo, relaxed_simd)
        except Unavailable as e:
            errors[relaxed_simd] = str(e)
    return Shared(w, want, hlo, xla.stablehlo_text(w), compiled, errors)


def _facts(shared: Shared, relaxed_simd: bool) -> dict:
    if relaxed_simd in shared.compiled:
        return ours.facts(shared.compiled[relaxed_simd])
    return {"error": shared.compile_error[relaxed_simd]}


def run_workload(
    w: workloads.Workload,
    backends: dict[str, Callable[[Shared, Context], Prepared]],
    ctx: Context,
    rounds: int,
    log: Callable[[str], None] = print,
) -> dict:
    """Prepares, checks and times `w` on JAX and `backends`; returns its JSON record."""
    ours.warm_up()  # cheap; keeps the compile time below free of imports and engine start-up
    reference = xla.prepare(w, ctx)
    shared = _shared(w, reference.outputs)
    record = {
        "flops": w.flops,
        "bytes": w.bytes,
        "tolerance": {"rtol": w.tol[0], "atol": w.tol[1]},
        "xla": reference.info,
        "ours": _facts(shared, False),
        "ours_relaxed": _facts(shared, True),
        "backends": {REFERENCE: {"status": "ok", **reference.info}},
    }
    samplers: dict[str, timing.Sampler] = {REFERENCE: reference.sampler}
    try:
        for name, prepare in backends.items():
            entry = record["backends"].setdefault(name, {})
            try:
                p = prepare(shared, ctx)
            except Unavailable as e:
                entry.update(status="unavailable", reason=str(e))
                log(f"  {w.name} {name}: unavailable: {e}")
                continue
            try:
                entry["max_error"] = check.check(name, w.name, p.outputs, reference.outputs, w.tol)
            except check.MismatchError as e:
                p.sampler.close()
                entry.update(status="wrong", reason=str(e), info=p.info)
                log(f"  {w.name} {name}: WRONG, not timed: {e}")
                continue
            entry.update(status="ok", info=p.info)
            samplers[name] = p.sampler
        results = timing.run_rounds(samplers, rounds)
    finally:
        for s in samplers.values():
            s.close()
    for name, samples in results.items():
        summary = timing.summarize(samples, results[REFERENCE] if name != REFERENCE else None)
        record["backends"][name].update(dataclasses.asdict(summary))
        record["backends"][name]["samples_ms"] = [round(s.wall_ms, 5) for s in samples]
    return record


def machine() -> dict:
    """Load, affinity and versions, recorded next to the numbers."""
    import platform

    import jax

    return {
        "loadavg": list(os.getloadavg()),
        "affinity": sorted(os.sched_getaffinity(0)),
        "cpus": os.cpu_count(),
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "python": platform.python_version(),
        "jax": jax.__version__,
    }
