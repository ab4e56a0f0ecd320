"""Every picture the README and the docs show can be read at the size it is shown.

Graph drawings (SVG): at most 900 px wide (Graphviz writes SVG sizes in points,
and a browser shows 1 pt as 4/3 px), and the smallest text, after the scale
Graphviz applied to fit, at least 11 px high. A fresh drawing is also
rendered to PNG by the real ``dot`` and measured. Matplotlib figures (PNG):
at least 150 dpi, and no two texts of a figure overlap.
"""

from __future__ import annotations

import re
import shutil
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
IMAGES = REPO / "docs" / "images"
SVG = "{http://www.w3.org/2000/svg}"
PX_PER_PT = 96 / 72
MAX_WIDTH_PX = 900
MIN_TEXT_PX = 11
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def svg_size_and_smallest_text(svg_text: str) -> tuple:
    """(width in px, smallest font size in px) of a Graphviz SVG as a browser shows it."""
    root = ET.fromstring(svg_text)
    width_pt = float(root.get("width").removesuffix("pt"))
    graph = next(g for g in root.iter(SVG + "g") if g.get("class") == "graph")
    scale = float(re.search(r"scale\(([\d.]+)", graph.get("transform")).group(1))
    sizes = [float(t.get("font-size")) for t in root.iter(SVG + "text") if t.get("font-size")]
    return width_pt * PX_PER_PT, min(sizes) * scale * PX_PER_PT


