"""A tiny WAT expression builder shared by every math function.

Each function family writes its algorithm once, against `Builder`, and gets the scalar
(`f32`, `f64`) and SIMD (`f32x4`, `f64x2`) WebAssembly text from the same source, with the
same coefficient tables. The algorithms are branch-free: conditions become masks and
`select` (scalar) or `v128.bitselect` (SIMD), so a SIMD lane computes bit-for-bit what the
scalar function computes for the same input.

Values are WAT expression strings. Floats, integers and masks are tracked only by the
caller's choice of method; locals are declared on first `let` with the type the role implies.

Float-to-integer conversions are done with the "magic number" trick (adding 1.5 * 2^p moves an
integral value into the low mantissa bits), so no conversion instruction is needed and the code
is identical for all four kinds (WebAssembly SIMD has no i64x2 <-> f64x2 conversions).
"""

from __future__ import annotations

import dataclasses
import math
import struct
from collections.abc import Sequence


@dataclasses.dataclass(frozen=True)
class Kind:
    """The lane type a function computes in.

    Attributes:
        name: "f32", "f64", "f32x4" or "f64x2"; also the prefix of function names.
        fop: instruction prefix for float operations ("f32", "f32x4", ...).
        iop: instruction prefix for same-width integer operations ("i32", "i32x4", ...).
        bits: lane width in bits.
        mant: explicit mantissa bits (23 or 52).
        lanes: number of lanes (1 for scalar).
    """

    name: str
    fop: str
    iop: str
    bits: int
    mant: int
    lanes: int

    @property
    def simd(self) -> bool:
        """Whether values are v128."""
        return self.lanes > 1

    @property
    def ftype(self) -> str:
        """WAT value type of a float value."""
        return "v128" if self.simd else self.fop

    @property
    def itype(self) -> str:
        """WAT value type of an integer value."""
        return "v128" if self.simd else self.iop

    @property
    def mtype(self) -> str:
        """WAT value type of a mask (comparison result)."""
        return "v128" if self.simd else "i32"

    @property
    def scalar(self) -> str:
        """The scalar float type of one lane ("f32" or "f64")."""
        return "f32" if self.bits == 32 else "f64"

    @property
    def bias(self) -> int:
        """Exponent bias."""
        return 127 if self.bits == 32 else 1023


F32 = Kind("f32", "f32", "i32", 32, 23, 1)
F64 = Kind("f64", "f64", "i64", 64, 52, 1)
F32X4 = Kind("f32x4", "f32x4", "i32x4", 32, 23, 4)
F64X2 = Kind("f64x2", "f64x2", "i64x2", 64, 52, 2)
KINDS = {k.name: k for k in (F32, F64, F32X4, F64X2)}


def round_to(value: float, bits: int) -> float:
    """Rounds a Python float to the nearest f32 (bits == 32) or returns it (bits == 64)."""
    if bits == 64 or math.isnan(value) or math.isinf(value):
        return value
    return struct.unpack("<f", struct.pack("<f", value))[0]


def float_literal(value: float, bits: int) -> str:
    """WAT literal that denotes exactly `value` rounded to the lane type."""
    value = round_to(value, bits)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    text = repr(value)
    if bits == 32:
        # Shortest decimal that rounds back to the same f32 (WAT rounds decimals correctly).
        for digits in range(1, 18):
            candidate = f"{value:.{digits}g}"
            if round_to(float(candidate), 32) == value:
                text = repr(float(candidate))
                break
    return text


