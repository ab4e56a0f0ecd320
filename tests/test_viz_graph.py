"""draw_graph: what the DOT text holds, checked against the graph it was drawn from."""

from __future__ import annotations

import re

import graphviz
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd.function import AccumulateGrad
from tinygrad_edu.viz import draw_graph
from tinygrad_edu.viz.labels import STYLES
from tinygrad_edu.viz.layout import choose_rankdir, constant_slots
from tinygrad_edu.viz.walk import GraphWalk

KIND_OF_FILL = {re.search(r'fillcolor="([^"]+)"', s).group(1): k for k, s in STYLES.items()}
NODE_LINE = re.compile(r'^(\w+) \[label="((?:[^"\\]|\\.)*)"(.*)\]$')
EDGE_LINE = re.compile(r"^(\w+) -> (\w+)( \[.*\])?$")


class Dot:
    """The parts of a drawing's DOT text: boxes {id: (kind, label lines)} and edges."""

    def __init__(self, source: str) -> None:
        self.nodes: dict = {}
        self.edges: list = []
        kind = None
        for line in source.splitlines():
            line = line.strip()
            style = re.match(r'^node \[shape=\w+ .*fillcolor="([^"]+)"', line)
            if style:
                kind = KIND_OF_FILL[style.group(1)]
                continue
            edge = EDGE_LINE.match(line)
            if edge:
                self.edges.append((edge.group(1), edge.group(2)))
                continue
            node = NODE_LINE.match(line)
            if node:
                name, label, inline = node.groups()
                inline_fill = re.search(r'fillcolor="([^"]+)"', inline)
                node_kind = KIND_OF_FILL[inline_fill.group(1)] if inline_fill else kind
                lines = re.split(r"\\[ln]", label.replace('\\"', '"'))
                if lines[-1] == "":  # tensor labels end with a line break, op labels do not
                    lines.pop()
                self.nodes[name] = (node_kind, lines)
        self.has_legend = "\tlegend [label=<" in source

    def of_kind(self, kind: str) -> dict:
        return {n: lines for n, (k, lines) in self.nodes.items() if k == kind}

    def find(self, first_line: str) -> str:
        """The id of the box whose label starts with ``first_line``."""
        found = [n for n, (_, lines) in self.nodes.items() if lines and lines[0] == first_line]
        assert len(found) == 1, (first_line, found)
        return found[0]

    def line(self, node: str, prefix: str) -> str:
        """The label text that starts with ``prefix`` (continuation lines joined)."""
        lines = self.nodes[node][1]
        for k, text in enumerate(lines):
            if text.startswith(prefix):
                rest = [t.strip() for t in lines[k + 1:] if t.startswith("\u00a0" * 6)]
                return " ".join([text[len(prefix):].strip(), *rest])
        raise AssertionError(f"no line starting with {prefix!r} in {lines}")


def numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in re.findall(r"-?\d+\.?\d*(?:e[-+]?\d+)?", text)])


def xor_net(seed: int = 1):
    """The seed's 2-3-1 sigmoid network on the XOR truth table, E = ½ Σ (a − t)²."""
    tg.manual_seed(seed)
    x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = tg.tensor([[0.0], [1.0], [1.0], [0.0]])
    W_hid = (tg.rand(2, 3) - 0.5).requires_grad_()
    b_hid = (tg.rand(3) - 0.5).requires_grad_()
    W_out = (tg.rand(3, 1) - 0.5).requires_grad_()
    b_out = (tg.rand(1) - 0.5).requires_grad_()
    z_hid = x @ W_hid + b_hid
    a_hid = z_hid.sigmoid()
    z_out = a_hid @ W_out + b_out
    a_out = z_out.sigmoid()
    E = 0.5 * ((a_out - t) ** 2).sum()
    params = {"W_hid": W_hid, "b_hid": b_hid, "W_out": W_out, "b_out": b_out}
    named = {"z_hid": z_hid, "a_hid": a_hid, "z_out": z_out, "a_out": a_out}
    return E, params, named


