"""Comparing and counting: isclose, allclose, unique, bincount, histc, histogram.

None of these is differentiable (their results are bools, counts, or
piecewise constant), so they compute with numpy and return tensors outside
the graph, as in PyTorch.
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu.ops.pointwise import _torch_name
from tinygrad_edu.tensor import Tensor, _as_tensor, _dim, _wrap


class HistogramResult(NamedTuple):
    """``(hist, bin_edges)``, as returned by ``histogram``."""

    hist: Tensor
    bin_edges: Tensor


def isclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
            equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol |other|`` elementwise, as a bool tensor."""
    other = _as_tensor(other, input, "isclose")
    if input.array.dtype != other.array.dtype:
        raise RuntimeError(
            f"{_torch_name(input)} did not match {_torch_name(other)}: isclose needs two "
            f"tensors of one dtype (got {input.dtype} and {other.dtype})"
        )
    return _wrap(np.asarray(np.isclose(input.array, other.array, rtol=rtol, atol=atol,
                                       equal_nan=equal_nan)))


def allclose(input: Tensor, other: Any, rtol: float = 1e-05, atol: float = 1e-08,  # noqa: A002
             equal_nan: bool = False) -> bool:
    """True if every element is close (``isclose``): a Python bool."""
    other = _as_tensor(other, input, "allclose")
    return builtins.bool(np.allclose(input.array, other.array, rtol=rtol, atol=atol,
                                     equal_nan=equal_nan))


def unique(input: Tensor, sorted: bool = True, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, dim: int | None = None) -> Any:
    """The distinct values (sorted), and optionally where each element went
    (``return_inverse``) and how often each value occurs (``return_counts``)."""
    axis = None if dim is None else _dim(dim, input.ndim)
    values, inverse, counts = np.unique(input.array, return_inverse=True, return_counts=True,
                                        axis=axis)
    results = [_wrap(values)]
    if return_inverse:
        shape = input.shape if axis is None else (input.shape[axis],)
        results.append(_wrap(inverse.reshape(shape).astype(np.int64)))
    if return_counts:
        results.append(_wrap(counts.astype(np.int64)))
    return results[0] if len(results) == 1 else tuple(results)


def bincount(input: Tensor, weights: Tensor | None = None,  # noqa: A002
             minlength: int = 0) -> Tensor:
    """How often each value 0, 1, 2 ... occurs in a 1-D tensor of non-negative integers
    (the sum of their ``weights`` if given); at least ``minlength`` long."""
    if input.array.dtype.kind not in "iub":
        raise NotImplementedError(f'"bincount_cpu" not implemented for \'{_torch_name(input)}\'')
    if input.ndim != 1 or (input.array < 0).any():
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None and weights.shape != input.shape:
        raise RuntimeError(
            f"weights should be 1-d and have the same length as input (got {tuple(weights.shape)}"
            f" for an input of shape {tuple(input.shape)})"
        )
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _wrap(np.bincount(input.array, minlength=minlength).astype(np.int64))
    counts = np.bincount(input.array, weights=weights.array, minlength=minlength)
    dtype = weights.array.dtype if weights.array.dtype.kind == "f" else np.float64
    return _wrap(counts.astype(dtype))


def _require_float(input: Tensor, name: str) -> None:
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_torch_name(input)}\'')


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """Counts of ``input`` in ``bins`` equal bins over [min, max] (the data's own range when
    both are 0); values outside are ignored. The result has input's dtype."""
    _require_float(input, "histogram")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    data = input.array.reshape(-1)
    low, high = builtins.float(min), builtins.float(max)
    if low == 0 and high == 0 and data.size:
        low, high = builtins.float(data.min()), builtins.float(data.max())
    if low == high:  # one value: widen the range by 1 on each side, as PyTorch does
        low, high = low - 1, high + 1
    if low > high:
        raise RuntimeError(f"max must be larger than min (got min={min}, max={max})")
    inside = data[(data >= low) & (data <= high)]
    positions = np.floor((inside - low) * bins / (high - low)).astype(np.int64)
    positions = np.minimum(positions, bins - 1)  # the right edge belongs to the last bin
    return _wrap(np.bincount(positions, minlength=bins).astype(input.array.dtype))


def histogram(input: Tensor, bins: Any, *, range: tuple | None = None,  # noqa: A002
              weight: Tensor | None = None, density: bool = False) -> HistogramResult:
    """numpy's histogram: ``bins`` equal bins over ``range`` (default: the data's), or the
    bin edges as a 1-D tensor. Returns ``(hist, bin_edges)`` in input's dtype."""
    _require_float(input, "histogram")
    edges = bins.array if isinstance(bins, Tensor) else builtins.int(bins)
    if not isinstance(bins, Tensor) and edges <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {edges} for dimension 0")
    hist, bin_edges = np.histogram(input.array.reshape(-1), bins=edges, range=range,
                                   weights=None if weight is None else weight.array.reshape(-1),
                                   density=density)
    dtype = input.array.dtype
    return HistogramResult(_wrap(hist.astype(dtype)), _wrap(bin_edges.astype(dtype)))


# This family's Tensor methods.
Tensor.isclose = isclose
Tensor.allclose = allclose
Tensor.unique = unique
Tensor.bincount = bincount
Tensor.histc = histc
Tensor.histogram = histogram
