"""In-place ops (``add_``, ``-=``, ``copy_``, ``x[i] = v`` ...): the array changes, the
version counter counts it.

Outside the graph (``no_grad``, or nothing requires grad) the change is one
numpy call writing into the array. Inside the graph the op is recorded out of
place on a stand-in for the old value, the new value is written into the
array, and the tensor takes the new ``grad_fn`` — and so do its base and its
views, which share the memory (autograd/views.py). Either way the version
counter goes up, and a backward that saved the old value raises instead of
computing a wrong gradient. Every check is made before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.autograd import views
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import _grad_state, _per_thread
from tinygrad_edu.autograd.recording import note_write
from tinygrad_edu.tensor import Tensor, _as_tensor, _broadcastable, _wrap


def _records_graph(a: Tensor, other: Any) -> bool:
    """Whether ``a op= other`` must be recorded: grad mode on and either side requires grad."""
    return _grad_state.enabled and (
        a.requires_grad or (isinstance(other, Tensor) and other.requires_grad)
    )


def _check(a: Tensor, records: bool, op_name: str) -> None:
    """The checks before a write: the graph can be made, and numpy can write the memory."""
    note_write(a, op_name)  # tg.compile cannot repeat this write (recording.py)
    if records or a._view is not None:
        views.check_inplace(a, records)
    if not a.array.flags.writeable:
        raise views.writable_error(a, op_name)


def _write(a: Tensor, new_value: Tensor, op_name: str) -> None:
    if np.broadcast_shapes(new_value.shape, a.shape) != a.shape:
        raise RuntimeError(
            f"{op_name}: output with shape {tuple(a.shape)} doesn't match the broadcast shape "
            f"{tuple(np.broadcast_shapes(new_value.shape, a.shape))}"
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
    if _records_graph(a, other) or (a._view is not None and _grad_state.enabled):
        return assign(a, out_of_place, op_name, other)
    if _per_thread.flag.recorder is not None:  # tg.compile replays it as one step (recording.py)
        return _per_thread.flag.recorder.call(update, (a, ufunc, other, op_name, None), {})
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
        if not a.array.flags.writeable:
            raise views.writable_error(a, op_name) from None
        raise RuntimeError(
            f"{op_name}: output with shape {tuple(a.shape)} doesn't match the broadcast shape "
            f"of the operand {tuple(np.shape(other_data))}"
        ) from None
    a._version.value += 1
    return a


def assign(a: Tensor, compute: Callable[[Tensor], Tensor], op_name: str,
           other: Any = None, keep_copy: bool = True) -> Tensor:
    """Replace ``a``'s value by ``compute(old a)``, recording the op when the graph needs it.

    ``other`` is the op's other operand, if any: with ``a`` it decides whether
    the op is recorded, and so whether the old value must be kept as a copy
    (``keep_copy=False``: the op saves nothing, so no copy is needed).
    """
    records = _records_graph(a, other)
    _check(a, records, op_name)
    new_value = compute(_stand_in(a, keep_copy=records and keep_copy))
    if not records:
        _write(a, new_value, op_name)
        return a
    if new_value.dtype != a.dtype:
        new_value = new_value.to(a.array.dtype)
    _write(a, new_value, op_name)
    views.record_write(a, new_value)
    return a


class Copy(Function):
    """out = src (broadcast to old's shape, in old's dtype): ``old.copy_(src)``.

    d/d(old) = 0,  d/d(src) = 1 (summed over the dims src was broadcast along).
    """

    @staticmethod
    def forward(ctx, old, src):
        return np.broadcast_to(src.array, old.array.shape).astype(old.array.dtype)

    @staticmethod
    def backward(ctx, g):
        zeros = _wrap(np.zeros_like(g.array)) if ctx.needs_input_grad[0] else None
        return zeros, g


def copy(a: Tensor, src: Any, op_name: str) -> Tensor:
    """``copy_``, ``fill_`` and ``zero_``: every element of ``a`` replaced by ``src``'s."""
    src = _as_tensor(src, a, op_name)
    if not _broadcastable(src.array.shape, a.array.shape) or np.broadcast_shapes(
            src.shape, a.shape) != a.shape:
        raise RuntimeError(
            f"{op_name}: the source of shape {tuple(src.shape)} cannot be broadcast to the "
            f"tensor's shape {tuple(a.shape)}"
        )
    return assign(a, lambda old: Copy.apply(old, src), op_name, src, keep_copy=False)


def setitem(a: Tensor, index: Any, value: Any) -> None:
    """``a[index] = value`` in place; inside the graph it is recorded (views.CopySlices):
    the overwritten elements' old values get no gradient, ``value`` gets theirs."""
    from tinygrad_edu.ops.movement import GetItem, _numpy_index

    np_index = _numpy_index(index)
    if isinstance(value, (list, tuple)):
        value = _wrap(np.asarray(value, dtype=a.array.dtype))
    value = _as_tensor(value, a, "setitem")
    records = _records_graph(a, value)
    _check(a, records, "setitem")
    try:
        a.array[np_index] = value.array
    except IndexError as error:
        raise IndexError(f"{error} (indexing a tensor of shape {tuple(a.shape)})") from None
    except ValueError:
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast "
            f"to indexing result of shape {list(np.shape(a.array[np_index]))}"
        ) from None
    a._version.value += 1
    if records:
        if value.dtype != a.dtype:
            value = value.to(a.array.dtype)
        views.record_write(a, value, (GetItem, (np_index,)))


def fill(a: Tensor, value: Any, op_name: str) -> Tensor:
    """``fill_`` and ``zero_`` (and random.py's in-place draws): every element set to ``value``."""
    if not isinstance(value, (Tensor, int, float, bool, np.number, np.bool_)):
        raise TypeError(f"{op_name}(): argument 'value' must be a number or a 0-d Tensor, "
                        f"not {type(value).__name__}")
    return copy(a, value, op_name)


def fill_(a: Tensor, value: Any) -> Tensor:
    """``t.fill_(value)``: a number or a 0-d tensor (a larger one is ``copy_``'s job)."""
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor "
                           f"with {value.ndim} dimensions.")
    return fill(a, value, "fill_")
