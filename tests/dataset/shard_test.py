"""Shards: same bytes per seed, resumption after a kill, the parallel driver (shard.py, parallel.py)."""

import io
import json
import os
import subprocess
import sys
import tempfile
import time

from absl.testing import absltest

from tools.dataset import parallel, progress, shard

_SEED, _SAMPLES, _DEPTH = 3, 8, 2


def _tmp() -> str:
    return tempfile.mkdtemp(dir=os.environ.get("TEST_TMPDIR"))


def _read(path: str) -> bytes:
    with open(path, "rb") as stream:
        return stream.read()


class ShardRangeTest(absltest.TestCase):
    def test_ranges_cover_every_index_once(self):
        for samples, shards in ((10, 3), (7, 7), (5, 8), (200, 4)):
            indices = [i for k in range(shards) for i in shard.shard_range(k, shards, samples)]
            self.assertEqual(indices, list(range(samples)), (samples, shards))


class ProgressTest(absltest.TestCase):
    def test_bar_counts_resumed_samples_but_not_in_the_rate(self):
        stream = io.StringIO()
        bar = progress.Bar(200, stream=stream, width=10)
        bar.resume(150)
        self.assertEqual(bar.rate(), 0.0)
        for _ in range(50):
            bar.advance()
        bar.close()
        last = stream.getvalue().rstrip("\n").split("\r")[-1]
        self.assertStartsWith(last, "[##########] 200/200")
        self.assertEqual(bar.done - bar.resumed, 50)


class ShardTest(absltest.TestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.full = os.path.join(_tmp(), "full.jsonl")
        shard.write(cls.full, _SEED, range(_SAMPLES), _DEPTH)

    def test_same_seed_same_bytes(self):
        again = os.path.join(_tmp(), "again.jsonl")
        shard.write(again, _SEED, range(_SAMPLES), _DEPTH)
        self.assertEqual(_read(again), _read(self.full))
        lines = _read(self.full).decode().splitlines()
        self.assertEqual([json.loads(x)["index"] for x in lines], list(range(_SAMPLES)))

    def test_resume_after_kill_equals_uninterrupted_run(self):
        path = os.path.join(_tmp(), "killed.jsonl")
        argv = [sys.executable, "-m", "tools.dataset.main", "shard", "--out=" + path, "--seed=%d" % _SEED]
        argv += ["--samples=%d" % _SAMPLES, "--shards=1", "--shard=0", "--max_depth=%d" % _DEPTH]
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path), JAX_PLATFORMS="cpu")
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            if os.path.exists(path) and _read(path).count(b"\n") >= 3:
                break
            time.sleep(0.05)
        process.kill()
        process.wait()
        lines_before = _read(path).count(b"\n")
        self.assertGreaterEqual(lines_before, 3)
        self.assertLess(lines_before, _SAMPLES, "the run finished before it could be killed")
        with open(path, "ab") as stream:
            stream.write(b'{"schema":"rules_jax.dataset/1","id":"3-')  # A line cut by the kill.
        made = shard.write(path, _SEED, range(_SAMPLES), _DEPTH)
        self.assertEqual(made, _SAMPLES - lines_before)
        self.assertEqual(_read(path), _read(self.full))

    def test_resume_of_a_complete_shard_makes_nothing(self):
        path = os.path.join(_tmp(), "complete.jsonl")
        with open(path, "wb") as stream:
            stream.write(_read(self.full))
        self.assertEqual(shard.write(path, _SEED, range(_SAMPLES), _DEPTH), 0)
        self.assertEqual(_read(path), _read(self.full))

    def test_parallel_shards_concatenate_to_the_single_shard(self):
        out = _tmp()
        paths = parallel.run(out, _SEED, _SAMPLES, shards=3, jobs=2, max_depth=_DEPTH, show=False)
        self.assertEqual(b"".join(_read(p) for p in paths), _read(self.full))


if __name__ == "__main__":
    absltest.main()
