"""f32x4 fast path for `convolution` when output features are the minor-most output dim.

Used by `ops/conv.py` for f32 convolutions whose output feature dim `f` is last in the
output's dim_labels (row-major, so features are contiguous) and whose filter's output feature
dim `o` is last too (the filter's features for one tap and input feature are contiguous).

For every output position (batch and spatial indices) the valid window range of each spatial
dim is computed once (no per-tap bounds checks; ranges that are in bounds for every output
position are compile-time constants), then each block of up to `BLOCK` f32x4 accumulators
(32 output features) runs over the window taps and input features:

* `depthwise` mode (one input and one output feature per group, input features minor-most,
  output features % 4 == 0): the input's feature vector is multiplied lane-wise by the
  filter's.
* `splat` mode (everything else, per group): each input value is splatted and multiplied by
  the filter's contiguous feature vectors; the last `per_group % 4` features of each group use
  scalar f32 accumulators.

lhs dilation (transposed convolution) keeps one divisibility test per tap of a dilated dim
(HLO semantics: a window element between dilated input elements contributes nothing).
Other dtypes, features not minor-most in the output or the filter, and empty operands return
False so the caller emits the generic kernel. The function's WAT starts with a `;; f32x4 fast
path` comment line.
"""

import dataclasses

from tools.hlo_wasm.kernel import add_i32, strides

# f32x4 accumulators per feature block: 8 x 4 = 32 output features stay in registers.
BLOCK = 8
_ZERO = "(i32.const 0)"
_VZERO = "(v128.const i32x4 0 0 0 0)"


@dataclasses.dataclass(frozen=True)
class Geometry:
    """A convolution's layout, window and grouping.

    Attributes:
      lhs_l: input dim_labels (`b`, `f`, spatial digits).
      rhs_l: filter dim_labels (`i`, `o`, spatial digits).
      out_l: output dim_labels.
      ls: positions of spatial dims 0, 1, ... in the input.
      rs: the same in the filter.
      os: the same in the output.
      window: `parse_window` dict (size, stride, pad, lhs_dilate, rhs_dilate per spatial dim).
      groups: feature_group_count.
      cin: input features per group (the filter's `i` size).
      per_group: output features per group.
    """

    lhs_l: str
    rhs_l: str
    out_l: str
    ls: tuple
    rs: tuple
    os: tuple
    window: dict
    groups: int
    cin: int
    per_group: int


@dataclasses.dataclass(frozen=True)
class _Pos:
    """One output position: batch index, per-spatial-dim (t, lo, count), output base index."""

    batch: str
    ranges: list
    obase: str


def mode(k, geo: Geometry) -> str | None:
    """`"depthwise"`, `"splat"` or None (use the generic kernel) for kernel `k`."""
    lhs, rhs = k.ins
    out = k.out
    if not lhs.shape.dtype == rhs.shape.dtype == out.shape.dtype == "f32":
        return None
    if geo.out_l[-1] != "f" or geo.rhs_l[-1] != "o":
        return None
    if min(lhs.shape.size, rhs.shape.size, out.shape.size) == 0:
        return None
    if geo.per_group == 1 and geo.cin == 1 and geo.lhs_l[-1] == "f" and out.shape.dims[-1] % 4 == 0:
        return "depthwise"
    return "splat"


def emit(k, geo: Geometry) -> bool:
    """Emits the fast path into kernel `k`; False (nothing emitted) when it does not apply."""
    m = mode(k, geo)
    if m is None:
        return False
    out = k.out
    k.emit(f";; f32x4 fast path ({m}): output features in blocks of {4 * BLOCK}, window range per position")

    def per_pos(idx):
        o = idx + [_ZERO]
        ranges = [_window_range(k, geo, s, o[geo.os[s]]) for s in range(len(geo.os))]
        obase = k.set("i32", _index(o, out.shape.dims), "obase")
        _features(k, geo, m, _Pos(o[geo.out_l.index("b")], ranges, obase))

    k.nest(out.shape.dims[:-1], per_pos, "o")
    return True


