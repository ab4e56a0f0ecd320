"""See the computation: graph drawings (Graphviz) and training plots (matplotlib).

    from tinygrad_edu.viz import draw_graph, render
    draw_graph(loss, params=model, show_order=True)       # a graphviz.Digraph
    render(loss, "out/graph.svg", params=model)           # a picture file

Not imported by ``import tinygrad_edu``: it needs the ``graphviz`` package.
"""

from tinygrad_edu.viz.graph import draw_graph
from tinygrad_edu.viz.plots import plot_decision_boundary, plot_error_surface, plot_loss
from tinygrad_edu.viz.render import GraphvizNotFoundError, render

__all__ = [
    "GraphvizNotFoundError",
    "draw_graph",
    "plot_decision_boundary",
    "plot_error_surface",
    "plot_loss",
    "render",
]
