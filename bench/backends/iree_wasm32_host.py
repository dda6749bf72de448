"""A minimal host for IREE's wasm32 executables (format `system-wasm-wasm_32`) in wasmtime.

IREE's runtime loads these executables only in its web build (emscripten), which is not
available here, and its pip runtime refuses the format. What a host must do is small, though:

* Link each executable: they are PIC "dylink.0" modules (the WebAssembly tool-conventions'
  DynamicLinking.md) importing `env.memory`, `env.__indirect_function_table`, `__memory_base`,
  `__table_base` and sometimes `__stack_pointer`. All share one memory and one table here.
* Speak the HAL local-executable ABI (iree/hal/local/executable_library.h, IREE 3.13 = library
  version 6, 32-bit pointers): `iree_hal_executable_library_query(6, environment)` returns the
  library; its export table gives each dispatch function (a table index) by name, and its
  attributes the workgroup-local memory and binding count.
* Run a schedule (bench/backends/iree_wasm32_schedule.py): every buffer gets a fixed place in
  linear memory, every dispatch a prepared `dispatch_state`, and `iree_wasm32_driver.wat` runs
  all commands and workgroups in one call from Python.

Memory map: [0, 1 KiB) unused (NULL), environment and workgroup state, a 64 KiB shadow stack,
the modules' data, the buffers (64-byte aligned), the dispatch states and command records, and
the workgroup-local scratch last.
"""

import dataclasses
import pathlib
import struct

import numpy as np

from bench.backends import Unavailable
from bench.backends import iree_wasm32_schedule as sched

LIBRARY_VERSION = 6  # IREE_HAL_EXECUTABLE_LIBRARY_VERSION_0_6: the only one IREE 3.13's query answers
_ENV, _WORKGROUP, _STACK_BASE, _STACK_SIZE = 1024, 1152, 4096, 64 * 1024
_ALIGN = 64
_PAGE = 65536
_LOCAL_PAGE = 4096  # IREE_HAL_EXECUTABLE_WORKGROUP_LOCAL_MEMORY_PAGE_SIZE
_RECORD = 32  # bytes per command record of the driver
# iree_hal_executable_dispatch_state_v0_t with 32-bit pointers: workgroup_size x, y (u32), z (u16),
# constant count (u16), workgroup_count x, y (u32), z (u16), max_concurrency, binding_count (u8),
# constants*, binding_ptrs*, binding_lengths*.
_DISPATCH_STATE = struct.Struct("<IIHHIIHBBIII")
# iree_hal_executable_dispatch_attrs_v0_t as IREE 3.13 emits it (64 bytes each): flags (u64),
# local_memory_pages (u16), constant_count (u8), binding_count (u8), workgroup_size x, y, z.
# Read off the emitted tables (binding_count equals every dispatch's bindings in the VM IR);
# Host checks both counts against the schedule, so a different layout fails loudly.
_ATTRS = struct.Struct("<QHBBIIH")
_ATTRS_STRIDE = 64
_DRIVER = pathlib.Path(__file__).with_name("iree_wasm32_driver.wat")


