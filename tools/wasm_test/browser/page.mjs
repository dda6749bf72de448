// Runs the modules named in ?modules=[{mjs, manifest, reference}, ...] (paths relative to the
// server root) and writes "RULES_JAX_RESULT <json>" into the page for chromium_check.py.
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

run().then(
  (results) => {
    const ok = results.length > 0 && results.every((r) => r.ok);
    status.textContent = document.title = ok ? "PASS" : "FAIL";
    output.textContent = "RULES_JAX_RESULT " + JSON.stringify({ ok, results, userAgent: navigator.userAgent });
  },
  (error) => {
    status.textContent = document.title = "ERROR";
    output.textContent = "RULES_JAX_RESULT " + JSON.stringify({ ok: false, error: String(error && error.stack || error) });
  },
);
