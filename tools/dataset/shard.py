"""Writes one shard (a contiguous range of sample indices) as JSON Lines, resumably.

A shard file holds the records of indices start, start+1, ... in order, one line each, flushed
after every line. Resuming keeps the longest prefix of complete, well-formed lines that hold the
expected indices, truncates anything after it (a line cut by the interruption) and continues
with the next index: since a record depends only on (seed, index), the resumed file is byte for
byte the file an uninterrupted run writes, with no sample lost or duplicated.
"""

import json
import os
from collections.abc import Callable

from tools.dataset import record, sample


def shard_range(shard: int, shards: int, samples: int) -> range:
    """The indices of shard `shard` of `shards`: contiguous, sizes differing by at most one."""
    per, extra = divmod(samples, shards)
    start = shard * per + min(shard, extra)
    return range(start, start + per + (1 if shard < extra else 0))


def completed_prefix(path: str, indices: range) -> tuple[int, int]:
    """(number of complete records, byte length of that prefix) already in `path`."""
    if not os.path.exists(path):
        return 0, 0
    count, size = 0, 0
    with open(path, "rb") as stream:
        for line in stream:
            if not line.endswith(b"\n") or count >= len(indices):
                break
            try:
                index = json.loads(line)["index"]
            except (ValueError, KeyError, TypeError):
                break
            if index != indices[count]:
                break
            count += 1
            size += len(line)
    return count, size


def write(
    path: str,
    seed: int,
    indices: range,
    max_depth: int,
    progress: Callable[[int, bool], None] | None = None,
) -> int:
    """Makes the missing records of `indices` in `path`; returns how many were made now.

    `progress(count, resumed)` is told of records found already made (resumed=True), then of
    each record made.
    """
    done, size = completed_prefix(path, indices)
    if progress and done:
        progress(done, True)
    mode = "r+b" if os.path.exists(path) else "wb"
    made = 0
    with open(path, mode) as stream:
        stream.truncate(size)
        stream.seek(size)
        for index in indices[done:]:
            stream.write(record.dumps(sample.make(seed, index, max_depth)).encode())
            stream.flush()  # A killed process loses at most the line it was writing.
            made += 1
            if progress:
                progress(1, False)
    return made
