"""watch_backward: the record is backward's own, node by node, and the page carries it whole.

The browser side (the page's buttons, highlights and panel) is tested in
test_viz_watch_browser.py; the networks built here are shared with it.
"""

from __future__ import annotations

import html
import json
import re

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import datasets, nn
from tinygrad_edu.autograd.engine import sum_to_shape
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.testing import reference
from tinygrad_edu.viz import GraphvizNotFoundError, watch_backward
from tinygrad_edu.viz.walk import GraphWalk, backward_order
from tinygrad_edu.viz.watch_page import WHOLE, add_ids, array_data

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
T = np.array([[0.0], [1.0], [1.0], [0.0]])


def xor_start(seed: int = 0) -> dict:
    """Seed 001's initialisation of the 2-3-1 network, U(-0.5, 0.5), as numpy arrays."""
    rng = np.random.default_rng(seed)
    return {"W_hid": rng.random((2, 3)) - 0.5, "b_hid": rng.random(3) - 0.5,
            "W_out": rng.random((3, 1)) - 0.5, "b_out": rng.random(1) - 0.5}


def xor_network(seed: int = 0) -> tuple:
    """E = ½ Σ (a_out − t)² of the 2-3-1 sigmoid network on the truth table, in float64.

    Returns (E, params, names for draw_graph, the intermediates by name).
    """
    params = {name: tg.tensor(value, dtype=tg.float64, requires_grad=True)
              for name, value in xor_start(seed).items()}
    x, target = tg.tensor(X, dtype=tg.float64), tg.tensor(T, dtype=tg.float64)
    z_hid = x @ params["W_hid"] + params["b_hid"]
    a_hid = z_hid.sigmoid()
    z_out = a_hid @ params["W_out"] + params["b_out"]
    a_out = z_out.sigmoid()
    E = 0.5 * ((a_out - target) ** 2).sum()  # noqa: N806 - the seed's name
    inter = {"z_hid": z_hid, "a_hid": a_hid, "z_out": z_out, "a_out": a_out}
    return E, params, {**params, **inter}, inter


def twin_gradients(seed: int = 0) -> tuple:
    """The same network run through plain ``E.backward()``: (leaf grads, intermediate grads)."""
    E, params, _, inter = xor_network(seed)  # noqa: N806
    for t in inter.values():
        t.retain_grad()
    E.backward()
    return ({n: p.grad.array for n, p in params.items()},
            {n: t.grad.array for n, t in inter.items()})


def step_of(watch, walk: GraphWalk, tensor: tg.Tensor):
    """The backward step of the node that gets ``tensor``'s gradient."""
    node = tensor.grad_fn or tensor._accumulator
    (step,) = [s for s in watch.backward_steps if s.node == walk.index[node]]
    return step


def page_json(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="tg-data">(.*?)</script>', page,
                      re.DOTALL)
    return json.loads(found.group(1).replace("<\\/", "</"))


# ----- the record is backward's own ------------------------------------------------------------
def test_every_node_is_recorded_once_in_the_engines_order():
    E, _, names, _ = xor_network()  # noqa: N806
    walk = GraphWalk(E.grad_fn)
    watch = watch_backward(E, names)
    nodes = [s.node for s in watch.backward_steps]
    assert nodes == backward_order(walk)  # the order draw_graph numbers the ops in
    assert sorted(nodes) == list(range(len(walk.nodes)))
    assert len(nodes) == 14  # 10 ops and 4 parameters
    assert nodes[0] == 0  # the root's node runs first, with ∂E/∂E = 1
    np.testing.assert_array_equal(watch.backward_steps[0].grad_output, np.ones(()))


def test_recorded_gradients_are_exactly_those_of_backward():
    leaf_grads, inter_grads = twin_gradients()
    E, params, names, inter = xor_network()  # noqa: N806
    walk = GraphWalk(E.grad_fn)
    watch = watch_backward(E, names)
    for name, p in params.items():
        np.testing.assert_array_equal(p.grad.array, leaf_grads[name])  # what backward leaves
        step = step_of(watch, walk, p)
        np.testing.assert_array_equal(step.grad_output, leaf_grads[name])
        np.testing.assert_array_equal(step.leaf_grad, leaf_grads[name])
    for name, t in inter.items():
        np.testing.assert_array_equal(step_of(watch, walk, t).grad_output, inter_grads[name])


