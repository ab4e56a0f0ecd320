"""``DataLoader``: a data set cut into (shuffled) minibatches, one epoch per iteration.

Seed 000 describes minibatch SGD: shuffle the training data each epoch,
partition it into minibatches, update once per minibatch; an epoch has passed
when every example has been seen once. ``for X, y in loader:`` is that loop.
"""

from __future__ import annotations

import collections.abc
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.functions import stack
from tinygrad_edu.tensor import Tensor, _wrap
from tinygrad_edu.utils.data.dataset import Dataset, Subset, TensorDataset
from tinygrad_edu.utils.data.sampler import RandomSampler, _seed_from
from tinygrad_edu.utils.data.worker import MultiProcessIterator


def default_collate(batch: list) -> Any:
    """Merge a list of examples into one batch, field by field.

    Tensors and numpy arrays are stacked along a new first dim; Python floats
    become a float64 tensor, ints int64, bools bool (PyTorch's choices);
    tuples and lists are collated position by position and dicts key by
    key; strings stay a list. Unlike PyTorch, a tuple example gives a tuple
    batch (PyTorch gives a list); ``for X, y in loader`` works the same.
    """
    first = batch[0]
    if isinstance(first, Tensor):
        if any(example.requires_grad for example in batch):
            return stack(batch)  # records the graph, as torch.stack does
        return _wrap(np.stack([example.array for example in batch]))
    if isinstance(first, (np.ndarray, np.number, np.bool_)):
        return _wrap(np.stack(batch))
    if isinstance(first, bool):
        return _wrap(np.array(batch, dtype=np.bool_))
    if isinstance(first, int):
        return _wrap(np.array(batch, dtype=np.int64))
    if isinstance(first, float):
        return _wrap(np.array(batch, dtype=np.float64))
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, collections.abc.Mapping):
        return {key: default_collate([example[key] for example in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        if any(len(example) != len(first) for example in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields = [default_collate(list(samples)) for samples in zip(*batch)]
        if hasattr(first, "_fields"):  # a namedtuple keeps its type
            return type(first)(*fields)
        return tuple(fields) if isinstance(first, tuple) else fields
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(first).__name__}"
    )


class DataLoader:
    """Iterate over ``dataset`` in minibatches of ``batch_size`` examples.

    Which examples, in which order:
    ``shuffle=True`` draws a new order every epoch with a ``RandomSampler``,
    from the global generator (``tg.manual_seed``) or from ``generator`` (a
    ``tg.Generator``), in PyTorch's order: each epoch first draws a base seed
    (for the worker processes, drawn with or without them), then the sampler
    draws its order — so the orders are PyTorch's. ``sampler`` is any
    iterable of indices (iterated anew each epoch) instead; ``batch_sampler``
    an iterable of index lists, one per batch (then ``batch_size``,
    ``shuffle``, ``sampler`` and ``drop_last`` must stay at their defaults).
    ``drop_last=True`` leaves out a last, smaller batch. ``collate_fn``
    merges a list of examples into a batch (default: ``default_collate``).

    ``num_workers > 0`` builds the batches in that many worker processes
    (``worker.py``): the same batches, in the same order, as with 0.
    ``prefetch_factor`` batches per worker are loaded ahead (default 2);
    ``timeout`` > 0 seconds bounds the wait for one batch;
    ``worker_init_fn(worker_id)`` runs in each worker after seeding it
    (``get_worker_info()`` tells a worker who it is);
    ``persistent_workers=True`` keeps the workers from epoch to epoch;
    ``multiprocessing_context`` picks the start method ('fork' by default
    where it exists). ``pin_memory`` is accepted and has no effect (there is
    only the CPU); ``in_order`` too (batches always come in order).

    A ``TensorDataset`` (or a ``Subset`` of one) with the default collate is
    batched by indexing its tensors with the batch's index array, one gather
    per tensor, instead of stacking the examples one by one; the batches are
    the same.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Iterable[int] | None = None,
        batch_sampler: Iterable[list[int]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[list], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: random.Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        _check_options(batch_size, shuffle, sampler, batch_sampler, num_workers, drop_last,
                       timeout, prefetch_factor, persistent_workers)
        if generator is not None and not isinstance(generator, random.Generator):
            raise TypeError(f"generator must be a tinygrad_edu.Generator, got "
                            f"{type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = 1 if batch_sampler is not None else int(batch_size)
        self.shuffle = bool(shuffle)
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.drop_last = bool(drop_last)
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.generator = generator
        self.num_workers, self.timeout = int(num_workers), float(timeout)
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 \
            else prefetch_factor
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = bool(persistent_workers)
        self.pin_memory, self.pin_memory_device = bool(pin_memory), pin_memory_device
        self.in_order = in_order
        self._workers: MultiProcessIterator | None = None

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        if self.batch_sampler is not None:
            return len(self.batch_sampler)  # type: ignore[arg-type]
        n = len(self.sampler) if self.sampler is not None else len(self.dataset)  # type: ignore
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        # the workers' base seed is drawn first with or without workers, as PyTorch does,
        # so that the shuffled order that follows is the same either way
        base_seed = _seed_from(self.generator)
        batches = self._index_batches()
        if self.num_workers == 0:
            fetch = _Fetcher(self.dataset, self.collate_fn)
            return (fetch(indices) for indices in batches)
        if self._workers is None or self._workers.closed or not self.persistent_workers:
            workers = MultiProcessIterator(
                _Fetcher(self.dataset, self.collate_fn), self.num_workers,
                self.prefetch_factor, self.timeout, self.worker_init_fn,
                self.multiprocessing_context, base_seed)
            if self.persistent_workers:
                self._workers = workers
        else:
            workers = self._workers
        workers.start_epoch(batches)
        return workers if self.persistent_workers else _closing(workers)

    def _index_order(self) -> Iterable[int]:
        """The examples' order for one epoch (the sampler's, shuffled, or 0, 1, 2 ...)."""
        if self.sampler is not None:
            return self.sampler
        n = len(self.dataset)
        if self.shuffle:
            # list(): run the sampler to its end, as PyTorch does (its last randperm,
            # even of zero items, advances a given generator)
            return np.array(list(RandomSampler(self.dataset, generator=self.generator)),
                            dtype=np.int64)
        return np.arange(n)

    def _index_batches(self) -> Iterator[list]:
        """The index lists of one epoch's batches (a generator that does not hold the loader,
        so that persistent workers, which keep it, make no reference cycle)."""
        if self.batch_sampler is not None:
            return ([int(i) for i in indices] for indices in self.batch_sampler)
        return _batches_of(self._index_order(), self.batch_size, self.drop_last)

    def __del__(self) -> None:
        if getattr(self, "_workers", None) is not None:
            self._workers.close()


def _batches_of(order: Iterable[int], batch_size: int, drop_last: bool) -> Iterator[list]:
    batch: list[int] = []
    for index in order:
        batch.append(int(index))
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch and not drop_last:
        yield batch


def _closing(workers: MultiProcessIterator) -> Iterator[Any]:
    """Yield one epoch's batches and stop the workers when the epoch ends or is abandoned."""
    try:
        yield from workers
    finally:
        workers.close()


