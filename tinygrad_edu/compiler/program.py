"""Steps 2 and 3 of the compiler: turn two recordings into a program, and run it.

**Which arrays are which.** Every tensor a unit reads is, in the second
recording, one of:

- an *input*: an argument of the step (a new one on every call);
- a *slot*: the output of an earlier unit (computed anew on every replay);
- *live* state: the same Tensor object in both recordings (a parameter, a
  buffer, an optimizer's state): the program reads it as it is at replay time;
- a *constant*: a tensor the step makes anew on each call (``tg.ones(3)``, the
  ones that start ``backward()``) with the same values both times.

Anything else — a tensor made inside the step whose values changed between the
two calls (a random draw outside tinygrad_edu's random ops, a Python counter
turned into a tensor) — cannot be replayed, and the step runs eagerly. Python
values given to ops (``0.5`` in ``x * 0.5``, a shape) must be equal in both
recordings; the two recordings must also be the same list of units, or the
step's Python code chose differently on the two calls.

**Running.** ``Program.run`` calls each unit again: ``cls.apply`` of the op on
the new arrays, the node's backward, the library function marked
``recorded_as_one``, the engine's rule for adding a gradient into ``.grad``.
What it no longer does is everything around them: no Python of the step, no
graph walk, no dependency counting, no hooks, no checks that passed already.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import _per_thread
from tinygrad_edu.compiler.kernels import KERNELS, STEP, VIEWS, Dyn, can_split, sgd_step
from tinygrad_edu.compiler.record import Recorder, Unit, flatten, new_nodes, unflatten
from tinygrad_edu.ops import inplace
from tinygrad_edu.tensor import Tensor, _as_tensor, _wrap


class CannotCompile(Exception):
    """The step cannot be replayed faithfully; ``str(error)`` says why."""


_STUB = Function()  # the grad_fn of tensors the program rebuilds: "made by an earlier unit"
_STUB_KNOWN = {id(_STUB): None}

Getter = Callable[[Any], Any]


class _State:
    """What a program works on: the call's inputs, every slot's array, the nodes made."""

    __slots__ = ("inputs", "values", "nodes", "handed")

    def __init__(self, n_values: int, n_units: int) -> None:
        self.inputs: list = []
        self.values: list = [None] * n_values
        self.nodes: list = [None] * n_units
        self.handed: set = set()


class Program:
    """A recorded step, ready to be run on new inputs of the same shapes.

    ``steps`` take no argument: each is a numpy call bound to its arrays
    (``functools.partial``) or a closure over the program's one ``_State``.
    """

    def __init__(self, steps: list, result: Callable, state: _State,
                 guard: Callable[[], tuple], expected: tuple, buffers: list) -> None:
        self.steps, self.result, self.state = steps, result, state
        self.buffers = buffers  # (input index, buffer): inputs copied in (_input_buffers)
        self.guard, self.expected = guard, expected
        self.fixed_values = list(state.values)  # the buffers and views made when built
        self.no_nodes = list(state.nodes)  # what kernels keep on their nodes (relu's mask)
        self.running = False  # a program's buffers serve one run at a time

    def run(self, inputs: list) -> Any:
        state = self.state
        state.inputs = inputs
        values = state.values
        for i, value in enumerate(inputs):
            values[i] = value.array if isinstance(value, Tensor) else value
        for i, buffer in self.buffers:
            np.copyto(buffer, values[i])
            values[i] = buffer
        flag = _per_thread.flag
        previous = flag.enabled
        self.running = True
        try:
            for step in self.steps:
                step()
            return self.result(state)
        finally:
            flag.enabled = previous
            self.running = False
            state.inputs = []
            values[:] = self.fixed_values  # drop this run's other arrays, as eager mode would
            state.nodes[:] = self.no_nodes


# ----- building ----------------------------------------------------------------------------
class _Builder:
    """Resolves the second recording's arguments (see the module docstring)."""

    def __init__(self, first: Recorder, second: Recorder) -> None:
        self.first, self.second = first, second
        self.live: dict[int, Tensor] = {}  # the live tensors the program reads: guarded
        self.kind = ""  # how the last leaf resolved: input, slot, live, array, constant
        self.fixed: dict[int, np.ndarray] = {}  # slot -> the one array it holds (a buffer)
        self.bound: dict[int, tuple] = {}  # live tensors whose array a kernel holds
        self.scope: tuple | None = None  # (node, its first recording, key): a backward's ops
        self.ctx_used: dict[tuple, set] = {}  # node key -> the attributes its backward reads

    def _from_ctx(self, value: Any) -> Getter | None:
        """A tensor or array that a node's forward kept on the node (``ctx.positive`` of
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
                return lambda state: getattr(state.nodes[unit][position], name)
        return None

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
                slot = self.second.slot_of[id(array)]
                op = self.fixed.get(slot)
                if op is None:
                    op = Dyn(lambda state, s=slot: state.values[s])
            elif self.kind in ("live", "array"):
                op = array
                if isinstance(value, Tensor) and self.kind == "live":
                    self.bound[id(value)] = (value, array)
            elif self.kind == "ctx":
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
        slot = second.slot_of.get(id(value.array))
        requires_grad = value.requires_grad
        self.kind = "slot"
        if slot is not None:
            if requires_grad:
                return lambda state: _wrap(state.values[slot], True, _STUB)
            return lambda state: _wrap(state.values[slot])
        self.kind = "live"
        if value is other:
            self.live[id(value)] = value
            return lambda state: value
        if isinstance(other, Tensor) and other.array is value.array:  # p.data, p.detach()
            array = value.array
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
        slot = self.second.slot_of.get(id(value))
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


def _aligned(first: Recorder, second: Recorder) -> list:
    """Pair each unit of the second recording with the first's (drop_grad units: None)."""
    ones = [u for u in first.units if u.kind != "drop_grad"]
    twos = [u for u in second.units if u.kind != "drop_grad"]
    if len(ones) != len(twos):
        raise CannotCompile(f"the step ran {len(ones)} ops on one call and {len(twos)} on the "
                            f"next: its Python code decides differently from call to call")
    for i, (one, two) in enumerate(zip(ones, twos)):
        same = (one.kind == two.kind and one.tree == two.tree
                and len(one.leaves) == len(two.leaves)
                and (one.target is two.target or one.kind in ("accumulate", "begin")
                     or (one.kind == "backward" and one.target == two.target)))
        if not same:
            raise CannotCompile(f"op {i} of the step was {one.describe()} on one call and "
                                f"{two.describe()} on the next: its Python code decides "
                                f"differently from call to call")
    partner = iter(ones)
    return [(None if u.kind == "drop_grad" else next(partner), u) for u in second.units]


