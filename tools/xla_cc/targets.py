"""Targets the kernels can be compiled for, and how the pinned LLVM is invoked for each.

Cortex-M4F objects use `-fshort-enums`, the AAPCS variant arm-none-eabi-gcc defaults to, so the
firmware linker sees matching enum-size attributes (the API itself passes only `int`s).

The pinned compiler is Debian's clang-19/lld-19 (`clang-19`, `ld.lld-19`, `wasm-ld-19`,
`llvm-objcopy-19`): it is needed anyway for wasm32 and the Cortex-M objects, builds all three
targets from one install, and reads XLA's IR after `ll_compat.downgrade(llvm=19)`.
"""

import dataclasses


class UnknownTarget(ValueError):
    """The requested target is not in the registry."""


@dataclasses.dataclass(frozen=True)
class Target:
    """A target the kernels and driver are compiled for."""

    name: str
    triple: str
    cflags: tuple[str, ...]
    pointer_bits: int
    object_format: str  # elf or wasm
    host_objects: bool  # XLA's own x86-64 objects can be used
    # xla_cpu_max_isa when --max_isa is not given. XLA vectorizes its IR for this ISA before we
    # see it; 128-bit vectors give 18% smaller MLP code on Cortex-M4F than AVX2's 256-bit.
    default_max_isa: str


_TARGETS = (
    Target("x86_64", "x86_64-unknown-linux-gnu", ("-fPIC",), 64, "elf", True, "AVX2"),
    Target(
        "cortex-m4f",
        "thumbv7em-none-eabihf",
        (
            "-mcpu=cortex-m4",
            "-mfpu=fpv4-sp-d16",
            "-mfloat-abi=hard",
            "-mthumb",
            "-fshort-enums",
        ),
        32,
        "elf",
        False,
        "SSE4_2",
    ),
    Target("wasm32", "wasm32-wasi", ("-mcpu=mvp",), 32, "wasm", False, "SSE4_2"),
)
_BY_NAME = {t.name: t for t in _TARGETS}


def names() -> tuple[str, ...]:
    """The names of the known targets."""
    return tuple(_BY_NAME)


def lookup(name: str) -> Target:
    """The target named `name`; raises UnknownTarget."""
    if name not in _BY_NAME:
        raise UnknownTarget(f"unknown target '{name}'; known targets: {', '.join(_BY_NAME)}")
    return _BY_NAME[name]