# ----- structure -------------------------------------------------------------------------
def test_small_graph_has_one_box_per_tensor_and_op_and_one_edge_per_use():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0], requires_grad=True)
    loss = (a * b).exp().sum()  # ops: mul, exp, sum; tensors: a, b, and the three outputs
    drawing = draw_graph(loss, {"a": a, "b": b}, legend=False, compact=False)
    assert isinstance(drawing, graphviz.Digraph)  # so notebooks show it inline
    dot = Dot(drawing.source)

    ops = dot.of_kind("op")
    assert sorted(lines[0] for lines in ops.values()) == ["exp", "mul", "sum"]
    assert len(dot.nodes) == 3 + 5
    assert len(dot.edges) == 4 + 3  # inputs: mul 2, exp 1, sum 1; each op -> its output
    label = {n: lines[0] for n, (_, lines) in dot.nodes.items()}
    named_edges = sorted((label[x], label[y]) for x, y in dot.edges)
    assert ("a", "mul") in named_edges and ("b", "mul") in named_edges
    assert sorted(dot.of_kind("parameter")) == sorted([dot.find("a"), dot.find("b")])
    assert dot.of_kind("output")[dot.find("output")][1] == "() float32"
    assert not dot.has_legend


def test_an_input_used_twice_gives_two_edges():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = a + a
    c = b + b
    dot = Dot(draw_graph(c, legend=False, compact=False).source)
    assert len(dot.nodes) == 2 + 3
    assert len(dot.edges) == 6
    leaf = next(iter(dot.of_kind("leaf")))
    assert sum(1 for tail, _ in dot.edges if tail == leaf) == 2


def test_kinds_are_told_apart_and_the_legend_lists_them():
    E, params, named = xor_net()
    dot = Dot(draw_graph(E, {**params, "a_out": named["a_out"]}, compact=False).source)
    assert set(dot.of_kind("parameter")) == {dot.find(n) for n in params}
    assert list(dot.of_kind("named")) == [dot.find("a_out")]
    assert list(dot.of_kind("output")) == [dot.find("output")]
    assert len(dot.of_kind("intermediate")) > 0
    source = draw_graph(E, params, compact=False).source
    for text in ("parameter (named leaf)", "intermediate value", "output (the root)"):
        assert text in source
    assert "named intermediate" not in source  # only the kinds that are drawn


def test_unnamed_leaves_are_leaves_and_constants_are_data_boxes():
    x = tg.tensor([[1.0, 2.0]])  # no grad: not a node of the graph, drawn as data
    w = tg.tensor([[0.5], [0.25]], requires_grad=True)
    dot = Dot(draw_graph(x @ w, legend=False).source)
    assert [lines for lines in dot.of_kind("leaf").values()] == [
        ["(2, 1) float32", "value [[0.5], [0.25]]"]
    ]
    assert list(dot.of_kind("data").values()) == [["(1, 2) float32", "value [[1, 2]]"]]
    assert len(dot.nodes) == 4 and len(dot.edges) == 3
    hidden = Dot(draw_graph(x @ w, legend=False, show_constants=False).source)
    assert len(hidden.nodes) == 3 and not hidden.of_kind("data")


