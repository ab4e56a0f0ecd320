"""Training pictures with matplotlib: loss curve, decision boundary, error surface.

matplotlib is optional (``pip install 'tinygrad_edu[plots]'``) and imported
only when a plot is made. Every function draws on ``ax`` when given;
otherwise on a new figure. With ``path`` the figure is also written to that
file, through matplotlib's Agg backend (no window, works on servers), and
missing parent directories are created. Each returns the ``Axes``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

FIGURE_DPI = 150
# Okabe & Ito's palette, told apart with every common colour-vision deficiency:
# blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")

MISSING_MATPLOTLIB = (
    "tinygrad_edu.viz plots need matplotlib, which is not installed. "
    "Install it with: pip install matplotlib  (or: pip install 'tinygrad_edu[plots]')"
)


def plot_loss(
    losses: Sequence[Any],
    path: str | os.PathLike | None = None,
    ax: Any = None,
    *,
    title: str = "Training loss",
    ylabel: str = "loss",
    log_scale: bool = False,
    xlabel: str = "iteration",
) -> Any:
    """Plot one loss value per iteration (floats or one-element tensors).

    ``xlabel="epoch"`` when there is one value per epoch; ``log_scale=True``
    shows the late, small losses that a linear scale flattens.
    """
    values = np.array([float(v) for v in losses], dtype=np.float64)
    if values.size == 0:
        raise ValueError("plot_loss needs at least one loss value, got an empty sequence")
    ax = _new_axes(ax, path)
    ax.plot(np.arange(1, values.size + 1), values, color=OKABE_ITO[0])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    if log_scale:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    return _save(ax, path)


def plot_decision_boundary(
    model_or_fn: Callable,
    X: Any,
    y: Any,
    path: str | os.PathLike | None = None,
    ax: Any = None,
    resolution: int = 200,
    *,
    padding: float = 0.2,
    title: str = "Decision boundary",
) -> Any:
    """Colour the plane by the model's output and show the points ``X`` coloured by ``y``.

    ``model_or_fn`` maps a tensor of points, shape ``(n, 2)``, to one score
    per point (shape ``(n,)`` or ``(n, 1)``, e.g. a sigmoid output: the
    0.5 line is drawn) or to class scores ``(n, classes)`` (coloured by argmax).
    It runs under ``no_grad``; ``resolution`` is the grid size per axis.
    """
    import tinygrad_edu as tg

    points = _as_array(X)
    labels = _as_array(y).reshape(-1)
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"X must have shape (n, 2) (points in the plane), got {points.shape}")
    if labels.shape[0] != points.shape[0]:
        raise ValueError(f"y has {labels.shape[0]} labels for {points.shape[0]} points")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")

    low = points.min(axis=0) - padding
    high = points.max(axis=0) + padding
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.stack([xx.ravel(), yy.ravel()], axis=1)
    # the model's weights decide the dtype it wants; X's float dtype is the best guess
    float_dtype = points.dtype if points.dtype.kind == "f" else np.float32
    grid_tensor = tg.from_numpy(grid.astype(float_dtype))
    with tg.no_grad():
        output = _as_array(model_or_fn(grid_tensor))
    if output.ndim == 2 and output.shape[1] > 1:
        surface = output.argmax(axis=1).reshape(xx.shape)
        levels = np.arange(output.shape[1] + 1) - 0.5
    else:
        surface = output.reshape(xx.shape)
        levels = 20

    ax = _new_axes(ax, path)
    classes = output.ndim == 2 and output.shape[1] > 1
    filled = ax.contourf(xx, yy, surface, levels=levels, cmap="PuOr_r", alpha=0.75)
    if not classes and surface.min() < 0.5 < surface.max():
        ax.contour(xx, yy, surface, levels=[0.5], colors="k", linewidths=1.5)
    ax.figure.colorbar(filled, ax=ax, label="predicted class" if classes else "model output",
                       shrink=0.85)
    for k, value in enumerate(np.unique(labels)):  # one marker and colour per label, in a legend
        chosen = labels == value
        ax.scatter(points[chosen, 0], points[chosen, 1], s=22, edgecolors="k", linewidths=0.5,
                   marker="os^vD"[k % 5], color=OKABE_ITO[k % len(OKABE_ITO)],
                   label=f"label {value:g}")
    ax.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=4, frameon=False,
              fontsize="small")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_aspect("equal")
    ax.set_title(title)
    return _save(ax, path)


def plot_error_surface(
    fn: Callable[[float, float], Any],
    w1_range: tuple,
    w2_range: tuple,
    path: str | os.PathLike | None = None,
    ax: Any = None,
    resolution: int = 40,
    *,
    surface: bool = False,
    labels: tuple = ("$w_1$", "$w_2$"),
    title: str = "Error surface",
) -> Any:
    """Plot the error ``fn(w1, w2)`` over a grid of two parameters.

    ``w1_range`` and ``w2_range`` are ``(low, high)``; ``fn`` returns a number
    or a one-element tensor. Contour lines by default; ``surface=True`` draws
    the 3-D surface as in the seed documents' figures.
    """
    for name, bounds in (("w1_range", w1_range), ("w2_range", w2_range)):
        if len(bounds) != 2 or not bounds[0] < bounds[1]:
            raise ValueError(f"{name} must be (low, high) with low < high, got {bounds!r}")
    w1 = np.linspace(w1_range[0], w1_range[1], resolution)
    w2 = np.linspace(w2_range[0], w2_range[1], resolution)
    W1, W2 = np.meshgrid(w1, w2)
    errors = np.array(
        [[float(fn(float(a), float(b))) for a, b in zip(row1, row2)] for row1, row2 in zip(W1, W2)]
    )

    ax = _new_axes(ax, path, projection="3d" if surface else None)
    if surface:
        ax.plot_surface(W1, W2, errors, cmap="viridis", linewidth=0)
        ax.set_zlabel("error", labelpad=6)
    else:
        filled = ax.contourf(W1, W2, errors, levels=20, cmap="viridis")
        ax.figure.colorbar(filled, ax=ax, label="error")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title(title)
    return _save(ax, path)


# ----- figures -----------------------------------------------------------------------------
def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(MISSING_MATPLOTLIB) from None


def _new_axes(ax: Any, path: Any, projection: str | None = None) -> Any:
    """``ax`` itself, or a new Axes: on an Agg figure when writing a file, else via pyplot."""
    _require_matplotlib()
    if ax is not None:
        return ax
    if path is not None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        figure = Figure(figsize=(5.5, 4.5), layout="constrained")
        FigureCanvasAgg(figure)
    else:
        import matplotlib.pyplot as plt

        figure = plt.figure(figsize=(5.5, 4.5), layout="constrained")
    return figure.add_subplot(projection=projection)


def _save(ax: Any, path: Any) -> Any:
    if path is not None:
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        ax.figure.savefig(target, dpi=FIGURE_DPI, bbox_inches="tight")
    return ax


def _as_array(values: Any) -> np.ndarray:
    """A numpy array from a Tensor (its ``data``), an array or a list."""
    from tinygrad_edu.tensor import Tensor

    return values.array if isinstance(values, Tensor) else np.asarray(values)
