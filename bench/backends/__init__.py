"""The backends the benchmark times, one module each.

Each `prepare(workload, context)` returns a `Prepared`: a sampler ready to time, and the outputs
of its first call, which bench/check.py compares with JAX's.
"""

import dataclasses
import pathlib

import numpy as np

from bench import timing


@dataclasses.dataclass(frozen=True)
class Context:
    """What backends need besides the workload.

    Attributes:
      tmp: a scratch directory (inputs/outputs for Node children, compiled files).
      node: the Node executable.
      jaxjs: @jax-js/jax's ESM entry file, or None when jax-js is not installed.
      min_ms: the shortest sample.
      node_flags: extra flags for Node (e.g. --experimental-wasm-relaxed-simd).
    """

    tmp: pathlib.Path
    node: str
    jaxjs: pathlib.Path | None
    min_ms: float
    node_flags: tuple = ()


@dataclasses.dataclass
class Prepared:
    """A backend ready to time one workload."""

    sampler: timing.Sampler
    outputs: list[np.ndarray]
    info: dict


class Unavailable(RuntimeError):
    """The backend cannot run this workload (does not compile, not installed); says why."""
