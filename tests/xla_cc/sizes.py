"""Code and data size of every example's library per target, and the MLP firmware footprint.

Usage: PYTHONPATH=. python tests/xla_cc/sizes.py

Also the guest instructions per call on Cortex-M4F: qemu with `-icount shift=0` runs one
instruction per virtual nanosecond and the mps2-an386 SysTick counts the 25 MHz core clock,
so instructions = SysTick ticks x 40 (deterministic; QEMU does not model cycles).

Library sizes are `llvm-size-19` of the merged object (text = code + read-only data such as
baked-in weights, bss = the static scratch of the convenience entry point). The firmware rows
link a minimal Cortex-M4F program (picolibc, semihosting exit, no printf) calling
`<prefix>_with_temp` on a static scratch buffer, minus the same program without the call.
"""

import pathlib
import subprocess
import tempfile

from tests.xla_cc import e2e, testlib
from tools.xla_cc import harness_c

_CASES = e2e.CASES
_TARGETS = (
    ("x86_64", "host"),
    ("x86_64", "ir"),
    ("cortex-m4f", "ir"),
    ("wasm32", "ir"),
)

_FIRMWARE = """\
#include <stdint.h>
#include "mlp_const.h"
static float x[64] __attribute__((aligned(64))), y[32] __attribute__((aligned(64)));
static uint8_t temp[MLP_CONST_TEMP_BYTES] __attribute__((aligned(64)));
int main(void) {
#ifdef CALL
  for (int i = 0; i < 64; ++i) x[i] = (float)i / 64.0f;
  if (mlp_const_with_temp(x, y, temp)) return 2;
  return y[0] > 1000.0f;
#else
  return (int)x[0] + (int)y[0] + temp[0];
#endif
}
"""


def _size(path: pathlib.Path) -> tuple[int, int, int]:
    out = subprocess.run(["llvm-size-19", str(path)], capture_output=True, text=True, check=True)
    text, data, bss = out.stdout.splitlines()[1].split()[:3]
    return int(text), int(data), int(bss)


def library_sizes(work: pathlib.Path) -> None:
    print("library object (llvm-size): text+rodata / data / bss, bytes")
    print(f"{'case':15s}" + "".join(f"{t + '/' + k:>22s}" for t, k in _TARGETS))
    for case in _CASES:
        exported = testlib.export_case(case, work / case)
        row = []
        for target, kernels in _TARGETS:
            out = work / case / f"{target}_{kernels}"
            out.mkdir()
            testlib.run_tool(exported, case, out, f"--target={target}", f"--kernels={kernels}")
            text, data, bss = _size(out / f"{case}.o")
            row.append(f"{text} / {data} / {bss}")
        print(f"{case:15s}" + "".join(f"{r:>22s}" for r in row))


def firmware_sizes(work: pathlib.Path) -> None:
    out = work / "fw"
    out.mkdir()
    exported = testlib.export_case("mlp_const", out)
    testlib.run_tool(exported, "mlp_const", out, "--target=cortex-m4f", "--kernels=ir")
    (out / "fw.c").write_text(_FIRMWARE)
    sizes = {}
    for variant, defines in (("call", ["-DCALL"]), ("empty", [])):
        cmd = [
            "arm-none-eabi-gcc",
            *e2e.ARM_FLAGS,
            *defines,
            "-I.",
            "fw.c",
            "mlp_const.o",
            "-lm",
        ]
        subprocess.run([*cmd, "-o", f"{variant}.elf"], cwd=out, check=True, capture_output=True)
        sizes[variant] = _size(out / f"{variant}.elf")
    (t1, d1, b1), (t0, d0, b0) = sizes["call"], sizes["empty"]
    print(
        f"mlp_const firmware (Cortex-M4F, -O2, gc-sections): flash {t1 + d1} B, RAM {d1 + b1} B; "
        f"the library adds flash {t1 + d1 - t0 - d0} B, RAM {d1 + b1 - d0 - b0} B "
        "(scratch, inputs and outputs are in the program's own arrays)"
    )


_TICKS = """\
#include <stdint.h>
#include <stdio.h>
#include "{case}.h"
#define SYST_CSR (*(volatile uint32_t*)0xE000E010)
#define SYST_RVR (*(volatile uint32_t*)0xE000E014)
#define SYST_CVR (*(volatile uint32_t*)0xE000E018)
{arrays}
static uint8_t temp[{macro}_TEMP_BYTES] __attribute__((aligned(64)));
int main(void) {{
  SYST_RVR = 0xFFFFFF;
  SYST_CVR = 0;
  SYST_CSR = 5; /* enable, core clock */
  while (SYST_CVR == 0) {{}}
  uint32_t t0 = SYST_CVR;
  int status = {case}_with_temp({args}, temp);
  uint32_t t1 = SYST_CVR;
  printf("ticks %lu\\n", (unsigned long)((t0 - t1) & 0xFFFFFF));
  return status;
}}
"""


def instruction_counts(work: pathlib.Path) -> None:
    print("Cortex-M4F guest instructions per call (SysTick ticks x 40 under -icount shift=0)")
    for case in _CASES:
        out = work / "ticks" / case
        exported = e2e.prepare(case, out, "--target=cortex-m4f", "--kernels=ir")
        arrays, args = [], []
        for leaf, value in zip(exported["sig"]["inputs"], exported["inputs"], strict=False):
            arrays.append(harness_c.array(f"in{leaf['index']}", value, leaf["dtype"]))
            args.append(f"in{leaf['index']}")
        for leaf, value in zip(exported["sig"]["outputs"], exported["outputs"], strict=False):
            arrays.append(harness_c.array(f"out{leaf['index']}", value * 0, leaf["dtype"]))
            args.append(f"out{leaf['index']}")
        source = _TICKS.format(
            case=case,
            macro=case.upper(),
            arrays="\n".join(arrays),
            args=", ".join(args),
        )
        (out / "ticks.c").write_text(source)
        cmd = [
            "arm-none-eabi-gcc",
            *e2e.ARM_FLAGS,
            "-I.",
            "ticks.c",
            f"{case}.o",
            "-lm",
        ]
        subprocess.run([*cmd, "-o", "t.elf"], cwd=out, check=True, capture_output=True)
        done = subprocess.run(
            [*e2e.QEMU_M4F, "-icount", "shift=0", "-kernel", "t.elf"],
            cwd=out,
            capture_output=True,
            text=True,
            check=True,
        )
        ticks = int((done.stdout + done.stderr).split("ticks")[1].split()[0])
        print(f"  {case:15s} ~{ticks * 40} instructions")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        library_sizes(pathlib.Path(tmp))
        firmware_sizes(pathlib.Path(tmp))
        instruction_counts(pathlib.Path(tmp))


if __name__ == "__main__":
    main()
