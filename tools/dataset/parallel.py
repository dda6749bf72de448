"""Makes many shards at once on a process pool, with one progress bar over every sample.

Workers are spawned (not forked: the parent may hold JAX's threads) and each writes whole
shards with `shard.write`, so an interrupted run resumes shard by shard. Progress messages come
back on a queue: (n, True) for records found already made, (1, False) per new record.
"""

import multiprocessing
import os
import queue as queue_lib

from tools.dataset import progress, shard

_QUEUE = None  # Set in each worker by _init: a process-global handed over by the pool.


def shard_path(out_dir: str, index: int, shards: int) -> str:
    """The file of shard `index`: shard-00003-of-00200.jsonl."""
    return os.path.join(out_dir, "shard-%05d-of-%05d.jsonl" % (index, shards))


def _init(q) -> None:
    global _QUEUE
    _QUEUE = q
    os.environ.setdefault("JAX_PLATFORMS", "cpu")


def _report(count: int, resumed: bool) -> None:
    _QUEUE.put((count, resumed))


def _work(task: tuple[str, int, int, int, int, int]) -> int:
    path, seed, samples, shards, index, max_depth = task
    return shard.write(path, seed, shard.shard_range(index, shards, samples), max_depth, _report)


def run(out_dir: str, seed: int, samples: int, shards: int, jobs: int, max_depth: int, show: bool = True) -> list[str]:
    """Makes every shard under out_dir (resuming what is there); returns the shard paths."""
    os.makedirs(out_dir, exist_ok=True)
    paths = [shard_path(out_dir, i, shards) for i in range(shards)]
    tasks = [(paths[i], seed, samples, shards, i, max_depth) for i in range(shards)]
    context = multiprocessing.get_context("spawn")
    q = context.Queue()
    bar = progress.Bar(samples) if show else None
    with context.Pool(jobs, initializer=_init, initargs=(q,)) as pool:
        pending = pool.map_async(_work, tasks, chunksize=1)
        while not pending.ready() or not q.empty():
            try:
                count, resumed = q.get(timeout=0.2)
            except queue_lib.Empty:
                continue
            if bar:
                (bar.resume if resumed else bar.advance)(count)
        pending.get()  # Re-raises a worker's exception.
    if bar:
        bar.close()
    return paths
