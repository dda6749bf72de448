"""f32 dot as a register-blocked f32x4 GEMM (issue 7).

Every f32 dot whose batch, free and contracting dims each reduce to one strided dim (adjacent
dims merge when contiguous) becomes, per batch index, `C[m,n] = A[m,k] @ B[k,n]` with element
strides read in place: either operand's contracting dim may be minor or major (transposes
folded by `passes/dot_transpose.py` arrive as strides, never copies).

The microkernel holds a tile of C (`TILE` rows x `4*NV` columns) in f32x4 locals and loops
over k: load NV vectors of B's row k, splat `A[i+r, k]` (`f32x4.splat` of an f32 load, or
lanes of one vector load when A is contiguous along m) and multiply-add. Remaining
rows take the same kernel with fewer rows; remaining columns take 4-wide vectors, then one
vector whose lanes past B's row are masked to zeros (or scalar f32 columns when that read could
leave linear memory). When B's column panel is strided (B's contracting dim minor) or B's rows
are 1 KiB or longer (power-of-two strides crowd a panel into few L1 sets), the panel is packed
once into scratch as `[k][4*NV]` and reused by every row block. Long contractions are cut into
`KC` blocks (C zeroed, then accumulated) so a packed panel stays in cache. Matrix-vector
products (one free size 1, both contracting dims minor) run f32x4 dot products, four rows at a
time.

With `k.relaxed_simd`, multiply-adds are `f32x4.relaxed_madd` (one FMA instruction where the
host has it; the relaxed-SIMD proposal lets the engine round once or twice).
"""

import dataclasses
import math

from tools.hlo_wasm import ir
from tools.hlo_wasm.kernel import add_i32, strides

NV = 4  # f32x4 vectors of C per tile row
# (rows of C per tile, k steps per loop iteration, k step by column) by mode, measured under
# wasmtime 50 (Cranelift holds 16 XMM registers and loads all of a loop body's values first)
# and checked in Node 20 (V8 11.3): mul+add runs best with 2x16 tiles (8 accumulators, no
# spills; the add's short latency keeps 8 chains busy), FMA with 4x16 tiles, k unrolled by two
# (16 chains hide its longer latency, despite spilled accumulators). By column (`_step`): both
# rows' splats, then one B vector at a time, is faster in both engines for mul+add (V8: 15%-50%,
# wasmtime: 2%-4%) but 8% slower under wasmtime for the 4x16 FMA tile, which goes row by row.
TILE = {False: (2, 1, True), True: (4, 2, False)}
# FMA tiles when A's rows lie a multiple of 4 KiB apart (A[k] rows of 1024, 2048... floats):
# four rows' A values then share one L1 set (4 KiB per way), and the 4x16 tile ran 1.5x slower
# than 2x16 under both engines (wasmtime: 1024^2 92 -> 62 ms, 256x1024 @ 1024x1024 23 -> 16 ms);
# at other strides (1, 2, 3 KiB) the 4x16 tile stays 10-15% faster under wasmtime.
TILE_A_4K = (2, 1, True)
_SET_BYTES = 4096
KC = 256  # contraction block (elements) when K is long
_PACK_ROW_BYTES = 1024  # B rows at least this long are packed (a power-of-two stride maps
# a k x 16 panel onto few L1 sets; packed, it is contiguous)
_ZERO = "(v128.const i32x4 0 0 0 0)"
_PAGE = 65536  # WebAssembly page (linear memory is sized in pages)


@dataclasses.dataclass(frozen=True)
class Gemm:
    """A dot as `batch x (C[m,n] = A[m,k] @ B[k,n])` with element strides.

    Attributes:
      batch: (size, lhs stride, rhs stride, out stride) per batch dim with size > 1.
      m, n, k: sizes; `n` is C's minor dim (C is row-major [m, n] per batch).
      a_m, a_k: lhs element strides of the m and k dims.
      b_k, b_n: rhs element strides of the k and n dims.
      swapped: the operands were exchanged (A is the HLO rhs), see `analyse`.
    """

    batch: tuple
    m: int
    n: int
    k: int
    a_m: int
    a_k: int
    b_k: int
    b_n: int
    swapped: bool = False

    @property
    def matvec(self) -> bool:
        """One free size is 1 and both operands are contiguous along k: dot products."""
        return self.n == 1 and self.a_k == 1 and self.b_k == 1 and self.k >= 4

    @property
    def kc(self) -> int:
        """The contraction block length."""
        return self.k if self.k <= 2 * KC else KC

    @property
    def pack(self) -> bool:
        """Whether B's column panels are packed into scratch."""
        if self.matvec or self.n < 4:
            return False
        if self.b_n != 1:
            return True
        return self.b_k * 4 >= _PACK_ROW_BYTES and self.m > 4

    @property
    def scratch_bytes(self) -> int:
        """Scratch needed: one packed panel."""
        return self.kc * 4 * NV * 4 if self.pack else 0


