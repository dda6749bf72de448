"""Parses HLO text (as JAX 0.10.2 writes it before and after XLA optimisation) into `ir.Module`.

Understood: `HloModule` header, the FileNames/StackFrames tables (skipped), `ENTRY` and other
computations with or without `%` sigils and signatures, layouts (`{1,0}`, ignored: the compiler
uses row-major), tuple shapes, `ROOT`, constants of every dtype (scalars, nested `{...}`
literals, `inf`/`nan`, `true`/`false`), and attributes (`metadata`, `frontend_attributes`,
`backend_config`, `sharding` are kept as raw text). Errors raise `ir.CompileError` naming the
line.
"""

import re

import numpy as np

from tools.hlo_wasm import dtypes, ir

_OPEN = {"{": "}", "(": ")", "[": "]"}
_RAW_ATTRS = ("metadata", "frontend_attributes", "backend_config", "sharding", "statistics")
_CALL_ATTRS = ("to_apply", "calls", "condition", "body", "branch_computations",
               "true_computation", "false_computation", "comparator", "select", "scatter")


class _Error(ir.CompileError):
    pass


def _fail(line_no: int, text: str, msg: str):
    raise _Error(f"HLO line {line_no}: {msg}\n  {text.strip()[:200]}")


def _match(s: str, i: int) -> int:
    """Returns the index just past the bracket group starting at s[i] (quotes respected)."""
    stack = []
    j = i
    while j < len(s):
        c = s[j]
        if c == '"':
            j = s.index('"', j + 1) if '"' in s[j + 1 :] else len(s)
            while s[j - 1] == "\\" and j < len(s):
                j = s.index('"', j + 1)
        elif c in _OPEN:
            stack.append(_OPEN[c])
        elif stack and c == stack[-1]:
            stack.pop()
            if not stack:
                return j + 1
        j += 1
    raise ValueError("unbalanced brackets")


def _split_top(s: str, sep: str = ",") -> list[str]:
    """Splits `s` at `sep` characters that are not inside brackets or quotes."""
    out, depth, cur, quote = [], 0, [], False
    for c in s:
        if c == '"':
            quote = not quote
        elif not quote and c in "{([":
            depth += 1
        elif not quote and c in "})]":
            depth -= 1
        if c == sep and depth == 0 and not quote:
            out.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
    if "".join(cur).strip():
        out.append("".join(cur).strip())
    return out


_ARRAY_RE = re.compile(r"([a-z]+[0-9]*)\[([^\]]*)\](\{[^}]*\})?")


def parse_shape(s: str) -> ir.Shape:
    """Parses `f32[2,3]{1,0}`, `pred[]`, `(f32[], s32[4])` or `token[]`."""
    s = s.strip()
    if s.startswith("("):
        inner = s[1 : _match(s, 0) - 1]
        return ir.tuple_shape(parse_shape(p) for p in _split_top(inner))
    m = _ARRAY_RE.fullmatch(s)
    if not m:
        raise ValueError(f"bad shape {s!r}")
    dtype, dims = m.group(1), m.group(2)
    if dtype != "token":
        dtypes.get(dtype)
    dims_t = tuple(int(d.replace("<=", "")) for d in dims.split(",") if d.strip())
    return ir.Shape(dtype, dims_t)


def _scalar(tok: str, dtype: str):
    tok = tok.strip()
    if dtype == "pred":
        return tok in ("true", "1")
    low = tok.lower()
    if low in ("inf", "+inf"):
        return np.inf
    if low == "-inf":
        return -np.inf
    if low in ("nan", "-nan", "+nan") or low.startswith(("nan(", "-nan(")):
        return -np.nan if low.startswith("-") else np.nan
    if dtypes.get(dtype).is_float:
        return float(tok)
    return int(tok, 0)


def parse_literal(text: str, shape: ir.Shape) -> np.ndarray:
    """Parses a constant literal (`4`, `{1, 2}`, `{ {1,2},{3,4} }`) into an array of `shape`."""
    if shape.is_tuple:
        raise ValueError("tuple constants are not supported")
    toks = [t for t in re.split(r"[{},\s]+", text) if t]
    dt = dtypes.get(shape.dtype)
    vals = [_scalar(t, shape.dtype) for t in toks]
    if len(vals) != shape.size:
        raise ValueError(f"literal has {len(vals)} values, shape {shape} needs {shape.size}")
    if dt.is_int:
        info = np.iinfo(dt.np)
        vals = [v & ((1 << info.bits) - 1) for v in vals]
        arr = np.array(vals, dtype=np.uint64 if dt.bits == 64 else np.int64)
        arr = arr.astype(np.dtype(f"u{dt.size}")).view(dt.np)
    else:
        arr = np.array(vals, dtype=np.float64 if dt.is_float else np.bool_).astype(dt.np)
    return arr.reshape(shape.dims)