def test_every_op_of_the_xor_net_gets_all_its_inputs():
    E, params, _ = xor_net()
    walk = GraphWalk(E.grad_fn)
    first_layer = next(n for n in walk.nodes
                       if n.op_name == "matmul" and n.next_functions[0] is None)
    x, t = first_layer._saved[0], tg.tensor([[0.0], [1.0], [1.0], [0.0]])
    E.backward(retain_graph=True)  # ops keep what they saved: the constants can be read
    dot = Dot(draw_graph(E, {**params, "x": x, "t": t}, legend=False).source)
    data = {lines[0]: lines for lines in dot.of_kind("data").values()}
    assert sorted(data) == ["0.5", "2", "t", "x"]  # t by elimination: sub saves nothing
    assert data["x"][1] == "(4, 2) float32"
    into: dict = {}
    for tail, head in dot.edges:
        into.setdefault(head, []).append(tail)
    for op in dot.of_kind("op"):  # every op drawn with all of its tensor inputs
        node = walk.nodes[int(op[2:])]
        tensors = len(constant_slots(node)) + sum(e is not None for e in node.next_functions)
        assert len(into[op]) == tensors, dot.nodes[op]

    # after a plain backward the ops forgot their constants: the shapes still place x,
    # and what cannot be told apart is drawn as "constant"
    E2, params2, _ = xor_net()
    E2.backward()
    after = Dot(draw_graph(E2, {**params2, "x": tg.zeros(4, 2), "t": tg.zeros(4, 1)},
                           legend=False).source)
    shown = sorted(lines[0] for lines in after.of_kind("data").values())
    assert shown == ["constant", "constant", "constant", "x"]


# ----- labels: names, shapes, values, gradients -----------------------------------------------
def test_names_shapes_and_values_appear_before_backward():
    E, params, _ = xor_net()
    dot = Dot(draw_graph(E, params).source)
    w = dot.find("W_hid")
    assert dot.nodes[w][1][1] == "(2, 3) float32"
    np.testing.assert_allclose(numbers(dot.line(w, "value")), params["W_hid"].array.ravel(),
                               rtol=1e-3, atol=1e-4)
    assert dot.nodes[dot.find("b_out")][1][1] == "(1,) float32"
    assert "grad" not in draw_graph(E, params).source


def test_gradients_appear_after_backward_and_equal_dot_grad():
    E, params, named = xor_net()
    named["z_out"].retain_grad()
    E.backward()
    dot = Dot(draw_graph(E, {**params, **named}).source)
    for name, tensor in [*params.items(), ("z_out", named["z_out"])]:
        shown = numbers(dot.line(dot.find(name), "grad"))
        np.testing.assert_allclose(shown, tensor.grad.array.ravel(), rtol=1e-3, atol=1e-6)
    # a_hid did not retain its gradient: nothing to show
    assert not any(t.startswith("grad") for t in dot.nodes[dot.find("a_hid")][1])


def test_show_values_auto_true_false():
    big = tg.randn(10, 10, requires_grad=True)
    small = tg.tensor([1.5, -2.0], requires_grad=True)
    loss = (big.sum() + small.sum()) * 2.0
    loss.backward()
    auto = Dot(draw_graph(loss, {"big": big, "small": small}).source)
    assert auto.line(auto.find("small"), "value") == "[1.5, -2]"
    stats = auto.line(auto.find("big"), "value")  # a big tensor: its statistics
    values = big.array.astype(np.float64)
    assert stats.startswith("mean ") and " std " in stats and " in [" in stats
    np.testing.assert_allclose(numbers(stats), [values.mean(), values.std(), values.min(),
                                                values.max()], rtol=1e-3, atol=1e-4)
    # the gradient of a big tensor is shown as its norm: every entry is 2, norm = 2 * 10
    assert auto.line(auto.find("big"), "grad") == "norm 20"
    everything = Dot(draw_graph(loss, {"big": big}, show_values=True).source)
    assert everything.line(everything.find("big"), "value") == stats
    nothing = Dot(draw_graph(loss, {"small": small}, show_values=False, show_grads=False).source)
    assert nothing.nodes[nothing.find("small")][1] == ["small", "(2,) float32"]


