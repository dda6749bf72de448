"""What one call of an IREE module does, read from its VM IR (`iree-compile --compile-to=vm`).

IREE's host program is a VM module that records a command buffer once (dispatches, fills) and
replays it on every call of `main` against a binding table of the call's buffers. For the
wasm32 route nothing can run that VM module, so this reads the straight-line subset of it that
static-shape JAX functions compile to:

* `__init`: which `vm.rodata` holds each executable (`hal.executable.create`), and hoisted
  constant buffers that `__init` allocates and fills (`hal.device.queue.alloca` + `.fill`);
* the function that records the command buffer (`__main_memoize_apply`, or `main` itself):
  `hal.command_buffer.dispatch` (export name, workgroup count, constants, bindings by binding
  table slot or by direct buffer) and `hal.command_buffer.fill_buffer`;
* `main`: its argument buffers, its transient allocations, the binding table of the one
  `hal.device.queue.execute.indirect`, and the outputs (`hal.buffer_view.create`).

Anything else (other ops, control flow, operands that are not constants) is refused with an
`Unavailable` that names it. Operand positions follow the `vm.import private @hal.*`
declarations printed in the same IR (IREE's compiler/src/iree/compiler/Dialect/HAL/hal.imports.mlir).
"""

import dataclasses
import re

from bench.backends import Unavailable

# HAL element type of f32: numerical type float-IEEE (0x21) << 24 | 32 bits
# (iree/hal/buffer_view.h, IREE_HAL_ELEMENT_TYPE_FLOAT_32).
F32 = 0x21000020

# VM ops (or `vm.call @callee`s) each function may contain; anything else is refused.
_COMMON = {"vm.const.i32", "vm.const.i64", "vm.const.i32.zero", "vm.const.i64.zero", "vm.const.ref.zero"}
_COMMON |= {"vm.const.ref.rodata", "vm.global.load.ref", "vm.discard.refs", "vm.return", "vm.fail"}
_RECORD = {
    "hal.command_buffer.create",
    "hal.executable.lookup.function",
    "hal.command_buffer.dispatch",
    "hal.command_buffer.fill_buffer",
    "hal.command_buffer.execution_barrier",
    "hal.command_buffer.finalize",
}
_MAIN = {
    "hal.buffer_view.assert",
    "hal.buffer_view.buffer",
    "hal.device.allocator",
    "hal.buffer.assert",
    "hal.fence.create",
    "hal.fence.join",
    "hal.fence.await",
    "hal.device.queue.alloca",
    "hal.device.queue.dealloca",
    "hal.device.queue.execute.indirect",
    "hal.buffer_view.create",
    "vm.global.load.ref",
    "vm.cond_br",  # only on the fence wait's status: main has no other way to compute a condition
}
# __init also selects the device (a loop over devices with queries); that is not our concern.
_INIT = {
    "hal.devices.count",
    "hal.devices.get",
    "hal.device.query.i64",
    "hal.executable.create",
    "hal.fence.create",
    "hal.fence.await",
    "hal.device.queue.alloca",
    "hal.device.queue.fill",
    "vm.global.store.ref",
    "vm.br",
    "vm.cond_br",
    "vm.cmp.nz.ref",
    "vm.cmp.nz.i64",
    "vm.cmp.eq.i64",
    "vm.cmp.lt.i64.s",
    "vm.xor.i32",
    "vm.and.i32",
    "vm.select.i32",
    "vm.select.i64",
    "vm.select.ref",
    "vm.add.i64",
    "vm.ext.i32.i64.s",
    "vm.trunc.i64.i32",
    "__main_memoize_apply",
}


@dataclasses.dataclass(frozen=True)
class Buffer:
    """A buffer the program uses: an argument, a transient of one call, or a hoisted constant.

    Attributes:
      kind: "input", "transient" or "constant".
      key: the argument index (input), or a name unique among buffers.
      size: bytes (0 for inputs: the argument's own size).
      fills: (offset, length, pattern, pattern_bytes) written once before the first call.
    """

    kind: str
    key: int | str
    size: int = 0
    fills: tuple = ()


