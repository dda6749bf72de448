"""A Node child process that times one workload and answers "sample" requests on stdin.

The child is bench/node_bench.mjs or bench/jaxjs_bench.mjs; it answers with one JSON line per
request (bench/sample_server.mjs).
"""

import json
import os
import pathlib
import subprocess

from bench import timing

HERE = pathlib.Path(__file__).resolve().parent


class SetupError(RuntimeError):
    """The child failed before it was ready to time (its message says why)."""


class NodeChild:
    """Starts `node [flags] SCRIPT CONFIG`; `ready` holds the child's set-up report."""

    def __init__(self, node: str, script: str, config: dict, config_path: pathlib.Path, flags: tuple = ()):
        config_path.write_text(json.dumps(config))
        # stderr goes to a file: a pipe nobody reads could fill and block the child.
        self._stderr_path = config_path.with_suffix(".stderr")
        self._stderr = open(self._stderr_path, "w")  # noqa: SIM115 (closed in close())
        self._proc = subprocess.Popen(
            [node, *flags, str(HERE / script), str(config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=dict(os.environ),
        )
        line = self._proc.stdout.readline()
        if not line:
            self._proc.wait()
            self.close()
            raise SetupError(f"{script} exited with {self._proc.returncode}: {self._stderr_tail()}")
        self.ready = json.loads(line)
        if "error" in self.ready:
            self.close()
            raise SetupError(self.ready["error"])

    def sample(self) -> timing.Sample:
        """Asks the child for one sample (it times k calls itself)."""
        self._proc.stdin.write("sample\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        if not line:
            raise SetupError(f"node child died: {self._stderr_tail()}")
        r = json.loads(line)
        return timing.Sample(wall_ms=r["wall_ms"], cpu_ms=r["cpu_ms"])

    def _stderr_tail(self) -> str:
        self._stderr.flush()
        return self._stderr_path.read_text().strip()[-800:]

    def close(self) -> None:
        """Ends the child (asking first) and closes its pipes and log."""
        if self._proc.poll() is None:
            try:
                self._proc.stdin.write("quit\n")
                self._proc.stdin.flush()
                self._proc.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self._proc.kill()
                self._proc.wait()
        for f in (self._proc.stdin, self._proc.stdout, self._stderr):
            if not f.closed:
                try:
                    f.close()
                except BrokenPipeError:
                    pass
