"""C for each kind of XLA:CPU runtime step (thunk), replacing XLA's thunk executor.

One emitter per thunk type, registered in `_EMITTERS`; each returns C statements. Semantics
follow `xla/backends/cpu/runtime/*_thunk.cc`: kernels run every workgroup (sequentially here;
they are independent), copies are `memcpy` or a layout-changing loop, dots are the HLO `dot`
with its dimension numbers, while/conditional/call run nested sequences.
"""

from collections.abc import Callable

from tools.xla_cc import dtypes, program


def ptr(s: program.Slice) -> str:
    """C expression for the first byte of a slice (`buf` holds each allocation's base)."""
    return f"(buf[{s.alloc}] + {s.offset})" if s.offset else f"buf[{s.alloc}]"


class Emitter:
    """Emits a thunk sequence; `kernel_names` maps XLA symbols to the C names to call."""

    def __init__(self, kernel_names: dict[str, str], status_failed: str, launch: str):
        self.kernel_names = kernel_names
        self.status_failed = status_failed
        self.launch = launch

    def sequence(self, thunks: tuple[program.Thunk, ...], indent: str) -> list[str]:
        """C statements running `thunks` in order."""
        lines = []
        for t in thunks:
            lines.extend(_EMITTERS[type(t)](self, t, indent))
        return lines


def _kernel(e: Emitter, t: program.KernelThunk, i: str) -> list[str]:
    args = ", ".join(f"{{(uint64_t)(uintptr_t){ptr(s)}, {s.size}u}}" for s in t.args)
    x, y, z = t.workgroups
    return [
        f"{i}{{ /* kernel {t.name} */",
        f"{i}  const xla_cc_arg args[{len(t.args)}] = {{{args}}};",
        (
            f"{i}  if ({e.launch}({e.kernel_names[t.symbol]}, args, {len(t.args)}, "
            f"{x}, {y}, {z})) return {e.status_failed};"
        ),
        f"{i}}}",
    ]


def _elements(shape: program.Shape) -> str:
    return dtypes.lookup(shape.dtype).c_type


def _loops(dims: tuple[int, ...], var: str, i: str) -> tuple[list[str], str]:
    """Nested `for` loops over `dims` with index variables var0.. and the body indent."""
    lines = []
    for d, n in enumerate(dims):
        lines.append(f"{i}{'  ' * d}for (uint64_t {var}{d} = 0; {var}{d} < {n}u; ++{var}{d})")
    return lines, i + "  " * len(dims)


def _offset(strides: tuple[int, ...], indices: list[str]) -> str:
    terms = [f"{idx} * {st}u" for idx, st in zip(indices, strides, strict=False) if st]
    return " + ".join(terms) or "0"


def _copy(e: Emitter, t: program.CopyThunk, i: str) -> list[str]:
    if t.src_shape.strides() == t.dst_shape.strides() or t.src_shape.count <= 1:
        if t.src == t.dst:
            return [f"{i}/* copy {t.name}: in place */"]
        return [f"{i}__builtin_memmove({ptr(t.dst)}, {ptr(t.src)}, {t.dst.size}u); /* {t.name} */"]
    c = _elements(t.dst_shape)
    idx = [f"i{d}" for d in range(len(t.dst_shape.dims))]
    loops, body = _loops(t.dst_shape.dims, "i", i + "  ")
    src_off = _offset(t.src_shape.strides(), idx)
    dst_off = _offset(t.dst_shape.strides(), idx)
    return [
        f"{i}{{ /* copy {t.name}: layout change */",
        f"{i}  const {c}* src = (const {c}*){ptr(t.src)};",
        f"{i}  {c}* dst = ({c}*){ptr(t.dst)};",
        *loops,
        f"{body}dst[{dst_off}] = src[{src_off}];",
        f"{i}}}",
    ]


def _dot_indices(t: program.DotThunk) -> tuple[list[str], list[str], list[int]]:
    """HLO dot semantics: result dims are batch, lhs free, rhs free (in dimension order)."""
    nb = len(t.lhs_batch)
    lhs_free = [d for d in range(len(t.lhs_shape.dims)) if d not in t.lhs_batch + t.lhs_contracting]
    rhs_free = [d for d in range(len(t.rhs_shape.dims)) if d not in t.rhs_batch + t.rhs_contracting]
    lhs, rhs = [""] * len(t.lhs_shape.dims), [""] * len(t.rhs_shape.dims)
    for j, (ld, rd) in enumerate(zip(t.lhs_batch, t.rhs_batch, strict=False)):
        lhs[ld] = rhs[rd] = f"o{j}"
    for j, (ld, rd) in enumerate(zip(t.lhs_contracting, t.rhs_contracting, strict=False)):
        lhs[ld] = rhs[rd] = f"k{j}"
    for j, d in enumerate(lhs_free):
        lhs[d] = f"o{nb + j}"
    for j, d in enumerate(rhs_free):
        rhs[d] = f"o{nb + len(lhs_free) + j}"
    contracting = [t.lhs_shape.dims[d] for d in t.lhs_contracting]
    return lhs, rhs, contracting


