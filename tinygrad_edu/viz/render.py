"""Turning a drawing into a picture file with Graphviz's ``dot`` program.

The DOT text of a drawing (``draw_graph(...).source``) needs nothing but
Python. Pictures (SVG, PNG, PDF) need the ``dot`` program; when it is missing
the error says so and names the command that installs it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import graphviz

INSTALL_HINT = (
    "Graphviz's `dot` program is needed to render pictures, and it was not found on PATH. "
    "Install it with one of:\n"
    "    sudo apt-get install graphviz    (Debian, Ubuntu)\n"
    "    brew install graphviz            (macOS)\n"
    "    conda install graphviz           (conda environments)\n"
    "The DOT text is available without it: draw_graph(...).source"
)


class GraphvizNotFoundError(RuntimeError):
    """Raised when a picture is wanted and the Graphviz ``dot`` program is not installed."""


class Drawing(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose rendering says how to install ``dot`` when it is missing.

    Everything else (``.source``, notebook display, ``.render``) is Graphviz's own.
    """

    def render(self, *args: Any, **kwargs: Any) -> str:
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as missing:
            raise GraphvizNotFoundError(INSTALL_HINT) from missing

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as missing:
            raise GraphvizNotFoundError(INSTALL_HINT) from missing


def render(root: Any, path: str | os.PathLike, format: str = "svg", **draw_options: Any) -> Path:
    """Draw the graph of ``root`` and write it to ``path`` as a picture; return the path.

    ``draw_options`` are ``draw_graph``'s (``params``, ``show_order``, ...).
    ``path`` gets the extension ``.{format}`` if it has none. Missing parent
    directories are created. The file appears whole or not at all: ``dot``
    writes into a temporary directory next to it, and the finished file is
    moved into place with ``os.replace``.
    """
    from tinygrad_edu.viz.graph import draw_graph

    drawing = draw_graph(root, **draw_options)
    return write_picture(drawing, path, format)


def write_picture(drawing: graphviz.Digraph, path: str | os.PathLike, format: str) -> Path:
    """Render ``drawing`` with ``dot`` into ``path``, atomically (see ``render``)."""
    if format not in graphviz.FORMATS:
        raise ValueError(
            f"unknown picture format {format!r}; use one of 'svg', 'png', 'pdf' "
            "(or another format Graphviz knows)"
        )
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(INSTALL_HINT)
    target = Path(path)
    if target.suffix == "":
        target = target.with_suffix("." + format)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".render-", dir=target.parent)
    try:
        try:
            written = drawing.render(
                filename="graph", directory=scratch, format=format, cleanup=True
            )
        except graphviz.ExecutableNotFound as missing:
            raise GraphvizNotFoundError(INSTALL_HINT) from missing
        os.replace(written, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target
