"""Rendering drawings with the real Graphviz ``dot``: pictures, paths, and failures."""

from __future__ import annotations

import os
import shutil
import stat
import xml.etree.ElementTree as ET

import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd.function import AccumulateGrad
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, render
from tinygrad_edu.viz.walk import GraphWalk

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
SVG = "{http://www.w3.org/2000/svg}"


def small_loss():
    """The seed's 2-3-1 sigmoid net on the XOR table, with its four parameters."""
    tg.manual_seed(1)
    x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = tg.tensor([[0.0], [1.0], [1.0], [0.0]])
    params = {
        "W_hid": (tg.rand(2, 3) - 0.5).requires_grad_(),
        "b_hid": (tg.rand(3) - 0.5).requires_grad_(),
        "W_out": (tg.rand(3, 1) - 0.5).requires_grad_(),
        "b_out": (tg.rand(1) - 0.5).requires_grad_(),
    }
    a_hid = (x @ params["W_hid"] + params["b_hid"]).sigmoid()
    a_out = (a_hid @ params["W_out"] + params["b_out"]).sigmoid()
    return 0.5 * ((a_out - t) ** 2).sum(), params


@needs_dot
def test_svg_from_dot_parses_and_has_one_node_group_per_box(tmp_path):
    loss, params = small_loss()
    loss.backward(retain_graph=True)
    walk = GraphWalk(loss.grad_fn)
    ops = sum(1 for n in walk.nodes if type(n) is not AccumulateGrad)
    leaves = len(walk.nodes) - ops
    path = render(loss, tmp_path / "xor.svg", params=params, show_order=True, compact=False,
                  show_constants=False)
    assert path == tmp_path / "xor.svg"

    svg = ET.parse(path).getroot()
    groups = [g for g in svg.iter(SVG + "g") if g.get("class") == "node"]
    assert len(groups) == 2 * ops + leaves + 1  # every op, its output, every leaf, the legend
    titles = {g.find(SVG + "title").text for g in groups}
    assert titles == {f"op{i}" for i, n in enumerate(walk.nodes) if type(n) is not AccumulateGrad} \
        | {f"t{i}" for i in range(len(walk.nodes))} | {"legend"}
    text = " ".join(t.text or "" for t in svg.iter(SVG + "text"))
    assert "W_hid" in text and "#1 mul" in text and "grad" in text
    edges = [g for g in svg.iter(SVG + "g") if g.get("class") == "edge"]
    assert len(edges) == sum(len(inputs) for inputs in walk.inputs) + ops


@needs_dot
@pytest.mark.parametrize("format, magic", [("png", b"\x89PNG"), ("pdf", b"%PDF"),
                                           ("svg", b"<?xml")])
def test_render_formats_and_extension(tmp_path, format, magic):
    loss, params = small_loss()
    path = render(loss, tmp_path / "graph", format=format, params=params)
    assert path == tmp_path / f"graph.{format}"
    assert path.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"graph.{format}"]  # nothing else left


@needs_dot
def test_render_creates_missing_directories_and_replaces_old_files(tmp_path):
    loss, _ = small_loss()
    target = tmp_path / "not" / "there" / "yet.svg"
    render(loss, target)
    assert target.read_text().lstrip().startswith("<?xml")
    target.write_text("old picture")
    render(loss, target)
    assert target.read_text() != "old picture"
    assert sorted(p.name for p in target.parent.iterdir()) == ["yet.svg"]


@needs_dot
def test_the_digraph_renders_itself_through_graphviz(tmp_path):
    loss, params = small_loss()
    written = draw_graph(loss, params).render(tmp_path / "g", format="svg")
    assert ET.parse(written).getroot().tag == SVG + "svg"


@needs_dot
def test_odd_names_make_valid_dot(tmp_path):
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    path = render((w * 2.0).sum(), tmp_path / "odd.svg", params={'w "1" \\ <b>&': w})
    text = " ".join(t.text or "" for t in ET.parse(path).getroot().iter(SVG + "text"))
    assert 'w "1" \\ <b>&' in text


def _fake_dot(directory, body: str) -> None:
    """An executable named ``dot`` in ``directory`` running the shell code ``body``."""
    directory.mkdir()
    script = directory / "dot"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_a_failing_render_leaves_no_half_written_file(tmp_path, monkeypatch):
    # A `dot` that writes half a picture wherever it was told to write, then fails.
    _fake_dot(tmp_path / "bin", 'for last; do :; done\n'
              'printf "<svg half" > "$last.svg"\n'
              'printf "<svg half" > "$last"\n'
              'echo "dot: out of memory" >&2\nexit 1\n')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "graph.svg"
    target.write_text("the old picture")
    loss, _ = small_loss()
    with pytest.raises(Exception, match="exit status 1"):
        render(loss, target)
    assert target.read_text() == "the old picture"
    assert sorted(p.name for p in out_dir.iterdir()) == ["graph.svg"]  # no scratch files left
    with pytest.raises(Exception, match="exit status 1"):
        render(loss, out_dir / "new.svg")
    assert not (out_dir / "new.svg").exists()


def test_missing_dot_says_so_and_how_to_install_it(tmp_path, monkeypatch):
    loss, params = small_loss()
    monkeypatch.setenv("PATH", "")
    drawing = draw_graph(loss, params)
    assert "W_hid" in drawing.source  # DOT text needs no dot program
    target = tmp_path / "missing" / "g.svg"
    for attempt in (lambda: render(loss, target), lambda: drawing.render(tmp_path / "g")):
        with pytest.raises(GraphvizNotFoundError) as error:
            attempt()
        message = str(error.value)
        assert "`dot` program" in message and "not found on PATH" in message
        for command in ("sudo apt-get install graphviz", "brew install graphviz",
                        "conda install graphviz"):
            assert command in message
    assert not target.parent.exists()
    assert isinstance(error.value, RuntimeError)


def test_unknown_format_is_refused_before_anything_is_written(tmp_path):
    loss, _ = small_loss()
    with pytest.raises(ValueError, match="unknown picture format 'jpgg'"):
        render(loss, tmp_path / "sub" / "g", format="jpgg")
    assert not (tmp_path / "sub").exists()


def test_render_passes_bad_draw_options_on_as_errors(tmp_path):
    loss, _ = small_loss()
    with pytest.raises(ValueError, match="unknown rankdir"):
        render(loss, tmp_path / "g.svg", rankdir="diagonal")
    with pytest.raises(TypeError, match="draw_graph expects a Tensor"):
        render("loss", tmp_path / "g.svg")
    assert os.listdir(tmp_path) == []


@needs_dot
def test_a_cut_graph_and_a_collapsed_model_render(tmp_path):
    from tinygrad_edu import nn

    loss, params = small_loss()
    svg = ET.parse(render(loss, tmp_path / "cut.svg", params=params, max_nodes=7)).getroot()
    titles = [g.find(SVG + "title").text for g in svg.iter(SVG + "g") if g.get("class") == "node"]
    assert len(titles) == 7 + 2 and "cut_note" in titles and "legend" in titles

    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Sigmoid(), nn.Linear(3, 1))
    out = model(tg.randn(4, 2)).sum()
    svg = ET.parse(render(out, tmp_path / "model.svg", params=model,
                          collapse=nn.Linear)).getroot()
    text = " ".join(t.text or "" for t in svg.iter(SVG + "text"))
    assert "0: Linear(2→3)" in text and "2: Linear(3→1)" in text
