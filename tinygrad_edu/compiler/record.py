"""Step 1 of the compiler: run the step eagerly once, and write down what it did.

While a ``Recorder`` is switched on (``autograd/recording.py``), every op the
step runs — forward ops, each node's backward, the gradients added into
``.grad``, a library function marked ``recorded_as_one`` (an optimizer step,
batch norm, cross-entropy ...) — is computed exactly as in eager mode, *and*
written down as a ``Unit``: what was called, with which arguments, and which
arrays came out. An op run inside another unit (the ops of a node's backward,
say) is not written down separately: calling the outer unit again repeats it.

Each array that comes out of a unit gets a *slot*; a later unit that reads the
same array (by ``id``) reads that slot. The recorder does not keep those arrays
alive — eager mode frees an array after its last reader, and so must a recorded
call, or it holds the whole step at once (benchmark case 7: 3.6 MB above the
set-up, where eager mode's peak is 1.9 MB). It keeps a weak reference instead
(an ``id`` names an array only while the array lives), the array's layout, and in
the units a *ghost* of it: a read-only array of its shape and dtype that is one
element in memory, which tells the build what the array looked like. It also notes
what a program cannot repeat — a value read into Python in the middle of the
step, a hook, an in-place write outside a unit — as ``failure``: the first reason
not to compile this step.
"""

from __future__ import annotations

import weakref
from types import SimpleNamespace
from typing import Any

import numpy as np

from tinygrad_edu.autograd.engine import _accumulate_into
from tinygrad_edu.autograd.function import AccumulateGrad, _SavedOutput
from tinygrad_edu.autograd.grad_mode import _per_thread
from tinygrad_edu.tensor import Tensor, _wrap


class Made:
    """In a compacted first recording: "the array that unit output ``slot`` held"."""

    __slots__ = ("slot",)

    def __init__(self, slot: int) -> None:
        self.slot = slot


class Unit:
    """One step of a recorded program.

    ``kind`` is one of
      "apply"       ``target.apply(*args)`` (a Function: one op, with its node);
      "call"        ``target(*args, **kwargs)`` (a function marked ``recorded_as_one``);
      "backward"    the backward of node ``target`` (a (unit, index) pair), ``args = [grad]``;
      "begin"       a backward pass starts, ``args`` = the gradients it starts from;
      "accumulate"  ``target.grad += args[0]`` (the engine's rule: the first one is stored);
      "drop_grad"   ``target.grad = None`` (a ``p.grad = None`` in the step).
    ``leaves`` are the arguments, flattened (``flatten``); ``outputs`` the slot of
    each array that came out (None for what is not an array).
    """

    __slots__ = ("kind", "target", "leaves", "tree", "grad_mode", "outputs", "node_count",
                 "needs", "children", "node", "cleared", "held")

    def __init__(self, kind: str, target: Any, leaves: list, tree: Any = None,
                 grad_mode: bool = False) -> None:
        self.kind, self.target, self.leaves, self.tree = kind, target, leaves, tree
        self.grad_mode = grad_mode
        self.outputs: list = []
        self.node_count = 0
        self.needs: tuple = ()  # an op's ctx.needs_input_grad, for a replay without apply
        self.children: list | None = None  # backward: the ops it ran (None: not known)
        self.node: Any = None  # backward: the node that ran
        self.cleared: set = set()  # call: ids of the watched leaves whose .grad it set to None
        self.held: tuple = ()  # backward: the slots of the arrays its node holds (it reads them)

    def describe(self) -> str:
        """A short name for messages: ``Mul``, ``cross_entropy``, ``backward of Mul`` ..."""
        if self.kind in ("apply", "call"):
            return getattr(self.target, "__qualname__", repr(self.target))
        return self.kind


def flatten(value: Any, leaves: list) -> Any:
    """Append the leaves of nested tuples, lists and dicts to ``leaves``; return the shape."""
    kind = type(value)
    if kind is tuple or kind is list:
        return (kind, tuple([flatten(v, leaves) for v in value]))
    if kind is dict:
        return (dict, tuple([(k, flatten(v, leaves)) for k, v in value.items()]))
    leaves.append(value)
    return None


def unflatten(tree: Any, leaves: Any) -> Any:
    """The nested value ``flatten`` took apart, with ``leaves`` (an iterator) put back."""
    if tree is None:
        return next(leaves)
    kind, children = tree
    if kind is dict:
        return {k: unflatten(child, leaves) for k, child in children}
    return kind([unflatten(child, leaves) for child in children])


