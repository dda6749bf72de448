"""Bazel's persistent-worker messages in protobuf wire format, without generated code.

From Bazel's src/main/protobuf/worker_protocol.proto, the fields this tool uses:

    message WorkRequest  { repeated string arguments = 1; int32 request_id = 3; ... }
    message WorkResponse { int32 exit_code = 1; string output = 2; int32 request_id = 3; }

Each message travels length-delimited: a varint byte count, then the message. Only the proto
protocol works on every Bazel version we support (4.2.3 gates JSON behind a flag 7.x removed).
"""

import dataclasses
from typing import BinaryIO

_VARINT, _FIXED64, _LENGTH_DELIMITED, _FIXED32 = 0, 1, 2, 5


@dataclasses.dataclass(frozen=True)
class WorkRequest:
    """The parts of a WorkRequest the tool reads."""

    arguments: tuple[str, ...]
    request_id: int


def _read_varint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # Negative int32 values are encoded as 64-bit two's complement.
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def decode_request(data: bytes) -> WorkRequest:
    """Decodes one WorkRequest body, skipping the fields the tool does not use."""
    arguments, request_id, pos = [], 0, 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == _VARINT:
            value, pos = _read_varint(data, pos)
            if field == 3:
                request_id = value
        elif wire == _LENGTH_DELIMITED:
            length, pos = _read_varint(data, pos)
            if field == 1:
                arguments.append(data[pos : pos + length].decode("utf-8"))
            pos += length
        elif wire in (_FIXED64, _FIXED32):
            pos += 8 if wire == _FIXED64 else 4
        else:
            raise ValueError("unsupported wire type %d in WorkRequest" % wire)
    return WorkRequest(tuple(arguments), request_id)


def encode_response(exit_code: int, output: str, request_id: int) -> bytes:
    """Encodes one WorkResponse body."""
    text = output.encode("utf-8")
    body = bytes([1 << 3 | _VARINT]) + _varint(exit_code)
    body += bytes([2 << 3 | _LENGTH_DELIMITED]) + _varint(len(text)) + text
    body += bytes([3 << 3 | _VARINT]) + _varint(request_id)
    return body


def read_message(stream: BinaryIO) -> bytes | None:
    """Reads one length-delimited message; None at end of stream."""
    length, shift = 0, 0
    while True:
        byte = stream.read(1)
        if not byte:
            return None
        length |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            break
        shift += 7
    return stream.read(length)


def write_message(stream: BinaryIO, body: bytes) -> None:
    """Writes one length-delimited message and flushes."""
    stream.write(_varint(len(body)) + body)
    stream.flush()


def encode_request(arguments: list[str], request_id: int) -> bytes:
    """Encodes a WorkRequest body (what Bazel sends; used to test the worker)."""
    body = b""
    for argument in arguments:
        data = argument.encode("utf-8")
        body += bytes([1 << 3 | _LENGTH_DELIMITED]) + _varint(len(data)) + data
    return body + bytes([3 << 3 | _VARINT]) + _varint(request_id)


def decode_response(data: bytes) -> tuple[int, str, int]:
    """Decodes a WorkResponse body into (exit_code, output, request_id)."""
    values = {1: 0, 2: "", 3: 0}
    pos = 0
    while pos < len(data):
        key, pos = _read_varint(data, pos)
        if key & 7 == _VARINT:
            values[key >> 3], pos = _read_varint(data, pos)
        else:
            length, pos = _read_varint(data, pos)
            values[key >> 3] = data[pos : pos + length].decode("utf-8")
            pos += length
    return values[1], values[2], values[3]
