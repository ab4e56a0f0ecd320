"""Which arrays are which: how the compiler knows what each op of a recording reads.

Every tensor a unit reads is, in the second recording, one of:

- an *input*: an argument of the step (a new one on every call);
- a *slot*: the output of an earlier unit (computed anew on every replay);
- *live* state: the same Tensor object in both recordings (a parameter, a
  buffer, an optimizer's state): the program reads it as it is at replay time;
- a *constant*: a tensor the step makes anew on each call (``tg.ones(3)``, the
  ones that start ``backward()``) with the same values both times.

Anything else — a tensor made inside the step whose values changed between the
two calls (numpy's random numbers, a Python counter turned into a tensor) — cannot
be replayed, and the step runs eagerly. Python
values given to ops (``0.5`` in ``x * 0.5``, a shape) must be equal in both
recordings; the two recordings must also be the same list of units, or the
step's Python code chose differently on the two calls.

A node's backward may also read what its forward kept on the node (relu keeps
its mask as ``ctx.off``): that is read from the node the replayed forward
made. ``Resolver`` answers, for each argument of each unit, with a *getter*:
a function of the program's state that gives the argument at replay time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.compiler.kernels import Dyn
from tinygrad_edu.compiler.record import Recorder
from tinygrad_edu.tensor import Tensor, _scalar_constants, _wrap


class CannotCompile(Exception):
    """The step cannot be replayed faithfully; ``str(error)`` says why."""


_STUB = Function()  # the grad_fn of tensors the program rebuilds: "made by an earlier unit"
_STUB_KNOWN = {id(_STUB): None}


Getter = Callable[[Any], Any]


class Resolver:
    """Resolves the second recording's arguments (see the module docstring)."""

    def __init__(self, first: Recorder, second: Recorder) -> None:
        self.first, self.second = first, second
        self.live: dict[int, Tensor] = {}  # the live tensors the program reads: guarded
        self.kind = ""  # how the last leaf resolved: input, slot, live, array, constant
        self.fixed: dict[int, np.ndarray] = {}  # slot -> the one array it holds (a buffer)
        self.bound: dict[int, tuple] = {}  # live tensors whose array a kernel holds
        self.scope: tuple | None = None  # (node, its first recording, key): a backward's ops
        self.ctx_used: dict[tuple, set] = {}  # node key -> the attributes its backward reads
        self.counters: list = []  # version counters that in-place kernels bump once a run
        self.stubs: dict[tuple, Any] = {}  # node key -> the node a composite kernel keeps
        self.state: Any = None  # the program's State (set by build)
        self.ctx_at: tuple = ()  # (unit, position, name) of the last leaf read from a node
        self.buffers: Any = None  # where kernels' output buffers come from (memory.Buffers)

    def buffer(self, slot: int) -> np.ndarray | None:
        """An output buffer for ``slot`` (memory.py), or None if none fits its layout."""
        return self.buffers.get(slot)

    def node_at(self, key: tuple) -> Any:
        """The node the second recording made at ``key`` = (unit, position)."""
        for node in self.second.nodes:
            if self.second.node_key.get(id(node)) == key:
                return node
        raise KeyError(key)

    def _from_ctx(self, value: Any) -> Getter | None:
        """A tensor or array that a node's forward kept on the node (``ctx.off`` of
        relu): read from the node the replayed forward made (``state.nodes``)."""
        if self.scope is None:
            return None
        node, node_one, (unit, position) = self.scope
        array = value.array if isinstance(value, Tensor) else value
        for name, attribute in vars(node).items():
            held = attribute.array if isinstance(attribute, Tensor) else attribute
            if held is array and name in vars(node_one) and name != "_saved":
                self.kind = "ctx"
                self.ctx_used.setdefault((unit, position), set()).add(name)
                self.ctx_at = (unit, position, name)
                return lambda state: getattr(state.nodes[unit][position], name)
        return None

    def _kept_by_kernel(self) -> np.ndarray | None:
        """The array a kernel keeps on its node (relu's mask, mean's count, batch norm's
        ``normed``), if the node that ``_from_ctx`` just read is a kernel's: that node is made
        once, when the program is built (``state.nodes`` holds it before any run; a forward
        replayed as an op makes its node during the run), and so is the array, which a
        numpy call can then be bound to. (A closure reading it from the node cost ~0.6 µs a
        call more: case 9's batch norm backward has four.)"""
        unit, position, name = self.ctx_at
        made = self.state.nodes[unit] if self.state is not None else None
        if made is None:
            return None
        return _array_of(getattr(made[position], name))

    def operands(self, values: list, others: list, where: str) -> tuple[list, list]:
        """For a kernel: per argument, its array if it is fixed when the program is built
        (a buffer, a constant, a live tensor's array), else a ``Dyn`` that reads it at replay
        time (None for what is not a tensor or array); and its array if it is a constant."""
        ops, constants = [], []
        for value, other in zip(values, others):
            if not isinstance(value, (Tensor, np.ndarray)):
                ops.append(None)
                constants.append(None)
                continue
            get = self.leaf(value, other, where)
            array = value.array if isinstance(value, Tensor) else value
            constant = None
            if self.kind == "constant":
                op = constant = get(None)
                op = constant = op.array if isinstance(op, Tensor) else op
            elif self.kind == "slot":
                slot = self.second.slot(array)
                op = self.fixed.get(slot)
                if op is None:
                    op = Dyn(lambda state, s=slot: state.values[s])
            elif self.kind in ("live", "array"):
                op = array
                if isinstance(value, Tensor) and self.kind == "live":
                    self.bound[id(value)] = (value, array)
            elif self.kind == "ctx":
                op = self._kept_by_kernel()
                if op is None:
                    op = Dyn(lambda state, g=get: _array_of(g(state)))
            elif isinstance(value, Tensor):  # an input: copied into a buffer, or read
                op = self.fixed.get(self.second.input_tensor[id(value)])
                if op is None:
                    op = Dyn(lambda state, g=get: g(state).array)
            else:
                op = Dyn(get)
            ops.append(op)
            constants.append(constant)
        return ops, constants

    def tensor(self, value: Tensor, other: Any, where: str) -> Getter:
        second = self.second
        index = second.input_tensor.get(id(value))
        self.kind = "input"
        if index is not None:
            return lambda state: state.inputs[index]
        slot = second.slot(value.array)
        requires_grad = value.requires_grad
        self.kind = "slot"
        if slot is not None:
            if requires_grad:
                return lambda state: _wrap(state.values[slot], True, _STUB)
            return lambda state: _wrap(state.values[slot])
        if value is other and _is_cached_constant(value):  # x ** 2, x * 0.5: never changes
            self.kind = "constant"
            return lambda state: value
        self.kind = "live"
        if value is other:
            self.live[id(value)] = value
            return lambda state: value
        if isinstance(other, Tensor) and other.array is value.array:  # p.data, p.detach()
            array = value.array
            for owner in (*self.first.leaves.values(), *self.live.values()):
                if owner.array is array:  # p.data of a parameter: guard that p keeps it
                    self.bound[id(owner)] = (owner, array)
            return lambda state: _wrap(array, requires_grad, _STUB if requires_grad else None)
        kept = self._from_ctx(value)  # before constants: a mask may be equal twice by chance
        if kept is not None:
            return lambda state: _as_tensor_of(kept(state))
        self.kind = "constant"
        if isinstance(other, Tensor) and _same_array(value.array, other.array):
            constant = value.array.copy()
            constant.flags.writeable = False
            return lambda state: _wrap(constant, requires_grad, _STUB if requires_grad else None)
        raise CannotCompile(
            f"{where} reads a tensor of shape {tuple(value.shape)} made inside the step, whose "
            f"values changed between calls (a random draw outside tinygrad_edu's random ops? "
            f"a Python number made into a tensor?): the program would replay stale values"
        )

    def array(self, value: np.ndarray, other: Any, where: str) -> Getter:
        slot = self.second.slot(value)
        self.kind = "slot"
        if slot is not None:
            return lambda state: state.values[slot]
        self.kind = "array"
        if value is other:
            return lambda state: value
        kept = self._from_ctx(value)
        if kept is not None:
            return lambda state: _array_of(kept(state))
        self.kind = "constant"
        if isinstance(other, np.ndarray) and _same_array(value, other):
            constant = value.copy()
            constant.flags.writeable = False
            return lambda state: constant
        raise CannotCompile(
            f"{where} reads a numpy array of shape {value.shape} computed outside the recorded "
            f"ops, whose values changed between calls: the program would replay stale values"
        )

    def leaf(self, value: Any, other: Any, where: str) -> Getter:
        if isinstance(value, Tensor):
            return self.tensor(value, other, where)
        if isinstance(value, np.ndarray):
            return self.array(value, other, where)
        self.kind = "python"
        if not _same_python(value, other):
            raise CannotCompile(
                f"{where} is given the Python value {value!r} where the call before gave "
                f"{other!r}: the step depends on something that changes between calls"
            )
        return lambda state: value

    def target(self, leaf: Tensor, where: str) -> Getter:
        """The tensor whose ``.grad`` an accumulate or drop_grad unit changes."""
        index = self.second.input_tensor.get(id(leaf))
        if index is not None:
            return lambda state: state.inputs[index]
        if self.first.leaves.get(id(leaf)) is leaf:
            self.live[id(leaf)] = leaf
            return lambda state: leaf
        raise CannotCompile(f"{where}: a gradient goes into a tensor made inside the step")


def _is_cached_constant(value: Tensor) -> bool:
    """A Python number's 0-d tensor from the library's cache (``tensor._scalar_constant``):
    read-only, so its value is the number it was made from, on every call."""
    array = value.array
    return (array.ndim == 0 and not array.flags.writeable
            and _scalar_constants.get((array.item(), array.dtype)) is value)


def _as_tensor_of(value: Any) -> Tensor:
    return value if isinstance(value, Tensor) else _wrap(value)


def _array_of(value: Any) -> np.ndarray:
    return value.array if isinstance(value, Tensor) else value


def _same_array(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def _same_python(a: Any, b: Any) -> bool:
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and a != a and b != b:  # both nan
        return True
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - objects that cannot be compared are not equal
        return False
