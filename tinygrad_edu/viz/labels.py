"""What the boxes of a drawing say and how they look: labels, colours, the legend.

Labels are DOT strings built by hand (``draw_graph`` writes DOT lines
directly, which is what makes a 100,000-node graph quick); ``dot_text``
escapes user text, and lines are joined with DOT's ``\\l`` (left-aligned
line break).
"""

from __future__ import annotations

import numpy as np

# How each kind of box is drawn (DOT attributes). Every style sets the same
# attributes, because a ``node [...]`` line changes them for all boxes after it.
STYLES = {
    kind: f'shape={shape} style="{style}" fillcolor="{fill}" color="{line}" peripheries={rings}'
    for kind, shape, style, fill, line, rings in (
        ("parameter", "box", "filled,rounded", "#c6efce", "#2e7d32", 1),
        ("leaf", "box", "filled,rounded", "#ddebf7", "#1f4e79", 1),
        ("intermediate", "box", "filled", "#f5f5f5", "#9e9e9e", 1),
        ("named", "box", "filled", "#fff2cc", "#bf9000", 1),
        ("output", "box", "filled,bold", "#f8cbad", "#c55a11", 2),
        ("op", "ellipse", "filled", "#e7e6e6", "#595959", 1),
        ("module", "box3d", "filled", "#e4dfec", "#5b3f8c", 1),
        ("note", "note", "filled", "#ffe699", "#bf9000", 1),
        ("legend", "plaintext", "", "white", "black", 0),
    )
}

LEGEND_ROWS = (
    ("parameter", "#c6efce", "parameter (named leaf)"),
    ("leaf", "#ddebf7", "leaf tensor (requires grad)"),
    ("named", "#fff2cc", "named intermediate"),
    ("intermediate", "#f5f5f5", "intermediate value"),
    ("output", "#f8cbad", "output (the root)"),
    ("op", "#e7e6e6", "op (oval)"),
    ("module", "#e4dfec", "collapsed module"),
)

SMALL_TENSOR = 16  # show_values="auto" shows values of tensors with at most this many elements


def dot_text(text: str) -> str:
    """``text`` made safe inside a double-quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\l")


def dot_label(lines: list) -> str:
    """Lines of text as one left-aligned DOT label (without the surrounding quotes)."""
    return "\\l".join(dot_text(line) for line in lines) + "\\l"


def shape_text(shape: tuple, dtype: np.dtype | None) -> str:
    """``(4, 3) float32``: what every tensor box says."""
    dims = "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"
    return f"{dims} {dtype}" if dtype is not None else dims


def preview(array: np.ndarray, summarise: bool) -> str:
    """A short text of an array's values: all of them when few, else a summary or ""."""
    if array.size <= SMALL_TENSOR:
        if array.ndim == 0:
            return _number(array.item())
        if array.ndim == 1:
            return _row(array)
        if array.ndim == 2:  # one row per line
            return "[" + ",\n ".join(_row(row) for row in array) + "]"
    elif not summarise:
        return ""
    with np.printoptions(precision=4, threshold=8, edgeitems=2, linewidth=60):
        text = np.array2string(array, separator=", ")
    return " ".join(text.split())


def _row(values: np.ndarray) -> str:
    return "[" + ", ".join(_number(v) for v in values.tolist()) + "]"


def _number(value: float | int | bool) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def legend_label(kinds: set, show_order: bool) -> str:
    """An HTML-like DOT label: a small table with one coloured row per kind of box drawn."""
    rows = ['<TR><TD COLSPAN="2"><B>legend</B></TD></TR>']
    for kind, colour, text in LEGEND_ROWS:
        if kind in kinds:
            rows.append(
                f'<TR><TD BGCOLOR="{colour}" WIDTH="18"> </TD><TD ALIGN="LEFT">{text}</TD></TR>'
            )
    if show_order:
        rows.append('<TR><TD>#n</TD><TD ALIGN="LEFT">the n-th op backward runs</TD></TR>')
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3">'
    return "<" + table + "".join(rows) + "</TABLE>>"
