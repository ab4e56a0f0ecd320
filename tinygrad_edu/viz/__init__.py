"""See the computation: graph drawings (Graphviz) and training plots (matplotlib).

    from tinygrad_edu.viz import draw_graph, render
    draw_graph(loss, params=model, show_order=True)       # a graphviz.Digraph
    render(loss, "out/graph.svg", params=model)           # a picture file
    watch_backward(loss, params=model, path="out/watch.html")  # step through backward

Not imported by ``import tinygrad_edu``: it needs the ``graphviz`` package.
"""

from tinygrad_edu.viz.graph import draw_graph
from tinygrad_edu.viz.plots import plot_decision_boundary, plot_error_surface, plot_loss
from tinygrad_edu.viz.render import GraphvizNotFoundError, render
from tinygrad_edu.viz.watch import BackwardWatch, watch_backward

__all__ = [
    "BackwardWatch",
    "GraphvizNotFoundError",
    "draw_graph",
    "plot_decision_boundary",
    "plot_error_surface",
    "plot_loss",
    "render",
    "watch_backward",
]
