"""Buffers for a program's values, of the layout (shape, dtype, strides) recorded for them."""

from __future__ import annotations

import numpy as np


def empty_as(layout: tuple, memory: np.ndarray | None = None) -> np.ndarray | None:
    """An array of ``layout`` (shape, dtype, strides) in ``memory`` (flat bytes, large
    enough) or in new memory; None if no dense array has those strides (a slice's)."""
    shape, dtype, strides = layout
    order = sorted(range(len(shape)), key=lambda axis: -abs(strides[axis]))  # outer first
    dense_shape = [shape[axis] for axis in order]
    size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if memory is None or size == 0:
        dense = np.empty(dense_shape, dtype)
    else:
        dense = memory[:size].view(dtype).reshape(dense_shape)
    array = dense.transpose(np.argsort(order))
    return array if array.strides == strides else None
