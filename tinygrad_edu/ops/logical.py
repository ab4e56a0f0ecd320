"""Comparisons and logic as functions, and the lookups that return positions:
``eq ne lt le gt ge`` (and PyTorch's long names), ``logical_and/or/xor/not``,
``isinf``, ``signbit``, ``nonzero``, ``argwhere``, ``count_nonzero``, and
``masked_select`` (the one differentiable op here: it is ``x[mask]``).

Comparisons and logic give bool tensors outside the graph, as in PyTorch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor, _as_tensor, _broadcastable, _compare, _dims, _wrap


def eq(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.equal, input, other)


def ne(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.not_equal, input, other)


def lt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.less, input, other)


def le(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.less_equal, input, other)


def gt(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.greater, input, other)


def ge(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.greater_equal, input, other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def logical_and(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.logical_and, input, other)


def logical_or(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.logical_or, input, other)


def logical_xor(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _compare(np.logical_xor, input, other)


def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.logical_not(input.array))


def _bitwise(ufunc: Any, name: str, *tensors: Tensor) -> Tensor:
    """``& | ^ ~``: bit by bit on bool and integer tensors (3 & 1 is 1, not True)."""
    for t in tensors:
        if t.array.dtype.kind not in "biu":
            raise NotImplementedError(f'"{name}" is not implemented for {t.dtype}: the operators '
                                      f"& | ^ ~ take bool or integer tensors")
    return _wrap(np.asarray(ufunc(*[t.array for t in tensors])))


def bitwise_and(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _bitwise(np.bitwise_and, "bitwise_and", input, _as_tensor(other, input, "bitwise_and"))


def bitwise_or(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _bitwise(np.bitwise_or, "bitwise_or", input, _as_tensor(other, input, "bitwise_or"))


def bitwise_xor(input: Tensor, other: Any) -> Tensor:  # noqa: A002
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, _as_tensor(other, input, "bitwise_xor"))


def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    if input.array.dtype.kind not in "biu":  # PyTorch: TypeError for ~, not NotImplementedError
        raise TypeError(f"~ (bitwise_not) is only implemented on integer and bool tensors, not "
                        f"{input.dtype}")
    return _wrap(np.invert(input.array))


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.isinf(input.array))


def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.isposinf(input.array))


def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.isneginf(input.array))


def signbit(input: Tensor) -> Tensor:  # noqa: A002
    return _wrap(np.signbit(input.array))


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:  # noqa: A002
    """The positions of the nonzero elements: an (n, ndim) int64 tensor, or with
    ``as_tuple=True`` one 1-D tensor per dim (what ``x[...]`` takes)."""
    if as_tuple:
        positions = np.nonzero(np.atleast_1d(input.array))
        return tuple(_wrap(p.astype(np.int64)) for p in positions)
    return _wrap(np.argwhere(input.array).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    return nonzero(input)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    return _wrap(np.asarray(np.count_nonzero(input.array, axis=_dims(dim, input.ndim)),
                            dtype=np.int64))


def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements of ``input`` where the bool ``mask`` (broadcast with it) is True, as a
    1-D tensor.   d/dinput: g put back at the selected places (it is ``input[mask]``)."""
    if not isinstance(mask, Tensor) or mask.array.dtype != np.bool_:
        got = mask.dtype if isinstance(mask, Tensor) else type(mask).__name__
        raise RuntimeError(f"masked_select: expected BoolTensor for mask, got {got}")
    if not _broadcastable(input.array.shape, mask.array.shape):
        raise RuntimeError(f"masked_select: the mask's shape {tuple(mask.shape)} and the input's "
                           f"shape {tuple(input.shape)} cannot be broadcast together")
    shape = np.broadcast_shapes(input.shape, mask.shape)
    expanded = input.expand(shape) if input.shape != shape else input
    return expanded[_wrap(np.broadcast_to(mask.array, shape))]


# This family's Tensor methods (the operators < == & ... are in tensor.py).
Tensor.eq = eq
Tensor.__and__, Tensor.__or__, Tensor.__xor__ = bitwise_and, bitwise_or, bitwise_xor
Tensor.__invert__ = bitwise_not
Tensor.bitwise_and, Tensor.bitwise_or, Tensor.bitwise_xor = bitwise_and, bitwise_or, bitwise_xor
Tensor.bitwise_not = bitwise_not
Tensor.ne = ne
Tensor.lt = lt
Tensor.le = le
Tensor.gt = gt
Tensor.ge = ge
Tensor.logical_and = logical_and
Tensor.logical_or = logical_or
Tensor.logical_xor = logical_xor
Tensor.isinf = isinf
Tensor.isposinf = isposinf
Tensor.isneginf = isneginf
Tensor.signbit = signbit
Tensor.nonzero = nonzero
Tensor.argwhere = argwhere
Tensor.count_nonzero = count_nonzero
Tensor.masked_select = masked_select
Tensor.not_equal, Tensor.less, Tensor.less_equal = ne, lt, le
Tensor.greater, Tensor.greater_equal = gt, ge
