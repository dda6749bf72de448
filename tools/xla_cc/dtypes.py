"""Element types: HLO spelling → C type and size, and constant literals → bytes.

Only types with a portable C spelling in `<stdint.h>` are accepted at the C boundary. `f16`,
`bf16` and complex types have none (`_Float16` is not portable to every toolchain we target), so
they are rejected by name rather than passed as opaque integers.
"""

import dataclasses
import struct


class UnsupportedSignature(ValueError):
    """The function's inputs or outputs cannot be expressed in the generated C API."""


@dataclasses.dataclass(frozen=True)
class DType:
    """An element type and its C spelling."""

    name: str  # HLO spelling
    c_type: str
    size: int
    literal_field: str  # field of xla.LiteralProto that holds the values
    struct_format: str  # struct module format of one element


_TABLE = (
    DType("pred", "uint8_t", 1, "preds", "<?"),
    DType("s8", "int8_t", 1, "s8s", "<b"),
    DType("u8", "uint8_t", 1, "u8s", "<B"),
    DType("s16", "int16_t", 2, "s16s", "<h"),
    DType("u16", "uint16_t", 2, "u16s", "<H"),
    DType("s32", "int32_t", 4, "s32s", "<i"),
    DType("u32", "uint32_t", 4, "u32s", "<I"),
    DType("s64", "int64_t", 8, "s64s", "<q"),
    DType("u64", "uint64_t", 8, "u64s", "<Q"),
    DType("f32", "float", 4, "f32s", "<f"),
    DType("f64", "double", 8, "f64s", "<d"),
)
_BY_NAME = {d.name: d for d in _TABLE}
_NO_C_TYPE = (
    "f16",
    "bf16",
    "c64",
    "c128",
    "f8e4m3fn",
    "f8e5m2",
    "s4",
    "u4",
    "token",
    "tuple",
)


def lookup(name: str) -> DType:
    """Returns the C view of an HLO element type or raises `UnsupportedSignature`."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    hint = " (no portable C type)" if name in _NO_C_TYPE or name.startswith("f8") else ""
    supported = ", ".join(d.name for d in _TABLE)
    raise UnsupportedSignature(f"element type '{name}'{hint} is not supported in C; supported: {supported}")


def literal_bytes(literal, dtype: str) -> bytes:
    """Little-endian bytes of an `xla.LiteralProto` holding `dtype` values."""
    d = lookup(dtype)
    values = getattr(literal, d.literal_field)
    if isinstance(values, bytes):  # s8s/u8s/s16s/u16s are `bytes` fields
        return values
    return b"".join(struct.pack(d.struct_format, v) for v in values)
