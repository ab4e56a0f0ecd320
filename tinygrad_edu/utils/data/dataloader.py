"""``DataLoader``: a data set cut into (shuffled) minibatches, one epoch per iteration.

Seed 000 describes minibatch SGD: shuffle the training data each epoch,
partition it into minibatches, update once per minibatch; an epoch has passed
when every example has been seen once. ``for X, y in loader:`` is that loop.
"""

from __future__ import annotations

import collections.abc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.functions import stack
from tinygrad_edu.tensor import Tensor, _wrap
from tinygrad_edu.utils.data.dataset import Dataset, Subset, TensorDataset
from tinygrad_edu.utils.data.sampler import RandomSampler, _seed_from


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

    ``shuffle=True`` draws a new order every epoch with a ``RandomSampler``,
    from the global generator (``tg.manual_seed``) or from ``generator`` (a
    ``tg.Generator``), in PyTorch's order: each epoch first draws a base seed
    (PyTorch's, for worker processes), then the sampler draws its order — so
    the orders are PyTorch's. ``drop_last=True``
    leaves out a last, smaller batch. ``collate_fn`` merges a list of
    examples into a batch (default: ``default_collate``).

    A ``TensorDataset`` (or a ``Subset`` of one) is batched by indexing its
    tensors with the batch's index array, one gather per tensor, instead of
    stacking the examples one by one; the batches are the same.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
        collate_fn: Callable[[list], Any] | None = None,
        generator: random.Generator | None = None,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) \
                or batch_size < 1:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if generator is not None and not isinstance(generator, random.Generator):
            raise TypeError(f"generator must be a tinygrad_edu.Generator, got "
                            f"{type(generator).__name__}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.collate_fn = default_collate if collate_fn is None else collate_fn
        self.generator = generator

    def __len__(self) -> int:
        """The number of batches in one epoch."""
        n = len(self.dataset)
        if self.drop_last:
            return n // self.batch_size
        return -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        _seed_from(self.generator)  # PyTorch's iterator draws its workers' base seed first
        if self.shuffle:
            # list(): run the sampler to its end, as PyTorch does (its last randperm,
            # even of zero items, advances a given generator)
            order = np.array(list(RandomSampler(self.dataset, generator=self.generator)),
                             dtype=np.int64)
        else:
            order = np.arange(n)
        gather = self._tensor_gather()
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            indices = order[start:start + self.batch_size]
            if gather is not None:
                yield gather(indices)
            else:
                yield self.collate_fn([self.dataset[int(i)] for i in indices])

    def _tensor_gather(self) -> Callable[[np.ndarray], tuple] | None:
        """For a TensorDataset (or a Subset of one) with the default collate: a fast batcher."""
        if self.collate_fn is not default_collate:
            return None
        dataset, rows = self.dataset, None
        if type(dataset) is Subset and type(dataset.dataset) is TensorDataset:
            dataset, rows = dataset.dataset, np.asarray(dataset.indices, dtype=np.int64)
        if type(dataset) is not TensorDataset:
            return None
        tensors = dataset.tensors

        def gather(indices: np.ndarray) -> tuple:
            if rows is not None:
                indices = rows[indices]
            return tuple(t[indices] if t.requires_grad else _wrap(t.array[indices])
                         for t in tensors)

        return gather
