"""Element types: HLO names, NumPy dtypes and how each lives in WebAssembly.

Every HLO element type is stored in linear memory with its natural byte size and is computed
in one of the four WebAssembly number types (`i32`, `i64`, `f32`, `f64`). Narrow integers
and `pred` compute in `i32`; `f16`/`bf16` are storage types only (they compute through `f32`).
"""

import dataclasses

import numpy as np

try:  # ml_dtypes ships with jaxlib; the compiler works without it (no bf16 then).
    import ml_dtypes

    _BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    _BF16 = None


@dataclasses.dataclass(frozen=True)
class DType:
    """One HLO element type.

    Attributes:
      name: HLO spelling, e.g. "f32".
      np: the NumPy dtype holding it.
      size: bytes per element in linear memory.
      wasm: the WebAssembly value type it is computed in.
      kind: "float", "signed", "unsigned" or "pred".
      load: WAT load instruction (reads `size` bytes into `wasm`).
      store: WAT store instruction.
    """

    name: str
    np: np.dtype
    size: int
    wasm: str
    kind: str
    load: str
    store: str

    @property
    def is_float(self) -> bool:
        """True for floating-point types."""
        return self.kind == "float"

    @property
    def is_int(self) -> bool:
        """True for signed and unsigned integers (not pred)."""
        return self.kind in ("signed", "unsigned")

    @property
    def bits(self) -> int:
        """Width in bits."""
        return 8 * self.size


def _d(name, npd, size, wasm, kind, load, store):
    return DType(name, np.dtype(npd) if npd is not None else None, size, wasm, kind, load, store)


_TABLE = [
    _d("pred", np.bool_, 1, "i32", "pred", "i32.load8_u", "i32.store8"),
    _d("s8", np.int8, 1, "i32", "signed", "i32.load8_s", "i32.store8"),
    _d("s16", np.int16, 2, "i32", "signed", "i32.load16_s", "i32.store16"),
    _d("s32", np.int32, 4, "i32", "signed", "i32.load", "i32.store"),
    _d("s64", np.int64, 8, "i64", "signed", "i64.load", "i64.store"),
    _d("u8", np.uint8, 1, "i32", "unsigned", "i32.load8_u", "i32.store8"),
    _d("u16", np.uint16, 2, "i32", "unsigned", "i32.load16_u", "i32.store16"),
    _d("u32", np.uint32, 4, "i32", "unsigned", "i32.load", "i32.store"),
    _d("u64", np.uint64, 8, "i64", "unsigned", "i64.load", "i64.store"),
    _d("f16", np.float16, 2, "f32", "float", "i32.load16_u", "i32.store16"),
    _d("bf16", _BF16, 2, "f32", "float", "i32.load16_u", "i32.store16"),
    _d("f32", np.float32, 4, "f32", "float", "f32.load", "f32.store"),
    _d("f64", np.float64, 8, "f64", "float", "f64.load", "f64.store"),
]

DTYPES: dict[str, DType] = {d.name: d for d in _TABLE}

# HLO dtype names accepted for compute (f16/bf16 are storage-only and handled by convert).
STORAGE_ONLY = ("f16", "bf16")


def get(name: str) -> DType:
    """Returns the DType called `name`; raises KeyError naming it when unknown."""
    try:
        return DTYPES[name]
    except KeyError:
        raise KeyError(f"unknown element type {name!r}") from None
