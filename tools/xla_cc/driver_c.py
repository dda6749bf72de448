"""Generates `NAME.c`: the driver that replaces XLA:CPU's runtime for one executable.

It sets up every buffer allocation (caller arrays, constants, scratch), then runs the thunk
sequence (`thunks_c`) calling XLA's kernels through the kernel C ABI of
`xla/backends/cpu/runtime/kernel_c_api.h`. XLA's optimized IR reads the call frame with 64-bit
offsets baked in (args at +24, 16-byte args), so the frame is declared with 64-bit slots on
every target; pointers are stored zero-extended, which is right on little-endian 32-bit targets.
Only the header's entry points are external; everything else is `static`.
"""

from tools.xla_cc import dtypes, header_c, memory_plan, program, signature, thunks_c

_ABI = """\
/* XLA:CPU kernel ABI (kernel_c_api.h) with 64-bit slots on every target. */
typedef struct { uint64_t x, y, z; } xla_cc_dim3;
typedef struct { uint64_t data, size; } xla_cc_arg;
typedef struct { uint64_t thread_dims, thread, num_args, args; } xla_cc_frame;
typedef void* xla_cc_kernel(const xla_cc_frame* frame); /* NULL on success */
_Static_assert(sizeof(xla_cc_arg) == 16, "XLA_CPU_KernelArg is 16 bytes");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the 64-bit call frame emulation needs a little-endian target"
#endif

/* Runs every workgroup in order; XLA's runtime would run them in parallel. */
static int xla_cc_launch(xla_cc_kernel* kernel, const xla_cc_arg* args, uint64_t num_args,
                         uint64_t nx, uint64_t ny, uint64_t nz) {
  const xla_cc_dim3 dims = {nx, ny, nz};
  for (uint64_t z = 0; z < nz; ++z)
    for (uint64_t y = 0; y < ny; ++y)
      for (uint64_t x = 0; x < nx; ++x) {
        const xla_cc_dim3 id = {x, y, z};
        const xla_cc_frame frame = {(uint64_t)(uintptr_t)&dims, (uint64_t)(uintptr_t)&id,
                                    num_args, (uint64_t)(uintptr_t)args};
        if (kernel(&frame) != 0) return 1;
      }
  return 0;
}

static int xla_cc_aligned(const void* p) { return ((uintptr_t)p & 63u) == 0; }
"""


def _constant(alloc: program.Allocation) -> list[str]:
    data = alloc.content
    rows = ["  " + ", ".join(f"0x{b:02x}" for b in data[i : i + 16]) + "," for i in range(0, len(data), 16)]
    return [
        (f"static const uint8_t xla_cc_constant{alloc.index}[{len(data)}] __attribute__((aligned(64))) = {{"),
        *rows,
        "};",
    ]


def _check_io(prog: program.Program, sig: signature.Signature) -> None:
    """The executable's parameters and results must match the signature exactly."""
    pairs = (("input", prog.params, sig.inputs), ("output", prog.results, sig.outputs))
    for kind, xla_side, leaves in pairs:
        if len(xla_side) != len(leaves):
            raise dtypes.UnsupportedSignature(
                f"signature has {len(leaves)} {kind}s but the executable has {len(xla_side)}"
            )
        for (shape, _), leaf in zip(xla_side, leaves, strict=False):
            if (shape.dtype, shape.dims) != (leaf.dtype, leaf.shape):
                raise dtypes.UnsupportedSignature(
                    f"{kind} {leaf.index} ({leaf.name}) is {leaf.logical()} in the signature "
                    f"but {shape.dtype}{list(shape.dims)} in the executable"
                )
            row_major = tuple(reversed(range(len(shape.dims))))
            if shape.minor_to_major and shape.minor_to_major != row_major:
                raise dtypes.UnsupportedSignature(f"{kind} {leaf.name} is not row-major")


