"""Shape and indexing ops: reshape, permute, expand, getitem, cat.

These move values without changing them, so their derivatives move the
gradient back: reshape it back, permute it back, sum it over the expanded
dims, scatter it back into the indexed places. Outputs that are numpy views
of their input are views in PyTorch's sense: they share the base's version
counter and see its in-place changes (autograd/views.py).
"""

from __future__ import annotations

import builtins
import math
import numbers
from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_int, check_tensor, check_tensor_list
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import backward_on_arrays
from tinygrad_edu.autograd.views import view_of
from tinygrad_edu.dtypes import promote_types
from tinygrad_edu.ops import torch_name
from tinygrad_edu.tensor import Tensor, _dim, _wrap


class Reshape(Function):
    """out = a with a new shape (same elements, same order).   g ↦ g reshaped to a's shape."""

    _makes_view = True
    _name = "ViewBackward0"  # PyTorch's name for view, and for reshape of a contiguous tensor

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a.array.shape
        return view_of(a, a.array.reshape(shape), Reshape, (shape,), ctx)

    @staticmethod
    def backward(ctx, g):
        if backward_on_arrays():  # no graph wanted: reshape the array itself
            return _wrap(g.array.reshape(ctx.input_shape)), None
        return Reshape.apply(g, ctx.input_shape), None


class Permute(Function):
    """out = a with its dims reordered.   g ↦ g permuted by the inverse order."""

    _makes_view = True

    @staticmethod
    def forward(ctx, a, dims):
        if len(dims) == 2:  # (1, 0) or (0, 1): its own inverse (W.T, in every x @ W.T)
            ctx.inverse = dims
        else:
            inverse = [0] * len(dims)
            for position, dim in enumerate(dims):
                inverse[dim] = position
            ctx.inverse = tuple(inverse)
        return view_of(a, a.array.transpose(dims), Permute, (dims,), ctx)

    @staticmethod
    def backward(ctx, g):
        if backward_on_arrays():  # no graph wanted: permute the array itself
            return _wrap(g.array.transpose(ctx.inverse)), None
        return Permute.apply(g, ctx.inverse), None


class Expand(Function):
    """out = a broadcast to ``shape`` (a read-only view).   g ↦ g summed back to a's shape."""

    _makes_view = True

    @staticmethod
    def forward(ctx, a, shape):
        ctx.input_shape = a.array.shape
        return view_of(a, np.broadcast_to(a.array, shape), Expand, (shape,), ctx)

    @staticmethod
    def backward(ctx, g):
        from tinygrad_edu.autograd.engine import sum_to_shape

        return sum_to_shape(g, ctx.input_shape), None


class GetItem(Function):
    """out = a[index].   g ↦ zeros of a's shape with g added at the indexed places.

    Repeated integer indices (``a[[0, 0]]``) receive the sum of their gradients.
    Index tensors are saved, so that changing one in place before backward is
    caught (their values are in ``index``).
    """

    _makes_view = True

    @staticmethod
    def forward(ctx, a, index, index_tensors=()):
        ctx.index = index
        ctx.input_shape = a.array.shape
        if index_tensors:
            ctx.save_for_backward(*index_tensors)
        out = a.array[index]  # basic indexing gives a view (advanced indexing gives a copy)
        if type(out) is not np.ndarray and _is_basic(index):  # a scalar: make it a 0-d view
            out = a.array[(index if type(index) is tuple else (index,)) + (Ellipsis,)]
        return view_of(a, out, GetItem, (index,), ctx)

    @staticmethod
    def backward(ctx, g):
        ctx.saved_tensors  # noqa: B018 - raises if an index tensor was changed in place
        if backward_on_arrays():  # no graph wanted: on the arrays
            grad = _wrap(_index_add(g.array, ctx.index, ctx.input_shape))
        else:
            grad = IndexAdd.apply(g, ctx.index, ctx.input_shape)
        return (grad,) + (None,) * (len(ctx.needs_input_grad) - 1)


