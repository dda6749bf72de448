"""Compiles the kernels and the driver into one relocatable object per library.

Kernels come either from XLA's own x86-64 objects (`host` kernels) or from the optimized IR
recompiled for the target by the pinned LLVM (`ir` kernels). Everything is then merged with
`ld -r` and, for ELF, every defined symbol except the public entry points is made local, so
two libraries (even of the same JAX function) link into one binary. IR kernels are also
renamed to `<prefix>_xla_k<N>` with hidden visibility, which is what protects wasm32 objects.

Tools run in a scratch directory on relative file names, so no path reaches the output and
the object is byte-identical across runs.
"""

import dataclasses
import pathlib
import subprocess
import tempfile

from tools.xla_cc import ll_compat, targets


class BuildError(RuntimeError):
    """A compiler or linker failed."""


@dataclasses.dataclass(frozen=True)
class Toolchain:
    """The pinned LLVM tools that build the object."""

    clang: str = "clang-19"
    ld_lld: str = "ld.lld-19"
    wasm_ld: str = "wasm-ld-19"
    objcopy: str = "llvm-objcopy-19"
    llvm_version: int = 19


def _run(cmd: list[str], cwd: pathlib.Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise BuildError(f"{' '.join(cmd)} failed:\n{done.stderr[-4000:]}")


def ir_kernel_names(prefix: str, symbols: list[str]) -> dict[str, str]:
    """Library-unique C names for IR-compiled kernels, in first-use order."""
    return {s: f"{prefix}_xla_k{i}" for i, s in enumerate(symbols)}


def _compile_ir_kernels(
    work: pathlib.Path,
    kernel_ir: dict[str, str],
    names: dict[str, str],
    target: targets.Target,
    tools: Toolchain,
    cpu: str,
) -> list[str]:
    objects = []
    for symbol, c_name in names.items():
        if symbol not in kernel_ir:
            raise BuildError(f"no optimized IR was dumped for kernel {symbol}")
        text = ll_compat.downgrade(kernel_ir[symbol], tools.llvm_version)
        text = ll_compat.rename_kernels(ll_compat.retarget(text), {symbol: c_name})
        (work / f"{c_name}.ll").write_text(text)
        cmd = [
            tools.clang,
            f"--target={target.triple}",
            *target.cflags,
            "-O2",
            "-c",
            "-x",
            "ir",
        ]
        if cpu:
            cmd.append(f"-march={cpu}")
        _run([*cmd, f"{c_name}.ll", "-o", f"{c_name}.o"], work)
        objects.append(f"{c_name}.o")
    return objects


def build(
    *,
    driver_c: str,
    header: str,
    header_include: str,
    public_symbols: tuple[str, ...],
    target: targets.Target,
    kernel_ir: dict[str, str] | None,
    host_objects: tuple[bytes, ...] | None,
    kernel_names: dict[str, str],
    tools: Toolchain,
    cpu: str = "",
) -> bytes:
    """Returns the merged relocatable object (ELF or wasm) for the library."""
    with tempfile.TemporaryDirectory(prefix="xla_cc_build_") as tmp:
        work = pathlib.Path(tmp)
        (work / "include" / header_include).parent.mkdir(parents=True, exist_ok=True)
        (work / "include" / header_include).write_text(header)
        (work / "driver.c").write_text(driver_c)
        if host_objects is not None:
            objects = []
            for i, blob in enumerate(host_objects):
                (work / f"xla{i}.o").write_bytes(blob)
                objects.append(f"xla{i}.o")
        else:
            objects = _compile_ir_kernels(work, kernel_ir, kernel_names, target, tools, cpu)
        _run(
            [
                tools.clang,
                f"--target={target.triple}",
                *target.cflags,
                "-std=c11",
                "-O2",
                "-ffreestanding",
                "-fno-math-errno",
                "-ffunction-sections",
                "-fdata-sections",
                "-Iinclude",
                "-c",
                "driver.c",
                "-o",
                "driver.o",
            ],
            work,
        )
        linker = tools.wasm_ld if target.object_format == "wasm" else tools.ld_lld
        _run([linker, "-r", "-o", "merged.o", "driver.o", *objects], work)
        if target.object_format == "elf":
            keep = [f"--keep-global-symbol={s}" for s in public_symbols]
            _run([tools.objcopy, *keep, "merged.o", "lib.o"], work)
            return (work / "lib.o").read_bytes()
        return (work / "merged.o").read_bytes()