class Builder:
    """Accumulates the statements and locals of one WAT function.

    Args:
        kind: the lane type.
        name: function name without "$".
        params: parameter names (all of the kind's float type).
        doc: comment lines put at the top of the function body.
    """

    def __init__(self, kind: Kind, name: str, params: Sequence[str], doc: str) -> None:
        self.kind = kind
        self.name = name
        self.params = tuple(params)
        self.doc = doc
        self.locals: dict[str, str] = {}
        self.body: list[str] = []
        self.deps: list[str] = []

    # ----- constants -----------------------------------------------------------------------
    def f(self, value: float) -> str:
        """A float constant (rounded to the lane type)."""
        lit = float_literal(value, self.kind.bits)
        if self.kind.simd:
            return f"(v128.const {self.kind.fop} {' '.join([lit] * self.kind.lanes)})"
        return f"({self.kind.fop}.const {lit})"

    def i(self, value: int) -> str:
        """An integer constant of the lane width (two's complement)."""
        value &= (1 << self.kind.bits) - 1
        if value >= 1 << (self.kind.bits - 1):
            value -= 1 << self.kind.bits
        text = hex(value) if abs(value) > 4096 else str(value)
        if text.startswith("-0x"):
            text = "-0x" + text[3:]
        if self.kind.simd:
            return f"(v128.const {self.kind.iop} {' '.join([text] * self.kind.lanes)})"
        return f"({self.kind.iop}.const {text})"

    def param(self, name: str) -> str:
        """Reads a parameter."""
        return f"(local.get ${name})"

    # ----- statements ----------------------------------------------------------------------
    def comment(self, text: str) -> None:
        """Adds a comment line to the body."""
        self.body.append(f";; {text}")

    def _let(self, name: str, expr: str, wat_type: str) -> str:
        if name in self.params:
            raise ValueError(f"{self.name}: local {name} shadows a parameter")
        old = self.locals.setdefault(name, wat_type)
        if old != wat_type:
            raise ValueError(f"{self.name}: local {name} is {old}, not {wat_type}")
        self.body.append(f"(local.set ${name} {expr})")
        return f"(local.get ${name})"

    def let(self, name: str, expr: str) -> str:
        """Stores a float expression in a local and returns the expression reading it."""
        return self._let(name, expr, self.kind.ftype)

    def leti(self, name: str, expr: str) -> str:
        """Stores an integer expression in a local."""
        return self._let(name, expr, self.kind.itype)

    def letm(self, name: str, expr: str) -> str:
        """Stores a mask expression in a local."""
        return self._let(name, expr, self.kind.mtype)

    def call(self, callee: str, *args: str) -> str:
        """Calls another math function (recorded as a dependency)."""
        if callee not in self.deps:
            self.deps.append(callee)
        return f"(call ${callee} {' '.join(args)})"

    # ----- float arithmetic ----------------------------------------------------------------
    def _f2(self, op: str, a: str, b: str) -> str:
        return f"({self.kind.fop}.{op} {a} {b})"

    def add(self, a: str, b: str) -> str:
        """a + b."""
        return self._f2("add", a, b)

    def sub(self, a: str, b: str) -> str:
        """a - b."""
        return self._f2("sub", a, b)

    def mul(self, a: str, b: str) -> str:
        """a * b."""
        return self._f2("mul", a, b)

    def div(self, a: str, b: str) -> str:
        """a / b."""
        return self._f2("div", a, b)

    def neg(self, a: str) -> str:
        """-a (flips the sign bit, also of NaN and zero)."""
        return f"({self.kind.fop}.neg {a})"

    def abs(self, a: str) -> str:
        """|a|."""
        return f"({self.kind.fop}.abs {a})"

    def sqrt(self, a: str) -> str:
        """Correctly rounded square root."""
        return f"({self.kind.fop}.sqrt {a})"

    def floor(self, a: str) -> str:
        """Round toward -inf."""
        return f"({self.kind.fop}.floor {a})"

    def nearest(self, a: str) -> str:
        """Round to nearest integer, ties to even."""
        return f"({self.kind.fop}.nearest {a})"

    def copysign(self, mag: str, sign: str) -> str:
        """|mag| with the sign bit of `sign`."""
        if not self.kind.simd:
            return self._f2("copysign", mag, sign)
        return f"(v128.bitselect {sign} {mag} {self.i(1 << (self.kind.bits - 1))})"

    def poly(self, x: str, coeffs: Sequence[float]) -> str:
        """Horner evaluation of c0 + c1 x + c2 x^2 + ... (x should be a local read)."""
        expr = self.f(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            expr = self.add(self.f(c), self.mul(x, expr))
        return expr

    # ----- comparisons and selection -------------------------------------------------------
    def cmp(self, op: str, a: str, b: str) -> str:
        """Float comparison (op in eq ne lt le gt ge); false for NaN except ne."""
        return self._f2(op, a, b)

    def select(self, mask: str, a: str, b: str) -> str:
        """mask ? a : b, lane-wise (a and b of the same type)."""
        if self.kind.simd:
            return f"(v128.bitselect {a} {b} {mask})"
        return f"(select {a} {b} {mask})"

    def m_and(self, a: str, b: str) -> str:
        """Both masks."""
        return f"(v128.and {a} {b})" if self.kind.simd else f"(i32.and {a} {b})"

    def m_or(self, a: str, b: str) -> str:
        """Either mask."""
        return f"(v128.or {a} {b})" if self.kind.simd else f"(i32.or {a} {b})"

    def m_xor(self, a: str, b: str) -> str:
        """Exactly one of the masks."""
        return f"(v128.xor {a} {b})" if self.kind.simd else f"(i32.xor {a} {b})"

    def m_not(self, a: str) -> str:
        """Inverted mask."""
        return f"(v128.not {a})" if self.kind.simd else f"(i32.eqz {a})"

    def is_nan(self, a: str) -> str:
        """Mask of NaN lanes."""
        return self.cmp("ne", a, a)

    # ----- integer view --------------------------------------------------------------------
    def bits(self, a: str) -> str:
        """Reinterprets a float as an integer of the same width."""
        if self.kind.simd:
            return a
        return f"({self.kind.iop}.reinterpret_{self.kind.fop} {a})"

    def from_bits(self, a: str) -> str:
        """Reinterprets an integer as a float of the same width."""
        if self.kind.simd:
            return a
        return f"({self.kind.fop}.reinterpret_{self.kind.iop} {a})"

    def _i2(self, op: str, a: str, b: str) -> str:
        if self.kind.simd and op in ("and", "or", "xor"):
            return f"(v128.{op} {a} {b})"
        return f"({self.kind.iop}.{op} {a} {b})"

    def iadd(self, a: str, b: str) -> str:
        """Wrapping integer a + b."""
        return self._i2("add", a, b)

    def isub(self, a: str, b: str) -> str:
        """Wrapping integer a - b."""
        return self._i2("sub", a, b)

    def iand(self, a: str, b: str) -> str:
        """Bitwise and."""
        return self._i2("and", a, b)

    def ior(self, a: str, b: str) -> str:
        """Bitwise or."""
        return self._i2("or", a, b)

    def ixor(self, a: str, b: str) -> str:
        """Bitwise xor."""
        return self._i2("xor", a, b)

    def icmp(self, op: str, a: str, b: str) -> str:
        """Integer comparison returning a mask (op like eq, lt_s, gt_s)."""
        return self._i2(op, a, b)

    def shift(self, op: str, a: str, n: int) -> str:
        """Shift by a constant (op in shl, shr_s, shr_u)."""
        count = f"(i32.const {n})" if self.kind.simd else f"({self.kind.iop}.const {n})"
        return f"({self.kind.iop}.{op} {a} {count})"

    def magic(self) -> float:
        """1.5 * 2^mant: adding it to |v| < 2^(mant-1) rounds v to an integer in the low bits."""
        return 1.5 * 2.0**self.kind.mant

    def to_int(self, integral: str) -> str:
        """Integer value of an integral float with |v| < 2^(mant-1)."""
        magic = self.magic()
        return self.isub(
            self.bits(self.add(integral, self.f(magic))), self.bits(self.f(magic))
        )

    def to_float(self, integer: str) -> str:
        """Float value of an integer with |v| < 2^(mant-1)."""
        magic = self.magic()
        return self.sub(
            self.from_bits(self.iadd(integer, self.bits(self.f(magic)))), self.f(magic)
        )

    def pow2(self, k_int: str) -> str:
        """2^k as a float for an integer k in the normal exponent range."""
        return self.from_bits(
            self.shift("shl", self.iadd(k_int, self.i(self.kind.bias)), self.kind.mant)
        )

    # ----- assembly ------------------------------------------------------------------------
    def finish(self, result: str) -> str:
        """Returns the whole function text, with `result` as the value left on the stack."""
        ft = self.kind.ftype
        params = " ".join(f"(param ${p} {ft})" for p in self.params)
        lines = [f"(func ${self.name} {params} (result {ft})"]
        lines += [f"  ;; {line}".rstrip() for line in self.doc.strip().splitlines()]
        lines += [f"  (local ${n} {t})" for n, t in self.locals.items()]
        for stmt in [*self.body, result]:
            lines += ["  " + line for line in format_sexpr(stmt).splitlines()]
        lines[-1] += ")"
        return "\n".join(lines)


def _parse(text: str) -> list | str:
    """Parses one S-expression into nested lists of atoms (comments are not allowed inside)."""
    stack: list[list] = [[]]
    token = ""
    for ch in text:
        if ch in "() \n":
            if token:
                stack[-1].append(token)
                token = ""
            if ch == "(":
                stack.append([])
            elif ch == ")":
                done = stack.pop()
                stack[-1].append(done)
        else:
            token += ch
    if token:
        stack[-1].append(token)
    return stack[0][0]


def _flat(node: list | str) -> str:
    if isinstance(node, str):
        return node
    return "(" + " ".join(_flat(n) for n in node) + ")"


def _fmt(node: list | str, indent: int, width: int) -> list[str]:
    flat = _flat(node)
    if isinstance(node, str) or len(flat) + indent <= width:
        return [" " * indent + flat]
    # Keep the opcode and leading atoms (like "$x") on the first line.
    lead = []
    rest = list(node)
    while rest and isinstance(rest[0], str):
        lead.append(rest.pop(0))
    lines = [" " * indent + "(" + " ".join(lead)]
    for child in rest:
        lines += _fmt(child, indent + 2, width)
    lines[-1] += ")"
    return lines


def format_sexpr(text: str, width: int = 96) -> str:
    """Pretty-prints a statement: short ones on one line, long ones broken by nesting."""
    if text.startswith(";;"):
        return text
    return "\n".join(_fmt(_parse(text), 0, width))