def test_the_deltas_of_the_derivation_arrive_at_z_out_and_z_hid():
    E, _, names, inter = xor_network()  # noqa: N806
    walk = GraphWalk(E.grad_fn)
    watch = watch_backward(E, names)
    rule = reference.two_layer_delta_rule(X, T, **xor_start())
    np.testing.assert_allclose(step_of(watch, walk, inter["z_out"]).grad_output,
                               rule["delta_out"], rtol=0, atol=1e-14)
    np.testing.assert_allclose(step_of(watch, walk, inter["z_hid"]).grad_output,
                               rule["delta_hid"], rtol=0, atol=1e-14)
    # δ_out first appears as what sigmoid sends to its input z_out
    sigmoid_out = step_of(watch, walk, inter["a_out"])
    assert [(e["arg"], e["name"]) for e in sigmoid_out.grads] == [("a", "z_out (4, 1)")]
    np.testing.assert_allclose(sigmoid_out.grads[0]["value"], rule["delta_out"], atol=1e-14)


def test_what_the_ops_send_adds_up_to_what_arrives():
    E, _, names, _ = xor_network()  # noqa: N806
    watch = watch_backward(E, names)
    expected: dict = {}
    for step in watch.backward_steps:
        if step.node in expected:
            np.testing.assert_allclose(step.grad_output, expected.pop(step.node), rtol=1e-15)
        for entry in step.grads:  # what the engine does with it: un-broadcast, then sum
            sent = sum_to_shape(tg.tensor(entry["value"]), entry["shape"]).array
            expected[entry["input"]] = expected.get(entry["input"], 0) + sent
    assert expected == {}
    b_hid_entry = [e for s in watch.backward_steps for e in s.grads if e["name"] == "b_hid (3,)"]
    assert b_hid_entry[0]["value"].shape == (4, 3)  # add's gradient before the engine sums it


def test_matches_pytorch_on_the_xor_network():
    torch = pytest.importorskip("torch")
    start = xor_start()
    p = {n: torch.tensor(v, dtype=torch.float64, requires_grad=True) for n, v in start.items()}
    z_hid = torch.tensor(X) @ p["W_hid"] + p["b_hid"]
    a_hid = torch.sigmoid(z_hid)
    z_out = a_hid @ p["W_out"] + p["b_out"]
    a_out = torch.sigmoid(z_out)
    for t in (z_hid, a_hid, z_out, a_out):
        t.retain_grad()
    (0.5 * ((a_out - torch.tensor(T)) ** 2).sum()).backward()
    theirs = {"z_hid": z_hid, "a_hid": a_hid, "z_out": z_out, "a_out": a_out, **p}

    E, params, names, inter = xor_network()  # noqa: N806
    walk = GraphWalk(E.grad_fn)
    watch = watch_backward(E, names)
    for name, t in {**inter, **params}.items():
        np.testing.assert_allclose(step_of(watch, walk, t).grad_output,
                                   theirs[name].grad.numpy(), rtol=1e-12, atol=1e-15)


