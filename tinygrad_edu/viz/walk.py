"""Walking a graph without changing it: which nodes there are, and in what order.

The graph is made of nodes only: a ``Function`` (an op, with ``next_functions``
pointing at the nodes of its inputs) or an ``AccumulateGrad`` (a leaf). Both
walks below use an explicit stack or queue, never recursion, so a chain of a
hundred thousand ops is as easy as a chain of three.
"""

from __future__ import annotations


class GraphWalk:
    """Every node reachable from ``root_node``, numbered in breadth-first order.

    ``nodes[i]`` is a node, ``index[node] == i``, and ``inputs[i]`` lists the
    indices of the nodes that feed node ``i`` (one entry per input edge, so an
    input used twice, as in ``a + a``, appears twice). Breadth-first from the
    output means that, when a drawing must be cut, what is kept is what lies
    closest to the output.
    """

    def __init__(self, root_node: object) -> None:
        nodes = [root_node]
        index = {root_node: 0}
        inputs = []
        visited = 0
        while visited < len(nodes):  # ``nodes`` is its own breadth-first queue
            node = nodes[visited]
            visited += 1
            feeding = []
            for next_node in node.next_functions:
                if next_node is None:
                    continue  # an input that needs no gradient: not part of the graph
                position = index.get(next_node)
                if position is None:
                    position = index[next_node] = len(nodes)
                    nodes.append(next_node)
                feeding.append(position)
            inputs.append(feeding)
        self.nodes: list = nodes
        self.index: dict = index
        self.inputs: list = inputs

    def consumers(self) -> list:
        """``consumers()[i]``: the indices of the nodes that use node ``i``'s output."""
        users: list = [[] for _ in self.nodes]
        for i, feeding in enumerate(self.inputs):
            for j in feeding:
                users[j].append(i)
        return users


def backward_order(walk: GraphWalk) -> list:
    """The node indices in the order ``backward()`` would run them, without running it.

    The engine's rule, step by step: count for every node the edges that lead
    into it from its consumers; start from the root; a node runs when its count
    has dropped to 0 (all its consumers have sent their gradient); running it
    lowers the count of each of its inputs by one. The ready nodes wait on a
    stack (last in, first out), as in ``autograd/engine.py``, so the numbers
    match the engine's own order. It is a reverse topological order: every
    node comes after all the nodes that use its output.
    """
    remaining = [0] * len(walk.nodes)
    for feeding in walk.inputs:
        for j in feeding:
            remaining[j] += 1
    order = []
    ready = [0]
    while ready:
        i = ready.pop()
        order.append(i)
        for j in walk.inputs[i]:
            remaining[j] -= 1
            if remaining[j] == 0:
                ready.append(j)
    return order
