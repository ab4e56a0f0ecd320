"""Data sets: things with a length that hand out one example per index.

``Dataset`` is the base; ``TensorDataset(X, y)`` pairs the rows of tensors;
``Subset`` and ``random_split`` pick some of a data set's examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.ops.random import randperm
from tinygrad_edu.tensor import Tensor


class Dataset:
    """A data set: subclasses define ``__getitem__(index)`` and ``__len__()``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must implement __len__")


class TensorDataset(Dataset):
    """Example ``i`` is ``(t[i] for t in tensors)``: the i-th row of every tensor.

    ``TensorDataset(X, y)[i] == (X[i], y[i])``; every tensor needs the same
    number of rows.
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(f"TensorDataset: argument {i} is a {type(t).__name__}, "
                                f"not a Tensor")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; it has no rows to index")
        rows = [len(t) for t in tensors]
        if len(set(rows)) > 1:
            sizes = ", ".join(f"tensor {i} has {n}" for i, n in enumerate(rows))
            raise ValueError(f"Size mismatch between tensors: every tensor needs the same "
                             f"number of rows (size of dim 0), but {sizes}")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return len(self.tensors[0])


class Subset(Dataset):
    """The examples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = [int(i) for i in indices]

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(dataset: Dataset, lengths: Sequence[int | float],
                 generator: random.Generator | None = None) -> list[Subset]:
    """Split ``dataset`` into non-overlapping random subsets of the given lengths.

    ``lengths`` are counts that add up to ``len(dataset)``, or fractions that
    add up to 1 (PyTorch's rule: each gets ``floor(fraction · n)``, and the
    examples left over go one each to the first subsets). The order is
    ``randperm(len(dataset))`` from the global generator (``tg.manual_seed``)
    or from ``generator``, as in PyTorch, so the subsets are PyTorch's.
    """
    n = len(dataset)
    if all(isinstance(x, float) for x in lengths) and math.isclose(sum(lengths), 1.0):
        counts = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        lengths = counts
    if any(not isinstance(x, (int, np.integer)) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions "
                         f"that sum to 1, got {list(lengths)}")
    if sum(lengths) != n:
        raise ValueError(f"Sum of input lengths ({sum(lengths)}) does not equal the length of "
                         f"the input dataset ({n})")
    order = randperm(n, generator=generator).array
    ends = np.cumsum(lengths)
    return [Subset(dataset, order[end - length:end].tolist())
            for length, end in zip(lengths, ends)]