def test_matches_pytorch_on_softmax_iris():
    torch = pytest.importorskip("torch")
    features, labels = datasets.iris()
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3))
    loss = -(tg.eye(3)[labels] * tg.softmax(model(features), dim=1).log()).sum(dim=1).mean()
    watch = watch_backward(loss, model)
    grads = {leaf["name"]: step.leaf_grad for step in watch.backward_steps
             for leaf in watch.graph["leaves"] if leaf["node"] == step.node}

    w = torch.tensor(model[0].weight.array, requires_grad=True)
    b = torch.tensor(model[0].bias.array, requires_grad=True)
    p = torch.softmax(torch.tensor(features.array) @ w.T + b, dim=1)
    one_hot = torch.eye(3)[torch.tensor(labels.array)]
    (-(one_hot * p.log()).sum(dim=1).mean()).backward()
    np.testing.assert_allclose(grads["0.weight (3, 4)"], w.grad.numpy(), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(grads["0.bias (3,)"], b.grad.numpy(), rtol=1e-5, atol=1e-7)


# ----- afterwards, graph and gradients are as backward() leaves them ----------------------------
def test_the_graph_is_freed_as_backward_frees_it():
    E, _, names, _ = xor_network()  # noqa: N806
    watch_backward(E, names)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        E.backward()


def test_retain_graph_keeps_it_and_gradients_accumulate():
    E, params, names, _ = xor_network()  # noqa: N806
    leaf_grads, _ = twin_gradients()
    watch_backward(E, names, retain_graph=True)
    E.backward()
    for name, p in params.items():
        np.testing.assert_allclose(p.grad.array, 2 * leaf_grads[name], rtol=1e-15)


def test_a_gradient_already_there_is_added_to_once():
    E, params, names, _ = xor_network()  # noqa: N806
    leaf_grads, _ = twin_gradients()
    params["W_out"].grad = tg.ones(3, 1, dtype=tg.float64)
    watch = watch_backward(E, names)
    np.testing.assert_array_equal(params["W_out"].grad.array, 1 + leaf_grads["W_out"])
    (w_out,) = [leaf for leaf in watch.graph["leaves"] if leaf["name"] == "W_out (3, 1)"]
    np.testing.assert_array_equal(w_out["initial"], np.ones((3, 1)))


# ----- rules and names -------------------------------------------------------------------------
def test_rules_are_the_ops_docstrings_and_inputs_go_by_their_names():
    E, _, names, _ = xor_network()  # noqa: N806
    watch = watch_backward(E, names)
    by_op = {}
    for step in watch.backward_steps:
        by_op.setdefault(step.op, []).append(step)
    assert by_op["mul"][0].rule == "out = a * b. d/da = b, d/db = a."
    assert by_op["sigmoid"][0].rule.startswith(
        "out = σ(a) = 1 / (1 + exp(-a)). d/da = σ(a)(1 - σ(a)) = out (1 - out).")
    assert "∂ℓ/∂W = Δᵀ X" in by_op["matmul"][0].rule
    assert by_op["accumulate_grad"][0].rule.startswith("The node behind a leaf tensor")
    out_layer, hid_layer = by_op["matmul"]  # a_hid @ W_out, then x @ W_hid
    assert [(e["arg"], e["name"]) for e in out_layer.grads] == [("a", "a_hid (4, 3)"),
                                                                ("b", "W_out (3, 1)")]
    assert [e["arg"] for e in hid_layer.grads] == ["b"]  # x needs no gradient
    assert watch.backward_steps[0].output_name == "output ()"


def test_an_op_without_a_docstring_says_so():
    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            return a.array * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    watch = watch_backward(Double.apply(x).sum(), {"x": x})
    (double,) = [s for s in watch.backward_steps if s.op == "double"]
    assert double.rule == "Double has no docstring: its derivative is not stated"
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


# ----- the forward phase -----------------------------------------------------------------------
def test_forward_steps_are_in_topological_order_with_the_values_the_graph_holds():
    E, _, names, inter = xor_network()  # noqa: N806
    walk = GraphWalk(E.grad_fn)
    watch = watch_backward(E, names)
    position = {step.node: k for k, step in enumerate(watch.forward_steps)}
    assert len(position) == 10  # every op once, no leaves
    for step in watch.forward_steps:
        for entry in step.inputs:
            if entry["input"] in position:
                assert position[entry["input"]] < position[step.node]
    sigmoid_hid = watch.forward_steps[position[walk.index[inter["a_hid"].grad_fn]]]
    np.testing.assert_array_equal(sigmoid_hid.output, inter["a_hid"].array)
    np.testing.assert_array_equal(sigmoid_hid.inputs[0]["value"], inter["z_hid"].array)
    assert watch.steps[:10] == watch.forward_steps
    assert watch_backward(xor_network()[0], forward=False).forward_steps == []


def test_a_value_the_graph_does_not_keep_is_none():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    hidden = x + 1  # add saves nothing and sigmoid saves only its output
    watch = watch_backward(hidden.sigmoid().sum(), {"x": x})
    (add,) = [s for s in watch.forward_steps if s.op == "add"]
    assert add.output is None
    np.testing.assert_array_equal(add.inputs[0]["value"], [1.0, 2.0])


# ----- bad input: a clear error, and nothing has run -------------------------------------------
def test_bad_input_raises_and_runs_nothing():
    E, params, names, _ = xor_network()  # noqa: N806
    with pytest.raises(TypeError, match="expects a Tensor .the loss., got ndarray"):
        watch_backward(np.ones(1))
    with pytest.raises(RuntimeError, match="needs the output of a computation"):
        watch_backward(params["W_out"])
    with pytest.raises(RuntimeError, match="implicitly created only for scalar outputs"):
        watch_backward(names["a_out"])
    with pytest.raises(TypeError, match="params must be a dict"):
        watch_backward(E, params=[1, 2])
    with pytest.raises(TypeError, match="collapse needs the model"):
        watch_backward(E, names, collapse=nn.Linear)
    with pytest.raises(TypeError, match="title must be a str"):
        watch_backward(E, names, title=3)
    with pytest.raises(TypeError, match="retain_graph and forward must be True or False"):
        watch_backward(E, names, retain_graph=1)
    assert all(p.grad is None for p in params.values())
    E.backward()  # the graph is still whole
    with pytest.raises(RuntimeError, match="already ran through this graph"):
        watch_backward(E, names)


def test_without_graphviz_it_says_how_to_install_it_and_runs_nothing(monkeypatch):
    E, params, names, _ = xor_network()  # noqa: N806
    monkeypatch.setenv("PATH", "")
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz"):
        watch_backward(E, names)
    monkeypatch.undo()
    assert all(p.grad is None for p in params.values())
    E.backward()


# ----- the page --------------------------------------------------------------------------------
def test_the_page_has_an_id_on_every_box_and_edge_and_the_whole_record():
    E, _, names, _ = xor_network()  # noqa: N806
    watch = watch_backward(E, names)
    page = watch.html
    boxes = re.findall(r'<g id="tgv_(\w+)" class="node"', page)
    assert sorted(boxes) == sorted(watch.graph["ops"] + watch.graph["tensors"])
    assert len(boxes) == 10 + 14  # one per op, one per tensor
    edges = set(re.findall(r'<g id="tge_(\w+)_to_(\w+)" class="edge"', page))
    assert {tuple(e) for s in watch.steps for e in s.edges} <= edges
    data = page_json(page)
    assert len(data["steps"]) == len(watch.steps) == 24
    for recorded, shown in zip(watch.backward_steps, data["steps"][10:]):
        assert shown["vertex"] == recorded.vertex
        np.testing.assert_array_equal(
            np.array(shown["grad_output"]["rows"]).reshape(recorded.grad_output.shape),
            recorded.grad_output)  # exact: JSON keeps every digit of a float64
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page)  # nothing fetched
    assert "<title>" not in page.split("<svg", 1)[1]  # no "op3" tooltips