def _merge(dims: list) -> tuple[int, int] | None:
    """(size, stride) of adjacent dims `[(size, stride), ...]` as one dim, or None."""
    dims = [d for d in dims if d[0] != 1]
    if not dims:
        return 1, 0
    for (_, s0), (n1, s1) in zip(dims, dims[1:], strict=False):
        if s0 != s1 * n1:
            return None
    return math.prod(n for n, _ in dims), dims[-1][1]


def analyse(inst: ir.Instruction, lhs: ir.Shape, rhs: ir.Shape) -> Gemm | None:
    """The GEMM form of an f32 dot, or None when it has none (the generic kernel runs)."""
    if not inst.shape.dtype == lhs.dtype == rhs.dtype == "f32" or inst.shape.size == 0:
        return None
    lb = inst.attr("lhs_batch_dims", ())
    lc = inst.attr("lhs_contracting_dims", ())
    rb = inst.attr("rhs_batch_dims", ())
    rc = inst.attr("rhs_contracting_dims", ())
    ls, rs = strides(lhs.dims), strides(rhs.dims)
    lf = [d for d in range(lhs.rank) if d not in lb and d not in lc]
    rf = [d for d in range(rhs.rank) if d not in rb and d not in rc]
    mm = _merge([(lhs.dims[d], ls[d]) for d in lf])
    nn = _merge([(rhs.dims[d], rs[d]) for d in rf])
    ka = _merge([(lhs.dims[d], ls[d]) for d in lc])
    kb = _merge([(rhs.dims[d], rs[d]) for d in rc])
    if None in (mm, nn, ka, kb) or ka[0] == 0:  # an empty contraction: zeros, generic kernel
        return None
    # Both operands' contracting dims must merge in the same pairing order.
    pairs = [(lhs.dims[a], ls[a], rs[b]) for a, b in zip(lc, rc, strict=True) if lhs.dims[a] != 1]
    for (_, la, ra), (n1, la1, ra1) in zip(pairs, pairs[1:], strict=False):
        if la != la1 * n1 or ra != ra1 * n1:
            return None
    m, a_m = mm
    n, b_n = nn
    k, a_k = ka
    b_k = kb[1]
    os = strides(inst.shape.dims)
    batch = tuple(
        (lhs.dims[a], ls[a], rs[b], os[t]) for t, (a, b) in enumerate(zip(lb, rb, strict=True)) if lhs.dims[a] != 1
    )
    g = Gemm(batch, m, n, k, a_m, a_k, b_k, b_n)
    if m == 1 and n > 1 and b_n != 1:
        # A row vector times B with strided columns: C^T = B^T @ A^T reads B's columns as
        # rows (dot products when contiguous); C's layout is unchanged since m == 1.
        g = Gemm(_swap_batch(batch), n, 1, k, b_n, b_k, a_k, 0, swapped=True)
    elif n == 1 and m > 1 and a_m == 1 and a_k != 1:
        # A^T stored row-major times a vector: C^T = B^T @ A^T reads A's rows as vectors.
        g = Gemm(_swap_batch(batch), 1, m, k, 0, b_k, a_k, 1, swapped=True)
    return g


def _swap_batch(batch: tuple) -> tuple:
    return tuple((size, rs, ls, os) for size, ls, rs, os in batch)


def scratch(inst: ir.Instruction, shapes: list[ir.Shape]) -> int:
    """Scratch bytes the dot needs (a packed B panel), 0 when none."""
    g = analyse(inst, *shapes)
    return g.scratch_bytes if g else 0