def build(first: Recorder, second: Recorder, results: tuple, known_leaves: list,
          entry: tuple) -> Program:
    """The program of the second recording, checked against the first (raises CannotCompile)."""
    _check_reads(first, second)
    builder = _Builder(first, second)
    state = _State(len(second.arrays), len(second.units))
    builder.state = state
    pairs = _aligned(first, second)
    inputs = _input_buffers(builder, pairs)
    split = _splittable(builder, pairs)
    steps = []
    # leaves whose .grad is None since the step last added to it: those the guard requires to
    # be None when a run starts (the step ends with p.grad = None), and those it clears itself
    cleared = {id(leaf) for leaf, none in zip(known_leaves, entry[1]) if none}
    stored: set = set()  # slots already stored as some leaf's .grad
    for index, (one, two) in enumerate(pairs):
        where = f"op {index} ({two.describe()})"
        if two.kind == "drop_grad":
            steps.append(_drop_grad(builder.target(two.target, where)))
            cleared.add(id(two.target))
            continue
        if two.kind == "call":
            cleared |= two.cleared
        getters = [builder.leaf(v, w, where) for v, w in zip(two.leaves, one.leaves)]
        if two.kind == "apply":
            fast = None
            if all(split.get((index, p), False) for p in range(two.node_count)):
                fast = _kernel(builder, two, one, where, index)
            steps.extend(fast if fast is not None else [_apply(index, two, getters)])
        elif two.kind == "call":
            steps.extend(_update_kernel(builder, two, one.leaves, where)
                         or [_call(index, two, getters)])
        elif two.kind == "backward" and split.get(two.target):
            steps.extend(_split_backward(builder, one, two))
        elif two.kind == "backward":
            steps.append(_backward(two, getters[0]))
        elif two.kind == "begin":  # the starting gradients are resolved (above); no step
            pass
        elif two.kind == "accumulate":
            grad_slot = second.slot_of.get(id(two.leaves[0].array))
            same = grad_slot == two.outputs[0]
            if not same:  # .grad now holds the sum: later ops read it from the slot
                builder.fixed.pop(two.outputs[0], None)
            (grad,), _ = builder.operands(two.leaves, one.leaves, where)
            fresh = (id(two.target) in cleared and same and grad_slot not in stored
                     and isinstance(grad, np.ndarray) and grad.flags.writeable)
            cleared.discard(id(two.target))
            stored.add(grad_slot)
            steps.append(_accumulate(builder.target(two.target, where), grad,
                                     None if same else two.outputs[0],
                                     second.arrays[two.outputs[0]], fresh))
    result = _result(builder, first, second, results)
    live = list(builder.live.values())
    leaves = list(known_leaves)
    called = modules_of(first)

    bound = list(builder.bound.values())
    readers = [_settings_reader(m) for m in called]

    def guard() -> tuple:
        return (tuple([read() for read in readers]),
                tuple([leaf.grad is None for leaf in leaves]),
                tuple([(t.array.shape, t.array.dtype, t.requires_grad) for t in live]),
                all([t.array is array for t, array in bound]))

    expected = (*entry, guard()[2], True)  # modules and .grad states as the recording began
    steps = [step if isinstance(step, partial) else partial(step, state) for step in steps]
    return Program(steps, result, state, guard, expected, inputs)


