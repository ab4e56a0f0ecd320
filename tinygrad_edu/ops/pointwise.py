"""More elementwise ops: logs and exponentials in other bases, rounding, and the
integer-style divisions (``//``, ``%``, ``fmod``).

Notation as in ``elementwise.py``: ``g`` is the gradient of the loss with
respect to this op's output. Rounding is flat almost everywhere, so its
derivative is 0 (PyTorch's choice, also at the jumps); ``//`` has no
derivative in PyTorch and raises if one is asked for.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_tensor
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.dtypes import get_default_dtype, result_type
from tinygrad_edu.tensor import Tensor, _as_tensor, _binary, _wrap

_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _as_float(a: Tensor) -> Tensor:
    """Integer and bool inputs of the float functions give the default float dtype."""
    return a if a.array.dtype.kind == "f" else a.to(get_default_dtype())


class Log10(Function):
    """out = log10(a).   d/da = 1 / (a ln 10)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):  # -inf and nan, silently
            return np.log10(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN10)


class Log2(Function):
    """out = log2(a).   d/da = 1 / (a ln 2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (a * _LN2)


class Exp2(Function):
    """out = 2**a.   d/da = 2**a ln 2 = out ln 2."""

    @staticmethod
    def forward(ctx, a):
        out = _wrap(np.exp2(a.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out * _LN2


class Expm1(Function):
    """out = exp(a) - 1 (accurate for small a).   d/da = exp(a) = out + 1."""

    @staticmethod
    def forward(ctx, a):
        out = _wrap(np.expm1(a.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (out + 1)


class Tan(Function):
    """out = tan(a).   d/da = 1 + tan(a)**2 = 1 + out**2."""

    @staticmethod
    def forward(ctx, a):
        out = _wrap(np.tan(a.array))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * (1 + out * out)


class Atan(Function):
    """out = arctan(a).   d/da = 1 / (1 + a**2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a * a)


class Sinh(Function):
    """out = sinh(a).   d/da = cosh(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * cosh(a)


class Cosh(Function):
    """out = cosh(a).   d/da = sinh(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * sinh(a)


class Asin(Function):
    """out = arcsin(a).   d/da = 1 / sqrt(1 - a**2)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        with np.errstate(invalid="ignore"):  # nan outside [-1, 1], as PyTorch
            return np.arcsin(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 - a * a).sqrt()


class Rounding(Function):
    """out = floor(a), ceil(a), trunc(a) or round(a, decimals) (``rounder``, a numpy function).

    d/da = 0: the steps are flat, and PyTorch takes 0 at the jumps too.
    """

    @staticmethod
    def forward(ctx, a, rounder):
        return rounder(a.array)

    @staticmethod
    def backward(ctx, g):
        return g * 0, None


def _rounded(a: Tensor, rounder: Any) -> Tensor:
    if a.array.dtype.kind in "iub":  # already whole: a copy, as PyTorch returns
        return _wrap(a.array.copy())
    return Rounding.apply(a, rounder)


def floor(input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
    return _rounded(input, np.floor)


def ceil(input: Tensor) -> Tensor:  # noqa: A002
    return _rounded(input, np.ceil)


def trunc(input: Tensor) -> Tensor:  # noqa: A002
    return _rounded(input, np.trunc)


fix = trunc


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001, A002
    """Round half to even (as PyTorch and numpy); ``decimals`` digits after the point."""
    if not isinstance(decimals, int) or isinstance(decimals, bool):
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    if decimals != 0 and input.array.dtype.kind != "f":
        raise NotImplementedError(f'"round_cpu" not implemented for \'{_torch_name(input)}\'')
    return _rounded(input, lambda array: np.round(array, decimals))


def frac(input: Tensor) -> Tensor:  # noqa: A002
    """The fractional part ``a - trunc(a)``, with a's sign.   d/da = 1 (composed)."""
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f'"frac_cpu" not implemented for \'{_torch_name(input)}\'')
    return input - trunc(input)


def _torch_name(a: Tensor) -> str:
    """PyTorch's C++ name of a dtype, as its "not implemented for 'Long'" errors say."""
    names = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
             "bool": "Bool", "float32": "Float", "float64": "Double", "float16": "Half"}
    return names.get(a.array.dtype.name, a.array.dtype.name)


# ----- divisions that round ---------------------------------------------------------------
def _check_integer_divisor(a: Tensor, b: Tensor, name: str) -> None:
    if a.array.dtype == np.bool_:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    if a.array.dtype.kind in "iu" and (b.array == 0).any():
        raise RuntimeError(f"ZeroDivisionError: integer {name} by zero")