def test_saved_values_are_shown_until_backward_frees_them():
    x = tg.tensor([0.0, 2.0], requires_grad=True)
    y = x.sigmoid()  # sigmoid keeps its output for backward
    loss = y.sum()
    before = Dot(draw_graph(loss, compact=False).source)
    (sigmoid_out,) = [n for n, lines in before.of_kind("intermediate").items() if len(lines) > 1]
    np.testing.assert_allclose(numbers(before.line(sigmoid_out, "value")),
                               [0.5, 1 / (1 + np.exp(-2.0))], rtol=1e-3)
    loss.backward()
    after = Dot(draw_graph(loss, compact=False).source)
    assert after.nodes[sigmoid_out][1] == ["(2,) float32"]  # structure stays, value gone
    leaf = next(iter(after.of_kind("leaf")))
    assert after.line(leaf, "grad") == "[0.25, 0.105]"


def test_root_without_graph_is_one_box():
    t = tg.tensor([1.0, 2.0])
    dot = Dot(draw_graph(t, {"t": t}, legend=False).source)
    assert dot.nodes == {"t0": ("output", ["t", "(2,) float32", "value [1, 2]"])}


def test_names_with_quotes_and_backslashes_are_escaped():
    w = tg.tensor([1.0], requires_grad=True)
    dot = Dot(draw_graph(w * 2.0, {'w "odd" \\ name': w}).source)
    assert dot.find('w "odd" \\\\ name')


# ----- backward order ---------------------------------------------------------------------------
def _op_numbers(dot: Dot) -> dict:
    return {n: int(lines[0].split()[0][1:]) for n, lines in dot.of_kind("op").items()}


def _assert_reverse_topological(dot: Dot) -> dict:
    order = _op_numbers(dot)
    assert sorted(order.values()) == list(range(1, len(order) + 1))
    producer = {head: tail for tail, head in dot.edges if tail in order}  # tensor -> its op
    for tensor, op in dot.edges:
        if op in order and tensor in producer:
            # backward runs an op after every op that used its output
            assert order[op] < order[producer[tensor]]
    return order


def test_backward_order_matches_the_engine_on_the_xor_net():
    E, params, _ = xor_net()
    dot = Dot(draw_graph(E, params, show_order=True).source)
    order = _assert_reverse_topological(dot)
    assert order[dot.find("#1 mul")] == 1
    walk = GraphWalk(E.grad_fn)
    ran = []
    for node in walk.nodes:
        if type(node) is not AccumulateGrad:
            node.register_hook(lambda grad, node=node: ran.append(walk.index[node]))
    E.backward()
    assert [order[f"op{i}"] for i in ran] == list(range(1, len(ran) + 1))


@st.composite
def random_graphs(draw):
    """A random DAG of ops over two leaves; every value feeds the root."""
    steps = draw(st.lists(st.tuples(st.sampled_from(["add", "mul", "sub", "sigmoid", "tanh"]),
                                    st.integers(0, 100), st.integers(0, 100)),
                          min_size=1, max_size=12))
    return steps


@given(random_graphs())
def test_backward_order_is_a_valid_reverse_topological_order_and_the_engines(steps):
    values = [tg.tensor([0.3, -0.2], requires_grad=True), tg.tensor([0.1, 0.4], requires_grad=True)]
    for op, i, j in steps:
        a, b = values[i % len(values)], values[j % len(values)]
        if op == "sigmoid":
            values.append(a.sigmoid())
        elif op == "tanh":
            values.append(a.tanh())
        else:
            values.append({"add": a + b, "mul": a * b, "sub": a - b}[op])
    root = values[2]
    for v in values[3:]:
        root = root + v
    root = root.sum()
    dot = Dot(draw_graph(root, show_order=True, max_nodes=10_000).source)
    order = _assert_reverse_topological(dot)

    walk = GraphWalk(root.grad_fn)
    ran = []
    for node in walk.nodes:
        if type(node) is not AccumulateGrad:
            node.register_hook(lambda grad, node=node: ran.append(walk.index[node]))
    root.backward()
    assert [order[f"op{i}"] for i in ran] == list(range(1, len(order) + 1))


