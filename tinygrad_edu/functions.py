"""The ``tinygrad_edu.<op>(tensor, ...)`` forms of the Tensor methods, as in ``torch.exp(x)``."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_tensor
from tinygrad_edu.ops import elementwise, linalg, movement, pointwise
from tinygrad_edu.ops.out_arg import write_out
from tinygrad_edu.ops.pointwise import (  # noqa: F401 - re-exported
    arctan,
    atan,
    ceil,
    clamp_max,
    clamp_min,
    exp2,
    expm1,
    fix,
    floor,
    floor_divide,
    fmod,
    frac,
    log2,
    log10,
    remainder,
    round,
    tan,
    trunc,
)
from tinygrad_edu.ops.reduce_methods import (  # noqa: F401 - re-exported
    all,
    amax,
    amin,
    any,
    argmax,
    argmin,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from tinygrad_edu.tensor import Tensor, _as_tensor, _binary, _wrap


# ----- the functions that tutorials call with out= (see ops/out_arg.py) -----------------
def add(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input + alpha * other``."""
    return write_out(_as_tensor(input, other, "add").add(other, alpha=alpha), out, "add")


def sub(input: Any, other: Any, *, alpha: Any = 1, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """``input - alpha * other``."""
    return write_out(_as_tensor(input, other, "sub").sub(other, alpha=alpha), out, "sub")


def mul(input: Any, other: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return write_out(_binary(elementwise.Mul, input, other, "mul"), out, "mul")


def div(input: Any, other: Any, *, rounding_mode: str | None = None,  # noqa: A002
        out: Tensor | None = None) -> Tensor:
    """``input / other``, rounded toward zero or down with ``rounding_mode='trunc'|'floor'``."""
    return write_out(pointwise.div(input, other, rounding_mode=rounding_mode), out, "div")


divide = div


def true_divide(dividend: Any, divisor: Any, *, out: Tensor | None = None) -> Tensor:
    return div(dividend, divisor, out=out)


def pow(input: Any, exponent: Any, *, out: Tensor | None = None) -> Tensor:  # noqa: A001, A002
    return write_out(_binary(elementwise.Pow, input, exponent, "pow"), out, "pow")


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return write_out(linalg.matmul(input, other), out, "matmul")


def mm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return write_out(linalg.mm(input, mat2), out, "mm")


def bmm(input: Tensor, mat2: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    """Batched matrix product of two 3-D tensors: ``(b, n, m) @ (b, m, p) -> (b, n, p)``."""
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(
            f"batch1 must be a 3D tensor and batch2 must be a 3D tensor (got {input.ndim}D and "
            f"{mat2.ndim}D)"
        )
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: both batches must have the same size, got {input.shape[0]} and "
            f"{mat2.shape[0]}"
        )
    return write_out(linalg.matmul(input, mat2), out, "bmm")


def dot(input: Tensor, tensor: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return write_out(linalg.dot(input, tensor), out, "dot")


def outer(input: Tensor, vec2: Tensor, *, out: Tensor | None = None) -> Tensor:  # noqa: A002
    return write_out(linalg.outer(input, vec2), out, "outer")


def cat(tensors: Any, dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    return write_out(movement.cat(tensors, dim), out, "cat")


concat = concatenate = cat


def stack(tensors: Any, dim: int = 0, *, out: Tensor | None = None) -> Tensor:
    return write_out(movement.stack(tensors, dim), out, "stack")


Tensor.bmm = bmm  # a Tensor method defined here: bmm is matmul with 3-D checks (more below)


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002 - PyTorch's argument name
    return check_tensor("input", input, "numel").numel()


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:  # noqa: A002
    """``input`` where ``condition`` holds, else ``other`` (broadcast; differentiable in both).

    ``where(condition)`` alone is ``nonzero(condition, as_tuple=True)``, as in PyTorch.
    """
    check_tensor("condition", condition, "where")
    if input is None and other is None:
        from tinygrad_edu.ops.logical import nonzero

        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() takes the condition alone, or the condition, input and other; "
                        "got the condition and one of them")
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
    check_tensor("input", input, "heaviside")
    values = check_tensor("values", values, "heaviside")
    return _wrap(np.heaviside(input.array, values.array).astype(input.array.dtype, copy=False))


def maximum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The elementwise larger of two tensors (PyTorch takes no Python number here)."""
    check_tensor("input", input, "maximum")
    return _binary(elementwise.Maximum, input, check_tensor("other", other, "maximum"), "maximum")


def minimum(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The elementwise smaller of two tensors (PyTorch takes no Python number here)."""
    check_tensor("input", input, "minimum")
    return _binary(elementwise.Minimum, input, check_tensor("other", other, "minimum"), "minimum")


def clamp(input: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002, F811
    return check_tensor("input", input, "clamp").clamp(min, max)


clip = clamp


def exp(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "exp").exp()


def log(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "log").log()


def log1p(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "log1p").log1p()


def sqrt(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "sqrt").sqrt()


def rsqrt(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "rsqrt").rsqrt()


def sin(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "sin").sin()


def cos(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "cos").cos()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "tanh").tanh()


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "sigmoid").sigmoid()


def relu(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "relu").relu()


def abs(input: Tensor) -> Tensor:  # noqa: A001, A002
    return check_tensor("input", input, "abs").abs()


def sign(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "sign").sign()


def neg(input: Tensor) -> Tensor:  # noqa: A002
    return -input


def square(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "square").square()


def reciprocal(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "reciprocal").reciprocal()


def softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "softmax").softmax(dim)


def log_softmax(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "log_softmax").log_softmax(dim)


def reshape(input: Tensor, shape: Any) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "reshape").reshape(shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "flatten").flatten(start_dim, end_dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "unsqueeze").unsqueeze(dim)


def squeeze(input: Tensor, dim: Any = None) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "squeeze").squeeze(dim)


def permute(input: Tensor, dims: Any) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "permute").permute(dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "transpose").transpose(dim0, dim1)


def split(tensor: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple:
    return tensor.split(split_size_or_sections, dim)


def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:  # noqa: A002
    return check_tensor("input", input, "chunk").chunk(chunks, dim)


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """True when both have the same shape and the same values."""
    check_tensor("input", input, "equal")
    check_tensor("other", other, "equal")
    return input.shape == other.shape and bool((input.array == other.array).all())


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "isnan").isnan()


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "isfinite").isfinite()


def type_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """``input`` in ``other``'s dtype."""
    return check_tensor("input", input, "type_as").to(check_tensor("other", other, "type_as").dtype)


# Methods of Tensor that are these functions (the checks live here, not in tensor.py).
Tensor.maximum, Tensor.minimum, Tensor.heaviside = maximum, minimum, heaviside
Tensor.equal, Tensor.type_as = equal, type_as
