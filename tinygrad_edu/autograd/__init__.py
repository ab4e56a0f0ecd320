"""Automatic differentiation: the engine, ``grad``, ``Function``, grad modes and checks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.autograd.anomaly import detect_anomaly, is_anomaly_enabled, set_detect_anomaly
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from tinygrad_edu.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck
from tinygrad_edu.compat import Variable  # legacy: since PyTorch 0.4 a Variable is a Tensor
from tinygrad_edu.tensor import Tensor, _initial_gradient

__all__ = [
    "Function", "GradcheckError", "backward", "detect_anomaly", "enable_grad", "grad",
    "gradcheck", "gradgradcheck", "is_anomaly_enabled", "is_grad_enabled", "no_grad",
    "set_detect_anomaly", "set_grad_enabled", "Variable",
]


def _tensors(x: Any, what: str) -> list:
    """``outputs``/``inputs``: a Tensor or a sequence of them; PyTorch raises RuntimeError for
    a sequence holding something else (TypeError when it is not a sequence at all)."""
    if isinstance(x, Tensor):
        return [x]
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, not {type(x).__name__}")
    for i, t in enumerate(x):
        if not isinstance(t, Tensor):
            raise RuntimeError(f"all {what} have to be Tensors, but got {type(t).__name__} "
                               f"({what}[{i}])")
    return list(x)


def _gradients(outputs: list, grad_outputs: Any) -> list:
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, Tensor):
        grad_outputs = [grad_outputs]
    elif not isinstance(grad_outputs, (list, tuple)):
        raise TypeError(f"gradients can be either Tensors or None, but got "
                        f"{type(grad_outputs).__name__}")
    grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad_outputs has {len(grad_outputs)} tensors; expected {len(outputs)}, "
            f"one per output"
        )
    return [_initial_gradient(o, g, i) for i, (o, g) in enumerate(zip(outputs, grad_outputs))]


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple:
    """The gradients of ``outputs`` with respect to ``inputs``, returned, not accumulated.

    With ``create_graph=True`` the results are part of a graph themselves, so
    they can be differentiated again (second derivatives, Hessian-vector products).
    """
    from tinygrad_edu.autograd.engine import run_backward

    outputs = _tensors(outputs, "outputs")
    inputs = _tensors(inputs, "inputs")
    for o in outputs:
        if not o.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
    for x in inputs:
        if not x.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    grads = run_backward(outputs, _gradients(outputs, grad_outputs), retain_graph,
                         create_graph, inputs=inputs)
    if not allow_unused and any(g is None for g in grads):
        raise RuntimeError(
            "One of the differentiated Tensors appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior."
        )
    return tuple(grads)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate the gradients of several outputs into the leaves at once."""
    from tinygrad_edu.autograd.engine import run_backward

    tensors = _tensors(tensors, "tensors")
    for t in tensors:
        if not t.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, _gradients(tensors, grad_tensors), retain_graph, create_graph)
