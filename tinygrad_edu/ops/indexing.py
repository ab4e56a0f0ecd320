"""Indexing along a dim with an index tensor: gather, scatter, scatter_add,
index_select, take_along_dim, masked_fill.

Most are compositions of getitem's two ops (``movement.GetItem`` and its
backward ``IndexAdd``) with a "fancy" numpy index that picks, for every
position of ``index``, the element along ``dim`` it names::

    gather:       out[i][j] = a[i][index[i][j]]            (dim = 1)
    scatter_add:  out = a;  out[i][index[i][j]] += src[i][j]

so their derivatives are the ones of getitem: gather's gradient is g added
back at the gathered places (repeats add up), scatter_add's gradient for src
is g gathered at the same places. ``scatter`` overwrites instead of adding,
so it is an op of its own.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_tensor
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import inplace
from tinygrad_edu.ops.movement import GetItem, IndexAdd
from tinygrad_edu.tensor import Tensor, _as_tensor, _dim, _wrap


def _along(index: np.ndarray, dim: int) -> tuple:
    """The numpy index that picks ``a[..., index[p], ...]`` (at ``dim``) for each position p."""
    parts = []
    for d, size in enumerate(index.shape):
        if d == dim:
            parts.append(index)
        else:
            shape = [1] * index.ndim
            shape[d] = size
            parts.append(np.arange(size).reshape(shape))
    return tuple(parts)


def _checked_index(name: str, a: Tensor, dim: int, index: Any) -> np.ndarray:
    """index as an int64 array, checked as PyTorch checks it for gather and scatter."""
    if not isinstance(index, Tensor) or index.array.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    index_array = index.array
    if index_array.ndim != a.ndim and not (index_array.ndim <= 1 and a.ndim <= 1):
        raise RuntimeError(
            f"{name}(): Index tensor must have the same number of dimensions as input tensor "
            f"(index has {index_array.ndim}, input has {a.ndim})"
        )
    index_array = index_array.reshape(index_array.shape or (1,) * max(a.ndim, 1))
    shape = a.shape or (1,)
    for d, (wanted, available) in enumerate(zip(index_array.shape, shape)):
        if d != dim and wanted > available:
            raise RuntimeError(
                f"{name}(): Size does not match at dimension {d}: expected index "
                f"{list(index.shape)} to be no larger than self {list(a.shape)} apart from "
                f"dimension {dim}"
            )
    size = shape[dim]
    bad = (index_array < 0) | (index_array >= size)
    if bad.any():
        raise RuntimeError(
            f"{name}(): index {int(index_array[bad].flat[0])} is out of bounds for dimension "
            f"{dim} with size {size}"
        )
    return index_array.astype(np.int64, copy=False)


def gather(input: Tensor, dim: int, index: Tensor, *,  # noqa: A002
           sparse_grad: bool = False) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` for dim=1 (likewise for any dim).

    d/dinput: g added at the gathered places (composed of getitem). ``sparse_grad``
    is accepted for PyTorch's sake; the gradient is always a dense tensor.
    """
    d = _dim(dim, input.ndim)
    picks = _along(_checked_index("gather", input, d, index), d)
    out = GetItem.apply(input.reshape(input.shape or (1,)), picks)
    return out.reshape(index.shape) if index.ndim == 0 else out


def _source(name: str, src: Any, value: Any, a: Tensor, index: np.ndarray) -> Tensor:
    """scatter's values: ``src`` cut to index's shape, or ``value`` broadcast to it."""
    if src is None and value is None:
        raise TypeError(f"{name}() missing the values to scatter: pass src= or value=")
    if not isinstance(src, Tensor):
        scalar = _as_tensor(src if value is None else value, a, name)
        return _wrap(np.broadcast_to(scalar.array.astype(a.array.dtype), index.shape))
    if src.ndim != index.ndim or any(s < i for s, i in zip(src.shape, index.shape)):
        raise RuntimeError(
            f"{name}(): Expected index {list(index.shape)} to be no larger size than src "
            f"{list(src.shape)}"
        )
    if src.array.dtype != a.array.dtype:
        raise RuntimeError(
            f"{name}(): Expected self.dtype to be equal to src.dtype (got {a.dtype} and "
            f"{src.dtype})"
        )
    if src.shape == index.shape:
        return src
    return src[tuple(slice(0, size) for size in index.shape)]