def _uleb(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def dylink_info(wasm: bytes) -> tuple[int, int, int, int]:
    """(memory size, log2 memory alignment, table size, log2 table alignment) from `dylink.0`."""
    pos = 8  # magic and version
    while pos < len(wasm):
        section, pos = wasm[pos], pos + 1
        size, pos = _uleb(wasm, pos)
        end = pos + size
        if section == 0:
            name_len, p = _uleb(wasm, pos)
            if wasm[p : p + name_len] == b"dylink.0":
                p += name_len
                while p < end:
                    kind, p = _uleb(wasm, p)
                    length, p = _uleb(wasm, p)
                    if kind == 1:  # WASM_DYLINK_MEM_INFO
                        fields = []
                        for _ in range(4):
                            v, p = _uleb(wasm, p)
                            fields.append(v)
                        return tuple(fields)
                    p += length
        pos = end
    raise Unavailable("an executable has no dylink.0 section: not a PIC wasm module")


def _align(x: int, a: int = _ALIGN) -> int:
    return (x + a - 1) // a * a


@dataclasses.dataclass
class _Layout:
    module_bases: dict[str, int]
    table_bases: dict[str, int]
    table_size: int
    buffers: dict[sched.Buffer, int]
    states: list[int]  # per command: its dispatch_state (0 for fills)
    records: int
    local_memory: int
    end: int


def _layout(schedule: sched.Schedule, inputs: list[np.ndarray]) -> _Layout:
    cur = _STACK_BASE + _STACK_SIZE
    module_bases, table_bases, table = {}, {}, 1  # table index 0 stays NULL
    for name, wasm in schedule.executables.items():
        mem_size, mem_align, table_size, table_align = dylink_info(wasm)
        cur = _align(cur, 1 << mem_align)
        module_bases[name], cur = cur, cur + mem_size
        table = _align(table, 1 << table_align)
        table_bases[name], table = table, table + table_size
    buffers = {}
    for b in schedule.buffers:
        cur = _align(cur)
        buffers[b] = cur
        cur += inputs[b.key].nbytes if b.kind == "input" else b.size
    states = []
    for c in schedule.commands:
        if isinstance(c, sched.Fill):
            states.append(0)
            continue
        cur = _align(cur)
        states.append(cur)
        cur += _DISPATCH_STATE.size + 4 * len(c.constants) + 8 * len(c.bindings)
    records = _align(cur)
    cur = _align(records + _RECORD * len(schedule.commands), _LOCAL_PAGE)
    return _Layout(module_bases, table_bases, table, buffers, states, records, cur, cur)


class Host:
    """The schedule's executables linked into one wasmtime store, ready to run."""

    def __init__(self, schedule: sched.Schedule, inputs: list[np.ndarray]):
        import wasmtime

        if len(inputs) != schedule.inputs:
            raise ValueError(f"{len(inputs)} inputs, the function takes {schedule.inputs}")
        self.schedule = schedule
        self.layout = lay = _layout(schedule, inputs)
        self.store = store = wasmtime.Store()  # default engine: Cranelift, SIMD on, as for our module
        pages = -(-lay.end // _PAGE)
        self.memory = wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(pages, None)))
        funcref = wasmtime.ValType.funcref()
        self.table = wasmtime.Table(store, wasmtime.TableType(funcref, wasmtime.Limits(lay.table_size, None)), None)
        i32 = wasmtime.ValType.i32()
        stack = wasmtime.Global(store, wasmtime.GlobalType(i32, True), wasmtime.Val.i32(_STACK_BASE + _STACK_SIZE))
        self.exports: dict[tuple[str, str], tuple[int, tuple]] = {}
        for name, wasm in schedule.executables.items():
            module = wasmtime.Module(store.engine, wasm)
            provided = {
                "memory": self.memory,
                "__indirect_function_table": self.table,
                "__stack_pointer": stack,
                "__memory_base": wasmtime.Global(
                    store, wasmtime.GlobalType(i32, False), wasmtime.Val.i32(lay.module_bases[name])
                ),
                "__table_base": wasmtime.Global(
                    store, wasmtime.GlobalType(i32, False), wasmtime.Val.i32(lay.table_bases[name])
                ),
            }
            missing = [f"{i.module}.{i.name}" for i in module.imports if i.name not in provided]
            if missing:
                raise Unavailable(f"executable {name} imports {missing}, which this host does not provide")
            instance = wasmtime.Instance(store, module, [provided[i.name] for i in module.imports])
            self._load_library(name, instance.exports(store))
        driver = wasmtime.Module(store.engine, _DRIVER.read_text())
        self._run = wasmtime.Instance(store, driver, [self.memory, self.table]).exports(store)["run"]
        self._write_constants()
        self._write_commands()

    def _u32(self, addr: int) -> int:
        return struct.unpack("<I", self.memory.read(self.store, addr, addr + 4))[0]

    def _cstr(self, addr: int) -> str:
        out = bytearray()
        while (b := self.memory.read(self.store, addr, addr + 1)[0]) != 0:
            out.append(b)
            addr += 1
        return out.decode()

    def _load_library(self, name: str, exports) -> None:
        """Relocates the module's data and reads its export table (names, table indices, attrs)."""
        for init in ("__wasm_apply_data_relocs", "__wasm_call_ctors"):
            if init in exports:
                exports[init](self.store)
        library = exports["iree_hal_executable_library_query"](self.store, LIBRARY_VERSION, _ENV)
        if not library:
            raise Unavailable(f"executable {name} does not answer library version {LIBRARY_VERSION}")
        if self._u32(self._u32(library)) != LIBRARY_VERSION:
            raise Unavailable(f"executable {name}: header version is not {LIBRARY_VERSION}")
        # iree_hal_executable_library_v0_t: header*, imports {count, symbols*},
        # exports {count, ptrs*, attrs*, params*, occupancy*, names*, ...}.
        n_imports, symbols = self._u32(library + 4), self._u32(library + 8)
        if n_imports:
            wanted = [self._cstr(self._u32(symbols + 4 * i)) for i in range(n_imports)]
            raise Unavailable(f"executable {name} imports functions {wanted}; the host has no import table")
        count, ptrs, attrs, names = (self._u32(library + off) for off in (12, 16, 20, 32))
        for i in range(count):
            export = self._cstr(self._u32(names + 4 * i))
            raw = self.memory.read(self.store, attrs + _ATTRS_STRIDE * i, attrs + _ATTRS_STRIDE * i + _ATTRS.size)
            self.exports[(name, export)] = (self._u32(ptrs + 4 * i), _ATTRS.unpack(bytes(raw)))

    def _write_constants(self) -> None:
        """Fills the hoisted constants, as IREE's `__init` does once."""
        for b, addr in self.layout.buffers.items():
            for offset, length, pattern, width in b.fills:
                word = (pattern & ((1 << (8 * width)) - 1)).to_bytes(width, "little")
                self.memory.write(self.store, word * (length // width), addr + offset)

    def _write_commands(self) -> None:
        lay = self.layout
        local_bytes = 0
        for k, c in enumerate(self.schedule.commands):
            record = lay.records + _RECORD * k
            if isinstance(c, sched.Fill):
                self._write_fill(record, c)
                continue
            if (c.executable, c.export) not in self.exports:
                raise Unavailable(f"export {c.export} not found in executable {c.executable}")
            fn, (_, local_pages, n_constants, n_bindings, sx, sy, sz) = self.exports[(c.executable, c.export)]
            if n_bindings != len(c.bindings) or n_constants != len(c.constants):
                raise Unavailable(
                    f"{c.export} declares {n_bindings} bindings/{n_constants} constants, "
                    f"the schedule passes {len(c.bindings)}/{len(c.constants)}"
                )
            local_bytes = max(local_bytes, local_pages * _LOCAL_PAGE)
            state = lay.states[k]
            constants = state + _DISPATCH_STATE.size
            ptrs = constants + 4 * len(c.constants)
            lengths = ptrs + 4 * len(c.bindings)
            x, y, z = c.workgroups
            self.memory.write(
                self.store,
                _DISPATCH_STATE.pack(
                    sx or 1, sy or 1, sz or 1, len(c.constants), x, y, z, 1, len(c.bindings), constants, ptrs, lengths
                ),  # fmt: skip
                state,
            )
            words = [*c.constants, *(self.address(r) for r in c.bindings), *(r.length for r in c.bindings)]
            self.memory.write(self.store, struct.pack(f"<{len(words)}I", *words), constants)
            self.memory.write(self.store, struct.pack("<6I", 0, fn, state, x, y, z), record)
        if lay.local_memory + local_bytes > self.memory.data_len(self.store):
            self.memory.grow(
                self.store, -(-(lay.local_memory + local_bytes - self.memory.data_len(self.store)) // _PAGE)
            )
        # iree_hal_executable_workgroup_state_v0_t: id x, y (u32), z (u16), reserved (u16),
        # processor_id, local_memory*, local_memory_size.
        self.memory.write(self.store, struct.pack("<IIHHIII", 0, 0, 0, 0, 0, lay.local_memory, local_bytes), _WORKGROUP)

    def _write_fill(self, record: int, c: sched.Fill) -> None:
        word = (c.pattern & ((1 << (8 * c.pattern_bytes)) - 1)).to_bytes(c.pattern_bytes, "little")
        word = word * (4 // c.pattern_bytes)
        target = self.address(c.target)
        if len(set(word)) == 1:
            fields = (1, target, word[0], c.target.length)
        elif target % 4 == 0 and c.target.length % 4 == 0:
            fields = (2, target, int.from_bytes(word, "little"), c.target.length)
        else:
            raise Unavailable(f"fill of {c.target.length} bytes with a {c.pattern_bytes}-byte pattern, unaligned")
        self.memory.write(self.store, struct.pack("<6I", *fields, 0, 0), record)

    def address(self, r: sched.Range) -> int:
        """Where `r` starts in linear memory."""
        return self.layout.buffers[r.buffer] + r.offset

    def write_inputs(self, inputs: list[np.ndarray]) -> None:
        """Copies the arguments into their buffers."""
        for i, a in enumerate(inputs):
            data = np.ascontiguousarray(a, dtype=np.float32).tobytes()
            self.memory.write(self.store, data, self.layout.buffers[sched.Buffer("input", i)])

    def run(self) -> None:
        """One call of the function: every command, every workgroup."""
        status = self._run(self.store, self.layout.records, len(self.schedule.commands), _ENV, _WORKGROUP)
        if status:
            raise RuntimeError(f"an IREE dispatch returned status {status}")

    def outputs(self) -> list[np.ndarray]:
        """The function's results, copied out of linear memory."""
        out = []
        for o in self.schedule.outputs:
            start = self.address(o.range)
            raw = self.memory.read(self.store, start, start + o.range.length)
            out.append(np.frombuffer(bytes(raw), dtype=np.float32).reshape(o.shape).copy())
        return out
