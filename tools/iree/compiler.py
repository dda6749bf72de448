"""Compile StableHLO text to an IREE VM flatbuffer (.vmfb) with the pinned iree-base-compiler.

The compiler runs as a subprocess of the `iree-compile` executable bundled inside the
`iree.compiler` package (never a PATH lookup: Bazel runs tools without the venv's `bin/`).
Hermeticity rules, each checked by tests/iree/compile_test.py:

* The source is fed on stdin, so the only file name IREE records (in the VM source map and the
  executables' locations) is `<stdin>`, not the sandbox path of the input.
* Source locations that the producer wrote into the text (`loc(...)`, which JAX fills with the
  absolute path of the user's Python file when asked for debug info) are stripped with
  `iree-opt --strip-debuginfo` first; text without locations skips that step so diagnostics keep
  the input's line numbers.
* llvm-cpu code is generated for an explicit triple and CPU (default `generic`, the baseline
  ISA), never `host`, so the bytes do not depend on the build machine.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import subprocess
import tempfile
from collections.abc import Sequence

BACKENDS = ("llvm-cpu", "vmvx")
DEFAULT_TRIPLE = "x86_64-unknown-linux-gnu"
DEFAULT_CPU = "generic"

# `loc(` is how MLIR's printer writes an attached location, `#loc` an aliased one.
_LOCATION = re.compile(rb"\bloc\(|#loc")


class CompileError(Exception):
    """IREE rejected the module; the message is IREE's diagnostic text."""


@dataclasses.dataclass(frozen=True)
class Options:
    """What to compile for.

    Attributes:
      backend: str: `llvm-cpu` (native code) or `vmvx` (IREE's portable VM ISA).
      target_triple: str: LLVM triple for llvm-cpu.
      target_cpu: str: LLVM CPU name for llvm-cpu (`generic`, `x86-64-v3`, `znver3`, ...).
      target_cpu_features: str: LLVM feature string for llvm-cpu (`+avx2,+fma`), or empty.
      extra_flags: tuple[str, ...]: further `iree-compile` flags, appended last.
    """

    backend: str = "llvm-cpu"
    target_triple: str = DEFAULT_TRIPLE
    target_cpu: str = DEFAULT_CPU
    target_cpu_features: str = ""
    extra_flags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise ValueError(f"backend {self.backend!r} is not one of {', '.join(BACKENDS)}")
        if "host" in (self.target_cpu, self.target_cpu_features):
            raise ValueError(
                "target CPU 'host' makes the output depend on the build machine; "
                "name a CPU (e.g. x86-64-v3) or pass it through extra flags knowingly"
            )


def tool_path(name: str) -> str:
    """Returns the path of an executable bundled in the iree.compiler package.

    Args:
      name: `iree-compile`, `iree-opt` or `iree-lld`.
    """
    # Imported by name: ruff takes this package (tools/iree) for the pip package `iree`.
    package = importlib.import_module("iree.compiler")
    path = os.path.join(os.path.dirname(package.__file__), "_mlir_libs", name)
    if not os.access(path, os.X_OK):
        raise FileNotFoundError(f"{name} not found in the iree-base-compiler package: {path}")
    return path


def compile_flags(options: Options) -> list[str]:
    """Returns the iree-compile flags (without input, output and tool paths) for `options`."""
    flags = [
        "--iree-input-type=stablehlo",
        "--iree-hal-target-device=local",
        f"--iree-hal-local-target-device-backends={options.backend}",
        "--mlir-print-op-on-diagnostic=false",
    ]
    if options.backend == "llvm-cpu":
        flags += [
            f"--iree-llvmcpu-target-triple={options.target_triple}",
            f"--iree-llvmcpu-target-cpu={options.target_cpu}",
        ]
        if options.target_cpu_features:
            flags.append(f"--iree-llvmcpu-target-cpu-features={options.target_cpu_features}")
    return flags + list(options.extra_flags)


def _run(command: Sequence[str], stdin: bytes, scratch_dir: str) -> bytes:
    """Runs an IREE tool, returns its stdout or raises CompileError with its stderr."""
    # A fixed environment: no IREE_SAVE_TEMPS or LLVM options leaking in from the caller. The
    # llvm-cpu backend links through temporary files in TMPDIR (without one it crashes), so
    # point it at a directory the caller owns.
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TMPDIR": os.path.abspath(scratch_dir)}
    proc = subprocess.run(list(command), input=stdin, capture_output=True, env=env, check=False)
    if proc.returncode != 0:
        status = f"exit status {proc.returncode}" if proc.returncode > 0 else f"signal {-proc.returncode}"
        raise CompileError(
            f"{proc.stderr.decode('utf-8', 'replace').rstrip()}\n({os.path.basename(command[0])} failed: {status})"
        )
    return proc.stdout


def has_locations(source: bytes) -> bool:
    """Whether MLIR text carries source locations (which compile_stablehlo strips)."""
    return bool(_LOCATION.search(source))


def strip_locations(source: bytes, scratch_dir: str) -> bytes:
    """Removes source locations from MLIR text (a no-op when it has none)."""
    if not has_locations(source):
        return source
    return _run([tool_path("iree-opt"), "--strip-debuginfo", "-"], source, scratch_dir)


def compile_stablehlo(
    source: bytes, options: Options, scratch_dir: str | None = None, keep_locations: bool = False
) -> bytes:
    """Compiles StableHLO MLIR text to .vmfb bytes.

    Args:
      source: the module text, as `jax.jit(f).lower(...).as_text()` prints it.
      options: target description.
      scratch_dir: an existing directory for IREE's temporary files (default: a fresh one under
        the system temporary directory, removed afterwards).
      keep_locations: compile the text as it is, locations included (for diagnostics that name
        the Python source line; the output then depends on those locations).

    Returns:
      The VM flatbuffer.

    Raises:
      CompileError: IREE's diagnostics, with `<stdin>` as the file name.
    """
    command = [tool_path("iree-compile"), *compile_flags(options)]
    if options.backend == "llvm-cpu":
        # The linker is found next to the compiler; passing it avoids IREE's own PATH search.
        command.append(f"--iree-llvmcpu-embedded-linker-path={tool_path('iree-lld')}")
    command += ["-", "-o", "-"]
    if scratch_dir is not None:
        return _run(command, source if keep_locations else strip_locations(source, scratch_dir), scratch_dir)
    with tempfile.TemporaryDirectory() as tmp:
        return _run(command, source if keep_locations else strip_locations(source, tmp), tmp)
