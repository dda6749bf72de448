"""End-to-end: export a test function, run the tool, link the harness for a target, run it.

Runners: the host binary directly, Cortex-M4F firmware under `qemu-system-arm -M mps2-an386`
with semihosting (picolibc's crt0 exits with SYS_EXIT_EXTENDED, so the harness's status comes
back as qemu's), and wasm32 WASI modules under wasmtime.
"""

import dataclasses
import os
import pathlib
import subprocess

from tests.xla_cc import testlib
from tools.wasi_test import wasi
from tools.xla_cc import harness_c

# The cases every target runs.
CASES = (
    "quadratic",
    "quadratic_grad",
    "mlp",
    "mlp_loss_grad",
    "control_flow",
    "scan_rnn",
    "mlp_const",
)


def selected(variable: str, default: tuple[str, ...]) -> tuple[str, ...]:
    """The comma-separated values of an environment variable, or `default`."""
    value = os.environ.get(variable, "")
    return tuple(v for v in value.split(",") if v) or default


# f32 tolerance for every case: XLA's objects are bit-exact except where the dot order or FMA
# contraction differs (jax.jit uses YNNPACK dots; recompiled IR contracts differently).
RTOL = 1e-5
ATOL = 1e-6

ARM_FLAGS = (
    "--specs=picolibc.specs",
    "--crt0=semihost",
    "--oslib=semihost",
    "-mcpu=cortex-m4",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv4-sp-d16",
    "-O2",
    "-Wl,--defsym=__flash=0x00000000",
    "-Wl,--defsym=__flash_size=0x400000",
    "-Wl,--defsym=__ram=0x20000000",
    "-Wl,--defsym=__ram_size=0x400000",
    "-Wl,--gc-sections",
)


QEMU_M4F = (
    "timeout", "--kill-after=5", "60", "qemu-system-arm", "-M", "mps2-an386",
    "-nographic", "-monitor", "none", "-serial", "none",
    "-chardev", "stdio,id=semihost",
    "-semihosting-config", "enable=on,target=native,chardev=semihost",
)  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Result:
    status: int
    output: str
    work: pathlib.Path

    @property
    def passed(self) -> bool:
        return self.status == 0 and "PASS" in self.output


def _check(cmd: list[str], cwd: pathlib.Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        raise AssertionError(f"{' '.join(cmd)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare(case: str, work: pathlib.Path, *tool_flags: str) -> dict:
    """Exports `case`, runs the tool and writes the harness `main.c` into `work`."""
    exported = testlib.export_case(case, work)
    testlib.run_tool(exported, case, work, *tool_flags)
    main = harness_c.generate(case, exported["sig"], exported["inputs"], exported["outputs"], RTOL, ATOL)
    (work / "main.c").write_text(main)
    return exported


def run_host(case: str, work: pathlib.Path, kernels: str, *flags: str) -> Result:
    prepare(case, work, "--target=x86_64", f"--kernels={kernels}", *flags)
    # XLA's own objects use the large code model without PIC: link them -no-pie.
    pie = ["-no-pie"] if kernels == "host" else []
    _check(["cc", *pie, "-O2", "-I.", "main.c", f"{case}.o", "-lm", "-o", "main"], work)
    done = subprocess.run(["./main"], cwd=work, capture_output=True, text=True, timeout=60, check=False)
    return Result(done.returncode, done.stdout, work)


def build_firmware(case: str, work: pathlib.Path, *flags: str) -> pathlib.Path:
    prepare(case, work, "--target=cortex-m4f", "--kernels=ir", *flags)
    _check(
        [
            "arm-none-eabi-gcc",
            *ARM_FLAGS,
            "-I.",
            "main.c",
            f"{case}.o",
            "-lm",
            "-o",
            "fw.elf",
        ],
        work,
    )
    return work / "fw.elf"


def run_cortex_m4f(case: str, work: pathlib.Path, *flags: str) -> Result:
    elf = build_firmware(case, work, *flags)
    cmd = [*QEMU_M4F, "-kernel", str(elf)]
    done = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
    return Result(done.returncode, done.stdout + done.stderr, work)


def run_wasm32(case: str, work: pathlib.Path, *flags: str) -> Result:
    prepare(case, work, "--target=wasm32", "--kernels=ir", *flags)
    _check(
        [
            "clang-19",
            "--target=wasm32-wasi",
            "-O2",
            "-I.",
            "main.c",
            f"{case}.o",
            "-lm",
            "-o",
            "main.wasm",
        ],
        work,
    )
    status, out = wasi.run(work / "main.wasm")
    return Result(status, out, work)


def section_sizes(obj: pathlib.Path, tool: str = "size") -> dict[str, int]:
    """text/data/bss of an object or ELF as reported by (arm-none-eabi-)size."""
    out = _check([tool, str(obj)], obj.parent).splitlines()[1].split()
    return {"text": int(out[0]), "data": int(out[1]), "bss": int(out[2])}