class _Emit:
    """Emits one GEMM; `a`, `b`, `c` are linear-memory leaf offsets plus batch base locals."""

    def __init__(self, k, g: Gemm, a_off: int, b_off: int, c_off: int, b_bytes: int):
        self.k, self.g = k, g
        self.a_off, self.b_off, self.c_off = a_off, b_off, c_off
        self.pad_ok = _may_read_past(b_off + b_bytes, k.plan.size)
        self.relaxed = k.relaxed_simd
        self.mr, self.unroll, self.by_column = TILE[self.relaxed]
        if self.relaxed and g.a_m * 4 % _SET_BYTES == 0:
            self.mr, self.unroll, self.by_column = TILE_A_4K
        self.pool: dict = {}

    def var(self, wtype: str, name: str) -> str:
        """A local reused across tiles (keeps the function's local count small)."""
        if name not in self.pool:
            self.pool[name] = self.k.local(wtype, name)
        return self.pool[name]

    def emit(self, line: str) -> None:
        self.k.emit(line)

    def loop(self, count: int, body, hint: str) -> None:
        """`for v in range(count)` with `body(v_local)`; one pass inlined when count == 1."""
        if count <= 0:
            return
        if count == 1:
            body(None)
            return
        v = self.k.local("i32", hint)
        self.emit(f"(local.set {v} (i32.const 0))")
        self.emit(f"(loop {v}_top")
        self.k.fb.depth += 1
        body(v)
        nxt = f"(local.tee {v} (i32.add (local.get {v}) (i32.const 1)))"
        self.emit(f"(br_if {v}_top (i32.lt_u {nxt} (i32.const {count})))")
        self.k.fb.depth -= 1
        self.emit(")")


