"""``draw_graph``: a computation graph as a Graphviz drawing.

What is drawn, for a graph with root ``loss``:

- one **op** oval per ``Function`` node (``matmul``, ``sigmoid``, ...);
- one **tensor** box per value: the output of every op, and every leaf;
- one **data** box per constant input (the data ``x``, the targets ``t``,
  the ``2`` of ``e ** 2``), so that no op is drawn with an input missing;
- edges in data-flow order: input tensor → op → output tensor.

Compact by default: an unnamed intermediate tensor is not a box of its own;
its op's oval says the shape it produces (with ``show_values=True`` the
values ops saved for backward get their boxes back). The
direction (left to right or top to bottom) is chosen from the graph's shape,
and the picture is at most ``max_width`` inches wide (see ``viz/layout.py``).

The graph stores nodes only, and a node keeps no reference to its output
(that would be a reference cycle), so an intermediate box shows what its node
knows: shape and dtype. Values and gradients appear where a tensor can still
be reached: the root, the leaves, tensors passed in ``params``, and values an
op saved for backward (until backward frees them). Drawing reads the graph
and changes nothing: no gradient is computed, no node is created.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np

from tinygrad_edu.autograd.function import AccumulateGrad, _SavedOutput
from tinygrad_edu.tensor import Tensor
from tinygrad_edu.viz.collapse import chosen_modules, describe_module, find_groups
from tinygrad_edu.viz.labels import (
    FONT_SIZE,
    STYLES,
    dot_label,
    dot_text,
    legend_label,
    preview,
    shape_text,
)
from tinygrad_edu.viz.layout import PAGE_WIDTH, choose_rankdir, constant_inputs
from tinygrad_edu.viz.render import Drawing
from tinygrad_edu.viz.walk import GraphWalk, backward_order

RANKDIRS = ("auto", "LR", "RL", "TB", "BT")
# Continuation lines of a value are indented with no-break spaces: browsers
# drop ordinary leading spaces in SVG text.
INDENT = "\n" + "\u00a0" * 6


def draw_graph(
    root: Tensor,
    params: dict | Any = None,
    *,
    show_values: bool | str = "auto",
    show_grads: bool = True,
    show_order: bool = False,
    collapse: Any = None,
    rankdir: str = "auto",
    max_nodes: int = 500,
    legend: bool = True,
    compact: bool = True,
    show_constants: bool = True,
    max_width: float | None = PAGE_WIDTH,
) -> Drawing:
    """Draw the graph that produced ``root`` (usually the loss); returns a ``graphviz.Digraph``.

    - ``params``: names for tensors, ``{name: tensor}`` or a ``Module`` (its
      ``named_parameters()``). Intermediate values are named the same way:
      ``{**dict(model.named_parameters()), "a_out": a_out}``. Call
      ``a_out.retain_grad()`` before ``backward()`` to see its gradient too.
    - ``show_values``: ``"auto"`` shows values of tensors with at most 16
      elements, ``True`` a summary for bigger ones too, ``False`` none.
    - ``show_grads``: show ``.grad`` where it exists (after ``backward()``);
      the gradient of a big tensor is shown as its norm.
    - ``show_order``: number the ops ``#1, #2, ...`` in the order backward runs them.
    - ``collapse``: with ``params`` a ``Module``, draw each chosen sub-module
      (a class such as ``nn.Linear``, a name from ``named_modules()``, or a
      list of them) as one box (see ``tinygrad_edu/viz/collapse.py`` for
      how its nodes are found).
    - ``rankdir``: ``"auto"`` (top to bottom for deep graphs, left to right
      for shallow ones), ``"LR"`` (left to right), ``"TB"``, ``"RL"`` or ``"BT"``.
    - ``max_nodes``: at most this many boxes; the rest is replaced by a note
      saying how many were left out.
    - ``legend``: add the colour legend.
    - ``compact``: fold unnamed intermediate tensors into the oval of the op
      that makes them, which then shows their shape (``False``: one box per
      tensor). Name a tensor in ``params`` to keep its box.
    - ``show_constants``: draw inputs that need no gradient as data boxes.
    - ``max_width``: Graphviz shrinks a wider picture to this many inches
      (8.5 in = 816 px, a repository page); ``None`` keeps the natural size.

    ``.source`` is the DOT text; ``.render(path, format="svg")`` or
    ``tinygrad_edu.viz.render`` write a picture (Graphviz ``dot`` needed).
    """
    names = _check_arguments(root, params, show_values, show_grads, rankdir, max_nodes)
    if max_width is not None and (isinstance(max_width, bool)
                                  or not isinstance(max_width, (int, float)) or max_width <= 0):
        raise ValueError(f"max_width must be a positive number of inches or None, "
                         f"got {max_width!r}")
    if collapse is not None and not hasattr(params, "named_modules"):
        raise TypeError(
            "collapse needs the model: pass params=model (a Module) together with collapse"
        )

    graph_attr = {"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.3"}
    if max_width is not None:
        graph_attr["size"] = f"{max_width:g},{20 * max_width:g}"  # shrink to fit, never grow
    drawing = Drawing(
        name="computation_graph",
        graph_attr=graph_attr,
        node_attr={"fontname": "Helvetica", "fontsize": str(FONT_SIZE)},
        edge_attr={"color": "#595959", "arrowsize": "0.7"},
    )
    # A drawing makes hundreds of thousands of small objects for a big graph,
    # all kept to the end: the cycle collector would re-scan them for nothing.
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        _fill(drawing, root, names, params, collapse, show_values, show_grads, show_order,
              max_nodes, legend, compact, show_constants)
    finally:
        if collector_was_on:
            gc.enable()
    return drawing


def _fill(
    drawing: Drawing,
    root: Tensor,
    names: dict,
    params: Any,
    collapse: Any,
    show_values: bool | str,
    show_grads: bool,
    show_order: bool,
    max_nodes: int,
    legend: bool,
    compact: bool,
    show_constants: bool,
) -> None:
    """Write the boxes and edges of ``root``'s graph into ``drawing`` (see ``draw_graph``)."""
    if root.grad_fn is None:  # a leaf or a constant: there is no graph, only the tensor
        name = names.get(id(root), ("output", root))[0]
        label = _tensor_label(name, root.shape, root.array.dtype, root, show_values, show_grads)
        drawing.body.append(f'\tt0 [label="{label}" {STYLES["output"]}]\n')
        if drawing.graph_attr["rankdir"] == "auto":
            drawing.graph_attr["rankdir"] = "LR"
        if legend:
            _add_legend(drawing, {"output"}, False)
        return

    walk = GraphWalk(root.grad_fn)
    groups = []
    if collapse is not None:
        groups = find_groups(walk, chosen_modules(params, collapse))
    order = _op_numbers(walk) if show_order else {}
    saved_values = _saved_values(walk) if show_values is not False else {}
    named_nodes = _named_nodes(walk, names, root)

    constants = constant_inputs(walk, names) if show_constants else {}
    folded = set()
    if compact:  # unnamed intermediates: their op's oval (or module box) says their shape
        folded = {i for i, node in enumerate(walk.nodes) if i != 0
                  and type(node) is not AccumulateGrad and i not in named_nodes
                  and (show_values is not True or i not in saved_values)}
    vertices, edges = _layout(walk, groups, constants, folded)
    if drawing.graph_attr["rankdir"] == "auto":
        drawing.graph_attr["rankdir"] = choose_rankdir(vertices[:max_nodes], edges)
    drawn = vertices[:max_nodes]
    kinds = _write_boxes(drawing, walk, drawn, groups, order, saved_values, named_nodes,
                         show_values, show_grads, constants, folded)
    _write_edges(drawing, vertices, drawn, edges, max_nodes)
    if legend:
        _add_legend(drawing, kinds, bool(order))


