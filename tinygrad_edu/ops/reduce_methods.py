"""The reductions as Tensor methods and ``tinygrad_edu.<name>`` functions, with
PyTorch's argument names and the numpy spellings PyTorch also accepts:
``axis=`` for ``dim=`` and ``keepdims=`` for ``keepdim=`` (``x.sum(axis=0,
keepdims=True)``). Each function here serves as both ``x.sum(...)`` and
``tinygrad_edu.sum(x, ...)``; the ops themselves are in ``reduce.py``.

``prod`` is composed of multiplications (a tree of halves, so ``log2 n`` ops),
which keeps its gradient exact where an element is 0 and makes it
differentiable again; ``all``/``any`` give bool tensors outside the graph.
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu.ops import reduce
from tinygrad_edu.tensor import Tensor, _all_if_empty, _dim, _dims, _wrap


def _dim_alias(name: str, dim: Any, axis: Any, default: Any = None) -> Any:
    """``axis`` is numpy's name for ``dim``; giving both is an error, as in PyTorch."""
    if axis is None:
        return dim
    if dim is not default:
        raise TypeError(f"{name}(): got both 'dim' and its alias 'axis'; pass only one of them")
    return axis


def _keepdim_alias(name: str, keepdim: builtins.bool, keepdims: Any) -> builtins.bool:
    """``keepdims`` is numpy's name for ``keepdim``."""
    if keepdims is None:
        return keepdim
    if keepdim:
        raise TypeError(
            f"{name}(): got both 'keepdim' and its alias 'keepdims'; pass only one of them"
        )
    return keepdims


