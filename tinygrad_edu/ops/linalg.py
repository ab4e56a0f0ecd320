"""Matrix multiplication and the products built on it."""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.tensor import Tensor


class MatMul(Function):
    """out = a @ b (1-D, 2-D, or batched with broadcasting, as numpy's matmul).

    For matrices, d/da: g ↦ g @ bᵀ and d/db: g ↦ aᵀ @ g — the seed's
    ``∂ℓ/∂X = Δ W`` and ``∂ℓ/∂W = Δᵀ X``. A 1-D operand is treated as a
    row (a) or column (b) and the added dim removed again; broadcast batch
    dims are summed by the engine.
    """

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return np.matmul(a.data, b.data)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_mat = a.unsqueeze(0) if a.ndim == 1 else a
        b_mat = b.unsqueeze(-1) if b.ndim == 1 else b
        if a.ndim == 1 or b.ndim == 1:  # give g the dims that the 1-D operands dropped
            batch = np.broadcast_shapes(a_mat.shape[:-2], b_mat.shape[:-2])
            g = g.reshape(batch + (a_mat.shape[-2], b_mat.shape[-1]))
        grad_a = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_a = MatMul.apply(g, b_mat.mT)
            if a.ndim == 1:
                grad_a = grad_a.squeeze(-2)
        if ctx.needs_input_grad[1]:
            grad_b = MatMul.apply(a_mat.mT, g)
            if b.ndim == 1:
                grad_b = grad_b.squeeze(-1)
        return grad_a, grad_b


def matmul(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
            f"{b.ndim}D"
        )
    inner_a = a.shape[-1]
    inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if inner_a != inner_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
            f"({inner_a} columns of the first != {inner_b} rows of the second)"
        )
    if a.data.dtype != b.data.dtype:
        from tinygrad_edu.dtypes import result_type

        common = result_type(a.data, b.data)
        a, b = a.to(common), b.to(common)
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(
            f"matmul: the batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} cannot be "
            f"broadcast together"
        ) from None


def mm(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape != b.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            f"elements respectively"
        )
    return matmul(a, b)


def outer(a: Tensor, b: Tensor) -> Tensor:
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return a.unsqueeze(1) * b.unsqueeze(0)