def _may_read_past(end: int, planned_bytes: int) -> bool:
    """Whether 16 bytes from `end` lie inside linear memory (pages holding `planned_bytes`).

    A partial vector of B's last row reads up to 12 bytes past B; its pad lanes are masked to
    zeros and never stored.
    """
    return end + 16 <= max(1, -(-planned_bytes // _PAGE)) * _PAGE


def _scaled(v: str | None, n: int) -> str | int:
    """`v * n` for a loop local (None means 0)."""
    if v is None or n == 0:
        return 0
    if n == 1:
        return f"(local.get {v})"
    if n & (n - 1) == 0:
        return f"(i32.shl (local.get {v}) (i32.const {n.bit_length() - 1}))"
    return f"(i32.mul (local.get {v}) (i32.const {n}))"


def emit(k, g: Gemm, lhs, rhs, out) -> None:
    """Emits the GEMM `g` reading `lhs`/`rhs` and writing `out` (Leafs)."""
    if g.swapped:
        lhs, rhs = rhs, lhs
    e = _Emit(k, g, lhs.offset, rhs.offset, out.offset, rhs.shape.nbytes)
    k.emit(f";; f32x4 gemm: m={g.m} n={g.n} k={g.k} a=({g.a_m},{g.a_k}) b=({g.b_k},{g.b_n})")
    k.emit(f";;   {'matvec' if g.matvec else f'{e.mr}x{4 * NV} tiles'}, kc={g.kc}, pack={g.pack}")
    ab, bb, cb = e.var("i32", "a_base"), e.var("i32", "b_base"), e.var("i32", "c_base")

    def per_batch(level: int, terms: tuple):
        if level == len(g.batch):
            for v, t in zip((ab, bb, cb), terms, strict=True):
                k.emit(f"(local.set {v} {add_i32(*t)})")
            if g.matvec:
                _matvec(e)
            else:
                _gemm(e)
            return
        size, ls, rs, os = g.batch[level]

        def body(v):
            ts = tuple(t + (_scaled(v, 4 * s),) for t, s in zip(terms, (ls, rs, os), strict=True))
            per_batch(level + 1, ts)

        e.loop(size, body, f"batch{level}")

    if g.kc < g.k:  # blocks accumulate into C
        k.emit(f"(memory.fill (i32.const {out.offset}) (i32.const 0) (i32.const {out.shape.nbytes}))")
    per_batch(0, ((), (), ()))


def _gemm(e: _Emit) -> None:
    g = e.g
    nr = 4 * NV
    blocked = g.kc < g.k
    nkb = -(-g.k // g.kc)

    def per_kblock(kb):
        kk0 = _scaled(kb, g.kc)
        last = g.k - (nkb - 1) * g.kc
        if nkb == 1 or g.k % g.kc == 0:
            kcount = g.kc if nkb > 1 else g.k
        else:  # a ragged last block: count known only at run time
            kcount = None
        kexpr = (
            f"(select (i32.const {last}) (i32.const {g.kc}) (i32.eq (local.get {kb}) (i32.const {nkb - 1})))"
            if kcount is None
            else kcount
        )
        npanels = g.n // nr

        def per_panel(jp):
            j0 = _scaled(jp, nr)
            _panel(e, kk0, kexpr, j0, [("v", 4 * v, 4) for v in range(NV)], blocked)

        e.loop(npanels, per_panel, "jp")
        rem = g.n - npanels * nr
        if rem:
            cols = [("v", 4 * v, 4) for v in range(rem // 4)]
            # One vector with rem % 4 live lanes: B's lanes past the row are zeros, read from
            # a zero-padded packed panel, or loaded from a contiguous row and masked.
            if rem % 4 and ((g.pack and g.b_n != 1) or (g.b_n == 1 and e.pad_ok)):
                cols.append(("v", rem // 4 * 4, rem % 4))
            else:
                cols += [("s", c, 1) for c in range(rem // 4 * 4, rem)]
            _panel(e, kk0, kexpr, npanels * nr, cols, blocked)

    e.loop(nkb, per_kblock, "kb")


def _panel(e: _Emit, kk0, kexpr, j0, cols: list, accumulate: bool) -> None:
    """C[:, j0 + cols] (+)= A[:, kk0:kk0+kexpr] @ B[kk0:.., j0 + cols]."""
    g, k = e.g, e.k
    a_base, b_base, c_base = e.pool["a_base"], e.pool["b_base"], e.pool["c_base"]
    # Byte address (without the leaf offset) of A[0, kk0], B[kk0, j0], C[0, j0].
    a0 = e.var("i32", "a0")
    b0 = e.var("i32", "b0")
    c0 = e.var("i32", "c0")
    k.emit(f"(local.set {a0} {add_i32(f'(local.get {a_base})', _mul4(kk0, g.a_k))})")
    k.emit(f"(local.set {b0} {add_i32(f'(local.get {b_base})', _mul4(kk0, g.b_k), _mul4(j0, g.b_n))})")
    k.emit(f"(local.set {c0} {add_i32(f'(local.get {c_base})', _mul4(j0, 1))})")
    nvec = sum(1 for kind, _, _ in cols if kind == "v")
    live = sum(lanes for kind, _, lanes in cols if kind == "v")
    # Vector columns read B directly (contiguous along n) or from the packed panel.
    if g.pack and nvec:
        width = 4 * nvec
        _pack(e, b0, kexpr, width, live)
        vsrc = (e.k.scratch(), None, width * 4)  # (leaf offset, base local, row bytes)
    else:
        vsrc = (e.b_off, b0, g.b_k * 4)
    ssrc = (e.b_off, b0, g.b_k * 4)
    mr = e.mr
    nfull = g.m // mr

    def per_rows(ib, rows):
        i0 = _scaled(ib, mr)
        _tile(e, rows, cols, i0, a0, c0, vsrc, ssrc, kexpr, accumulate)

    e.loop(nfull, lambda ib: per_rows(ib, mr), "ib")
    if g.m % mr:
        _tile(e, g.m % mr, cols, nfull * mr, a0, c0, vsrc, ssrc, kexpr, accumulate)


def _mul4(v, n: int):
    """Byte offset `4 * n * v` where `v` is an int or an i32 expression/int from `_scaled`."""
    if isinstance(v, int):
        return 4 * n * v
    if n == 0:
        return 0
    if 4 * n & (4 * n - 1):
        return f"(i32.mul {v} (i32.const {4 * n}))"
    return f"(i32.shl {v} (i32.const {(4 * n).bit_length() - 1}))"


def _tile(e: _Emit, rows: int, cols: list, i0, a0: str, c0: str, vsrc, ssrc, kexpr, accumulate: bool) -> None:
    """One tile: C[i0:i0+rows, cols] over the k block, accumulators in locals."""
    g, k = e.g, e.k
    pa, pb, ps, cnt = e.var("i32", "pa"), e.var("i32", "pb"), e.var("i32", "ps"), e.var("i32", "kcnt")
    ca = e.var("i32", "ca")
    k.emit(f"(local.set {pa} {add_i32(f'(local.get {a0})', _mul4(i0, g.a_m))})")
    k.emit(f"(local.set {ca} {add_i32(f'(local.get {c0})', _mul4(i0, g.n))})")
    voff, vbase, vstep = vsrc
    soff, sbase, sstep = ssrc
    k.emit(f"(local.set {pb} {f'(local.get {vbase})' if vbase else '(i32.const 0)'})")
    has_s = any(kind == "s" for kind, _, _ in cols)
    if has_s:
        k.emit(f"(local.set {ps} (local.get {sbase}))")
    accs = {}
    for r in range(rows):
        for t, (kind, _, _) in enumerate(cols):
            wt = "v128" if kind == "v" else "f32"
            accs[r, t] = e.var(wt, f"acc{r}_{t}{kind}")
            init = _ZERO if kind == "v" else "(f32.const 0)"
            k.emit(f"(local.set {accs[r, t]} {init})")
    counts = {g.k % g.kc or g.kc, min(g.k, g.kc)}
    unroll = e.unroll if all(n % e.unroll == 0 for n in counts) else 1
    # A's values reach the splats as one vector of the tile's four rows at one k (A contiguous
    # along m: one load and four pshufd) or as one f32 load each. (Four k steps of one row as
    # a vector, for A contiguous along k, measured slower: more live registers.)
    amode = "rows" if g.a_m == 1 and rows == 4 else "f32"
    n = kexpr if isinstance(kexpr, str) else f"(i32.const {kexpr})"
    if unroll > 1:
        n = f"(i32.shr_u {n} (i32.const {unroll.bit_length() - 1}))"
    k.emit(f"(local.set {cnt} {n})")
    k.emit(f"(loop {cnt}_top")
    k.fb.depth += 1
    av = {}
    for u in range(unroll):
        aoff = e.a_off + u * 4 * g.a_k
        if amode == "rows":
            av[u] = e.var("v128", f"acol{u}")
            k.emit(f"(local.set {av[u]} (v128.load offset={aoff} (local.get {pa})))")

        def splat(r, u=u, aoff=aoff):
            if amode == "rows":
                return _lane_splat(f"(local.get {av[u]})", r)
            # Not v128.load32_splat: Cranelift makes that a GPR load, a move and a broadcast.
            return f"(f32x4.splat (f32.load offset={aoff + 4 * r * g.a_m} (local.get {pa})))"

        vs = (voff + u * vstep, pb, vbase is not None)
        _step(e, rows, cols, accs, vs, (soff + u * sstep, ps), aoff, pa, splat)
    k.emit(f"(local.set {pa} (i32.add (local.get {pa}) (i32.const {4 * g.a_k * unroll})))")
    k.emit(f"(local.set {pb} (i32.add (local.get {pb}) (i32.const {vstep * unroll})))")
    if has_s:
        k.emit(f"(local.set {ps} (i32.add (local.get {ps}) (i32.const {sstep * unroll})))")
    k.emit(f"(br_if {cnt}_top (local.tee {cnt} (i32.sub (local.get {cnt}) (i32.const 1)))))")
    k.fb.depth -= 1
    for r in range(rows):
        for t, (kind, col, lanes) in enumerate(cols):
            off = e.c_off + 4 * (r * g.n + col)
            acc = f"(local.get {accs[r, t]})"
            if kind == "v" and lanes < 4:
                for lane in range(lanes):
                    x = f"(f32x4.extract_lane {lane} {acc})"
                    if accumulate:
                        x = f"(f32.add (f32.load offset={off + 4 * lane} (local.get {ca})) {x})"
                    k.emit(f"(f32.store offset={off + 4 * lane} (local.get {ca}) {x})")
            elif kind == "v":
                if accumulate:
                    acc = f"(f32x4.add (v128.load offset={off} (local.get {ca})) {acc})"
                k.emit(f"(v128.store offset={off} (local.get {ca}) {acc})")
            else:
                if accumulate:
                    acc = f"(f32.add (f32.load offset={off} (local.get {ca})) {acc})"
                k.emit(f"(f32.store offset={off} (local.get {ca}) {acc})")


def _lane_mask(lanes: int) -> str:
    """A v128 with all bits set in the first `lanes` f32 lanes, zeros after."""
    return "(v128.const i32x4 " + " ".join("-1" if t < lanes else "0" for t in range(4)) + ")"


def _lane_splat(v: str, lane: int) -> str:
    """f32 lane `lane` of v128 `v` in all four lanes (one pshufd)."""
    idx = " ".join(str(4 * lane + b) for _ in range(4) for b in range(4))
    return f"(i8x16.shuffle {idx} {v} {v})"


def _step(e: _Emit, rows: int, cols: list, accs: dict, vsrc, ssrc, a_off: int, pa: str, splat) -> None:
    """One k step of a tile: B's row (vectors, scalar columns) times A's column, accumulated.

    With more than one row, B's values are read once into locals, not once per row: V8
    (TurboFan) does not merge repeated loads of one address, and the copies held in registers
    spill accumulators (Cranelift merges them either way).
    """
    g, k = e.g, e.k
    (voff, pb, direct), (soff, ps) = vsrc, ssrc
    has_s = any(kind == "s" for kind, _, _ in cols)

    def b_vector(col: int, lanes: int) -> str:
        x = f"(v128.load offset={voff + 4 * col} (local.get {pb}))"
        if lanes < 4 and direct:  # lanes past the row: zeros (packed panels are zeroed)
            x = f"(v128.and {x} {_lane_mask(lanes)})"
        return x

    if e.by_column and rows > 1 and not has_s:
        _step_by_column(e, rows, cols, accs, b_vector, splat)
        return
    bv = {}
    for t, (kind, col, lanes) in enumerate(cols):
        if kind == "v":
            x = b_vector(col, lanes)
            if rows == 1:
                bv[t] = x
                continue
            loc = e.var("v128", f"bv{t}")
        else:
            x = f"(f32.load offset={soff + 4 * col * g.b_n} (local.get {ps}))"
            loc = e.var("f32", f"bs{t}")
        k.emit(f"(local.set {loc} {x})")
        bv[t] = f"(local.get {loc})"
    for r in range(rows):
        aoff = a_off + 4 * r * g.a_m
        if any(kind == "v" for kind, _, _ in cols):
            sv = e.var("v128", "splat")
            k.emit(f"(local.set {sv} {splat(r)})")
        if has_s:
            sf = e.var("f32", "ascalar")
            k.emit(f"(local.set {sf} (f32.load offset={aoff} (local.get {pa})))")
        for t, (kind, _, _) in enumerate(cols):
            acc = accs[r, t]
            if kind == "v":
                k.emit(f"(local.set {acc} {k.madd(f'(local.get {sv})', bv[t], f'(local.get {acc})')})")
            else:
                k.emit(f"(local.set {acc} (f32.add (local.get {acc}) (f32.mul (local.get {sf}) {bv[t]})))")


def _step_by_column(e: _Emit, rows: int, cols: list, accs: dict, b_vector, splat) -> None:
    """A k step by column: every row's splat, then per B vector its load and the rows' updates.

    Fewer values are live than row by row with all of B's vectors loaded: the splats and one
    B vector besides the accumulators.
    """
    k = e.k
    svs = [e.var("v128", f"splat{r}") for r in range(rows)]
    for r, sv in enumerate(svs):
        k.emit(f"(local.set {sv} {splat(r)})")
    for t, (_, col, lanes) in enumerate(cols):
        bv = e.var("v128", f"bv{t}")
        k.emit(f"(local.set {bv} {b_vector(col, lanes)})")
        for r, sv in enumerate(svs):
            acc = accs[r, t]
            k.emit(f"(local.set {acc} {k.madd(f'(local.get {sv})', f'(local.get {bv})', f'(local.get {acc})')})")


def _pack(e: _Emit, b0: str, kexpr, width: int, live: int) -> None:
    """Copies B[kk0:kk0+kexpr, j0:j0+live] (from byte address b0) to scratch as [k][width].

    Columns `live..width` (the pad of a partial vector) are zeros.
    """
    g, k = e.g, e.k
    dst, src, cnt = e.var("i32", "pk_dst"), e.var("i32", "pk_src"), e.var("i32", "pk_cnt")
    scratch = k.scratch()
    k.emit(f";; pack B's panel: {width} columns, row stride {g.b_k}, column stride {g.b_n}")
    k.emit(f"(local.set {dst} (i32.const 0))")
    k.emit(f"(local.set {src} (local.get {b0}))")
    k.emit(f"(local.set {cnt} {kexpr if isinstance(kexpr, str) else f'(i32.const {kexpr})'})")
    k.emit(f"(loop {cnt}_top")
    k.fb.depth += 1
    if g.b_n == 1:
        for v in range(width // 4):
            x = f"(v128.load offset={e.b_off + 16 * v} (local.get {src}))"
            if live < 4 * v + 4:
                x = f"(v128.and {x} {_lane_mask(live - 4 * v)})"
            k.emit(f"(v128.store offset={scratch + 16 * v} (local.get {dst}) {x})")
    else:
        for j in range(width):
            x = f"(f32.load offset={e.b_off + 4 * j * g.b_n} (local.get {src}))" if j < live else "(f32.const 0)"
            k.emit(f"(f32.store offset={scratch + 4 * j} (local.get {dst}) {x})")
    k.emit(f"(local.set {dst} (i32.add (local.get {dst}) (i32.const {4 * width})))")
    k.emit(f"(local.set {src} (i32.add (local.get {src}) (i32.const {4 * g.b_k})))")
    k.emit(f"(br_if {cnt}_top (local.tee {cnt} (i32.sub (local.get {cnt}) (i32.const 1)))))")
    k.fb.depth -= 1


def _matvec(e: _Emit) -> None:
    """C[i] = A[i, :] . B[:] with f32x4 dot products, up to four rows at a time."""
    g, k = e.g, e.k
    a_base, b_base, c_base = e.pool["a_base"], e.pool["b_base"], e.pool["c_base"]
    main = g.k // 4

    def rows_at(ib, rows):
        i0 = _scaled(ib, 4) if ib is not None else 0
        pa, pb, cnt = e.var("i32", "pa"), e.var("i32", "pb"), e.var("i32", "kcnt")
        k.emit(f"(local.set {pa} {add_i32(f'(local.get {a_base})', _mul4(i0, g.a_m))})")
        k.emit(f"(local.set {pb} (local.get {b_base}))")
        accs = [e.var("v128", f"dacc{r}") for r in range(rows)]
        for a in accs:
            k.emit(f"(local.set {a} {_ZERO})")
        if main:
            k.emit(f"(local.set {cnt} (i32.const {main}))")
            k.emit(f"(loop {cnt}_top")
            k.fb.depth += 1
            bv = e.var("v128", "bvec")
            k.emit(f"(local.set {bv} (v128.load offset={e.b_off} (local.get {pb})))")
            for r, a in enumerate(accs):
                av = f"(v128.load offset={e.a_off + 4 * r * g.a_m} (local.get {pa}))"
                k.emit(f"(local.set {a} {k.madd(av, f'(local.get {bv})', f'(local.get {a})')})")
            k.emit(f"(local.set {pa} (i32.add (local.get {pa}) (i32.const 16)))")
            k.emit(f"(local.set {pb} (i32.add (local.get {pb}) (i32.const 16)))")
            k.emit(f"(br_if {cnt}_top (local.tee {cnt} (i32.sub (local.get {cnt}) (i32.const 1)))))")
            k.fb.depth -= 1
        s = e.var("f32", "dsum")
        for r, a in enumerate(accs):
            lanes = [f"(f32x4.extract_lane {t} (local.get {a}))" for t in range(4)]
            k.emit(f"(local.set {s} (f32.add (f32.add {lanes[0]} {lanes[1]}) (f32.add {lanes[2]} {lanes[3]})))")
            for t in range(g.k % 4):
                x = f"(f32.load offset={e.a_off + 4 * (r * g.a_m + t)} (local.get {pa}))"
                y = f"(f32.load offset={e.b_off + 4 * t} (local.get {pb}))"
                k.emit(f"(local.set {s} (f32.add (local.get {s}) (f32.mul {x} {y})))")
            ci = add_i32(f"(local.get {c_base})", _mul4(i0, 1))
            k.emit(f"(f32.store offset={e.c_off + 4 * r} {ci} (local.get {s}))")

    e.loop(g.m // 4, lambda ib: rows_at(ib, 4), "ib")
    if g.m % 4:
        # The remaining rows start at row m - m % 4.
        rest = g.m - g.m % 4
        pa_fix = e.var("i32", "a_base")
        k.emit(f"(local.set {pa_fix} {add_i32(f'(local.get {pa_fix})', 4 * rest * g.a_m)})")
        k.emit(f"(local.set {c_base} {add_i32(f'(local.get {c_base})', 4 * rest)})")
        rows_at(None, g.m % 4)
