"""Gradients by central finite differences, and a cheap random-direction check.

``numerical_grad`` is what a gradient should be, computed without autograd:
nudge one element by ``±eps``, see how the output moves,

    d f / d x_i  ≈  (f(x + eps e_i) - f(x - eps e_i)) / (2 eps),

one element at a time, in float64 (in float32 the difference drowns in rounding
error). It costs two evaluations of ``fn`` per input element.

``check_random_direction`` costs two evaluations in all, whatever the size: it
compares one number, ``<v, J u>`` for a random direction ``u`` and a random
upstream gradient ``v``, computed by autograd (``<grad with upstream v, u>``)
and by a central difference along ``u``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.autograd import grad as autograd_grad
from tinygrad_edu.autograd import no_grad
from tinygrad_edu.autograd.gradcheck import GradcheckError
from tinygrad_edu.tensor import Tensor, _wrap


def _float64_leaves(inputs: Sequence[Any]) -> list:
    """Copies of the inputs as float64 tensors (integer and bool tensors are kept as they are)."""
    leaves = []
    for x in inputs:
        array = x.array if isinstance(x, Tensor) else np.asarray(x)
        if array.dtype.kind == "f":
            array = array.astype(np.float64)  # always a copy: perturbing it never touches x
        leaves.append(_wrap(array))
    return leaves


def _weighted_output(fn: Callable, leaves: list, grad_output: np.ndarray | None) -> float:
    """``sum(fn(*leaves) * grad_output)``: the scalar whose gradient is the VJP."""
    out = fn(*leaves)
    if not isinstance(out, Tensor):
        raise TypeError(f"the function must return a Tensor, got {type(out).__name__}")
    values = out.array.astype(np.float64)
    if grad_output is None:
        if values.size != 1:
            raise ValueError(
                f"the function returned shape {tuple(out.shape)}, not a single value; "
                f"pass grad_output= (an array of that shape) to weight its elements"
            )
        return float(values.reshape(()))
    if grad_output.shape != values.shape:
        raise ValueError(
            f"grad_output has shape {grad_output.shape} but the function returned shape "
            f"{values.shape}; they must be equal"
        )
    return float(np.sum(values * grad_output))


def numerical_grad(
    fn: Callable[..., Tensor],
    inputs: Sequence[Any],
    eps: float = 1e-6,
    grad_output: Any = None,
) -> list:
    """The gradient of ``fn`` at ``inputs`` by central differences in float64.

    ``fn`` takes the inputs (Tensors or arrays) and returns a Tensor. If that
    Tensor has one element, the result is its gradient; otherwise pass
    ``grad_output`` (shaped like the output) and get the gradient of
    ``sum(fn(*inputs) * grad_output)``, the same thing ``backward(grad_output)``
    computes. Returns one float64 array per input, shaped like it; None for
    inputs that are not floating point (indices, masks). The inputs are not
    changed: ``fn`` is called on float64 copies, under ``no_grad``.
    """
    if eps <= 0:
        raise ValueError(f"eps must be positive, got {eps}")
    leaves = _float64_leaves(inputs)
    upstream = None if grad_output is None else np.asarray(
        grad_output.array if isinstance(grad_output, Tensor) else grad_output, dtype=np.float64
    )
    gradients: list = []
    with no_grad():
        for leaf in leaves:
            if leaf.array.dtype.kind != "f":
                gradients.append(None)
                continue
            flat = leaf.array.reshape(-1)  # a view of the copy: writing to it perturbs the input
            gradient = np.zeros(flat.size)
            for i in range(flat.size):
                original = flat[i]
                flat[i] = original + eps
                plus = _weighted_output(fn, leaves, upstream)
                flat[i] = original - eps
                minus = _weighted_output(fn, leaves, upstream)
                flat[i] = original
                gradient[i] = (plus - minus) / (2 * eps)
            gradients.append(gradient.reshape(leaf.array.shape))
    return gradients


def check_random_direction(
    fn: Callable[..., Tensor],
    inputs: Sequence[Tensor],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    seed: int = 0,
) -> tuple:
    """Check autograd along one random direction; cheap for inputs of any size.

    For random ``u`` (one array per input that requires grad) and ``v``
    (shaped like the output), compares

        analytical = Σ_i <grad_i, u_i>   with grad = backward of v  (= <v, J u>)
        numerical  = <v, f(x + eps u) - f(x - eps u)> / (2 eps)

    and raises ``GradcheckError`` with both values if they differ by more
    than ``atol + rtol * |numerical|``. Returns ``(analytical, numerical)``.
    A single direction can miss a wrong gradient only by bad luck (the error
    would have to be orthogonal to ``u``); use ``numerical_grad`` or
    ``gradcheck`` for small inputs, where every element is checked.
    """
    wanted = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not wanted:
        raise ValueError("check_random_direction needs at least one input with requires_grad=True")
    rng = np.random.default_rng(seed)
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"the function must return a Tensor, got {type(out).__name__}")
    v = rng.standard_normal(out.shape)
    directions = [rng.standard_normal(x.shape) for x in wanted]
    grads = autograd_grad(out, wanted, _wrap(v.astype(out.array.dtype)), allow_unused=True)
    analytical = float(sum(
        0.0 if g is None else np.sum(g.array.astype(np.float64) * u)
        for g, u in zip(grads, directions)
    ))

    def shifted(step: float) -> float:
        # Not under no_grad, and the copies keep requires_grad: fn may call autograd.grad
        # itself (checking second derivatives does).
        moved = _float64_leaves(inputs)
        k = 0
        for x, leaf in zip(inputs, moved):
            if isinstance(x, Tensor) and x.requires_grad:
                leaf.array += step * directions[k]
                leaf.requires_grad = True
                k += 1
        return _weighted_output(fn, moved, v)

    numerical = (shifted(eps) - shifted(-eps)) / (2 * eps)
    if not abs(analytical - numerical) <= atol + rtol * abs(numerical):
        raise GradcheckError(
            f"gradient mismatch along a random direction (seed {seed}):\n"
            f"  analytical <v, J u>: {analytical!r}\n"
            f"  numerical  <v, J u>: {numerical!r}\n"
            f"  (allowed difference: atol={atol} + rtol={rtol} * |numerical|)"
        )
    return analytical, numerical
