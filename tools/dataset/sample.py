"""Makes the record of one sample: generate, run in JAX, validate by our parser and WASM compiler."""

from collections.abc import Callable
from typing import Any

from tools.dataset import generator, lowering, record, validate
from tools.dataset.program import Program
from tools.jax_export import signature


def _wasm_signature(program: Program, lowered: lowering.Lowered) -> dict:
    return signature.build("dataset:f", program.transform.to_json(), lowered.inputs, lowered.outputs)


def validation(program: Program, lowered: lowering.Lowered, hlo: str) -> dict[str, Any]:
    """The `validation` field for a program JAX ran; `hlo` is what our compiler is given.

    Our compiler must accept HLO before and after XLA's optimisation (DESIGN.md), so both are
    compiled and run: `wasm` from the unoptimised HLO, `wasm_optimized` from the optimised one.
    """
    sig = _wasm_signature(program, lowered)
    result = {
        "jax": dict(status="ok", **validate.finite(lowered.output_arrays)),
        "parse": {"hlo": validate.parses(lowered.hlo), "hlo_optimized": validate.parses(lowered.hlo_optimized)},
        "wasm": validate.wasm(hlo, "f", sig, lowered.input_arrays, lowered.output_arrays),
        "wasm_optimized": validate.wasm(lowered.hlo_optimized, "f", sig, lowered.input_arrays, lowered.output_arrays),
    }
    if "mismatch" in (result["wasm"]["status"], result["wasm_optimized"]["status"]):
        result["jax"]["eager_matches_jit"] = _eager_matches_jit(program, lowered, sig)
    return result


def _eager_matches_jit(program: Program, lowered: lowering.Lowered, sig: dict) -> bool | str:
    """Whether JAX op by op gives jax.jit's outputs (only computed when WASM disagreed)."""
    try:
        eager = lowering.run_eager(program, lowered.input_arrays)
    except lowering.JaxError as error:
        return "error: %s" % error
    return validate.compare(eager, lowered.output_arrays, sig["outputs"])["status"] == "match"


def build(program: Program, seed: int, index: int, tamper: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The record of `program`. `tamper` edits the HLO given to our compiler (tests only)."""
    rec: dict[str, Any] = {
        "schema": record.SCHEMA,
        "id": "%d-%d" % (seed, index),
        "seed": seed,
        "index": index,
        "category": program.category,
        "depth": program.depth,
        "transform": program.transform.to_json(),
        "x64": program.x64,
        "decomposition": program.decomposition,
        "source": program.source(),
    }
    try:
        lowered = lowering.run(program, seed)
    except lowering.JaxError as error:
        rec.update(inputs=[], outputs=[], jaxpr=None, stablehlo=None, hlo=None, hlo_optimized=None)
        skipped = {"status": "skipped", "op": None, "error": "JAX failed"}
        rec["validation"] = {
            "jax": {"status": "error", "error": str(error)},
            "parse": {},
            "wasm": skipped,
            "wasm_optimized": skipped,
        }
    else:
        rec.update(
            inputs=lowered.inputs,
            outputs=lowered.outputs,
            jaxpr=lowered.jaxpr,
            stablehlo=lowered.stablehlo,
            hlo=lowered.hlo,
            hlo_optimized=lowered.hlo_optimized,
        )
        rec["validation"] = validation(program, lowered, tamper(lowered.hlo) if tamper else lowered.hlo)
    rec["hlo_ops"] = record.hlo_ops(rec["hlo"])
    rec["content_hash"] = record.content_hash(rec)
    return rec


def make(seed: int, index: int, max_depth: int) -> dict[str, Any]:
    """The record of sample `index` of the dataset `seed`."""
    return build(generator.generate(seed, index, max_depth), seed, index)
