// Times one of our compiled modules in Node: `node node_bench.mjs CONFIG.json`.
// CONFIG: {wasm, function, inputs: [{file, offset}], outputs: [{file, offset, bytes}], min_ms}.
// Inputs are written into linear memory once; a call is the exported function alone (the
// same work the wasmtime side times). Outputs of the first call are written to their files.
import fs from "node:fs";
import { serve } from "./sample_server.mjs";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const t0 = performance.now();
const module = await WebAssembly.compile(fs.readFileSync(config.wasm));
const compileMs = performance.now() - t0;
const instance = await WebAssembly.instantiate(module, {});
const memory = instance.exports.memory;
const fn = instance.exports[config.function];
for (const input of config.inputs) {
  const bytes = fs.readFileSync(input.file);
  new Uint8Array(memory.buffer, input.offset, bytes.length).set(bytes);
}
fn();
for (const output of config.outputs) {
  fs.writeFileSync(output.file, new Uint8Array(memory.buffer, output.offset, output.bytes));
}
await serve(() => fn(), {
  minMs: config.min_ms,
  ready: { engine_compile_ms: compileMs, memory_bytes: memory.buffer.byteLength },
});