def _layout_default(m: re.Match) -> bool:
    """True when a `[dims]{layout}` match is row-major (minor-to-major n-1, ..., 0)."""
    rank = len([d for d in m.group(1).split(",") if d.strip()])
    lay = [x.strip() for x in m.group(2).split(":")[0].split(",") if x.strip()]
    return lay == [str(i) for i in range(rank - 1, -1, -1)]


def _parse_attr_value(key: str, v: str):
    if key in _RAW_ATTRS:
        return v
    if key in _CALL_ATTRS:
        return tuple(x.strip().lstrip("%") for x in v.strip("{}").split(",") if x.strip())
    if re.fullmatch(r"\{[\s\d,-]*\}", v):
        return tuple(int(x) for x in v.strip("{}").split(",") if x.strip())
    if re.fullmatch(r"-?\d+", v):
        return int(v)
    return v


def _parse_instruction(text: str, line_no: int) -> tuple[ir.Instruction, bool]:
    s = text.strip()
    is_root = s.startswith("ROOT ")
    if is_root:
        s = s[5:].lstrip()
    eq = s.index("=")
    name = s[:eq].strip().lstrip("%")
    rest = s[eq + 1 :].lstrip()
    end = _match(rest, 0) if rest.startswith("(") else rest.index(" ")
    shape = parse_shape(rest[:end])
    layouts = [_layout_default(m) for m in re.finditer(r"\[([^\]]*)\]\{([^}]*)\}", rest[:end])]
    rest = rest[end:].lstrip()
    paren = rest.index("(")
    opcode = rest[:paren].strip()
    close = _match(rest, paren)
    inner = rest[paren + 1 : close - 1]
    tail = rest[close:].lstrip(", ")
    literal, operands = None, ()
    if opcode == "constant":
        literal = parse_literal(inner, shape)
    elif opcode != "parameter":
        operands = tuple(o.split()[-1].lstrip("%") for o in _split_top(inner))
    attrs, called = {}, []
    for piece in _split_top(tail):
        if "=" not in piece:
            continue
        k, v = piece.split("=", 1)
        k = k.strip()
        attrs[k] = _parse_attr_value(k, v.strip())
        if k in _CALL_ATTRS:
            called.extend(attrs[k])
    if opcode == "parameter":
        attrs["number"] = int(inner)
    if not all(layouts):
        attrs["layout"] = rest[:end]
    inst = ir.Instruction(
        name=name,
        opcode=opcode,
        shape=shape,
        operands=operands,
        attrs=tuple(sorted(attrs.items())),
        called=tuple(called),
        literal=literal,
        line=line_no,
    )
    return inst, is_root


_COMP_RE = re.compile(r"^(ENTRY\s+)?%?([\w.\-]+)\s*(\(.*\)\s*->\s*.*)?\{\s*$")


def parse(text: str) -> ir.Module:
    """Parses HLO text into an `ir.Module`; raises `ir.CompileError` naming the bad line."""
    lines = text.splitlines()
    module_name, entry, comps = "module", None, []
    cur = None
    for no, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if cur is None:
            if line.startswith("HloModule"):
                module_name = line.split()[1].rstrip(",")
                continue
            m = _COMP_RE.match(line)
            if m:
                cur = (m.group(2), [], [None], no)
                if m.group(1):
                    entry = m.group(2)
            elif "=" in line and "{" not in line.split("=")[0] and "(" in line:
                _fail(no, raw, "instruction outside a computation")
            continue
        if line == "}":
            name, insts, root, start = cur
            if not insts:
                _fail(start, lines[start - 1], f"computation {name} is empty")
            comps.append(ir.Computation(name, tuple(insts), root[0] or insts[-1].name))
            cur = None
            continue
        try:
            inst, is_root = _parse_instruction(line, no)
        except ir.CompileError:
            raise
        except (ValueError, KeyError, IndexError) as e:
            _fail(no, raw, f"cannot parse instruction: {e}")
        cur[1].append(inst)
        if is_root:
            cur[2][0] = inst.name
    if cur is not None:
        _fail(cur[3], lines[cur[3] - 1], f"computation {cur[0]} is not closed with '}}'")
    if not comps:
        raise _Error("HLO text holds no computation")
    if entry is None:
        entry = comps[-1].name
    return ir.Module(module_name, tuple(comps), entry)
