// Times the benchmark's workloads in jax-js (npm @jax-js/jax, its wasm backend, one thread in
// Node): `node jaxjs_bench.mjs CONFIG.json`. jax-js cannot read HLO, so each workload of
// bench/workloads.py is written again here with jax-js's API, under the same name.
// CONFIG: {jaxjs: path of @jax-js/jax's ESM entry, workload, dims, inputs: [{file, shape}],
//          outputs: [file], min_ms}. Outputs (JAX's leaf order) of the first call are written
//          to the files; a timed call is `f(...)` plus `blockUntilReady`, as in
//          shared/research/jaxjs (jax-js functions consume their arguments, hence `.ref`).
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { serve } from "./sample_server.mjs";

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const jax = await import(pathToFileURL(config.jaxjs).href);
const { numpy: np, nn, lax, jit, grad, tree, init, defaultDevice, blockUntilReady } = jax;
await init("wasm"); // init() without a device probes WebGPU through `navigator`, absent in Node 20
defaultDevice("wasm");

function layerNorm(x, g, b) {
  const mu = np.mean(x.ref, -1, { keepdims: true });
  const xc = x.sub(mu);
  const variance = np.mean(xc.ref.mul(xc.ref), -1, { keepdims: true });
  return xc.div(np.sqrt(variance.add(1e-5))).mul(g).add(b);
}

function mlpLoss([w1, b1, w2, b2], x, y) {
  const h = nn.relu(np.matmul(x, w1).add(b1));
  return nn.logSoftmax(np.matmul(h, w2).add(b2), -1).mul(y).sum(-1).mean().neg();
}

// name -> (dims) -> function of the inputs, returning an array of outputs in JAX's leaf order
const WORKLOADS = {
  quadratic: () => (a, b, c) => {
    const d = np.sqrt(b.ref.mul(b.ref).sub(a.ref.mul(c).mul(4)));
    const twoA = a.mul(2);
    const nb = b.neg();
    return [nb.ref.add(d.ref).div(twoA.ref), nb.sub(d).div(twoA)];
  },
  sum: () => (x) => [np.sum(x)],
  softmax: () => (x) => [nn.softmax(x, -1)],
  matmul: () => (a, b) => [np.matmul(a, b)],
  mlp_forward: () => (x, w1, b1, w2, b2) => {
    const h = nn.relu(np.matmul(x, w1).add(b1));
    return [nn.softmax(np.matmul(h, w2).add(b2), -1)];
  },
  mlp_grad: () => {
    const g = grad(mlpLoss);
    return (w1, b1, w2, b2, x, y) => g([w1, b1, w2, b2], x, y);
  },
  // jax-js's convolution takes NCHW / OIHW (lax.conv_general_dilated's default order).
  conv2d: () => (x, k) => {
    const y = lax.convGeneralDilated(np.transpose(x, [0, 3, 1, 2]), np.transpose(k, [3, 2, 0, 1]), [1, 1], "SAME");
    return [np.transpose(y, [0, 2, 3, 1])];
  },
  transformer: ({ d }) => (x, g1, b1, wq, wk, wv, wo, g2, b2, w1, c1, w2, c2) => {
    const h = layerNorm(x.ref, g1, b1);
    const q = np.matmul(h.ref, wq), k = np.matmul(h.ref, wk), v = np.matmul(h, wv);
    const att = nn.softmax(np.matmul(q, np.transpose(k)).mul(1 / Math.sqrt(d)), -1);
    const x2 = x.add(np.matmul(np.matmul(att, v), wo));
    const h2 = layerNorm(x2.ref, g2, b2);
    return [x2.add(np.matmul(nn.gelu(np.matmul(h2, w1).add(c1)), w2)).add(c2)];
  },
};

// "matmul256", "matmul1024" (and the test's small sizes) share one definition.
const make = WORKLOADS[config.workload.replace(/^matmul\d+$/, "matmul")];
if (!make) {
  console.log(JSON.stringify({ error: `no jax-js version of workload ${config.workload}` }));
  process.exit(0);
}
const f = jit(make(config.dims));
const args = config.inputs.map(({ file, shape }) => {
  const b = fs.readFileSync(file);
  return np.array(new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4), { shape });
});
const call = async () => {
  const out = f(...args.map((a) => a.ref));
  await blockUntilReady(out);
  return out;
};
const t0 = performance.now();
const first = await call();
const firstMs = performance.now() - t0;
for (const [i, o] of first.entries()) fs.writeFileSync(config.outputs[i], await o.data());
await serve(async () => tree.dispose(await call()), {
  minMs: config.min_ms,
  ready: { first_call_ms: firstMs, version: config.version },
});
