"""Views and in-place ops: how a view keeps seeing its base's history.

A *view* (``y[0:2]``, ``y.T``, ``y.reshape(4)``, ``y.unsqueeze(0)``,
``y.expand(2, 3)``) shares its base's memory, so an in-place op on either one
changes the values of both. Their gradients must change too, or backward would
silently use the old graph. We follow PyTorch's rule:

1. A view remembers its *base* (the tensor that owns the memory) and the
   *steps* that made it from the base, e.g. ``((GetItem, (slice(0, 2),)),
   (Permute, ((1, 0),)))``. The base's version counter lists its live views.
2. An in-place op on the base gives the base a new ``grad_fn`` (the op, recorded
   out of place: ops/inplace.py). An in-place op on a view, or ``x[i] = v``,
   gives the base a ``CopySlices`` node: "the old base, with the written region
   replaced by the new values". Its derivative: the old base gets the gradient
   with that region zeroed, the new values get the region of the gradient.
3. Then every live view of that base gets a new ``grad_fn``: its steps are
   replayed on the base's new history (``_refresh_views``).

Some in-place ops would need a graph that cannot be made, and raise PyTorch's
error instead: on a leaf that requires grad or a view of one, on a view made
under ``no_grad`` (whose base requires grad), on the output of a custom
``Function`` that returned its input (or a view of it) as is.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function, gradient_edge
from tinygrad_edu.autograd.grad_mode import is_grad_enabled
from tinygrad_edu.tensor import Tensor, _wrap

DEFAULT, NO_GRAD, CUSTOM = "default", "no_grad", "custom"  # how a view was made

LEAF_MESSAGE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_MESSAGE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
NO_GRAD_MESSAGE = (
    "A view was created in no_grad mode and {what} modified inplace with grad mode enabled. "
    "Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify "
    "your code by moving both the view and the inplace either both inside the no_grad block "
    "(if you don't want the inplace to be tracked) or both outside (if you want the inplace "
    "to be tracked)."
)
CUSTOM_MESSAGE = (
    "Output 0 of {name} is a view and {what} modified inplace. This view was created inside "
    "a custom Function (or because an input was returned as-is) and the autograd logic to "
    "handle view+inplace would override the custom backward associated with the custom "
    "Function, leading to incorrect gradients. This behavior is forbidden. You can fix this "
    "by cloning the output of the custom Function."
)
OVERLAP_MESSAGE = (
    "unsupported operation: more than one element of the written-to tensor refers to a "
    "single memory location. Please clone() the tensor before performing the operation."
)


class ViewInfo:
    """What a view remembers: its base, the steps from the base, and how it was made."""

    __slots__ = ("base", "steps", "kind", "maker")

    def __init__(self, base: Tensor, steps: tuple, kind: str, maker: str = "") -> None:
        self.base = base
        self.steps = steps
        self.kind = kind
        self.maker = maker


def _owner(array: np.ndarray) -> np.ndarray:
    return array if array.base is None else array.base


def view_of(a: Tensor, array: np.ndarray, op: type, args: tuple, ctx: Function) -> Tensor:
    """Wrap ``array`` (made from ``a.array`` by ``op(a, *args)``); if it is a numpy view of
    ``a``'s memory, make it a view of ``a``'s base: the same version counter, and listed."""
    out = _wrap(array)
    if _owner(array) is not _owner(a.array):  # numpy had to copy (reshape of a transpose)
        return out
    counter = out._version_counter = a._version
    parent = a._view
    recorded = True in ctx.needs_input_grad or is_grad_enabled()
    if parent is None:
        out._view = ViewInfo(a, ((op, args),), DEFAULT if recorded else NO_GRAD)
    else:
        out._view = ViewInfo(parent.base, parent.steps + ((op, args),),
                             DEFAULT if recorded else NO_GRAD)
    _register(counter, out)
    return out


def _register(counter: Any, view: Tensor) -> None:
    """Add ``view`` to the counter's list; dead entries are dropped as the list grows."""
    views = counter.views
    if views is None:
        counter.views = [weakref.ref(view)]
        return
    while views and views[-1]() is None:  # last step's W.T is gone: the list stays short
        views.pop()
    views.append(weakref.ref(view))
    if len(views) > 64 and len(views) & (len(views) - 1) == 0:  # at 128, 256 ...: prune
        views[:] = [ref for ref in views if ref() is not None]


# ----- checks made before an in-place op writes anything ----------------------------------
def check_inplace(a: Tensor, records: bool) -> None:
    """Raise PyTorch's error if an in-place op on ``a`` cannot be given a correct graph."""
    info = a._view
    if records and a.requires_grad and a.grad_fn is None:
        raise RuntimeError(LEAF_MESSAGE)
    if info is None:
        return
    if records and info.base.requires_grad and info.base.grad_fn is None:
        raise RuntimeError(VIEW_OF_LEAF_MESSAGE)
    if info.kind == NO_GRAD and is_grad_enabled() and (records or info.base.requires_grad):
        raise RuntimeError(NO_GRAD_MESSAGE.format(what="is being"))
    if info.kind == CUSTOM and records:
        raise RuntimeError(CUSTOM_MESSAGE.format(name=info.maker, what="is being"))


def writable_error(a: Tensor, op_name: str) -> RuntimeError:
    """The error for an in-place op on memory numpy will not write (expand, read-only)."""
    if any(s == 0 and n > 1 for s, n in zip(a.array.strides, a.array.shape)):
        return RuntimeError(OVERLAP_MESSAGE)
    return RuntimeError(
        f"{op_name}: this tensor's memory is read-only (from_numpy of a read-only numpy "
        f"array?); clone() it, or make the array writeable, before changing it in place"
    )