def test_save_writes_one_file_and_jupyter_gets_an_iframe(tmp_path):
    E, _, names, _ = xor_network()  # noqa: N806
    watch = watch_backward(E, names, tmp_path / "deep" / "watch")
    assert watch.path == tmp_path / "deep" / "watch.html"
    assert watch.path.read_text(encoding="utf-8") == watch.html
    assert [p.name for p in watch.path.parent.iterdir()] == ["watch.html"]
    frame = watch._repr_html_()
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)" sandbox="allow-scripts"', frame).group(1)
    assert html.unescape(srcdoc) == watch.html
    assert "10 forward and 14 backward steps" in repr(watch)


def test_arrays_are_whole_when_small_and_summarised_when_big():
    small = array_data(np.arange(6.0).reshape(2, 3))
    assert small["whole"] and small["rows"] == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert array_data(np.float64(2.5))["rows"] == [[2.5]]
    big = np.arange(WHOLE + 36, dtype=np.float32).reshape(10, -1) - 7
    data = array_data(big)
    assert not data["whole"] and data["more_rows"] and data["more_cols"]
    assert data["rows"] == big[:4, :6].tolist()
    assert data["stats"] == {"min": -7.0, "max": float(big.max()), "mean": float(big.mean()),
                             "norm": float(np.linalg.norm(big.astype(np.float64)))}
    odd = array_data(np.array([np.nan, np.inf, -np.inf, 1.0]))
    assert odd["rows"] == [["nan", "inf", "-inf", 1.0]]  # JSON has no such numbers
    json.dumps(odd, allow_nan=False)


