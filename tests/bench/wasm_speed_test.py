"""//bench in a tiny mode: every backend runs and is checked; wrong results are caught."""

import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false"  # as bench/main.py, before JAX
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402
from absl import logging  # noqa: E402
from absl.testing import absltest  # noqa: E402

from bench import check, report, scaling, suite, timing, workloads  # noqa: E402
from bench.backends import Context, Prepared, Unavailable, iree_wasm32, iree_wasm32_schedule, ours, xla  # noqa: E402

logging.set_verbosity(logging.WARNING)  # iree.compiler logs every tool invocation at INFO


def _context(tmp: str) -> Context:
    return Context(tmp=pathlib.Path(tmp), node="node", jaxjs=None, min_ms=0.5)


def _off_by_a_little(s: suite.Shared, ctx: Context) -> Prepared:
    """Our module, with every output nudged by 1e-3 of its scale: must be reported WRONG."""
    p = ours.prepare_wasmtime(s.workload, s.compiled[False], ctx)
    p.outputs = [o + 1e-3 * (np.max(np.abs(o)) + 1) for o in p.outputs]
    return p


def _iree_wasm32_corrupted_input(s: suite.Shared, ctx: Context) -> Prepared:
    """IREE wasm32 with its first input overwritten in linear memory: must be reported WRONG."""
    host, info = iree_wasm32.load(s.workload, s.stablehlo)
    inputs = list(s.workload.inputs)
    inputs[0] = inputs[0] * np.float32(1.01) + np.float32(0.01)
    host.write_inputs(inputs)
    host.run()
    return Prepared(timing.InProcess(host.run, ctx.min_ms), host.outputs(), info)


# Their IREE wasm32 executables call libm's fmaxf, and IREE links no libm for wasm32.
_IREE_WASM32_CANNOT_LINK = {"softmax", "mlp_forward", "transformer"}


class WasmSpeedTest(absltest.TestCase):
    def test_tiny_run_checks_and_times_every_backend(self):
        names = ("ours_wasmtime", "ours_node", "ours_wasmtime_relaxed", "ours_node_relaxed", "iree", "iree_wasm32")
        backends = {n: suite.BACKENDS[n] for n in (*names, "jaxjs")}
        backends["broken"] = _off_by_a_little
        backends["iree_wasm32_corrupted"] = _iree_wasm32_corrupted_input
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
            self._check_iree_wasm32(name, b, r["tolerance"])
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

    def _check_iree_wasm32(self, name: str, b: dict, tol: dict) -> None:
        entry, corrupted = b["iree_wasm32"], b["iree_wasm32_corrupted"]
        if name in _IREE_WASM32_CANNOT_LINK:
            self.assertEqual(entry["status"], "unavailable", name)
            self.assertIn("undefined symbol fmaxf", entry["reason"])
            self.assertEqual(corrupted["status"], "unavailable", name)
            return
        self.assertEqual(entry["status"], "ok", f"{name}: {entry.get('reason')}")
        self.assertEqual(entry["samples"], 1)
        self.assertGreater(entry["median_ms"], 0)
        self.assertIsNotNone(entry["ratio"])
        self.assertLessEqual(entry["max_error"], tol["rtol"])  # normwise error, checked by suite against JAX
        self.assertGreater(entry["info"]["dispatches"], 0)
        self.assertGreater(entry["info"]["wasm_bytes"], 0)
        self.assertEqual(corrupted["status"], "wrong", f"{name}: outputs must come from the inputs in linear memory")
        self.assertNotIn("median_ms", corrupted)

    def test_iree_wasm32_refuses_what_it_cannot_replay_and_says_why(self):
        w = workloads.select(workloads.make("tiny"), ["quadratic"])[0]
        vm, _ = iree_wasm32.compile_vm(xla.stablehlo_text(w))
        schedule = iree_wasm32_schedule.parse(vm)
        self.assertEqual(schedule.inputs, 3)
        self.assertEqual([c.export.split("_")[2] for c in schedule.commands], ["0", "1", "2"])
        self.assertEqual([o.shape for o in schedule.outputs], [(1000,), (1000,)])
        cases = {
            "hal.device.queue.copy": vm.replace("@hal.device.queue.dealloca(", "@hal.device.queue.copy("),
            "vm.add.i64": vm.replace("%c1000 = vm.const.i64 1000", "%c1000 = vm.add.i64 %c1, %c1"),
            "vm.br": vm.replace("vm.cond_br %0, ^bb3, ^bb2", "vm.br ^bb2"),
            "hal.command_buffer.copy_buffer": vm.replace(
                "@hal.command_buffer.execution_barrier(", "@hal.command_buffer.copy_buffer(", 1
            ),
        }
        for op, text in cases.items():
            with self.assertRaisesRegex(Unavailable, re.escape(op)):
                iree_wasm32_schedule.parse(text)

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
