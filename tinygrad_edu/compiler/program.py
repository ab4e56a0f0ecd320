"""Steps 2 and 3 of the compiler: turn two recordings into a program, and run it.

``build`` checks that the two recordings agree (``_aligned``), resolves every
argument of every unit (resolve.py), decides which nodes' backward can be
replayed as the ops it ran (``_splittable``), turns each unit into steps
(steps.py), and puts together the guard: what must hold for a call to replay.

**Running.** ``Program.run`` runs the steps in order: numpy calls bound to their
buffers, the ops' own forwards and backwards, the library functions marked
``recorded_as_one``, the engine's rule for ``.grad``. What it no longer does is
everything around them: no Python of the step, no graph, no dependency counting,
no hooks, no checks that passed already.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from operator import itemgetter
from typing import Any

import numpy as np

from tinygrad_edu.autograd.grad_mode import _per_thread
from tinygrad_edu.compiler.kernels import can_split
from tinygrad_edu.compiler.memory import Buffers
from tinygrad_edu.compiler.record import Recorder, flatten, unflatten
from tinygrad_edu.compiler.resolve import CannotCompile, Getter, Resolver
from tinygrad_edu.compiler.steps import (
    State,
    _accumulate,
    _apply,
    _backward,
    _call,
    _composite,
    _drop_grad,
    _kernel,
    _split_backward,
    _stub_backward,
    _update_kernel,
)
from tinygrad_edu.nn import functional as F  # noqa: N812
from tinygrad_edu.nn.normalization import BatchNorm1d
from tinygrad_edu.tensor import Tensor, _wrap


class Program:
    """A recorded step, ready to be run on new inputs of the same shapes.

    ``steps`` take no argument: each is a numpy call bound to its arrays
    (``functools.partial``) or a closure over the program's one ``State``.
    """

    def __init__(self, steps: list, result: Callable, state: State,
                 guard: Callable[[], bool], buffers: list, counters: list) -> None:
        self.steps, self.result, self.state = steps, result, state
        self.buffers = buffers  # (input index, buffer): inputs copied in (_input_buffers)
        self.counters = counters  # version counters of tensors changed in place, once a run
        self.guard = guard  # whether a call may replay: the state is the recording's
        # slots that hold no buffer made at build: a run fills them (inputs read where they
        # are, outputs of ops replayed as forwards) and empties them after, as eager mode
        # would drop those arrays (only these: emptying every slot cost ~0.3 µs a run)
        self.loose = [i for i, value in enumerate(state.values) if value is None]
        self.no_nodes = list(state.nodes)  # what kernels keep on their nodes (relu's mask)
        # whether a step makes nodes (an op replayed as its forward): they go after a run
        self.makes_nodes = any(getattr(step.func, "makes_nodes", False) for step in steps)
        self.running = False  # a program's buffers serve one run at a time
        self.labels: list = [""] * len(steps)  # per step, the unit it replays (describe)

    def describe(self) -> list[tuple[str, str]]:
        """Each step as (the unit it replays, what runs): ``numpy add`` for a numpy call
        bound to its arrays (a kernel; ``numpy matmul (an operand read at replay)`` when an
        input is read where it is), ``setattr`` for a ``.grad`` stored, else the name of the
        function (``_forward.run`` is an op's own forward, ``_backward.run`` a node's own
        backward, ``fancy_index`` a[index] into a buffer)."""
        return [(label, step_kind(step)) for label, step in zip(self.labels, self.steps)]

    def run(self, inputs: list) -> Any:
        state = self.state
        state.inputs = inputs
        values = state.values
        for i, value in enumerate(inputs):
            values[i] = value.array if isinstance(value, Tensor) else value
        for i, buffer in self.buffers:  # the signature holds their shapes and dtypes equal:
            buffer[...] = values[i]  # a plain copy (np.copyto took 0.29 µs, this 0.12)
            values[i] = buffer
        flag = _per_thread.flag
        previous = flag.enabled
        self.running = True
        try:
            for step in self.steps:
                step()
            for counter in self.counters:
                counter.value += 1
            return self.result(state)
        finally:
            flag.enabled = previous
            self.running = False
            state.inputs = ()
            for i in self.loose:  # drop this run's other arrays, as eager mode would
                values[i] = None
            if self.makes_nodes:
                state.nodes[:] = self.no_nodes


def step_kind(step: partial) -> str:
    """``numpy <name>`` for a kernel's numpy call, else the step's function's name."""
    fn = step.func
    if fn is setattr:
        return "setattr"
    kernel = getattr(fn, "kernel", None)  # a numpy call with an operand read at replay
    if kernel is not None:
        return f"numpy {getattr(kernel, '__qualname__', kernel)} (an operand read at replay)"
    if hasattr(fn, "__code__"):  # a closure of ours (steps.py), given the state
        return fn.__qualname__.replace(".<locals>", "")
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", repr(fn))
    return f"numpy {name}"


def _op_numbers(recorder: Recorder) -> dict:
    """Unit index -> its number among the units that are not drop_grad."""
    ops = [i for i, unit in enumerate(recorder.units) if unit.kind != "drop_grad"]
    return {index: number for number, index in enumerate(ops)}


