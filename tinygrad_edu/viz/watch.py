"""``watch_backward``: run ``backward()`` and record it node by node, to watch in a web page.

The real engine does the work: ``watch_backward`` calls the same
``run_backward`` that ``loss.backward()`` calls, with an observer
(``on_node``) that the engine calls as each node runs. For every node, in the
order backward visits it, the observer writes down

- the gradient that arrived (``grad_output``: ∂loss/∂ the node's output),
- the derivative rule of the op (the first paragraph of its docstring),
- the gradient the op sends to each input (what its ``backward`` returned),
- for a leaf, its ``.grad`` after the gradient was added in,

so the numbers are exactly those of ``loss.backward()``, and afterwards the
graph and the gradients are as ``backward()`` leaves them. Before backward it
also writes down the forward pass: each op with the values going in and out,
where the graph still holds them (see ``forward_values``).

The page (``tinygrad_edu/viz/watch_page.py``) shows the graph as
``draw_graph`` draws it, with buttons to step through the record.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu.autograd.engine import run_backward
from tinygrad_edu.autograd.function import AccumulateGrad
from tinygrad_edu.tensor import Tensor, _initial_gradient
from tinygrad_edu.viz.collapse import chosen_modules, describe_module, find_groups
from tinygrad_edu.viz.graph import (
    _check_arguments,
    _collapsed_vertices,
    _named_nodes,
    _saved_values,
    draw_graph,
)
from tinygrad_edu.viz.labels import shape_text
from tinygrad_edu.viz.walk import GraphWalk, backward_order
from tinygrad_edu.viz.watch_page import iframe_html, page_html, svg_with_ids

DERIVATIVE_MARKS = ("d/d", "↦", "∂")  # how the ops' docstrings state a derivative


class Step:
    """One step of the record: an op of the forward pass, or a node that backward ran.

    ``node`` is the node's index in the graph walk (``GraphWalk``), ``vertex``
    the id of its box in the drawing, ``edges`` the drawing's edges that the
    values (forward) or the gradients (backward) of this step run along.
    Backward steps hold ``grad_output`` and ``grads``, one entry per input that
    needs a gradient: ``{"arg": "a", "input": node index, "name": ..., "vertex":
    ..., "shape": input's shape, "value": the gradient sent, or None}``; a
    leaf's step holds ``leaf_grad``, its ``.grad`` after this step. Forward
    steps hold ``inputs`` (entries as above, "value" the input's value where
    known) and ``output``. Arrays are copies, taken when recorded.
    """

    def __init__(self, phase: str, node: int, vertex: str, op: str, title: str,
                 rule: str, output_name: str, where: str, edges: list) -> None:
        self.phase = phase
        self.node = node
        self.vertex = vertex
        self.op = op
        self.title = title
        self.rule = rule
        self.output_name = output_name
        self.where = where
        self.edges = edges
        self.grad_output: np.ndarray | None = None
        self.grads: list = []
        self.leaf_grad: np.ndarray | None = None
        self.inputs: list = []
        self.output: np.ndarray | None = None

    def __repr__(self) -> str:
        return f"<Step {self.phase} {self.title} ({self.output_name})>"


class BackwardWatch:
    """The record of one backward pass, and the page that plays it.

    ``steps`` lists the forward steps (if recorded) then the backward steps;
    ``backward_steps`` only the latter. ``html`` is the self-contained page;
    ``save(path)`` writes it. In Jupyter the object displays the page inline.
    """

    def __init__(self, steps: list, graph: dict, svg: str, title: str) -> None:
        self.steps = steps
        self.graph = graph  # what the page needs to know about the drawing's boxes
        self.svg = svg
        self.title = title
        self.path: Path | None = None

    @property
    def backward_steps(self) -> list:
        return [s for s in self.steps if s.phase == "backward"]

    @property
    def forward_steps(self) -> list:
        return [s for s in self.steps if s.phase == "forward"]

    @property
    def html(self) -> str:
        return page_html(self)

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page to ``path`` (``.html`` added if it has no extension); return the path.

        The file appears whole or not at all (written next to it, then renamed).
        """
        target = Path(path)
        if target.suffix == "":
            target = target.with_suffix(".html")
        target.parent.mkdir(parents=True, exist_ok=True)
        scratch = target.with_name(f".{target.name}.partial")
        scratch.write_text(self.html, encoding="utf-8")
        os.replace(scratch, target)
        self.path = target
        return target

    def _repr_html_(self) -> str:  # Jupyter shows this
        return iframe_html(self.html)

    def __repr__(self) -> str:
        where = f", saved to {self.path}" if self.path else ""
        return (f"<BackwardWatch of {self.title!r}: {len(self.forward_steps)} forward and "
                f"{len(self.backward_steps)} backward steps{where}>")


def watch_backward(
    loss: Tensor,
    params: dict | Any = None,
    path: str | os.PathLike | None = None,
    *,
    gradient: Tensor | None = None,
    retain_graph: bool = False,
    forward: bool = True,
    collapse: Any = None,
    rankdir: str = "LR",
    title: str | None = None,
) -> BackwardWatch:
    """Run ``loss.backward()`` while recording every node it runs; return the record and page.

    - ``params``: names for tensors, as in ``draw_graph`` (a ``Module`` or
      ``{name: tensor}``; intermediate tensors may be named too, and then the
      page shows their values and the gradient that reaches them).
    - ``path``: also write the page there (one HTML file that opens from disk).
    - ``gradient``, ``retain_graph``: as in ``Tensor.backward``.
    - ``forward``: record the forward pass too, as a first phase of the page.
    - ``collapse``, ``rankdir``: as in ``draw_graph`` (collapse ``nn.Linear``
      for big networks: each layer is then one box).
    - ``title``: the page's heading.

    The leaves' ``.grad`` end up exactly as ``loss.backward()`` leaves them.
    Graphviz's ``dot`` is needed (for the drawing); without it
    ``GraphvizNotFoundError`` is raised before anything is run.
    """
    _check_arguments_of_watch(loss, retain_graph, forward, title)
    start = _initial_gradient(loss, gradient, 0)
    names = _check_arguments(loss, params, "auto", False, rankdir, 500)
    walk = GraphWalk(loss.grad_fn)
    if any(getattr(node, "_released", False) for node in walk.nodes):
        raise RuntimeError(
            "backward already ran through this graph and freed its saved values: watch a new "
            "forward pass (or pass retain_graph=True to the backward that ran before)"
        )
    drawing = draw_graph(loss, params, show_values="auto", show_grads=False, show_order=True,
                         collapse=collapse, rankdir=rankdir, legend=False,
                         compact=False, show_constants=False)  # the page steps every tensor
    groups = find_groups(walk, chosen_modules(params, collapse)) if collapse is not None else []
    svg = svg_with_ids(drawing)  # needs dot: raises before anything has run
    if path is not None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)

    recorder = _Recorder(walk, groups, _named_nodes(walk, names, loss))
    steps = recorder.forward_steps() if forward else []
    run_backward([loss], [start], retain_graph, False, on_node=recorder.on_node)
    steps += recorder.backward
    watch = BackwardWatch(steps, recorder.graph_info(), svg,
                          title or "backward, node by node")
    if path is not None:
        watch.save(path)
    return watch