def _index(idx: list, dims) -> str:
    """Row-major linear index of `idx` (i32 expressions), leaving out constant-zero terms."""
    terms = []
    for i, s in zip(idx, strides(dims), strict=True):
        if i != _ZERO:
            terms.append(i if s == 1 else f"(i32.mul {i} (i32.const {s}))")
    return _sum(terms)


def _sum(terms: list) -> str:
    """i32 sum of expressions (`(i32.const 0)` when empty)."""
    return add_i32(*(t for t in terms if t != _ZERO))


def _window_range(k, geo: Geometry, s: int, o: str):
    """(t, lo, count) for spatial dim `s` at output coordinate `o`.

    Tap `kw` reads dilated input coordinate `t + kw * rhs_dilate` (HLO window semantics); the
    taps in `[lo, lo + count)` are the ones inside `[0, extent)`, extent being the
    lhs-dilated input size. `count` is an int when every output position sees the whole window.
    """
    lhs, rhs = k.ins
    w = geo.window
    stride, rd, pad = w["stride"][s], w["rhs_dilate"][s], w["pad"][s][0]
    size = rhs.shape.dims[geo.rs[s]]
    extent = (lhs.shape.dims[geo.ls[s]] - 1) * w["lhs_dilate"][s] + 1
    last = (k.out.shape.dims[geo.os[s]] - 1) * stride - pad
    t = k.set("i32", _sum([o if stride == 1 else f"(i32.mul {o} (i32.const {stride}))", f"(i32.const {-pad})"]), "t")
    if -pad >= 0 and last + (size - 1) * rd < extent:
        return t, _ZERO, size
    # lo = ceil(-t / rd) when t < 0; hi = min(size, ceil((extent - t) / rd)) when extent > t.
    neg = f"(i32.sub (i32.const {rd - 1}) {t})"
    lo = k.set("i32", f"(select {_div(neg, rd)} (i32.const 0) (i32.lt_s {t} (i32.const 0)))", "lo")
    u = k.set("i32", f"(i32.sub (i32.const {extent}) {t})", "u")
    a = k.set("i32", _div(_sum([u, f"(i32.const {rd - 1})"]), rd), "a")
    hi = f"(select {a} (i32.const {size}) (i32.lt_s {a} (i32.const {size})))"
    hi = f"(select {hi} (i32.const 0) (i32.gt_s {u} (i32.const 0)))"
    return t, lo, k.set("i32", f"(i32.sub {hi} {lo})", "n")


def _div(e: str, d: int) -> str:
    """Unsigned division by the constant `d` (operands selected only when non-negative)."""
    return e if d == 1 else f"(i32.div_u {e} (i32.const {d}))"


def _repeat(k, n: int, body, hint: str) -> None:
    """`body(i)` for i in range(n): a loop, or one inlined call when n == 1."""
    if n == 1:
        body(_ZERO)
    elif n > 1:
        k.loop(n, body, hint)


def _mul(e: str, n: int) -> str:
    """i32 `e * n` for a constant `n`, simplified."""
    if e == _ZERO or n == 0:
        return _ZERO
    return e if n == 1 else f"(i32.mul {e} (i32.const {n}))"


def _features(k, geo: Geometry, m: str, pos: _Pos) -> None:
    """All output features of one position: per group, full blocks then a tail block."""
    span = geo.per_group if m == "splat" else k.out.shape.dims[-1]
    groups = geo.groups if m == "splat" else 1
    full, tail = divmod(span, 4 * BLOCK)

    def per_group(grp):
        gf, cbase = _mul(grp, span), _mul(grp, geo.cin)
        _repeat(k, full, lambda fb: _block(k, geo, m, pos, _sum([gf, _mul(fb, 4 * BLOCK)]), cbase, BLOCK), "fb")
        if tail:
            f0 = _sum([gf, f"(i32.const {full * 4 * BLOCK})"])
            _block(k, geo, m, pos, f0, cbase, *divmod(tail, 4))

    _repeat(k, groups, per_group, "g")


