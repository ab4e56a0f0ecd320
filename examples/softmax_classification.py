"""Seed 003: three-class Iris with softmax, one-hot targets and the cross-entropy.

Seed 003's ideas, each checked with numbers:

- softmax turns scores into probabilities: scores (2, 1, 0) give (0.67, 0.24, 0.09);
- maximum likelihood: the best model gives the observed labels the highest
  probability P(all) = Π p_i; the seed's two models give 0.0084 and 0.3024;
- the cross-entropy −Σ ln p_i is −ln P(all): maximising one minimises the other;
  the seed's three doors: CE[(1,1,0), (0.8,0.7,0.1)] = 0.69;
- the multi-class error −(1/m) Σ_i Σ_j y_ij ln ŷ_ij with one-hot y equals
  ``nn.CrossEntropyLoss`` given the class indices.

Then a softmax classifier (one ``nn.Linear(4, 3)`` layer, standardised
features) is trained on 120 flowers with gradient descent on that error and
tested on the other 30. Figures: the error per epoch, the confusion matrix and
each test flower's three class probabilities.

    python examples/softmax_classification.py [--epochs 300] [--seed 0]
                                              [--out out/softmax_classification] [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
from common import at_least, below, epochs_bar, parse_args, plt, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import datasets, nn, optim
from tinygrad_edu.datasets.iris import CLASSES


def one_hot(labels: tg.Tensor, classes: int) -> tg.Tensor:
    """Row i has a 1 in column labels[i] and 0 elsewhere (seed 003, "One-Hot Encoding")."""
    return tg.eye(classes)[labels]


def cross_entropy(probabilities: tg.Tensor, targets_one_hot: tg.Tensor) -> tg.Tensor:
    """Seed 003's multi-class error: −(1/m) Σ_i Σ_j y_ij ln ŷ_ij."""
    return -(targets_one_hot * probabilities.log()).sum(dim=1).mean()


def seed_numbers() -> list[tuple[str, str, float, float]]:
    """The seed's worked examples, computed with tensors, beside the values the seed prints."""
    softmax = tg.softmax(tg.tensor([2.0, 1.0, 0.0]), dim=0)
    p = tg.tensor([0.1, 0.6, 0.7, 0.2])  # each point's probability of its actual colour
    p_all = p[0] * p[1] * p[2] * p[3]
    y, p = tg.tensor([1.0, 1.0, 0.0]), tg.tensor([0.8, 0.7, 0.1])  # the three doors
    ce = -(y * p.log() + (1 - y) * (1 - p).log()).sum()
    return [  # name (no spaces), what, computed, the seed's (rounded) value
        ("seed_softmax_A", "softmax(2, 1, 0) for A", softmax[0].item(), 0.67),
        ("seed_softmax_B", "softmax(2, 1, 0) for B", softmax[1].item(), 0.24),
        ("seed_softmax_C", "softmax(2, 1, 0) for C", softmax[2].item(), 0.09),
        ("seed_p_all", "P(all) = 0.1·0.6·0.7·0.2", p_all.item(), 0.0084),
        ("seed_doors_ce", "CE[(1,1,0), (0.8,0.7,0.1)]", ce.item(), 0.69),
    ]


def split(X: tg.Tensor, y: tg.Tensor, seed: int, n_test: int = 30):  # noqa: N803
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    mean, std = X.array[train].mean(axis=0), X.array[train].std(axis=0)
    scaled = tg.tensor((X.array - mean) / std)  # standardise with the training rows only
    return scaled[train], y[train], scaled[test], y[test]


def confusion(predicted: np.ndarray, actual: np.ndarray, classes: int) -> np.ndarray:
    matrix = np.zeros((classes, classes), dtype=int)
    for p, a in zip(predicted, actual):
        matrix[a, p] += 1
    return matrix