def _write_boxes(
    drawing: Drawing,
    walk: GraphWalk,
    drawn: list,
    groups: list,
    order: dict,
    saved_values: dict,
    named_nodes: dict,
    show_values: bool | str,
    show_grads: bool,
    constants: dict,
    folded: set,
) -> set:
    """One DOT line per box; returns the kinds of boxes written (for the legend).

    Boxes are written kind by kind, each run after a ``node [style]`` line that
    sets the look of the boxes below it: short DOT text, quick for big graphs.
    """
    lines_by_kind: dict = {kind: [] for kind in STYLES}
    plain_labels: dict = {}  # (shape, dtype) -> label of an unnamed intermediate
    for vertex, kind, i in drawn:
        if kind == "op":
            op_name = dot_text(walk.nodes[i].op_name)
            label = f"#{order[i]} {op_name}" if i in order else op_name
            if i in folded:  # the output's shape, centred under the op's name
                node = walk.nodes[i]
                label += "\\n" + dot_text(shape_text(node.output_shape, None))
        elif kind == "data":
            op, k = i
            name, tensor = constants[op][k]
            label = _constant_label(name, tensor, show_values)
        elif kind == "module":
            label = _module_label(groups[i], show_grads, order)
        elif i in named_nodes or i in saved_values or type(walk.nodes[i]) is AccumulateGrad:
            kind, label = _tensor_box(walk, i, named_nodes, saved_values, show_values,
                                      show_grads)
        else:  # the common case in big graphs: a label that only depends on shape and dtype
            node = walk.nodes[i]
            key = (node.output_shape, node.output_dtype)
            label = plain_labels.get(key)
            if label is None:
                label = plain_labels[key] = dot_label([shape_text(*key)])
            kind = "intermediate"
        lines_by_kind[kind].append(f'\t{vertex} [label="{label}"]\n')
    for kind, lines in lines_by_kind.items():
        if lines:
            drawing.body.append(f"\tnode [{STYLES[kind]}]\n")
            drawing.body.extend(lines)
    return {kind for kind, lines in lines_by_kind.items() if lines}


