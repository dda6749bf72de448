r"""hlo_cc_library's tool: XLA:CPU's code for a JAX function → C header + driver + object.

Usage (every input and output is a flag, so a Bazel action can declare them all):

  python -m tools.xla_cc.main \
      --stablehlo=NAME.stablehlo.mlir --signature=NAME.signature.json \
      --prefix=quad --source_label=//examples:quad_hlo \
      --target=x86_64|cortex-m4f|wasm32 --kernels=host|ir [--max_isa=AVX2|SSE4_2|...] \
      [--cpu=haswell] \
      [--noforce_llvm_gemm] [--compile_cpus=1] \
      --out_header=quad.h --out_source=quad.c [--out_object=quad.o] \
      [--header_include=examples/quad.h] [--out_executable=quad.xla_cpu.pb] \
      [--clang=clang-19 --ld_lld=ld.lld-19 --wasm_ld=wasm-ld-19 --objcopy=llvm-objcopy-19]

Steps: compile the StableHLO with jaxlib's XLA:CPU client (one CPU, YNNPACK off,
single-threaded Eigen, C-style kernel names; `--max_isa` caps the ISA XLA compiles and
vectorizes for: AVX2 by default on x86_64, SSE4_2 (128-bit vectors) for the other targets),
read the serialized executable (thunk sequence, buffer assignment, kernel objects), generate
the header and the driver, and compile kernels + driver into one relocatable object in which
only `<prefix>`, `<prefix>_with_temp` and `<prefix>_status_string` are global.

`--kernels=host` links XLA's own x86-64 objects (large code model, non-PIC: link executables
with `-no-pie` or accept text relocations); `--kernels=ir` recompiles XLA's optimized LLVM IR
for `--target` with the pinned clang (Debian clang-19), optionally tuned with `--cpu`.

Supported runtime steps: kernel, copy, dot (plain C loops), while, conditional, call. Any
other step (sort, top-k, FFT, custom calls such as LAPACK, convolution, YNNPACK fusions) fails
with the HLO instruction and JAX op that produced it. Outputs are byte-identical for identical
inputs. Exit status 1 with a one-line `error:` message on bad input.
"""

import pathlib
import re
import sys

from absl import app, flags

from tools.xla_cc import (
    build_object,
    driver_c,
    dtypes,
    executable_proto,
    export,
    header_c,
    memory_plan,
    program,
    signature,
    targets,
)

_STABLEHLO = flags.DEFINE_string("stablehlo", None, "Input: NAME.stablehlo.mlir from jax_hlo.")
_SIGNATURE = flags.DEFINE_string("signature", None, "Input: NAME.signature.json from jax_hlo.")
_PREFIX = flags.DEFINE_string("prefix", None, "C prefix of every public symbol.")
_SOURCE_LABEL = flags.DEFINE_string("source_label", "", "Label named in the banners.")
_TARGET = flags.DEFINE_string("target", "x86_64", f"One of {', '.join(targets.names())}.")
_KERNELS = flags.DEFINE_enum("kernels", "ir", ["host", "ir"], "XLA's objects or IR recompiled.")
_MAX_ISA = flags.DEFINE_string("max_isa", "", "xla_cpu_max_isa (default per target: AVX2 on x86_64, else SSE4_2).")
_CPU = flags.DEFINE_string("cpu", "", "-march for IR kernels on x86_64 (default: generic).")
_FORCE_GEMM = flags.DEFINE_bool("force_llvm_gemm", True, "Emit canonical GEMMs of any size as LLVM IR kernels.")
_COMPILE_CPUS = flags.DEFINE_integer(
    "compile_cpus",
    1,
    "CPUs XLA may assume; >1 splits kernels into workgroups that depend on the machine "
    "(for testing the driver's workgroup loop only).",
)
_OUT_HEADER = flags.DEFINE_string("out_header", None, "Output: NAME.h.")
_OUT_SOURCE = flags.DEFINE_string("out_source", None, "Output: NAME.c (the driver).")
_OUT_OBJECT = flags.DEFINE_string("out_object", None, "Output: relocatable object (optional).")
_OUT_EXECUTABLE = flags.DEFINE_string(
    "out_executable", None, "Output: xla.cpu.CompilationResultProto bytes (optional)."
)
_HEADER_INCLUDE = flags.DEFINE_string(
    "header_include", None, "How NAME.c includes the header (default: its base name)."
)
_CLANG = flags.DEFINE_string("clang", "clang-19", "Pinned clang.")
_LD_LLD = flags.DEFINE_string("ld_lld", "ld.lld-19", "Pinned ELF linker.")
_WASM_LD = flags.DEFINE_string("wasm_ld", "wasm-ld-19", "Pinned wasm linker.")
_OBJCOPY = flags.DEFINE_string("objcopy", "llvm-objcopy-19", "Pinned objcopy.")