def _aligned(first: Recorder, second: Recorder) -> list:
    """Pair each unit of the second recording with the first's (drop_grad units: None)."""
    ones = [u for u in first.units if u.kind != "drop_grad"]
    twos = [u for u in second.units if u.kind != "drop_grad"]
    if len(ones) != len(twos):
        raise CannotCompile(f"the step ran {len(ones)} ops on one call and {len(twos)} on the "
                            f"next: its Python code decides differently from call to call")
    # a node is named by (unit index, position): units counted without the drop_grad ones,
    # which one call may have and the other not (p.grad = None while it is None already)
    number_one, number_two = _op_numbers(first), _op_numbers(second)
    for i, (one, two) in enumerate(zip(ones, twos)):
        same = (one.kind == two.kind and one.tree == two.tree
                and len(one.leaves) == len(two.leaves)
                and (one.target is two.target or one.kind in ("accumulate", "begin")
                     or (one.kind == "backward"
                         and (number_one[one.target[0]], one.target[1])
                         == (number_two[two.target[0]], two.target[1]))))
        if not same:
            raise CannotCompile(f"op {i} of the step was {one.describe()} on one call and "
                                f"{two.describe()} on the next: its Python code decides "
                                f"differently from call to call")
    partner = iter(ones)
    return [(None if u.kind == "drop_grad" else next(partner), u) for u in second.units]


def build(first: Recorder, second: Recorder, results: tuple, known_leaves: list,
          entry: tuple) -> Program:
    """The program of the second recording, checked against the first (raises CannotCompile).

    Built twice: first to learn which values get a buffer (a kernel's output), then with
    those buffers placed so that values alive at different times share memory (memory.py;
    case 7's 35 buffers, 3,420 KiB, share a block of 1,836 KiB). The recordings hold none
    of the step's arrays by now (record.py), so the buffers are the only memory the build
    adds."""
    _check_reads(first, second)
    asked = _buffers_asked(first, second, results, known_leaves, entry)
    buffers = Buffers.planned(second, asked, _result_slots(second, results[1]))
    return _build(first, second, results, known_leaves, entry, buffers)


def _buffers_asked(first: Recorder, second: Recorder, results: tuple, known_leaves: list,
                   entry: tuple) -> set:
    """The slots whose kernels ask for an output buffer (the survey's program and its
    scratch block are freed on return, before the real buffers are made)."""
    survey = Buffers.survey(second)
    _build(first, second, results, known_leaves, entry, survey)
    return survey.asked


def _result_slots(second: Recorder, result: Any) -> set:
    """The slots the step's return value reads once every unit has run."""
    leaves: list = []
    flatten(result, leaves)
    leaves += [tensor for _, tensor, _ in second.reads]
    arrays = [v.array if isinstance(v, Tensor) else v for v in leaves]
    return {second.slot(a) for a in arrays if isinstance(a, np.ndarray)} - {None}


def _build(first: Recorder, second: Recorder, results: tuple, known_leaves: list,
           entry: tuple, buffers: Buffers) -> Program:
    builder = Resolver(first, second)
    builder.buffers = buffers
    state = State(len(second.layouts), len(second.units))
    builder.state = state
    pairs = _aligned(first, second)
    inputs = _input_buffers(builder, pairs)
    split = _splittable(builder, pairs)
    steps = []
    # leaves whose .grad is None since the step last added to it: those the guard requires to
    # be None when a run starts (the step ends with p.grad = None), and those it clears itself
    cleared = {id(leaf) for leaf, none in zip(known_leaves, entry[1]) if none}
    stored: set = set()  # slots already stored as some leaf's .grad
    labels: list = []  # per step: the unit it replays (Program.describe)
    for index, (one, two) in enumerate(pairs):
        where = f"op {index} ({two.describe()})"
        labels.extend([labels_of(pairs[index - 1][1])] * (len(steps) - len(labels)))
        if two.kind == "drop_grad":
            steps.append(_drop_grad(builder.target(two.target, where),
                                    _live_leaf(builder, two.target)))
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
            fast = _composite(builder, index, two, one, split, where)
            steps.extend(fast if fast is not None else (
                _update_kernel(builder, two, one.leaves, where) or [_call(index, two, getters)]))
        elif two.kind == "backward" and split.get(two.target):
            steps.extend(_split_backward(builder, one, two))
        elif two.kind == "backward" and two.target in builder.stubs:
            fast = _stub_backward(builder, two, one, where)
            steps.extend(fast if fast is not None else [_backward(two, getters[0])])
        elif two.kind == "backward":
            steps.append(_backward(two, getters[0]))
        elif two.kind == "begin":  # the starting gradients are resolved (above); no step
            pass
        elif two.kind == "accumulate":
            grad_slot = second.slot(two.leaves[0].array)
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
                                     second.layouts[two.outputs[0]], fresh,
                                     _live_leaf(builder, two.target)))
    if pairs:
        labels.extend([labels_of(pairs[-1][1])] * (len(steps) - len(labels)))
    result = _result(builder, first, second, results)
    live = list(builder.live.values())
    leaves = list(known_leaves)
    called = modules_of(first)

    bound = list(builder.bound.values())
    settings = [_settings_of(m) for m in called]

    modules, grads = entry  # as the second recording began
    tensors = [(t.array.shape, t.array.dtype, t.requires_grad) for t in live]

    def guard() -> bool:
        """Whether a call may replay (each part a list compared with the recording's: no
        tuples built, and the first difference ends it; 1.4 → 1.1 µs for case 10)."""
        return ([(len(attributes), pick(attributes)) for attributes, pick in settings] == modules
                and [leaf._grad is None for leaf in leaves] == grads  # the slot behind .grad
                and [(t.array.shape, t.array.dtype, t.requires_grad) for t in live] == tensors
                and all([t.array is array for t, array in bound]))

    steps = [step if isinstance(step, partial) else partial(step, state) for step in steps]
    program = Program(steps, result, state, guard, inputs, builder.counters)
    program.labels = labels
    return program


