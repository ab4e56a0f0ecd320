"""Check analytical gradients against central finite differences.

``gradcheck(fn, inputs)`` builds two Jacobians of ``fn`` with respect to every
input that requires grad: one row at a time with backward (analytical), one
column at a time as ``(f(x + eps) - f(x - eps)) / (2 eps)`` (numerical), and
compares them element by element: ``|analytical - numerical| <= atol + rtol |numerical|``.
Use float64 inputs: in float32 the differences drown in rounding error.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor, _wrap


class GradcheckError(RuntimeError):
    """Raised by gradcheck when the analytical and numerical gradients differ."""


def _as_tuple(x: Any) -> tuple:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _outputs(fn: Callable, inputs: Sequence[Any]) -> tuple:
    outputs = _as_tuple(fn(*inputs))
    for o in outputs:
        if not isinstance(o, Tensor):
            raise TypeError(
                f"gradcheck: the function must return Tensors, got {type(o).__name__}"
            )
    return outputs


def numerical_jacobian(fn: Callable, inputs: Sequence[Any], eps: float = 1e-6) -> list:
    """For each input that requires grad: the Jacobian ``d(outputs, flattened)/d(input)`` by
    central differences, shape ``(total output elements, input elements)``."""
    # Not under no_grad: fn may itself call autograd.grad (gradgradcheck does).
    jacobians = []
    for x in inputs:
        if not (isinstance(x, Tensor) and x.requires_grad):
            continue
        array = x.array  # perturbed element by element, in place (also when not contiguous,
        columns = []     # where reshape(-1) would perturb a copy)
        for j in range(array.size):
            index = np.unravel_index(j, array.shape)
            original = array[index]
            array[index] = original + eps
            plus = np.concatenate([o.array.reshape(-1) for o in _outputs(fn, inputs)])
            array[index] = original - eps
            minus = np.concatenate([o.array.reshape(-1) for o in _outputs(fn, inputs)])
            array[index] = original
            columns.append((plus.astype(np.float64) - minus) / (2 * eps))
        if not columns:  # an empty input: no columns, but still one row per output element
            rows = sum(o.array.size for o in _outputs(fn, inputs))
            jacobians.append(np.zeros((rows, 0)))
            continue
        jacobians.append(np.stack(columns, axis=1))
    return jacobians


def analytical_jacobian(fn: Callable, inputs: Sequence[Any]) -> list:
    """The same Jacobians as ``numerical_jacobian``, row by row with ``autograd.grad``."""
    from tinygrad_edu.autograd import grad

    wrt = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    outputs = _outputs(fn, inputs)
    rows: list = [[] for _ in wrt]
    for out in outputs:
        for k in range(out.array.size):
            seed = np.zeros(out.shape, dtype=out.array.dtype)
            seed.reshape(-1)[k] = 1
            if not out.requires_grad:
                grads = [None] * len(wrt)
            else:
                grads = grad(out, wrt, _wrap(seed), retain_graph=True, allow_unused=True)
            for i, (x, g) in enumerate(zip(wrt, grads)):
                row = np.zeros(x.array.size) if g is None else g.array.reshape(-1)
                rows[i].append(row.astype(np.float64))
    return [np.array(r).reshape(len(r), x.array.size) for r, x in zip(rows, wrt)]


def gradcheck(
    func: Callable,
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True if ``func``'s backward agrees with finite differences for every input.

    On a mismatch raises ``GradcheckError`` naming the input, the element
    (input index and output index), and the analytical and numerical values
    (or returns False with ``raise_exception=False``).
    """
    inputs = _as_tuple(inputs)
    wrt_positions = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not wrt_positions:
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")
    for i in wrt_positions:
        if inputs[i].array.dtype != np.float64:
            warnings.warn(
                f"gradcheck: input {i} is {inputs[i].dtype}, not float64; finite differences "
                f"in lower precision are not trustworthy. Use dtype=tinygrad_edu.float64.",
                UserWarning,
                stacklevel=2,
            )
    numerical = numerical_jacobian(func, inputs, eps)
    analytical = analytical_jacobian(func, inputs)
    for position, num, ana in zip(wrt_positions, numerical, analytical):
        bad = ~np.isclose(ana, num, rtol=rtol, atol=atol, equal_nan=True)
        if bad.any():
            out_index, in_index = np.argwhere(bad)[0]
            shape = tuple(inputs[position].shape)
            element = np.unravel_index(in_index, shape) if shape else ()
            message = (
                f"Jacobian mismatch for output element {out_index} with respect to input "
                f"{position} (shape {shape}) at index {tuple(int(e) for e in element)}:\n"
                f"  analytical: {ana[out_index, in_index]!r}\n"
                f"  numerical:  {num[out_index, in_index]!r}\n"
                f"  ({int(bad.sum())} of {bad.size} Jacobian entries differ beyond "
                f"atol={atol}, rtol={rtol})\n"
                f"analytical Jacobian:\n{ana}\nnumerical Jacobian:\n{num}"
            )
            if raise_exception:
                raise GradcheckError(message)
            return False
    return True


def gradgradcheck(
    func: Callable,
    inputs: Any,
    grad_outputs: Any = None,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """gradcheck of the gradient itself: checks second derivatives (``create_graph=True``)."""
    from tinygrad_edu.autograd import grad

    inputs = _as_tuple(inputs)
    outputs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _wrap(rng.standard_normal(o.shape).astype(o.array.dtype), True) for o in outputs
        )
    grad_outputs = _as_tuple(grad_outputs)
    n = len(inputs)

    def first_derivative(*args: Any) -> tuple:
        outs = _outputs(func, args[:n])
        wanted = [a for a in args[:n] if isinstance(a, Tensor) and a.requires_grad]
        grads = grad(outs, wanted, args[n:], create_graph=True, allow_unused=True)
        return tuple(g if g is not None else w * 0 for g, w in zip(grads, wanted))

    return gradcheck(first_derivative, inputs + grad_outputs, eps, atol, rtol, raise_exception)
