"""A deliberately broken sample is caught by validation; tolerances behave as stated."""

from unittest import mock

import numpy as np
from absl.testing import absltest

from tools.dataset import builder, sample, validate
from tools.dataset.program import Param, Program


def _program(body, result, dtype="f32", shape=(4,)):
    return Program("arithmetic", (Param("x", dtype, shape), Param("y", dtype, shape)), tuple(body), result, "Test.")


class ValidateTest(absltest.TestCase):
    def test_correct_sample_matches(self):
        rec = sample.build(_program(["a = x * y + x"], "a"), seed=0, index=0)
        self.assertEqual(rec["validation"]["wasm"]["status"], "match")
        self.assertEqual(rec["validation"]["wasm_optimized"]["status"], "match")
        self.assertEqual(rec["validation"]["parse"], {"hlo": "ok", "hlo_optimized": "ok"})

    def test_wrong_op_in_the_compiled_hlo_is_a_mismatch(self):
        # The HLO our compiler gets says subtract where JAX computed add.
        rec = sample.build(
            _program(["a = x + y"], "a"), seed=0, index=0, tamper=lambda hlo: hlo.replace(" add(", " subtract(")
        )
        self.assertEqual(rec["validation"]["wasm"]["status"], "mismatch")
        self.assertEqual(rec["validation"]["wasm"]["output"], 0)
        # The HLO's own semantics (NumPy reference) side with the compiled module: not a compiler bug.
        self.assertEqual(rec["validation"]["wasm"]["reference"], "agrees_with_wasm")
        self.assertIs(rec["validation"]["jax"]["eager_matches_jit"], True)

    def test_xla_cpu_in_place_update_is_told_apart_from_a_compiler_bug(self):
        # Sample 0-2585 of the 10,000-sample run: jax.jit on XLA:CPU updates `a` in place while the
        # update still reads it; JAX op by op, NumPy and our WASM module agree with each other.
        program = Program(
            "indexing",
            (Param("x", "f32", (5,)), Param("y", "s32", (6,)), Param("z", "s32", ())),
            ("a = x[y % 5]", "b = jnp.square(a[:4])", "c = lax.dynamic_update_slice_in_dim(a, b, z, axis=0)"),
            "c",
            "Indexing.",
        )
        validation = sample.build(program, seed=0, index=2585)["validation"]
        message = "XLA:CPU no longer miscompiles this; drop the test and update docs/dataset.md"
        self.assertEqual(validation["wasm"]["status"], "mismatch", message)
        self.assertEqual(validation["wasm"]["reference"], "agrees_with_wasm")
        self.assertIs(validation["jax"]["eager_matches_jit"], False)

    def test_wrong_compiled_result_is_blamed_on_the_compiler(self):
        from tools.hlo_wasm import runner

        def wrong(self, *args):
            return [np.asarray(args[0]) * 0 + 1]

        with mock.patch.object(runner.Runner, "__call__", wrong):
            rec = sample.build(_program(["a = x + y"], "a"), seed=0, index=0)
        self.assertEqual(rec["validation"]["wasm"]["status"], "mismatch")
        self.assertEqual(rec["validation"]["wasm"]["reference"], "agrees_with_jax")
        self.assertIs(rec["validation"]["jax"]["eager_matches_jit"], True)

    def test_integer_off_by_one_is_a_mismatch(self):
        rec = sample.build(
            _program(["a = x + y"], "a", dtype="s32"),
            seed=0,
            index=0,
            tamper=lambda hlo: hlo.replace(
                "ROOT", "one = s32[] constant(1)\n  b = s32[4]{0} broadcast(one), dimensions={}\n  ROOT", 1
            ).replace("add(x.1, y.1)", "add(x.1, b)"),
        )
        self.assertIn(rec["validation"]["wasm"]["status"], ("mismatch", "compile_error"))

    def test_non_finite_output_is_flagged(self):
        rec = sample.build(_program(["a = jnp.log(x) + y"], "a"), seed=0, index=0)
        jax_result = rec["validation"]["jax"]
        self.assertEqual(jax_result["status"], "ok")
        self.assertFalse(jax_result["finite"])
        self.assertEqual(jax_result["nonfinite_outputs"], [0])

    def test_a_function_that_raises_is_recorded_not_fatal(self):
        rec = sample.build(_program(["a = x @ jnp.ones((3, 3))"], "a"), seed=0, index=0)
        self.assertEqual(rec["validation"]["jax"]["status"], "error")
        self.assertIn("TypeError", rec["validation"]["jax"]["error"])
        self.assertIsNone(rec["hlo"])
        self.assertEqual(rec["validation"]["wasm"]["status"], "skipped")

    def test_unparseable_hlo_names_the_problem(self):
        self.assertStartsWith(validate.parses("ENTRY main {\n  x = f32[2] frobnicate(\n}\n"), "error:")
        self.assertEqual(validate.parses("ENTRY main {\n  ROOT x = f32[2]{0} parameter(0)\n}\n"), "ok")

    def test_tolerance_f32(self):
        outputs = [{"dtype": "f32"}]
        want = np.array([1.0, 100.0], np.float32)
        within = want * np.float32(1 + 5e-5)
        beyond = want * np.float32(1 + 5e-4)
        self.assertEqual(validate.compare([within], [want], outputs)["status"], "match")
        self.assertEqual(validate.compare([beyond], [want], outputs)["status"], "mismatch")

    def test_nan_where_jax_has_nan_matches(self):
        want = np.array([np.nan, 1.0, np.inf])
        self.assertEqual(validate.compare([want.copy()], [want], [{"dtype": "f64"}])["status"], "match")
        for got in ([0.0, 1.0, np.inf], [np.nan, 1.0, 1e308], [np.nan, np.nan, np.inf]):
            result = validate.compare([np.array(got)], [want], [{"dtype": "f64"}])
            self.assertEqual(result["status"], "mismatch", got)

    def test_unsupported_op_is_named(self):
        program = Program(
            "linalg", (Param("x", "f32", (4, 4)),), ("a = jnp.linalg.det(x)",), "a", "Det.", decomposition=True
        )
        wasm = sample.build(program, seed=0, index=0)["validation"]["wasm"]
        self.assertEqual(wasm["status"], "compile_error")
        self.assertEqual(wasm["op"], "custom-call")

    def test_a_compiler_that_hangs_is_recorded_as_timeout(self):
        def hang(*_):
            while True:
                pass

        with (
            mock.patch.object(validate, "DEADLINE_SECONDS", 0.2),
            mock.patch.object(validate, "_wasm", hang),
        ):
            result = validate.wasm("", "f", {}, [], [])
        self.assertEqual(result["status"], "timeout")

    def test_float_dtypes_have_a_stated_tolerance(self):
        self.assertEqual(set(validate.TOLERANCE), set(builder.FLOATS))


if __name__ == "__main__":
    absltest.main()