def _input_buffers(builder: _Builder, pairs: list) -> list:
    """Small inputs that only ops read are copied into buffers at the start of a run, so that
    the ops' numpy calls can be bound to them (a bound call saves ~0.3 µs; copying 64 KiB
    costs ~5 µs, so larger inputs are read where they are). Not those a library function
    is given (it might change them in place) nor those of another memory layout (it would
    change the sums)."""
    second = builder.second
    given = {id(v.array if isinstance(v, Tensor) else v) for _, two in pairs
             if two.kind == "call" for v in two.leaves}
    buffers = []
    for i, array in enumerate(second.arrays[:second.n_inputs]):
        if not isinstance(array, np.ndarray) or id(array) in given or array.nbytes > 65536:
            continue
        buffer = np.empty_like(array)
        if buffer.strides == array.strides:
            builder.fixed[i] = builder.state.values[i] = buffer
            buffers.append((i, buffer))
    return buffers


def modules_of(recorder: Recorder) -> list:
    """The modules a recording saw called, each once."""
    return list({id(m): m for m in recorder.modules}.values())


def entry_state(first: Recorder, known_leaves: list) -> tuple:
    """The part of the guard read before the second recording: train/eval modes, .grad set."""
    return (tuple([_settings_reader(m)() for m in modules_of(first)]),
            tuple([leaf.grad is None for leaf in known_leaves]))


_SETTING_TYPES = (bool, int, float, str, type(None))


def _settings_reader(module: Any) -> Callable[[], tuple]:
    """Reads a module's ``training`` flag and its other plain settings (``p`` of Dropout,
    ``eps`` and ``momentum`` of batch norm ...): the values its forward gives to the ops.
    The names are looked up once; a setting added later changes the number of attributes,
    which is read too."""
    names = [k for k, v in module.__dict__.items() if type(v) in _SETTING_TYPES]
    attributes = module.__dict__
    pick = itemgetter(*names) if names else (lambda d: ())

    def read() -> tuple:
        return (len(attributes), pick(attributes))

    return read


def _fresh_nodes(outputs: list, count: int, unit: Unit) -> list:
    stop = dict(_STUB_KNOWN)
    made = new_nodes(outputs, stop)
    if len(made) != count:
        raise RuntimeError(f"tg.compile: replaying {unit.describe()} made {len(made)} graph "
                           f"nodes where the recording made {count}; please report this")
    return made


def _apply(index: int, unit: Unit, getters: list) -> Callable:
    cls, tree, grad_mode, outputs, count = (unit.target, unit.tree, unit.grad_mode,
                                            unit.outputs, unit.node_count)
    slot = outputs[0]
    flag = _per_thread.flag
    if unit.needs is not None:
        return _forward(index, unit, getters)

    def run(state: _State) -> None:
        args = unflatten(tree, iter([get(state) for get in getters]))
        flag.enabled = grad_mode
        out = cls.apply(*args)
        if slot is not None:
            state.values[slot] = out.array
        if count:
            state.nodes[index] = _fresh_nodes([out], count, unit)

    return run


