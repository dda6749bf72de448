"""WAT helper functions that lowerings call by name (`(call $name ...)`), and mathlib access.

The emitter scans the generated code for calls and appends exactly the helpers it uses, so a
module carries no dead code. Integer division follows XLA (`xla/service/elemental_ir_emitter.cc`):
x/0 is -1 (signed) or all ones (unsigned), INT_MIN/-1 is INT_MIN, x%0 is x, INT_MIN%-1 is 0.
"""

import re

from tools.hlo_wasm import ir


def _div(t: str, sign: str) -> str:
    if sign == "s":
        return f"""(func ${t}_div_s (param $a {t}) (param $b {t}) (result {t})
  ;; XLA: x/0 = -1; INT_MIN/-1 = INT_MIN (wasm would trap on both).
  (if (result {t}) ({t}.eqz (local.get $b)) (then ({t}.const -1))
    (else (if (result {t}) ({t}.eq (local.get $b) ({t}.const -1))
      (then ({t}.sub ({t}.const 0) (local.get $a)))
      (else ({t}.div_s (local.get $a) (local.get $b)))))))"""
    return f"""(func ${t}_div_u (param $a {t}) (param $b {t}) (result {t})
  ;; XLA: x/0 = all ones.
  (if (result {t}) ({t}.eqz (local.get $b)) (then ({t}.const -1))
    (else ({t}.div_u (local.get $a) (local.get $b)))))"""


def _rem(t: str, sign: str) -> str:
    guard = f"({t}.eq (local.get $b) ({t}.const -1))" if sign == "s" else f"({t}.const 0)"
    return f"""(func ${t}_rem_{sign} (param $a {t}) (param $b {t}) (result {t})
  ;; XLA: x%0 = x; INT_MIN%-1 = 0.
  (if (result {t}) ({t}.eqz (local.get $b)) (then (local.get $a))
    (else (if (result {t}) {guard} (then ({t}.const 0))
      (else ({t}.rem_{sign} (local.get $a) (local.get $b)))))))"""


def _ipow(t: str) -> str:
    return f"""(func ${t}_pow (param $b {t}) (param $e {t}) (result {t})
  (local $r {t})
  ;; Negative exponents: 1 for base 1, +-1 for base -1, else 0 (XLA's integer pow).
  (if ({t}.lt_s (local.get $e) ({t}.const 0)) (then
    (if ({t}.eq (local.get $b) ({t}.const 1)) (then (return ({t}.const 1))))
    (if ({t}.eq (local.get $b) ({t}.const -1)) (then
      (return (select ({t}.const -1) ({t}.const 1)
        ({t}.wrap_odd (local.get $e))))))
    (return ({t}.const 0))))
  (local.set $r ({t}.const 1))
  (block $done (loop $next
    (br_if $done ({t}.eqz (local.get $e)))
    (if ({t}.wrap_odd (local.get $e)) (then (local.set $r ({t}.mul (local.get $r) (local.get $b)))))
    (local.set $b ({t}.mul (local.get $b) (local.get $b)))
    (local.set $e ({t}.shr_u (local.get $e) ({t}.const 1)))
    (br $next)))
  (local.get $r))"""


def _fix_odd(text: str) -> str:
    # "(i32.wrap_odd x)" -> low bit as i32, for either width.
    text = text.replace("(i32.wrap_odd (local.get $e))", "(i32.and (local.get $e) (i32.const 1))")
    return text.replace(
        "(i64.wrap_odd (local.get $e))",
        "(i32.wrap_i64 (i64.and (local.get $e) (i64.const 1)))",
    )


_FMOD = """(func $f64_fmod (param $x f64) (param $y f64) (result f64)
  ;; C fmod, exact: subtract the largest y*2^k <= |r| until |r| < |y| (each step is exact).
  (local $r f64) (local $ay f64) (local $t f64)
  (local.set $r (f64.abs (local.get $x)))
  (local.set $ay (f64.abs (local.get $y)))
  (if (i32.or (f64.ne (local.get $r) (local.get $r))
        (i32.or (f64.eq (local.get $ay) (f64.const 0))
          (i32.or (f64.eq (local.get $r) (f64.const inf)) (f64.ne (local.get $ay) (local.get $ay)))))
    (then (return (f64.const nan))))
  (block $done (loop $outer
    (br_if $done (f64.lt (local.get $r) (local.get $ay)))
    (local.set $t (local.get $ay))
    (block $big (loop $grow
      (br_if $big (f64.gt (f64.mul (local.get $t) (f64.const 2)) (local.get $r)))
      (local.set $t (f64.mul (local.get $t) (f64.const 2)))
      (br $grow)))
    (local.set $r (f64.sub (local.get $r) (local.get $t)))
    (br $outer)))
  (f64.copysign (local.get $r) (local.get $x)))"""

_F32_FMOD = """(func $f32_fmod (param $x f32) (param $y f32) (result f32)
  (f32.demote_f64 (call $f64_fmod (f64.promote_f32 (local.get $x)) (f64.promote_f32 (local.get $y)))))"""


def _round_afz(t: str) -> str:
    return f"""(func ${t}_round_afz (param $x {t}) (result {t})
  ;; Round half away from zero: trunc, then step away when the fraction is >= 0.5 (exact).
  (local $r {t})
  (local.set $r ({t}.trunc (local.get $x)))
  (if (result {t}) ({t}.ge ({t}.abs ({t}.sub (local.get $x) (local.get $r))) ({t}.const 0.5))
    (then ({t}.add (local.get $r) ({t}.copysign ({t}.const 1) (local.get $x))))
    (else (local.get $r))))"""


