"""Seed 000: a sigmoid neuron separates Iris setosa from versicolor — MAE, then MSE, then SGD.

The data: the 100 setosa and versicolor flowers, described by sepal length and
petal length (cm). The model is one artificial neuron, a = σ(w · x + b), started
at w = 0, b = 0 as in the seed, and trained with gradient descent, lr 0.5:

1. the mean absolute error C = mean |a − y| over the whole data set (seed: 100 epochs);
2. the mean squared error C = mean ½ (y − a)² (the seed keeps the ½), whole data set;
3. the same MSE on shuffled minibatches of 32 (stochastic gradient descent, 50 epochs).

Each run draws the separating line w1 x1 + w2 x2 + b = 0 over the data and the
cost per epoch. The seed's claim: all three separate the two species exactly.

    python examples/neuron_iris.py [--epochs 100] [--seed 0] [--out out/neuron_iris] [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
from common import at_least, epochs_bar, parse_args, plt, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import datasets, nn, optim
from tinygrad_edu.utils.data import DataLoader, TensorDataset


def mae(a: tg.Tensor, y: tg.Tensor) -> tg.Tensor:
    """Seed 000's first cost: the mean of |a − y| (nn.L1Loss computes the same)."""
    return (a - y).abs().mean()


def half_mse(a: tg.Tensor, y: tg.Tensor) -> tg.Tensor:
    """Seed 000's second cost: the mean of ½ (y − a)²; the ½ only halves the gradient."""
    return 0.5 * ((y - a) ** 2).mean()


def train(X: tg.Tensor, y: tg.Tensor, cost, epochs: int, batch_size: int,  # noqa: N803
          desc: str) -> tuple[nn.Module, list[float]]:
    """Gradient descent on ``cost``; the whole data set per step unless batch_size is smaller."""
    model = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    with tg.no_grad():  # the seed starts from zeros
        for p in model.parameters():
            p.zero_()
    optimizer = optim.SGD(model.parameters(), lr=0.5)
    loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                        shuffle=batch_size < len(X))
    costs = []
    for _ in epochs_bar(epochs, desc):
        epoch_cost = 0.0
        for xb, yb in loader:
            loss = cost(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            epoch_cost += loss.item()
        costs.append(epoch_cost / len(loader))  # the seed's per-epoch average
    return model, costs


def accuracy(model: nn.Module, X: tg.Tensor, y: tg.Tensor) -> float:  # noqa: N803
    with tg.no_grad():
        return ((model(X) > 0.5).float() == y).float().mean().item()


def plot_run(model: nn.Module, costs: list[float], X: np.ndarray, y: np.ndarray,  # noqa: N803
             title: str, out, filename: str) -> None:
    """The seed's figure: data and separating line (left), cost per epoch (right)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.4))
    setosa, versicolor = X[y == 0], X[y == 1]
    ax1.scatter(setosa[:, 0], setosa[:, 1], marker="o", label="Setosa")
    ax1.scatter(versicolor[:, 0], versicolor[:, 1], marker="x", label="Versicolor")
    (w1, w2), b = model[0].weight.array[0], model[0].bias.item()
    x1 = np.linspace(X[:, 0].min(), X[:, 0].max(), 100)
    ax1.plot(x1, (-w1 * x1 - b) / w2, "k", label="Separating line")
    ax1.set_ylim(X[:, 1].min() - 0.5, X[:, 1].max() + 0.5)
    ax1.set_xlabel("Sepal length (cm)")
    ax1.set_ylabel("Petal length (cm)")
    ax1.legend(loc="upper left", fontsize=8)
    ax1.set_title(f"Neuron output ({title})", fontsize=10)
    ax2.plot(range(1, len(costs) + 1), costs, color="C3")
    ax2.set_xlabel("epoch")
    ax2.set_title(f"Cost per epoch ({title})", fontsize=10)
    save_figure(fig, out, filename)


def main() -> int:
    args = parse_args(__doc__, "neuron_iris", epochs=100, quick_epochs=20)
    X, y = datasets.iris(seed_000=True)  # noqa: N806 - (100, 2) and (100, 1)
    tg.manual_seed(args.seed)  # the minibatch shuffling
    runs = [  # name, cost, epochs, batch size: the seed's three versions
        ("MAE", mae, args.epochs, len(X)),
        ("MSE", half_mse, args.epochs, len(X)),
        ("SGD", half_mse, max(1, args.epochs // 2), 32),
    ]
    claims = []
    for name, cost, epochs, batch_size in runs:
        model, costs = train(X, y, cost, epochs, batch_size, f"neuron, {name}")
        acc = accuracy(model, X, y)
        w, b = model[0].weight.array[0], model[0].bias.item()
        print(f"{name}: {epochs} epochs, batch {batch_size}: cost {costs[0]:.4f} -> "
              f"{costs[-1]:.4f}, w = {w}, b = {b:.4f}, accuracy {acc:.0%}")
        plot_run(model, costs, X.array, y.array.reshape(-1), name, args.out,
                 f"neuron_{name.lower()}.png")
        claims.append(at_least(f"iris_{name.lower()}", "accuracy", acc, 1.0))
    return report(claims)


if __name__ == "__main__":
    sys.exit(main())
