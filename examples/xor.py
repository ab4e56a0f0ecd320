"""Seed 001: a 2-3-1 sigmoid network learns noisy XOR, with raw tensor ops.

The network and training follow the seed's Code Block 4: the four corners of
the XOR truth table repeated 30 times with Gaussian noise (sigma 0.15), three
sigmoid hidden units and a sigmoid output, the error E = 1/2 (a_out - t)^2,
trained example by example with learning rate 2 and weights drawn from
U(-0.5, 0.5). Autograd replaces the hand-written delta rule; the update is
PyTorch's plain ``with no_grad(): w -= lr * w.grad``.

``make demo`` runs this script. It leaves in ``--out``: the error curve
(xor_loss.png), the decision boundary (xor_decision_boundary.png) and the
computation graph of the error on the four truth-table rows after backward
(xor_graph.svg: parameters named, the data x and targets t drawn as data
boxes, gradients shown, backward order numbered; top to bottom, page width;
xor_graph.dot, the DOT text, is always written, so the graph survives a
missing Graphviz), and xor_watch.html, a page that steps through the backward
pass node by node (open it in a browser).

    python examples/xor.py [--epochs 300] [--lr 2] [--seed 0] [--out out/xor] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from common import at_least, epochs_bar, parse_args, report

import tinygrad_edu as tg
from tinygrad_edu.viz import (
    GraphvizNotFoundError,
    draw_graph,
    plot_decision_boundary,
    plot_loss,
    watch_backward,
)
from tinygrad_edu.viz import render as render_graph


def make_xor(repeats: int, noise: float, rng: np.random.Generator) -> tuple:
    """Noisy XOR: the corners repeated, labels from the clean corners, then shuffled."""
    corners = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    labels = np.logical_xor(corners[:, 0] > 0, corners[:, 1] > 0).astype(np.float64)
    X = np.repeat(corners, repeats, axis=0)  # noqa: N806 - data matrices are capitals here
    y = np.repeat(labels, repeats)
    X = X + noise * rng.standard_normal(X.shape)  # noqa: N806
    order = rng.permutation(len(X))
    return tg.tensor(X[order], dtype=tg.float64), tg.tensor(y[order, None], dtype=tg.float64)


def init_params(rng: np.random.Generator) -> dict:
    """W_hid (2, 3), b_hid (3,), W_out (3, 1), b_out (1,), each from U(-0.5, 0.5)."""
    shapes = {"W_hid": (2, 3), "b_hid": (3,), "W_out": (3, 1), "b_out": (1,)}
    return {
        name: tg.tensor(rng.random(shape) - 0.5, dtype=tg.float64, requires_grad=True)
        for name, shape in shapes.items()
    }


def forward(params: dict, x: tg.Tensor) -> tg.Tensor:
    a_hid = (x @ params["W_hid"] + params["b_hid"]).sigmoid()
    return (a_hid @ params["W_out"] + params["b_out"]).sigmoid()


def train(params: dict, X: tg.Tensor, y: tg.Tensor, epochs: int, lr: float) -> list:  # noqa: N803
    """Example-by-example gradient descent; returns the mean error E per epoch."""
    losses = []
    bar = epochs_bar(epochs, "XOR 2-3-1")
    for _ in bar:
        epoch_error = 0.0
        for i in range(len(X)):
            a_out = forward(params, X[i : i + 1])
            error = 0.5 * ((a_out - y[i : i + 1]) ** 2).sum()
            error.backward()
            with tg.no_grad():
                for p in params.values():
                    p -= lr * p.grad
                    p.grad = None
            epoch_error += error.item()
        losses.append(epoch_error / len(X))
        bar.set_postfix(E=f"{losses[-1]:.4f}")
    return losses


def draw_the_graph(params: dict, out: Path) -> list[Path]:
    """The graph of E = ½ Σ (a_out − t)² on the truth table, after backward; returns the files."""
    x = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=tg.float64)
    t = tg.tensor([[0.0], [1.0], [1.0], [0.0]], dtype=tg.float64)
    a_out = forward(params, x)
    error = 0.5 * ((a_out - t) ** 2).sum()
    names = {**params, "a_out": a_out, "x": x, "t": t}
    written = []
    # error.backward(), recorded into a page that steps through it node by node; the graph
    # is retained so that the picture below still shows the constants x, 2 and 0.5
    try:
        written.append(watch_backward(error, names, out / "xor_watch.html", title="XOR 2-3-1",
                                      retain_graph=True).path)
    except GraphvizNotFoundError:
        error.backward(retain_graph=True)
    dot_path = out / "xor_graph.dot"
    dot_path.write_text(draw_graph(error, params=names, show_order=True).source)
    written.append(dot_path)
    try:
        written.append(render_graph(error, out / "xor_graph.svg", params=names, show_order=True))
    except GraphvizNotFoundError as missing:
        print(f"only the DOT text was written ({dot_path}): {missing}\nOnce Graphviz is "
              f"installed: dot -Tsvg {dot_path} -o {out / 'xor_graph.svg'}", file=sys.stderr)
    for p in params.values():
        p.grad = None
    return written


def main() -> int:
    args = parse_args(__doc__, "xor", epochs=300, quick_epochs=60,
                      extra=[("--lr", {"type": float, "default": 2.0,
                                       "help": "learning rate (default 2, the seed's)"})])
    rng = np.random.default_rng(args.seed)
    X, y = make_xor(repeats=30, noise=0.15, rng=rng)  # noqa: N806
    params = init_params(rng)
    losses = train(params, X, y, args.epochs, args.lr)
    for epoch in sorted({0, len(losses) // 4, len(losses) // 2, len(losses) - 1}):
        print(f"epoch {epoch + 1:4d}   mean error E = {losses[epoch]:.5f}")

    with tg.no_grad():
        accuracy = ((forward(params, X) > 0.5).float() == y.float()).float().mean().item()
    print(f"training accuracy: {accuracy:.1%}")
    print(f"loss fell from {losses[0]:.4f} to {losses[-1]:.4f}")

    plot_loss(losses, args.out / "xor_loss.png", title="XOR 2-3-1: mean error E per epoch",
              ylabel="E (log scale)", xlabel="epoch", log_scale=True)
    plot_decision_boundary(lambda points: forward(params, points), X, y,
                           args.out / "xor_decision_boundary.png", resolution=100,
                           title=f"XOR 2-3-1: {accuracy:.0%} right")
    files = [args.out / "xor_loss.png", args.out / "xor_decision_boundary.png",
             *draw_the_graph(params, args.out)]
    print(f"outputs in {args.out}/: " + ", ".join(path.name for path in files))
    return report([
        at_least("xor", "accuracy", accuracy, 1.0),
        at_least("xor", "error_drop", losses[0] - losses[-1], 1e-9),
    ])


if __name__ == "__main__":
    sys.exit(main())
