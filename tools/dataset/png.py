"""A stacked bar chart written as PNG with zlib only (matplotlib is not in the hermetic lock).

PNG: signature, IHDR, one IDAT of zlib-compressed scanlines (filter byte 0), IEND; each chunk is
length, type, data, CRC-32 of type+data (PNG specification, section 5).
"""

import struct
import zlib

WHITE = (255, 255, 255)
AXIS = (60, 60, 60)
COLOURS = {
    "match": (46, 160, 67),
    "mismatch": (215, 48, 39),
    "compile_error": (244, 165, 40),
}
OTHER = (150, 150, 150)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode(pixels: list[list[tuple[int, int, int]]]) -> bytes:
    """PNG bytes of an RGB image given as rows of (r, g, b)."""
    height, width = len(pixels), len(pixels[0])
    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + _chunk(b"IEND", b"")
    )


def stacked_bars(bars: list[list[tuple[str, int]]], width: int = 640, height: int = 320) -> bytes:
    """One bar per entry, each a list of (status, count) stacked from the bottom."""
    pixels = [[WHITE] * width for _ in range(height)]
    margin = 10
    top = max((sum(n for _, n in bar) for bar in bars), default=1) or 1
    slot = (width - 2 * margin) // max(len(bars), 1)
    scale = (height - 2 * margin) / top
    for i, bar in enumerate(bars):
        left = margin + i * slot + slot // 6
        right = margin + (i + 1) * slot - slot // 6
        base = height - margin
        for status, count in bar:
            tall = round(count * scale)
            for y in range(max(base - tall, margin), base):
                pixels[y][left:right] = [COLOURS.get(status, OTHER)] * (right - left)
            base -= tall
    for x in range(margin, width - margin):
        pixels[height - margin][x] = AXIS
    for y in range(margin, height - margin + 1):
        pixels[y][margin - 1] = AXIS
    return encode(pixels)
