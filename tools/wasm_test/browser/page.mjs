// Runs the modules named in ?modules=[{mjs, manifest, reference}, ...] (paths relative to the
// server root), shows the verdict in the page and POSTs it to /__result__ for chromium_check.py.
import { checkModule, loadBytes } from "../reference.mjs";

const status = document.getElementById("status");
const output = document.getElementById("result");
const root = new URL("/", location.href);

async function run() {
  const tolerances = JSON.parse(new TextDecoder().decode(await loadBytes(new URL("../tolerances.json", import.meta.url))));
  const modules = JSON.parse(new URLSearchParams(location.search).get("modules"));
  const results = [];
  for (const paths of modules) {
    const urls = Object.fromEntries(Object.entries(paths).map(([k, v]) => [k, new URL(v, root).href]));
    results.push(...(await checkModule(urls, tolerances)));
  }
  return results;
}

function report(verdict) {
  status.textContent = document.title = verdict.error ? "ERROR" : verdict.ok ? "PASS" : "FAIL";
  output.textContent = JSON.stringify(verdict, null, 1);
  return fetch("/__result__", { method: "POST", body: JSON.stringify(verdict) });
}

run().then(
  (results) => report({ ok: results.length > 0 && results.every((r) => r.ok), results, userAgent: navigator.userAgent }),
  (error) => report({ ok: false, error: String((error && error.stack) || error) }),
);