def _write_edges(drawing: Drawing, vertices: list, drawn: list, edges: list,
                 max_nodes: int) -> None:
    """The edges between drawn boxes; when boxes were cut, the note that says so."""
    body = drawing.body
    left_out = len(vertices) - len(drawn)
    if not left_out:
        body.extend([f"\t{tail} -> {head}\n" for tail, head in edges])
        return
    kept = {vertex for vertex, _, _ in drawn}
    cut_heads = {}  # boxes that lost an input: the note points at them
    for tail, head in edges:
        if tail in kept and head in kept:
            body.append(f"\t{tail} -> {head}\n")
        elif head in kept:
            cut_heads[head] = True
    ops_left = sum(1 for _, kind, _ in vertices[max_nodes:] if kind == "op")
    note = dot_label([
        f"{left_out} more nodes not drawn",
        f"({ops_left} ops, {left_out - ops_left} tensors or modules)",
        f"max_nodes={max_nodes}: raise it to see them",
    ])
    body.append(f'\tcut_note [label="{note}" {STYLES["note"]}]\n')
    for head in cut_heads:
        body.append(f"\tcut_note -> {head} [style=dashed]\n")


# ----- checking what the user passed ---------------------------------------------------
def _check_arguments(
    root: Any, params: Any, show_values: Any, show_grads: Any, rankdir: Any, max_nodes: Any
) -> dict:
    """Raise on bad arguments; return ``{id(tensor): (name, tensor)}`` from ``params``."""
    if not isinstance(root, Tensor):
        raise TypeError(
            f"draw_graph expects a Tensor (the output to draw the graph of), "
            f"got {type(root).__name__}"
        )
    if not isinstance(show_values, (str, bool)) or show_values not in ("auto", True, False):
        raise ValueError(f"show_values must be 'auto', True or False, got {show_values!r}")
    if not isinstance(show_grads, bool):
        raise TypeError(f"show_grads must be True or False, got {show_grads!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"unknown rankdir {rankdir!r}; use 'auto' (chosen from the graph's shape), "
            "'LR' (left to right), 'TB' (top to bottom), 'RL' or 'BT'"
        )
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)):
        raise TypeError(f"max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be at least 1, got {max_nodes}")

    if params is None:
        return {}
    if hasattr(params, "named_parameters") and not isinstance(params, dict):
        pairs = list(params.named_parameters())
    elif isinstance(params, dict):
        pairs = list(params.items())
    else:
        raise TypeError(
            "params must be a dict {name: tensor} or a Module, "
            f"got {type(params).__name__}"
        )
    names: dict = {}
    for name, tensor in pairs:
        if not isinstance(tensor, Tensor):
            raise TypeError(
                f"params[{name!r}] is a {type(tensor).__name__}, not a Tensor; "
                "params maps names to tensors"
            )
        names.setdefault(id(tensor), (str(name), tensor))
    return names