# ----- drawing changes nothing -------------------------------------------------------------------
def _snapshot(root):
    walk = GraphWalk(root.grad_fn)
    state = []
    for node in walk.nodes:
        if type(node) is AccumulateGrad:
            leaf = node.variable()
            grad = None if leaf.grad is None else leaf.grad.array.copy()
            state.append(("leaf", id(leaf), leaf.array.copy(), grad, leaf._accumulator is node))
        else:
            saved = node._saved
            state.append((type(node).__name__, tuple(id(n) for n in node.next_functions),
                          None if saved is None else tuple(id(s) for s in saved),
                          node._released, node._hooks, node._retained))
    return len(walk.nodes), state


def _same(first, second):
    assert first[0] == second[0]
    for a, b in zip(first[1], second[1]):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
                np.testing.assert_array_equal(x, y)
            else:
                assert x == y


def test_drawing_changes_neither_the_graph_nor_the_gradients():
    E, params, named = xor_net()
    control, control_params, _ = xor_net()
    control.backward()

    before = _snapshot(E)
    for options in ({}, {"show_order": True, "show_values": True}, {"max_nodes": 3}):
        draw_graph(E, {**params, **named}, **options)
    _same(before, _snapshot(E))

    E.backward()  # still works after drawing, and gives the same gradients
    for name, p in params.items():
        np.testing.assert_array_equal(p.grad.array, control_params[name].grad.array)
    after = _snapshot(E)
    draw_graph(E, {**params, **named}, show_order=True, show_values=True)
    _same(after, _snapshot(E))


def test_drawing_a_leaf_root_creates_no_accumulator():
    w = tg.tensor([1.0], requires_grad=True)
    draw_graph(w)
    assert w._accumulator is None


# ----- the cap -----------------------------------------------------------------------------------
def _chain(length: int):
    x = tg.tensor([1.0], requires_grad=True)
    y = x
    for k in range(length):
        y = y * 1.0001 if k % 2 else y + 0.5
    return y


def test_a_graph_above_max_nodes_is_cut_with_a_note():
    y = _chain(50)  # 50 ops, 50 outputs, 1 leaf: 101 boxes
    dot = Dot(draw_graph(y, max_nodes=10, legend=False, compact=False,
                         show_constants=False).source)
    note = dot.nodes.pop("cut_note")
    assert note[0] == "note"
    assert note[1][0] == "91 more nodes not drawn"
    assert note[1][1] == "(45 ops, 46 tensors or modules)"
    assert len(dot.nodes) == 10
    assert all(tail in dot.nodes or tail == "cut_note" for tail, _ in dot.edges)
    assert [head for tail, head in dot.edges if tail == "cut_note"] == ["op4"]

    full = Dot(draw_graph(y, max_nodes=101, legend=False, compact=False,
                          show_constants=False).source)
    assert len(full.nodes) == 101 and "cut_note" not in full.nodes
    one = Dot(draw_graph(y, max_nodes=1, legend=False, compact=False,
                         show_constants=False).source)
    assert set(one.nodes) == {"op0", "cut_note"}


def test_a_100k_chain_draws_without_recursion():
    y = _chain(100_000)
    source = draw_graph(y, max_nodes=300_000, show_order=True, compact=False,
                        show_constants=False).source
    assert source.count(" [label=") == 200_001 + 1  # + the legend
    assert "#100000 " in source
    assert "cut_note" in draw_graph(y).source


# ----- collapsing modules -------------------------------------------------------------------------
def _mlp_loss(model):
    tg.manual_seed(3)
    x, target = tg.randn(8, 2), tg.randn(8, 1)
    return ((model(x) - target) ** 2).sum()