def sum(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A001, A002
        dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    """Σ over ``dim`` (an int, a tuple of ints, or None for all)."""
    if dim is None and axis is None and dtype is None and keepdims is None and not keepdim:
        return reduce.Sum.apply(input, None, False)  # loss.sum(): nothing to check
    dim, keepdim = _dim_alias("sum", dim, axis), _keepdim_alias("sum", keepdim, keepdims)
    x = input if dtype is None else input.to(dtype=dtype)
    return reduce.Sum.apply(x, _dims(_all_if_empty(dim), x.ndim), keepdim)  # dim=(): all


def mean(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
         dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    dim, keepdim = _dim_alias("mean", dim, axis), _keepdim_alias("mean", keepdim, keepdims)
    x = input if dtype is None else input.to(dtype=dtype)
    return reduce.mean(x, dim, keepdim)


def _correction(name: str, dim: Any, unbiased: Any, correction: Any) -> tuple:
    """PyTorch's overloads of var/std: ``(dim, unbiased, keepdim)``, ``(unbiased)`` and
    ``(dim, *, correction, keepdim)``. Returns ``(dim, correction)``."""
    if isinstance(dim, builtins.bool):  # x.var(True): the unbiased-only overload
        if unbiased is not None:
            raise TypeError(f"{name}(): got unbiased twice (positionally and by keyword)")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments: pass either "
            f"'unbiased' or 'correction', not both"
        )
    if unbiased is not None:
        return dim, 1 if unbiased else 0
    return dim, 1 if correction is None else correction


def var(input: Tensor, dim: Any = None, unbiased: Any = None,  # noqa: A002
        keepdim: builtins.bool = False, *, correction: Any = None, axis: Any = None,
        keepdims: Any = None) -> Tensor:
    """Σ (x - mean)² / (n - correction); ``unbiased=False`` is ``correction=0``."""
    dim, keepdim = _dim_alias("var", dim, axis), _keepdim_alias("var", keepdim, keepdims)
    dim, correction = _correction("var", dim, unbiased, correction)
    return reduce.var(input, dim, correction, keepdim)


def std(input: Tensor, dim: Any = None, unbiased: Any = None,  # noqa: A002
        keepdim: builtins.bool = False, *, correction: Any = None, axis: Any = None,
        keepdims: Any = None) -> Tensor:
    """sqrt(var), with var's arguments."""
    dim, keepdim = _dim_alias("std", dim, axis), _keepdim_alias("std", keepdim, keepdims)
    dim, correction = _correction("std", dim, unbiased, correction)
    return reduce.std(input, dim, correction, keepdim)  # gradient 0 where var = 0


def max(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A001, A002
        axis: Any = None, keepdims: Any = None) -> Any:
    """No dim: the largest value (0-d). With dim: ``(values, indices)``.
    With a tensor as second argument: the elementwise maximum."""
    dim, keepdim = _dim_alias("max", dim, axis), _keepdim_alias("max", keepdim, keepdims)
    return reduce.max_or_min(input, dim, keepdim, largest=True)


def min(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A001, A002
        axis: Any = None, keepdims: Any = None) -> Any:
    """No dim: the smallest value (0-d). With dim: ``(values, indices)``."""
    dim, keepdim = _dim_alias("min", dim, axis), _keepdim_alias("min", keepdim, keepdims)
    return reduce.max_or_min(input, dim, keepdim, largest=False)


def amax(input: Tensor, dim: Any = (), keepdim: builtins.bool = False, *,  # noqa: A002
         axis: Any = None, keepdims: Any = None) -> Tensor:
    dim, keepdim = _dim_alias("amax", dim, axis, ()), _keepdim_alias("amax", keepdim, keepdims)
    return reduce.Amax.apply(input, _dims(_all_if_empty(dim), input.ndim), keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: builtins.bool = False, *,  # noqa: A002
         axis: Any = None, keepdims: Any = None) -> Tensor:
    dim, keepdim = _dim_alias("amin", dim, axis, ()), _keepdim_alias("amin", keepdim, keepdims)
    return -reduce.Amax.apply(-input, _dims(_all_if_empty(dim), input.ndim), keepdim)


def argmax(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
           axis: Any = None, keepdims: Any = None) -> Tensor:
    dim, keepdim = _dim_alias("argmax", dim, axis), _keepdim_alias("argmax", keepdim, keepdims)
    return reduce.arg_extreme(input, dim, keepdim, np.argmax)


def argmin(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
           axis: Any = None, keepdims: Any = None) -> Tensor:
    dim, keepdim = _dim_alias("argmin", dim, axis), _keepdim_alias("argmin", keepdim, keepdims)
    return reduce.arg_extreme(input, dim, keepdim, np.argmin)


def logsumexp(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
              axis: Any = None, keepdims: Any = None) -> Tensor:
    dim = _dim_alias("logsumexp", dim, axis)
    keepdim = _keepdim_alias("logsumexp", keepdim, keepdims)
    if dim is None:
        raise TypeError("logsumexp() missing 1 required positional argument: 'dim'")
    return reduce.logsumexp(input, dim, keepdim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None,  # noqa: A002
         keepdim: builtins.bool = False) -> Tensor:
    return reduce.norm(input, p, dim, keepdim)


def prod(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
         dtype: Any = None, axis: Any = None, keepdims: Any = None) -> Tensor:
    """Π over one dim (an int) or over all elements (``dim=None``).

    d/da_i = the product of the other elements (composed: exact where an a_j is 0).
    Integer and bool inputs give int64, as in PyTorch.
    """
    dim, keepdim = _dim_alias("prod", dim, axis), _keepdim_alias("prod", keepdim, keepdims)
    if dim is not None and not isinstance(dim, (builtins.int, np.integer)):
        raise TypeError(
            f"prod(): argument 'dim' must be an int (PyTorch's prod reduces one dim or "
            f"all), not {type(dim).__name__}"
        )
    x = input if dtype is None else input.to(dtype=dtype)
    if x.array.dtype.kind in "iub":
        x = x.long()
    if dim is None:
        out = _product_along(x.reshape(-1), 0)
        return out.reshape((1,) * input.ndim) if keepdim else out.reshape(())
    d = _dim(dim, x.ndim)
    if x.ndim == 0:
        return x * 1
    out = _product_along(x, d)
    return out.unsqueeze(d) if keepdim else out


def _product_along(x: Tensor, d: int) -> Tensor:
    """Π along dim ``d`` (removed), multiplying halves: n → ceil(n/2) → ... → 1."""
    if x.shape[d] == 0:
        shape = x.shape[:d] + x.shape[d + 1:]
        return _wrap(np.ones(shape, dtype=x.array.dtype))
    before = (slice(None),) * d
    while x.shape[d] > 1:
        half = x.shape[d] // 2
        paired = x[before + (slice(0, half),)] * x[before + (slice(half, 2 * half),)]
        if x.shape[d] % 2:  # the odd one out waits for the next round
            from tinygrad_edu.ops.movement import cat

            paired = cat([paired, x[before + (slice(2 * half, None),)]], d)
        x = paired
    return x[before + (0,)]


def std_mean(input: Tensor, dim: Any = None, unbiased: Any = None,  # noqa: A002
             keepdim: builtins.bool = False, *, correction: Any = None) -> tuple:
    """``(std, mean)`` over ``dim``, with std's arguments."""
    return (std(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, builtins.bool) else None, keepdim))