# ----- what the graph knows ----------------------------------------------------------------
def _op_numbers(walk: GraphWalk) -> dict:
    """``{node index: n}`` for ops, n = 1 for the first op backward runs."""
    numbers = {}
    for i in backward_order(walk):
        if type(walk.nodes[i]) is not AccumulateGrad:
            numbers[i] = len(numbers) + 1
    return numbers


def _saved_values(walk: GraphWalk) -> dict:
    """``{node index: array}``: outputs that some op saved for backward and still holds."""
    values = {}
    for i, node in enumerate(walk.nodes):
        for saved in getattr(node, "_saved", None) or ():
            if type(saved) is _SavedOutput:
                values[i] = saved.array
            elif isinstance(saved, Tensor) and saved.grad_fn is not None:
                j = walk.index.get(saved.grad_fn)
                if j is not None:
                    values[j] = saved.array
    return values


def _named_nodes(walk: GraphWalk, names: dict, root: Tensor) -> dict:
    """``{node index: (name or None, tensor)}`` for the tensors we can reach."""
    found = {0: names.get(id(root), (None, root))}
    by_node = {}
    for name, tensor in names.values():
        if tensor.grad_fn is not None:
            by_node.setdefault(tensor.grad_fn, (name, tensor))
    for node, entry in by_node.items():
        i = walk.index.get(node)
        if i is not None and i != 0:
            found[i] = entry
    for i, node in enumerate(walk.nodes):
        if type(node) is AccumulateGrad:
            leaf = node.variable()
            if leaf is not None:
                found[i] = names.get(id(leaf), (None, leaf))
    return found


def _layout(walk: GraphWalk, groups: list, constants: dict, folded: set) -> tuple:
    """The picture's vertices ``[(id, kind, index)]``, in drawing order, and its edges.

    A folded tensor has no vertex: the edges that would leave it leave its op.
    A constant input of op ``i`` is the vertex ``c<i>_<k>`` (``k``-th constant).
    """
    is_op = [type(node) is not AccumulateGrad for node in walk.nodes]
    vertices = []
    if not groups:
        op_vertex = [f"op{i}" if op else None for i, op in enumerate(is_op)]
        tensor_vertex = [op_vertex[i] if i in folded else f"t{i}" for i in range(len(is_op))]
        for i, op in enumerate(is_op):
            if op:
                vertices.append((op_vertex[i], "op", i))
                for k in range(len(constants.get(i, ()))):
                    vertices.append((f"c{i}_{k}", "data", (i, k)))
            if i not in folded:
                vertices.append((tensor_vertex[i], "tensor", i))
    else:
        op_vertex, tensor_vertex = _collapsed_vertices(walk, groups, is_op, vertices, folded)
        for i, found in constants.items():
            vertices.extend((f"c{i}_{k}", "data", (i, k)) for k in range(len(found)))

    edges = []
    for i, feeding in enumerate(walk.inputs):
        op = op_vertex[i]
        if op is None:
            continue
        for j in feeding:
            edges.append((tensor_vertex[j], op))
        for k in range(len(constants.get(i, ()))):
            edges.append((f"c{i}_{k}", op))
        edges.append((op, tensor_vertex[i]))
    if groups or folded:  # inside a box, edges vanish; between boxes, one edge is enough
        edges = [(a, b) for a, b in edges if a != b]
    if groups:
        edges = list(dict.fromkeys(edges))
    return vertices, edges


def _collapsed_vertices(walk: GraphWalk, groups: list, is_op: list, vertices: list,
                        folded: set = frozenset()) -> tuple:
    """Vertex ids when modules are collapsed: a module's nodes all map to its box ``m<g>``.

    An op's output stays a box of its own when it leaves the module (it is used
    outside, or it is the root); otherwise it is hidden inside the module box.
    """
    group_of = {}
    for g, group in enumerate(groups):
        for i in group.members:
            group_of[i] = g
    consumers = walk.consumers()
    op_vertex, tensor_vertex = [], []
    seen = set()
    for i, op in enumerate(is_op):
        g = group_of.get(i)
        if g is None:
            op_vertex.append(f"op{i}" if op else None)
            tensor_vertex.append(op_vertex[i] if i in folded else f"t{i}")
            candidates = [(op_vertex[i], "op", i), (tensor_vertex[i], "tensor", i)]
        else:
            box = f"m{g}"
            leaves_box = op and (i == 0 or any(group_of.get(c) != g for c in consumers[i]))
            op_vertex.append(box if op else None)
            tensor_vertex.append(f"t{i}" if leaves_box and i not in folded else box)
            candidates = [(box, "module", g), (tensor_vertex[i], "tensor", i)]
        for vertex, kind, index in candidates:
            if vertex is not None and vertex not in seen:
                seen.add(vertex)
                vertices.append((vertex, kind, index))
    return op_vertex, tensor_vertex