def _loop_range(dims, names: list[str], indent: str) -> tuple[list[str], str]:
    lines = []
    for n, (size, name) in enumerate(zip(dims, names, strict=False)):
        lines.append(f"{indent}{'  ' * n}for (uint64_t {name} = 0; {name} < {size}u; ++{name})")
    return lines, indent + "  " * len(names)


def _dot(e: Emitter, t: program.DotThunk, i: str) -> list[str]:
    # Loop order batch, lhs free, contracting, rhs free: the innermost loop walks rows of a
    # row-major rhs and output so compilers vectorize it; each output element still sums its
    # products in contracting-index order, as the dot-product form would.
    c = _elements(t.out_shape)
    lhs_idx, rhs_idx, contracting = _dot_indices(t)
    n_out = len(t.out_shape.dims)
    n_rhs_free = len(t.rhs_shape.dims) - len(t.rhs_batch) - len(t.rhs_contracting)
    outer = [f"o{d}" for d in range(n_out - n_rhs_free)]
    inner_names = [f"o{d}" for d in range(n_out - n_rhs_free, n_out)]
    inner_dims = t.out_shape.dims[n_out - n_rhs_free :]
    out_at = f"out[{_offset(t.out_shape.strides(), [f'o{d}' for d in range(n_out)])}]"
    outer_loops, body = _loop_range(t.out_shape.dims, outer, i + "  ")
    zero_loops, zero_body = _loop_range(inner_dims, inner_names, body + "  ")
    k_loops, k_body = _loop_range(contracting, [f"k{d}" for d in range(len(contracting))], body + "  ")
    r_loops, r_body = _loop_range(inner_dims, inner_names, k_body)
    product = f"lhs[{_offset(t.lhs_shape.strides(), lhs_idx)}] * rhs[{_offset(t.rhs_shape.strides(), rhs_idx)}]"
    return [
        f"{i}{{ /* dot {t.name} */",
        f"{i}  const {c}* restrict lhs = (const {c}*){ptr(t.lhs)};",
        f"{i}  const {c}* restrict rhs = (const {c}*){ptr(t.rhs)};",
        f"{i}  {c}* restrict out = ({c}*){ptr(t.out)};",
        *outer_loops,
        f"{body}{{",
        *zero_loops,
        f"{zero_body}{out_at} = 0;",
        *k_loops,
        *r_loops,
        f"{r_body}{out_at} += {product};",
        f"{body}}}",
        f"{i}}}",
    ]


def _while(e: Emitter, t: program.WhileThunk, i: str) -> list[str]:
    if t.trip_count is not None:
        # WhileThunk with a known trip count runs the body only (while_thunk.cc).
        return [
            f"{i}for (int64_t trip = 0; trip < {t.trip_count}; ++trip) {{ /* while {t.name} */",
            *e.sequence(t.body, i + "  "),
            f"{i}}}",
        ]
    return [
        f"{i}for (;;) {{ /* while {t.name} */",
        *e.sequence(t.cond, i + "  "),
        f"{i}  if (!*(const uint8_t*){ptr(t.pred)}) break;",
        *e.sequence(t.body, i + "  "),
        f"{i}}}",
    ]


def _conditional(e: Emitter, t: program.ConditionalThunk, i: str) -> list[str]:
    n = len(t.branches)
    if t.index_dtype == "pred":
        # HLO: a PRED selects branch 0 (true_computation) when true, else branch 1.
        select = f"*(const uint8_t*){ptr(t.index)} ? 0 : 1"
    else:
        select = f"*(const int32_t*){ptr(t.index)}"
    lines = [f"{i}{{ /* conditional {t.name} */", f"{i}  int32_t branch = {select};"]
    # HLO: an out-of-range S32 index executes the last branch.
    lines.append(f"{i}  if (branch < 0 || branch >= {n}) branch = {n - 1};")
    lines.append(f"{i}  switch (branch) {{")
    for b, seq in enumerate(t.branches):
        lines.append(f"{i}    case {b}: {{")
        lines.extend(e.sequence(seq, i + "      "))
        lines.append(f"{i}      break;")
        lines.append(f"{i}    }}")
    lines.append(f"{i}  }}")
    lines.append(f"{i}}}")
    return lines


def _call(e: Emitter, t: program.CallThunk, i: str) -> list[str]:
    return [f"{i}/* call {t.name} */", *e.sequence(t.body, i)]


_EMITTERS: dict[type, Callable[[Emitter, object, str], list[str]]] = {
    program.KernelThunk: _kernel,
    program.CopyThunk: _copy,
    program.DotThunk: _dot,
    program.WhileThunk: _while,
    program.ConditionalThunk: _conditional,
    program.CallThunk: _call,
}
