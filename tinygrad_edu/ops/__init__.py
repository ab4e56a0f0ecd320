"""The differentiable ops: each a ``Function`` with its forward and derivative side by side."""

from __future__ import annotations

from typing import Any

import numpy as np


def torch_name(result: Any, name: str) -> Any:
    """Give the node that made ``result`` PyTorch's name for the whole op, and return it.

    A composed op ends in one of its parts (``mean`` is ``sum / n``, so its last
    node is a division); PyTorch has one node for it, ``MeanBackward0``. Naming
    our last node the same makes ``repr`` and error messages read as PyTorch's.
    The graph itself is unchanged: the node still computes a division's gradient.
    """
    if result.grad_fn is not None:
        result.grad_fn._name = name
    return result


def as_gradients(*grads: Any) -> tuple:
    """A backward's results as Tensors: those it computed on numpy arrays are wrapped.

    The hot ops' backward runs its formulas on the arrays themselves when no graph
    is wanted (``create_graph=False``, the usual ``loss.backward()``): numpy
    arrays and Tensors share ``*``, ``@``, ``.reshape`` and ``.sum``, so one
    formula serves both, and each step saves a Function call (~1 µs) per op.
    """
    return tuple([_as_gradient(grad) for grad in grads])


def _as_gradient(grad: Any) -> Any:
    if type(grad) is np.ndarray:
        return _wrap(grad)
    if isinstance(grad, np.generic):  # numpy gives scalars for 0-d results
        return _wrap(np.asarray(grad))
    return grad  # a Tensor, or None


from tinygrad_edu.tensor import _wrap  # noqa: E402 - tensor.py imports the op families
