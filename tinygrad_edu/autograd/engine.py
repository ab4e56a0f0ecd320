"""The backward pass: gradients flow from the outputs to the leaves.

1. Walk the graph once from the roots (an explicit stack, no recursion) and
   count, for every node, how many consumers will send it a gradient.
2. Start from the roots. A node runs when all of its consumers have sent
   their gradient (its count reached 0), so it runs exactly once, with the
   sum of them; its ``backward`` gives one gradient per input, which goes to
   the input's node. Leaves' ``AccumulateGrad`` nodes add theirs into ``.grad``.

That order is a reverse topological order: every node after all nodes that
use its output. Un-broadcasting happens here, in one place: a gradient whose
shape is not its input's is summed down to it (see ``sum_to_shape``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence

import numpy as np

from tinygrad_edu.autograd.function import AccumulateGrad, Function, _AnomalyState, gradient_edge
from tinygrad_edu.autograd.grad_mode import _grad_state, _per_thread, backward_on_arrays
from tinygrad_edu.tensor import Tensor, _wrap

Node = Function | AccumulateGrad


def sum_to_shape(grad: Tensor, shape: tuple) -> Tensor:
    """Undo broadcasting: sum ``grad`` over the axes that broadcasting added or stretched."""
    grad_shape = grad.array.shape
    if grad_shape == shape:
        return grad
    lead = len(grad_shape) - len(shape)
    stretched_list = []  # size-1 dims that broadcasting stretched: summed, kept as 1
    for i, size in enumerate(shape):  # (a loop, not any(...) over a generator: 1 µs less
        if lead < 0 or size != grad_shape[lead + i]:  # for every broadcast bias)
            if lead < 0 or size != 1:
                raise ValueError(f"cannot sum a gradient of shape {grad_shape} to shape {shape}")
            stretched_list.append(i)
    # (tuple of a list, not of a generator: that tuple is made at a guessed size and resized,
    # and freed ones then fill CPython's free list slowly: benchmark case 7c's growth)
    stretched = tuple(stretched_list)
    if backward_on_arrays():  # no graph wanted: the same sums on the array (np.add.reduce
        data = grad.array  # is what ndarray.sum calls, through a Python function)
        if lead:
            data = np.add.reduce(data, axis=tuple(range(lead)))
        if stretched:
            data = np.add.reduce(data, axis=stretched, keepdims=True)
        return _wrap(data if type(data) is np.ndarray else np.asarray(data))
    from tinygrad_edu.ops.reduce import Sum

    if lead:  # dims that broadcasting added in front: summed away
        grad = Sum.apply(grad, tuple(range(lead)), False)
    if stretched:
        grad = Sum.apply(grad, stretched, True)
    return grad


def _count_dependencies(roots: Sequence[Node]) -> dict:
    """For each node reachable from the roots, the number of edges that lead into it.

    A node is in the dict once it has been seen (the roots start at 0), so the
    dict is also the walk's "visited" set: each node is expanded once.
    """
    dependencies: dict = dict.fromkeys(roots, 0)
    stack = list(dependencies)
    while stack:
        node = stack.pop()
        for next_node in node.next_functions:
            if next_node is None:
                continue
            count = dependencies.get(next_node)
            if count is None:  # first time seen: count it and walk on from it
                dependencies[next_node] = 1
                stack.append(next_node)
            else:
                dependencies[next_node] = count + 1
    return dependencies


def _call_hooks(hooks: list, grad: Tensor, handed_out: set) -> Tensor:
    """Run the hooks in order; each may return a new gradient, of the same shape and dtype.
    A gradient a hook has seen may be kept by it: it is never changed in place later."""
    for hook in hooks:
        handed_out.add(id(_owner(grad.array)))
        replaced = hook(grad)
        if replaced is not None:
            name = getattr(hook, "__name__", repr(hook))
            if not isinstance(replaced, Tensor):
                raise TypeError(f"expected Tensor, but hook '{name}' returned "
                                f"'{type(replaced).__name__}'")
            if replaced.array.shape != grad.array.shape:
                raise RuntimeError(f"hook '{name}' has changed the size of value")
            if replaced.array.dtype != grad.array.dtype:
                raise RuntimeError(f"hook '{name}' has changed the type of value (was "
                                   f"{grad.dtype} got {replaced.dtype})")
            grad = replaced
    handed_out.add(id(_owner(grad.array)))
    return grad


def _owner(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory (itself, or the base of a view)."""
    return array if array.base is None else array.base


def _accumulate_into(tensor: Tensor, grad: Tensor, handed_out: set, create_graph: bool) -> None:
    """``tensor.grad += grad``; the first gradient is stored without a copy when it is safe.

    ``handed_out`` holds the ids of the arrays (the memory owners) already given
    to a ``.grad`` or passed in by the user. A gradient whose memory is among
    them would alias another gradient (add hands the same one to both of its
    inputs; ``a + b.T`` gives b a view of a's): then it is copied. A read-only
    broadcast view is copied too. Otherwise the fresh array is kept as it is. With
    ``create_graph`` the first gradient is always cloned (in the graph), as in PyTorch.
    """
    if tensor._grad is None:  # _grad: the slot behind .grad, whose setter checks user values
        data = grad.array
        owner_id = id(_owner(data))
        if not create_graph and (owner_id in handed_out or not data.flags.writeable):
            data = data.copy()
            owner_id = id(data)
        handed_out.add(owner_id)
        tensor._grad = grad.clone() if create_graph else _wrap(data)  # a tensor of its own
    elif create_graph:
        tensor._grad = tensor._grad + grad
    else:
        np.add(tensor._grad.array, grad.array, out=tensor._grad.array, casting="unsafe")
        tensor._grad._version.value += 1


