"""//bench in a tiny mode: every backend runs and is checked; wrong results are caught."""

import json
import os
import pathlib
import subprocess
import sys
import tempfile

os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false"  # as bench/main.py, before JAX
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
from absl import logging  # noqa: E402
from absl.testing import absltest  # noqa: E402

from bench import check, report, scaling, suite, workloads  # noqa: E402
from bench.backends import Context, Prepared, ours  # noqa: E402

logging.set_verbosity(logging.WARNING)  # iree.compiler logs every tool invocation at INFO


def _context(tmp: str) -> Context:
    return Context(tmp=pathlib.Path(tmp), node="node", jaxjs=None, min_ms=0.5)


def _off_by_a_little(s: suite.Shared, ctx: Context) -> Prepared:
    """Our module, with every output nudged by 1e-3 of its scale: must be reported WRONG."""
    p = ours.prepare_wasmtime(s.workload, s.compiled[False], ctx)
    p.outputs = [o + 1e-3 * (np.max(np.abs(o)) + 1) for o in p.outputs]
    return p


class WasmSpeedTest(absltest.TestCase):
    def test_tiny_run_checks_and_times_every_backend(self):
        names = ("ours_wasmtime", "ours_node", "ours_wasmtime_relaxed", "ours_node_relaxed", "iree", "jaxjs")
        backends = {n: suite.BACKENDS[n] for n in names}
        backends["broken"] = _off_by_a_little
        run = {"workloads": {}}
        with tempfile.TemporaryDirectory() as tmp:
            for w in workloads.make("tiny"):
                run["workloads"][w.name] = suite.run_workload(w, backends, _context(tmp), rounds=1, log=lambda m: None)
        for name, r in run["workloads"].items():
            b = r["backends"]
            for backend in ("jax", "ours_wasmtime", "ours_node", "ours_wasmtime_relaxed", "ours_node_relaxed", "iree"):
                self.assertEqual(b[backend]["status"], "ok", f"{name}/{backend}: {b[backend].get('reason')}")
                self.assertEqual(b[backend]["samples"], 1)
                self.assertGreater(b[backend]["median_ms"], 0)
            self.assertIsNotNone(b["ours_wasmtime"]["ratio"])
            # jax-js is not in the test's sandbox: reported as unavailable, with the reason.
            self.assertEqual(b["jaxjs"]["status"], "unavailable")
            self.assertIn("not installed", b["jaxjs"]["reason"])
            self.assertEqual(b["broken"]["status"], "wrong", name)
            self.assertNotIn("median_ms", b["broken"], "a wrong result must not be timed")
            self.assertGreater(r["ours"]["wasm_bytes"], 0)
            self.assertGreater(r["ours_relaxed"]["wasm_bytes"], 0)
            self.assertGreater(r["xla"]["buffer_bytes"], 0)
        table = report.speed_table(run)
        self.assertIn(
            "WRONG", report.speed_table({"workloads": {"x": {"backends": {"ours_node": {"status": "wrong"}}}}})
        )
        self.assertIn("| quadratic |", table)
        self.assertIn("| softmax |", report.build_table(run))
        self.assertIn("| mlp_grad |", report.ratio_table(run))
        self.assertIn("broken: wrong", report.problems(run))
        merged = report.merge([run, run])
        for name, r in merged["workloads"].items():
            self.assertEqual(r["backends"]["ours_wasmtime"]["samples"], 2, name)
            self.assertNotIn("median_ms", r["backends"]["broken"])

    def test_main_writes_the_table_and_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = pathlib.Path(tmp) / "run.json"
            args = ["--scale=tiny", "--rounds=1", "--min_ms=0.5", "--workloads=sum,quadratic"]
            args += ["--backends=ours_wasmtime,ours_node", f"--json_out={out}", "--cpu=-1"]
            env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
            proc = subprocess.run(
                [sys.executable, "-m", "bench.main", *args], env=env, capture_output=True, text=True, check=False
            )
            self.assertEqual(proc.returncode, 0, proc.stderr[-2000:])
            self.assertIn("| sum |", proc.stdout)
            self.assertIn("Time ÷ JAX", proc.stdout)
            run = json.loads(out.read_text())
        self.assertEqual(list(run["workloads"]), ["quadratic", "sum"])
        self.assertEqual(run["workloads"]["sum"]["backends"]["ours_node"]["status"], "ok")
        self.assertIn("loadavg", run["machine"])

    def test_check_rejects_wrong_values_nans_and_shapes(self):
        want = [np.linspace(-1, 1, 10, dtype=np.float32)]
        self.assertEqual(check.check("b", "w", [want[0].copy()], want, (1e-6, 0)), 0.0)
        with self.assertRaisesRegex(check.MismatchError, "differs from JAX"):
            check.check("b", "w", [want[0] + 1e-4], want, (1e-6, 0))
        nan = want[0].copy()
        nan[3] = np.nan
        with self.assertRaisesRegex(check.MismatchError, "NaN"):
            check.check("b", "w", [nan], want, (1e-6, 0))
        with self.assertRaisesRegex(check.MismatchError, "elements"):
            check.check("b", "w", [want[0][:5]], want, (1e-6, 0))
        with self.assertRaisesRegex(check.MismatchError, "outputs"):
            check.check("b", "w", [], want, (1e-6, 0))

    def test_scaling_modules_have_the_requested_size_and_compile(self):
        rows = scaling.measure([60, 120])
        self.assertEqual(len(rows), 4)
        for r in rows:
            self.assertAlmostEqual(r["instructions"], 60 if r["instructions"] < 90 else 120, delta=8)
            self.assertGreater(r["wasm_bytes"], 0)
        self.assertIn("µs / instruction", scaling.table(rows))

    def test_select_rejects_unknown_workloads(self):
        ws = workloads.make("tiny")
        self.assertEqual([w.name for w in workloads.select(ws, ["sum"])], ["sum"])
        with self.assertRaisesRegex(ValueError, "unknown workloads"):
            workloads.select(ws, ["nope"])


if __name__ == "__main__":
    absltest.main()
