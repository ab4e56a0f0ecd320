"""How a drawing fits a page: its direction, and the constant inputs it must show.

Direction. Graphviz lays a graph out in *ranks* (an edge always goes from
one rank to a later one). A deep graph (a long chain of ops, like a network's
forward pass) drawn left to right is as wide as it is deep, and shrunk to a
page its text is unreadable; drawn top to bottom it is as wide as its widest
rank. ``choose_rankdir`` estimates both widths from the ranks and keeps
left to right only when the graph fits the page that way.

Constant inputs. An input that needs no gradient (the data ``x``, the
targets ``t``, the ``0.5`` of ``0.5 * e``) is not a node of the graph: the op
keeps ``None`` in its place in ``next_functions``. Without it an op would be
drawn with an input missing, so each such place becomes a *data* box. Its
value is known when the op saved it for backward (``matmul`` keeps ``x``,
``mul`` and ``pow`` keep their constant factor); an input the op did not save
(``sub`` keeps nothing), or any input once backward has freed what ops
saved, gets a named constant of ``params`` when their shapes fit each other
and nothing else (for ``matmul``, the product's shapes; otherwise
broadcasting to the op's output); otherwise it is drawn as ``constant``.
Drawing after ``backward(retain_graph=True)`` shows them all.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import AccumulateGrad, _SavedOutput
from tinygrad_edu.tensor import Tensor

# Which ``apply`` arguments of an op are tensors, so that a ``None`` there in
# ``next_functions`` is a constant tensor (in ``sum(x, dims, keepdim)`` the
# ``None`` places are the dims and the flag). ``cat`` takes the dimension
# first, then tensors; ``linear``'s bias may be ``None`` itself, so only x and
# the weight count. Ops not listed are drawn with their gradient inputs only.
TENSOR_POSITIONS = {
    **dict.fromkeys(("add", "sub", "mul", "div", "pow", "matmul", "maximum", "minimum"),
                    (0, 1)),
    "where": (0, 1, 2),
    "linear": (0, 1),
    "binarycrossentropy": (0, 1),
}
TENSORS_AFTER_FIRST = frozenset({"cat"})

PAGE_WIDTH = 8.5  # inches: 816 px, what a repository page or a docs column shows unscaled
RANK_WIDTH_LR = 1.6  # inches a rank takes left to right: a box and the gap to the next
BOX_WIDTH_TB = 2.2  # inches a box takes side by side, top to bottom


def choose_rankdir(vertices: list, edges: list, page_width: float = PAGE_WIDTH) -> str:
    """``"LR"`` when the graph is shallow enough to fit ``page_width`` that way, else
    whichever of ``"LR"`` and ``"TB"`` gives the narrower picture."""
    depth, breadth = ranks(vertices, edges)
    wide = depth * RANK_WIDTH_LR
    tall = breadth * BOX_WIDTH_TB
    return "LR" if wide <= page_width or wide <= tall else "TB"


def ranks(vertices: list, edges: list) -> tuple:
    """(number of ranks, most vertices in one rank): each vertex one rank after its
    latest input (longest path from the sources, Kahn's algorithm, no recursion)."""
    ids = [vertex for vertex, _, _ in vertices]
    heads: dict = {v: [] for v in ids}
    waiting = dict.fromkeys(ids, 0)
    for tail, head in edges:
        if tail in heads and head in heads:
            heads[tail].append(head)
            waiting[head] += 1
    rank = dict.fromkeys(ids, 0)
    ready = [v for v in ids if waiting[v] == 0]
    while ready:
        v = ready.pop()
        for head in heads[v]:
            rank[head] = max(rank[head], rank[v] + 1)
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    if not rank:
        return 0, 0
    per_rank: dict = {}
    for r in rank.values():
        per_rank[r] = per_rank.get(r, 0) + 1
    return max(per_rank) + 1, max(per_rank.values())


def constant_slots(node: object) -> list:
    """Positions of ``node``'s inputs that are constant tensors (see the module docstring)."""
    name = node.op_name
    edges = node.next_functions
    if name in TENSORS_AFTER_FIRST:
        positions = range(1, len(edges))
    else:
        positions = TENSOR_POSITIONS.get(name, ())
    return [k for k in positions if k < len(edges) and edges[k] is None]


def constant_inputs(walk: object, names: dict) -> dict:
    """``{op index: [(name or None, tensor or None), ...]}``, one entry per constant input.

    ``names`` is ``{id(tensor): (name, tensor)}`` from ``params``.
    """
    found: dict = {}
    unknown = []  # (op index, position in found[i]) of constants the op did not save
    placed = set()
    for i, node in enumerate(walk.nodes):
        if type(node) is AccumulateGrad:
            continue
        slots = constant_slots(node)
        if not slots:
            continue
        saved = [t for t in (getattr(node, "_saved", None) or ())
                 if type(t) is not _SavedOutput and isinstance(t, Tensor)
                 and t.grad_fn is None and not t.requires_grad]
        if len(saved) == len(slots):  # ops save their inputs in argument order
            entries = [(names.get(id(t), (None, t))[0], t) for t in saved]
            placed.update(id(t) for t in saved)
        else:
            entries = [(None, None)] * len(slots)
            unknown.extend((i, k) for k in range(len(slots)))
        found[i] = entries
    left = [(name, t) for name, t in names.values()
            if t.grad_fn is None and not t.requires_grad and id(t) not in placed]
    _place_by_shape(walk, found, unknown, left)
    return found


def _place_by_shape(walk: object, found: dict, unknown: list, left: list) -> None:
    """Give a named constant to an unknown input when each is the other's only fit."""
    fits = {slot: [k for k, (_, t) in enumerate(left) if _fits(walk, slot, t.shape)]
            for slot in unknown}
    for (i, k), candidates in fits.items():
        if len(candidates) != 1:
            continue
        c = candidates[0]
        if sum(c in others for others in fits.values()) == 1:
            found[i][k] = left[c]


def _fits(walk: object, slot: tuple, shape: tuple) -> bool:
    """Could a tensor of ``shape`` be the constant input at ``slot`` = (op, k-th constant)?"""
    i, k = slot
    node = walk.nodes[i]
    out = tuple(node.output_shape)
    if node.op_name != "matmul":
        return _broadcasts(shape, out)
    position = constant_slots(node)[k]
    other = node.next_functions[1 - position]
    other_shape = getattr(other, "output_shape", None)
    if other_shape is None or len(shape) < 2 or len(other_shape) < 2:
        return False
    if position == 0:  # shape @ other
        return shape[-1] == other_shape[-2] and shape[-2] == out[-2]
    return shape[-2] == other_shape[-1] and shape[-1] == out[-1]


def _broadcasts(shape: tuple, to: tuple) -> bool:
    try:
        return np.broadcast_shapes(shape, to) == tuple(to)
    except ValueError:
        return False
