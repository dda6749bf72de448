"""Element type names shared by every rules_jax tool (HLO spelling) and their NumPy types."""

import numpy as np

# HLO name -> NumPy dtype name. bf16 has no NumPy type of its own; ml_dtypes provides it.
NUMPY_NAMES = {
    "pred": "bool",
    "s8": "int8",
    "s16": "int16",
    "s32": "int32",
    "s64": "int64",
    "u8": "uint8",
    "u16": "uint16",
    "u32": "uint32",
    "u64": "uint64",
    "f16": "float16",
    "bf16": "bfloat16",
    "f32": "float32",
    "f64": "float64",
}

# Other spellings accepted in BUILD specs, mapped to the HLO name.
ALIASES = {"i8": "s8", "i16": "s16", "i32": "s32", "i64": "s64", "bool": "pred"}

# Element types that need jax_enable_x64 to keep their width under jax.jit.
WIDE = frozenset({"s64", "u64", "f64"})


def canonical(name: str) -> str:
    """Returns the HLO spelling of an element type name.

    Raises:
      KeyError: the name is not an element type.
    """
    name = ALIASES.get(name, name)
    if name not in NUMPY_NAMES:
        raise KeyError(name)
    return name


def to_numpy(name: str) -> np.dtype:
    """Returns the NumPy dtype for an HLO element type name."""
    if name == "bf16":
        import ml_dtypes  # Imported lazily: only bf16 needs it.

        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(NUMPY_NAMES[name])


def from_numpy(dtype: np.dtype) -> str:
    """Returns the HLO element type name of a NumPy dtype."""
    name = np.dtype(dtype).name
    for hlo_name, numpy_name in NUMPY_NAMES.items():
        if numpy_name == name:
            return hlo_name
    raise KeyError(name)
