// Checks an hlo_wasm_binary module against its jax_hlo reference, in Node or in a browser.
// Shared by node_check.test.mjs and the Chromium page; the tolerance rule and numbers are the
// ones compare.py applies (tolerances.json).

const NPY_TYPES = {
  "<f4": Float32Array, "<f8": Float64Array, "<f2": Uint16Array, "<i1": Int8Array, "|i1": Int8Array,
  "<i2": Int16Array, "<i4": Int32Array, "<i8": BigInt64Array, "|u1": Uint8Array, "<u1": Uint8Array,
  "<u2": Uint16Array, "<u4": Uint32Array, "<u8": BigUint64Array, "|b1": Uint8Array,
};

/** Reads a file next to the page or on disk: bytes as a Uint8Array. */
export async function loadBytes(url) {
  url = new URL(url);
  if (url.protocol === "file:" && typeof process !== "undefined" && process.versions?.node) {
    const { readFile } = await import("node:fs/promises");
    return new Uint8Array(await readFile(url));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot fetch ${url}: ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

function parseNpy(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(",").filter((s) => s.trim()).map(Number);
  const Type = NPY_TYPES[descr];
  if (!Type) throw new Error(`unsupported .npy dtype ${descr}`);
  // Copy: typed arrays need an aligned buffer of their own.
  const data = new Type(bytes.slice(start + headerLength).buffer);
  return { descr, shape, data };
}

/** Parses the .npz files jax_hlo writes (uncompressed zip): name -> { descr, shape, data }. */
export function readNpz(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const arrays = {};
  let offset = 0;
  while (offset + 30 <= bytes.length && view.getUint32(offset, true) === 0x04034b50) {
    if (view.getUint16(offset + 8, true) !== 0) throw new Error("compressed .npz entries are not supported");
    const size = view.getUint32(offset + 18, true);
    const nameLength = view.getUint16(offset + 26, true);
    const extraLength = view.getUint16(offset + 28, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 30, offset + 30 + nameLength));
    const dataStart = offset + 30 + nameLength + extraLength;
    arrays[name.replace(/\.npy$/, "")] = parseNpy(bytes.subarray(dataStart, dataStart + size));
    offset = dataStart + size;
  }
  return arrays;
}

function asNumbers(array, dtype) {
  if (dtype === "bf16") {  // Stored as uint16 bit patterns: widen to float32.
    const widened = new Uint32Array(array.length);
    for (let i = 0; i < array.length; i++) widened[i] = array[i] << 16;
    return new Float32Array(widened.buffer);
  }
  return array;
}

/** Compares one output; returns { ok, detail }. */
export function compare(got, want, dtype, tolerances) {
  if (got.length !== want.length) return { ok: false, detail: `${got.length} elements, want ${want.length}` };
  got = asNumbers(got, dtype);
  want = asNumbers(want, dtype);
  const tolerance = tolerances[dtype];
  let bad = 0, first = -1, maxError = 0;
  if (!tolerance) {
    for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) { bad++; if (first < 0) first = i; }
  } else {
    let scale = 1;
    for (const w of want) if (Number.isFinite(w)) scale = Math.max(scale, Math.abs(w));
    for (let i = 0; i < want.length; i++) {
      const g = Number(got[i]), w = Number(want[i]);
      let ok;
      if (Number.isFinite(w)) {
        const error = Math.abs(g - w);
        maxError = Math.max(maxError, Number.isNaN(error) ? Infinity : error);
        ok = error <= tolerance.atol * scale + tolerance.rtol * Math.abs(w);
      } else {
        ok = Number.isNaN(w) ? Number.isNaN(g) : g === w;
      }
      if (!ok) { bad++; if (first < 0) first = i; }
    }
  }
  if (bad) return { ok: false, detail: `${bad} of ${want.length} outside tolerance; element ${first}: got ${got[first]}, want ${want[first]}` };
  return { ok: true, detail: tolerance ? `max |err| ${maxError.toPrecision(3)}` : "exact" };
}

/**
 * Loads a module's .mjs glue, runs it on the reference inputs and compares every output.
 * @param {{mjs: string, manifest: string, reference: string}} urls absolute URLs
 * @param {object} tolerances the parsed tolerances.json
 * @returns {Promise<{name: string, output: string, ok: boolean, detail: string}[]>}
 */
export async function checkModule(urls, tolerances) {
  const manifest = JSON.parse(new TextDecoder().decode(await loadBytes(urls.manifest)));
  const reference = readNpz(await loadBytes(urls.reference));
  const glue = await import(urls.mjs);
  const module = await glue.load();
  const inputs = manifest.inputs.map((_, i) => reference[`input_${i}`].data);
  let outputs = module[manifest.exports.function](...inputs);
  if (manifest.outputs.length === 1) outputs = [outputs];
  return manifest.outputs.map((spec, i) => ({
    name: manifest.name,
    output: spec.name,
    ...compare(outputs[i], reference[`output_${i}`].data, spec.dtype, tolerances),
  }));
}
