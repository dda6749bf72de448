"""Bazel persistent-worker loop for the export tool.

One process serves many export requests, so `import jax` (about 0.7 s, 90% of a small export)
is paid once per worker instead of once per target. Each request must give the same bytes as a
one-shot run, so everything a request can change is reset before the next one: modules
imported from the user's import roots, `sys.path`, and JAX's configuration.

Requests arrive on stdin and responses leave on stdout as length-delimited protobuf messages
(work_protocol.py). Anything else the process prints goes to stderr, because stdout carries the
protocol.
"""

import contextlib
import io
import os
import sys
import traceback
from collections.abc import Callable
from typing import BinaryIO

from tools.jax_export import work_protocol


def _protocol_stream() -> BinaryIO:
    """Keeps the real stdout for responses and points fd 1 at stderr.

    Stray writes, from Python or from XLA's C++ logging, then cannot corrupt the protocol.
    """
    protocol = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return protocol


def _is_user_module(module: object) -> bool:
    """True for modules loaded from outside the Python environment, i.e. the user's code.

    Modules of the environment (JAX and its extensions) must stay loaded: XLA's C++ runtime
    aborts when it is initialised twice in one process.
    """
    environment = tuple(os.path.abspath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    paths = [getattr(module, "__file__", None)] + list(getattr(module, "__path__", None) or [])
    paths = [os.path.abspath(p) for p in paths if p]
    return bool(paths) and not any(p.startswith(environment) for p in paths)


class _Snapshot:
    """Process state taken before the first request and restored after each one."""

    def __init__(self):
        self.modules = set(sys.modules)
        self.path = list(sys.path)

    def restore(self) -> None:
        for name in set(sys.modules) - self.modules:
            if _is_user_module(sys.modules[name]):
                del sys.modules[name]
        sys.path[:] = self.path


def serve(handle: Callable[[list[str]], int], stdin: BinaryIO = sys.stdin.buffer) -> int:
    """Answers work requests until stdin closes.

    Args:
      handle: runs one request given its arguments (flags, no program name); returns the
        exit code. What it prints to stderr becomes the response's output.
      stdin: where requests come from.

    Returns:
      0 once stdin is closed.
    """
    protocol = _protocol_stream()
    snapshot = _Snapshot()
    while (message := work_protocol.read_message(stdin)) is not None:
        request = work_protocol.decode_request(message)
        captured = io.StringIO()
        with contextlib.redirect_stderr(captured):
            try:
                code = handle(list(request.arguments))
            except Exception:  # A bug in the tool must fail this request, not kill the worker.
                traceback.print_exc()
                code = 1
        snapshot.restore()
        response = work_protocol.encode_response(code, captured.getvalue(), request.request_id)
        work_protocol.write_message(protocol, response)
    return 0
