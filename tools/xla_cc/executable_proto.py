"""Reads XLA:CPU's serialized executable (`xla.cpu.CompilationResultProto`).

jaxlib ships no `.proto` files or Python bindings for XLA's CPU protos, but its
`libjax_common.so` embeds the serialized `FileDescriptorProto` of every proto it links. We
extract those at run time from the installed jaxlib (so the schema always matches the jaxlib
that compiled the executable, which is pinned by the hermetic venv) and decode with the
`protobuf` package. Vendoring `.proto` files would need protoc and would silently drift on a
jaxlib upgrade; the golden tests catch a schema change either way.

The bytes `Client.serialize_executable` returns are `varint(len) + IFRT header +
xla.ExecutableAndOptionsProto{serialized_executable, compile_options}`.
"""

import functools
import importlib.util
import pathlib
import re

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_JAXLIB_LIBRARY = "libjax_common.so"
# A serialized FileDescriptorProto starts with field 1 (name), e.g. "\n\x1axla/service/hlo.proto".
_FDP_START = re.compile(rb"\n(.)((?:xla|tsl|google|tensorflow|third_party|stablehlo|jax)[A-Za-z0-9_/.]*\.proto)\x12")
_WELL_KNOWN = (
    "any",
    "duration",
    "timestamp",
    "wrappers",
    "descriptor",
    "empty",
    "struct",
)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def _fdp_extent(data: bytes, start: int) -> bytes:
    """Returns the longest run of well-formed FileDescriptorProto fields from `start`."""
    pos = last_ok = start
    while pos < len(data):
        try:
            key, nxt = _varint(data, pos)
            number, wire = key >> 3, key & 7
            if not 1 <= number <= 15 or wire not in (0, 2):
                break
            value, nxt = _varint(data, nxt)
            pos = nxt if wire == 0 else nxt + value
        except IndexError:
            break
        last_ok = pos
    return data[start:last_ok]


def _jaxlib_library() -> pathlib.Path:
    spec = importlib.util.find_spec("jaxlib")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("jaxlib is not installed; it provides the XLA proto descriptors")
    return pathlib.Path(next(iter(spec.submodule_search_locations))) / _JAXLIB_LIBRARY


@functools.cache
def _pool() -> descriptor_pool.DescriptorPool:
    data = _jaxlib_library().read_bytes()
    blobs: dict[str, bytes] = {}
    for match in _FDP_START.finditer(data):
        if match.group(1)[0] != len(match.group(2)):
            continue
        blob = _fdp_extent(data, match.start())
        try:
            fdp = descriptor_pb2.FileDescriptorProto.FromString(blob)
        except Exception:  # noqa: BLE001, S112 - a false match of the start pattern
            continue
        if len(blob) > len(blobs.get(fdp.name, b"")):
            blobs[fdp.name] = blob
    for name in _WELL_KNOWN:
        module = importlib.import_module(f"google.protobuf.{name}_pb2")
        fdp = descriptor_pb2.FileDescriptorProto()
        module.DESCRIPTOR.CopyToProto(fdp)
        blobs.setdefault(fdp.name, fdp.SerializeToString())
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(name: str) -> None:
        if name in added:
            return
        added.add(name)
        fdp = descriptor_pb2.FileDescriptorProto.FromString(blobs[name])
        for dep in fdp.dependency:
            add(dep)
        pool.Add(fdp)

    for name in sorted(blobs):
        add(name)
    return pool


def message_class(full_name: str):
    """Returns the generated message class for a fully qualified proto name."""
    return message_factory.GetMessageClass(_pool().FindMessageTypeByName(full_name))


def enum_name(enum_full_name: str, number: int) -> str:
    """Returns the name of an enum value, e.g. `enum_name("xla.PrimitiveType", 11)`."""
    return _pool().FindEnumTypeByName(enum_full_name).values_by_number[number].name


def compilation_result_bytes(serialized_executable: bytes) -> bytes:
    """Strips the IFRT framing off `Client.serialize_executable` output."""
    header_len, pos = _varint(serialized_executable, 0)
    wrapper = message_class("xla.ExecutableAndOptionsProto").FromString(serialized_executable[pos + header_len :])
    return wrapper.serialized_executable


def parse_compilation_result(data: bytes):
    """Parses `xla.cpu.CompilationResultProto` bytes."""
    return message_class("xla.cpu.CompilationResultProto").FromString(data)