class Scatter(Function):
    """out = a with ``src`` written at the places ``picks`` (a numpy index).

    d/da = 1 where nothing was written, else 0;  d/dsrc: g read at the same places
    (every src element gets its place's gradient, as in PyTorch, even one
    overwritten by a repeated index).
    """

    @staticmethod
    def forward(ctx, a, src, picks):
        out = a.array.copy()
        out[picks] = src.array
        written = np.zeros(a.array.shape, dtype=bool)
        written[picks] = True
        ctx.written, ctx.picks = _wrap(written), picks
        return out

    @staticmethod
    def backward(ctx, g):
        from tinygrad_edu.functions import where

        grad_a = where(ctx.written, 0.0, g) if ctx.needs_input_grad[0] else None
        grad_src = GetItem.apply(g, ctx.picks) if ctx.needs_input_grad[1] else None
        return grad_a, grad_src, None


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, *,  # noqa: A002
            value: Any = None, reduce: str | None = None) -> Tensor:
    """``input`` with ``out[i][index[i][j]] = src[i][j]`` (dim=1); ``src`` may be a number.

    ``reduce='add'`` adds instead (as ``scatter_add``). With repeated indices the
    last write wins.
    """
    if reduce == "add":
        return scatter_add(input, dim, index, src if src is not None else value)
    if reduce is not None:
        raise RuntimeError(f"scatter(): reduce={reduce!r} is not supported here; use 'add'")
    d = _dim(dim, input.ndim)
    index_array = _checked_index("scatter", input, d, index)
    source = _source("scatter", src, value, input, index_array)
    shaped = input.reshape(input.shape or (1,))
    return Scatter.apply(shaped, source, _along(index_array, d)).reshape(input.shape)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Any) -> Tensor:  # noqa: A002
    """``input`` with ``out[i][index[i][j]] += src[i][j]`` (dim=1); repeats add up.

    d/dinput = 1,  d/dsrc: g gathered at the same places (composed of getitem's ops).
    """
    d = _dim(dim, input.ndim)
    index_array = _checked_index("scatter_add", input, d, index)
    source = _source("scatter_add", src, None, input, index_array)
    shaped = input.reshape(input.shape or (1,))
    added = IndexAdd.apply(source, _along(index_array, d), shaped.shape)
    return (shaped + added).reshape(input.shape)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """The slices ``index`` (a 1-D int tensor) of ``input`` along ``dim``, in that order."""
    d = _dim(dim, input.ndim)
    check_tensor("index", index, "index_select")
    if index.array.dtype.kind not in "iu":
        raise RuntimeError(f"index_select(): Expected dtype int32/int64 for index, "
                           f"got {index.dtype}")
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    positions = index.array.reshape(-1)
    size = input.shape[d] if input.ndim else 1
    if ((positions < 0) | (positions >= size)).any():
        raise IndexError(
            f"index out of range in self (index_select(): indices {positions.tolist()} along "
            f"dimension {d} of size {size})"
        )
    return GetItem.apply(input, (slice(None),) * d + (positions,))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:  # noqa: A002
    """numpy's ``take_along_axis``: ``gather`` after broadcasting input and indices
    (except along ``dim``); ``dim=None`` works on the flattened input."""
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = _dim(dim, input.ndim)
    if indices.ndim != input.ndim:
        raise RuntimeError(
            "take_along_dim(): input and indices should have the same number of dimensions, "
            f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for "
            "indices"
        )
    others = np.broadcast_shapes(
        tuple(1 if i == d else s for i, s in enumerate(input.shape)),
        tuple(1 if i == d else s for i, s in enumerate(indices.shape)),
    )
    input_shape = tuple(input.shape[i] if i == d else s for i, s in enumerate(others))
    index_shape = tuple(indices.shape[i] if i == d else s for i, s in enumerate(others))
    index = _wrap(np.broadcast_to(indices.array, index_shape))
    return gather(input.expand(input_shape), d, index)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:  # noqa: A002
    """``input`` with ``value`` where the bool ``mask`` (broadcast to input) is True.

    d/dinput = 1 where mask is False, else 0; a tensor ``value`` gets the sum of g
    over the mask (composed of ``where``).
    """
    from tinygrad_edu.functions import where

    if not isinstance(mask, Tensor) or mask.array.dtype != np.bool_:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype {got}"
        )
    if isinstance(value, Tensor) and value.ndim != 0:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value.ndim} dimension(s)."
        )
    try:
        fits = np.broadcast_shapes(mask.shape, input.shape) == tuple(input.shape)
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"masked_fill: the mask's shape {tuple(mask.shape)} must be broadcastable to the "
            f"input's shape {tuple(input.shape)}"
        )
    if isinstance(value, Tensor):
        filler = value.to(input.array.dtype)
    else:
        filler = _wrap(np.asarray(value).astype(input.array.dtype))
    return where(mask, filler, input)


# ----- in place: the same ops, written into the tensor ----------------------------------
def scatter_(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None,
             reduce: str | None = None) -> Tensor:
    return inplace.assign(self, lambda old: scatter(old, dim, index, src, value=value,
                                                    reduce=reduce), "scatter_", src)


def scatter_add_(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: scatter_add(old, dim, index, src), "scatter_add_", src)


def masked_fill_(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    return inplace.assign(self, lambda old: masked_fill(old, mask, value), "masked_fill_", value)


# This family's Tensor methods.
Tensor.gather = gather
Tensor.scatter = scatter
Tensor.scatter_add = scatter_add
Tensor.index_select = index_select
Tensor.take_along_dim = take_along_dim
Tensor.masked_fill = masked_fill
Tensor.scatter_ = scatter_
Tensor.scatter_add_ = scatter_add_
Tensor.masked_fill_ = masked_fill_