@dataclasses.dataclass(frozen=True)
class Range:
    """`length` bytes of `buffer` from `offset`."""

    buffer: Buffer
    offset: int
    length: int


@dataclasses.dataclass(frozen=True)
class Dispatch:
    """One `hal.command_buffer.dispatch`: every workgroup of `export` over `bindings`."""

    executable: str
    export: str
    workgroups: tuple[int, int, int]
    constants: tuple[int, ...]
    bindings: tuple[Range, ...]


@dataclasses.dataclass(frozen=True)
class Fill:
    """One `hal.command_buffer.fill_buffer`: `target` set to a repeated pattern."""

    target: Range
    pattern: int
    pattern_bytes: int


@dataclasses.dataclass(frozen=True)
class Output:
    """One result of `main`: a f32 view of a buffer range."""

    range: Range
    shape: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Schedule:
    """All one call of `main` does, in order, with the buffers it touches."""

    executables: dict[str, bytes]  # executable global name -> its wasm module
    buffers: tuple[Buffer, ...]
    commands: tuple[Dispatch | Fill, ...]
    outputs: tuple[Output, ...]
    inputs: int


@dataclasses.dataclass(frozen=True)
class _Op:
    results: tuple[str, ...]
    name: str  # the VM op, or the callee of vm.call
    text: str  # the operands and the rest of the line


@dataclasses.dataclass
class _Function:
    name: str
    ops: list[_Op]
    consts: dict[str, int]


_LOC = re.compile(r"\s+loc\(.*$")
_OP = re.compile(r"^\s*(?:(%[\w\-#:]+(?:, %[\w\-]+)*) = )?(vm\.[\w.]+)(.*)$")
_CALL = re.compile(r"^\s*@([\w.]+)(.*)$")
_CONST = re.compile(r"^\s*(-?\d+)")
_ARGS = re.compile(r"%[\w\-]+")


def _functions(vm_text: str) -> dict[str, _Function]:
    funcs: dict[str, _Function] = {}
    current = None
    for raw in vm_text.splitlines():
        line = _LOC.sub("", raw)
        head = re.match(r"^\s*vm\.func private @([\w.]+)\(", line)
        if head:
            current = funcs[head.group(1)] = _Function(head.group(1), [], {})
            continue
        if current is None:
            continue
        if re.match(r"^    }", line):
            current = None
            continue
        m = _OP.match(line)
        if not m:
            continue  # block headers
        results = tuple(r.split(":")[0] for r in (m.group(1) or "").split(", ") if r)
        name, rest = m.group(2), m.group(3)
        if name.startswith("vm.call"):
            call = _CALL.match(rest)
            name, rest = call.group(1), call.group(2)
        elif name.startswith("vm.const.") and results and name != "vm.const.ref.rodata":
            value = _CONST.match(rest)
            current.consts[results[0]] = int(value.group(1)) if value else 0
        current.ops.append(_Op(results, name, rest))
    return funcs


def _check_ops(f: _Function, allowed: set[str], role: str) -> None:
    for op in f.ops:
        if op.name not in allowed and op.name not in _COMMON:
            if op.name.startswith(("vm.br", "vm.cond_br", "vm.switch")):
                what = "control flow"
            elif not op.name.startswith(("vm.", "hal.")):
                what = "a call of a VM function"
            else:
                what = "unsupported op"
            raise Unavailable(
                f"{role} `{f.name}` uses {op.name} ({what}); the wasm32 host replays only straight-line HAL"
            )


def _operands(op: _Op) -> list[str]:
    """Top-level operand names of a call, with `[...]` lists kept as one string each."""
    inner = op.text[op.text.index("(") + 1 :]
    depth, cur, out = 0, "", []
    for ch in inner:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            if depth == 0:
                break
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def _value(f: _Function, name: str) -> int:
    if name not in f.consts:
        raise Unavailable(f"`{f.name}` passes {name}, which is not a constant (dynamic shapes or offsets)")
    return f.consts[name]


