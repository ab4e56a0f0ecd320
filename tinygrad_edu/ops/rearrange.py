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


def tile(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    """``repeat``, but fewer sizes than dims are padded with 1s in front (numpy's tile)."""
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def repeat_interleave(input: Tensor, repeats: Any, dim: int | None = None) -> Tensor:  # noqa: A002
    """Each element ``repeats`` times in a row along ``dim`` (of the flattened input without
    dim). An int ``repeats`` is expand + reshape; a tensor of counts is an index (getitem)."""
    x, d = (input.reshape(-1), 0) if dim is None else (input, _dim(dim, input.ndim))
    if isinstance(repeats, Tensor) and repeats.ndim > 0:
        if repeats.shape != (x.shape[d],):
            raise RuntimeError(
                f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{repeats.shape[0]} and input.size({d}) = {x.shape[d]}"
            )
        positions = np.repeat(np.arange(x.shape[d]), repeats.array)
        return GetItem.apply(x, (slice(None),) * d + (positions,))
    count = int(repeats.item() if isinstance(repeats, Tensor) else repeats)
    if count < 0:
        raise RuntimeError("repeats can not be negative")
    spread = x.unsqueeze(d + 1)
    sizes = tuple(count if i == d + 1 else s for i, s in enumerate(spread.shape))
    merged = x.shape[:d] + (x.shape[d] * count,) + x.shape[d + 1:]
    return spread.expand(sizes).reshape(merged)


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    return input.transpose(axis0, axis1)


def swapdims(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return input.transpose(dim0, dim1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:  # noqa: A002
    """The dims ``source`` moved to positions ``destination``, the rest kept in order."""
    sources = tuple(source) if isinstance(source, (tuple, list)) else (source,)
    targets = tuple(destination) if isinstance(destination, (tuple, list)) else (destination,)
    if len(sources) != len(targets):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(sources)} dims) should "
            f"contain the same number of dims as destination ({list(targets)} dims)"
        )
    sources = tuple(_dim(d, input.ndim) for d in sources)
    targets = tuple(_dim(d, input.ndim) for d in targets)
    rest = iter(d for d in range(input.ndim) if d not in sources)
    placed = dict(zip(targets, sources))
    return input.permute(tuple(placed[i] if i in placed else next(rest)
                               for i in range(input.ndim)))


moveaxis = movedim


def broadcast_to(input: Tensor, size: Any) -> Tensor:  # noqa: A002
    return input.expand(*size) if isinstance(size, (tuple, list)) else input.expand(size)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    """The ``offset`` diagonal of the (dim1, dim2) matrices, as the last dim (getitem)."""
    d1, d2 = _dim(dim1, input.ndim), _dim(dim2, input.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    rest = [d for d in range(input.ndim) if d not in (d1, d2)]
    moved = input.permute(tuple(rest) + (d1, d2))
    rows, cols = _diagonal_places(input.shape[d1], input.shape[d2], offset)
    return GetItem.apply(moved, (Ellipsis, rows, cols))


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-D tensors; ``indexing='xy'`` swaps the first two, as numpy."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}"
        )
    if any(t.ndim > 1 for t in tensors):
        raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list")
    vectors = [t.reshape(-1) for t in tensors]
    if indexing == "xy" and len(vectors) >= 2:
        vectors[0], vectors[1] = vectors[1], vectors[0]
    shape = tuple(v.shape[0] for v in vectors)
    grids = []
    for i, v in enumerate(vectors):
        view = tuple(-1 if j == i else 1 for j in range(len(vectors)))
        grids.append(v.reshape(view).expand(shape))
    if indexing == "xy" and len(grids) >= 2:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def t(input: Tensor) -> Tensor:  # noqa: A002
    return input.t()


def clone(input: Tensor) -> Tensor:  # noqa: A002
    return input.clone()


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
Tensor.tile = tile
Tensor.repeat_interleave = repeat_interleave
Tensor.swapaxes = swapaxes
Tensor.swapdims = swapdims
Tensor.movedim = Tensor.moveaxis = movedim
Tensor.broadcast_to = broadcast_to
Tensor.diagonal = diagonal