def test_collapse_reduces_a_3_layer_mlp_to_its_layer_boxes():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 4), nn.Sigmoid(),
                          nn.Linear(4, 1))
    loss = _mlp_loss(model)
    loss.backward()
    dot = Dot(draw_graph(loss, model, collapse=nn.Linear, show_order=True, legend=False,
                         compact=False).source)

    boxes = dot.of_kind("module")
    titles = sorted(lines[0].split("  ")[0] for lines in boxes.values())
    assert titles == ["0: Linear(2→4)", "2: Linear(4→4)", "4: Linear(4→1)"]
    ops = sorted(lines[0].split()[1] for lines in dot.of_kind("op").values())
    assert ops == ["pow", "sigmoid", "sigmoid", "sub", "sum"]  # whatever Linear is made of
    assert not dot.of_kind("parameter")
    # 3 layer boxes and their outputs, 5 ops and their outputs, the data: x, target, 2
    assert len(dot.nodes) == 3 * 2 + 5 * 2 + 3
    assert len(dot.of_kind("data")) == 3

    box = next(n for n, lines in boxes.items() if lines[0].startswith("2: Linear(4→4)"))
    weight_line = boxes[box][1]
    norm = np.linalg.norm(model[2].weight.grad.array)
    assert weight_line.startswith("weight (4, 4)  grad norm ")
    assert float(weight_line.split()[-1]) == pytest.approx(norm, rel=1e-2)
    # the chain reads box -> tensor -> sigmoid -> tensor -> box
    (output,) = [head for tail, head in dot.edges if tail == box]
    assert dot.nodes[output][1] == ["(8, 4) float32"]
    (sigmoid,) = [head for tail, head in dot.edges if tail == output]
    assert dot.nodes[sigmoid][1][0].endswith(" sigmoid")
    # backward runs the layer's ops right after the sigmoid that uses its output
    first_step = int(re.search(r"\(#(\d+)", boxes[box][0]).group(1))
    assert first_step == int(dot.nodes[sigmoid][1][0].split()[0][1:]) + 1


class TransposedLayer(nn.Module):
    """z = x Wᵀ + b written out: permute, matmul, add."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(tg.randn(3, 2))
        self.bias = nn.Parameter(tg.zeros(3))

    def forward(self, x):
        return x @ self.weight.T + self.bias


class SeedLayer(nn.Module):
    """The seeds' layout, z = x W + b (no transpose), then tanh, then a learned scale."""

    def __init__(self):
        super().__init__()
        self.W = nn.Parameter(tg.randn(2, 3))
        self.scale = nn.Parameter(tg.ones(3))

    def forward(self, x):
        return (x @ self.W).tanh() * self.scale  # tanh lies between two parameter uses


@pytest.mark.parametrize("layer_type, inside", [
    (TransposedLayer, ["add", "matmul", "permute"]),
    (SeedLayer, ["matmul", "mul", "tanh"]),
])
def test_collapse_rule_views_uses_and_ops_between(layer_type, inside):
    tg.manual_seed(0)
    layer = layer_type()
    out = layer(tg.randn(4, 2)).sigmoid().sum()
    full = Dot(draw_graph(out, legend=False).source)
    assert sorted(lines[0] for lines in full.of_kind("op").values()) == sorted(
        inside + ["sigmoid", "sum"])
    dot = Dot(draw_graph(out, layer, collapse=layer_type, legend=False).source)
    assert [lines[0] for lines in dot.of_kind("module").values()] == [layer_type.__name__]
    assert sorted(lines[0] for lines in dot.of_kind("op").values()) == ["sigmoid", "sum"]


def test_collapse_by_name_keeps_the_other_layers_expanded():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1, bias=False))
    loss = _mlp_loss(model)
    dot = Dot(draw_graph(loss, model, collapse=["2"], legend=False).source)
    assert [lines[0] for lines in dot.of_kind("module").values()] == ["2: Linear(3→1)"]
    assert sorted(lines[0] for lines in dot.of_kind("parameter").values()) == [
        "0.bias", "0.weight"]


