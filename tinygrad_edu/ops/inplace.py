"""In-place ops (``add_``, ``-=``, ``zero_`` ...): the array changes, the version counter counts it.

Outside the graph (``no_grad``, or nothing requires grad) the change is one
numpy call writing into the array. Inside the graph the op is recorded
out of place on a stand-in for the old value, and the tensor then takes the
new value and the new ``grad_fn`` — so the graph stays correct. Either way
the version counter goes up, and a backward that saved the old value raises
instead of computing a wrong gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.autograd.grad_mode import _grad_state
from tinygrad_edu.tensor import Tensor, _as_tensor, _wrap


def _records_graph(a: Tensor, other: Any) -> bool:
    """Whether ``a op= other`` must be recorded: grad mode on and either side requires grad."""
    return _grad_state.enabled and (
        a.requires_grad or (isinstance(other, Tensor) and other.requires_grad)
    )


def _check_graph_inplace(a: Tensor, op_name: str) -> None:
    if a.requires_grad and a.grad_fn is None:
        raise RuntimeError(
            f"{op_name}: a leaf Variable that requires grad is being used in an in-place "
            f"operation. Update parameters inside `with no_grad():`."
        )
    if not a.array.flags.owndata:
        raise RuntimeError(
            f"{op_name}: in-place operations on a view of a tensor inside the graph are not "
            f"supported here; use the out-of-place op instead"
        )


def _check_writeable(a: Tensor, op_name: str) -> None:
    if not a.array.flags.writeable:
        raise RuntimeError(
            f"{op_name}: this tensor's memory is read-only (from_numpy of a read-only numpy "
            f"array?); clone() it, or make the array writeable, before changing it in place"
        )


def _write(a: Tensor, new_value: Tensor, op_name: str) -> None:
    _check_writeable(a, op_name)
    if new_value.shape != a.shape:
        raise RuntimeError(
            f"{op_name}: output with shape {tuple(a.shape)} doesn't match the broadcast shape "
            f"{tuple(new_value.shape)}"
        )
    try:  # copy_ converts any dtype, as PyTorch's; the arithmetic ops only the same kind
        np.copyto(a.array, new_value.array,
                  casting="unsafe" if op_name == "copy_" else "same_kind")
    except TypeError:
        raise RuntimeError(
            f"{op_name}: result type {new_value.dtype} can't be cast to the desired output "
            f"type {a.dtype}"
        ) from None
    a._version.value += 1


def _take_history(a: Tensor, new_value: Tensor) -> None:
    a.grad_fn = new_value.grad_fn
    a.requires_grad = new_value.requires_grad


def _stand_in(a: Tensor, keep_copy: bool) -> Tensor:
    """A tensor for ``a``'s old value, with ``a``'s graph node.

    Inside the graph it holds a copy, because the op recorded on it may save
    the old value for backward (``h.mul_(x)`` needs the old h for x's
    gradient) and ``a``'s array is about to be overwritten. Outside the graph
    nothing is saved, so it shares ``a``'s array.
    """
    if keep_copy:
        return _wrap(a.array.copy(), a.requires_grad, a.grad_fn)
    old = _wrap(a.array, a.requires_grad, a.grad_fn)
    old._version = a._version
    return old


def update(a: Tensor, ufunc: Any, other: Any, op_name: str,
           out_of_place: Callable[[Tensor], Tensor]) -> Tensor:
    """``a ⊙= other`` for a numpy ufunc ⊙ (add, subtract, multiply, divide)."""
    if _records_graph(a, other):
        return assign(a, out_of_place, op_name, other)
    other_data = other.array if isinstance(other, Tensor) else other
    if not isinstance(other, (Tensor, np.ndarray)):
        other_data = _as_tensor(other, a, op_name).array
    try:
        ufunc(a.array, other_data, out=a.array, casting="same_kind")
    except TypeError:  # numpy checks casting before writing anything: a is unchanged
        result = dtypes.result_type(a.array, np.asarray(other_data))
        if ufunc is np.divide and result.kind != "f":  # true division: the default float
            result = dtypes.get_default_dtype().np_dtype
        raise RuntimeError(
            f"{op_name}: result type {dtypes.from_numpy_dtype(result)} can't be cast to the "
            f"desired output type {a.dtype}"
        ) from None
    except ValueError:
        _check_writeable(a, op_name)
        raise RuntimeError(
            f"{op_name}: output with shape {tuple(a.shape)} doesn't match the broadcast shape "
            f"of the operand {tuple(np.shape(other_data))}"
        ) from None
    a._version.value += 1
    return a


def assign(a: Tensor, compute: Callable[[Tensor], Tensor], op_name: str,
           other: Any = None) -> Tensor:
    """Replace ``a``'s value by ``compute(old a)``, recording the op when the graph needs it.

    ``other`` is the op's other operand, if any: with ``a`` it decides whether
    the op is recorded, and so whether the old value must be kept as a copy.
    """
    new_value = compute(_stand_in(a, keep_copy=_records_graph(a, other)))
    if not new_value.requires_grad:
        _write(a, new_value, op_name)
        return a
    _check_graph_inplace(a, op_name)
    if new_value.dtype != a.dtype:
        new_value = new_value.to(a.array.dtype)
    _write(a, new_value, op_name)
    _take_history(a, new_value)
    return a


def fill(a: Tensor, value: Any, op_name: str) -> Tensor:
    """Set every element to ``value``; inside the graph the gradient to the old value is 0."""
    if _grad_state.enabled and a.requires_grad:
        fill_value = value
        return assign(a, lambda old: old * 0 + fill_value, op_name)
    if not isinstance(value, (Tensor, int, float, bool, np.number, np.bool_)):
        raise TypeError(f"{op_name}(): argument 'value' must be a number or a 0-d Tensor, "
                        f"not {type(value).__name__}")
    _check_writeable(a, op_name)
    a.array[...] = value.array if isinstance(value, Tensor) else value
    a._version.value += 1
    return a
