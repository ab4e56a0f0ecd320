"""Sorting along a dim: sort, argsort, topk.

The order is found with numpy's stable sort (ties keep their original order,
which is also what PyTorch gives on CPU); the values are then ``gather``-ed
with it, so their derivative is gather's: each value's gradient goes back to
the place it came from. The indices are int64 tensors outside the graph.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from tinygrad_edu.ops.indexing import gather
from tinygrad_edu.tensor import Tensor, _dim, _wrap


class SortResult(NamedTuple):
    """``(values, indices)``, as returned by ``sort``."""

    values: Tensor
    indices: Tensor


class TopkResult(NamedTuple):
    """``(values, indices)``, as returned by ``topk``."""

    values: Tensor
    indices: Tensor


def _order(a: Tensor, dim: int, descending: bool) -> np.ndarray:
    """The stable sorting permutation of ``a`` along ``dim``, as int64."""
    array = a.array
    if descending:  # a stable sort of the negated values keeps ties in order
        array = ~array if array.dtype == np.bool_ else np.negative(array)
    return np.argsort(array, axis=dim, kind="stable").astype(np.int64, copy=False)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, *,  # noqa: A002
            stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (always a stable sort here)."""
    if input.ndim == 0:
        return _wrap(np.zeros((), np.int64))
    return _wrap(_order(input, _dim(dim, input.ndim), descending))


def sort(input: Tensor, dim: int = -1, descending: bool = False, *,  # noqa: A002
         stable: bool = False) -> SortResult:
    """``(values, indices)`` of ``input`` sorted along ``dim``.

    d/dinput: each sorted value's gradient goes back to where it came from (gather).
    """
    if input.ndim == 0:
        return SortResult(input * 1, _wrap(np.zeros((), np.int64)))
    d = _dim(dim, input.ndim)
    indices = _wrap(_order(input, d, descending))
    return SortResult(gather(input, d, indices), indices)


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True,  # noqa: A002
         sorted: bool = True) -> TopkResult:  # noqa: A002 - PyTorch's argument name
    """The ``k`` largest (or smallest) values along ``dim`` and their indices, largest first."""
    d = _dim(dim, input.ndim)
    size = input.shape[d] if input.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError(
            f"selected index k out of range (topk: k={k}, but dimension {d} has size {size})"
        )
    if input.ndim == 0:
        return TopkResult(input * 1, _wrap(np.zeros((), np.int64)))
    order = _order(input, d, descending=largest)
    indices = _wrap(np.take(order, np.arange(k), axis=d))
    return TopkResult(gather(input, d, indices), indices)


# This family's Tensor methods.
Tensor.sort = sort
Tensor.argsort = argsort
Tensor.topk = topk