def png_size(data: bytes) -> tuple:
    """(width, height) in pixels, from the PNG header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


SHIPPED_SVGS = sorted(IMAGES.rglob("*.svg"))


def test_the_docs_ship_graph_pictures():
    names = {p.name for p in SHIPPED_SVGS}
    assert {"xor_graph.svg", "backprop_graph.svg", "xor_graph_collapsed.svg"} <= names


@pytest.mark.parametrize("path", SHIPPED_SVGS, ids=[p.name for p in SHIPPED_SVGS])
def test_shipped_graph_pictures_fit_a_page_with_readable_text(path):
    width, smallest = svg_size_and_smallest_text(path.read_text("utf-8"))
    assert width <= MAX_WIDTH_PX, f"{path.name} is {width:.0f} px wide"
    assert smallest >= MIN_TEXT_PX, f"{path.name}: text {smallest:.1f} px high"


@needs_dot
def test_a_fresh_xor_drawing_rendered_by_dot_fits_and_reads(tmp_path):
    import tinygrad_edu as tg
    from tinygrad_edu.viz import draw_graph

    tg.manual_seed(0)
    x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = tg.tensor([[0.0], [1.0], [1.0], [0.0]])
    params = {"W_hid": (tg.rand(2, 3) - 0.5).requires_grad_(),
              "b_hid": (tg.rand(3) - 0.5).requires_grad_(),
              "W_out": (tg.rand(3, 1) - 0.5).requires_grad_(),
              "b_out": (tg.rand(1) - 0.5).requires_grad_()}
    a_out = ((x @ params["W_hid"] + params["b_hid"]).sigmoid() @ params["W_out"]
             + params["b_out"]).sigmoid()
    E = 0.5 * ((a_out - t) ** 2).sum()
    E.backward(retain_graph=True)
    drawing = draw_graph(E, {**params, "a_out": a_out, "x": x, "t": t}, show_order=True)
    width, height = png_size(drawing.pipe(format="png"))  # dot's PNG: 96 px per inch
    assert width <= MAX_WIDTH_PX and height > width  # deep: drawn top to bottom
    svg_width, smallest = svg_size_and_smallest_text(drawing.pipe(format="svg").decode())
    assert abs(svg_width - width) <= 2
    assert smallest >= MIN_TEXT_PX
    # the same graph left to right would be far too wide to read on a page
    wide = draw_graph(E, params, rankdir="LR")
    _, wide_text = svg_size_and_smallest_text(wide.pipe(format="svg").decode())
    assert wide_text < MIN_TEXT_PX


# ----- matplotlib figures ----------------------------------------------------------------------
PAGE_PX = 800  # a docs column or a repository page shows a wider PNG shrunk to this
FIGURE_EXAMPLES = ["perceptron", "neuron_iris", "logic_gates", "xor", "regression",
                   "softmax_classification", "error_surfaces", "activations"]
# the figures matplotlib made (screenshots of the watch page are not figures)
SHIPPED_PNGS = sorted(p for p in IMAGES.rglob("*.png") if b"Matplotlib" in p.read_bytes()[:400])


def png_dpi(data: bytes) -> float:
    """The resolution matplotlib wrote into the PNG (its pHYs chunk), in dots per inch."""
    at = data.index(b"pHYs")
    per_metre_x, _, unit = struct.unpack(">IIB", data[at + 4:at + 13])
    assert unit == 1  # metres
    return per_metre_x * 0.0254


@pytest.mark.parametrize("path", SHIPPED_PNGS, ids=[p.name for p in SHIPPED_PNGS])
def test_shipped_figures_are_150_dpi_and_at_most_8_inches_wide(path):
    data = path.read_bytes()
    dpi = png_dpi(data)
    width, _ = png_size(data)
    assert dpi >= 149.9, f"{path.name}: {dpi:.0f} dpi"
    assert width / dpi <= 8.5, f"{path.name}: {width / dpi:.1f} in wide"


def drawn_texts(figure) -> list:
    """(text, box in pixels) of every non-empty text the figure draws."""
    from matplotlib.backends.backend_agg import RendererAgg

    drawn = []
    original = RendererAgg.draw_text

    def recording(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if mtext is not None and s.strip():
            drawn.append(mtext)
        return original(self, gc, x, y, s, prop, angle, ismath, mtext)

    RendererAgg.draw_text = recording
    try:
        figure.canvas.draw()
    finally:
        RendererAgg.draw_text = original
    renderer = figure.canvas.get_renderer()
    return [(t.get_text(), t.get_window_extent(renderer), t.get_fontsize()) for t in drawn]


def overlapping(texts: list) -> list:
    pairs = []
    for k, (a, box_a, _) in enumerate(texts):
        for b, box_b, _ in texts[k + 1:]:
            if (min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0) > 1
                    and min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0) > 1):
                pairs.append((a, b))
    return pairs


@pytest.fixture(scope="module")
def example_figures(tmp_path_factory):
    """Every figure the examples save, run in --quick mode: {file name: (dpi, texts, inches)}."""
    import importlib
    import sys

    from matplotlib.figure import Figure

    out = tmp_path_factory.mktemp("figures")
    seen: dict = {}
    original = Figure.savefig

    def checking(self, fname, *args, **kwargs):
        seen[Path(fname).name] = (kwargs.get("dpi"), drawn_texts(self),
                                  tuple(self.get_size_inches()))
        return original(self, fname, *args, **kwargs)

    sys.path.insert(0, str(REPO / "examples"))
    Figure.savefig = checking
    argv = sys.argv
    try:
        for name in FIGURE_EXAMPLES:
            sys.argv = [name, "--quick", "--out", str(out / name)]
            module = importlib.import_module(name)
            module.main()
    finally:
        sys.argv = argv
        Figure.savefig = original
        sys.path.remove(str(REPO / "examples"))
    return seen


def test_every_example_figure_is_checked(example_figures):
    shipped = {p.name for p in SHIPPED_PNGS}
    assert shipped <= set(example_figures)


@pytest.mark.parametrize("name", [p.name for p in SHIPPED_PNGS])
def test_example_figures_have_no_overlapping_text_and_read_on_a_page(example_figures, name):
    dpi, texts, (width_in, _) = example_figures[name]
    assert dpi >= 150
    assert width_in <= 8.5
    assert not overlapping(texts), f"{name}: texts overlap: {overlapping(texts)[:5]}"
    shown = min(1.0, PAGE_PX / (width_in * dpi))  # how much a page shrinks it
    smallest = min(size for _, _, size in texts) * dpi / 72 * shown
    assert smallest >= MIN_TEXT_PX, f"{name}: smallest text {smallest:.1f} px on a page"


def test_the_overlap_check_finds_overlaps():
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(4, 3))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.text(0.5, 0.5, "here")
    ax.text(0.52, 0.5, "here too")
    found = overlapping(drawn_texts(figure))
    assert found == [("here", "here too")]
