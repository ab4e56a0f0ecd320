"""Elementwise ops. Each forward computes with numpy; each backward states the
derivative with Tensor ops, so that it can be differentiated again.

Notation: ``g`` is ``grad_output``, the gradient of the loss with respect to
this op's output; each backward returns ``g * d(out)/d(input)`` per input.
Broadcast inputs get a gradient of the output's shape; the engine sums it
down to the input's shape (``autograd.engine.sum_to_shape``).
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import backward_on_arrays, is_grad_enabled
from tinygrad_edu.dtypes import result_type
from tinygrad_edu.ops import as_gradients
from tinygrad_edu.tensor import Tensor, _as_tensor, _wrap

# exp overflows past these; sigmoid clips its exponent there (the result is 0 anyway).
# 0-d arrays of each dtype, as is _ONE: a Python number is converted on every ufunc call
# (measured, np.add on a (4, 3) array: 0.56 µs with 1, 0.29 µs with a 0-d array).
_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))
_EXP_LIMIT = {dtype: np.array(limit, dtype) for dtype, limit in zip(_FLOATS, (11, 88, 709))}
_ONE = {dtype: np.ones((), dtype) for dtype in _FLOATS}


def _as_float(array: np.ndarray) -> np.ndarray:
    """An integer or bool array in the default float dtype: ``exp``, ``sqrt``, ``tanh`` ...
    of an integer tensor give float32, as in PyTorch (numpy would give float64 or float16)."""
    from tinygrad_edu.dtypes import get_default_dtype

    return array.astype(get_default_dtype().np_dtype)


def _constant(array: np.ndarray) -> Tensor:
    """A tensor that backward uses as a constant (a mask, a sign): never differentiated."""
    return _wrap(array)


class Add(Function):
    """out = a + b.   d/da = 1,  d/db = 1."""

    @staticmethod
    def forward(ctx, a, b):
        return a.array + b.array

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    """out = a - b.   d/da = 1,  d/db = -1."""

    @staticmethod
    def forward(ctx, a, b):
        try:
            return a.array - b.array
        except TypeError:  # numpy refuses bool - bool; PyTorch's error says what to use
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the "
                "`^` or `logical_xor()` operator instead."
            ) from None

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Neg(Function):
    """out = -a.   d/da = -1."""

    @staticmethod
    def forward(ctx, a):
        try:
            return np.negative(a.array)
        except TypeError:  # numpy refuses -bool; PyTorch's error says what to use
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.") from None

    @staticmethod
    def backward(ctx, g):
        return -g


class Mul(Function):
    """out = a * b.   d/da = b,  d/db = a."""

    @staticmethod
    def forward(ctx, a, b):
        # Keep only what a wanted gradient needs: b for a's, a for b's.
        needs_a, needs_b = ctx.needs_input_grad
        ctx.save_for_backward(a if needs_b else None, b if needs_a else None)
        return a.array * b.array

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        if backward_on_arrays():  # no graph wanted: the products of the arrays
            return as_gradients(g.array * b.array if ctx.needs_input_grad[0] else None,
                                g.array * a.array if ctx.needs_input_grad[1] else None)
        # Mul.apply, not g * b: forward already brought a and b to one dtype, so the
        # operator's conversions and promotion would only cost time here.
        grad_a = Mul.apply(g, b) if ctx.needs_input_grad[0] else None
        grad_b = Mul.apply(g, a) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Div(Function):
    """out = a / b.   d/da = 1 / b,  d/db = -a / b**2 (a saved only when b needs it).

    Integer division gives the default float dtype, as in PyTorch (true division).
    """

    @staticmethod
    def forward(ctx, a, b):
        if a.array.dtype.kind != "f":
            from tinygrad_edu.dtypes import get_default_dtype

            dtype = get_default_dtype().np_dtype
            return np.true_divide(a.array, b.array, dtype=dtype)
        ctx.save_for_backward(b, a if ctx.needs_input_grad[1] else None)
        return a.array / b.array

    @staticmethod
    def backward(ctx, g):
        b, a = ctx.saved_tensors
        grad_a = g / b if ctx.needs_input_grad[0] else None
        grad_b = -g * a / (b * b) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Pow(Function):
    """out = a ** b.   d/da = b * a**(b - 1),  d/db = out * log(a).

    At exact zeros PyTorch's subgradients: d/da = 0 where b = 0 (``x ** 0`` is
    constant, even at x = 0; b a**(b-1) would be 0 * inf), and d/db = 0 where
    a = 0 and b >= 0.
    """

    @staticmethod
    def forward(ctx, a, b):
        out = _wrap(np.power(a.array, b.array))
        ctx.save_for_backward(a, b, out if ctx.needs_input_grad[1] else None)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        grad_a = None
        if ctx.needs_input_grad[0] and b.requires_grad:
            grad_a = g * b * a ** (b - 1)  # composed, so that it is differentiable in b too
            zero_times_inf = (b.array == 0) & (a.array == 0)
            if zero_times_inf.any():
                grad_a = Where.apply(_constant(zero_times_inf), _zero(grad_a), grad_a)
        elif ctx.needs_input_grad[0] and backward_on_arrays():  # no graph wanted: arrays
            (grad_a,) = as_gradients(_pow_base_slope(g.array, a.array, b.array))
        elif ctx.needs_input_grad[0]:
            grad_a = PowBaseDerivative.apply(g, a, b)  # the same, as one op
        grad_b = None
        if ctx.needs_input_grad[1]:  # log(a) taken as log(1) = 0 where a = 0 and b >= 0
            use_log = np.logical_not((a.array == 0) & (b.array >= 0))
            safe_log = Where.apply(_constant(use_log), a, _constant(np.ones((), a.array.dtype)))
            grad_b = g * out * safe_log.log()
        return grad_a, grad_b


def _zero(like: Tensor) -> Tensor:
    return _constant(np.zeros((), like.array.dtype))


def _where_zero_coefficient(coefficient: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` with 0 where the coefficient is 0 (PyTorch's rule: 0 * a**-1 at a = 0 is 0)."""
    if coefficient.ndim == 0 and coefficient.item() != 0:  # the usual x ** 2: nothing to do
        return out
    return np.where(coefficient == 0, 0, out).astype(out.dtype, copy=False)