_DYNAMIC_TENSOR = re.compile(r"tensor<[^>]*\?")
_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class UsageError(ValueError):
    """A flag value is invalid."""


def _check_inputs(mlir: str, target: targets.Target) -> None:
    if not _C_IDENT.fullmatch(_PREFIX.value or ""):
        raise UsageError(f"--prefix '{_PREFIX.value}' is not a C identifier")
    if _KERNELS.value == "host" and not target.host_objects:
        raise UsageError(f"--kernels=host needs an x86_64 target, not '{target.name}'")
    if _DYNAMIC_TENSOR.search(mlir):
        raise dtypes.UnsupportedSignature(
            f"{_STABLEHLO.value} has dynamically shaped tensors "
            f"('{_DYNAMIC_TENSOR.search(mlir).group(0)}...'); hlo_cc_library needs static shapes"
        )


def _run() -> None:
    target = targets.lookup(_TARGET.value)
    sig = signature.parse(pathlib.Path(_SIGNATURE.value).read_text())
    header_c.check_names(sig)
    mlir = pathlib.Path(_STABLEHLO.value).read_text()
    _check_inputs(mlir, target)
    export.configure_process(_MAX_ISA.value or target.default_max_isa, _FORCE_GEMM.value, _COMPILE_CPUS.value)
    exported = export.compile_stablehlo(mlir)
    prog = program.from_compilation_result(executable_proto.parse_compilation_result(exported.compilation_result))
    names = header_c.Names(_PREFIX.value)
    plan = memory_plan.plan(prog)
    symbols = program.kernel_symbols(prog.thunks)
    host = _KERNELS.value == "host"
    kernel_names = {s: s for s in symbols} if host else build_object.ir_kernel_names(names.prefix, symbols)
    include = _HEADER_INCLUDE.value or pathlib.Path(_OUT_HEADER.value).name
    header = header_c.generate(names, sig, plan, _SOURCE_LABEL.value)
    driver = driver_c.generate(names, sig, prog, plan, kernel_names, include, _SOURCE_LABEL.value)
    pathlib.Path(_OUT_HEADER.value).write_text(header)
    pathlib.Path(_OUT_SOURCE.value).write_text(driver)
    if _OUT_EXECUTABLE.value:
        pathlib.Path(_OUT_EXECUTABLE.value).write_bytes(exported.compilation_result)
    if _OUT_OBJECT.value:
        obj = build_object.build(
            driver_c=driver,
            header=header,
            header_include=include,
            public_symbols=names.public_symbols(),
            target=target,
            kernel_ir=None if host else exported.kernel_ir,
            host_objects=prog.kernel_objects if host else None,
            kernel_names=kernel_names,
            tools=build_object.Toolchain(_CLANG.value, _LD_LLD.value, _WASM_LD.value, _OBJCOPY.value),
            cpu=_CPU.value,
        )
        pathlib.Path(_OUT_OBJECT.value).write_bytes(obj)


def main(argv: list[str]) -> None:
    """Runs the tool; exits 1 with one error line on bad input."""
    if len(argv) > 1:
        raise app.UsageError(f"unexpected arguments: {argv[1:]}")
    try:
        _run()
    except (
        UsageError,
        ValueError,
        dtypes.UnsupportedSignature,
        program.UnsupportedThunk,
        targets.UnknownTarget,
        build_object.BuildError,
    ) as e:
        print(f"hlo_cc_library: error: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    flags.mark_flags_as_required(["stablehlo", "signature", "prefix", "out_header", "out_source"])
    app.run(main)