def _index_add(g: np.ndarray, index: Any, shape: tuple) -> np.ndarray:
    """zeros(shape) with g added at ``index``."""
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g  # no element is selected twice
    else:
        np.add.at(out, index, g)
    return out


class IndexAdd(Function):
    """out = zeros(shape) with g added at ``index`` (getitem's backward).

    d/dg: grad ↦ grad[index].
    """

    @staticmethod
    def forward(ctx, g, index, shape):
        ctx.index = index
        return _index_add(g.array, index, shape)

    @staticmethod
    def backward(ctx, grad):
        return GetItem.apply(grad, ctx.index), None, None


class Cat(Function):
    """out = the inputs joined along ``dim``.   g ↦ the matching slice of g for each input."""

    @staticmethod
    def forward(ctx, dim, *tensors):
        ctx.dim = dim
        ctx.sizes = [t.array.shape[dim] for t in tensors]
        return np.concatenate([t.array for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, g):
        grads, start = [None], 0
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            index = (slice(None),) * ctx.dim + (slice(start, start + size),)
            grads.append(GetItem.apply(g, index) if needed else None)
            start += size
        return tuple(grads)


def _is_basic(index: Any) -> bool:
    """True if ``index`` uses only ints, slices, None and Ellipsis (numpy basic indexing)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(
        isinstance(p, (builtins.int, np.integer, slice)) or p is None or p is Ellipsis
        for p in parts
    ) or all(isinstance(p, np.ndarray) and p.dtype == np.bool_ for p in parts)


# ----- the public shape functions, built on the ops above --------------------------------
def view(a: Tensor, shape: tuple) -> Tensor:
    """``reshape`` that never copies, as PyTorch's ``view``: the result shares ``a``'s memory,
    so a layout that numpy cannot reshape in place (a transpose) is an error, not a copy."""
    shape = resolve_shape(shape, a)
    probe = a.array.reshape(shape)
    if probe.size and (probe.base if probe.base is not None else probe) is not (
            a.array.base if a.array.base is not None else a.array):
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): a tensor of shape "
            f"{tuple(a.shape)} that is not contiguous cannot be viewed as {shape}. Use "
            f".reshape(...) instead."
        )
    return Reshape.apply(a, shape)


def resolve_shape(shape: tuple, a: Tensor) -> tuple:
    """Accept ``reshape(2, 3)`` and ``reshape((2, 3))``; fill in one -1; check the size."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple([s if type(s) is builtins.int else check_int("shape", s, "reshape")
                   for s in shape])  # reshape(2.9, 3.1) is a TypeError, not (2, 3)
    known = math.prod([s for s in shape if s != -1])  # not np.prod: ~3 µs for a short list
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred (-1)")
    if -1 in shape:
        if known == 0 or a.array.size % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {a.array.size}")
        shape = tuple([a.array.size // known if s == -1 else s for s in shape])
    elif known != a.array.size or any(s < 0 for s in shape):
        raise RuntimeError(
            f"shape '{list(shape)}' is invalid for input of size {a.array.size} "
            f"(input shape {tuple(a.shape)}); the sizes must multiply to {a.array.size}"
        )
    return shape


def flatten(a: Tensor, start_dim: int, end_dim: int) -> Tensor:
    if a.ndim == 0:
        return a.reshape(1)
    start, end = _dim(start_dim, a.ndim), _dim(end_dim, a.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = a.shape[:start] + (int(np.prod(a.shape[start : end + 1])),) + a.shape[end + 1 :]
    return a.reshape(shape)


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    d = _dim(dim, a.ndim + 1)
    return torch_name(a.reshape(a.shape[:d] + (1,) + a.shape[d:]), "UnsqueezeBackward0")


def squeeze(a: Tensor, dim: Any) -> Tensor:
    if dim is None:
        dims = {i for i, s in enumerate(a.shape) if s == 1}
    else:
        dims = {_dim(d, a.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        dims = {d for d in dims if a.ndim and a.shape[d] == 1}
    out = a.reshape(tuple([s for i, s in enumerate(a.shape) if i not in dims]))
    variant = 0 if dim is None else (2 if isinstance(dim, (tuple, list)) else 1)
    return torch_name(out, f"SqueezeBackward{variant}")


def permute(a: Tensor, dims: tuple) -> Tensor:
    resolved = tuple([_dim(d, a.ndim) for d in dims]) if len(dims) == a.ndim else None
    if resolved is None or sorted(resolved) != list(range(a.ndim)):
        raise RuntimeError(
            f"permute(): number of dimensions in the tensor input does not match the length "
            f"of the desired ordering of dimensions i.e. input.dim() = {a.ndim} is not equal "
            f"to len(dims) = {len(dims)}; give each of the {a.ndim} dims exactly once"
            if len(dims) != a.ndim
            else f"permute(): dims {dims} must be each dim of a {a.ndim}-d tensor exactly once"
        )
    if resolved == tuple(range(a.ndim)):
        return a.reshape(a.shape)
    return Permute.apply(a, resolved)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    order = list(range(a.ndim))
    d0, d1 = _dim(dim0, a.ndim), _dim(dim1, a.ndim)
    order[d0], order[d1] = order[d1], order[d0]
    return torch_name(permute(a, tuple(order)), "TransposeBackward0")


def expand_as(a: Tensor, other: Tensor) -> Tensor:
    return expand(a, check_tensor("other", other, "expand_as").shape)


def expand(a: Tensor, sizes: tuple) -> Tensor:
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    if len(sizes) < a.ndim:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({a.ndim})"
        )
    lead = len(sizes) - a.ndim
    shape = tuple(
        a.shape[i - lead] if (s == -1 and i >= lead) else builtins.int(s)
        for i, s in enumerate(sizes)
    )
    if any(s < 0 for s in shape):
        raise RuntimeError(f"expand: sizes must be non-negative (or -1 to keep a dim), got "
                           f"{list(sizes)} for a tensor of shape {list(a.shape)}")
    for i in range(a.ndim):
        if a.shape[i] != 1 and a.shape[i] != shape[lead + i]:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[lead + i]}) must match the existing "
                f"size ({a.shape[i]}) at non-singleton dimension {lead + i}.  Target sizes: "
                f"{list(sizes)}.  Tensor sizes: {list(a.shape)}"
            )
    if shape == a.shape:
        return a.reshape(shape)
    return Expand.apply(a, shape)


def _index_tensors(index: Any) -> tuple:
    """The tensors in an index (their values must not change before backward)."""
    parts = index if isinstance(index, tuple) else (index,)
    return tuple([p for p in parts if isinstance(p, Tensor)])


def _numpy_index(index: Any) -> Any:
    """Tensors in an index become their arrays; lists become arrays."""
    if isinstance(index, tuple):
        return tuple([_numpy_index(i) for i in index])
    if isinstance(index, Tensor):
        if index.array.dtype.kind == "f":
            raise IndexError(
                "tensors used as indices must be long, int, byte or bool tensors, got "
                f"{index.dtype}"
            )
        return index.array
    if isinstance(index, list) and any(isinstance(i, (Tensor, slice, list, type(None)))
                                       or i is Ellipsis for i in index):
        return _numpy_index(tuple(index))  # PyTorch reads such a list as a tuple of indices
    if isinstance(index, list):
        array = np.asarray(index)
        if array.dtype.kind == "f":
            raise IndexError("an index list must hold integers or bools, not floats")
        return array
    return index


def getitem(a: Tensor, index: Any) -> Tensor:
    np_index = _numpy_index(index)
    try:
        if type(index) is Tensor or type(index) is tuple:
            out = GetItem.apply(a, np_index, _index_tensors(index))
        else:
            out = GetItem.apply(a, np_index)
    except IndexError as error:
        parts = index if isinstance(index, tuple) else (index,)
        for part in parts:
            if not isinstance(part, (numbers.Number, slice, list, Tensor, np.ndarray,
                                     type(None), type(Ellipsis))):  # a float is an IndexError
                raise TypeError(
                    f"a tensor cannot be indexed with a {type(part).__name__} ({part!r}); an "
                    f"index is an int, a slice, None, ..., a list of ints or bools, or an "
                    f"integer or bool tensor"
                ) from None
        raise IndexError(f"{error} (indexing a tensor of shape {tuple(a.shape)})") from None
    return torch_name(out, _index_name(np_index))


def _index_name(index: Any) -> str:
    """PyTorch's node name for an index: it applies the parts in turn, so the last part
    that does something names the node; advanced (array) indexing always comes last."""
    parts = index if isinstance(index, tuple) else (index,)
    name = "SliceBackward0"  # a[:] too
    for part in parts:
        if isinstance(part, np.ndarray):
            return "IndexBackward0"
        if part is None:
            name = "UnsqueezeBackward0"
        elif isinstance(part, (builtins.int, np.integer)):
            name = "SelectBackward0"
        elif isinstance(part, slice) and part != slice(None):
            name = "SliceBackward0"
    return name


def cat(tensors: Any, dim: int = 0) -> Tensor:
    tensors = check_tensor_list("tensors", tensors, "cat")
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"cat(): zero-dimensional tensor (at position {i}) cannot be "
                               f"concatenated; use stack, or unsqueeze it first")
    d = _dim(dim, tensors[0].ndim)
    for i, t in enumerate(tensors):
        if t.ndim != tensors[0].ndim or any(
            t.shape[k] != tensors[0].shape[k] for k in range(t.ndim) if k != d
        ):
            raise RuntimeError(
                f"Sizes of tensors must match except in dimension {d}. Expected sizes "
                f"{tuple(tensors[0].shape)} but got {tuple(t.shape)} for tensor number {i} "
                f"in the list."
            )
    dtype = promote_types(*[t.array.dtype for t in tensors])  # int with float32: float32
    tensors = [t.to(dtype) for t in tensors]
    return Cat.apply(d, *tensors)