def _check_options(batch_size: Any, shuffle: Any, sampler: Any, batch_sampler: Any,
                   num_workers: Any, drop_last: Any, timeout: Any, prefetch_factor: Any,
                   persistent_workers: Any) -> None:
    """PyTorch's checks of the DataLoader's arguments, with its messages."""
    if not isinstance(num_workers, (int, np.integer)) or num_workers < 0:
        raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                         "disable multiprocessing.")
    if timeout < 0:
        raise ValueError("timeout option should be non-negative")
    if num_workers == 0 and prefetch_factor is not None:
        raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                         "let num_workers > 0 to enable multiprocessing, otherwise set "
                         "prefetch_factor to None.")
    if prefetch_factor is not None and prefetch_factor < 0:
        raise ValueError("prefetch_factor option should be non-negative")
    if persistent_workers and num_workers == 0:
        raise ValueError("persistent_workers option needs num_workers > 0")
    if sampler is not None and shuffle:
        raise ValueError("sampler option is mutually exclusive with shuffle")
    if not isinstance(drop_last, (bool, np.bool_)):
        raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
    if batch_sampler is not None:
        if batch_size != 1 or shuffle or sampler is not None or drop_last:
            raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                             "shuffle, sampler, and drop_last")
        return
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
            or batch_size < 1:
        raise ValueError(
            f"batch_size should be a positive integer value, but got batch_size={batch_size}"
        )


class _Fetcher:
    """Turns a list of indices into a batch: the same function in the main process and in
    the workers (a class, not a closure, so that it can be sent to a spawned worker)."""

    def __init__(self, dataset: Dataset, collate_fn: Callable[[list], Any]) -> None:
        self.dataset, self.collate_fn = dataset, collate_fn
        self.rows, self.tensors = None, None
        if collate_fn is default_collate:
            inner = dataset
            if type(inner) is Subset and type(inner.dataset) is TensorDataset:
                self.rows = np.asarray(inner.indices, dtype=np.int64)
                inner = inner.dataset
            if type(inner) is TensorDataset:
                self.tensors = inner.tensors

    def __call__(self, indices: list[int]) -> Any:
        if self.tensors is None:
            return self.collate_fn([self.dataset[i] for i in indices])
        index = np.asarray(indices, dtype=np.int64)
        if self.rows is not None:
            index = self.rows[index]
        return tuple(t[index] if t.requires_grad else _wrap(t.array[index])
                     for t in self.tensors)