def _pow_base_slope(g: np.ndarray, a: np.ndarray, e: np.ndarray) -> np.ndarray:
    """g e a^(e-1), 0 where e = 0: the gradient of a ** e for a constant e."""
    if e.ndim == 0 and e.item() == 2:  # the squares of every loss: a^1 is a, bit for bit,
        return g * e * a  # and two numpy calls fewer (measured: 2.6 → 1.2 µs for (4, 1))
    return _where_zero_coefficient(e, g * e * np.power(a, e - 1))


class PowBaseDerivative(Function):
    """out = g b a^(b-1), the gradient of a ** b for a constant exponent b, as one op
    for speed: ``(a - t) ** 2`` is in every seed network's loss, and composed it
    costs four ops per backward pass. 0 where b = 0, as in PyTorch.

    d/dg = b a^(b-1),  d/da = g b (b-1) a^(b-2)  (for second derivatives; 0 where
    b = 0 or b = 1).
    """

    @staticmethod
    def forward(ctx, g, a, b):
        ctx.save_for_backward(g, a, b)
        return _pow_base_slope(g.array, a.array, b.array)

    @staticmethod
    def backward(ctx, grad):
        g, a, b = ctx.saved_tensors
        grad_g = PowBaseDerivative.apply(grad, a, b) if ctx.needs_input_grad[0] else None
        grad_a = None
        if ctx.needs_input_grad[1]:
            grad_a = PowBaseDerivative.apply(grad * g * b, a, b - 1)
            if (b.array == 0).any():
                grad_a = Where.apply(_constant(b.array == 0), _zero(grad_a), grad_a)
        return grad_g, grad_a, None


