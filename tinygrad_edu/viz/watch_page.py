"""The page of ``watch_backward``: one HTML file with the graph, the record and a small script.

What goes into the file (``watch_page.html`` is the template):

- the graph as ``draw_graph`` draws it, rendered to SVG by Graphviz, with an
  explicit ``id`` on every box (``tgv_<box>``) and every edge
  (``tge_<tail>_to_<head>``), so the script finds them by id;
- the recorded steps as JSON: small arrays whole, bigger ones as a summary
  (shape, min, max, mean, norm, the top-left corner);
- the script (in the template) that steps through them.

Nothing is loaded from the network: the file opens from disk in any browser.
"""

from __future__ import annotations

import html
import json
import re
from importlib.resources import files
from typing import Any

import numpy as np

from tinygrad_edu.viz.labels import LEGEND_ROWS

WHOLE = 64  # arrays with at most this many entries are shown whole
CORNER = (4, 6)  # rows and columns of a bigger array shown as its top-left corner

NODE_LINE = re.compile(r"^\t(\w+) \[(.*)\]\n?$", re.DOTALL)
EDGE_LINE = re.compile(r"^\t(\w+) -> (\w+)(?: \[(.*)\])?\n?$", re.DOTALL)
DOT_DEFAULTS = ("node", "edge", "graph")


def add_ids(body: list) -> list:
    """DOT lines with ``id=`` set on each box and edge (Graphviz copies it into the SVG)."""
    lines = []
    for line in body:
        edge = EDGE_LINE.match(line)
        node = NODE_LINE.match(line) if edge is None else None
        if edge:
            tail, head, attributes = edge.groups()
            extra = f" {attributes}" if attributes else ""
            line = f'\t{tail} -> {head} [id="tge_{tail}_to_{head}"{extra}]\n'
        elif node and node.group(1) not in DOT_DEFAULTS:
            name, attributes = node.groups()
            line = f'\t{name} [id="tgv_{name}" {attributes}]\n'
        lines.append(line)
    return lines


def svg_with_ids(drawing: Any) -> str:
    """The drawing as an inline ``<svg>`` element, ids set, sized by the page (not in points)."""
    drawing.body[:] = add_ids(drawing.body)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.DOTALL)
    svg = re.sub(r"<title>.*?</title>", "", svg, flags=re.DOTALL)  # tooltips like "op3"
    opening = svg[: svg.index(">") + 1]
    resized = re.sub(r'\s(width|height)="[^"]*"', "", opening)
    return resized + svg[len(opening):]


# ----- the record as JSON ---------------------------------------------------------------------
def array_data(array: np.ndarray | None) -> dict | None:
    """An array for the page: whole when small, else a summary and its top-left corner."""
    if array is None:
        return None
    array = np.asarray(array)
    matrix = array.reshape(1, 1) if array.ndim == 0 else (
        array.reshape(1, -1) if array.ndim == 1 else array.reshape(-1, array.shape[-1]))
    data: dict = {"shape": list(array.shape), "dtype": str(array.dtype), "size": int(array.size)}
    if array.size <= WHOLE:
        data["rows"] = _numbers(matrix)
        data["whole"] = True
        return data
    rows, cols = CORNER
    data["rows"] = _numbers(matrix[:rows, :cols])
    data["whole"] = False
    data["more_rows"] = matrix.shape[0] > rows
    data["more_cols"] = matrix.shape[1] > cols
    values = array.astype(np.float64) if array.dtype.kind in "biuf" else None
    if values is not None and array.size:
        data["stats"] = {name: _number(value) for name, value in (
            ("min", values.min()), ("max", values.max()), ("mean", values.mean()),
            ("norm", np.linalg.norm(values.ravel())))}
    return data


def _number(value: Any) -> Any:
    """A JSON number, or "nan"/"inf"/"-inf" (JSON has no such numbers)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    if np.isfinite(value):
        return value
    return "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")


def _numbers(matrix: np.ndarray) -> list:
    return [[_number(v) for v in row] for row in matrix.tolist()]


def step_data(step: Any) -> dict:
    """One step as the page reads it."""
    data = {
        "phase": step.phase, "node": step.node, "vertex": step.vertex, "op": step.op,
        "title": step.title, "rule": step.rule, "output_name": step.output_name,
        "where": step.where, "edges": [list(edge) for edge in step.edges],
    }
    if step.phase == "backward":
        data["grad_output"] = array_data(step.grad_output)
        data["grads"] = [_entry(entry) for entry in step.grads]
        data["leaf_grad"] = array_data(step.leaf_grad)
        data["is_leaf"] = step.op == "accumulate_grad"
    else:
        data["inputs"] = [_entry(entry) for entry in step.inputs]
        data["output"] = array_data(step.output)
    return data


def _entry(entry: dict) -> dict:
    return {**entry, "value": array_data(entry["value"]),
            "shape": list(entry["shape"]) if entry["shape"] is not None else None}


def page_data(watch: Any) -> dict:
    leaves = [{**leaf, "initial": array_data(leaf["initial"])} for leaf in watch.graph["leaves"]]
    return {
        "title": watch.title,
        "ops": watch.graph["ops"],
        "tensors": watch.graph["tensors"],
        "leaves": leaves,
        "steps": [step_data(step) for step in watch.steps],
    }


# ----- the page ---------------------------------------------------------------------------------
PLACEHOLDER = re.compile(r"__(TITLE|SVG|DATA|LEGEND)__")


def page_html(watch: Any) -> str:
    """The whole page: the template with the title, the SVG and the JSON filled in."""
    template = files("tinygrad_edu.viz").joinpath("watch_page.html").read_text(encoding="utf-8")
    data = json.dumps(page_data(watch), ensure_ascii=False, separators=(",", ":"))
    parts = {
        "TITLE": html.escape(watch.title),
        "SVG": watch.svg,
        "DATA": data.replace("</", "<\\/"),  # so no "</script>" can end the data early
        "LEGEND": "".join(f'<span class="box" style="background:{colour}"></span>'
                          f"{html.escape(text)}" for _, colour, text in LEGEND_ROWS),
    }
    return PLACEHOLDER.sub(lambda match: parts[match.group(1)], template)


def iframe_html(page: str, height: int = 820) -> str:
    """The page in an iframe, for Jupyter: its script runs apart from the notebook's."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" '
            f'style="width:100%;height:{height}px;border:1px solid #ddd"></iframe>')
