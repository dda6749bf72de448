"""Runs hlo_wasm_binary modules in headless Chromium through their .mjs glue, in one page.

Usage (normally through the `wasm_test` rule, runtime = "chromium"):

  python -m tools.wasm_test.chromium_check --module=NAME.mjs,NAME.manifest.json,NAME.reference.npz ...

Serves the current directory (the test's runfiles) on an ephemeral loopback port, opens
browser/index.html with the module list and waits for the page to POST its verdict, then
closes the browser. Exit 0 when every output is within tolerance, 1 when one is not, 2 when
the browser could not run the page in time.
"""

import functools
import http.server
import json
import os
import subprocess
import sys
import tempfile
import threading
import urllib.parse

from absl import app, flags

_MODULE = flags.DEFINE_multi_string("module", [], "MJS,MANIFEST,REFERENCE of one module (runfiles paths).")
_CHROMIUM = flags.DEFINE_string("chromium", "/usr/lib/chromium/chromium", "The Chromium binary.")
_TIMEOUT = flags.DEFINE_integer("timeout", 120, "Seconds before the browser is killed.")

_PAGE = "tools/wasm_test/browser/index.html"
# The Debian wrapper /usr/bin/chromium only adds flags; these are the ones a headless test needs
# on a machine without a network, a GPU or a sandbox-capable user.
_BROWSER_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
]


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files; a POST to /__result__ delivers the page's verdict to `server.verdict`."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
    }

    def log_message(self, format, *args):  # noqa: A002 - the base class's name.
        del format, args

    def do_POST(self):  # noqa: N802 - the base class's naming.
        """Receives the verdict."""
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()
        if self.path == "/__result__":
            self.server.verdict = json.loads(body)
            self.server.received.set()


def _serve(directory: str) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=directory))
    server.verdict = None
    server.received = threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main(argv: list[str]) -> int:
    """Runs the page; returns the exit code."""
    del argv
    if not os.path.exists(_CHROMIUM.value):
        print("chromium_check: %s not found (install Debian's chromium package)" % _CHROMIUM.value)
        return 2
    modules = [dict(zip(("mjs", "manifest", "reference"), m.split(","), strict=True)) for m in _MODULE.value]
    server = _serve(os.getcwd())
    url = "http://127.0.0.1:%d/%s?modules=%s" % (
        server.server_address[1],
        _PAGE,
        urllib.parse.quote(json.dumps(modules)),
    )
    with tempfile.TemporaryDirectory(dir=os.environ.get("TEST_TMPDIR")) as profile:
        argv = [_CHROMIUM.value, *_BROWSER_FLAGS, "--user-data-dir=" + profile, url]
        browser = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        received = server.received.wait(_TIMEOUT.value)
        browser.terminate()
        try:
            _, stderr = browser.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            browser.kill()
            _, stderr = browser.communicate()
    server.shutdown()
    if not received:
        print(
            "chromium_check: no verdict from the page within %d s; browser stderr tail:\n%s"
            % (_TIMEOUT.value, stderr[-2000:])
        )
        return 2
    verdict = server.verdict
    if "error" in verdict:
        print("chromium_check: the page failed: %s" % verdict["error"])
        return 2
    print("browser: %s" % verdict["userAgent"])
    for result in verdict["results"]:
        print("%-4s %s.%s: %s" % ("ok" if result["ok"] else "FAIL", result["name"], result["output"], result["detail"]))
    passed = sum(r["ok"] for r in verdict["results"])
    print("%d passed, %d failed" % (passed, len(verdict["results"]) - passed))
    return 0 if verdict["ok"] else 1


if __name__ == "__main__":
    sys.exit(app.run(main))
