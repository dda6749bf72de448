"""Analysis-time check of argument specs (`f32[8,128]`, pytrees of them).

Starlark has no recursion, so this is a single left-to-right scan that checks the leaves and
the nesting of brackets; tools/jax_export/specs.py holds the full grammar and parses again.
"""

DTYPES = [
    "pred",
    "s8",
    "s16",
    "s32",
    "s64",
    "u8",
    "u16",
    "u32",
    "u64",
    "f16",
    "bf16",
    "f32",
    "f64",
    "i8",
    "i16",
    "i32",
    "i64",
    "bool",
]

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"

def _check_dims(text):
    if not text.strip():
        return None
    for dim in text.split(","):
        if not dim.strip().isdigit():
            return "dimension %r is not a non-negative integer" % dim.strip()
    return None

def validate_spec(spec):
    """Checks one argument spec.

    Args:
      spec: the spec string from the `args` attribute.

    Returns:
      None if `spec` is well formed, else a message saying what is wrong.
    """
    stack = []
    i = 0
    n = len(spec)
    for _ in range(n + 1):
        if i >= n:
            break
        char = spec[i]
        if char in _OPENERS:
            stack.append(_OPENERS[char])
            i += 1
        elif char in ")]}":
            if not stack or stack.pop() != char:
                return "unbalanced %r at column %d" % (char, i + 1)
            i += 1
        elif char in ", :'\"":
            i += 1
        elif char in _WORD_CHARS:
            start = i
            for _ in range(n):
                if i < n and spec[i] in _WORD_CHARS:
                    i += 1
            word = spec[start:i]
            if i < n and spec[i] == "[":
                close = spec.find("]", i)
                if close < 0:
                    return "missing ']' after %r" % spec[start:]
                if word not in DTYPES:
                    return "unknown element type %r (known: %s)" % (word, ", ".join(DTYPES))
                error = _check_dims(spec[i + 1:close])
                if error:
                    return error
                i = close + 1
            elif not (i < n and spec[i:].lstrip().startswith(":")) and (not stack or stack[-1] != "}"):
                return "%r is not `dtype[dims]`" % word
        else:
            return "unexpected %r at column %d" % (char, i + 1)
    if stack:
        return "missing %r at the end" % stack[-1]
    return None