def _forward(index: int, unit: Unit, getters: list) -> Callable:
    """An op replayed without ``apply``: its ``forward`` on a fresh ctx, which is kept as the
    node for its backward. No graph is recorded, so nothing else of apply is needed."""
    flag = _per_thread.flag
    cls, tree, needs, slot, count = (unit.target, unit.tree, unit.needs, unit.outputs[0],
                                     unit.node_count)
    forward = cls.forward
    flat = tree == (tuple, (None,) * len(getters))

    def run(state: _State) -> None:
        ctx = cls()
        ctx.needs_input_grad = needs
        flag.enabled = False
        if flat:
            out = forward(ctx, *[get(state) for get in getters])
        else:
            out = forward(ctx, *unflatten(tree, iter([get(state) for get in getters])))
        array = out.array if isinstance(out, Tensor) else out
        if type(array) is not np.ndarray:  # numpy gives scalars for 0-d results
            array = np.asarray(array)
        if slot is not None:
            state.values[slot] = array
        if count:
            state.nodes[index] = [ctx]

    return run


def _splittable(builder: _Builder, pairs: list) -> dict:
    """Which nodes' backward is replayed as the ops it ran (kernels.can_split, and every
    tensor those ops read is known); their forward then needs no node either."""
    split: dict = {}
    for one, two in pairs:
        if two.kind != "backward":
            continue
        ok = (two.children is not None and one.children is not None and can_split(two.node)
              and len(one.children) == len(two.children)
              and all(a.target is b.target and a.tree == b.tree
                      for a, b in zip(one.children, two.children)))
        if ok:
            made = {s for child in two.children for s in child.outputs}
            made |= {builder.second.slot_of.get(id(v.array)) for child in two.children
                     for v in child.leaves if isinstance(v, Tensor)}
            made.add(builder.second.slot_of.get(id(two.leaves[0].array)))
            ok = all(s is None or s in made for s in two.outputs)
            builder.scope = (two.node, one.node, two.target)
            try:
                for a, b in zip(one.children, two.children):
                    for v, w in zip(b.leaves, a.leaves):
                        builder.leaf(v, w, "a backward op")
            except CannotCompile:
                ok = False
            finally:
                builder.scope = None
        split[two.target] = split.get(two.target, True) and ok
    return split


def _split_backward(builder: _Builder, one: Unit, two: Unit) -> list:
    """A node's backward as the ops it ran: kernels where there are, forwards elsewhere."""
    steps: list = []
    builder.scope = (two.node, one.node, two.target)
    for child_one, child_two in zip(one.children, two.children):
        where = f"the backward of {type(two.node).__name__}"
        fast = _kernel(builder, child_two, child_one, where)
        if fast is None:
            getters = [builder.leaf(v, w, where)
                       for v, w in zip(child_two.leaves, child_one.leaves)]
            fast = [_forward(0, child_two, getters)]
        steps.extend(fast)
    builder.scope = None
    return steps


def _kernel(builder: _Builder, two: Unit, one: Unit, where: str,
            index: int | None = None) -> list | None:
    """The op as plain numpy calls into a buffer made now (kernels.py), if it has a kernel:
    a list of steps (empty for a view of a fixed array, made here once). If the op's
    backward reads what its forward kept on the node, the kernel must keep it too."""
    cls, slot = two.target, two.outputs[0]
    if slot is None or two.needs is None:
        return None
    kept_names = builder.ctx_used.get((index, 0), set())
    args = unflatten(two.tree, iter(two.leaves))
    ops, constants = builder.operands(list(args), list(unflatten(one.tree, iter(one.leaves))),
                                      where)
    values = builder.state.values
    view = VIEWS.get(cls)
    if view is not None:
        source, rest = ops[0], args[1:]
        if source is None:
            return None
        if kept_names:
            return None
        if isinstance(source, Dyn):
            def run_view(state: _State) -> None:
                state.values[slot] = view(source.get(state), rest)

            return [run_view]
        values[slot] = builder.fixed[slot] = view(source, rest)
        return []
    make = KERNELS.get(cls)
    if make is None:
        return None
    recorded = builder.second.arrays[slot]
    out = np.empty_like(recorded)
    if out.strides != recorded.strides:
        return None
    calls = make(list(args), ops, constants, out)
    if isinstance(calls, tuple):  # (calls, what the forward keeps on the node)
        calls, kept = calls
        if not kept_names <= set(kept):
            return None
        builder.state.nodes[index] = [SimpleNamespace(**kept)]
    elif kept_names:
        return None
    if calls is None:
        return None
    values[slot] = builder.fixed[slot] = out
    return [_bind(fn, call_args, kwargs) for fn, call_args, kwargs in calls]