_F16_TO_F32 = """(func $f16_to_f32 (param $h i32) (result f32)
  (local $e i32) (local $m i32) (local $s i32)
  (local.set $s (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16)))
  (local.set $e (i32.and (i32.shr_u (local.get $h) (i32.const 10)) (i32.const 31)))
  (local.set $m (i32.and (local.get $h) (i32.const 1023)))
  (if (result f32) (i32.eqz (local.get $e))
    (then (f32.copysign (f32.mul (f32.convert_i32_u (local.get $m)) (f32.const 0x1p-24))
                        (f32.reinterpret_i32 (local.get $s))))
    (else (f32.reinterpret_i32 (i32.or (local.get $s)
      (if (result i32) (i32.eq (local.get $e) (i32.const 31))
        (then (i32.or (i32.const 0x7f800000) (i32.shl (local.get $m) (i32.const 13))))
        (else (i32.or (i32.shl (i32.add (local.get $e) (i32.const 112)) (i32.const 23))
                      (i32.shl (local.get $m) (i32.const 13))))))))))"""

_F32_TO_F16 = """(func $f32_to_f16 (param $f f32) (result i32)
  ;; Round to nearest even (F. Giesen's float_to_half_fast3_rtne).
  (local $x i32) (local $s i32) (local $o i32)
  (local.set $x (i32.reinterpret_f32 (local.get $f)))
  (local.set $s (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 0x8000)))
  (local.set $x (i32.and (local.get $x) (i32.const 0x7fffffff)))
  (if (i32.ge_u (local.get $x) (i32.const 0x47800000))
    (then (local.set $o (select (i32.const 0x7e00) (i32.const 0x7c00)
                          (i32.gt_u (local.get $x) (i32.const 0x7f800000)))))
    (else (if (i32.lt_u (local.get $x) (i32.const 0x38800000))
      (then (local.set $o (i32.sub (i32.reinterpret_f32
              (f32.add (f32.reinterpret_i32 (local.get $x)) (f32.const 0.5))) (i32.const 0x3f000000))))
      (else (local.set $o (i32.shr_u
              (i32.add (i32.add (local.get $x) (i32.const -0x37fff001))
                       (i32.and (i32.shr_u (local.get $x) (i32.const 13)) (i32.const 1)))
              (i32.const 13)))))))
  (i32.or (local.get $o) (local.get $s)))"""

_F32_TO_BF16 = """(func $f32_to_bf16 (param $f f32) (result i32)
  (local $x i32)
  (local.set $x (i32.reinterpret_f32 (local.get $f)))
  (if (result i32) (f32.ne (local.get $f) (local.get $f))
    (then (i32.or (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 0x40)))
    (else (i32.shr_u (i32.add (local.get $x) (i32.add (i32.const 0x7fff)
            (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 1)))) (i32.const 16)))))"""


def _helpers() -> dict[str, str]:
    h = {}
    for t in ("i32", "i64"):
        for s in ("s", "u"):
            h[f"{t}_div_{s}"] = _div(t, s)
            h[f"{t}_rem_{s}"] = _rem(t, s)
        h[f"{t}_pow"] = _fix_odd(_ipow(t))
    for t in ("f32", "f64"):
        h[f"{t}_round_afz"] = _round_afz(t)
    h["f64_fmod"] = _FMOD
    h["f32_fmod"] = _F32_FMOD
    h["f16_to_f32"] = _F16_TO_F32
    h["f32_to_f16"] = _F32_TO_F16
    h["f32_to_bf16"] = _F32_TO_BF16
    return h


HELPERS = _helpers()
_MATH: dict[str, object] = {}  # mathlib functions looked up so far, by WAT name (a cache).


def math_call(op: str, dtype: str, simd: bool, args: list[str]) -> str:
    """`(call $f32_exp x)` for a transcendental op via mathlib; CompileError if unavailable."""
    try:
        from tools.hlo_wasm import mathlib
    except ImportError:
        raise ir.CompileError(f"op '{op}' needs tools.hlo_wasm.mathlib, which is not in this checkout") from None
    try:
        fn = mathlib.lookup(op=op, dtype=dtype, simd=simd)
    except mathlib.UnsupportedMath as e:
        raise ir.CompileError(f"op '{op}' on {dtype} (simd={simd}): {e}") from None
    _MATH[fn.name] = fn
    return f"(call ${fn.name} {' '.join(args)})"


def math_function(name: str):
    """The mathlib `MathFunction` called `name` that `math_call` returned, or None."""
    return _MATH.get(name)


_CALL_RE = re.compile(r"\(call \$([\w.]+)")


def functions_for(code: str) -> list[str]:
    """WAT text of every helper/mathlib function `code` calls (with their deps), sorted."""
    names = set(_CALL_RE.findall(code))
    out: dict[str, str] = {}
    math_fns = [_MATH[n] for n in sorted(names) if n in _MATH]
    if math_fns:
        from tools.hlo_wasm import mathlib

        for fn in mathlib.closure(math_fns):
            out[fn.name] = fn.wat
    pending = sorted(n for n in names if n in HELPERS)
    while pending:
        n = pending.pop()
        if n in out:
            continue
        out[n] = HELPERS[n]
        pending.extend(m for m in _CALL_RE.findall(HELPERS[n]) if m in HELPERS)
    return [out[n] for n in sorted(out)]
