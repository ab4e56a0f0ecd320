"""Running sums and products along a dim: cumsum, cumprod.

``cumsum`` is a Function: out_i = Σ_{j<=i} a_j, so d(out_i)/d(a_j) = 1 for
j <= i, and the gradient of a_j is Σ_{i>=j} g_i: a cumsum of g run backwards.

``cumprod`` is composed of multiplications (a Hillis–Steele scan: at step s,
each element is multiplied by the one 2^s places before it), so its gradient is
exact also where an element is 0, where the usual out / a formula divides by
zero; it costs log2(n) multiplications.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.movement import cat
from tinygrad_edu.tensor import Tensor, _dim


def _scan_dtype(a: Tensor, dtype: Any) -> Tensor:
    """``dtype=`` first; integer and bool inputs give int64, as PyTorch's."""
    if dtype is not None:
        return a.to(dtype)
    return a.long() if a.array.dtype.kind in "iub" else a


class Cumsum(Function):
    """out_i = Σ_{j<=i} a_j along ``dim``.   d/da: g ↦ the reversed cumsum of g."""

    @staticmethod
    def forward(ctx, a, dim):
        ctx.dim = dim
        return np.cumsum(a.array, axis=dim)

    @staticmethod
    def backward(ctx, g):
        d = ctx.dim
        reversed_g = g[(slice(None),) * d + (slice(None, None, -1),)]
        return Cumsum.apply(reversed_g, d)[(slice(None),) * d + (slice(None, None, -1),)], None


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    x = _scan_dtype(input, dtype)
    if x.ndim == 0:
        _dim(dim, 0)
        return x * 1
    return Cumsum.apply(x, _dim(dim, x.ndim))


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:  # noqa: A002
    """out_i = Π_{j<=i} a_j along ``dim`` (composed; see the module docstring)."""
    x = _scan_dtype(input, dtype)
    if x.ndim == 0:
        _dim(dim, 0)
        return x * 1
    d = _dim(dim, x.ndim)
    before = (slice(None),) * d
    step = 1
    while step < x.shape[d]:
        head = x[before + (slice(0, step),)]
        tail = x[before + (slice(step, None),)] * x[before + (slice(0, -step),)]
        x = cat([head, tail], d)
        step *= 2
    return x if x is not input else x * 1


# This family's Tensor methods.
Tensor.cumsum = cumsum
Tensor.cumprod = cumprod
