"""Merge, statistics report and the PNG writer (tools/dataset/merge.py, stats.py, png.py)."""

import json
import os
import struct
import tempfile
import zlib

from absl.testing import absltest

from tools.dataset import merge, png, record, sample, stats


def _decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """An independent minimal decoder: checks every CRC, returns width, height and RGB rows."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height = header[0], header[1]
    raw = zlib.decompress(idat)
    stride = 1 + 3 * width
    return width, height, [raw[r * stride + 1 : (r + 1) * stride] for r in range(height)]


class PngTest(absltest.TestCase):
    def test_bars_have_the_status_colours_and_heights(self):
        data = png.stacked_bars([[("match", 30), ("mismatch", 10)], [("match", 20)]], ["a", "b"], width=300, height=200)
        width, height, rows = _decode_png(data)
        self.assertEqual((width, height), (300, 200))
        column = 10 + 140 // 2  # Middle of the first bar's slot.
        colours = [tuple(rows[y][3 * column : 3 * column + 3]) for y in range(40, height)]  # Below the legend.
        green = colours.count(png.COLOURS["match"])
        red = colours.count(png.COLOURS["mismatch"])
        self.assertAlmostEqual(green / red, 3.0, delta=0.1)  # 30:10 stacked heights.
        second = [tuple(rows[y][3 * 220 : 3 * 220 + 3]) for y in range(height)].count(png.COLOURS["match"])
        self.assertAlmostEqual(second / (green + red), 0.5, delta=0.02)  # 20 of the tallest 40.


class StatsTest(absltest.TestCase):
    def test_rates_and_failures_are_counted(self):
        records = [sample.make(4, i, 1) for i in (0, 2, 4)]  # arithmetic, array, reduction
        records[1]["validation"]["wasm"] = {"status": "mismatch", "output": 0, "detail": "x"}
        records[2]["validation"]["wasm"] = {
            "status": "compile_error",
            "op": None,
            "error": "HLO line 7: bitcast.3 = bitcast: non-row-major layout bitcast(%p.1) is not supported",
        }
        report = stats.markdown(stats.Stats().add_all(records), "T", None, None)
        self.assertIn("| WASM compiled and matched JAX | 1 | 3 | 33.3% |", report)
        self.assertIn("| unoptimised | mismatch; reference: n/a; JAX op by op = jit: n/a | 1 | 4-2 |", report)
        self.assertIn("| unoptimised | bitcast: non-row-major layout bitcast(… is not supported | 1 | 4-4 |", report)
        self.assertIn("| arithmetic | 1 | 0 | 0 | 0 | 0 | 0 | 0 |", report)


class MergeTest(absltest.TestCase):
    def test_merge_drops_duplicates_and_reports(self):
        tmp = tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))
        records = [sample.make(2, i, 2) for i in range(6)]
        first, second = os.path.join(tmp, "a.jsonl"), os.path.join(tmp, "b.jsonl")
        with open(first, "w") as stream:
            stream.writelines(record.dumps(r) for r in records[:4])
        with open(second, "w") as stream:
            stream.writelines(record.dumps(r) for r in records[2:])  # 2 and 3 again.
        out = os.path.join(tmp, "ds")
        counts = merge.merge([first, second], out + ".jsonl", out + ".dedup.json", out + ".md", out + ".png", "T")
        self.assertEqual(counts["total"], 8)
        self.assertEqual(counts["exact"], 2)
        with open(out + ".jsonl") as stream:
            kept = [json.loads(line)["index"] for line in stream]
        self.assertEqual(kept[:4], [0, 1, 2, 3])
        self.assertEqual(len(kept), counts["kept"])
        with open(out + ".md") as stream:
            report = stream.read()
        self.assertIn("| 8 | %d | 2 |" % counts["kept"], report)
        self.assertIn("## HLO op histogram", report)
        self.assertIn("![WASM result by category](ds.png)", report)


if __name__ == "__main__":
    absltest.main()
