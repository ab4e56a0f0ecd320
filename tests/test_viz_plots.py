"""Training plots: what is drawn, which files are written, and errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import plot_decision_boundary, plot_error_surface, plot_loss

pytest.importorskip("matplotlib")
PNG = b"\x89PNG"


def test_plot_loss_draws_the_values_and_writes_a_png_with_agg(tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    losses = [tg.tensor(1.0), 0.5, np.float32(0.25)]
    ax = plot_loss(losses, tmp_path / "sub" / "loss.png")
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    assert isinstance(ax.figure.canvas, FigureCanvasAgg)
    assert (tmp_path / "sub" / "loss.png").read_bytes().startswith(PNG)


def test_plot_loss_on_given_axes_and_log_scale():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    assert plot_loss([3.0, 2.0, 1.0], ax=ax, log_scale=True) is ax
    assert ax.get_yscale() == "log"
    with pytest.raises(ValueError, match="at least one loss value"):
        plot_loss([])


def test_decision_boundary_of_a_sigmoid_score(tmp_path):
    X = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = tg.tensor([0.0, 1.0, 1.0, 1.0])
    calls = []

    def score(points):
        calls.append(points.shape)
        return (10.0 * (points[:, 0] + points[:, 1] - 0.5)).sigmoid()

    ax = plot_decision_boundary(score, X, y, tmp_path / "boundary.png", resolution=30)
    assert calls == [(900, 2)]  # one call on the whole grid
    assert (tmp_path / "boundary.png").read_bytes().startswith(PNG)
    assert ax.get_xlim() == pytest.approx((-0.2, 1.2))
    # the 0.5 level line is drawn where the score crosses one half: x1 + x2 = 0.5
    level = [c for c in ax.collections if getattr(c, "levels", None) is not None
             and list(c.levels) == [0.5]]
    assert len(level) == 1
    vertices = np.concatenate([p.vertices for p in level[0].get_paths()])
    np.testing.assert_allclose(vertices.sum(axis=1), 0.5, atol=0.05)


def test_decision_boundary_with_class_scores_colours_by_argmax():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.0]])
    y = np.array([0, 1, 2])
    ax = plot_decision_boundary(lambda p: tg.cat([p[:, :1], p[:, 1:], 1 - p[:, :1]], dim=1),
                                X, y, resolution=10)
    filled = ax.collections[0]
    np.testing.assert_allclose(filled.levels, [-0.5, 0.5, 1.5, 2.5])


def test_decision_boundary_bad_input():
    with pytest.raises(ValueError, match=r"X must have shape \(n, 2\)"):
        plot_decision_boundary(lambda p: p, np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="y has 3 labels for 4 points"):
        plot_decision_boundary(lambda p: p, np.zeros((4, 2)), np.zeros(3))
    with pytest.raises(ValueError, match="resolution must be an int >= 2"):
        plot_decision_boundary(lambda p: p, np.zeros((4, 2)), np.zeros(4), resolution=1)


def test_error_surface_evaluates_the_grid(tmp_path):
    seen = []

    def error(w1, w2):
        seen.append((w1, w2))
        return tg.tensor((w1 - 1.0) ** 2 + w2 ** 2)

    ax = plot_error_surface(error, (-1.0, 3.0), (-2.0, 2.0), tmp_path / "surface.png",
                            resolution=5)
    assert len(seen) == 25 and (-1.0, -2.0) in seen and (3.0, 2.0) in seen
    assert (tmp_path / "surface.png").read_bytes().startswith(PNG)
    assert ax.get_xlabel() == "$w_1$"
    surface = plot_error_surface(lambda a, b: a * b, (0, 1), (0, 1), resolution=3, surface=True)
    assert surface.name == "3d"
    with pytest.raises(ValueError, match=r"w2_range must be \(low, high\) with low < high"):
        plot_error_surface(lambda a, b: a, (0, 1), (1, 1))


def test_missing_matplotlib_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # makes `import matplotlib` fail
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plot_loss([1.0])
