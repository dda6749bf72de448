"""The program model: what the C driver must do, decoded from XLA:CPU's executable.

`from_compilation_result` turns an `xla.cpu.CompilationResultProto` into frozen dataclasses:
buffer allocations, where each entry parameter and result lives, and the thunk sequence
(`xla/backends/cpu/runtime/thunk.proto`). Thunks the driver cannot replace raise
`UnsupportedThunk`, naming the thunk, its HLO instruction and the JAX op that produced it.
"""

import dataclasses

from tools.xla_cc import dtypes, executable_proto


class UnsupportedThunk(ValueError):
    """The executable needs a part of XLA's runtime the generated driver does not provide."""


@dataclasses.dataclass(frozen=True)
class Shape:
    """An array shape with XLA's layout (`minor_to_major`)."""

    dtype: str  # HLO spelling: f32, s32, pred, ...
    dims: tuple[int, ...]
    minor_to_major: tuple[int, ...]

    @property
    def count(self) -> int:
        """Number of elements."""
        n = 1
        for d in self.dims:
            n *= d
        return n

    @property
    def nbytes(self) -> int:
        """Size in bytes."""
        return self.count * dtypes.lookup(self.dtype).size

    def strides(self) -> tuple[int, ...]:
        """Element stride of each logical dimension under this layout."""
        strides = [0] * len(self.dims)
        step = 1
        for d in self.minor_to_major or tuple(reversed(range(len(self.dims)))):
            strides[d] = step
            step *= self.dims[d]
        return tuple(strides)


@dataclasses.dataclass(frozen=True)
class Slice:
    """A byte range of one buffer allocation."""

    alloc: int
    offset: int
    size: int


@dataclasses.dataclass(frozen=True)
class Allocation:
    """A buffer allocation; `kind` is param, constant, temp or thread_local."""

    index: int
    size: int
    kind: str
    param_number: int = -1
    content: bytes = b""  # constants only


@dataclasses.dataclass(frozen=True)
class KernelThunk:
    """A call of an XLA kernel over its workgroups."""

    name: str
    symbol: str
    args: tuple[Slice, ...]  # operands, then results (kernel_c_api.h)
    workgroups: tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class CopyThunk:
    """A copy between buffers, possibly changing the layout."""

    name: str
    src: Slice
    src_shape: Shape
    dst: Slice
    dst_shape: Shape


@dataclasses.dataclass(frozen=True)
class DotThunk:
    """A matrix product XLA left to its runtime (Eigen)."""

    name: str
    lhs: Slice
    lhs_shape: Shape
    rhs: Slice
    rhs_shape: Shape
    out: Slice
    out_shape: Shape
    lhs_batch: tuple[int, ...]
    rhs_batch: tuple[int, ...]
    lhs_contracting: tuple[int, ...]
    rhs_contracting: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class WhileThunk:
    """A while loop: condition and body sequences."""

    name: str
    cond: tuple["Thunk", ...]
    body: tuple["Thunk", ...]
    pred: Slice
    trip_count: int | None


@dataclasses.dataclass(frozen=True)
class ConditionalThunk:
    """A conditional: one sequence per branch."""

    name: str
    branches: tuple[tuple["Thunk", ...], ...]
    index: Slice
    index_dtype: str  # pred or s32


@dataclasses.dataclass(frozen=True)
class CallThunk:
    """A call of a nested sequence."""

    name: str
    body: tuple["Thunk", ...]


Thunk = KernelThunk | CopyThunk | DotThunk | WhileThunk | ConditionalThunk | CallThunk


@dataclasses.dataclass(frozen=True)
class Program:
    """Everything the driver generator needs, in XLA's terms."""

    module_name: str
    allocations: tuple[Allocation, ...]
    params: tuple[tuple[Shape, Slice], ...]  # in parameter order
    results: tuple[tuple[Shape, Slice], ...]  # in root tuple order
    thunks: tuple[Thunk, ...]
    kernel_objects: tuple[bytes, ...]  # ELF objects for the compile host
    target_cpu: str


def _type_name(number: int) -> str:
    return executable_proto.enum_name("xla.PrimitiveType", number)


def _shape(proto) -> Shape:
    dtype = _type_name(proto.element_type).lower()
    if any(proto.is_dynamic_dimension):
        raise dtypes.UnsupportedSignature("dynamic dimensions are not supported in C")
    return Shape(dtype, tuple(proto.dimensions), tuple(proto.layout.minor_to_major))


def _slice(proto) -> Slice:
    return Slice(proto.buffer_allocation_index, proto.offset, proto.size)


