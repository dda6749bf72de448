"""Compiles StableHLO text with jaxlib's XLA:CPU client into a serialized executable + IR.

The options make the executable self-contained (research/xla_cc/REPORT.md §1): YNNPACK fusions
off and single-threaded Eigen, so dots become LLVM kernels; C-identifier kernel names. The
process is pinned to one CPU before jaxlib creates its client, because XLA splits kernels into
as many workgroups as the compile host has cores. `xla_cpu_max_isa` and the force-LLVM-GEMM
extra option are honoured only through `XLA_FLAGS`, read when jax is first imported, so
`configure_process` must run before anything imports jax.
"""

import dataclasses
import os
import pathlib
import re
import sys
import tempfile

from tools.xla_cc import executable_proto

_COMPILE_OPTIONS = {
    "xla_cpu_experimental_ynn_fusion_type": "",
    "xla_cpu_multi_thread_eigen": False,
    "xla_cpu_generate_unique_c_style_kernel_entry_points": True,
}
_ISAS = ("SSE4_2", "AVX", "AVX2", "AVX512", "AVX512_VNNI", "AVX512_BF16", "AMX")
_DEFINE = re.compile(r"^define [^@]*@([A-Za-z0-9_.$]+)\(", re.MULTILINE)


@dataclasses.dataclass(frozen=True)
class Exported:
    """What XLA produced: the CompilationResultProto bytes and optimized IR per kernel."""

    compilation_result: bytes
    kernel_ir: dict[str, str]  # kernel symbol -> LLVM 23 IR text of its module


def configure_process(max_isa: str, force_llvm_gemm: bool, cpus: int = 1) -> None:
    """Pins to `cpus` CPUs (1: reproducible) and sets XLA_FLAGS; call before importing jax."""
    if "jax" in sys.modules:
        raise RuntimeError("export.configure_process must run before jax is imported")
    if max_isa and max_isa not in _ISAS:
        raise ValueError(f"unknown --max_isa '{max_isa}'; choose one of {', '.join(_ISAS)}")
    available = sorted(os.sched_getaffinity(0))
    if cpus > len(available):
        raise ValueError(f"--compile_cpus={cpus} but only {len(available)} CPUs are usable")
    os.sched_setaffinity(0, available[:cpus])
    flags = [os.environ.get("XLA_FLAGS", "")]
    if max_isa:
        flags.append(f"--xla_cpu_max_isa={max_isa}")
    if force_llvm_gemm:
        flags.append("--xla_backend_extra_options=xla_force_enable_experimental_llvm_ir_gemm=true")
    os.environ["XLA_FLAGS"] = " ".join(f for f in flags if f)
    # One device and no accelerator probing: the compile must not depend on the machine.
    os.environ["JAX_PLATFORMS"] = "cpu"


def compile_stablehlo(mlir_text: str) -> Exported:
    """Compiles a StableHLO module for XLA:CPU and returns its executable and kernel IR."""
    from jax._src import compiler, xla_bridge
    from jax._src.lib import xla_client

    backend = xla_bridge.get_backend("cpu")
    with tempfile.TemporaryDirectory(prefix="xla_cc_dump_") as dump:
        overrides = dict(_COMPILE_OPTIONS, xla_dump_to=dump)
        options = compiler.get_compile_options(num_replicas=1, num_partitions=1, env_options_overrides=overrides)
        devices = xla_client.DeviceList(tuple(backend.devices()[:1]))
        executable = backend.compile_and_load(mlir_text, devices, options)
        serialized = backend.serialize_executable(executable)
        kernel_ir = {}
        for path in sorted(pathlib.Path(dump).glob("*.ir-with-opt.ll")):
            text = path.read_text()
            for symbol in _DEFINE.findall(text):
                kernel_ir[symbol] = text
    return Exported(executable_proto.compilation_result_bytes(serialized), kernel_ir)