def test_collapse_bad_input():
    model = nn.Sequential(nn.Linear(2, 1))
    loss = _mlp_loss(model)
    with pytest.raises(ValueError, match=r"collapse names \['9'\] are not modules"):
        draw_graph(loss, model, collapse="9")
    with pytest.raises(TypeError, match="collapse takes module classes"):
        draw_graph(loss, model, collapse=42)
    with pytest.raises(TypeError, match="collapse needs the model"):
        draw_graph(loss, dict(model.named_parameters()), collapse=nn.Linear)


# ----- bad input ----------------------------------------------------------------------------------
def test_bad_input_gives_clear_errors():
    w = tg.tensor([1.0], requires_grad=True)
    loss = w * 2.0
    with pytest.raises(TypeError, match="draw_graph expects a Tensor .* got ndarray"):
        draw_graph(np.ones(2))
    with pytest.raises(TypeError, match="draw_graph expects a Tensor .* got list"):
        draw_graph([loss])
    with pytest.raises(TypeError, match=r"params\['w'\] is a ndarray, not a Tensor"):
        draw_graph(loss, {"w": np.ones(1)})
    with pytest.raises(TypeError, match="params must be a dict"):
        draw_graph(loss, [w])
    with pytest.raises(ValueError, match="unknown rankdir 'XY'"):
        draw_graph(loss, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes must be at least 1, got 0"):
        draw_graph(loss, max_nodes=0)
    with pytest.raises(ValueError, match="max_nodes must be at least 1, got -5"):
        draw_graph(loss, max_nodes=-5)
    with pytest.raises(TypeError, match="max_nodes must be an int, got float"):
        draw_graph(loss, max_nodes=2.5)
    with pytest.raises(ValueError, match="show_values must be 'auto', True or False"):
        draw_graph(loss, show_values="yes")


@pytest.mark.parametrize("rankdir", ["LR", "TB", "RL", "BT"])
def test_rankdir_is_passed_to_graphviz(rankdir):
    w = tg.tensor([1.0], requires_grad=True)
    assert f"rankdir={rankdir}" in draw_graph(w * 2.0, rankdir=rankdir).source


def test_rankdir_auto_deep_graphs_top_to_bottom_shallow_ones_left_to_right():
    E, params, _ = xor_net()  # ten ops in a chain
    assert "rankdir=TB" in draw_graph(E, params).source
    w = tg.tensor([1.0], requires_grad=True)
    assert "rankdir=LR" in draw_graph((w * 2.0).sum()).source
    chain = [(f"v{k}", "op", k) for k in range(12)]
    links = [(f"v{k}", f"v{k + 1}") for k in range(11)]
    assert choose_rankdir(chain, links) == "TB"  # 12 ranks of one box
    fan = [("root", "op", 0)] + [(f"v{k}", "op", k) for k in range(1, 12)]
    assert choose_rankdir(fan, [(f"v{k}", "root") for k in range(1, 12)]) == "LR"  # 2 ranks


def test_max_width_sets_graphvizs_size_and_is_checked():
    w = tg.tensor([1.0], requires_grad=True)
    assert 'size="8.5,170"' in draw_graph(w * 2.0).source
    assert 'size="5,100"' in draw_graph(w * 2.0, max_width=5).source
    assert " size=" not in draw_graph(w * 2.0, max_width=None).source
    with pytest.raises(ValueError, match="max_width must be a positive number of inches"):
        draw_graph(w * 2.0, max_width=0)


def test_compact_folds_unnamed_intermediates_into_their_ops():
    E, params, named = xor_net()
    full = Dot(draw_graph(E, params, compact=False).source)
    dot = Dot(draw_graph(E, {**params, "a_out": named["a_out"]}).source)
    assert not dot.of_kind("intermediate") and len(full.of_kind("intermediate")) == 9
    shapes = sorted(lines[1] for lines in dot.of_kind("op").values() if len(lines) > 1)
    assert shapes.count("(4, 3)") == 3 and "()" in shapes  # matmul, add, sigmoid; sum
    assert list(dot.of_kind("named")) == [dot.find("a_out")]  # a name keeps its box