class _Decoder:
    """Decodes one CompilationResultProto; holds lookup tables built once."""

    def __init__(self, result):
        self.result = result
        module = result.hlo_module.hlo_module
        self.module = module
        self.instructions = {i.id: i for c in module.computations for i in c.instructions}
        self.by_name = {i.name: i for c in module.computations for i in c.instructions}
        self.computations = {c.id: c for c in module.computations}
        assignment = result.buffer_assignment
        self.buffer_slice = {}
        for alloc in assignment.buffer_allocations:
            for assigned in alloc.assigned:
                self.buffer_slice[assigned.logical_buffer_id] = Slice(alloc.index, assigned.offset, assigned.size)
        self.position = {}
        for buf in assignment.logical_buffers:
            key = (buf.defined_at.instruction_id, tuple(buf.defined_at.shape_index))
            self.position[key] = buf.id
        for alias in assignment.buffer_aliases:
            key = (alias.location.instruction_id, tuple(alias.location.shape_index))
            self.position.setdefault(key, alias.source_buffer_id)

    def jax_op(self, hlo_name: str) -> str:
        """The JAX op (and source line) an HLO instruction came from, for error messages."""
        ins = self.by_name.get(hlo_name)
        if ins is None or not ins.metadata.op_name:
            return "unknown JAX op"
        return f"JAX op '{ins.metadata.op_name}'{self._source(ins.metadata)}"

    def _source(self, metadata) -> str:
        """` at file:line` of the innermost user frame (ids in stack_frame_index are 1-based)."""
        if metadata.source_file:
            return f" at {metadata.source_file}:{metadata.source_line}"
        index = self.module.stack_frame_index
        if not 0 < metadata.stack_frame_id <= len(index.stack_frames):
            return ""
        frame = index.stack_frames[metadata.stack_frame_id - 1]
        location = index.file_locations[frame.file_location_id - 1]
        return f" at {index.file_names[location.file_name_id - 1]}:{location.line}"

    def slice_at(self, instruction_id: int, index: tuple[int, ...]) -> Slice:
        """The slice holding the array at an HLO position, looking through tuples."""
        ins = self.instructions[instruction_id]
        if ins.opcode == "tuple" and index:
            return self.slice_at(ins.operand_ids[index[0]], index[1:])
        if ins.opcode == "get-tuple-element":
            return self.slice_at(ins.operand_ids[0], (ins.tuple_index, *index))
        if ins.opcode == "bitcast":
            return self.slice_at(ins.operand_ids[0], index)
        buffer_id = self.position.get((instruction_id, index))
        if buffer_id is None and ins.opcode == "call":
            # A call's result is its computation's root result (no buffer of its own).
            called = self.computations[ins.called_computation_ids[0]]
            return self.slice_at(called.root_id, index)
        if buffer_id is None:
            raise UnsupportedThunk(f"no buffer assigned to {ins.name}{list(index)}")
        return self.buffer_slice[buffer_id]

    def allocations(self) -> tuple[Allocation, ...]:
        out = []
        for alloc in self.result.buffer_assignment.buffer_allocations:
            if alloc.is_thread_local:
                out.append(Allocation(alloc.index, alloc.size, "thread_local"))
            elif alloc.is_entry_computation_parameter:
                if len(alloc.parameter_shape_index):
                    raise dtypes.UnsupportedSignature("tuple-shaped entry parameters")
                out.append(Allocation(alloc.index, alloc.size, "param", alloc.parameter_number))
            elif alloc.is_constant:
                out.append(Allocation(alloc.index, alloc.size, "constant", -1, self._content(alloc)))
            else:
                out.append(Allocation(alloc.index, alloc.size, "temp"))
        return tuple(out)

    def _content(self, alloc) -> bytes:
        content = bytearray(alloc.size)
        buffers = {b.id: b for b in self.result.buffer_assignment.logical_buffers}
        for assigned in alloc.assigned:
            ins = self.instructions[buffers[assigned.logical_buffer_id].defined_at.instruction_id]
            shape = _shape(ins.shape)
            data = dtypes.literal_bytes(ins.literal, shape.dtype)
            if len(shape.dims) > 1 and tuple(ins.literal.shape.layout.minor_to_major) != (shape.minor_to_major):
                raise UnsupportedThunk(f"constant {ins.name}: literal layout differs from buffer")
            content[assigned.offset : assigned.offset + len(data)] = data
        return bytes(content)

    def entry_io(self):
        entry = next(c for c in self.module.computations if c.id == self.module.entry_computation_id)
        params = sorted(
            (i for i in entry.instructions if i.opcode == "parameter"),
            key=lambda i: i.parameter_number,
        )
        param_io = tuple((_shape(p.shape), self.slice_at(p.id, ())) for p in params)
        root = self.instructions[entry.root_id]
        if _type_name(root.shape.element_type) == "TUPLE":
            result_io = []
            for i, leaf in enumerate(root.shape.tuple_shapes):
                if _type_name(leaf.element_type) == "TUPLE":
                    raise dtypes.UnsupportedSignature("nested tuple results")
                result_io.append((_shape(leaf), self.slice_at(root.id, (i,))))
            return param_io, tuple(result_io)
        return param_io, ((_shape(root.shape), self.slice_at(root.id, ())),)

    def sequence(self, proto) -> tuple[Thunk, ...]:
        return tuple(self.thunk(t) for t in proto.thunks)

    def thunk(self, t) -> Thunk:
        name = t.info.op_name
        if t.kind == "kernel":
            k = t.kernel_thunk
            args = [_slice(b.slice) for b in (*k.arguments_buffers, *k.results_buffers)]
            dims = k.num_workgroups
            return KernelThunk(
                name,
                k.kernel_name,
                tuple(args),
                (dims.x or 1, dims.y or 1, dims.z or 1),
            )
        if t.kind == "copy":
            c = t.copy_thunk
            return CopyThunk(
                name,
                _slice(c.src_buffer_shape.slice),
                _shape(c.src_buffer_shape.shape),
                _slice(c.dst_buffer_shape.slice),
                _shape(c.dst_buffer_shape.shape),
            )
        if t.kind == "dot":
            d = t.dot_thunk
            dn = d.dot_dimensions
            return DotThunk(
                name,
                _slice(d.lhs_buffer_shape.slice),
                _shape(d.lhs_buffer_shape.shape),
                _slice(d.rhs_buffer_shape.slice),
                _shape(d.rhs_buffer_shape.shape),
                _slice(d.out_buffer_shape.slice),
                _shape(d.out_buffer_shape.shape),
                tuple(dn.lhs_batch_dimensions),
                tuple(dn.rhs_batch_dimensions),
                tuple(dn.lhs_contracting_dimensions),
                tuple(dn.rhs_contracting_dimensions),
            )
        if t.kind == "while":
            w = t.while_thunk
            trip = w.trip_count.value if w.trip_count.contains_value else None
            return WhileThunk(
                name,
                self.sequence(w.cond_sequence),
                self.sequence(w.body_sequence),
                _slice(w.cond_buffer),
                trip,
            )
        if t.kind == "conditional":
            c = t.conditional_thunk
            return ConditionalThunk(
                name,
                tuple(self.sequence(s) for s in c.branch_sequences),
                _slice(c.branch_index_buffer),
                _type_name(c.branch_index_buffer.element_type).lower(),
            )
        if t.kind == "call":
            return CallThunk(name, self.sequence(t.call_thunk.called_sequence))
        raise UnsupportedThunk(
            f"XLA:CPU lowered HLO instruction '{name}' ({self.jax_op(name)}) to a '{t.kind}' "
            "runtime step, which needs XLA's runtime library; hlo_cc_library supports kernel, "
            "copy, dot, while, conditional and call steps only"
        )