def new_nodes(outputs: list, known: dict, inputs: list) -> list:
    """The graph nodes an op or a unit made: walk back from its outputs' ``grad_fn`` and
    stop at leaves, at nodes made before (``known``) and at its inputs' nodes. The order is
    the same every time the unit runs, so the i-th node of a replay stands for the i-th
    node recorded."""
    order = []
    seen = {id(t.grad_fn) for t in inputs if isinstance(t, Tensor)}
    stack = [t.grad_fn for t in reversed(outputs) if isinstance(t, Tensor)]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or id(node) in known or type(node) is AccumulateGrad:
            continue
        seen.add(id(node))
        order.append(node)
        stack.extend(reversed(node.next_functions))
    return order


class Recorder:
    """Watches one eager run of a step (see the module docstring).

    ``inputs`` are the flattened arguments of the step: their arrays are slots
    0, 1, ... ``known_leaves`` are the tensors whose ``.grad`` an earlier
    recording saw the step change: their ``.grad`` is watched between units.
    """

    def __init__(self, inputs: list, known_leaves: list) -> None:
        self.units: list[Unit] = []
        self.inputs = list(inputs)  # the flattened arguments (the caller keeps them alive)
        self.layouts: list = []  # per slot: (shape, dtype, strides) of its array (None: no array)
        self.owner: list = []  # per slot: the first slot whose array shares its memory (a view)
        self._kept: dict[int, int] = {}  # id -> slot, of the arrays kept here: inputs, ghosts
        self._weak: dict[int, tuple] = {}  # id -> (slot, weak reference), the step's arrays
        self._roots: dict[int, tuple] = {}  # id of a memory's owner -> (first slot, weak ref)
        self._seen: dict[int, Any] = {}  # id -> weak reference, arrays units have read
        self._ghosts: dict[int, np.ndarray] = {}  # slot -> its ghost
        self.input_tensor: dict[int, int] = {}  # id(input Tensor) -> its index in inputs
        self.node_key: dict[int, tuple] = {}  # id(node) -> (unit index, position)
        self.nodes: list = []  # kept alive so that ids stay unique (backward drops their saved
        self.modules: list = []  # tensors, as in eager mode)
        self.reads: list = []  # (units recorded before the read, tensor, value)
        self.failure: str | None = None
        self.create_graph = False
        self.children: list | None = None  # set while a node's backward runs: its ops
        self.children_ok = True
        self.leaves: dict[int, Tensor] = {id(t): t for t in known_leaves}
        self.expected_grad: dict[int, Any] = {id(t): t.grad for t in known_leaves}
        self.n_inputs = len(inputs)
        for i, value in enumerate(inputs):
            array = value.array if isinstance(value, Tensor) else value
            if isinstance(value, Tensor):
                self.input_tensor[id(value)] = i
            is_array = isinstance(array, np.ndarray)
            if is_array:
                self._kept[id(array)] = i
                root = _memory_owner(array)
                self._roots.setdefault(id(root), (i, weakref.ref(root)))
            self.layouts.append(_layout(array) if is_array else None)
            self.owner.append(i)

    # ----- which array is which --------------------------------------------------------------
    def slot(self, array: Any) -> int | None:
        """The slot of ``array`` (an input's, an earlier unit's output's, or a ghost's), or None.
        A weak reference tells an array that is still alive from a new one that got the
        ``id`` of a freed one."""
        slot = self._kept.get(id(array))
        if slot is not None:
            return slot
        entry = self._weak.get(id(array))
        return entry[0] if entry is not None and entry[1]() is array else None

    def _new_slot(self, array: np.ndarray) -> int:
        """A slot for an array that came out of a unit: its layout, and which earlier slot's
        memory it shares if it is a view (the memory planner keeps that memory alive)."""
        slot = len(self.layouts)
        self.layouts.append(_layout(array))
        self._weak[id(array)] = (slot, weakref.ref(array))
        root = _memory_owner(array)
        first = self._roots.get(id(root))
        if first is None or first[1]() is not root:  # the first slot in this memory
            self._roots[id(root)] = (slot, weakref.ref(root))
            self.owner.append(slot)
        else:
            self.owner.append(self.owner[first[0]])
        return slot

    def _was_read(self, array: np.ndarray) -> bool:
        entry = self._seen.get(id(array))
        return entry is not None and entry() is array

    def _light(self, value: Any) -> Any:
        """A unit's argument as the recording keeps it: an array that an earlier unit made
        (a tensor around one) becomes its ghost, everything else stays as it is."""
        array = value.array if isinstance(value, Tensor) else value
        if not isinstance(array, np.ndarray):
            return value
        self._seen[id(array)] = weakref.ref(array)
        slot = self.slot(array)
        if slot is None or slot < self.n_inputs:
            return value
        ghost = self._ghosts.get(slot)
        if ghost is None:
            shape, dtype, _ = self.layouts[slot]
            ghost = self._ghosts[slot] = np.broadcast_to(np.zeros((), dtype), shape)
            self._kept[id(ghost)] = slot
        return _wrap(ghost, value.requires_grad) if isinstance(value, Tensor) else ghost

    def _held_slots(self, node: Any) -> tuple:
        """The slots of the arrays a node holds (its saved tensors, a mask): its backward
        reads them, whether it runs as a whole or as the ops it ran."""
        held = []
        for value in getattr(node, "__dict__", {}).values():
            for item in value if type(value) in (tuple, list) else (value,):
                array = item.array if isinstance(item, (Tensor, _SavedOutput)) else item
                slot = self.slot(array) if isinstance(array, np.ndarray) else None
                if slot is not None:
                    held.append(slot)
        return tuple(held)

    # ----- what the hooks call ---------------------------------------------------------
    def apply(self, cls: type, args: tuple) -> Tensor:
        if self.children is not None:  # an op inside a node's backward
            return self._child(cls, args)
        grad_mode = _per_thread.flag.enabled
        self._check_grads()
        out = self._paused(cls.apply, *args)
        unit = self._add("apply", cls, args, grad_mode)
        self._outputs(unit, [out], with_nodes=True)
        node = out.grad_fn if isinstance(out, Tensor) else None
        if unit.node_count == 1 and type(node) is cls and not node._dirty:
            unit.needs = node.needs_input_grad
        elif unit.node_count == 0:
            unit.needs = (False,) * len(args)
        else:  # an in-place or view-of-view op: replayed through apply
            unit.needs = None
        return out

    def call(self, fn: Any, args: tuple, kwargs: dict) -> Any:
        if self.children is not None:  # inside a node's backward: it stays one unit
            self.children_ok = False
            return self._paused(fn, *args, **kwargs)
        grad_mode = _per_thread.flag.enabled
        self._check_grads()
        before = [(key, leaf.grad) for key, leaf in self.leaves.items()]
        out = self._paused(fn, *args, **kwargs)
        unit = self._add("call", fn, (args, kwargs), grad_mode)
        unit.cleared = {key for key, grad in before
                        if grad is not None and self.leaves[key].grad is None}
        leaves: list = []
        flatten(out, leaves)
        self._outputs(unit, leaves, with_nodes=True)
        return out

    def backward(self, node: Any, grad: Tensor) -> Any:
        if node._hooks is not None or node._retained is not None:
            self.unreplayable("a hook (register_hook or retain_grad) runs during backward")
        key = self.node_key.get(id(node))
        if key is None:
            self.unreplayable("backward goes through a graph made before the compiled step")
        held = self._held_slots(node)  # (before backward: the engine then drops saved tensors)
        self.children, self.children_ok = [], True
        try:
            grads = node.backward(node, grad)  # its ops are written down as its children
        finally:
            children, self.children = self.children, None
        unit = self._add("backward", key, [grad], False)
        self._outputs(unit, list(grads) if type(grads) is tuple else [grads], with_nodes=False)
        unit.children = children if self.children_ok else None
        unit.node = node
        unit.held = held
        return grads

    def backward_pass(self, root_grads: Any, inputs: Any, create_graph: bool) -> None:
        if inputs is not None:
            self.unreplayable("autograd.grad() returns gradients that the program cannot hand "
                              "back (use loss.backward())")
        if create_graph:
            self.unreplayable("backward(create_graph=True) records a graph of the gradients")
        self.create_graph = create_graph
        self._check_grads()
        self._add("begin", None, list(root_grads), False)

    def accumulate(self, node: AccumulateGrad, leaf: Tensor, grad: Tensor,
                   handed_out: set) -> None:
        if node._hooks is not None:
            self.unreplayable("a hook (register_hook) runs on a leaf's gradient")
        self.leaves.setdefault(id(leaf), leaf)
        self.expected_grad.setdefault(id(leaf), leaf.grad)
        self._check_grads()
        _accumulate_into(leaf, grad, handed_out, self.create_graph)
        unit = self._add("accumulate", leaf, [grad], False)
        self._outputs(unit, [leaf.grad], with_nodes=False)
        self.expected_grad[id(leaf)] = leaf.grad

    def read(self, tensor: Tensor, value: Any) -> None:
        if self.children is not None:  # inside a node's backward: it stays one unit
            self.children_ok = False
            return
        self.reads.append((len(self.units), tensor, value))

    def unreplayable(self, reason: str) -> None:
        if self.children is not None:
            self.children_ok = False
            return
        if self.failure is None:
            self.failure = reason

    def _child(self, cls: type, args: tuple) -> Tensor:
        out = self._paused(cls.apply, *args)
        leaves: list = []
        unit = Unit("apply", cls, leaves, flatten(args, leaves), False)
        unit.leaves = [self._light(v) for v in leaves]
        unit.needs = (False,) * len(args)
        self._outputs(unit, [out], with_nodes=False)
        self.children.append(unit)
        return out

    def compact(self) -> None:
        """Keep of a first recording only what the second is compared with: an argument that
        an earlier unit made becomes its slot number (``Made``), nodes the names of what
        they held. What the nodes held (relu's masks) is then freed before the second call."""
        def light(value: Any) -> Any:
            array = value.array if isinstance(value, Tensor) else value
            slot = self.slot(array) if isinstance(array, np.ndarray) else None
            return value if slot is None or slot < self.n_inputs else Made(slot)

        for unit in self.units + [c for u in self.units for c in (u.children or ())]:
            unit.leaves = [light(v) for v in unit.leaves]
            if unit.node is not None:
                unit.node = SimpleNamespace(**dict.fromkeys(vars(unit.node)))
        self.reads = [(position, light(t), value) for position, t, value in self.reads]
        self.nodes, self.node_key, self._weak, self._roots, self._seen = [], {}, {}, {}, {}
        self._kept, self._ghosts = {}, {}

    # ----- bookkeeping -----------------------------------------------------------------
    def _paused(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """``fn(...)`` with the recorder off: what it runs inside is part of this unit."""
        flag = _per_thread.flag
        flag.recorder = None
        try:
            return fn(*args, **kwargs)
        finally:
            flag.recorder = self

    def _add(self, kind: str, target: Any, args: Any, grad_mode: bool) -> Unit:
        leaves: list = []
        tree = flatten(args, leaves)
        unit = Unit(kind, target, [self._light(v) for v in leaves], tree, grad_mode)
        self.units.append(unit)
        self._sync_grads()
        return unit

    def _outputs(self, unit: Unit, leaves: list, with_nodes: bool) -> None:
        """Give each array that came out of ``unit`` a slot (and each new node a key)."""
        for value in leaves:
            array = value.array if isinstance(value, Tensor) else None
            if array is None:
                unit.outputs.append(None)
                continue
            slot = self.slot(array)
            if slot is None and self._was_read(array):  # changed in place, not made here
                unit.outputs.append(None)
                continue
            if slot is None:
                slot = self._new_slot(array)
            unit.outputs.append(slot)
        if with_nodes:
            made = new_nodes(leaves, self.node_key, unit.leaves)
            index = len(self.units) - 1
            for position, node in enumerate(made):
                self.node_key[id(node)] = (index, position)
                self.nodes.append(node)
            unit.node_count = len(made)

    def _check_grads(self) -> None:
        """Between units a watched ``.grad`` may only become None (``p.grad = None``):
        that is written down as a unit of its own; any other change cannot be repeated."""
        for key, leaf in self.leaves.items():
            grad = leaf.grad
            if grad is not self.expected_grad[key]:
                if grad is None:
                    self.units.append(Unit("drop_grad", leaf, []))
                else:
                    self.unreplayable("a .grad is set to a tensor outside the recorded ops")
                self.expected_grad[key] = grad

    def _sync_grads(self) -> None:
        for key, leaf in self.leaves.items():
            self.expected_grad[key] = leaf.grad


def _layout(array: np.ndarray) -> tuple:
    """What a buffer for ``array``'s values must match: (shape, dtype, strides)."""
    return array.shape, array.dtype, array.strides


def _memory_owner(array: np.ndarray) -> np.ndarray:
    """The array whose memory ``array`` uses: itself, or the base of a view."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array
