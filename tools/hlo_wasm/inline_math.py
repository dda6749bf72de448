"""Inlines leaf f32x4 mathlib functions into fused loops, bit for bit.

A call in a hot loop costs more than its instructions: every v128 value live across it is
caller-saved (spilled and reloaded), and the engine does not inline across functions. Leaf
mathlib functions (no calls, no control flow: exp, tanh, logistic, log, expm1, log1p, erf in
f32x4) are straight-line `local.set`s ending in one expression, so their body is copied into
the caller with its params and locals renamed to fresh caller locals.

One peephole is applied to the copied code: the clamp idiom `bitselect(c, x, x < c)` is
`f32x4.pmax(x, c)` and `bitselect(c, x, x > c)` is `f32x4.pmin(x, c)` by definition
(WebAssembly spec §4.3.2, fpmax/fpmin: `pmax(a, b) = a < b ? b : a`, `pmin(a, b) = b < a ? b
: a`, NaN compares false so x is kept in both) — one instruction on x86 instead of a compare
and a three-instruction select. Results are identical to the call (tested).
"""

import re

from tools.hlo_wasm import support

_NAME_RE = re.compile(r"\$([\w.]+)")
_CONTROL = re.compile(r"\((call|return|block|loop|if|br|br_if|br_table)\b")
_ATOM = r"\((?:local\.get \$[\w.]+|v128\.const [^()]*)\)"
_PMAX = re.compile(rf"\(v128\.bitselect ({_ATOM}) ({_ATOM}) \(f32x4\.lt \2 \1\)\)")
_PMIN = re.compile(rf"\(v128\.bitselect ({_ATOM}) ({_ATOM}) \(f32x4\.gt \2 \1\)\)")


def forms(text: str) -> list[str]:
    """The top-level S-expressions (and atoms) of `text`, comments removed, whitespace collapsed."""
    text = re.sub(r";;[^\n]*", "", text)
    out, depth, start, i = [], 0, None, 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            if depth == 0:
                start = i
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                out.append(" ".join(text[start : i + 1].split()).replace("( ", "(").replace(" )", ")"))
        elif depth == 0 and not ch.isspace():
            j = i
            while j < len(text) and not text[j].isspace() and text[j] not in "()":
                j += 1
            out.append(text[i:j])
            i = j
            continue
        i += 1
    return out


def peephole(code: str) -> str:
    """Rewrites the clamp idiom to pmax/pmin (identical results, see the module docstring)."""
    return _PMIN.sub(r"(f32x4.pmin \2 \1)", _PMAX.sub(r"(f32x4.pmax \2 \1)", code))


def _leaf(name: str):
    fn = support.math_function(name)
    if fn is None or fn.deps or not name.startswith("f32x4_") or _CONTROL.search(fn.wat):
        return None
    return fn


def inline(fb, expr: str, nonpositive: bool = False) -> str:
    """`expr` with a call to a leaf f32x4 mathlib function replaced by its inlined body.

    `nonpositive` says the argument is expected to be <= 0 (softmax's x - max): exp's fast
    path then uses a cheaper range test (see `_exp_fast`).

    The body's statements are emitted into `fb` (a `kernel.FunctionBuilder`); the returned
    expression is the function's result. Anything else is returned unchanged.
    """
    if not expr.startswith("(call $"):
        return expr
    call = forms(expr[1:-1])
    fn = _leaf(call[1][1:])
    if fn is None:
        return expr
    func = forms(fn.wat[1:-1])  # 'func', '$name', (param ..)..., (result ..), (local ..)..., body
    rename, args, body = {}, call[2:], []
    for f in func[2:]:
        head = f[1:].split(" ", 1)[0]
        if head in ("param", "local"):
            _, var, wtype = f[1:-1].split(" ")
            rename[var[1:]] = fb.local(wtype, f"{fn.name[6:]}_{var[1:]}")
            if head == "param":
                fb.emit(f"(local.set {rename[var[1:]]} {args.pop(0)})")
        elif head != "result":
            body.append(f)

    def sub(text):
        return _NAME_RE.sub(lambda m: rename.get(m.group(1), m.group(0)), text)

    body = [peephole(sub(b)) for b in body]
    fast = _exp_fast(fb, rename, body, nonpositive) if fn.name == "f32x4_exp" else None
    if fast is not None:
        return fast
    for stmt in body[:-1]:
        fb.emit(stmt)
    return body[-1]


# f32x4_exp's statements, by the local each sets (the fast path below reuses them).
_EXP_STEPS = ("xc", "xc", "xc", "km", "k", "r", "p", "ki", "k1")
_MAGIC_MINUS_126 = 0x4B400000 - 126  # bits of 1.5 * 2^23 (exp's rounding constant), less 126


def _exp_fast(fb, rename: dict, body: list, nonpositive: bool) -> str | None:
    """The exp with a one-multiply 2^k when every lane's k is small enough; else the full body.

    The mathlib's exp scales by 2^k in two exact steps, p * 2^(k>>1) * 2^(k - (k>>1)), so that
    overflow and subnormal results round once. When 2^k is a normal f32 (k in [-126, 127]),
    p * 2^(k>>1) is exact and p * 2^k rounds the same real number once: the results are
    identical. k in range also means x is inside the input clamp [-104, 89], so the fast path
    skips it. km = x * log2(e) + 1.5 * 2^23 holds k in its low mantissa bits, so the bits of
    km minus (bits(1.5 * 2^23) - 126) are k + 126, and (bits(km) << 23) + bits(1.0) = 2^k.

    The range test: k in [-126, 127] (x in about [-87.3, 88.7]) by an unsigned compare, or,
    when the argument is expected to be <= 0, k in [-126, 1] by one `and` (about 11% less
    softmax time on x86). The branch must be predictable: with the narrow test, exp of data
    around 0 would mispredict half the time (measured 2x slower), hence the hint.
    Returns None when the mathlib's body is not the expected shape (then no fast path).
    """
    names = [re.match(r"\(local\.set (\$[\w.]+) ", b) for b in body[:-1]]
    want = [rename.get(n) for n in _EXP_STEPS]
    if len(names) != len(want) or any(m is None or m.group(1) != w for m, w in zip(names, want, strict=True)):
        return None
    x = f"(local.get {rename['x']})"
    xc = f"(local.get {rename['xc']})"
    km, p = f"(local.get {rename['km']})", f"(local.get {rename['p']})"
    k126 = f"(i32x4.sub {km} (v128.const i32x4{f' {_MAGIC_MINUS_126}' * 4}))"
    if nonpositive:
        in_range = f"(i32.eqz (v128.any_true (v128.and {k126} (v128.const i32x4 -128 -128 -128 -128))))"
    else:
        in_range = f"(i32x4.all_true (i32x4.lt_u {k126} (v128.const i32x4 254 254 254 254)))"
    out = fb.local("v128", "exp")
    fb.emit(body[3].replace(xc, x))  # km from the unclamped x
    fb.emit(f"(if {in_range}")
    fb.emit("  (then")
    for stmt in body[4:7]:
        fb.emit("    " + stmt.replace(xc, x))
    scale = f"(i32x4.add (i32x4.shl {km} (i32.const 23)) (v128.const i32x4{' 1065353216' * 4}))"
    fb.emit(f"    (local.set {out} (f32x4.mul {p} {scale})))")
    fb.emit("  (else")
    for stmt in body[:-1]:
        fb.emit("    " + stmt)
    fb.emit(f"    (local.set {out} {body[-1]})))")
    return f"(local.get {out})"
