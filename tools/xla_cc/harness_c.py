"""Generates a C test program that checks a library against JAX's outputs.

It runs the library on embedded inputs and compares every output with JAX's, first with
64-byte aligned arrays, then with misaligned ones (which the driver must stage). Prints
integers only (so any printf works), `PASS`/`FAIL`, and returns the number of mismatches as
the exit status.
"""

import numpy as np

C_TYPES = {"f32": "float", "f64": "double", "s32": "int32_t"}


def _literal(value, dtype: str) -> str:
    if dtype == "f32":
        return float(np.float32(value)).hex() + "f"
    if dtype == "f64":
        return float(value).hex()
    return str(int(value))


def array(name: str, values: np.ndarray, dtype: str, extra: int = 0) -> str:
    """A 64-byte aligned static C array holding `values` (plus `extra` zeros)."""
    flat = [_literal(v, dtype) for v in np.ravel(values)] + ["0"] * extra
    body = ", ".join(flat)
    return f"static {C_TYPES[dtype]} {name}[{len(flat)}] __attribute__((aligned(64))) = {{{body}}};"


def generate(
    prefix: str,
    sig: dict,
    inputs,
    outputs,
    rtol: float,
    atol: float,
    header_include: str | None = None,
) -> str:
    """Returns the harness C source; it includes `header_include` (default `PREFIX.h`)."""
    lines = [
        "#include <stdint.h>",
        "#include <stdio.h>",
        f'#include "{header_include or prefix + ".h"}"',
        f"static uint8_t temp[{prefix.upper()}_TEMP_BYTES + 64] __attribute__((aligned(64)));",
        "/* Aligned I/O must fit in TEMP_BYTES_ALIGNED_IO: a canary after it must survive. */",
        "static struct {",
        f"  uint8_t t[{prefix.upper()}_TEMP_BYTES_ALIGNED_IO + 1];",
        "  uint8_t canary[64];",
        "} small __attribute__((aligned(64)));",
    ]
    for leaf, value in zip(sig["inputs"], inputs, strict=False):
        lines.append(array(f"in{leaf['index']}", value, leaf["dtype"], extra=1))
        lines.append(array(f"in{leaf['index']}_mis", np.zeros(1), leaf["dtype"], extra=value.size))
    for leaf, value in zip(sig["outputs"], outputs, strict=False):
        lines.append(array(f"want{leaf['index']}", value, leaf["dtype"]))
        lines.append(array(f"got{leaf['index']}", np.zeros(value.size + 1), leaf["dtype"]))
    lines += [
        "static double max_err;",
        "static int check_f(double got, double want) {",
        "  double d = got - want;",
        "  double w = want < 0 ? -want : want;",
        "  if (d < 0) d = -d;",
        "  double rel = d / (1.0 + w);",
        "  if (!(rel <= max_err)) max_err = rel;",
        "  return !(d <= " + repr(atol) + " + " + repr(rtol) + " * w);",
        "}",
        "static __attribute__((unused)) int check_f32(const float* got, const float* want, int n) {",
        "  int bad = 0;",
        "  for (int i = 0; i < n; ++i) bad += check_f(got[i], want[i]);",
        "  return bad;",
        "}",
        "static __attribute__((unused)) int check_f64(const double* got, const double* want, int n) {",
        "  int bad = 0;",
        "  for (int i = 0; i < n; ++i) bad += check_f(got[i], want[i]);",
        "  return bad;",
        "}",
        "/* Integers must match exactly. */",
        "static __attribute__((unused)) int check_s32(const int32_t* got, const int32_t* want, int n) {",
        "  int bad = 0;",
        "  for (int i = 0; i < n; ++i) bad += got[i] != want[i];",
        "  return bad;",
        "}",
        "static int run(int misaligned) {",
    ]
    call_args = []
    for leaf in sig["inputs"]:
        i, n = leaf["index"], int(np.prod(leaf["shape"], dtype=int))
        lines.append(f"  for (int k = 0; k < {n}; ++k) in{i}_mis[k + 1] = in{i}[k];")
        call_args.append(f"misaligned ? in{i}_mis + 1 : in{i}")
    for leaf in sig["outputs"]:
        call_args.append(f"misaligned ? got{leaf['index']} + 1 : got{leaf['index']}")
    lines.append("  for (int k = 0; k < 64; ++k) small.canary[k] = 0xA5;")
    lines.append(f"  int status = {prefix}_with_temp({', '.join(call_args)}, misaligned ? temp : small.t);")
    lines.append("  for (int k = 0; k < 64; ++k) if (small.canary[k] != 0xA5) return 2000;")
    lines.append(
        f'  if (status) {{ printf("status %d: %s\\n", status, {prefix}_status_string(status)); return 1000; }}'
    )
    lines.append("  int bad = 0;")
    for leaf in sig["outputs"]:
        i, n = leaf["index"], int(np.prod(leaf["shape"], dtype=int))
        check = f"check_{leaf['dtype']}"
        lines.append(f"  bad += {check}(misaligned ? got{i} + 1 : got{i}, want{i}, {n});")
    lines += [
        "  return bad;",
        "}",
        "int main(void) {",
        "  int bad = run(0) + run(1);",
        '  printf("mismatches %d max_rel_err_e9 %lld\\n", bad, (long long)(max_err * 1e9));',
        '  printf(bad ? "FAIL\\n" : "PASS\\n");',
        "  return bad > 100 ? 100 : bad;",
        "}",
    ]
    return "\n".join(lines) + "\n"
