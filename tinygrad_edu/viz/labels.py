"""What the boxes of a drawing say and how they look: labels, colours, the legend.

Labels are DOT strings built by hand (``draw_graph`` writes DOT lines
directly, which is what makes a 100,000-node graph quick); ``dot_text``
escapes user text, and lines are joined with DOT's ``\\l`` (left-aligned
line break).
"""

from __future__ import annotations

import numpy as np

FONT_SIZE = 11  # points: 14.7 px at 96 dpi, still 11 px when a page shows the picture at 3/4

# How each kind of box is drawn (DOT attributes). Every style sets the same
# attributes, because a ``node [...]`` line changes them for all boxes after it.
# Fills are light tints of the Okabe-Ito colour-blind-safe palette (blue for
# what is learned, orange for the result), and each kind also differs by
# outline or shape, so no reader needs to tell two colours apart.
STYLES = {
    kind: f'shape={shape} style="{style}" fillcolor="{fill}" color="{line}" peripheries={rings}'
    for kind, shape, style, fill, line, rings in (
        ("parameter", "box", "filled,rounded", "#cde6f7", "#0072b2", 1),
        ("leaf", "box", "filled,rounded", "#c7ebe0", "#009e73", 1),
        ("intermediate", "box", "filled", "#f2f2f2", "#8c8c8c", 1),
        ("named", "box", "filled", "#faf3b4", "#8a7a00", 1),
        ("output", "box", "filled,bold", "#fadcb0", "#d55e00", 2),
        ("op", "ellipse", "filled", "#e6e6e6", "#595959", 1),
        ("data", "box", "dashed", "#ffffff", "#595959", 1),
        ("module", "box3d", "filled", "#efd3e3", "#cc79a7", 1),
        ("note", "note", "filled", "#fff0c2", "#8a7a00", 1),
        ("legend", "plaintext", "", "white", "black", 0),
    )
}

LEGEND_ROWS = (
    ("parameter", "#cde6f7", "parameter (named leaf)"),
    ("leaf", "#c7ebe0", "leaf tensor (requires grad)"),
    ("data", "#ffffff", "data: a constant input (dashed)"),
    ("named", "#faf3b4", "named intermediate"),
    ("intermediate", "#f2f2f2", "intermediate value"),
    ("output", "#fadcb0", "output (the root)"),
    ("op", "#e6e6e6", "op (oval), and the shape it makes"),
    ("module", "#efd3e3", "collapsed module"),
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
    """A short text of an array's values: all of them when few, else statistics or "".

    A column ``(n, 1)`` is one line; other matrices one row per line. A big
    array, with ``summarise``, is its mean, standard deviation and range.
    """
    if array.size <= SMALL_TENSOR:
        if array.ndim == 0:
            return _number(array.item())
        if array.ndim == 1:
            return _row(array)
        if array.ndim == 2 and array.shape[1] == 1:
            return "[" + ", ".join(_row(row) for row in array) + "]"
        if array.ndim == 2:  # one row per line
            return "[" + ",\n ".join(_row(row) for row in array) + "]"
    if not summarise or array.size == 0:
        return ""
    if array.dtype.kind not in "fiu":
        return f"{int(np.count_nonzero(array))} of {array.size} true"
    values = array.astype(np.float64)
    return (f"mean {_number(float(values.mean()))} std {_number(float(values.std()))} "
            f"in [{_number(float(values.min()))}, {_number(float(values.max()))}]")


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