class Exp(Function):
    """out = exp(a).   d/da = exp(a) = out."""

    saves_output = True  # backward's out is ctx.saved_tensors[0]

    @staticmethod
    def forward(ctx, a):
        return np.exp(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    """out = log(a).   d/da = 1 / a."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Log1p(Function):
    """out = log(1 + a).   d/da = 1 / (1 + a)."""

    _name = "Log1PBackward0"  # PyTorch's spelling

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / (1 + a)


class Sqrt(Function):
    """out = sqrt(a).   d/da = 1 / (2 sqrt(a)) = 1 / (2 out)."""

    saves_output = True  # backward's out is ctx.saved_tensors[0]

    @staticmethod
    def forward(ctx, a):
        return np.sqrt(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Sin(Function):
    """out = sin(a).   d/da = cos(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * a.cos()


class Cos(Function):
    """out = cos(a).   d/da = -sin(a)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * a.sin()


class Tanh(Function):
    """out = tanh(a).   d/da = 1 - tanh(a)**2 = 1 - out**2."""

    saves_output = True  # backward's out is ctx.saved_tensors[0]

    @staticmethod
    def forward(ctx, a):
        return np.tanh(a.array if a.array.dtype.kind == "f" else _as_float(a.array))

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if backward_on_arrays():  # no graph wanted: the formula on the arrays
            return as_gradients(_tanh_slope(g.array, out.array))
        return TanhDerivative.apply(g, out)  # g * (1 - out * out), as one op


def _tanh_slope(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g (1 - y²): tanh's gradient, y = tanh(a)."""
    return g * (1 - y * y)


class TanhDerivative(Function):
    """out = g (1 - y²), tanh's backward fused into one op for speed (it runs once
    per tanh in every backward pass; three separate ops cost three times the overhead).

    d/dg = 1 - y²,  d/dy = -2 g y  (needed only for second derivatives).
    """

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return _tanh_slope(g.array, y.array)

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        grad_g = grad * (1 - y * y) if ctx.needs_input_grad[0] else None
        grad_y = grad * -2 * g * y if ctx.needs_input_grad[1] else None
        return grad_g, grad_y


class Sigmoid(Function):
    """out = σ(a) = 1 / (1 + exp(-a)).   d/da = σ(a)(1 - σ(a)) = out (1 - out).

    The exponent is clipped where exp would overflow; σ is 0 there to the
    dtype's precision, so the value is unchanged and no warning is printed.
    """

    saves_output = True  # backward's out is ctx.saved_tensors[0]

    @staticmethod
    def forward(ctx, a):
        z = np.negative(a.array if a.array.dtype.kind == "f" else _as_float(a.array))
        if type(z) is not np.ndarray:  # a 0-d input gives a numpy scalar: the steps below
            z = np.asarray(z)  # write into z
        dtype = z.dtype
        np.minimum(z, _EXP_LIMIT.get(dtype, 709.0), out=z)
        np.exp(z, out=z)
        np.add(z, _ONE.get(dtype, 1), out=z)
        return np.reciprocal(z, out=z)

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        if backward_on_arrays():  # no graph wanted: the formula on the arrays
            return as_gradients(_sigmoid_slope(g.array, out.array))
        return SigmoidDerivative.apply(g, out)  # g * out * (1 - out), as one op


def _sigmoid_slope(g: np.ndarray, y: np.ndarray) -> np.ndarray:
    """g y (1 - y): sigmoid's gradient, y = σ(a)."""
    return g * y * (1 - y)


class SigmoidDerivative(Function):
    """out = g y (1 - y), sigmoid's backward fused into one op for speed (see TanhDerivative).

    d/dg = y (1 - y),  d/dy = g (1 - 2y)  (needed only for second derivatives).
    """

    @staticmethod
    def forward(ctx, g, y):
        ctx.save_for_backward(g, y)
        return _sigmoid_slope(g.array, y.array)

    @staticmethod
    def backward(ctx, grad):
        g, y = ctx.saved_tensors
        grad_g = grad * y * (1 - y) if ctx.needs_input_grad[0] else None
        grad_y = grad * g * (1 - 2 * y) if ctx.needs_input_grad[1] else None
        return grad_g, grad_y


UINT_OF_SIZE = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}  # same-size bit views


def _select(mask: np.ndarray, g: np.ndarray, keep_where_false: bool = False) -> np.ndarray:
    """``np.where(mask, g, 0)`` (``np.where(mask, 0, g)`` if ``keep_where_false``), bit for bit,
    computed on g's bits: ANDed with all ones where g is kept (0 - True = 0xFF..F as an
    unsigned integer; True - 1 = 0 for the other side), with zeros elsewhere (+0.0).
    np.where branches on every element, and a random mask (relu's) defeats branch
    prediction (measured for (128, 256) float32: np.where 117 µs, a masked np.copyto 152 µs,
    g · mask + 0.0 21 µs, this 12 µs). Unlike g · mask + 0.0, it keeps a kept -0.0 (and
    nan, inf) as np.where and PyTorch do."""
    bits = UINT_OF_SIZE.get(g.dtype.itemsize) if g.dtype.kind in "fiu" else None
    if bits is None:
        if keep_where_false:
            return np.where(mask, 0, g).astype(g.dtype, copy=False)
        return np.where(mask, g, 0).astype(g.dtype, copy=False)
    keep = np.subtract(mask, 1, dtype=bits) if keep_where_false else \
        np.subtract(0, mask, dtype=bits)
    into = keep if type(keep) is np.ndarray and keep.shape == g.shape else None  # (0-d: scalar)
    return np.asarray(np.bitwise_and(g.view(bits), keep, out=into)).view(g.dtype)


class Relu(Function):
    """out = max(a, 0).   d/da = 1 where a > 0 (and at NaN, as PyTorch), else 0 (also at 0)."""

    @staticmethod
    def forward(ctx, a):
        ctx.off = _constant(a.array <= 0)  # where no gradient passes
        return np.maximum(a.array, 0)

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():  # create_graph: the mask is recorded, as an op of derivative 0
            # on this node's output (the mask stands in for the output's values, which are
            # not kept), so the second derivative is zeros (as PyTorch's), not missing.
            mask = _wrap(np.logical_not(ctx.off.array).astype(g.array.dtype), True, ctx)
            return g * PiecewiseConstant.apply(mask)
        if backward_on_arrays():  # no graph wanted: on the arrays
            return as_gradients(_select(ctx.off.array, g.array, keep_where_false=True))
        return Where.apply(ctx.off, _zero(g), g)


class LeakyRelu(Function):
    """out = a where a > 0, else slope · a.   d/da = 1 where a > 0, else the slope.

    As for Relu, with ``create_graph`` the slopes are recorded (an op of derivative 0 on
    this node's output), so the second derivative is zeros, not missing.
    """

    _name = "LeakyReluBackward0"

    @staticmethod
    def forward(ctx, a, slope):
        positive = a.array > 0
        ctx.slopes = _constant(np.where(positive, 1, slope).astype(a.array.dtype))
        return np.where(positive, a.array, a.array * slope)

    @staticmethod
    def backward(ctx, g):
        if is_grad_enabled():  # the slopes stand in for this node's output (see Relu)
            return g * PiecewiseConstant.apply(_wrap(ctx.slopes.array, True, ctx)), None
        return g * ctx.slopes, None


class PiecewiseConstant(Function):
    """out = a, a mask or slopes taken as constant on each piece.   d/da = 0.

    It records, under ``create_graph``, that the derivative of a piecewise-linear op
    (relu, leaky_relu) depends on its input only through pieces: the second derivative is 0.
    """

    @staticmethod
    def forward(ctx, a):
        return a.array

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Abs(Function):
    """out = |a|.   d/da = sign(a) (0 at 0).

    ``a`` is saved, as PyTorch saves it, and sign(a) is an op: with
    ``create_graph`` its derivative, 0, gives the second derivative (zeros).
    """

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a.array)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * Sign.apply(a)