def plot_results(errors, matrix, probabilities, actual, out) -> None:
    fig, axes = plt.subplot_mosaic([["loss", "matrix"], ["bars", "bars"]], figsize=(8, 6.6))
    ax1, ax2, ax3 = axes["loss"], axes["matrix"], axes["bars"]
    ax1.plot(range(1, len(errors) + 1), errors)
    ax1.set_xlabel("epoch")
    ax1.set_title("Cross-entropy (training)")
    ax2.imshow(matrix, cmap="cividis_r")
    for (i, j), count in np.ndenumerate(matrix):
        ax2.text(j, i, str(count), ha="center", va="center",
                 color="white" if count > matrix.max() / 2 else "black", fontsize=11)
    ax2.set_xticks(range(3), CLASSES)
    ax2.set_yticks(range(3), CLASSES)
    ax2.set_xlabel("predicted")
    ax2.set_ylabel("actual")
    ax2.set_title("Confusion matrix (test)")
    order = np.argsort(actual, kind="stable")
    bottom = np.zeros(len(order))
    for c, name in enumerate(CLASSES):
        ax3.bar(range(len(order)), probabilities[order, c], bottom=bottom, label=name)
        bottom += probabilities[order, c]
    ax3.set_xlabel("test flower (sorted by actual class)")
    ax3.set_ylabel("P(class)")
    ax3.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax3.set_title("Softmax probabilities (test)")
    save_figure(fig, out, "softmax_iris.png")


def main() -> int:
    args = parse_args(__doc__, "softmax_classification", epochs=300, quick_epochs=200)
    claims = []
    for name, what, computed, seed_value in seed_numbers():
        print(f"{what:28s} = {computed:.4f}   (seed 003: {seed_value})")
        claims.append(below(name, "abs_difference", abs(computed - seed_value), 0.005))

    X, y = datasets.iris()  # noqa: N806 - 150 flowers, 4 features, classes 0, 1, 2
    X_train, y_train, X_test, y_test = split(X, y, args.seed)  # noqa: N806
    Y_train = one_hot(y_train, 3)  # noqa: N806

    tg.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(4, 3), nn.Softmax(dim=1))
    optimizer = optim.SGD(model.parameters(), lr=1.0)
    errors = []
    for _ in epochs_bar(args.epochs, "softmax regression"):
        loss = cross_entropy(model(X_train), Y_train)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        errors.append(loss.item())

    with tg.no_grad():
        scores = model[0](X_train)
        same = nn.CrossEntropyLoss()(scores, y_train).item()  # class indices, from scores
        p_train = model(X_train)
        p_test = model(X_test)
    mine = cross_entropy(p_train, Y_train).item()
    likelihood = p_train[tg.arange(len(y_train)), y_train].log().sum().item()
    print(f"cross-entropy, one-hot by hand {mine:.6f}; nn.CrossEntropyLoss {same:.6f}")
    print(f"log-likelihood of the training labels ln P(all) = {likelihood:.4f} "
          f"= −m·CE = {-len(y_train) * mine:.4f}")
    train_acc = (p_train.argmax(dim=1) == y_train).float().mean().item()
    predicted = p_test.argmax(dim=1).array
    test_acc = float((predicted == y_test.array).mean())
    matrix = confusion(predicted, y_test.array, 3)
    print(f"accuracy: training {train_acc:.1%}, test {test_acc:.1%}\nconfusion matrix "
          f"(rows actual, columns predicted):\n{matrix}")
    plot_results(errors, matrix, p_test.array, y_test.array, args.out)

    claims += [
        below("cross_entropy_matches_nn", "abs_difference", abs(mine - same), 1e-5),
        below("likelihood_is_minus_m_ce", "abs_difference",
              abs(likelihood + len(y_train) * mine), 1e-3),
        at_least("softmax_train", "accuracy", train_acc, 0.95),
        at_least("softmax_test", "accuracy", test_acc, 0.9),
    ]
    return report(claims)


if __name__ == "__main__":
    sys.exit(main())
