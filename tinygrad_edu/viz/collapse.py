"""Which nodes of a graph belong to which module, for drawing a layer as one box.

The graph records ops, not modules, and ``draw_graph`` runs nothing, so a
module's part of the graph is found from its parameters alone. The rule:

1. the module's **parameters** (the leaves of its ``named_parameters()``);
2. their **views**: movement ops (transpose, reshape, expand, indexing, a
   dtype cast) applied to a parameter alone, like the ``W.T`` of ``x @ W.T``;
3. every op that **uses** a parameter or a view directly (the ``matmul`` fed
   by ``W.T``, the ``add`` fed by the bias);
4. every op **between** two ops of 1–3, i.e. downstream of one and upstream
   of another (an activation applied between the matmul and a later bias).

For ``x @ W.T + b`` written out this is ``permute → matmul → add``; for a
fused linear op (one node fed by x, W and b) it is that node. What it cannot
see: a module without parameters (``nn.Sigmoid``) has no place in the graph
and is drawn op by op; and a parameter shared by two modules goes to the first
of them in ``named_modules()`` order.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.autograd.function import AccumulateGrad
from tinygrad_edu.viz.walk import GraphWalk

VIEW_OPS = frozenset({"permute", "reshape", "expand", "getitem", "cast", "clone"})


class Group:
    """One collapsed module: its name, the module, and the graph nodes it stands for."""

    def __init__(self, name: str, module: Any, members: set) -> None:
        self.name = name
        self.module = module
        self.members = members


def chosen_modules(model: Any, collapse: Any) -> list:
    """``(name, module)`` pairs of ``model.named_modules()`` picked by ``collapse``.

    ``collapse`` is a module class, a module name (as in ``named_modules()``,
    e.g. ``"0"`` or ``"encoder.fc"``), or a list/tuple of them.
    """
    wanted = list(collapse) if isinstance(collapse, (list, tuple)) else [collapse]
    for item in wanted:
        if not isinstance(item, (type, str)):
            raise TypeError(
                "collapse takes module classes (like nn.Linear) or module names (like '0'), "
                f"or a list of them; got {type(item).__name__}"
            )
    named = list(model.named_modules())
    known_names = {name for name, _ in named}
    unknown = [item for item in wanted if isinstance(item, str) and item not in known_names]
    if unknown:
        raise ValueError(
            f"collapse names {unknown} are not modules of the model; its module names are "
            f"{sorted(known_names - {''})}"
        )
    types = tuple(item for item in wanted if isinstance(item, type))
    names = {item for item in wanted if isinstance(item, str)}
    return [(n, m) for n, m in named if n in names or (types and isinstance(m, types))]


def find_groups(walk: GraphWalk, modules: list) -> list:
    """One ``Group`` per chosen module that has nodes in the graph (see the module docstring)."""
    leaf_of_tensor = {}
    for i, node in enumerate(walk.nodes):
        if type(node) is AccumulateGrad:
            leaf = node.variable()
            if leaf is not None:
                leaf_of_tensor[id(leaf)] = i
    consumers = walk.consumers()
    taken: set = set()
    groups = []
    for name, module in modules:
        parameters = {
            leaf_of_tensor[id(p)] for _, p in module.named_parameters() if id(p) in leaf_of_tensor
        }
        members = _module_nodes(walk, consumers, parameters) - taken
        if members:
            taken |= members
            groups.append(Group(name, module, members))
    return groups


def _module_nodes(walk: GraphWalk, consumers: list, parameters: set) -> set:
    views = set()
    stack = list(parameters)
    while stack:  # step 2: views of views of a parameter are views too
        i = stack.pop()
        for user in consumers[i]:
            if user in views or walk.nodes[user].op_name not in VIEW_OPS:
                continue
            if len(walk.inputs[user]) == 1:
                views.add(user)
                stack.append(user)
    used = parameters | views
    members = used | {user for i in used for user in consumers[i]}
    ops = members - parameters
    if not ops:
        return members
    downstream = _reachable(ops, consumers)
    upstream = _reachable(ops, walk.inputs)
    return members | (downstream & upstream)


def _reachable(start: set, edges: list) -> set:
    """Nodes reachable from ``start`` by following ``edges`` one or more steps."""
    found: set = set()
    stack = list(start)
    while stack:
        i = stack.pop()
        for j in edges[i]:
            if j not in found:
                found.add(j)
                stack.append(j)
    return found


def describe_module(module: Any) -> str:
    """A short title: ``Linear(2→3)`` for layers with in/out features, else the class name."""
    kind = type(module).__name__
    in_features = getattr(module, "in_features", None)
    out_features = getattr(module, "out_features", None)
    if isinstance(in_features, int) and isinstance(out_features, int):
        return f"{kind}({in_features}→{out_features})"
    return kind