class Sign(Function):
    """out = sign(a) (0 at 0 and at NaN, as PyTorch's).   d/da = 0 everywhere it exists."""

    @staticmethod
    def forward(ctx, a):
        if a.array.dtype == np.bool_:
            return a.array.copy()
        out = np.sign(a.array)
        if out.dtype.kind == "f":
            out = np.where(np.isnan(out), 0, out).astype(out.dtype, copy=False)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Clamp(Function):
    """out = min(max(a, low), high).   d/da = 1 where low <= a <= high, else 0."""

    @staticmethod
    def forward(ctx, a, low, high):
        # The bounds take part in type promotion: int.clamp(0.5) is float32, as in PyTorch.
        low_value, high_value, dtype = None, None, a.array.dtype
        if low is not None:
            low_value = _as_tensor(low, a, "clamp").array
            dtype = result_type(np.empty(a.array.shape, dtype), low_value)
        if high is not None:
            high_value = _as_tensor(high, a, "clamp").array
            dtype = result_type(np.empty(a.array.shape, dtype), high_value)
        inside = np.ones(a.array.shape, dtype=bool)
        if not isinstance(low, Tensor) and not isinstance(high, Tensor):
            ctx._name = "ClampBackward1"  # PyTorch's name when the bounds are numbers
        try:
            if low_value is not None:
                inside &= a.array >= low_value
            if high_value is not None:
                inside &= a.array <= high_value
        except ValueError:  # a bound that does not broadcast to a's shape
            shapes = [np.shape(v) for v in (low_value, high_value) if v is not None]
            raise RuntimeError(
                f"clamp: bounds of shape {' and '.join(map(str, shapes))} cannot be broadcast "
                f"to the input's shape {a.array.shape}"
            ) from None
        ctx.inside = _constant(inside)
        return np.clip(a.array.astype(dtype, copy=False), low_value, high_value).astype(
            dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        return Where.apply(ctx.inside, g, _zero(g)), None, None


class Maximum(Function):
    """out = max(a, b).   d/da = 1 where a > b, 1/2 where a = b, else 0; d/db likewise."""

    @staticmethod
    def forward(ctx, a, b):
        share_a = (a.array > b.array) + 0.5 * (a.array == b.array)
        ctx.share_a = _constant(share_a.astype(a.array.dtype))
        return np.maximum(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        grad_a = g * ctx.share_a if ctx.needs_input_grad[0] else None
        grad_b = g * (1 - ctx.share_a) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Minimum(Function):
    """out = min(a, b).   d/da = 1 where a < b, 1/2 where a = b, else 0; d/db likewise."""

    @staticmethod
    def forward(ctx, a, b):
        share_a = (a.array < b.array) + 0.5 * (a.array == b.array)
        ctx.share_a = _constant(share_a.astype(a.array.dtype))
        return np.minimum(a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        grad_a = g * ctx.share_a if ctx.needs_input_grad[0] else None
        grad_b = g * (1 - ctx.share_a) if ctx.needs_input_grad[1] else None
        return grad_a, grad_b


class Where(Function):
    """out = a where condition else b.   d/da = condition,  d/db = not condition."""

    @staticmethod
    def forward(ctx, condition, a, b):
        ctx.save_for_backward(condition)  # so that changing it in place is caught
        return np.where(condition.array, a.array, b.array)

    @staticmethod
    def backward(ctx, g):
        (condition,) = ctx.saved_tensors
        if backward_on_arrays():  # no graph wanted: on the arrays
            mask = condition.array
            return as_gradients(
                None, _select(mask, g.array) if ctx.needs_input_grad[1] else None,
                _select(mask, g.array, keep_where_false=True) if ctx.needs_input_grad[2] else None)
        zero = _zero(g)
        grad_a = Where.apply(condition, g, zero) if ctx.needs_input_grad[1] else None
        grad_b = Where.apply(condition, zero, g) if ctx.needs_input_grad[2] else None
        return None, grad_a, grad_b


class Cast(Function):
    """out = a converted to another dtype.   d/da = 1, cast back to a's dtype."""

    _name = "ToCopyBackward0"  # PyTorch's name: to(dtype) makes a copy

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.input_dtype = a.array.dtype
        return a.array.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.to(ctx.input_dtype), None


class Clone(Function):
    """out = a copy of a.   d/da = 1."""

    @staticmethod
    def forward(ctx, a):
        return a.array.copy()

    @staticmethod
    def backward(ctx, g):
        return g
