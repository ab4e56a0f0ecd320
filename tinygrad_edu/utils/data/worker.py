"""DataLoader worker processes: load batches in parallel, hand them back in order.

With ``num_workers = n > 0`` the loader starts n processes. The main process
numbers the batches of an epoch 0, 1, 2 ... and sends batch k's indices to
worker k mod n (a few batches ahead: ``prefetch_factor`` per worker). Each
worker builds its batches (``dataset[i]`` for each index, then ``collate_fn``)
and puts ``(k, batch)`` on one shared result queue. Batches may arrive out of
order; the main process keeps early ones aside and yields batch k only after
k − 1, so the batches are exactly those of ``num_workers=0``, in the same order.

Shutting down: each worker gets a ``None`` (stop) on its queue and is joined
(terminated if it does not stop within a few seconds). That happens when an
epoch ends, when the iterator is garbage collected (e.g. after an exception in
the user's loop), and at interpreter exit (the workers are daemons). A worker
also stops by itself when its parent process has gone, so nothing lingers.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

_POLL_SECONDS = 1.0  # how often a waiting worker checks that its parent is alive
_JOIN_SECONDS = 5.0  # how long shutdown waits for a worker before terminating it


@dataclass(frozen=True)
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker (as PyTorch's)."""

    id: int
    num_workers: int
    seed: int
    dataset: Any


_worker_info: WorkerInfo | None = None


def get_worker_info() -> WorkerInfo | None:
    """This worker's id, the number of workers, its seed and its dataset copy; None in the
    main process."""
    return _worker_info


class _WorkerError:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, error: BaseException, worker_id: int) -> None:
        self.type = type(error)
        self.message = (f"Caught {type(error).__name__} in DataLoader worker process "
                        f"{worker_id}.\nOriginal {traceback.format_exc()}")

    def reraise(self) -> None:
        try:
            error = self.type(self.message)
        except Exception:  # an exception type that wants other arguments
            error = RuntimeError(self.message)
        raise error


def _worker_loop(fetch: Callable[[list], Any], index_queue: Any, result_queue: Any,
                 worker_id: int, num_workers: int, seed: int,
                 worker_init_fn: Callable[[int], None] | None, parent_pid: int) -> None:
    """A worker's life: seed, init, then build batches until told to stop (or orphaned)."""
    global _worker_info
    from tinygrad_edu import random

    random.manual_seed(seed)
    _worker_info = WorkerInfo(worker_id, num_workers, seed, getattr(fetch, "dataset", None))
    try:
        if worker_init_fn is not None:
            worker_init_fn(worker_id)
    except Exception as error:  # reported with the first batch the main process waits for
        result_queue.put((None, None, _WorkerError(error, worker_id)))
        return
    while True:
        try:
            task = index_queue.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if os.getppid() != parent_pid:
                return  # the main process is gone: do not linger
            continue
        if task is None:
            return
        epoch, number, indices = task
        try:
            batch = fetch(indices)
        except Exception as error:
            batch = _WorkerError(error, worker_id)
        result_queue.put((epoch, number, batch))


class MultiProcessIterator:
    """Batches of one (or, with persistent workers, every) epoch, built by worker processes."""

    def __init__(self, fetch: Callable[[list], Any], num_workers: int, prefetch_factor: int,
                 timeout: float, worker_init_fn: Callable[[int], None] | None,
                 context: Any, base_seed: int) -> None:
        self.closed, self.index_queues, self.workers, self.result_queue = True, [], [], None
        if context is None:
            methods = multiprocessing.get_all_start_methods()
            context = "fork" if "fork" in methods else None
        if context is None or isinstance(context, str):
            context = multiprocessing.get_context(context)
        self.timeout = timeout
        self.outstanding_limit = prefetch_factor * num_workers
        self.result_queue = context.Queue()
        self.closed = False
        for worker_id in range(num_workers):
            index_queue = context.Queue()
            index_queue.cancel_join_thread()
            worker = context.Process(
                target=_worker_loop, daemon=True,
                args=(fetch, index_queue, self.result_queue, worker_id, num_workers,
                      base_seed + worker_id, worker_init_fn, os.getpid()))
            worker.start()
            self.index_queues.append(index_queue)
            self.workers.append(worker)
        self.epoch = -1

    def start_epoch(self, batches: Iterator[list]) -> None:
        """Begin an epoch of index batches (results of an unfinished earlier one are dropped)."""
        self.epoch += 1
        self.batches = batches
        self.sent = self.received = 0
        self.early: dict[int, Any] = {}
        self.exhausted = False
        while self.sent - self.received < self.outstanding_limit and self._send_next():
            pass

    def _send_next(self) -> bool:
        try:
            indices = next(self.batches)
        except StopIteration:
            self.exhausted = True
            return False
        self.index_queues[self.sent % len(self.workers)].put((self.epoch, self.sent, indices))
        self.sent += 1
        return True

    def __iter__(self) -> MultiProcessIterator:
        return self

    def __next__(self) -> Any:
        if self.closed or (self.exhausted and self.received == self.sent):
            raise StopIteration
        while self.received not in self.early:
            epoch, number, batch = self._get()
            if epoch is None:  # a worker's init function failed
                self.close()
                batch.reraise()
            if epoch == self.epoch:
                self.early[number] = batch
        batch = self.early.pop(self.received)
        self.received += 1
        if not self.exhausted:
            self._send_next()
        if isinstance(batch, _WorkerError):
            self.close()
            batch.reraise()
        return batch

    def _get(self) -> tuple:
        """The next result from any worker; a clear error if one died or time ran out."""
        waited = 0.0
        while True:
            wait = _POLL_SECONDS if not self.timeout else min(_POLL_SECONDS,
                                                              self.timeout - waited)
            try:
                return self.result_queue.get(timeout=wait)
            except queue.Empty:
                waited += wait
            dead = [w.pid for w in self.workers if not w.is_alive()]
            if dead:
                self.close(force=True)
                raise RuntimeError(f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) "
                                   f"exited unexpectedly")
            if self.timeout and waited >= self.timeout:
                self.close(force=True)
                raise RuntimeError(f"DataLoader timed out after {self.timeout} seconds")

    def close(self, force: bool = False) -> None:
        """Stop and join every worker (terminate those that do not stop in time, or at once
        with ``force``: after a timeout or a dead worker nothing is worth waiting for)."""
        if self.closed:
            return
        self.closed = True
        for index_queue in self.index_queues:
            try:
                index_queue.put(None)
            except (OSError, ValueError):
                pass
        for worker in self.workers:
            worker.join(0 if force else _JOIN_SECONDS)
            if worker.is_alive():
                worker.terminate()
                worker.join()
        for q in [*self.index_queues, self.result_queue]:
            if q is not None:
                q.cancel_join_thread()
                q.close()

    def __del__(self) -> None:
        if getattr(self, "closed", True) is False:
            self.close()