def _rodata(vm_text: str) -> tuple[dict[str, bytes], dict[str, str]]:
    wasm, strings = {}, {}
    for m in re.finditer(r'vm\.rodata private @(\w+) <([^>]*)> (dense<"0x([0-9A-Fa-f]*)">|"([^"]*)")', vm_text):
        if 'mime_type = "application/wasm"' in m.group(2):
            wasm[m.group(1)] = bytes.fromhex(m.group(4))
        elif m.group(5) is not None:
            strings[m.group(1)] = m.group(5)
    return wasm, strings


def _init(f: _Function, wasm: dict[str, bytes]) -> tuple[dict[str, bytes], dict[str, Buffer]]:
    """Executables by global, and the hoisted constants __init allocates and fills."""
    _check_ops(f, _INIT, "initializer")
    rodata = {op.results[0]: op.text.strip().split()[0][1:] for op in f.ops if op.name == "vm.const.ref.rodata"}
    made: dict[str, bytes] = {}
    allocs: dict[str, int] = {}
    fills: dict[str, list] = {}
    executables: dict[str, bytes] = {}
    constants: dict[str, Buffer] = {}
    for op in f.ops:
        args = _operands(op) if "(" in op.text else []
        if op.name == "hal.executable.create":
            data = rodata.get(args[3])
            if data not in wasm:
                raise Unavailable(f"executable {args[3]} is not an embedded wasm module")
            made[op.results[0]] = wasm[data]
        elif op.name == "hal.device.queue.alloca":
            allocs[op.results[0]] = _value(f, args[7])
        elif op.name == "hal.device.queue.fill":
            target, offset, length, pattern, width = args[4:9]
            fills.setdefault(target, []).append(
                (_value(f, offset), _value(f, length), _value(f, pattern), _value(f, width))
            )
        elif op.name == "vm.global.store.ref":
            ref, glob = [s.strip() for s in op.text.split(":")[0].split(",")]
            glob = glob.lstrip("@")
            if ref in made:
                executables[glob] = made[ref]
            elif ref in allocs:
                constants[glob] = Buffer("constant", glob, allocs[ref], tuple(fills.get(ref, ())))
    return executables, constants


def _record(f: _Function, strings: dict[str, str], buffers: dict[str, Buffer]) -> list:
    """The command buffer's dispatches and fills, with bindings still as (slot, direct buffer)."""
    _check_ops(f, _RECORD, "command-buffer function")
    globs = {op.results[0]: op.text.strip().split()[0].lstrip("@") for op in f.ops if op.name == "vm.global.load.ref"}
    rodata = {op.results[0]: op.text.strip().split()[0][1:] for op in f.ops if op.name == "vm.const.ref.rodata"}
    functions: dict[str, tuple[str, str]] = {}
    commands = []
    for op in f.ops:
        if op.name == "hal.executable.lookup.function":
            exe, name = _operands(op)
            functions[op.results[0]] = (globs[exe], strings[rodata[name]])
        elif op.name == "hal.command_buffer.dispatch":
            _, exe, fn, x, y, z, _, consts, binds = _operands(op)
            bindings = []
            for b in re.findall(r"\(([^()]*)\)", binds):
                _, slot, buf, offset, length = [s.strip() for s in b.split(",")]
                direct = None if buf.startswith("%null") else buffers[globs[buf]]
                bindings.append((_value(f, slot), direct, _value(f, offset), _value(f, length)))
            constants = tuple(_value(f, c) for c in _ARGS.findall(consts))
            wg = (_value(f, x), _value(f, y), _value(f, z))
            commands.append(("dispatch", functions[fn], wg, constants, bindings))
        elif op.name == "hal.command_buffer.fill_buffer":
            _, buf, offset, length, slot, pattern, width, _ = _operands(op)
            direct = None if buf.startswith("%null") else buffers[globs[buf]]
            target = (_value(f, slot), direct, _value(f, offset), _value(f, length))
            commands.append(("fill", target, _value(f, pattern), _value(f, width)))
    return commands