def _bind(fn: Callable, args: tuple, kwargs: dict) -> Callable:
    """One numpy call as a step: a partial when every operand is fixed, else a closure."""
    if not any(isinstance(a, Dyn) for a in (*args, *kwargs.values())):
        return partial(fn, *args, **kwargs)
    late = {k: v for k, v in kwargs.items() if isinstance(v, Dyn)}  # where=condition
    fixed = {k: v for k, v in kwargs.items() if not isinstance(v, Dyn)}

    def run(state: _State) -> None:
        fn(*[a.get(state) if isinstance(a, Dyn) else a for a in args],
           **{k: v.get(state) for k, v in late.items()}, **fixed)

    return run


def _update_kernel(builder: _Builder, two: Unit, others: list, where: str) -> Callable | None:
    """``p -= lr * p.grad`` under no_grad (ops/inplace.update) as its one numpy call."""
    if two.target is not inplace.update or two.grad_mode:
        return None
    (a, ufunc, other, op_name, _), _ = unflatten(two.tree, iter(two.leaves))
    (a_one, _, other_one, _, _), _ = unflatten(two.tree, iter(others))
    if a is not a_one or a._view is not None:  # not a live tensor: the general way
        return None
    if isinstance(other, (Tensor, np.ndarray)):
        (operand,), _ = builder.operands([other], [other_one], where)
    else:
        operand = _as_tensor(other, a, op_name).array

    counter = a._version

    def run(state: _State) -> None:
        array = a.array
        value = operand.get(state) if isinstance(operand, Dyn) else operand
        ufunc(array, value, out=array, casting="same_kind")
        counter.value += 1

    if a.array is a_one.array and not isinstance(operand, Dyn):  # a fixed array: bound
        builder.bound[id(a)] = (a, a.array)
        return [partial(ufunc, a.array, operand, out=a.array, casting="same_kind"),
                partial(_count, counter)]
    return [run]


def _count(counter: Any) -> None:
    counter.value += 1


def _call(index: int, unit: Unit, getters: list) -> Callable:
    fn, tree, grad_mode, outputs, count = (unit.target, unit.tree, unit.grad_mode,
                                           unit.outputs, unit.node_count)
    flag = _per_thread.flag
    if fn is STEP and len(unit.leaves) == 1:  # opt.step() without a closure
        fast = sgd_step(unit.leaves[0])
        if fast is not None:
            return partial(fast)  # a partial: the program calls it as it is
    if not count and all(s is None for s in outputs) \
            and not any(isinstance(v, (Tensor, np.ndarray)) for v in unit.leaves):
        # opt.step(), opt.zero_grad(): no tensor in, none out: the call itself, bound
        args, kwargs = unflatten(tree, iter([get(None) for get in getters]))
        bound = partial(fn, *args, **kwargs)

        def run_bound(state: _State) -> None:
            flag.enabled = grad_mode
            bound()

        return run_bound

    def run(state: _State) -> None:
        args, kwargs = unflatten(tree, iter([get(state) for get in getters]))
        flag.enabled = grad_mode
        out = fn(*args, **kwargs)
        leaves: list = []
        flatten(out, leaves)
        values = state.values
        for slot, value in zip(outputs, leaves):
            if slot is not None:
                values[slot] = value.array
        if count:
            state.nodes[index] = _fresh_nodes(leaves, count, unit)

    return run


def _backward(unit: Unit, grad: Getter) -> Callable:
    (node_unit, position), outputs = unit.target, unit.outputs
    flag = _per_thread.flag

    def run(state: _State) -> None:
        node = state.nodes[node_unit][position]
        flag.enabled = False
        grads = node.backward(node, grad(state))
        if type(grads) is not tuple:
            grads = (grads,)
        values = state.values
        for slot, g in zip(outputs, grads):
            if slot is not None:
                values[slot] = g.array

    return run


def _accumulate(target: Getter, grad: Any, slot: int | None, recorded: np.ndarray,
                fresh: bool) -> Callable:
    """The engine's rule (``_accumulate_into``): the first gradient is stored, later ones
    added in place. ``slot``: where later ops read ``.grad`` (None: where it already is).

    ``fresh``: the step itself set this ``.grad`` to None before (``zero_grad()``), so the
    gradient's own buffer is stored, as eager mode stores the array. Otherwise a ``.grad``
    from an earlier call may still be there when the op that made this gradient runs again:
    the gradient is stored in a buffer of the leaf's own, which no op of the program writes
    (one copy; measured: 800 KiB copies cost case 3 about 4 %)."""
    own = grad if fresh else np.empty(recorded.shape, recorded.dtype)
    kept = _wrap(own)  # the same Tensor each time: a replay allocates nothing

    def run(state: _State) -> None:
        leaf = target(state)
        g = grad.get(state) if isinstance(grad, Dyn) else grad
        if leaf.grad is None:
            if not fresh:
                np.copyto(own, g)
            leaf.grad = kept
        else:
            total = leaf.grad.array
            np.add(total, g, out=total, casting="unsafe")
            leaf.grad._version.value += 1
        if slot is not None:
            state.values[slot] = leaf.grad.array

    return run