def _setup(prog: program.Program, sig: signature.Signature, plan: memory_plan.Plan) -> list[str]:
    lines = [f"  uint8_t* buf[{len(prog.allocations)}];"]
    for a in prog.allocations:
        if a.kind == "param":
            leaf = sig.inputs[a.param_number]
            stage = f"scratch + {plan.staging_offset[a.param_number]}"
            lines.append(
                f"  buf[{a.index}] = xla_cc_aligned({leaf.name}) ? (uint8_t*){leaf.name} : "
                f"(uint8_t*)__builtin_memcpy({stage}, {leaf.name}, {leaf.nbytes}u);"
            )
        elif a.kind == "constant":
            lines.append(f"  buf[{a.index}] = (uint8_t*)xla_cc_constant{a.index};")
        elif a.index in plan.output_alias:
            out = header_c.output_name(sig.outputs[plan.output_alias[a.index]])
            lines.append(
                f"  buf[{a.index}] = xla_cc_aligned({out}) ? (uint8_t*){out} : scratch + {plan.temp_offset[a.index]};"
            )
        else:
            lines.append(f"  buf[{a.index}] = scratch + {plan.temp_offset[a.index]};")
    return lines


def _copy_out(prog: program.Program, sig: signature.Signature) -> list[str]:
    lines = []
    for (_, s), leaf in zip(prog.results, sig.outputs, strict=False):
        out = header_c.output_name(leaf)
        lines.append(
            f"  if ((const uint8_t*){out} != {thunks_c.ptr(s)}) "
            f"__builtin_memcpy({out}, {thunks_c.ptr(s)}, {leaf.nbytes}u);"
        )
    return lines


def generate(
    names: header_c.Names,
    sig: signature.Signature,
    prog: program.Program,
    plan: memory_plan.Plan,
    kernel_names: dict[str, str],
    header_include: str,
    source_label: str,
) -> str:
    """Returns the driver's C source."""
    _check_io(prog, sig)
    emitter = thunks_c.Emitter(kernel_names, names.status("ERROR_KERNEL_FAILED"), "xla_cc_launch")
    params = ",\n    ".join(header_c.parameters(sig))
    args = ", ".join([x.name for x in sig.inputs] + [header_c.output_name(x) for x in sig.outputs])
    pointers = [x.name for x in sig.inputs] + [header_c.output_name(x) for x in sig.outputs]
    null_check = " || ".join(f"!{p}" for p in [*pointers, "temp"])
    status_cases = [f'    case {names.status(suffix)}: return "{message}";' for suffix, message in header_c.STATUSES]
    lines = [
        f"/* Generated by {header_c.GENERATOR} from {source_label}. DO NOT EDIT.",
        f" * Driver for XLA:CPU module {prog.module_name}: {sig.logical()} */",
        f'#include "{header_c.header_include_path(header_include)}"',
        "",
        _ABI,
        *[f"extern void* {c}(const xla_cc_frame* frame);" for c in kernel_names.values()],
        "",
    ]
    for a in prog.allocations:
        if a.kind == "constant":
            lines.extend(_constant(a))
    lines += [
        "",
        f"const char* {names.status_string}(int status) {{",
        "  switch (status) {",
        *status_cases,
        '    default: return "unknown status";',
        "  }",
        "}",
        "",
        f"int {names.entry_with_temp}(",
        f"    {params},",
        "    void* temp) {",
        f"  if ({null_check}) return {names.status('ERROR_NULL_POINTER')};",
        f"  if (!xla_cc_aligned(temp)) return {names.status('ERROR_MISALIGNED_TEMP')};",
        "  uint8_t* const scratch = (uint8_t*)temp;",
        *_setup(prog, sig, plan),
        *emitter.sequence(prog.thunks, "  "),
        *_copy_out(prog, sig),
        f"  return {names.status('OK')};",
        "}",
        "",
        f"static uint8_t xla_cc_temp[{max(plan.temp_bytes, 1)}] __attribute__((aligned(64)));",
        "",
        f"int {names.entry}(",
        f"    {params}) {{",
        f"  return {names.entry_with_temp}({args}, xla_cc_temp);",
        "}",
        "",
    ]
    return "\n".join(lines)
