"""Matrix multiplication and the products built on it."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import backward_on_arrays
from tinygrad_edu.ops import as_gradients
from tinygrad_edu.ops.movement import Permute
from tinygrad_edu.tensor import Tensor, _wrap


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
        ctx._name = _TORCH_NAMES.get((a.array.ndim, b.array.ndim), "UnsafeViewBackward0")
        return np.matmul(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if backward_on_arrays():  # no graph wanted: the same formulas on the arrays
            a, b, g = a.array, b.array, g.array
        a_is_vector, b_is_vector = a.ndim == 1, b.ndim == 1
        a_mat = a.reshape((1,) + tuple(a.shape)) if a_is_vector else a
        b_mat = b.reshape(tuple(b.shape) + (1,)) if b_is_vector else b
        if a_is_vector or b_is_vector:  # give g the dims that the 1-D operands dropped
            batch = np.broadcast_shapes(a_mat.shape[:-2], b_mat.shape[:-2])
            g = g.reshape(batch + (a_mat.shape[-2], b_mat.shape[-1]))
        needs_a, needs_b = ctx.needs_input_grad
        grad_a = grad_b = None
        if needs_a:
            if _is_transposed(a_mat):  # (bᵀ... see below) same result, a's memory layout
                grad_a = _swap_last_two(_matmul(b_mat, _swap_last_two(g)))
            else:
                grad_a = _matmul(g, _swap_last_two(b_mat))
            if a_is_vector:
                grad_a = grad_a.squeeze(-2)
        if needs_b:
            if _is_transposed(b_mat):  # x @ W.T: W's gradient arrives C-contiguous
                grad_b = _swap_last_two(_matmul(_swap_last_two(g), a_mat))
            else:
                grad_b = _matmul(_swap_last_two(a_mat), g)
            if b_is_vector:
                grad_b = grad_b.squeeze(-1)
        return as_gradients(grad_a, grad_b)


# PyTorch's node names for matmul, by the operands' dims (batched: UnsafeViewBackward0).
_TORCH_NAMES = {(2, 2): "MmBackward0", (2, 1): "MvBackward0", (1, 1): "DotBackward0",
                (1, 2): "SqueezeBackward4"}


def _is_transposed(t: Tensor | np.ndarray) -> bool:
    """True for a transposed view of a matrix (like ``W.T``).

    Its gradient is then computed as (gradᵀ)ᵀ: the same numbers, but laid out
    like the original matrix, so the gradient that reaches W is C-contiguous
    and the update ``w -= lr * w.grad`` does not run over strided memory.
    """
    data = t if type(t) is np.ndarray else t.array
    if data.ndim != 2:
        return False
    flags = data.flags  # a new object on every read: read it once
    return flags.f_contiguous and not flags.c_contiguous


def _swap_last_two(t: Tensor | np.ndarray) -> Tensor | np.ndarray:
    """tᵀ over the last two dims (a transposed view), without the user-facing checks."""
    if type(t) is np.ndarray:
        return t.swapaxes(-1, -2)
    n = t.array.ndim
    return Permute.apply(t, tuple(range(n - 2)) + (n - 1, n - 2))


def _matmul(a: Tensor | np.ndarray, b: Tensor | np.ndarray) -> Tensor | np.ndarray:
    """a @ b for two arrays or two Tensors (no checks: backward's operands fit)."""
    return np.matmul(a, b) if type(a) is np.ndarray else MatMul.apply(a, b)


def _operand(value: Any, name: str, op: str = "matmul") -> Tensor:
    """A product's operand: a Tensor (or a numpy array, wrapped); TypeError for anything else."""
    if isinstance(value, Tensor):
        return value
    if isinstance(value, np.ndarray):
        return _wrap(value)
    raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def matmul(a: Tensor, b: Tensor) -> Tensor:
    if type(a) is not Tensor or type(b) is not Tensor:
        a, b = _operand(a, "input"), _operand(b, "other")
    a_shape, b_shape = a.array.shape, b.array.shape  # numpy's tuples: this runs for every layer
    if not a_shape or not b_shape:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and "
            f"{b.ndim}D"
        )
    inner_a = a_shape[-1]
    inner_b = b_shape[-2] if len(b_shape) > 1 else b_shape[0]
    if inner_a != inner_b:
        raise RuntimeError(
            f"matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
            f"({inner_a} columns of the first != {inner_b} rows of the second)"
        )
    if a.array.dtype != b.array.dtype:  # PyTorch does not promote here: a float64 input
        raise RuntimeError(  # to float32 weights is a mistake worth hearing about
            f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}; "
            f"convert one of them, e.g. x.float() or x.to(w.dtype)"
        )
    try:
        return MatMul.apply(a, b)
    except ValueError:
        raise RuntimeError(
            f"matmul: the batch dimensions of {tuple(a.shape)} and {tuple(b.shape)} cannot be "
            f"broadcast together"
        ) from None


def mm(a: Tensor, b: Tensor) -> Tensor:
    a, b = _operand(a, "input", "mm"), _operand(b, "mat2", "mm")
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"mm: expected 2-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return matmul(a, b)


def dot(a: Tensor, b: Tensor) -> Tensor:
    a, b = _operand(a, "input", "dot"), _operand(b, "tensor", "dot")
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
    a, b = _operand(a, "input", "outer"), _operand(b, "vec2", "outer")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"outer: expected 1-D tensors, got {a.ndim}-D and {b.ndim}-D")
    return a.unsqueeze(1) * b.unsqueeze(0)
