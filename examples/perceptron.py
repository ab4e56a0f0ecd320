"""Seed 002: the perceptron rule separates the upper-right triangle, and fails on XOR.

The data: 50 points uniform in [0, 1]², labelled 1 when x1 + x2 > 1. The
perceptron ŷ = H(w · x + b) starts where the seed starts it (w = (0.1, -0.1),
b = 0.02) and learns example by example with the perceptron rule

    w ← w + α (y − ŷ) x,    b ← b + α (y − ŷ),    α = 0.1.

The figure shows the boundary w1 x1 + w2 x2 + b = 0 after each of the first 12
epochs (the seed's 3×4 grid); training goes on until an epoch makes no error.
On the four XOR points no line can be right about more than three, so the rule
never stops making errors.

    python examples/perceptron.py [--epochs 100] [--seed 0] [--out out/perceptron] [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
from common import at_least, at_most, epochs_bar, parse_args, plt, report, save_figure
from matplotlib.ticker import MaxNLocator

import tinygrad_edu as tg
from tinygrad_edu import datasets, nn

GRID_EPOCHS = 12  # the seed's 3 × 4 grid of boundaries


def seed_perceptron() -> nn.Perceptron:
    """A 2-input perceptron with the seed's hand-set start: w = (0.1, -0.1), b = 0.02."""
    perceptron = nn.Perceptron(2)
    with tg.no_grad():
        perceptron.weight.copy_(tg.tensor([0.1, -0.1]))
        perceptron.bias.fill_(0.02)
    return perceptron


def accuracy(perceptron: nn.Perceptron, X: tg.Tensor, y: tg.Tensor) -> float:  # noqa: N803
    return (perceptron(X) == y.reshape(-1)).float().mean().item()


def draw_boundary(ax, w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray,  # noqa: N803
                  title: str) -> None:
    """The side the perceptron answers 1 on (shaded), the line w·x + b = 0, and the points
    (blue circles y = 1, orange triangles y = 0)."""
    g1, g2 = np.meshgrid(np.linspace(-0.1, 1.1, 121), np.linspace(-0.1, 1.1, 121))
    ones = (w[0] * g1 + w[1] * g2 + b) > 0
    ax.contourf(g1, g2, ones.astype(float), levels=[-0.5, 0.5, 1.5], colors=["#fbe3c0", "#cfe3f2"])
    ax.scatter(X[y == 1, 0], X[y == 1, 1], color="C0", marker="o", s=14, label="y = 1")
    ax.scatter(X[y == 0, 0], X[y == 0, 1], color="C1", marker="^", s=14, label="y = 0")
    x1 = np.linspace(-0.1, 1.1, 2)
    if abs(w[1]) > 1e-12:
        ax.plot(x1, (-w[0] * x1 - b) / w[1], "k-", label="w·x + b = 0")
    elif abs(w[0]) > 1e-12:
        ax.axvline(-b / w[0], color="k", label="w·x + b = 0")
    if ones.all() or not ones.any():  # the line misses the square: one answer everywhere
        ax.text(0.5, 0.5, f"line outside the square:\nevery point gets {int(ones.all())}",
                ha="center", va="center", fontsize=8, transform=ax.transAxes,
                bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none"})
    ax.set_xlim(-0.1, 1.1)
    ax.set_ylim(-0.1, 1.1)
    ax.set_title(title, fontsize=9)


def train_triangle(args) -> tuple[nn.Perceptron, list[int], tg.Tensor, tg.Tensor]:
    X, y = datasets.triangle(n=50, seed=args.seed)  # noqa: N806
    perceptron = seed_perceptron()
    fig, axes = plt.subplots(3, 4, sharex=True, sharey=True, figsize=(8, 6.4))
    errors = []
    for epoch in epochs_bar(args.epochs, "perceptron, triangle"):
        errors.append(sum(perceptron.update(x, t.item(), lr=0.1) for x, t in zip(X, y)))
        if epoch < GRID_EPOCHS:
            draw_boundary(axes.flat[epoch], perceptron.weight.array.copy(),
                          perceptron.bias.item(), X.array, y.array.reshape(-1),
                          f"after epoch {epoch + 1}: {errors[-1]} errors")
        if errors[-1] == 0 and epoch >= GRID_EPOCHS - 1:
            break  # separated: the rule no longer changes w
    fig.suptitle("The perceptron rule on the upper-right triangle (w starts at (0.1, −0.1))")
    save_figure(fig, args.out, "perceptron_epochs.png")
    return perceptron, errors, X, y


def train_xor(args) -> tuple[nn.Perceptron, list[int], list[float]]:
    X = tg.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0]])  # noqa: N806
    y = tg.tensor([1.0, 1.0, 0.0, 0.0])
    perceptron = seed_perceptron()
    errors, accuracies = [], []
    for _ in epochs_bar(args.epochs, "perceptron, XOR"):
        errors.append(sum(perceptron.update(x, t.item(), lr=0.1) for x, t in zip(X, y)))
        accuracies.append(accuracy(perceptron, X, y))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
    draw_boundary(ax1, perceptron.weight.array, perceptron.bias.item(), X.array, y.array,
                  f"XOR after {len(errors)} epochs: {accuracies[-1]:.0%} right")
    ax1.legend(loc="upper center", ncol=3, fontsize=8, framealpha=0.9)
    ax1.set_xlabel("x1 (shaded: the side answered 1 / 0)")
    ax1.set_ylabel("x2")
    ax2.plot(range(1, len(errors) + 1), errors, ".-", color="C3")
    ax2.yaxis.set_major_locator(MaxNLocator(integer=True))  # errors are counted, not measured
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("misclassified examples in the epoch")
    ax2.set_title("No line separates XOR: the rule never stops making errors", fontsize=9)
    save_figure(fig, args.out, "perceptron_xor.png")
    return perceptron, errors, accuracies


def main() -> int:
    args = parse_args(__doc__, "perceptron", epochs=100, quick_epochs=30)
    perceptron, errors, X, y = train_triangle(args)  # noqa: N806
    print(f"triangle: errors per epoch {errors}")
    print(f"triangle: w = {perceptron.weight.array}, b = {perceptron.bias.item():.4f}, "
          f"separated after {len(errors)} epochs")
    _, xor_errors, xor_accuracies = train_xor(args)
    print(f"XOR: errors per epoch (first 12) {xor_errors[:12]}, best accuracy "
          f"{max(xor_accuracies):.0%}")
    return report([
        at_least("triangle", "accuracy", accuracy(perceptron, X, y), 1.0),
        at_least("xor_fails", "errors_in_last_epoch", xor_errors[-1], 1),
        at_most("xor_fails", "best_accuracy", max(xor_accuracies), 0.75),
    ])


if __name__ == "__main__":
    sys.exit(main())