# ----- labels -------------------------------------------------------------------------------
def _tensor_box(
    walk: GraphWalk,
    i: int,
    named_nodes: dict,
    saved_values: dict,
    show_values: bool | str,
    show_grads: bool,
) -> tuple:
    """The kind (colour) and label of the box for node ``i``'s tensor."""
    node = walk.nodes[i]
    name, tensor = named_nodes.get(i, (None, None))
    if type(node) is AccumulateGrad:
        kind = "parameter" if name is not None else "leaf"
        if tensor is None:  # the leaf itself is gone
            return kind, dot_label([name or "leaf (freed)"])
        shape, dtype = tensor.shape, tensor.array.dtype
    else:
        kind = "named" if name is not None else "intermediate"
        shape, dtype = node.output_shape, node.output_dtype
    if i == 0:
        kind = "output"
        name = name or "output"
    value = tensor.array if tensor is not None else saved_values.get(i)
    label = _tensor_label(name, shape, dtype, tensor, show_values, show_grads, value)
    return kind, label


def _tensor_label(
    name: str | None,
    shape: tuple,
    dtype: Any,
    tensor: Tensor | None,
    show_values: bool | str,
    show_grads: bool,
    value: np.ndarray | None = None,
) -> str:
    lines = [name] if name else []
    lines.append(shape_text(shape, dtype))
    if value is None and tensor is not None:
        value = tensor.array
    if show_values is not False and value is not None:
        # a big tensor the user can reach (named, a leaf, the root) is summarised by
        # its statistics; a big value an op saved only with show_values=True
        text = preview(value, summarise=show_values is True or tensor is not None)
        if text:
            lines.append("value " + text.replace("\n", INDENT))
    if show_grads and tensor is not None and tensor.grad is not None:
        grad = tensor.grad.array
        text = preview(grad, summarise=show_values is True)
        if text:
            lines.append("grad  " + text.replace("\n", INDENT))
        else:
            lines.append(f"grad  norm {np.linalg.norm(grad):.4g}")
    return dot_label(lines)


def _constant_label(name: str | None, tensor: Tensor | None, show_values: bool | str) -> str:
    """A data box: the name if known, the shape and the value if the op kept it."""
    if tensor is None:
        return dot_label([name or "constant"])
    if name is None and tensor.ndim == 0:  # a number in the formula: 0.5 * e, e ** 2
        return dot_label([preview(tensor.array, summarise=True)])
    return _tensor_label(name, tensor.shape, tensor.array.dtype, tensor, show_values, False)


def _module_label(group: Any, show_grads: bool, order: dict) -> str:
    title = describe_module(group.module)
    lines = [f"{group.name}: {title}" if group.name else title]
    steps = sorted(order[i] for i in group.members if i in order)
    if steps:
        lines[0] += f"  (#{steps[0]}–#{steps[-1]})" if len(steps) > 1 else f"  (#{steps[0]})"
    for name, p in group.module.named_parameters():
        line = f"{name} {shape_text(p.shape, None)}"
        if show_grads and p.grad is not None:
            line += f"  grad norm {np.linalg.norm(p.grad.array):.3g}"
        lines.append(line)
    return dot_label(lines)


def _add_legend(drawing: Drawing, kinds: set, show_order: bool) -> None:
    """The legend, beside the output (at the end, where it takes the least width)."""
    drawing.body.append(
        f"\tlegend [label={legend_label(kinds, show_order)} {STYLES['legend']}]\n"
    )
    drawing.body.append("\t{rank=same; t0; legend}\n")