class FloorDivide(Function):
    """out = floor(a / b) (``a // b``), as Python's ``//``.

    No derivative: PyTorch raises if backward reaches it, and so does this op.
    """

    @staticmethod
    def forward(ctx, a, b):
        _check_integer_divisor(a, b, "floor_divide")
        with np.errstate(divide="ignore", invalid="ignore"):  # float / 0: inf or nan
            return np.floor_divide(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


class Remainder(Function):
    """out = a - floor(a / b) b (``a % b``): the sign of the divisor b, as Python's ``%``.

    d/da = 1,  d/db = -floor(a / b).
    """

    @staticmethod
    def forward(ctx, a, b):
        _check_integer_divisor(a, b, "remainder")
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.remainder(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        grad_b = -g * Rounding.apply(a / b, np.floor) if ctx.needs_input_grad[1] else None
        return g, grad_b


class Fmod(Function):
    """out = a - trunc(a / b) b: the sign of the dividend a, as C's ``fmod``.

    d/da = 1,  d/db = -trunc(a / b).
    """

    @staticmethod
    def forward(ctx, a, b):
        _check_integer_divisor(a, b, "fmod")
        ctx.save_for_backward(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.fmod(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        grad_b = -g * Rounding.apply(a / b, np.trunc) if ctx.needs_input_grad[1] else None
        return g, grad_b


def floor_divide(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _binary(FloorDivide, input, other, "floor_divide")


def remainder(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _binary(Remainder, input, other, "remainder")


def fmod(input: Any, other: Any) -> Tensor:  # noqa: A002
    return _binary(Fmod, input, other, "fmod")


def div(input: Any, other: Any, *, rounding_mode: str | None = None) -> Tensor:  # noqa: A002
    """``input / other``; ``rounding_mode='trunc'`` or ``'floor'`` rounds the quotient
    (then the derivative is 0, as PyTorch's)."""
    if rounding_mode is None:
        return _as_tensor(input, other, "div") / other
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"{rounding_mode!r}"
        )
    a = _as_tensor(input, other, "div")
    b = _as_tensor(other, a, "div")
    if result_type(a.array, b.array).kind == "f":
        return Rounding.apply(a / b, np.floor if rounding_mode == "floor" else np.trunc)
    quotient = floor_divide(a, b)
    if rounding_mode == "floor":
        return quotient
    # integers toward zero: floor, plus 1 where the division is inexact and the signs differ
    inexact = np.remainder(a.array, b.array) != 0
    signs_differ = (a.array < 0) != (b.array < 0)
    return _wrap(quotient.array + (inexact & signs_differ))


def clamp_min(input: Tensor, min: Any) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "clamp_min").clamp(min=min)


def clamp_max(input: Tensor, max: Any) -> Tensor:  # noqa: A002
    return check_tensor("input", input, "clamp_max").clamp(max=max)


def log10(input: Tensor) -> Tensor:  # noqa: A002
    return Log10.apply(_as_float(input))


def log2(input: Tensor) -> Tensor:  # noqa: A002
    return Log2.apply(_as_float(input))


def exp2(input: Tensor) -> Tensor:  # noqa: A002
    return Exp2.apply(_as_float(input))


def expm1(input: Tensor) -> Tensor:  # noqa: A002
    return Expm1.apply(_as_float(input))


def tan(input: Tensor) -> Tensor:  # noqa: A002
    return Tan.apply(_as_float(input))


def atan(input: Tensor) -> Tensor:  # noqa: A002
    return Atan.apply(_as_float(input))


arctan = atan


def sinh(input: Tensor) -> Tensor:  # noqa: A002
    return Sinh.apply(_as_float(input))


def cosh(input: Tensor) -> Tensor:  # noqa: A002
    return Cosh.apply(_as_float(input))


def asin(input: Tensor) -> Tensor:  # noqa: A002
    return Asin.apply(_as_float(input))


def acos(input: Tensor) -> Tensor:  # noqa: A002
    """arccos(a) = pi/2 - arcsin(a) (composed).   d/da = -1 / sqrt(1 - a**2)."""
    return math.pi / 2 - asin(input)


arcsin, arccos = asin, acos


# This family's Tensor methods (and the ``//`` and ``%`` operators).
Tensor.log10 = log10
Tensor.log2 = log2
Tensor.exp2 = exp2
Tensor.expm1 = expm1
Tensor.tan = tan
Tensor.atan = Tensor.arctan = atan
Tensor.sinh = sinh
Tensor.cosh = cosh
Tensor.asin = Tensor.arcsin = asin
Tensor.acos = Tensor.arccos = acos
Tensor.floor = floor
Tensor.ceil = ceil
Tensor.trunc = Tensor.fix = trunc
Tensor.round = round
Tensor.frac = frac
Tensor.floor_divide = floor_divide
Tensor.remainder = remainder
Tensor.fmod = fmod
Tensor.div = Tensor.divide = Tensor.true_divide = div
Tensor.clamp_min = clamp_min
Tensor.clamp_max = clamp_max
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = lambda self, other: floor_divide(other, self)
Tensor.__mod__ = remainder
Tensor.__rmod__ = lambda self, other: remainder(other, self)
