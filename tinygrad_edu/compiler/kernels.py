"""The common ops as plain numpy calls into buffers made once (the fast path of a replay).

A kernel repeats exactly the numpy calls of the op's ``forward`` — the same
ufuncs on the same dtypes, in the same order — but writes into an output
buffer allocated when the program is built, so a replay allocates nothing and
skips every Python step around the numpy call. An op without a kernel here is
replayed by calling its ``forward`` (program.py): slower, equally exact.

``KERNELS[cls](leaves, arrays, constants, out)`` returns ``run(state)`` or None
(not for these dtypes or arguments). ``leaves`` are the recorded arguments;
``arrays[i]`` reads the i-th argument's array at replay time (None for an
argument that is not a tensor); ``constants[i]`` is its array if it is a
constant; ``out`` is the buffer. Each kernel names the forward line it repeats.

Measured on case 1 (the 2-3-1 XOR step): replaying ops through their forward
costs about 4 µs an op; a kernel about 1 µs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.nn.fused import LinearFunction
from tinygrad_edu.ops import elementwise as E  # noqa: N812
from tinygrad_edu.ops.linalg import MatMul
from tinygrad_edu.ops.movement import Expand, Permute, Reshape
from tinygrad_edu.ops.reduce import Sum

Run = Callable[[Any], None]


def _floats(*arrays: np.ndarray) -> bool:
    return all(a.dtype.kind == "f" for a in arrays)


def _binary(ufunc: Any) -> Callable:
    def make(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
        a, b = arrays[0], arrays[1]
        if a is None or b is None or not _floats(leaves[0].array, leaves[1].array):
            return None

        def run(state: Any) -> None:
            ufunc(a(state), b(state), out=out)  # forward: a.array ⊙ b.array

        return run

    return make


def _unary(ufunc: Any) -> Callable:
    def make(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
        a = arrays[0]
        if a is None or not _floats(leaves[0].array):
            return None

        def run(state: Any) -> None:
            ufunc(a(state), out=out)  # forward: np.f(a.array) for a float a

        return run

    return make


def _sigmoid(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    a = arrays[0]
    if a is None or not _floats(leaves[0].array):
        return None
    limit = E._EXP_LIMIT.get(out.dtype, 709.0)

    def run(state: Any) -> None:  # forward: z = -x; min(z, limit); exp; +1; reciprocal
        np.negative(a(state), out=out)
        np.minimum(out, limit, out=out)
        np.exp(out, out=out)
        np.add(out, 1, out=out)  # z += 1
        np.reciprocal(out, out=out)

    return run


def _tanh_derivative(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    g, y = arrays[0], arrays[1]
    if g is None or y is None or not _floats(leaves[0].array, leaves[1].array):
        return None
    scratch = np.empty_like(out)

    def run(state: Any) -> None:  # forward: g.array * (1 - y.array * y.array)
        y_now = y(state)
        np.multiply(y_now, y_now, out=scratch)
        np.subtract(1, scratch, out=scratch)
        np.multiply(g(state), scratch, out=out)

    return run


def _sigmoid_derivative(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    g, y = arrays[0], arrays[1]
    if g is None or y is None or not _floats(leaves[0].array, leaves[1].array):
        return None
    scratch = np.empty_like(out)

    def run(state: Any) -> None:  # forward: g.array * y.array * (1 - y.array)
        y_now = y(state)
        np.multiply(g(state), y_now, out=out)
        np.subtract(1, y_now, out=scratch)
        np.multiply(out, scratch, out=out)

    return run


def _pow_base_derivative(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    """forward: g.array * e * np.power(a.array, e - 1), e a constant non-zero number."""
    g, a, exponent = arrays[0], arrays[1], consts[2]
    if g is None or a is None or exponent is None or exponent.ndim != 0 or exponent.item() == 0:
        return None
    minus_one = exponent - 1
    scratch = np.empty_like(out)

    def run(state: Any) -> None:
        np.multiply(g(state), exponent, out=out)
        np.power(a(state), minus_one, out=scratch)
        np.multiply(out, scratch, out=out)

    return run


def _matmul(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    a, b = arrays[0], arrays[1]
    if a is None or b is None or leaves[0].array.ndim != 2 or leaves[1].array.ndim != 2:
        return None

    def run(state: Any) -> None:  # forward: np.matmul(a.array, b.array)
        np.matmul(a(state), b(state), out=out)

    return run


def _linear(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    x, w, b = arrays
    if x is None or w is None:
        return None

    def run(state: Any) -> None:  # forward: out = x @ W.T; out += b
        np.matmul(x(state), w(state).T, out=out)
        if b is not None:
            np.add(out, b(state), out=out)  # out += b

    return run


def _sum(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    a, dims, keepdim = arrays[0], leaves[1], leaves[2]
    if a is None or not _floats(leaves[0].array):
        return None

    def run(state: Any) -> None:  # forward: a.array.sum(axis=dims, keepdims=keepdim)
        np.sum(a(state), axis=dims, keepdims=keepdim, out=out)

    return run


def _cast(leaves: list, arrays: list, consts: list, out: np.ndarray) -> Run | None:
    a = arrays[0]
    if a is None:
        return None

    def run(state: Any) -> None:  # forward: a.array.astype(dtype)
        np.copyto(out, a(state), casting="unsafe")

    return run


KERNELS: dict[type, Callable] = {
    E.Add: _binary(np.add), E.Sub: _binary(np.subtract), E.Mul: _binary(np.multiply),
    E.Div: _binary(np.true_divide), E.Neg: _unary(np.negative), E.Exp: _unary(np.exp),
    E.Log: _unary(np.log), E.Tanh: _unary(np.tanh), E.Sqrt: _unary(np.sqrt),
    E.Sigmoid: _sigmoid, E.TanhDerivative: _tanh_derivative,
    E.SigmoidDerivative: _sigmoid_derivative, E.PowBaseDerivative: _pow_base_derivative,
    E.Pow: _binary(np.power), MatMul: _matmul, LinearFunction: _linear, Sum: _sum,
    E.Cast: _cast,
}

# Views: computed again on every replay (cheap, and a view of a live array follows it).
VIEWS: dict[type, Callable] = {
    Permute: lambda array, args: array.transpose(args[0]),
    Reshape: lambda array, args: array.reshape(args[0]),
    Expand: lambda array, args: np.broadcast_to(array, args[0]),
}

# Nodes whose backward is a fixed sequence of ops (no Python choice on values), so that it
# can be replayed as those ops. Pow only for a constant exponent (see can_split).
SPLITTABLE = {E.Add, E.Sub, E.Neg, E.Mul, E.Div, E.Exp, E.Log, E.Tanh, E.Sigmoid, E.Sqrt,
              E.Pow, MatMul, LinearFunction, Permute, Reshape, Expand, Sum, E.Cast}


def can_split(node: Any) -> bool:
    """Whether a node's backward may be replayed as the ops it ran when recorded."""
    if type(node) not in SPLITTABLE:
        return False
    if type(node) is E.Pow:  # with a differentiable exponent it branches on values
        return not node.needs_input_grad[1]
    return True
