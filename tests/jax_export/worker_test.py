"""Tests of the export tool's persistent-worker mode against one-shot runs."""

import io
import os
import subprocess
import sys
import tempfile

from absl.testing import absltest

from tools.jax_export import work_protocol

_OUTPUTS = ("hlo", "stablehlo", "jaxpr", "signature", "reference")


def _flags(out: str, *flags: str) -> list[str]:
    return list(flags) + ["--out_%s=%s" % (name, os.path.join(out, name)) for name in _OUTPUTS]


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), JAX_PLATFORMS="cpu")


def _read_all(out: str) -> dict:
    result = {}
    for name in _OUTPUTS:
        with open(os.path.join(out, name), "rb") as f:
            result[name] = f.read()
    return result


class WorkerTest(absltest.TestCase):
    def test_requests_match_one_shot_runs(self):
        affine = ("--function=tests.jax_export.functions:affine", "--arg=f32[3,4]", "--arg={w: f32[4,2], b: f32[2]}")
        wide = ("--function=tests.jax_export.functions:wide_sum", "--arg=f64[5]")
        broken = ("--function=tests.jax_export.functions:raises", "--arg=f32[2]")
        dirs = [tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR")) for _ in range(5)]
        requests = [
            _flags(dirs[0], *affine),
            _flags(dirs[1], *wide),
            _flags(dirs[2], *broken),
            _flags(dirs[3], *affine),
        ]
        stdin = io.BytesIO()
        for request_id, arguments in enumerate(requests, start=1):
            work_protocol.write_message(stdin, work_protocol.encode_request(arguments, request_id))
        worker = subprocess.run(
            [sys.executable, "-m", "tools.jax_export.main", "--persistent_worker"],
            input=stdin.getvalue(),
            capture_output=True,
            env=_env(),
            check=True,
        )
        stdout = io.BytesIO(worker.stdout)
        responses = []
        while (message := work_protocol.read_message(stdout)) is not None:
            responses.append(work_protocol.decode_response(message))
        self.assertEqual([r[2] for r in responses], [1, 2, 3, 4], worker.stderr.decode())
        self.assertEqual([r[0] for r in responses], [0, 0, 1, 0], responses)
        self.assertIn("undefined_helper", responses[2][1])

        subprocess.run(
            [sys.executable, "-m", "tools.jax_export.main"] + _flags(dirs[4], *affine), env=_env(), check=True
        )
        one_shot = _read_all(dirs[4])
        self.assertEqual(_read_all(dirs[0]), one_shot)
        self.assertEqual(_read_all(dirs[3]), one_shot, "state leaked from the 64-bit or failing request")
        self.assertIn(b'"dtype": "f64"', _read_all(dirs[1])["signature"])
        self.assertEqual(os.listdir(dirs[2]), [])


class ProtocolTest(absltest.TestCase):
    def test_response_encoding(self):
        body = work_protocol.encode_response(1, "oops", 300)
        self.assertEqual(body, bytes([0x08, 0x01, 0x12, 0x04]) + b"oops" + bytes([0x18, 0xAC, 0x02]))

    def test_request_round_trip(self):
        body = work_protocol.encode_request(["--a=1", "--b"], 12)
        self.assertEqual(work_protocol.decode_request(body), work_protocol.WorkRequest(("--a=1", "--b"), 12))

    def test_request_decoding_skips_unknown_fields(self):
        body = bytes([0x0A, 0x02]) + b"-a" + bytes([0x12, 0x03, 1, 2, 3, 0x18, 0x07, 0x0A, 0x02]) + b"-b"
        self.assertEqual(work_protocol.decode_request(body), work_protocol.WorkRequest(("-a", "-b"), 7))


if __name__ == "__main__":
    absltest.main()