def _block(k, geo: Geometry, m: str, pos: _Pos, f0: str, cbase: str, nv: int, nsc: int = 0) -> None:
    """Output features [f0, f0 + 4 nv + nsc) of one position: `nv` f32x4 and `nsc` f32 accumulators.

    Scalar accumulators (a feature count that is not a multiple of 4) occur in splat mode only.
    """
    lhs, rhs = k.ins
    out = k.out
    f0 = f0 if f0.startswith("(i32.const") else k.set("i32", f0, "f0")
    accs = [k.local("v128", f"acc{j}") for j in range(nv)]
    saccs = [k.local("f32", f"sacc{j}") for j in range(nsc)]
    for a in accs:
        k.emit(f"(local.set {a} {_VZERO})")
    for a in saccs:
        k.emit(f"(local.set {a} (f32.const 0))")
    lfs = strides(lhs.shape.dims)[geo.lhs_l.index("f")]
    ris = strides(rhs.shape.dims)[geo.rhs_l.index("i")]

    def at_tap(kws, ps):
        li = [_ZERO] * lhs.shape.rank
        li[geo.lhs_l.index("b")] = pos.batch
        for s, p in enumerate(ps):
            li[geo.ls[s]] = p
        ri = [_ZERO] * rhs.shape.rank
        for s, kw in enumerate(kws):
            ri[geo.rs[s]] = kw
        lrow = k.set("i32", _index(li, lhs.shape.dims), "lrow")
        rrow = k.set("i32", _sum([_index(ri, rhs.shape.dims), f0]), "rrow")

        def per_ci(ci):
            raddr = k.set("i32", f"(i32.shl {_sum([rrow, _mul(ci, ris)])} (i32.const 2))", "ra")
            if m == "splat":
                la = f"(i32.shl {_sum([lrow, _mul(_sum([cbase, ci]), lfs)])} (i32.const 2))"
                xs = k.set("f32", f"(f32.load offset={lhs.offset} {la})", "xs")
                x = k.set("v128", f"(f32x4.splat {xs})", "x") if accs else None
            laddr = f"(i32.shl {_sum([lrow, f0])} (i32.const 2))"
            for j, a in enumerate(accs):
                if m != "splat":
                    x = f"(v128.load offset={lhs.offset + 16 * j} {laddr})"
                wv = f"(v128.load offset={rhs.offset + 16 * j} {raddr})"
                k.emit(f"(local.set {a} {k.madd(x, wv, f'(local.get {a})')})")
            for j, a in enumerate(saccs):
                ws = f"(f32.load offset={rhs.offset + 16 * nv + 4 * j} {raddr})"
                k.emit(f"(local.set {a} (f32.add (local.get {a}) (f32.mul {xs} {ws})))")

        _repeat(k, geo.cin, per_ci, "ci")

    _taps(k, geo, pos.ranges, at_tap)
    oaddr = f"(i32.shl {_sum([pos.obase, f0])} (i32.const 2))"
    for j, a in enumerate(accs):
        k.emit(f"(v128.store offset={out.offset + 16 * j} {oaddr} (local.get {a}))")
    for j, a in enumerate(saccs):
        k.emit(f"(f32.store offset={out.offset + 16 * nv + 4 * j} {oaddr} (local.get {a}))")


def _taps(k, geo: Geometry, ranges: list, body) -> None:
    """Loops over the valid taps of every spatial dim; `body(kw indices, input coordinates)`."""
    w = geo.window

    def level(s, kws, ps):
        if s == len(ranges):
            body(kws, ps)
            return
        t, lo, count = ranges[s]
        rd, ld = w["rhs_dilate"][s], w["lhs_dilate"][s]

        def per_kw(v):
            kw = v if lo == _ZERO else k.set("i32", f"(i32.add {lo} {v})", "kw")
            e = _sum([t, _mul(kw, rd)])
            if ld > 1:
                e = k.set("i32", e, "pd")
                k.emit(f"(if (i32.eqz (i32.rem_u {e} (i32.const {ld}))) (then")
                k.fb.depth += 1
                e = f"(i32.div_u {e} (i32.const {ld}))"
            level(s + 1, kws + [kw], ps + [k.set("i32", e, "p")])
            if ld > 1:
                k.fb.depth -= 1
                k.emit("))")

        if isinstance(count, int):
            _repeat(k, count, per_kw, f"kw{s}")
        else:
            k.loop(count, per_kw, f"kw{s}")

    level(0, [], [])