def test_ids_go_on_boxes_and_edges_but_not_on_defaults():
    lines = ["\tnode [shape=box]\n", '\tt1 [label="x"]\n', "\tt1 -> op0\n",
             "\tcut_note -> t1 [style=dashed]\n"]
    assert add_ids(lines) == [
        "\tnode [shape=box]\n", '\tt1 [id="tgv_t1" label="x"]\n',
        '\tt1 -> op0 [id="tge_t1_to_op0"]\n',
        '\tcut_note -> t1 [id="tge_cut_note_to_t1" style=dashed]\n']


# ----- the seeds' other networks, and a big one ------------------------------------------------
def test_regression_network_gradients_are_backwards():
    x, y = datasets.regression("sin", n=40, seed=0)

    def loss_of(seed: int):
        tg.manual_seed(seed)
        model = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1))
        return ((model(x) - y) ** 2).mean(), model

    loss, model = loss_of(0)
    twin_loss, twin = loss_of(0)
    twin_loss.backward()
    watch = watch_backward(loss, model)
    assert len(watch.backward_steps) == len(GraphWalk(twin_loss.grad_fn).nodes)
    for (name, p), (_, q) in zip(model.named_parameters(), twin.named_parameters()):
        np.testing.assert_array_equal(p.grad.array, q.grad.array, err_msg=name)
    assert any(s.op == "tanh" for s in watch.backward_steps)


def test_a_784_256_10_mlp_collapsed_gives_a_small_page():
    tg.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    loss = nn.functional.cross_entropy(mlp(tg.randn(32, 784)), tg.randint(0, 10, (32,)))
    watch = watch_backward(loss, mlp, collapse=nn.Linear)
    page = watch.html
    assert len(page) < 200_000
    inside = {s.where for s in watch.backward_steps if s.vertex == "m0"}
    assert inside == {"0: Linear(784→256)"}
    (weight,) = [s for s in watch.backward_steps if s.output_name == "0.weight (256, 784)"]
    np.testing.assert_array_equal(weight.leaf_grad, mlp[0].weight.grad.array)
    shown = [s for s in page_json(page)["steps"] if s["output_name"] == "0.weight (256, 784)"]
    stats = shown[0]["leaf_grad"]["stats"]
    assert stats["max"] == float(weight.leaf_grad.max())
    assert stats["mean"] == float(weight.leaf_grad.astype(np.float64).mean())
    assert re.findall(r'<g id="tgv_(m\d)" class="node"', page) == ["m1", "m0"]


# ----- the examples write the page -------------------------------------------------------------
def example(name: str, monkeypatch):
    """examples/NAME.py as a module (its ``common`` helper importable, as when run)."""
    import importlib.util
    from pathlib import Path

    folder = Path(__file__).resolve().parent.parent / "examples"
    monkeypatch.syspath_prepend(str(folder))
    spec = importlib.util.spec_from_file_location(f"example_{name}", folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_backprop_by_hand_writes_the_page_next_to_its_svg(tmp_path, monkeypatch, capsys):
    backprop = example("backprop_by_hand", monkeypatch)
    monkeypatch.setattr("sys.argv", ["backprop_by_hand.py", "--quick", "--out", str(tmp_path)])
    assert backprop.main() == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backprop_graph.svg",
                                                          "backprop_watch.html"]
    data = page_json((tmp_path / "backprop_watch.html").read_text(encoding="utf-8"))
    names = [s["output_name"] for s in data["steps"] if s["phase"] == "backward"]
    assert names[5] == "z_out (grad = δ_out) (4, 1)" and names[10] == "z_hid (grad = δ_hid) (4, 3)"
    assert f"wrote {tmp_path / 'backprop_watch.html'}" in capsys.readouterr().out


def test_the_xor_demo_writes_the_page_and_says_where(tmp_path, monkeypatch):
    xor = example("xor", monkeypatch)
    params = xor.init_params(np.random.default_rng(0))
    written = xor.draw_the_graph(params, tmp_path)
    assert tmp_path / "xor_watch.html" in written  # main() prints every written file's name
    page = (tmp_path / "xor_watch.html").read_text(encoding="utf-8")
    assert len(page_json(page)["steps"]) == 24 and 'id="tgv_op0"' in page
    assert all(p.grad is None for p in params.values())  # left for training as it was
