"""The ``tinygrad_edu.<op>(tensor, ...)`` forms of the Tensor methods, as in ``torch.exp(x)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_tensor
from tinygrad_edu.ops import elementwise, linalg, movement
from tinygrad_edu.tensor import Tensor, _as_tensor, _binary, _wrap

cat = movement.cat
concat = movement.cat
stack = movement.stack
matmul = linalg.matmul
mm = linalg.mm
dot = linalg.dot
outer = linalg.outer


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002 - PyTorch's argument name
    return input.numel()


def where(condition: Tensor, input: Any, other: Any) -> Tensor:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (broadcast; differentiable in both)."""
    check_tensor("condition", condition, "where")
    if condition.array.dtype != np.bool_:
        raise RuntimeError(
            f"where(): expected condition to be a bool tensor, got {condition.dtype}"
        )
    like = input if isinstance(input, Tensor) else other
    if not isinstance(like, Tensor):  # two Python scalars: the dtypes they have alone
        like = condition
    a, b = _as_tensor(input, like, "where"), _as_tensor(other, like, "where")
    if a.array.dtype != b.array.dtype:
        from tinygrad_edu.dtypes import result_type

        common = result_type(a.array, b.array)
        a, b = a.to(common), b.to(common)
    try:
        np.broadcast_shapes(condition.shape, a.shape, b.shape)
    except ValueError:
        raise RuntimeError(
            f"where: the shapes of condition {tuple(condition.shape)}, input {tuple(a.shape)} "
            f"and other {tuple(b.shape)} cannot be broadcast together"
        ) from None
    return elementwise.Where.apply(condition, a, b)


def heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002
    """The step function: 0 where input < 0, ``values`` where input == 0, 1 where input > 0.

    Not differentiable (as in PyTorch); the perceptron uses it with its own rule.
    """
    values = _as_tensor(values, input, "heaviside")
    return _wrap(np.heaviside(input.array, values.array).astype(input.array.dtype, copy=False))


def maximum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return _binary(elementwise.Maximum, input, other, "maximum")


def minimum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return _binary(elementwise.Minimum, input, other, "minimum")


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return input.clamp(min, max)


clip = clamp


def add(input: Any, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    return _as_tensor(input, other, "add").add(other, alpha=alpha)


def sub(input: Any, other: Any, alpha: Any = 1) -> Tensor:  # noqa: A002
    return _as_tensor(input, other, "sub").sub(other, alpha=alpha)


def mul(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _binary(elementwise.Mul, input, other, "mul")


def div(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _binary(elementwise.Div, input, other, "div")


def pow(input: Any, exponent: Any) -> Tensor:  # noqa: A001, A002
    return _binary(elementwise.Pow, input, exponent, "pow")


def exp(input: Tensor) -> Tensor:  # noqa: A002
    return input.exp()


def log(input: Tensor) -> Tensor:  # noqa: A002
    return input.log()


def log1p(input: Tensor) -> Tensor:  # noqa: A002
    return input.log1p()


def sqrt(input: Tensor) -> Tensor:  # noqa: A002
    return input.sqrt()


def rsqrt(input: Tensor) -> Tensor:  # noqa: A002
    return input.rsqrt()


def sin(input: Tensor) -> Tensor:  # noqa: A002
    return input.sin()


def cos(input: Tensor) -> Tensor:  # noqa: A002
    return input.cos()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return input.tanh()


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return input.sigmoid()


def relu(input: Tensor) -> Tensor:  # noqa: A002
    return input.relu()


def abs(input: Tensor) -> Tensor:  # noqa: A001, A002
    return input.abs()


def sign(input: Tensor) -> Tensor:  # noqa: A002
    return input.sign()


def neg(input: Tensor) -> Tensor:  # noqa: A002
    return -input


def square(input: Tensor) -> Tensor:  # noqa: A002
    return input.square()


def reciprocal(input: Tensor) -> Tensor:  # noqa: A002
    return input.reciprocal()


def sum(input: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:  # noqa: A001, A002
    return input.sum(dim, keepdim, dtype=dtype)


def mean(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.mean(dim, keepdim)


def var(input: Tensor, dim: Any = None, *, correction: Any = 1, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.var(dim, correction=correction, keepdim=keepdim)


def std(input: Tensor, dim: Any = None, *, correction: Any = 1, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.std(dim, correction=correction, keepdim=keepdim)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return input.max(dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001, A002
    return input.min(dim, keepdim)


def amax(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.amax(dim, keepdim)


def amin(input: Tensor, dim: Any = (), keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.amin(dim, keepdim)


def argmax(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.argmax(dim, keepdim)


def argmin(input: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.argmin(dim, keepdim)


def logsumexp(input: Tensor, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.logsumexp(dim, keepdim)


def softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return input.log_softmax(dim)


def norm(input: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    return input.norm(p, dim, keepdim)


def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002
    return input.reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    return input.flatten(start_dim, end_dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return input.unsqueeze(dim)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    return input.squeeze(dim)


def permute(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    return input.permute(dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return input.transpose(dim0, dim1)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    return tensor.split(split_size_or_sections, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    return input.chunk(chunks, dim)


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-5, atol: float = 1e-8) -> bool:  # noqa: A002
    return input.allclose(other, rtol, atol)


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    return input.equal(other)


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    return input.isnan()


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    return input.isfinite()