def _drop_grad(target: Getter) -> Callable:
    def run(state: _State) -> None:
        target(state).grad = None

    return run


# ----- what the step returns -----------------------------------------------------------------
def _result(builder: _Builder, first: Recorder, second: Recorder, results: tuple) -> Callable:
    """How a replay builds the step's return value: tensors as fresh copies of their slot,
    values read into Python (``loss.item()``) read again from the new arrays."""
    one, two = results
    leaves_one: list = []
    leaves_two: list = []
    flatten(one, leaves_one)
    tree = flatten(two, leaves_two)
    if len(leaves_one) != len(leaves_two):
        raise CannotCompile("the step returned values of a different structure on two calls")
    reads = {}
    for (_, tensor, value), (_, tensor_one, _) in zip(second.reads, first.reads):
        reads[id(value)] = (tensor, value, tensor_one)
    used = set()
    getters = []
    for value, other in zip(leaves_two, leaves_one):
        read = reads.get(id(value))
        if read is not None and not isinstance(value, Tensor):
            used.add(id(value))
            getters.append(_reread(builder, read[0], value, read[2]))
        elif isinstance(value, Tensor):
            if value.grad_fn is not None and not any(u.kind == "begin" for u in second.units):
                raise CannotCompile(
                    "the step returns a tensor that requires grad: a backward() outside the "
                    "compiled function would need its graph, which a replay does not make "
                    "(compile the whole training step, or call it under no_grad)")
            get = builder.tensor(value, other, "the step's return value")
            getters.append(lambda state, get=get: _fresh(get(state)))
        elif isinstance(value, np.ndarray):  # t.numpy() returned: a copy, as a fresh tensor's
            get = builder.array(value, other, "the step's return value")
            getters.append(lambda state, get=get: get(state).copy())
        else:
            getters.append(builder.leaf(value, other, "the step's return value"))
    unused = [value for key, (_, value, _) in reads.items() if key not in used]
    if unused:
        raise CannotCompile(f"{_read_name(unused[0])} reads a tensor's value into Python that "
                            f"the step does not return (print? a list of losses?): a replay "
                            f"could not repeat what Python did with it")

    if tree is None:  # one value (a loss, loss.item()): no structure to rebuild
        return getters[0]

    def result(state: _State) -> Any:
        return unflatten(tree, iter([get(state) for get in getters]))

    return result


def _check_reads(first: Recorder, second: Recorder) -> None:
    """A value read into Python may decide what the step does next: only reads after the
    last op (``return loss.item()``) can be replayed, by reading the new value."""
    if len(first.reads) != len(second.reads):
        raise CannotCompile("the step read values into Python a different number of times "
                            "on two calls")
    computing = [i for i, u in enumerate(second.units) if u.kind != "drop_grad"]
    last_op = computing[-1] if computing else -1
    for position, _, value in second.reads:
        if position <= last_op:
            raise CannotCompile(
                f"{_read_name(value)} reads a tensor's value into Python in the middle of the "
                f"step (a graph break): what the step does next may depend on it")


def _fresh(t: Tensor) -> Tensor:
    return _wrap(t.array.copy())


def _reread(builder: _Builder, tensor: Tensor, value: Any, tensor_one: Tensor) -> Getter:
    get = builder.tensor(tensor, tensor_one, "a value the step returns")
    if isinstance(value, bool):
        return lambda state: bool(get(state).array.item())
    if isinstance(value, list):
        return lambda state: get(state).array.tolist()
    if isinstance(value, np.ndarray):
        return lambda state: get(state).array.copy()
    return lambda state: get(state).array.item()


def _read_name(value: Any) -> str:
    if isinstance(value, bool):
        return "bool(tensor)"
    if isinstance(value, list):
        return ".tolist()"
    if isinstance(value, np.ndarray):
        return ".numpy()"
    return ".item()"