# ----- recording a write -------------------------------------------------------------------
class CopySlices(Function):
    """new base = old base with the region that ``steps`` select replaced by ``value``.

    d/d(old base) = 1 outside the region, 0 inside;  d/d(value) = the region of the
    gradient (summed over the dims where value was broadcast). The values were
    already written by the in-place op: forward only records what they mean.
    """

    @staticmethod
    def forward(ctx, base, value, steps):
        ctx.region = _region(base.array.shape, steps)
        return base.array

    @staticmethod
    def backward(ctx, g):
        grad_base = grad_value = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(g.array.size, g.array.dtype)
            keep[ctx.region.reshape(-1)] = 0
            grad_base = g * _wrap(keep.reshape(g.array.shape))
        if ctx.needs_input_grad[1]:
            grad_value = g.reshape(-1)[_wrap(ctx.region)]
        return grad_base, grad_value, None


def _region(shape: tuple, steps: tuple) -> np.ndarray:
    """The flat positions, in a base of ``shape``, of the elements the steps select."""
    positions = _wrap(np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape))
    for op, args in steps:
        positions = op.apply(positions, *args)
    return np.asarray(positions.array)


def _as_input(t: Tensor) -> Tensor:
    """A stand-in for ``t`` with ``t``'s graph node (its memory, no version counter)."""
    stand_in = _wrap(t.array, t.requires_grad, t.grad_fn)
    if t.requires_grad and t.grad_fn is None:
        stand_in._accumulator = gradient_edge(t)
    return stand_in


def record_write(a: Tensor, value: Tensor, index_step: tuple | None = None) -> None:
    """``a`` (or ``a[index]`` for ``index_step``) was overwritten in place by ``value``:
    give ``a``, its base and all their views the history that says so."""
    info = a._view
    steps = () if info is None else info.steps
    if index_step is not None:
        steps = steps + (index_step,)
    base = a if info is None else info.base
    old_node = a.grad_fn
    if steps:
        value = CopySlices.apply(_as_input(base), value, steps)
    old_base_node = base.grad_fn
    base.grad_fn, base.requires_grad = value.grad_fn, True
    _move_retained(base, old_base_node)
    _refresh_views(base)
    if a is not base:
        _move_retained(a, old_node)


def _move_retained(t: Tensor, old_node: Any) -> None:
    """``retain_grad()`` follows the tensor to its new node, as in PyTorch."""
    retained = None if old_node is None else old_node._retained
    if retained is not None and retained() is t and t.grad_fn is not old_node:
        t.grad_fn._retained, old_node._retained = retained, None


def _refresh_views(base: Tensor) -> None:
    """Give every live view of ``base`` a grad_fn made from the base's current one."""
    counter = base._version_counter
    if counter is None or not counter.views:
        return
    alive = []
    for ref in counter.views:
        view = ref()
        if view is None:
            continue
        alive.append(ref)
        info = view._view
        if info.base is not base:  # a view of another tensor sharing the counter (detach())
            continue
        if info.kind == DEFAULT:
            replayed = _as_input(base)
            for op, args in info.steps:
                replayed = op.apply(replayed, *args)
            old_node = view.grad_fn
            view.grad_fn, view.requires_grad = replayed.grad_fn, replayed.requires_grad
            _move_retained(view, old_node)
        else:  # PyTorch refuses to guess these views' gradients: so does their backward
            what = "its base or another view of its base has been"
            message = (NO_GRAD_MESSAGE.format(what=what) if info.kind == NO_GRAD
                       else CUSTOM_MESSAGE.format(name=info.maker, what=what))
            view.grad_fn, view.requires_grad = _Refused(view, message), True
    counter.views = alive


class _Refused(Function):
    """The node of a view whose gradient PyTorch refuses to define: backward raises."""

    def __init__(self, view: Tensor, message: str) -> None:
        self.message = message
        self.output_shape, self.output_dtype = view.array.shape, view.array.dtype

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError(ctx.message)


# ----- custom Functions whose forward returns an input ----------------------------------
def alias_of(a: Tensor, ctx: Function) -> Tensor:
    """An input returned as is by a custom forward: a view of it (memory and version counter
    shared) that may not be changed in place, as in PyTorch."""
    return mark_custom(view_of(a, a.array, _Alias, (), ctx), ctx)


def mark_custom(out: Tensor, ctx: Function) -> Tensor:
    if out._view is not None:
        out._view.kind, out._view.maker = CUSTOM, type(ctx).__name__
    return out


class _Alias(Function):
    """out = a (the same memory).   d/da = 1."""

    @staticmethod
    def forward(ctx, a):
        return view_of(a, a.array, _Alias, (), ctx)

    @staticmethod
    def backward(ctx, g):
        return g


def dirty_output(ctx: Function, a: Tensor) -> Tensor:
    """``ctx.mark_dirty(a)`` and forward returned ``a``: ``a`` changed in place; its (and its
    base's and views') history now goes through ``ctx``."""
    if a.requires_grad and a.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad has been used in an in-place "
                           "operation.")
    check_inplace(a, True)
    a._version.value += 1
    ctx.output_shape, ctx.output_dtype = a.array.shape, a.array.dtype
    record_write(a, _wrap(a.array, True, ctx))
    return a