def from_compilation_result(result) -> Program:
    """Builds the program model from a parsed `xla.cpu.CompilationResultProto`."""
    decoder = _Decoder(result)
    params, results = decoder.entry_io()
    return Program(
        module_name=decoder.module.name,
        allocations=decoder.allocations(),
        params=params,
        results=results,
        thunks=decoder.sequence(result.thunk_sequence),
        # XLA compiles kernel modules in parallel and lists their objects in completion order;
        # sort them so the link order, and so the merged object, is reproducible.
        kernel_objects=tuple(sorted(bytes(o.contents) for o in result.object_files)),
        target_cpu=result.target_machine_options.cpu,
    )


def kernel_symbols(thunks: tuple[Thunk, ...]) -> list[str]:
    """Every kernel symbol the thunks call, in first-use order, without repeats."""
    seen: dict[str, None] = {}
    for t in thunks:
        if isinstance(t, KernelThunk):
            seen.setdefault(t.symbol)
        for child in _children(t):
            for s in kernel_symbols(child):
                seen.setdefault(s)
    return list(seen)


def _children(t: Thunk) -> tuple[tuple[Thunk, ...], ...]:
    if isinstance(t, WhileThunk):
        return (t.cond, t.body)
    if isinstance(t, ConditionalThunk):
        return t.branches
    if isinstance(t, CallThunk):
        return (t.body,)
    return ()
