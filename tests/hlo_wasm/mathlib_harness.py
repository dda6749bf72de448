"""Runs mathlib functions in wasmtime over NumPy arrays, and measures ULP distances.

`run(fn, *arrays)` wraps a MathFunction (and its dependency closure) in a tiny module whose
exported `run(n)` maps it over linear memory (inputs at fixed offsets, result after them),
then copies the arrays in and the result out.
"""

from __future__ import annotations

import functools

import numpy as np
import wasmtime

from tools.hlo_wasm import mathlib

CAPACITY = 1 << 15  # elements per array per call
_ENGINE = wasmtime.Engine()


def _dtype(fn: mathlib.MathFunction) -> np.dtype:
    return np.dtype(
        np.float64 if fn.name.startswith(("f64_", "f64x2_")) else np.float32
    )


def module_text(fn: mathlib.MathFunction) -> str:
    """A module exporting memory and run(n) = map fn over n elements (n multiple of 4 if SIMD)."""
    simd = fn.result == "v128"
    size = _dtype(fn).itemsize
    step = 16 if simd else size
    vt = "v128" if simd else fn.result
    span = CAPACITY * size
    loads = " ".join(
        f"({vt}.load offset={i * span} (local.get $i))" for i in range(len(fn.params))
    )
    out = len(fn.params) * span
    pages = -(-(out + span) // 65536)
    funcs = "\n".join(f.wat for f in mathlib.closure([fn]))
    return f"""(module
  (memory (export "memory") {pages})
{funcs}
  (func (export "run") (param $n i32) (local $i i32) (local $end i32)
    (local.set $end (i32.mul (local.get $n) (i32.const {size})))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ({vt}.store offset={out} (local.get $i) (call ${fn.name} {loads}))
        (local.set $i (i32.add (local.get $i) (i32.const {step})))
        (br $next)))))
"""


@functools.cache
def _compiled(fn: mathlib.MathFunction) -> wasmtime.Module:
    return wasmtime.Module(_ENGINE, wasmtime.wat2wasm(module_text(fn)))


def run(fn: mathlib.MathFunction, *arrays: np.ndarray) -> np.ndarray:
    """fn applied elementwise (the arrays are converted to the function's dtype)."""
    dtype = _dtype(fn)
    store = wasmtime.Store(_ENGINE)
    instance = wasmtime.Instance(store, _compiled(fn), [])
    exports = instance.exports(store)
    memory, entry = exports["memory"], exports["run"]
    cols = [np.ascontiguousarray(a, dtype=dtype).ravel() for a in arrays]
    n = cols[0].size
    span = CAPACITY * dtype.itemsize
    result = np.empty(n, dtype)
    for start in range(0, n, CAPACITY):
        count = min(CAPACITY, n - start)
        padded = -(-count // 4) * 4
        for i, col in enumerate(cols):
            chunk = np.zeros(padded, dtype)
            chunk[:count] = col[start : start + count]
            memory.write(store, chunk.tobytes(), i * span)
        entry(store, padded)
        out = len(cols) * span
        raw = memory.read(store, out, out + count * dtype.itemsize)
        result[start : start + count] = np.frombuffer(bytes(raw), dtype)
    return result


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Number of representable values between a and b (0 when both NaN; huge when one is)."""
    a = np.asarray(a)
    b = np.asarray(b, a.dtype)
    itype = np.int32 if a.dtype == np.float32 else np.int64
    top = np.iinfo(itype).max
    mag_a = (a.view(itype) & top).astype(np.int64)
    mag_b = (b.view(itype) & top).astype(np.int64)
    same_sign = np.signbit(a) == np.signbit(b)
    # Same sign: magnitudes are ordered like the values. Opposite signs: the distance passes
    # through zero (+0 and -0 count as one value); float sum avoids int64 overflow.
    d = np.where(same_sign, np.abs(mag_a - mag_b).astype(np.float64), 0.0)
    d = np.where(same_sign, d, mag_a.astype(np.float64) + mag_b.astype(np.float64))
    both_nan = np.isnan(a) & np.isnan(b)
    one_nan = np.isnan(a) ^ np.isnan(b)
    d = np.where(both_nan, 0, d)
    return np.where(one_nan, np.inf, d)


def same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise-equal values, NaN equal to NaN, zeros compared with their signs."""
    a = np.asarray(a)
    b = np.asarray(b, a.dtype)
    signs = np.signbit(a) == np.signbit(b)
    return (np.isnan(a) & np.isnan(b)) | ((a == b) & signs)
