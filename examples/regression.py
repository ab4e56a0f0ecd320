"""Seed 001: a 1-3-1 network (tanh hidden, linear output) fits 2.5 + sin(x) and |x|, with annealing.

The data (``tinygrad_edu.datasets.regression``): 100 inputs evenly spaced on
[−5, 5], targets f(x) + ε with Gaussian noise ε of standard deviation 0.5.
The network: three tanh hidden units and a linear (identity) output unit,
weights from U(−0.5, 0.5) as in the seed. Training: gradient descent on the
whole data set (momentum 0.9, learning rate 0.1), the learning rate annealed
after every iteration by lr ← 0.99 lr — ``optim.lr_scheduler.ExponentialLR(
optimizer, gamma=0.99)``, the seed's "simulated annealing".

Three tanh units are just enough for 2.5 + sin(x) on [−5, 5] (four bends), and
the error surface has local minima: from some starts training settles on a
fit that misses a bend (MSE ≈ 0.45-0.7). As the seed warns, there is no
guarantee to reach the global minimum; the usual remedy, used here, is several
random starts (``--starts``, default 5), keeping the one with the lowest error.
Each start's final error is printed. (The seed's own loop — one example at a
time, in order, lr 0.15 — behaves the same way and is 100 times slower here.)

The figure shows f(x), the noisy targets, the network's output and each
hidden unit's output tanh(w_j x + b_j) (dashed), and the error per iteration.

The claim: for 2.5 + sin(x) the plain mean squared error mean (a − t)²
(no ½) falls below 0.35. The noise alone has variance 0.25, so a perfect fit
of f would still score about 0.25. For |x| (three tanh units make a rounded
V) the check is the same bound.

    python examples/regression.py [--epochs 300] [--starts 5] [--seed 0] [--out out/regression]
                                 [--quick]
"""

from __future__ import annotations

import sys

from common import below, epochs_bar, parse_args, plt, report, save_figure

import tinygrad_edu as tg
from tinygrad_edu import datasets, nn, optim
from tinygrad_edu.optim.lr_scheduler import ExponentialLR

MSE_BOUNDS = {"sin": 0.35, "abs": 0.35}  # plain mean squared error (no ½) to get below
TITLES = {"sin": "f(x) = 2.5 + sin(x)", "abs": "f(x) = |x|"}


def network() -> nn.Sequential:
    """1 input → 3 tanh hidden units → 1 linear output, weights from U(−0.5, 0.5)."""
    model = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1))
    with tg.no_grad():
        for p in model.parameters():
            p.copy_(tg.rand(*p.shape) - 0.5)
    return model


def train(model: nn.Sequential, x: tg.Tensor, y: tg.Tensor, epochs: int,
          desc: str) -> tuple[list[float], list[float]]:
    """Annealed gradient descent; returns the plain MSE and the learning rate per iteration."""
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    annealing = ExponentialLR(optimizer, gamma=0.99)
    mses, lrs = [], []
    for _ in epochs_bar(epochs, desc):
        loss = 0.5 * nn.functional.mse_loss(model(x), y)  # the seed's ½ (a − t)², averaged
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        annealing.step()  # lr ← 0.99 lr after every iteration
        mses.append(2 * loss.item())  # plain MSE (before this step's update)
        lrs.append(annealing.get_last_lr()[0])
    with tg.no_grad():
        mses.append(nn.functional.mse_loss(model(x), y).item())  # after the last update
    return mses, lrs


def plot_fit(model: nn.Sequential, x: tg.Tensor, y: tg.Tensor, function: str,
             mses: list[float], out, filename: str) -> None:
    """Left: f, targets, output, hidden units (the seed's Figure 12/13). Right: MSE per epoch."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.6))
    xs = x.array.reshape(-1)
    ax1.plot(xs, datasets.regression_target(function, x).array.reshape(-1), "m", lw=2,
             label="f(x)")
    ax1.scatter(xs, y.array.reshape(-1), facecolors="none", edgecolors="m", s=14,
                label="targets")
    with tg.no_grad():
        hidden = model[1](model[0](x)).array  # (100, 3): each hidden unit's tanh(w_j x + b_j)
        output = model(x).array.reshape(-1)
    ax1.plot(xs, output, "k", lw=2, label="network output")
    for j in range(hidden.shape[1]):
        ax1.plot(xs, hidden[:, j], "--", lw=1.5, label=f"hidden unit {j + 1}")
    ax1.set_ylim(-5, 5)
    ax1.set_title(TITLES[function])
    ax1.legend(loc="lower left", fontsize=8)
    ax2.plot(range(1, len(mses) + 1), mses)
    ax2.axhline(0.25, color="grey", ls=":", label="noise variance 0.25")
    ax2.set_xlabel("iteration")
    ax2.set_ylabel("mean squared error")
    ax2.set_ylim(0, min(max(mses), 3.0) * 1.05)
    ax2.legend()
    ax2.set_title("Mean squared error (no ½)")
    save_figure(fig, out, filename)


def main() -> int:
    args = parse_args(__doc__, "regression", epochs=300, quick_epochs=200, extra=[
        ("--starts", {"type": int, "default": 5, "help": "random starts (default 5)"})])
    claims = []
    for function in ("sin", "abs"):
        x, y = datasets.regression(function, seed=args.seed)
        tg.manual_seed(args.seed)
        runs = []
        for start in range(args.starts):
            model = network()
            mses, lrs = train(model, x, y, args.epochs, f"1-3-1 tanh, {function}, start {start}")
            runs.append((mses[-1], start, model, mses))
        print(f"{TITLES[function]}: final MSE of each start "
              f"{[round(run[0], 3) for run in runs]}; lr 0.1 -> {lrs[-1]:.3g}")
        _, best, model, mses = min(runs, key=lambda run: run[0])
        print(f"{TITLES[function]}: best start {best}: MSE {mses[0]:.4f} -> {mses[-1]:.4f} "
              f"after {args.epochs} iterations")
        plot_fit(model, x, y, function, mses, args.out, f"regression_{function}.png")
        claims.append(below(f"regression_{function}", "mse", mses[-1], MSE_BOUNDS[function]))
    return report(claims)


if __name__ == "__main__":
    sys.exit(main())
