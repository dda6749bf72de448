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


def inline(fb, expr: str) -> str:
    """`expr` with a call to a leaf f32x4 mathlib function replaced by its inlined body.

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

    for stmt in body[:-1]:
        fb.emit(peephole(sub(stmt)))
    return peephole(sub(body[-1]))
