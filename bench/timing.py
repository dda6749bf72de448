"""Interleaved timing: every backend gives one sample per round.

Machine noise (this host is shared and has 2 cores) so spreads over all backends alike, and
ratios are taken within a round.

A sample is k back-to-back calls (k calibrated once so that a sample lasts >= `min_ms`), and
records both wall time and the process's CPU time per call: pinned to one core, CPU time does
not count the time other jobs held the core.
"""

import dataclasses
import statistics
import time
from collections.abc import Callable
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class Sample:
    """Per-call times of one sample, in milliseconds."""

    wall_ms: float
    cpu_ms: float


class Sampler(Protocol):
    """Anything that can take one timing sample of a prepared workload."""

    def sample(self) -> Sample:
        """Times one sample."""
        ...

    def close(self) -> None:
        """Releases what the sampler holds (child processes)."""
        ...


def calibrate(call: Callable[[], object], min_ms: float) -> int:
    """Calls per sample so that one sample lasts at least `min_ms` (after a warm-up call)."""
    call()
    k = 1
    while True:
        t = time.perf_counter()
        for _ in range(k):
            call()
        ms = (time.perf_counter() - t) * 1e3
        if ms >= min_ms:
            return k
        k = max(k * 2, int(k * min_ms / max(ms, 1e-3) * 1.2))


class InProcess:
    """Samples a Python callable (which must block until its result is ready)."""

    def __init__(self, call: Callable[[], object], min_ms: float, warmup_ms: float = 200.0):
        self._call = call
        deadline = time.perf_counter() + warmup_ms / 1e3
        while time.perf_counter() < deadline:  # let lazy initialisation and caches settle
            call()
        self.calls = calibrate(call, min_ms)

    def sample(self) -> Sample:
        """Times `calls` back-to-back calls; returns per-call wall and process CPU time."""
        call, k = self._call, self.calls
        w, c = time.perf_counter(), time.process_time()
        for _ in range(k):
            call()
        c, w = time.process_time() - c, time.perf_counter() - w
        return Sample(wall_ms=w * 1e3 / k, cpu_ms=c * 1e3 / k)

    def close(self) -> None:
        """Nothing to release."""


def run_rounds(samplers: dict[str, Sampler], rounds: int) -> dict[str, list[Sample]]:
    """`rounds` rounds, each taking one sample from every sampler in turn (order rotates)."""
    names = list(samplers)
    out: dict[str, list[Sample]] = {n: [] for n in names}
    for r in range(rounds):
        k = r % len(names)
        for name in names[k:] + names[:k]:
            out[name].append(samplers[name].sample())
    return out


@dataclasses.dataclass(frozen=True)
class Summary:
    """Median and range of a backend's samples, and its per-round time ratio to a reference."""

    median_ms: float
    min_ms: float
    max_ms: float
    cpu_median_ms: float
    ratio: float | None
    cpu_ratio: float | None
    samples: int


def summarize(samples: list[Sample], reference: list[Sample] | None) -> Summary:
    """Medians over samples, and ratios to `reference` (the same rounds) when given.

    `ratio` is the median of the per-round wall-time ratios; `cpu_ratio` the ratio of the
    CPU-time medians (robust to preemption when pinned).
    """
    wall = [s.wall_ms for s in samples]
    cpu = statistics.median(s.cpu_ms for s in samples)
    ratio = cpu_ratio = None
    if reference:
        ratio = statistics.median(s.wall_ms / r.wall_ms for s, r in zip(samples, reference, strict=True))
        ref_cpu = statistics.median(r.cpu_ms for r in reference)
        cpu_ratio = cpu / ref_cpu if ref_cpu > 0 else None
    return Summary(
        median_ms=statistics.median(wall),
        min_ms=min(wall),
        max_ms=max(wall),
        cpu_median_ms=cpu,
        ratio=ratio,
        cpu_ratio=cpu_ratio,
        samples=len(samples),
    )