def _main(f: _Function, constants: dict[str, Buffer]) -> tuple[list[Range], list[Output], list[Buffer]]:
    """The binding table of main's one execute, its outputs, and its transient buffers."""
    _check_ops(f, _MAIN, "entry function")
    refs: dict[str, Buffer] = {}
    transients = []
    table, views, outputs = None, {}, []
    for op in f.ops:
        args = _operands(op) if "(" in op.text else []
        if op.name == "hal.buffer_view.buffer":
            refs[op.results[0]] = Buffer("input", int(args[0].removeprefix("%arg")))
        elif op.name == "hal.device.queue.alloca":
            refs[op.results[0]] = Buffer("transient", op.results[0], _value(f, args[7]))
            transients.append(refs[op.results[0]])
        elif op.name == "vm.global.load.ref":
            glob = op.text.strip().split()[0].lstrip("@")
            if glob in constants:
                refs[op.results[0]] = constants[glob]
        elif op.name == "hal.device.queue.execute.indirect":
            if table is not None:
                raise Unavailable(f"`{f.name}` executes more than one command buffer")
            table = [
                Range(refs[r], _value(f, o), _value(f, n))
                for r, o, n in re.findall(r"\((%[\w\-]+), (%[\w\-]+), (%[\w\-]+)\)", args[6])
            ]
        elif op.name == "hal.buffer_view.create":
            buf, offset, length, etype, _, dims = args
            if _value(f, etype) != F32:
                raise Unavailable(f"output element type {_value(f, etype):#x} is not f32")
            shape = tuple(_value(f, d) for d in _ARGS.findall(dims))
            views[op.results[0]] = Output(Range(refs[buf], _value(f, offset), _value(f, length)), shape)
        elif op.name == "vm.return":
            outputs = [views[r] for r in _ARGS.findall(op.text.split(":")[0]) if r in views]
    if table is None:
        raise Unavailable(f"`{f.name}` runs no command buffer (hal.device.queue.execute.indirect)")
    return table, outputs, transients


def _resolve(binding: tuple, table: list[Range]) -> Range:
    slot, direct, offset, length = binding
    if direct is not None:
        return Range(direct, offset, length)
    base = table[slot]
    return Range(base.buffer, base.offset + offset, length if length >= 0 else base.length - offset)


def parse(vm_text: str) -> Schedule:
    """The schedule of `main` in `vm_text`; `Unavailable` with the reason when it is not replayable."""
    funcs = _functions(vm_text)
    if "main" not in funcs or "__init" not in funcs:
        raise Unavailable(f"the VM module has no main/__init (functions: {sorted(funcs)})")
    wasm, strings = _rodata(vm_text)
    executables, constants = _init(funcs["__init"], wasm)
    recorders = [f for f in funcs.values() if any(op.name == "hal.command_buffer.create" for op in f.ops)]
    if len(recorders) != 1:
        raise Unavailable(f"{len(recorders)} functions record command buffers; the host replays exactly one")
    table, outputs, transients = _main(funcs["main"], constants)
    commands = []
    for c in _record(recorders[0], strings, constants):
        if c[0] == "dispatch":
            _, (exe, export), wg, consts, binds = c
            commands.append(Dispatch(exe, export, wg, consts, tuple(_resolve(b, table) for b in binds)))
        else:
            _, target, pattern, width = c
            commands.append(Fill(_resolve(target, table), pattern, width))
    header = re.search(r"vm\.func private @main\((.*)$", vm_text, re.MULTILINE).group(1)
    n_inputs = len(re.findall(r"%arg\d+:", header))
    buffers = [Buffer("input", i) for i in range(n_inputs)] + transients + list(constants.values())
    return Schedule(executables, tuple(buffers), tuple(commands), tuple(outputs), n_inputs)
