"""A stacked bar chart written as PNG with zlib only (matplotlib is not in the hermetic lock).

PNG: signature, IHDR, one IDAT of zlib-compressed scanlines (filter byte 0), IEND; each chunk is
length, type, data, CRC-32 of type+data (PNG specification, section 5).
"""

import struct
import zlib

from tools.dataset import font

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


def _text(pixels: list[list[tuple[int, int, int]]], x: int, y: int, text: str, colour, scale: int = 2) -> None:
    for dx, dy in font.pixels(text):
        for sy in range(scale):
            for sx in range(scale):
                px, py = x + dx * scale + sx, y + dy * scale + sy
                if 0 <= py < len(pixels) and 0 <= px < len(pixels[0]):
                    pixels[py][px] = colour


def _box(pixels, left: int, top: int, right: int, bottom: int, colour) -> None:
    for y in range(max(top, 0), min(bottom, len(pixels))):
        pixels[y][left:right] = [colour] * (right - left)


def stacked_bars(
    bars: list[list[tuple[str, int]]],
    labels: list[str] | None = None,
    title: str = "",
    width: int = 960,
    height: int = 360,
) -> bytes:
    """One bar per entry, each a list of (status, count) stacked from the bottom, with labels.

    Layout: title and legend on top, the total above each bar, `labels` under the bars.
    """
    pixels = [[WHITE] * width for _ in range(height)]
    left_margin, top, bottom = 10, 40, height - 24
    _text(pixels, left_margin, 6, title, AXIS)
    x = left_margin
    for status, colour in list(COLOURS.items()) + [("other", OTHER)]:
        _box(pixels, x, 24, x + 8, 32, colour)
        _text(pixels, x + 11, 23, status.replace("_", " "), AXIS, scale=2)
        x += 11 + font.width(status) * 2 + 16
    highest = max((sum(n for _, n in bar) for bar in bars), default=1) or 1
    slot = (width - 2 * left_margin) // max(len(bars), 1)
    scale = (bottom - top - 14) / highest
    for i, bar in enumerate(bars):
        left = left_margin + i * slot + slot // 6
        right = left_margin + (i + 1) * slot - slot // 6
        base = bottom
        for status, count in bar:
            tall = round(count * scale)
            _box(pixels, left, max(base - tall, top), right, base, COLOURS.get(status, OTHER))
            base -= tall
        total = str(sum(n for _, n in bar))
        _text(pixels, (left + right) // 2 - font.width(total), base - 13, total, AXIS)
        if labels:
            label = labels[i][: max(1, (slot - 2) // (2 * font.ADVANCE))]
            _text(pixels, left_margin + i * slot + (slot - 2 * font.width(label)) // 2, bottom + 8, label, AXIS)
    for x in range(left_margin, width - left_margin):
        pixels[bottom][x] = AXIS
    return encode(pixels)
