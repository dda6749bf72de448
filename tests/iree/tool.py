"""Runs a tools/iree CLI as a Bazel action would: a subprocess reading a multiline --flagfile."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run(
    module: str,
    flags: list[str],
    cwd: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    """Runs `python -m tools.iree.<module>` with `flags` in a param file; returns the result.

    Args:
      module: `compile_main`, `check_main` or `run_main`.
      flags: `--name=value` strings, one per line of the param file.
      cwd: working directory (defaults to a fresh temporary one).
      env: extra environment variables (the base is a minimal, fixed one).
    """
    with tempfile.TemporaryDirectory() as tmp:
        flagfile = os.path.join(tmp, "params")
        with open(flagfile, "w", encoding="utf-8") as f:
            f.write("".join(flag + "\n" for flag in flags))
        full_env = {"PYTHONPATH": _ROOT, "PATH": "/usr/bin:/bin", "LC_ALL": "C"}
        full_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-m", f"tools.iree.{module}", f"--flagfile={flagfile}"],
            capture_output=True,
            text=True,
            env=full_env,
            cwd=cwd or tmp,
            check=False,
        )