def stack(tensors: Any, dim: int = 0) -> Tensor:
    tensors = check_tensor_list("tensors", tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {tuple(tensors[0].shape)} "
                f"at entry 0 and {tuple(t.shape)} at entry {i}"
            )
    d = _dim(dim, tensors[0].ndim + 1)
    return torch_name(cat([t.unsqueeze(d) for t in tensors], d), "StackBackward0")


def split(a: Tensor, split_size_or_sections: Any, dim: int) -> tuple:
    d = _dim(dim, a.ndim)
    length = a.shape[d]
    if not isinstance(split_size_or_sections, (list, tuple)):
        size = check_int("split_size_or_sections", split_size_or_sections, "split")
        if size <= 0:
            raise RuntimeError(f"split expects split_size be positive, but got {size}")
        sizes = [size] * (length // size) + ([length % size] if length % size else [])
    else:
        sizes = [check_int("split_size_or_sections", s, "split") for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                f"split_sizes={sizes}"
            )
        if sum(sizes) != length:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {length} (input tensor's "
                f"size at dimension {d}), but got split_sizes={sizes}"
            )
    pieces, start = [], 0
    for size in sizes:
        piece = a[(slice(None),) * d + (slice(start, start + size),)]
        pieces.append(torch_name(piece, "SplitBackward0"))
        start += size
    return tuple(pieces)


def chunk(a: Tensor, chunks: int, dim: int) -> tuple:
    """PyTorch's chunks: each ceil(n / chunks) long, the last shorter (maybe fewer chunks)."""
    if check_int("chunks", chunks, "chunk") <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    length = a.shape[_dim(dim, a.ndim)]
    size = max(-(-length // chunks), 1)
    return split(a, size, dim)