def _check_arguments_of_watch(loss: Any, retain_graph: Any, forward: Any, title: Any) -> None:
    if not isinstance(loss, Tensor):
        raise TypeError(f"watch_backward expects a Tensor (the loss), got {type(loss).__name__}")
    if loss.grad_fn is None:
        raise RuntimeError(
            "watch_backward needs the output of a computation (a tensor with a grad_fn); "
            "this tensor is a leaf or does not require grad, so backward has nothing to run"
        )
    if not isinstance(retain_graph, bool) or not isinstance(forward, bool):
        raise TypeError("retain_graph and forward must be True or False")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}")


class _Recorder:
    """Knows the graph's boxes and names; ``on_node`` is the engine's observer."""

    def __init__(self, walk: GraphWalk, groups: list, named_nodes: dict) -> None:
        self.walk = walk
        self.groups = groups
        self.named = named_nodes  # {node index: (name or None, tensor)}
        self.op_vertex, self.tensor_vertex = _vertex_ids(walk, groups)
        self.group_of = {i: g for g, group in enumerate(groups) for i in group.members}
        self.consumers = walk.consumers()
        self.leaves = []  # the leaves, with their .grad before backward
        for i, node in enumerate(walk.nodes):
            if type(node) is AccumulateGrad:
                leaf = node.variable()
                grad = None if leaf is None or leaf.grad is None else leaf.grad.array.copy()
                self.leaves.append({"node": i, "vertex": self.tensor_vertex[i],
                                    "name": self.tensor_name(i), "initial": grad})
        self.backward: list = []

    # ----- names and boxes ------------------------------------------------------------
    def tensor_name(self, i: int) -> str:
        """What the page calls node ``i``'s tensor: its name, or what it is, and its shape."""
        name, tensor = self.named.get(i, (None, None))
        node = self.walk.nodes[i]
        if type(node) is AccumulateGrad:
            shape = tensor.shape if tensor is not None else None
            kind = "leaf"
        else:
            shape, kind = node.output_shape, f"output of {node.op_name}"
        if i == 0 and name is None:
            name = "output"
        text = shape_text(tuple(shape), None) if shape is not None else "(freed)"
        return f"{name} {text}" if name else f"{kind} {text}"

    def where(self, i: int) -> str:
        """The collapsed module node ``i`` is drawn in ("" when it has a box of its own)."""
        g = self.group_of.get(i)
        if g is None:
            return ""
        group = self.groups[g]
        title = describe_module(group.module)
        return f"{group.name}: {title}" if group.name else title

    def edges(self, i: int) -> list:
        """The drawn edges around node ``i``: from its inputs' boxes, and to its output's box.

        For a leaf, the edges from its box to the ops that use it (its gradient
        came back along them). Edges inside a collapsed module are not drawn.
        """
        if self.op_vertex[i] is None:
            pairs = [(self.tensor_vertex[i], self.op_vertex[c]) for c in self.consumers[i]]
        else:
            op = self.op_vertex[i]
            pairs = [(self.tensor_vertex[j], op) for j in self.walk.inputs[i]]
            pairs.append((op, self.tensor_vertex[i]))
        return list(dict.fromkeys((a, b) for a, b in pairs if a != b))

    def step(self, phase: str, i: int) -> Step:
        node = self.walk.nodes[i]
        vertex = self.op_vertex[i] or self.tensor_vertex[i]
        return Step(phase, i, vertex, node.op_name, node.name(), derivative_rule(node),
                    self.tensor_name(i), self.where(i), self.edges(i))

    def input_entries(self, i: int, values: list) -> list:
        """One entry per input of node ``i`` that needs a gradient (see ``Step``)."""
        node = self.walk.nodes[i]
        args = argument_names(node)
        entries = []
        for k, (nxt, value) in enumerate(zip(node.next_functions, values)):
            if nxt is None:
                continue
            j = self.walk.index[nxt]
            entries.append({"arg": args[k], "input": j, "name": self.tensor_name(j),
                            "vertex": self.tensor_vertex[j], "shape": nxt.output_shape,
                            "value": value})
        return entries

    def graph_info(self) -> dict:
        """What the page needs to know of the drawing: the boxes, and the leaves."""
        return {"ops": [v for v in self.op_vertex if v is not None],
                "tensors": list(self.tensor_vertex), "leaves": self.leaves}

    # ----- the forward pass: from what the graph still holds --------------------------
    def forward_steps(self) -> list:
        values = forward_values(self.walk, self.named)
        steps = []
        for i in reversed(backward_order(self.walk)):
            node = self.walk.nodes[i]
            if type(node) is AccumulateGrad:
                continue
            step = self.step("forward", i)
            inputs = [None if nxt is None else values.get(self.walk.index[nxt])
                      for nxt in node.next_functions]
            step.inputs = self.input_entries(i, inputs)
            step.output = values.get(i)
            steps.append(step)
        return steps

    # ----- the backward pass: called by the engine as each node runs ------------------
    def on_node(self, node: Any, grad_output: Tensor | None, grads: tuple) -> None:
        i = self.walk.index[node]
        step = self.step("backward", i)
        step.grad_output = None if grad_output is None else grad_output.array.copy()
        if type(node) is AccumulateGrad:
            leaf = node.variable()
            if leaf is not None and leaf.grad is not None:
                step.leaf_grad = leaf.grad.array.copy()
        else:
            sent = [np.array(g.array, copy=True) if isinstance(g, Tensor) else None for g in grads]
            step.grads = self.input_entries(i, sent)
        self.backward.append(step)