def labels_of(unit: Any) -> str:
    """What a step replays, for ``Program.describe``: ``Mul``, ``backward of Mean`` ..."""
    if unit.kind == "backward":
        return f"backward of {type(unit.node).__name__}"
    if unit.kind in ("accumulate", "drop_grad"):
        return f"{unit.kind} .grad"
    return unit.describe()


def _live_leaf(builder: Resolver, leaf: Tensor) -> Tensor | None:
    """``leaf`` if it is live (a parameter: the same tensor on every call), else None."""
    return None if id(leaf) in builder.second.input_tensor else leaf


# library functions recorded as one that only read their tensor arguments
READS_ONLY = {F.embedding.__wrapped__, F.cross_entropy.__wrapped__, F.nll_loss.__wrapped__,
              F.binary_cross_entropy.__wrapped__, BatchNorm1d.forward.__wrapped__}


def _input_buffers(builder: Resolver, pairs: list) -> list:
    """Small inputs that only ops read are copied into buffers at the start of a run, so that
    the ops' numpy calls can be bound to them (a bound call saves ~0.3 µs; copying 64 KiB
    costs ~5 µs, so larger inputs are read where they are). Not those a library function
    is given that might change them in place (all but ``READS_ONLY``), nor those of another
    memory layout (it would change the sums)."""
    second = builder.second
    given = {id(v.array if isinstance(v, Tensor) else v) for _, two in pairs
             if two.kind == "call" and two.target not in READS_ONLY for v in two.leaves}
    buffers = []
    for i, value in enumerate(second.inputs):
        array = value.array if isinstance(value, Tensor) else value
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
    return ([(len(attributes), pick(attributes))
             for attributes, pick in map(_settings_of, modules_of(first))],
            [leaf.grad is None for leaf in known_leaves])


_SETTING_TYPES = (bool, int, float, str, type(None))


def _settings_of(module: Any) -> tuple:
    """What the guard reads of a module: its ``training`` flag and other plain settings
    (``p`` of Dropout, ``eps`` and ``momentum`` of batch norm ...), the values its forward
    gives to the ops, as (its attribute dict, a getter of those settings). The guard reads
    (the number of attributes, the settings): the names are looked up once, and a setting
    added later changes the number of attributes. (One comprehension over these pairs
    rather than a closure per module: 0.49 -> 0.40 µs for case 10's three modules.)"""
    names = [k for k, v in module.__dict__.items() if type(v) in _SETTING_TYPES]
    return module.__dict__, itemgetter(*names) if names else _no_settings


def _no_settings(attributes: dict) -> tuple:
    return ()


def _splittable(builder: Resolver, pairs: list) -> dict:
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
            made |= {builder.second.slot(v.array) for child in two.children
                     for v in child.leaves if isinstance(v, Tensor)}
            made.add(builder.second.slot(two.leaves[0].array))
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


# ----- what the step returns -----------------------------------------------------------------
def _result(builder: Resolver, first: Recorder, second: Recorder, results: tuple) -> Callable:
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

    def result(state: State) -> Any:
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


def _reread(builder: Resolver, tensor: Tensor, value: Any, tensor_one: Tensor) -> Getter:
    get = builder.tensor(tensor, tensor_one, "a value the step returns")
    if isinstance(value, str):
        raise CannotCompile("the step returns a tensor formatted as text: a replay cannot "
                            "format the new value the same way")
    if isinstance(value, bool):
        return lambda state: bool(get(state).array.item())
    if isinstance(value, list):
        return lambda state: get(state).array.tolist()
    if isinstance(value, np.ndarray):
        return lambda state: get(state).array.copy()
    slot = builder.second.slot(tensor.array) if builder.kind == "slot" else None
    if slot is not None:  # loss.item() of an op's output: its slot's array, without a Tensor
        return lambda state: state.values[slot].item()  # around it (~0.3 µs a call)
    return lambda state: get(state).array.item()


def _read_name(value: Any) -> str:
    if isinstance(value, str):
        return "print(tensor) (or str, repr, format)"
    if isinstance(value, bool):
        return "bool(tensor)"
    if isinstance(value, list):
        return ".tolist()"
    if isinstance(value, np.ndarray):
        return ".numpy()"
    return ".item()"
