// `node --test` entry of wasm_test(runtime = "node"): one test per module output.
// WASM_TEST_MODULES holds a JSON list of {mjs, manifest, reference} file paths.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import test from "node:test";
import { pathToFileURL } from "node:url";
import { checkModule } from "./reference.mjs";

const tolerances = JSON.parse(await readFile(new URL("./tolerances.json", import.meta.url), "utf8"));
const modules = JSON.parse(process.env.WASM_TEST_MODULES);

for (const paths of modules) {
  const urls = Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, pathToFileURL(v).href]));
  test(paths.mjs.split("/").pop(), async (t) => {
    for (const result of await checkModule(urls, tolerances)) {
      await t.test(`${result.name}.${result.output}`, () => assert.ok(result.ok, result.detail));
    }
  });
}
