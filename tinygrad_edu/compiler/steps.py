"""Each unit of a recording as steps of the program: the step makers.

A step takes no argument. The fast ones are numpy calls bound to their arrays
(``functools.partial``: no Python of ours runs); the others are closures over the
program's one ``State``, which holds the call's inputs, each slot's array and the
nodes the replayed ops made. From fastest to most general:

- a *kernel* (kernels.py): the op's numpy calls into a buffer made once;
- ``_forward``: the op's own ``forward`` on a fresh ctx, kept as its node;
- ``_apply``: ``cls.apply`` (an op that changes its input in place, or makes a view
  of a view);
- ``_split_backward``: a node's backward as the ops it ran (kernels or forwards);
- ``_backward``: the node's own ``backward``;
- ``_call``: a library function marked ``recorded_as_one``, called again (``opt.step()``
  of a plain SGD has a kernel);
- ``_accumulate`` / ``_drop_grad``: the engine's rule for ``.grad``, ``p.grad = None``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import Any

import numpy as np

from tinygrad_edu.autograd.grad_mode import _per_thread
from tinygrad_edu.compiler.composites import composite_kernel, cross_entropy_backward
from tinygrad_edu.compiler.kernels import KERNELS, STEP, VIEWS, Dyn, positional, sgd_step
from tinygrad_edu.compiler.record import Unit, flatten, new_nodes, unflatten
from tinygrad_edu.compiler.resolve import _STUB_KNOWN, Getter, Resolver
from tinygrad_edu.nn.fused import CrossEntropy
from tinygrad_edu.nn.module import Module
from tinygrad_edu.ops import inplace
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.tensor import Tensor, _as_tensor, _wrap


class State:
    """What a program works on: the call's inputs, every slot's array, the nodes made."""

    __slots__ = ("inputs", "values", "nodes")

    def __init__(self, n_values: int, n_units: int) -> None:
        self.inputs: list = []
        self.values: list = [None] * n_values
        self.nodes: list = [None] * n_units


def _fresh_nodes(outputs: list, count: int, name: str, inputs: Any) -> list:
    leaves: list = []
    flatten(inputs, leaves)
    made = new_nodes(outputs, _STUB_KNOWN, leaves)
    if len(made) != count:
        raise RuntimeError(f"tg.compile: replaying {name} made {len(made)} graph "
                           f"nodes where the recording made {count}; please report this")
    return made


def _apply(index: int, unit: Unit, getters: list) -> Callable:
    cls, tree, grad_mode, outputs, count = (unit.target, unit.tree, unit.grad_mode,
                                            unit.outputs, unit.node_count)
    name = unit.describe()  # (the closure keeps no recorded arrays alive)
    slot = outputs[0]
    flag = _per_thread.flag
    if unit.needs is not None:
        return _forward(index, unit, getters)

    def run(state: State) -> None:
        args = unflatten(tree, iter([get(state) for get in getters]))
        flag.enabled = grad_mode
        out = cls.apply(*args)
        if slot is not None:
            state.values[slot] = out.array
        if count:
            state.nodes[index] = _fresh_nodes([out], count, name, args)

    run.makes_nodes = True
    return run


def _forward(index: int, unit: Unit, getters: list) -> Callable:
    """An op replayed without ``apply``: its ``forward`` on a fresh ctx, which is kept as the
    node for its backward. No graph is recorded, so nothing else of apply is needed."""
    flag = _per_thread.flag
    cls, tree, needs, slot, count = (unit.target, unit.tree, unit.needs, unit.outputs[0],
                                     unit.node_count)
    forward = cls.forward
    flat = tree == (tuple, (None,) * len(getters))

    def run(state: State) -> None:
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

    run.makes_nodes = True
    return run


def _split_backward(builder: Resolver, one: Unit, two: Unit) -> list:
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


def _kernel(builder: Resolver, two: Unit, one: Unit, where: str,
            index: int | None = None) -> list | None:
    """The op as plain numpy calls into a buffer made now (kernels.py), if it has a kernel:
    a list of steps (empty for a view of a fixed array, made here once). If the op's
    backward reads what its forward kept on the node, the kernel must keep it too."""
    cls, slot = two.target, two.outputs[0]
    if slot is None or two.needs is None:
        return None
    kept_names = builder.ctx_used.get((index, 0), set())
    args = unflatten(two.tree, iter(two.leaves))
    args_one = unflatten(one.tree, iter(one.leaves))
    ops, constants = builder.operands(list(args), list(args_one), where)
    for i, (arg, arg_one) in enumerate(zip(args, args_one)):  # an index: a tuple of arrays
        if type(arg) is tuple and any(isinstance(v, (Tensor, np.ndarray)) for v in arg):
            inner, _ = builder.operands(list(arg), list(arg_one), where)
            ops[i] = tuple([v if op is None else op for v, op in zip(arg, inner)])
    values = builder.state.values
    view = VIEWS.get(cls)
    if view is not None:
        source, rest = ops[0], args[1:]
        if source is None:
            return None
        if kept_names:
            return None
        made = None if isinstance(source, Dyn) else view(source, rest)
        if made is not None and np.may_share_memory(made, source):  # a view: made once
            values[slot] = builder.fixed[slot] = made
            return []
        get = source.get if isinstance(source, Dyn) else (lambda state: source)

        def run_view(state: State) -> None:  # a view of a new array, or a copy (reshape of
            state.values[slot] = view(get(state), rest)  # a transpose): made every run

        return [run_view]
    make = KERNELS.get(cls)
    if make is None:
        return None
    out = builder.buffer(slot)
    if out is None:
        return None
    calls = make(list(args), ops, constants, out)
    if isinstance(calls, tuple):  # (calls, what the forward keeps on the node)
        calls, kept = calls
        if not kept_names <= set(kept):
            return None
        if index is not None:  # (an op inside a backward makes no node anyone reads)
            builder.state.nodes[index] = [SimpleNamespace(**kept)]
    elif kept_names:
        return None
    if calls is None:
        return None
    values[slot] = builder.fixed[slot] = out
    return [_bind(fn, call_args, kwargs) for fn, call_args, kwargs in calls]


def _bind(fn: Callable, args: tuple, kwargs: dict) -> Callable:
    """One numpy call as a step: a partial when every operand is fixed, else a closure."""
    fn, args, kwargs = positional(fn, args, kwargs)
    if not any(isinstance(a, Dyn) for a in (*args, *kwargs.values())):
        return partial(fn, *args, **kwargs)
    late = {k: v for k, v in kwargs.items() if isinstance(v, Dyn)}  # where=condition
    fixed = {k: v for k, v in kwargs.items() if not isinstance(v, Dyn)}

    def run(state: State) -> None:
        fn(*[a.get(state) if isinstance(a, Dyn) else a for a in args],
           **{k: v.get(state) for k, v in late.items()}, **fixed)

    run.kernel = fn  # a numpy call all the same, with an operand read at replay (describe)
    return run


def _update_kernel(builder: Resolver, two: Unit, others: list, where: str) -> Callable | None:
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

    def run(state: State) -> None:
        array = a.array
        value = operand.get(state) if isinstance(operand, Dyn) else operand
        ufunc(array, value, out=array, casting="same_kind")
        counter.value += 1

    if a.array is a_one.array and not isinstance(operand, Dyn):  # a fixed array: bound
        builder.bound[id(a)] = (a, a.array)
        builder.counters.append(counter)  # counted once, at the end of a run (Program)
        return [partial(ufunc, a.array, operand, a.array)]  # out= a.array, by position
    return [run]


# zero_grad of optimizers and modules: sets .grad to None (or fills it with zeros), which no grad
# mode changes
ZERO_GRADS = {Optimizer.zero_grad.__wrapped__, Module.zero_grad.__wrapped__}


def _call(index: int, unit: Unit, getters: list) -> Callable:
    fn, tree, grad_mode, outputs, count = (unit.target, unit.tree, unit.grad_mode,
                                           unit.outputs, unit.node_count)
    name = unit.describe()
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
        if fn in ZERO_GRADS:  # the same whatever the grad mode: the call itself is the step
            return bound

        def run_bound(state: State) -> None:
            flag.enabled = grad_mode
            bound()

        return run_bound

    def run(state: State) -> None:
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
            state.nodes[index] = _fresh_nodes(leaves, count, name, (args, kwargs))

    run.makes_nodes = True
    return run


def _backward(unit: Unit, grad: Getter) -> Callable:
    (node_unit, position), outputs = unit.target, unit.outputs
    flag = _per_thread.flag

    def run(state: State) -> None:
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


def _accumulate(target: Getter, grad: Any, slot: int | None, layout: tuple,
                fresh: bool, leaf: Tensor | None) -> Callable:
    """The engine's rule (``_accumulate_into``): the first gradient is stored, later ones
    added in place. ``slot``: where later ops read ``.grad`` (None: where it already is).

    ``fresh``: the step itself set this ``.grad`` to None before (``zero_grad()``), so the
    gradient's own buffer is stored, as eager mode stores the array. Otherwise a ``.grad``
    from an earlier call may still be there when the op that made this gradient runs again:
    the gradient is stored in a buffer of the leaf's own, which no op of the program writes
    (a copy; case 3 went from 1.28× to 1.21× numpy when its gradients stopped being copied).
    A fresh gradient of a parameter is one bound ``setattr`` of the ``_grad`` slot: the guard
    and the step's own ``p.grad = None`` make sure ``.grad`` is None there."""
    own = grad if fresh else np.empty(layout[0], layout[1])  # (shape, dtype)
    kept = _wrap(own)  # the same Tensor each time: a replay allocates nothing
    if fresh and leaf is not None and slot is None:
        return partial(setattr, leaf, "_grad", kept)  # the slot: kept fits, no checks needed

    def run(state: State) -> None:
        leaf = target(state)
        g = grad.get(state) if isinstance(grad, Dyn) else grad
        if leaf.grad is None:
            if not fresh:
                np.copyto(own, g)
            leaf._grad = kept  # the slot behind .grad: kept has the leaf's shape and dtype
        else:
            total = leaf.grad.array
            np.add(total, g, out=total, casting="unsafe")
            leaf.grad._version.value += 1
        if slot is not None:
            state.values[slot] = leaf.grad.array

    return run


