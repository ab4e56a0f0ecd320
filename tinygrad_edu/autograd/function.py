"""``Function``: the one mechanism behind every differentiable op.

An op is a subclass with two static methods, exactly as in PyTorch::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):            # tensors in, numpy inside
            out = tinygrad_edu.tensor(np.exp(x.array))  # keeps x's dtype
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad_output):  # Tensor ops, so it is differentiable too
            (out,) = ctx.saved_tensors
            return grad_output * out

``Exp.apply(x)`` runs ``forward`` and, when a gradient is wanted, makes the
``Function`` instance (the ``ctx``) the output's ``grad_fn``: a node of the
graph that remembers its inputs' nodes in ``next_functions``.

No reference cycles: a node refers to the nodes of its inputs and to the
tensors it saved, never to its own output. When an op saves its own output
(as ``Exp`` does above), only the output's array is kept, and
``saved_tensors`` rebuilds a tensor around it at backward time. So a graph is
freed by reference counting as soon as the last tensor of it goes away.
"""

from __future__ import annotations

import traceback
import weakref
from itertools import product
from typing import Any

import numpy as np

from tinygrad_edu.autograd.grad_mode import _per_thread
from tinygrad_edu.tensor import _INT_GRAD_MESSAGE, Tensor, _wrap

SECOND_BACKWARD_MESSAGE = (
    "Trying to backward through the graph a second time (or to read saved tensors after "
    "they were freed). Saved values are released after backward; pass retain_graph=True "
    "to the first backward() if you need to go through the graph again."
)


class _SavedOutput:
    """An op's own output kept as its array only (keeping the Tensor would be a cycle).

    It shares the output's version counter, under the same name as a Tensor's,
    so that in-place changes to the output are caught like any saved tensor's.
    """

    __slots__ = ("array", "_version_counter")

    def __init__(self, output: Tensor) -> None:
        self.array = output.array
        self._version_counter = output._version


# The saved-versions tuple of a node whose saved tensors were never changed in place,
# shared by every such node (kept apart from _NEEDS_TUPLES: (0, 0) == (False, False)).
_UNCHANGED_VERSIONS = {(0,) * count: (0,) * count for count in range(1, 9)}


# needs_input_grad tuples for up to four inputs, made once and shared by every node
# (kept apart from _UNCHANGED_VERSIONS: (False, False) == (0, 0), a tuple of versions).
_NEEDS_TUPLES = {
    flags: flags for count in range(1, 5) for flags in product((False, True), repeat=count)
}


class _AnomalyMode:
    """``_AnomalyState.enabled``: the current thread's anomaly mode (off in a new thread)."""

    @property
    def enabled(self) -> bool:
        return _per_thread.flag.anomaly

    @enabled.setter
    def enabled(self, mode: bool) -> None:
        _per_thread.flag.anomaly = mode


_AnomalyState = _AnomalyMode()