def forward_values(walk: GraphWalk, named: dict) -> dict:
    """``{node index: copy of its output's value}`` for what the graph can still show.

    The graph keeps no op's output (that would be a reference cycle), so a
    value is known where a tensor is at hand: the root, the leaves, tensors
    named in ``params``, and the values ops saved for backward.
    """
    values = {i: array.copy() for i, array in _saved_values(walk).items()}
    for i, (_, tensor) in named.items():
        if tensor is not None:
            values[i] = tensor.array.copy()
    return values


def derivative_rule(node: Any) -> str:
    """The op's docstring up to where it states the derivative (``d/da = ...``, ``g ↦ ...``).

    That is its first paragraph (``out = a * b.   d/da = b,  d/db = a.``), or
    the first two when the derivative comes in the second (as for matmul).
    """
    doc = inspect.getdoc(type(node)) if type(node).__doc__ else None
    if not doc:
        return f"{type(node).__name__} has no docstring: its derivative is not stated"
    paragraphs = doc.split("\n\n")
    taken = paragraphs[:1]
    if not any(mark in taken[0] for mark in DERIVATIVE_MARKS) and len(paragraphs) > 1:
        if any(mark in paragraphs[1] for mark in DERIVATIVE_MARKS):
            taken.append(paragraphs[1])
    return " ".join(" ".join(taken).split()).replace("``", "")


def argument_names(node: Any) -> list:
    """The names of ``forward``'s inputs after ctx (``a``, ``b`` ...), as the rule calls them."""
    count = len(node.next_functions)
    try:
        parameters = list(inspect.signature(type(node).forward).parameters.values())[1:]
    except (TypeError, ValueError):
        parameters = []
    names = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(names) < count:
        names += [f"input {k}" for k in range(len(names), count)]
    return names[:count]


def _vertex_ids(walk: GraphWalk, groups: list) -> tuple:
    """Per node index: the id of its op's box (None for a leaf) and of its tensor's box."""
    is_op = [type(node) is not AccumulateGrad for node in walk.nodes]
    if groups:
        return _collapsed_vertices(walk, groups, is_op, [])
    return ([f"op{i}" if op else None for i, op in enumerate(is_op)],
            [f"t{i}" for i in range(len(is_op))])
