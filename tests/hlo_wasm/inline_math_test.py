"""Tests of tools/hlo_wasm/inline_math.py: inlined leaf f32x4 mathlib code equals the call, bit for bit."""

import jax.numpy as jnp
import numpy as np
import wasmtime
from absl.testing import absltest, parameterized
from jax import nn

from tests.hlo_wasm import harness
from tools.hlo_wasm import inline_math, mathlib, support
from tools.hlo_wasm.kernel import FunctionBuilder

_LEAF_OPS = ("exponential", "exponential-minus-one", "log", "log-plus-one", "logistic", "tanh", "erf")


def _module(fn_wat: str, body: FunctionBuilder, n: int) -> bytes:
    """A module mapping f32[n] at 0 to f32[n] at 4n with `body` (a loop over vectors) and `fn_wat`."""
    decls = " ".join(f"(local {name} {t})" for name, t in body.locals.items())
    wat = f"""(module (memory (export "memory") {-(-8 * n // 65536)}) {fn_wat}
      (func (export "run") {decls}
        {chr(10).join(body.lines)}))"""
    cfg = wasmtime.Config()
    cfg.wasm_simd = True
    return bytes(wasmtime.wat2wasm(wat)), wasmtime.Engine(cfg)


def _run(wasm_engine, x: np.ndarray) -> np.ndarray:
    wasm, engine = wasm_engine
    store = wasmtime.Store(engine)
    inst = wasmtime.Instance(store, wasmtime.Module(engine, wasm), [])
    mem = inst.exports(store)["memory"]
    mem.write(store, x.tobytes(), 0)
    inst.exports(store)["run"](store)
    return np.frombuffer(bytes(mem.read(store, 4 * x.size, 8 * x.size)), np.uint32)


def _inputs(rng, n: int) -> np.ndarray:
    """Random bit patterns (every magnitude, NaNs, subnormals) plus edges and ordinary values."""
    bits = rng.integers(0, 2**32, n // 2, dtype=np.uint64).astype(np.uint32).view(np.float32)
    normal = (rng.standard_normal(n // 2 - 16) * 30).astype(np.float32)
    edges = np.array(
        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 88.7, 89.0, 89.5, -103.9, -104.0, -105, 1e30, -1e30, 0.5],
        np.float32,
    )
    # Dense over exp's interesting range: the k = -126/-127 and 1/2 boundaries of its fast path
    # (x near -87.3 and 1.04), k = 127/128 (88.4), the clamp at -104 and 89, subnormal results.
    dense = np.linspace(-110, 95, n, dtype=np.float32)
    near = np.concatenate(
        [np.linspace(c - 0.02, c + 0.02, 512, dtype=np.float32) for c in (-87.34, 1.0397, 88.38, 88.72)]
    )
    return np.concatenate([bits, normal, edges, dense, near]).astype(np.float32)


class InlineMathTest(parameterized.TestCase):
    @parameterized.product(op=_LEAF_OPS, nonpositive=(False, True))
    def test_inlined_equals_call_bit_for_bit(self, op, nonpositive):
        fn = mathlib.lookup(op=op, dtype="f32", simd=True)
        call = support.math_call(op, "f32", True, ["(local.get $x)"])
        x = _inputs(np.random.default_rng(7), 1 << 14)
        results = []
        for inline in (False, True):
            fb = FunctionBuilder()
            fb.locals["$i"] = "i32"
            fb.locals["$x"] = "v128"
            fb.emit("(loop $top")
            fb.emit("(local.set $x (v128.load (local.get $i)))")
            e = inline_math.inline(fb, call, nonpositive) if inline else call
            fb.emit(f"(v128.store offset={4 * x.size} (local.get $i) {e})")
            fb.emit("(local.set $i (i32.add (local.get $i) (i32.const 16)))")
            fb.emit(f"(br_if $top (i32.lt_u (local.get $i) (i32.const {4 * x.size}))))")
            if inline:
                self.assertNotIn("(call ", "\n".join(fb.lines))
                if op == "exponential":  # its input clamp becomes pmax/pmin; a fast path
                    self.assertIn("f32x4.pmax", "\n".join(fb.lines))
                    test = "(if (i32.eqz (v128.any_true" if nonpositive else "(if (i32x4.all_true (i32x4.lt_u"
                    self.assertIn(test, "\n".join(fb.lines))
            results.append(_run(_module(fn.wat, fb, x.size), x))
        np.testing.assert_array_equal(results[0], results[1], err_msg=f"{op}: inlined code differs from the call")

    def test_peephole_is_pmax_pmin_of_the_clamp_idiom(self):
        c = "(v128.const f32x4 1.0 1.0 1.0 1.0)"
        x = "(local.get $a)"
        self.assertEqual(inline_math.peephole(f"(v128.bitselect {c} {x} (f32x4.lt {x} {c}))"), f"(f32x4.pmax {x} {c})")
        self.assertEqual(inline_math.peephole(f"(v128.bitselect {c} {x} (f32x4.gt {x} {c}))"), f"(f32x4.pmin {x} {c})")
        other = f"(v128.bitselect {c} {x} (f32x4.lt {c} {x}))"  # operands swapped: not the idiom
        self.assertEqual(inline_math.peephole(other), other)

    def test_non_leaf_and_non_calls_are_left_alone(self):
        fb = FunctionBuilder()
        sin = support.math_call("sine", "f32", True, ["(local.get $x)"])  # calls an f64x2 kernel
        self.assertEqual(inline_math.inline(fb, sin), sin)
        self.assertEqual(
            inline_math.inline(fb, "(f32x4.add (local.get $a) (local.get $b))"),
            "(f32x4.add (local.get $a) (local.get $b))",
        )
        self.assertEqual(fb.lines, [])

    def test_fused_loops_inline_exp_and_tanh(self):
        rng = np.random.default_rng(1)
        x = harness.sample(rng, "float32", (3, 50))
        gelu = lambda v: nn.gelu(v, approximate=True) + jnp.exp(v * 0.1)
        harness.check(self, gelu, x, tol=(2e-6, 1e-6))
        _, art, _ = harness.run_wasm(gelu, x)
        self.assertNotIn("(call $f32x4_", art.wat)
        self.assertIn("f32x4.pmax", art.wat)
        # exp of arbitrary data takes the full-range test (a narrow one mispredicts on data around 0).
        self.assertIn("(if (i32x4.all_true (i32x4.lt_u", art.wat)
        self.assertNotIn("(if (i32.eqz (v128.any_true", art.wat)

    def test_softmax_exp_takes_the_nonpositive_test(self):
        x = harness.sample(np.random.default_rng(2), "float32", (4, 40))
        _, art, _ = harness.run_wasm(lambda v: nn.softmax(v, axis=-1), x)
        self.assertIn("(if (i32.eqz (v128.any_true", art.wat)


if __name__ == "__main__":
    absltest.main()