def _check_nan(node: Function, grads: tuple) -> None:
    for i, g in enumerate(grads):
        if g is not None and np.isnan(g.array).any():
            where = f"\nIt was created at:\n{node._created_at}" if node._created_at else ""
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output "
                f"(the gradient for input {i} of op '{node.op_name}').{where}"
            )


def run_backward(
    roots: Sequence[Tensor],
    root_grads: Sequence[Tensor],
    retain_graph: bool,
    create_graph: bool,
    inputs: Sequence[Tensor] | None = None,
    on_node: Callable | None = None,
) -> list | None:
    """Propagate ``root_grads`` back from ``roots``.

    Without ``inputs`` the gradients accumulate into the leaves' ``.grad``.
    With ``inputs`` (``autograd.grad``) nothing is accumulated and the
    gradient reaching each input is returned instead (None where none did).
    ``on_node(node, grad_output, grads)``, if given, watches each node as it
    runs (a leaf's after its ``.grad`` is updated, with ``grads = ()``).
    """
    recorder = _per_thread.flag.recorder  # tg.compile is recording (autograd/recording.py)
    if recorder is not None:
        recorder.backward_pass(root_grads, inputs, create_graph)
    root_nodes = [gradient_edge(t) for t in roots]
    dependencies = _count_dependencies(root_nodes)

    # What to capture for autograd.grad: leaf inputs at their accumulator,
    # other inputs at their grad_fn (the gradient of its output, complete when it runs).
    capture: dict = {}
    if inputs is not None:
        for i, t in enumerate(inputs):
            capture.setdefault(gradient_edge(t), []).append(i)
    captured: list = [None] * (len(inputs) if inputs is not None else 0)

    pending: dict = {}
    handed_out: set = set()
    for node, grad in zip(root_nodes, root_grads):
        handed_out.add(id(_owner(grad.array)))
        pending[node] = pending[node] + grad if node in pending else grad
    ready = [node for node in dict.fromkeys(root_nodes) if dependencies.get(node, 0) == 0]

    previous, anomaly = _grad_state.enabled, _AnomalyState.enabled  # this thread's modes
    _grad_state.enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grad = pending.pop(node, None)
            if grad is not None:
                if node._hooks is not None:
                    grad = _call_hooks(node._hooks, grad, handed_out)
                if node._retained is not None:
                    _retain(node._retained, grad, handed_out, create_graph)
                if capture:
                    for i in capture.get(node, ()):
                        captured[i] = grad
            if type(node) is AccumulateGrad:
                if grad is not None and inputs is None:
                    leaf = node.variable()
                    if leaf is not None and recorder is not None:
                        recorder.accumulate(node, leaf, grad, handed_out)
                    elif leaf is not None:
                        _accumulate_into(leaf, grad, handed_out, create_graph)
                if on_node is not None:
                    on_node(node, grad, ())
                continue

            next_nodes = node.next_functions
            if grad is None:  # no gradient reached this node: pass None on
                grads: tuple = (None,) * len(next_nodes)
            else:
                if recorder is None:
                    grads = node.backward(node, grad)
                else:
                    grads = recorder.backward(node, grad)
                if type(grads) is not tuple:
                    grads = (grads,)
                if len(grads) != len(next_nodes):
                    raise RuntimeError(
                        f"{node.name()}.backward returned {len(grads)} gradients; "
                        f"expected {len(next_nodes)}, one per input of forward"
                    )
                if anomaly:
                    _check_nan(node, grads)
            if on_node is not None:
                on_node(node, grad, grads)
            if not retain_graph and node._saved is not None:
                node.release()

            for next_node, g in zip(next_nodes, grads):
                if next_node is None:
                    continue
                if g is not None:
                    if (
                        type(g) is not Tensor
                        or g.array.shape != next_node.output_shape
                        or g.array.dtype != next_node.output_dtype
                    ):
                        g = _fit_to_input(node, next_node, g)
                    if next_node in pending:
                        pending[next_node] = pending[next_node] + g
                    else:
                        pending[next_node] = g
                remaining = dependencies[next_node] - 1
                dependencies[next_node] = remaining
                if remaining == 0:
                    ready.append(next_node)
    finally:
        _grad_state.enabled = previous
    return captured if inputs is not None else None


def _fit_to_input(node: Function, next_node: Node, g: Tensor) -> Tensor:
    """Bring ``g`` to its input's shape and dtype (the one place broadcasting is undone)."""
    if type(g) is not Tensor:  # PyTorch: RuntimeError "expected Variable or None"
        raise RuntimeError(
            f"{node.name()}.backward must return Tensors (or None), got {type(g).__name__}"
        )
    shape, dtype = next_node.output_shape, next_node.output_dtype
    if shape is None:  # a leaf that is gone (AccumulateGrad holds it weakly): g goes nowhere
        return g
    if g.array.shape != shape:
        try:
            g = sum_to_shape(g, shape)
        except (ValueError, RuntimeError):
            raise RuntimeError(
                f"{node.name()}.backward returned a gradient of shape {g.shape} for an input "
                f"of shape {shape}; the shapes must match (or broadcast to it)"
            ) from None
    if g.array.dtype != dtype:
        g = g.to(dtype)
    return g


def _retain(tensor_ref: weakref.ref, grad: Tensor, handed_out: set, create_graph: bool) -> None:
    tensor = tensor_ref()
    if tensor is not None:
        _accumulate_into(tensor, grad, handed_out, create_graph)
