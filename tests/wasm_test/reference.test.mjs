// Tests of the JavaScript comparison and .npz reader shared by the Node and Chromium checks.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import test from "node:test";
import { compare, readNpz } from "../../tools/wasm_test/reference.mjs";

const tolerances = JSON.parse(await readFile(new URL("../../tools/wasm_test/tolerances.json", import.meta.url), "utf8"));

test("values within tolerance pass", () => {
  assert.ok(compare(new Float32Array([1, 2.000001]), new Float32Array([1, 2]), "f32", tolerances).ok);
});

test("mismatches fail", () => {
  assert.equal(compare(new Float32Array([1, 2.001]), new Float32Array([1, 2]), "f32", tolerances).ok, false);
  assert.equal(compare(new Float32Array([NaN]), new Float32Array([1]), "f32", tolerances).ok, false);
  assert.equal(compare(new Float32Array([1]), new Float32Array([NaN]), "f32", tolerances).ok, false);
  assert.equal(compare(new Int32Array([3, 4]), new Int32Array([3, 5]), "s32", tolerances).ok, false);
  assert.equal(compare(new Float32Array([1, 2]), new Float32Array([1]), "f32", tolerances).ok, false);
});

test("NaN meets NaN and infinities match", () => {
  const values = new Float32Array([NaN, Infinity, -Infinity]);
  assert.ok(compare(values, values.slice(), "f32", tolerances).ok);
});

test("reads the .npz written by jax_hlo", async () => {
  const path = process.env.REFERENCE_NPZ;
  const arrays = readNpz(new Uint8Array(await readFile(path)));
  assert.deepEqual(Object.keys(arrays), ["input_0", "input_1", "output_0", "output_1", "output_2"]);
  assert.deepEqual(arrays.input_0.shape, [8]);
  assert.deepEqual(arrays.input_1.shape, []);
  assert.equal(arrays.input_0.data.constructor, Float32Array);
  assert.equal(arrays.input_1.data.constructor, Int32Array);
  assert.ok(arrays.input_1.data[0] >= 1 && arrays.input_1.data[0] < 6, "domain randint(1, 6)");
});
