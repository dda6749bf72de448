"""Measures what one jax_hlo export costs: a fresh process per export vs a persistent worker.

Run from the repository root with the hermetic environment's Python (or any Python with the
locked packages):

  PYTHONPATH=. python tools/check/export_cost.py [--rounds=3]

Exports the five examples one-shot and through one worker in alternating rounds and prints
the median wall time per export for each way.
"""

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time

from absl import app, flags

from tools.jax_export import work_protocol

_ROUNDS = flags.DEFINE_integer("rounds", 3, "Alternating rounds of both ways.")

_MLP = "{w1: f32[16,32], b1: f32[32], w2: f32[32,4], b2: f32[4]}"
_EXAMPLES = [
    ["--function=examples.quadratic:roots"] + ["--arg=f32[16]"] * 3,
    ["--function=examples.quadratic:root_sum", "--transform=grad", "--argnums=0,1,2"] + ["--arg=f32[16]"] * 3,
    ["--function=examples.mlp:mlp", "--arg=" + _MLP, "--arg=f32[8,16]"],
    ["--function=examples.mlp:loss", "--transform=grad", "--arg=" + _MLP, "--arg=f32[8,16]", "--arg=f32[8,4]"],
    ["--function=examples.control_flow:control_flow", "--arg=f32[8]", "--arg=s32[]"],
]


def _outputs(directory: str) -> list[str]:
    names = ("hlo", "stablehlo", "jaxpr", "signature", "reference")
    return ["--out_%s=%s" % (n, os.path.join(directory, n)) for n in names]


def _one_shot(directory: str) -> float:
    start = time.perf_counter()
    for example in _EXAMPLES:
        subprocess.run([sys.executable, "-m", "tools.jax_export.main", *example, *_outputs(directory)], check=True)
    return (time.perf_counter() - start) / len(_EXAMPLES)


def _worker(directory: str) -> float:
    requests = io.BytesIO()
    for request_id, example in enumerate(_EXAMPLES, start=1):
        work_protocol.write_message(requests, work_protocol.encode_request(example + _outputs(directory), request_id))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "tools.jax_export.main", "--persistent_worker"],
        input=requests.getvalue(),
        capture_output=True,
        check=True,
    )
    return (time.perf_counter() - start) / len(_EXAMPLES)


def main(argv: list[str]) -> None:
    """Prints the median seconds per export of each way."""
    del argv
    times: dict[str, list[float]] = {"one process per export": [], "persistent worker": []}
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(_ROUNDS.value):
            times["one process per export"].append(_one_shot(directory))
            times["persistent worker"].append(_worker(directory))
    for way, samples in times.items():
        print(
            "%-24s %.3f s per export (median of %d rounds; min %.3f)"
            % (way, statistics.median(samples), len(samples), min(samples))
        )


if __name__ == "__main__":
    app.run(main)