def _drop_grad(target: Getter, leaf: Tensor | None) -> Callable:
    """``p.grad = None``: for a parameter, one bound ``setattr``."""
    if leaf is not None:
        return partial(setattr, leaf, "_grad", None)  # the slot behind .grad (no checks)

    def run(state: State) -> None:
        target(state)._grad = None

    return run


def _composite(builder: Resolver, index: int, two: Unit, one: Unit, split: dict,
               where: str) -> list | None:
    """Batch norm's or cross-entropy's unit as numpy calls (composites.py), if it has them."""
    slot = two.outputs[0] if len(two.outputs) == 1 else None
    if two.node_count != 1 or slot is None or not two.grad_mode:
        return None
    args, kwargs = unflatten(two.tree, iter(two.leaves))
    args_one, _ = unflatten(one.tree, iter(one.leaves))
    tensors = [(i, a) for i, a in enumerate(args) if isinstance(a, Tensor)]
    if len(tensors) not in (1, 2) or any(isinstance(v, (Tensor, np.ndarray))
                                         for v in kwargs.values()):
        return None
    names = ("first", "second")[:len(tensors)]  # the tensor arguments, in order
    ops, _ = builder.operands([a for _, a in tensors], [args_one[i] for i, _ in tensors],
                              where)
    operands = dict(zip(names, ops))
    recorded = {name: a.array for name, (_, a) in zip(names, tensors)}
    node = builder.node_at((index, 0))
    kept = builder.ctx_used.get((index, 0), set())
    if kept and not split.get((index, 0)):
        return None
    out = builder.buffer(slot)
    if out is None:
        return None
    made = composite_kernel(two.target, args, kwargs, operands, recorded, out, kept,
                            node.needs_input_grad)
    if made is None:
        return None
    steps, stub = made
    if isinstance(stub, SimpleNamespace):  # batch norm: its backward is replayed as ops
        if not split.get((index, 0)):
            return None
        builder.counters.extend(getattr(stub, "counters", []))
        for t in getattr(stub, "bound", []):
            builder.bound[id(t)] = (t, t.array)
    builder.state.nodes[index] = [stub]
    builder.stubs[(index, 0)] = stub
    builder.state.values[slot] = builder.fixed[slot] = out
    return steps


def _stub_backward(builder: Resolver, two: Unit, one: Unit, where: str) -> list | None:
    """The backward of a node that a composite kernel made (cross-entropy's), as numpy."""
    stub = builder.stubs.get(two.target)
    slot = two.outputs[0] if two.outputs else None
    if not isinstance(stub, CrossEntropy) or slot is None or any(two.outputs[1:]):
        return None
    (g,), _ = builder.operands(two.leaves[:1], one.leaves[:1], where)
    out = builder.buffer(slot)
    if out is None:
        return None
    calls = cross_entropy_backward(stub, g, out)
    builder.state.values[slot] = builder.fixed[slot] = out
    return [_bind(f, a, k) for f, a, k in calls]