def var_mean(input: Tensor, dim: Any = None, unbiased: Any = None,  # noqa: A002
             keepdim: builtins.bool = False, *, correction: Any = None) -> tuple:
    """``(var, mean)`` over ``dim``, with var's arguments."""
    return (var(input, dim, unbiased, keepdim, correction=correction),
            mean(input, dim if not isinstance(dim, builtins.bool) else None, keepdim))


def nansum(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
           dtype: Any = None) -> Tensor:
    """Σ treating NaN as 0.   d/dinput = 1 where not NaN, 0 at NaNs (composed of where)."""
    from tinygrad_edu.functions import where

    return sum(where(_wrap(np.isnan(input.array)), 0.0, input), dim, keepdim, dtype=dtype)


def nanmean(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """The mean of the elements that are not NaN."""
    count = np.sum(~np.isnan(input.array), axis=_dims(dim, input.ndim), keepdims=keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / _wrap(count.astype(input.array.dtype))


class MedianResult(NamedTuple):
    """``(values, indices)``, as returned by ``median(dim)``."""

    values: Tensor
    indices: Tensor


def median(input: Tensor, dim: Any = None, keepdim: builtins.bool = False) -> Any:  # noqa: A002
    """The lower median: no dim, a 0-d tensor (the gradient is shared by equal elements, as
    PyTorch's); with dim, ``(values, indices)`` (gathered, so the gradient goes to that index)."""
    from tinygrad_edu.functions import where
    from tinygrad_edu.ops.indexing import gather

    if dim is None:
        if input.array.size == 0:
            return _wrap(np.asarray(np.nan, dtype=input.array.dtype))
        flat = np.sort(input.array.reshape(-1), kind="stable")
        middle = flat[(flat.size - 1) // 2]
        ties = _wrap(input.array == middle)
        lowest = _wrap(np.asarray(-np.inf if input.array.dtype.kind == "f"
                                  else np.iinfo(input.array.dtype).min, dtype=input.array.dtype))
        return reduce.Amax.apply(where(ties, input, lowest), None, False)
    d = _dim(dim, input.ndim)
    if input.ndim == 0:
        return MedianResult(input * 1, _wrap(np.zeros((), np.int64)))
    order = np.argsort(input.array, axis=d, kind="stable")
    position = (input.shape[d] - 1) // 2
    indices = np.take(order, [position], axis=d).astype(np.int64)
    values = gather(input, d, _wrap(indices))
    if not keepdim:
        values, indices = values.squeeze(d), np.squeeze(indices, d)
    return MedianResult(values, _wrap(indices))


def _logical(reducer: Any, input: Tensor, dim: Any, keepdim: builtins.bool) -> Tensor:
    dims = _dims(dim, input.ndim)
    return _wrap(np.asarray(reducer(input.array.astype(bool), axis=dims, keepdims=keepdim)))


def all(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A001, A002
        axis: Any = None, keepdims: Any = None) -> Tensor:
    """True where every element (over ``dim``) is nonzero; a bool tensor."""
    dim, keepdim = _dim_alias("all", dim, axis), _keepdim_alias("all", keepdim, keepdims)
    return _logical(np.all, input, dim, keepdim)


def any(input: Tensor, dim: Any = None, keepdim: builtins.bool = False, *,  # noqa: A001, A002
        axis: Any = None, keepdims: Any = None) -> Tensor:
    """True where some element (over ``dim``) is nonzero; a bool tensor."""
    dim, keepdim = _dim_alias("any", dim, axis), _keepdim_alias("any", keepdim, keepdims)
    return _logical(np.any, input, dim, keepdim)


# The reductions' Tensor methods: the same functions, called as x.sum(...).
Tensor.sum = sum
Tensor.mean = mean
Tensor.var = var
Tensor.std = std
Tensor.max = max
Tensor.min = min
Tensor.amax = amax
Tensor.amin = amin
Tensor.argmax = argmax
Tensor.argmin = argmin
Tensor.logsumexp = logsumexp
Tensor.norm = norm
Tensor.prod = prod
Tensor.all = all
Tensor.any = any
Tensor.nansum = nansum
Tensor.nanmean = nanmean
Tensor.median = median
