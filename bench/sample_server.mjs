// The Node side of bench/node_child.py: after the caller's set-up, warms `call` up (V8 tiers
// wasm from Liftoff to TurboFan in the background), calibrates the calls per sample and then
// answers one JSON line per "sample" line read from stdin, until "quit" or end of input.
import readline from "node:readline";

async function callsPerSample(call, minMs) {
  let k = 1;
  for (;;) {
    const t = performance.now();
    for (let i = 0; i < k; i++) await call();
    const ms = performance.now() - t;
    if (ms >= minMs) return k;
    k = Math.max(2 * k, Math.floor((k * minMs) / Math.max(ms, 1e-3) * 1.2));
  }
}

/** Runs the protocol; `ready` is merged into the first line printed (set-up facts). */
export async function serve(call, { minMs, warmupMs = 300, ready = {} }) {
  const t0 = performance.now();
  while (performance.now() - t0 < warmupMs) await call();
  const k = await callsPerSample(call, minMs);
  console.log(JSON.stringify({ ready: true, calls: k, ...ready }));
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === "quit") break;
    const c0 = process.cpuUsage();
    const w0 = performance.now();
    for (let i = 0; i < k; i++) await call();
    const wall = performance.now() - w0;
    const cpu = process.cpuUsage(c0);
    console.log(JSON.stringify({ wall_ms: wall / k, cpu_ms: (cpu.user + cpu.system) / 1e3 / k }));
  }
  process.exit(0);
}
