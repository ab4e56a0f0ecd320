"""Argument checks for the public functions: one clear error, of PyTorch's type, per bad input.

Each check names the function, the argument, what was given and what was
expected, e.g. ``chunk(): argument 'chunks' must be int, not float (1.5)``.
They run once, at the public boundary, before anything is computed or changed;
the ops behind them assume checked arguments. Each is a few comparisons, so a
valid call costs almost nothing more.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor


def _given(value: Any) -> str:
    """``float (1.5)``: the type of what was given, and the value when it is short."""
    shown = repr(value)
    name = type(value).__name__
    return f"{name} ({shown})" if len(shown) <= 40 and not isinstance(value, Tensor) else name


def check_int(name: str, value: Any, op: str) -> int:
    """``value`` as an int; TypeError for floats, bools, strings and the rest."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{op}(): argument '{name}' must be int, not {_given(value)}")
    return int(value)


def check_number(name: str, value: Any, op: str) -> float:
    """``value`` as a float; TypeError for anything that is not a real number (bools included)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{op}(): argument '{name}' must be a number, not {_given(value)}")
    return float(value)


def check_tensor(name: str, value: Any, op: str) -> Tensor:
    """``value`` itself if it is a Tensor; TypeError otherwise."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {_given(value)}")
    return value


def check_tensor_list(name: str, values: Any, op: str) -> list:
    """A non-empty sequence of Tensors as a list; TypeError naming the first element that is not."""
    if isinstance(values, Tensor) or not isinstance(values, (list, tuple)):
        raise TypeError(
            f"{op}(): argument '{name}' must be a tuple or list of Tensors, not {_given(values)}"
        )
    for i, value in enumerate(values):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{op}(): expected Tensor as element {i} in argument '{name}', "
                f"but got {type(value).__name__}"
            )
    return list(values)


def check_pair(name: str, value: Any, op: str, parts: str = "beta1, beta2") -> tuple:
    """Two real numbers (Adam's ``betas``) as a tuple of floats: TypeError for a
    non-sequence, ValueError for a sequence of another length."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{op}(): argument '{name}' must be a pair of numbers, not {_given(value)}")
    if len(value) != 2:
        raise ValueError(f"{name} must be a pair ({parts}), got {tuple(value)}")
    return (check_number(f"{name}[0]", value[0], op), check_number(f"{name}[1]", value[1], op))


def check_linear(input: Any, weight: Any, bias: Any) -> None:  # noqa: A002 - PyTorch's name
    """``F.linear``'s arguments: Tensors whose shapes and dtypes fit ``input @ weight.T + bias``.

    It runs for every layer call, so it reads the numpy arrays' own shapes and dtypes.
    """
    if not (isinstance(input, Tensor) and isinstance(weight, Tensor)
            and (bias is None or isinstance(bias, Tensor))):
        check_tensor("input", input, "linear")
        check_tensor("weight", weight, "linear")
        check_tensor("bias", bias, "linear")
    x, w = input.array, weight.array
    if x.ndim == 0 or x.shape[-1] != w.shape[-1]:
        raise RuntimeError(
            f"linear: the input's last dimension must be in_features={w.shape[-1]}, but the "
            f"input has shape {x.shape} (weight has shape {w.shape})"
        )
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"linear: mat1 and mat2 must have the same dtype, but got {input.dtype} (input) and "
            f"{weight.dtype} (weight); convert the input, e.g. x.to({weight.dtype})"
        )
    if bias is not None and bias.array.ndim and bias.array.shape[-1] not in (w.shape[0], 1):
        raise RuntimeError(
            f"linear: bias of shape {bias.array.shape} does not fit the output's "
            f"{w.shape[0]} features (expected shape ({w.shape[0]},))"
        )


def check_assigned_grad(tensor: Tensor, value: Any) -> Tensor | None:
    """``tensor.grad = value``: None, or a Tensor of ``tensor``'s shape and dtype (as PyTorch)."""
    if value is None:
        return None
    if not isinstance(value, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{type(value).__name__}")
    if value.shape != tensor.shape:
        raise RuntimeError(f"attempting to assign a gradient of size {list(value.shape)} to a "
                           f"tensor of size {list(tensor.shape)}. Please ensure that the "
                           f"gradient and the tensor are the same size")
    if value.dtype != tensor.dtype:
        raise RuntimeError(f"attempting to assign a gradient with dtype {value.dtype} to a "
                           f"tensor with dtype {tensor.dtype}. Please ensure that the gradient "
                           f"and the tensor have the same dtype")
    return value


def check_loss_arguments(input: Any, target: Any, op: str) -> None:  # noqa: A002
    """A loss's ``input`` and ``target`` are Tensors (a list of labels is a common slip)."""
    check_tensor("input", input, op)
    check_tensor("target", target, op)


def check_sequence(name: str, value: Any, op: str) -> tuple:
    """An int or a sequence (a shape) as a tuple; TypeError for anything else."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return (value,)
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)):
        raise TypeError(f"{op}(): argument '{name}' must be an int or a tuple of ints, not "
                        f"{_given(value)}")
    return tuple(value)


def as_float(name: str, value: Any, op: str) -> float:
    """``float(value)``, as PyTorch converts these arguments: a str that is not a number is
    a ValueError, another type a TypeError; both messages name the argument."""
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise type(error)(f"{op}(): argument '{name}' must be a number, not "
                          f"{_given(value)}") from None
