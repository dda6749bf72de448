"""Validation of one sample by execution: JAX's outputs finite, our parser, our WASM compiler.

Tolerances (|wasm - jax| <= atol + rtol * |jax|, elementwise) are stated per dtype and are
loose enough for a different summation order and for the WASM math library's few-ULP
transcendentals, and tight enough that a wrong op (add for subtract, a transposed operand)
fails: integers and booleans must match exactly.
"""

import contextlib
import re
import signal
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

TOLERANCE = {"f32": {"rtol": 1e-4, "atol": 1e-5}, "f64": {"rtol": 1e-9, "atol": 1e-12}}
EXACT = {"rtol": 0.0, "atol": 0.0}
_OP = re.compile(r"op '([\w.-]+)'")

# A compilation or run that takes longer is recorded as `timeout` rather than stalling a shard.
# Far above the slowest sample seen (about 2 s), so it never decides a result on a healthy machine.
DEADLINE_SECONDS = 120


class _Timeout(Exception):
    pass


def _raise_timeout(signum, frame) -> None:
    raise _Timeout()


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raises _Timeout in the block after `seconds` (main thread only; elsewhere no limit)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_timeout)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def finite(outputs: list[np.ndarray]) -> dict[str, Any]:
    """Whether every float output is finite; the indices of outputs that are not."""
    bad = [i for i, o in enumerate(outputs) if o.dtype.kind in "fc" and not np.all(np.isfinite(o))]
    return {"finite": not bad, "nonfinite_outputs": bad}


def parses(text: str) -> str:
    """Returns "ok", or our HLO parser's first error line."""
    from tools.hlo_wasm import ir, parse

    try:
        parse.parse(text)
    except ir.CompileError as error:
        return "error: " + str(error).split("\n")[0][:300]
    except Exception as error:  # noqa: BLE001 - a parser crash is a parser bug: recorded.
        return "crash: %s: %s" % (type(error).__name__, str(error).split("\n")[0][:300])
    return "ok"


def compare(got: list[np.ndarray], expected: list[np.ndarray], outputs: list[dict]) -> dict[str, Any]:
    """`match` when every output is within the stated tolerance of `expected`, else `mismatch`."""
    worst = 0.0
    for index, (g, e, entry) in enumerate(zip(got, expected, outputs, strict=True)):
        tol = TOLERANCE.get(entry["dtype"], EXACT)
        g = np.asarray(g)
        if g.shape != e.shape:
            return {"status": "mismatch", "output": index, "detail": "shape %s vs %s" % (g.shape, e.shape)}
        if e.dtype.kind in "fc":
            e64, g64 = e.astype(np.float64), g.astype(np.float64)
            finite = np.isfinite(e64)
            # Where JAX gives NaN or an infinity, the same value is required (NaN == NaN here).
            special_ok = np.where(np.isnan(e64), np.isnan(g64), g64 == e64)
            err = np.where(finite, np.abs(g64 - e64), np.where(special_ok, 0.0, np.inf))
            err = np.nan_to_num(err, nan=np.inf)  # A NaN where JAX is finite fails.
            bound = np.where(finite, tol["atol"] + tol["rtol"] * np.abs(np.where(finite, e64, 0.0)), 0.0)
            if np.any(err > bound):
                worst_at = int(np.argmax(err - bound))
                return {
                    "status": "mismatch",
                    "output": index,
                    "detail": "max |err| %.3g at flat index %d (got %r, want %r)"
                    % (float(err.max()), worst_at, float(g.ravel()[worst_at]), float(e.ravel()[worst_at])),
                }
            worst = max(worst, float(err.max()) if err.size else 0.0)
        elif not np.array_equal(g, e):
            where = int(np.argmax(g.ravel() != e.ravel()))
            return {"status": "mismatch", "output": index, "detail": "first difference at flat index %d" % where}
    used = sorted({e["dtype"] for e in outputs})
    return {"status": "match", "max_abs_err": worst, "tolerance": {d: TOLERANCE.get(d, EXACT) for d in used}}


def wasm(hlo: str, name: str, sig: dict, inputs: list[np.ndarray], expected: list[np.ndarray]) -> dict[str, Any]:
    """Compiles `hlo` with our compiler, runs it in wasmtime, compares with JAX's outputs.

    Returns a dict with `status`: match, mismatch, compile_error (with `op` when the compiler
    named the op that stopped it), runtime_error, internal_error (a compiler crash) or timeout.
    """
    try:
        with _deadline(DEADLINE_SECONDS):
            return _wasm(hlo, name, sig, inputs, expected)
    except _Timeout:
        return {"status": "timeout", "op": None, "error": "no result within %d s" % DEADLINE_SECONDS}


def _wasm(hlo: str, name: str, sig: dict, inputs: list[np.ndarray], expected: list[np.ndarray]) -> dict[str, Any]:
    from tools.hlo_wasm import compile as compiler
    from tools.hlo_wasm import ir
    from tools.hlo_wasm.runner import Runner

    try:
        art = compiler.compile_hlo(hlo, name, sig)
    except ir.CompileError as error:
        message = str(error).split("\n")[0][:300]
        match = _OP.search(message)
        return {"status": "compile_error", "op": match.group(1) if match else None, "error": message}
    except Exception as error:  # noqa: BLE001 - a compiler crash is a compiler bug: recorded.
        return {"status": "internal_error", "op": None, "error": "%s: %s" % (type(error).__name__, str(error)[:300])}
    try:
        got = Runner(art.wasm, art.manifest)(*inputs)
    except Exception as error:  # noqa: BLE001 - a trap or runner failure is recorded.
        return {"status": "runtime_error", "op": None, "error": "%s: %s" % (type(error).__name__, str(error)[:300])}
    result = compare(got, expected, sig["outputs"])
    if result["status"] == "mismatch":
        result["reference"] = triage(hlo, inputs, got, expected, sig["outputs"])
    return result


def triage(
    hlo: str, inputs: list[np.ndarray], got: list[np.ndarray], expected: list[np.ndarray], outputs: list[dict]
) -> str:
    """Who is right when WASM and JAX disagree, by the NumPy reference semantics of each HLO op.

    Returns `agrees_with_wasm` (JAX/XLA departed from the HLO it was given, e.g. an optimisation
    that changes a result), `agrees_with_jax` (a bug of our compiler), `agrees_with_neither`, or
    `error: ...` when the reference interpreter cannot run the HLO.
    """
    from tools.hlo_wasm import compile as compiler
    from tools.hlo_wasm import evaluate

    try:
        reference = evaluate.run(compiler.lower(hlo), list(inputs))
    except Exception as error:  # noqa: BLE001 - triage is best effort; the mismatch stands.
        return "error: %s: %s" % (type(error).__name__, str(error).split("\n")[0][:200])
    reference = [np.asarray(r) for r in reference]
    if compare(got, reference, outputs)["status"] == "match":
        return "agrees_with_wasm"
    if compare(reference, expected, outputs)["status"] == "match":
        return "agrees_with_jax"
    return "agrees_with_neither"
