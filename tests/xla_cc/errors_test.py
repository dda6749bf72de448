"""Bad input fails with one clear error line: unsupported steps, dtypes, shapes, targets."""

import json
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
from absl.testing import absltest

from tests.xla_cc import testlib


class ErrorsTest(absltest.TestCase):
    def setUp(self):
        super().setUp()
        self.work = pathlib.Path(self.create_tempdir().full_path)

    def _error(self, exported: dict, *flags: str) -> str:
        done = testlib.run_tool(exported, "f", self.work, *flags, check=False)
        self.assertEqual(done.returncode, 1, done.stderr)
        lines = [x for x in done.stderr.splitlines() if "hlo_cc_library: error:" in x]
        self.assertLen(lines, 1, done.stderr)
        self.assertNotIn("Traceback", done.stderr)
        return lines[0]

    def _custom(self, fn, spec, sig_dtype: str = "f32") -> dict:
        mlir = self.work / "c.stablehlo.mlir"
        mlir.write_text(jax.jit(fn).lower(spec).as_text())
        x = np.zeros(spec.shape, np.float32)
        sig = testlib.signature_json("c", [x], ["x"], x)
        sig["inputs"][0]["dtype"] = sig["outputs"][0]["dtype"] = sig_dtype
        (self.work / "c.signature.json").write_text(json.dumps(sig))
        return {"mlir": mlir, "signature": self.work / "c.signature.json"}

    def test_sort_names_thunk_and_jax_op(self):
        exported = testlib.export_case("sort", self.work)
        message = self._error(exported)
        self.assertIn("'sort' runtime step", message)
        self.assertIn("JAX op 'jit(sort)/jit(sort)/sort' at ", message)
        self.assertIn("tests/xla_cc/functions.py:", message)

    def test_float16_is_named(self):
        exported = self._custom(lambda x: x * 2, jax.ShapeDtypeStruct((8,), np.float16), "f16")
        message = self._error(exported)
        self.assertIn("element type 'f16' (no portable C type) is not supported in C", message)

    def test_dynamic_shape(self):
        (n,) = jax.export.symbolic_shape("n")
        spec = jax.ShapeDtypeStruct((n,), np.float32)
        mlir = self.work / "d.stablehlo.mlir"
        mlir.write_text(jax.export.export(jax.jit(jnp.sin))(spec).mlir_module())
        x = np.zeros(4, np.float32)
        sig = testlib.signature_json("d", [x], ["x"], x)
        (self.work / "d.signature.json").write_text(json.dumps(sig))
        message = self._error({"mlir": mlir, "signature": self.work / "d.signature.json"})
        self.assertIn("dynamically shaped tensors", message)
        self.assertIn("needs static shapes", message)

    def test_non_static_shape_in_signature(self):
        exported = testlib.export_case("quadratic", self.work)
        sig = json.loads(exported["signature"].read_text())
        sig["inputs"][0]["shape"] = [None]
        exported["signature"].write_text(json.dumps(sig))
        self.assertIn("non-static shape [None]", self._error(exported))

    def test_reserved_parameter_name(self):
        exported = testlib.export_case("quadratic", self.work)
        sig = json.loads(exported["signature"].read_text())
        sig["inputs"][2]["name"] = "temp"
        exported["signature"].write_text(json.dumps(sig))
        self.assertIn("parameter name 'temp' is reserved", self._error(exported))

    def test_unknown_target(self):
        exported = testlib.export_case("quadratic", self.work)
        message = self._error(exported, "--target=riscv32")
        self.assertIn(
            "unknown target 'riscv32'; known targets: x86_64, cortex-m4f, wasm32",
            message,
        )

    def test_host_kernels_need_x86(self):
        exported = testlib.export_case("quadratic", self.work)
        message = self._error(exported, "--target=wasm32", "--kernels=host")
        self.assertIn("--kernels=host needs an x86_64 target, not 'wasm32'", message)

    def test_signature_mismatch(self):
        exported = testlib.export_case("quadratic", self.work)
        sig = json.loads(exported["signature"].read_text())
        sig["inputs"][0]["shape"] = [8]
        exported["signature"].write_text(json.dumps(sig))
        message = self._error(exported)
        self.assertIn("input 0 (a) is f32[8] in the signature but f32[16]", message)


if __name__ == "__main__":
    absltest.main()
