"""More shape ops: repeat, flip, roll, narrow, unbind, ravel, tril/triu, diag, trace.

Most are compositions of the primitives in ``movement.py`` (reshape, expand,
getitem and its backward IndexAdd), so their gradients are those ops' and are
differentiable again: ``repeat`` sums the gradient of every copy, ``narrow``
and ``unbind`` put it back into their slice, ``tril``/``triu`` pass it where
they keep values and give 0 elsewhere. ``flip`` and ``roll`` move values, so
their gradients are moved back.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.movement import GetItem, IndexAdd
from tinygrad_edu.tensor import Tensor, _dim, _wrap


def _sizes(sizes: tuple) -> tuple:
    """``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        return tuple(sizes[0])
    return tuple(sizes)


def repeat(input: Tensor, *sizes: Any) -> Tensor:  # noqa: A002
    """Tile ``input``: ``sizes[i]`` copies along dim i (leading sizes add new dims).

    Composed: each dim d of size n becomes (1, n), is expanded to (r, n) and
    merged to r*n, so the gradient sums over the copies (expand's backward).
    """
    sizes = _sizes(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            f"of tensor (repeat got {len(sizes)} sizes for a {input.ndim}-d tensor)"
        )
    if any(int(s) < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    shape = (1,) * (len(sizes) - input.ndim) + tuple(input.shape)
    interleaved = input.reshape(tuple(n for size in shape for n in (1, size)))
    expanded = interleaved.expand(tuple(n for r, size in zip(sizes, shape) for n in (r, size)))
    return expanded.reshape(tuple(int(r) * size for r, size in zip(sizes, shape)))


class Flip(Function):
    """out = a reversed along ``dims``.   g ↦ g reversed along the same dims."""

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return np.flip(a.array, dims).copy()  # PyTorch's flip copies

    @staticmethod
    def backward(ctx, g):
        return Flip.apply(g, ctx.dims), None


def flip(input: Tensor, *dims: Any) -> Tensor:  # noqa: A002
    checked = tuple(_dim(d, input.ndim) for d in _sizes(dims))
    if len(set(checked)) != len(checked):
        raise RuntimeError(f"dims {list(_sizes(dims))} has duplicates: each dim at most once")
    if input.ndim == 0 or not checked:
        return input * 1
    return Flip.apply(input, checked)


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, 0)


class Roll(Function):
    """out = a shifted cyclically by ``shifts`` along ``dims``.   g ↦ g shifted back."""

    @staticmethod
    def forward(ctx, a, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a.array, shifts, dims)

    @staticmethod
    def backward(ctx, g):
        return Roll.apply(g, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:  # noqa: A002
    """Shift elements cyclically; without ``dims`` over the flattened tensor."""
    shifts_tuple = tuple(shifts) if isinstance(shifts, (tuple, list)) else (shifts,)
    if dims is None:
        if len(shifts_tuple) != 1:
            raise RuntimeError(
                f"roll: without dims, shifts must be a single int, got {list(shifts_tuple)}"
            )
        return Roll.apply(input.reshape(-1), shifts_tuple, (0,)).reshape(input.shape)
    dims_tuple = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    if len(dims_tuple) != len(shifts_tuple):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts_tuple)}, dims:"
            f"{len(dims_tuple)}"
        )
    checked = tuple(_dim(d, input.ndim) for d in dims_tuple)
    return Roll.apply(input, tuple(int(s) for s in shifts_tuple), checked)


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """The ``length`` elements from ``start`` along ``dim`` (a view, as ``x[:, start:...]``)."""
    d = _dim(dim, input.ndim)
    size = input.shape[d]
    if not -size <= start <= size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    start = start % size if start < 0 else start
    if length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return input[(slice(None),) * d + (slice(start, start + length),)]


def unbind(input: Tensor, dim: int = 0) -> tuple:  # noqa: A002
    """The slices along ``dim``, with that dim removed: ``tuple(x[i] for i ...)`` for dim 0."""
    d = _dim(dim, input.ndim)
    return tuple(input[(slice(None),) * d + (i,)] for i in range(input.shape[d]))


def ravel(input: Tensor) -> Tensor:  # noqa: A002
    return input.reshape(-1)


def _triangle(name: str, input: Tensor, diagonal: int, lower: bool) -> Tensor:
    from tinygrad_edu.functions import where

    if input.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    rows, cols = input.shape[-2:]
    keep = np.tri(rows, cols, diagonal, dtype=bool)  # on and below the diagonal
    if not lower:
        keep = ~np.tri(rows, cols, diagonal - 1, dtype=bool)
    return where(_wrap(keep), input, _wrap(np.zeros((), input.array.dtype)))


def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle (of the last two dims): on and below ``diagonal``, 0 above.

    d/dinput = 1 where kept, 0 elsewhere (composed of ``where``).
    """
    return _triangle("tril", input, diagonal, lower=True)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle: on and above ``diagonal``, 0 below."""
    return _triangle("triu", input, diagonal, lower=False)


def _diagonal_places(rows: int, cols: int, offset: int) -> tuple:
    """Row and column indices of the ``offset`` diagonal of a rows x cols matrix."""
    start_row, start_col = max(-offset, 0), max(offset, 0)
    length = max(min(rows - start_row, cols - start_col), 0)
    return np.arange(start_row, start_row + length), np.arange(start_col, start_col + length)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A vector's diagonal matrix, or a matrix's diagonal as a vector (``diagonal`` picks it:
    > 0 above the main one, < 0 below). Composed of getitem's ops."""
    if input.ndim == 1:
        n = input.shape[0] + abs(diagonal)
        places = _diagonal_places(n, n, diagonal)
        return IndexAdd.apply(input, places, (n, n))
    if input.ndim == 2:
        places = _diagonal_places(*input.shape, diagonal)
        return GetItem.apply(input, places)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")


def trace(input: Tensor) -> Tensor:  # noqa: A002
    """The sum of a matrix's main diagonal."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    return diag(input).sum()


# This family's Tensor methods.
Tensor.repeat = repeat
Tensor.flip = flip
Tensor.fliplr = fliplr
Tensor.flipud = flipud
Tensor.roll = roll
Tensor.narrow = narrow
Tensor.unbind = unbind
Tensor.ravel = ravel
Tensor.tril = tril
Tensor.triu = triu
Tensor.diag = diag
Tensor.trace = trace