class Function:
    """Base class of differentiable ops; an instance is both ``ctx`` and graph node.

    Subclasses write ``forward(ctx, *inputs)`` (returns a Tensor or a numpy
    array) and ``backward(ctx, grad_output)`` (returns one gradient, or None,
    per input of ``forward``, as Tensors).
    """

    # Defaults on the class so that an op that needs none of them pays nothing.
    next_functions: tuple = ()
    needs_input_grad: tuple = ()
    output_shape: tuple = ()
    output_dtype: np.dtype | None = None
    _saved: tuple | None = None
    _saved_versions: tuple = ()
    _saves_output: bool = False  # one of _saved is a _SavedOutput
    # An op whose derivative is written with its output (tanh, sigmoid, exp) sets this:
    # forward returns an array, apply saves the output (ctx.saved_tensors == (out,)).
    # Measured for tanh of a (4, 3) array: 3.0 µs as save_for_backward(out), 2.2 this way.
    saves_output: bool = False
    _released: bool = False
    _hooks: list | None = None
    _retained: weakref.ref | None = None
    _created_at: str | None = None
    _dirty: tuple = ()  # inputs that forward changed in place (mark_dirty)
    _makes_view: bool = False  # the library's view ops (reshape, permute, expand, getitem)
    _name: str | None = None  # PyTorch's name for the op this node finishes (ops.torch_name)

    @staticmethod
    def forward(ctx: Function, *args: Any) -> Tensor | np.ndarray:
        raise NotImplementedError("a Function subclass must define forward(ctx, *inputs)")

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor | tuple | None:
        raise NotImplementedError("a Function subclass must define backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        """Run ``forward`` and record the node if any input requires grad.

        This runs for every op, forward and backward, so it is written for
        speed: the usual one or two inputs are looked at without a loop (a
        loop costs more than a small op), and nothing is recorded when no
        input needs a gradient.
        """
        grad_mode = _per_thread.flag  # this thread's grad mode
        if grad_mode.recorder is not None:  # tg.compile is recording (autograd/recording.py)
            return grad_mode.recorder.apply(cls, args)
        ctx = cls()
        edges = None  # per input: the node its gradient goes to, None if it needs none
        if grad_mode.enabled:
            count = len(args)
            if count == 1:
                edges = (_edge_of(args[0]),)
                needs = (edges[0] is not None,)
            elif count == 2:
                edges = (_edge_of(args[0]), _edge_of(args[1]))
                needs = (edges[0] is not None, edges[1] is not None)
            else:  # one loop for both (measured: 0.79 → 0.61 µs for batch_norm's 7 inputs)
                edge_list, need_list = [], []
                for a in args:
                    edge = _edge_of(a) if isinstance(a, Tensor) else None
                    edge_list.append(edge)
                    need_list.append(edge is not None)
                edges, needs = tuple(edge_list), tuple(need_list)
            if True not in needs:
                edges = None
        if edges is None:  # nothing to record: just compute
            ctx.needs_input_grad = (False,) * len(args)
            result = cls.forward(ctx, *args)
            if type(result) is np.ndarray:
                return _wrap(result)
            if ctx._dirty and any(result is t for t in ctx._dirty):
                result._version.value += 1
                return result
            return _as_result(result, args, ctx)

        ctx.needs_input_grad = _NEEDS_TUPLES.get(needs, needs)
        ctx.next_functions = edges
        grad_mode.enabled = False  # forward itself is never recorded
        try:
            result = cls.forward(ctx, *args)
        finally:
            grad_mode.enabled = True
        if isinstance(result, np.generic):  # numpy gives scalars for 0-d results
            result = np.asarray(result)
        if type(result) is np.ndarray:
            result = _wrap(result, True, ctx)
            if cls.saves_output:
                ctx._saved = (_SavedOutput(result),)
                ctx._saved_versions = _UNCHANGED_VERSIONS[(0,)]
                ctx._saves_output = True
        else:
            if ctx._dirty and any(result is t for t in ctx._dirty):  # in-place custom op
                return views.dirty_output(ctx, result)
            result = _as_result(result, args, ctx)
            if result._view is not None and not cls._makes_view:  # a view made in forward
                views.mark_custom(result, ctx)
            result.requires_grad = True
            result.grad_fn = ctx
            saved = ctx._saved
            if saved:
                for t in saved:
                    if t is result:  # keep the output's array only: no cycle through grad_fn
                        ctx._saved = tuple([_SavedOutput(t) if t is result else t for t in saved])
                        ctx._saves_output = True
                        break
        data = result.array
        ctx.output_shape = data.shape
        ctx.output_dtype = data.dtype
        if grad_mode.anomaly:
            ctx._created_at = "".join(traceback.format_stack()[:-1])
        return result

    # ----- what backward can use -------------------------------------------------
    def mark_dirty(self, *tensors: Tensor) -> None:
        """Say that forward changed these inputs in place (and returns them), as in PyTorch."""
        self._dirty = tensors

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; in-place changes to them are caught there."""
        if True not in self.needs_input_grad:
            return  # no backward will run: keep nothing
        self._saved = tensors
        versions = []  # each one's in-place count (0 if it has no counter yet)
        try:
            for t in tensors:
                counter = None if t is None else t._version_counter
                versions.append(0 if counter is None else counter.value)
        except AttributeError:  # not a Tensor: PyTorch's TypeError, before backward runs
            self._saved = None
            raise TypeError(f"save_for_backward can only save tensors (or None), but argument "
                            f"{len(versions)} is of type {type(t).__name__}") from None
        versions = tuple(versions)
        # Almost every node saves tensors never changed in place: one shared (0, ..., 0)
        # means fewer live objects for Python's cyclic garbage collector to walk (measured:
        # it took a third of a 200,000-op chain's time). Other tuples are not cached: a
        # parameter's version grows every step, so they would not repeat.
        self._saved_versions = _UNCHANGED_VERSIONS.get(versions, versions)

    @property
    def saved_tensors(self) -> tuple:
        """The saved tensors, checked against in-place changes since they were saved."""
        saved = self._saved
        if saved is None:
            if self._released:
                raise RuntimeError(SECOND_BACKWARD_MESSAGE)
            return ()
        for t, version in zip(saved, self._saved_versions):
            if t is not None and t._version_counter is not None:
                if t._version_counter.value != version:
                    self._raise_modified(t.array.shape, t._version_counter.value, version)
        if self._saves_output:  # rebuild the output around its array, as this node's output
            return tuple([_wrap(t.array, True, self) if type(t) is _SavedOutput else t
                          for t in saved])
        return saved

    def _raise_modified(self, shape: tuple, now: int, expected: int) -> None:
        raise RuntimeError(
            f"one of the tensors needed by {self.name()} to compute gradients (shape "
            f"{tuple(shape)}) has been modified by an in-place operation: it is at version "
            f"{now}; expected version {expected}. Use an out-of-place op (x = x * 2, not "
            f"x *= 2) or clone() the tensor before changing it."
        )

    def release(self) -> None:
        """Drop the saved tensors (done by backward unless retain_graph=True)."""
        if self._saved is not None:
            self._saved = None
            self._released = True

    # ----- naming, for reprs, drawings and error messages -----------------------
    def name(self) -> str:
        """PyTorch-style node name, e.g. ``MulBackward0``."""
        return self._name or f"{type(self).__name__}Backward0"

    @property
    def op_name(self) -> str:
        """Short op name for drawings, e.g. ``mul``."""
        return type(self).__name__.lower()

    def register_hook(self, hook: Any) -> None:
        """Call ``hook(grad_output)`` when the gradient of this node's output is complete."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)

    def __repr__(self) -> str:
        return f"<{self.name()}>"


class AccumulateGrad:
    """The node behind a leaf tensor: adds the gradient that reaches it into ``.grad``.

    One per leaf, created on first use and kept by the leaf. It refers to the
    leaf weakly, so leaf and node form no cycle.
    """

    __slots__ = ("variable", "_hooks", "__weakref__")
    next_functions: tuple = ()
    _retained = None

    def __init__(self, leaf: Tensor) -> None:
        self.variable = weakref.ref(leaf)
        self._hooks = None

    # The shape and dtype a gradient must have, read from the leaf (the engine
    # compares them as it does a Function's); None once the leaf is gone.
    @property
    def output_shape(self) -> tuple | None:
        leaf = self.variable()
        return None if leaf is None else leaf.array.shape

    @property
    def output_dtype(self) -> np.dtype | None:
        leaf = self.variable()
        return None if leaf is None else leaf.array.dtype

    def name(self) -> str:
        return "AccumulateGrad"

    op_name = "accumulate_grad"

    def __repr__(self) -> str:
        return "<AccumulateGrad>"


def gradient_edge(t: Tensor) -> Function | AccumulateGrad:
    """The node a gradient for ``t`` flows into: its grad_fn, or its leaf accumulator."""
    if t.grad_fn is not None:
        return t.grad_fn
    acc = t._accumulator
    if acc is None:
        if t.array.dtype.kind != "f":  # set by `t.requires_grad = True`, which nothing checks
            raise RuntimeError(_INT_GRAD_MESSAGE.format(t.dtype))
        acc = t._accumulator = AccumulateGrad(t)
    return acc


def _edge_of(value: Any) -> Function | AccumulateGrad | None:
    """The node a gradient for the op input ``value`` goes to; None if it needs none."""
    if isinstance(value, Tensor) and value.requires_grad:  # nn.Parameter too
        return value.grad_fn or value._accumulator or gradient_edge(value)
    return None


def _as_result(result: Any, args: tuple, ctx: Function) -> Tensor:
    """``forward``'s result as a new Tensor holding a numpy array (not a numpy scalar)."""
    if not isinstance(result, Tensor):
        return _wrap(np.asarray(result))
    for a in args:
        if result is a:  # an input returned as is: a view of it (views.py), never the input
            return views.alias_of(a, ctx)
    if type(result.array) is not np.ndarray:  # numpy gives scalars for 0-d results
        result.array = np.asarray(result.array)
    return result


from tinygrad_edu.autograd import views  # noqa: E402 - views.py builds on Function
