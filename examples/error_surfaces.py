"""Seeds 001 and 002: error surfaces — plateaus, valleys and a local minimum.

1. Seed 001, Figure 4 (left): the 1-weight network ŷ = σ(w1 · 1) that should
   map 1 to 1; E(w1) = (ŷ − 1)² falls monotonically as w1 grows.
2. Seed 001, Figure 4 (right): the 2-weight network ŷ = σ(w2 σ(w1 · 1));
   E(w1, w2) is lowest where both weights are large and positive, and has
   wide plateaus where the gradient almost vanishes (measured with autograd).
3. Seed 002, "Error surface of the XOR problem": the hand-set 2-2-1 XOR
   network ``fprop`` and its error E = Σ_n (ŷ_n − y_n)² over the four XOR
   rows, as a surface over two chosen weights (the seed's default w5, w6),
   and along the line (w3, w4) = (w, w + 2), split into the four rows' errors
   and their total ("Local minima"): the total has a local minimum at
   w = −1.75 that is higher than where the line ends at w → 10, so plain
   gradient descent started near it would stay there.

Every error is computed with tinygrad_edu tensors over the whole weight grid
at once (broadcasting); the gradients come from one ``backward()``.

    python examples/error_surfaces.py [--seed 0] [--out out/error_surfaces] [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
from common import at_least, below, parse_args, plt, report, save_figure
from matplotlib.ticker import MaxNLocator

import tinygrad_edu as tg

XOR_X = [(0.0, 1.0), (1.0, 0.0), (0.0, 0.0), (1.0, 1.0)]  # seed 002's order
XOR_Y = [1.0, 1.0, 0.0, 0.0]
SEED_WEIGHTS = {"w1": 0.1, "w2": 0.2, "b1": 0.1, "w3": -0.2, "w4": 0.2, "b2": -0.1,
                "w5": -0.3, "w6": -0.25, "b3": 0.2}  # fprop's defaults in seed 002


def fprop(x1: float, x2: float, **weights) -> tg.Tensor:
    """Seed 002's hand-coded XOR network: two sigmoid hidden units N1, N2 and a sigmoid output.

    Any weight may be a tensor (a grid of values); the others keep the seed's values.
    """
    w = {name: tg.tensor(value, dtype=tg.float64) for name, value in SEED_WEIGHTS.items()}
    w.update(weights)
    y_hat_1 = tg.sigmoid(w["b2"] + w["w3"] * x1 + w["w4"] * x2)  # N1
    y_hat_2 = tg.sigmoid(w["b3"] + w["w5"] * x1 + w["w6"] * x2)  # N2
    return tg.sigmoid(w["b1"] + w["w1"] * y_hat_1 + w["w2"] * y_hat_2)


def xor_errors(**weights) -> list[tg.Tensor]:
    """The squared error of each XOR row, (ŷ_n − y_n)², for the given weights."""
    return [(fprop(x1, x2, **weights) - y) ** 2 for (x1, x2), y in zip(XOR_X, XOR_Y)]


def local_minima(values: np.ndarray) -> list[int]:
    """Interior indices lower than both neighbours."""
    return [k for k in range(1, len(values) - 1)
            if values[k] < values[k - 1] and values[k] < values[k + 1]]


def main() -> int:
    args = parse_args(__doc__, "error_surfaces", epochs=1, quick_epochs=1)
    claims = []
    size = 41 if args.quick else 61

    # 1. one weight
    w1_line = tg.linspace(-10, 10, 201, dtype=tg.float64)
    e_one = ((tg.sigmoid(w1_line * 1.0) - 1.0) ** 2).array
    claims.append(at_least("one_weight_monotone", "fraction_decreasing",
                           np.mean(np.diff(e_one) < 0), 1.0))

    # 2. two weights, with the gradient of every grid point from one backward()
    grid = np.linspace(-10, 10, size)
    W1, W2 = np.meshgrid(grid, grid)  # noqa: N806
    w1 = tg.tensor(W1, requires_grad=True)
    w2 = tg.tensor(W2, requires_grad=True)
    e_two = (tg.sigmoid(w2 * tg.sigmoid(w1 * 1.0)) - 1.0) ** 2
    e_two.sum().backward()  # each grid point's error depends on its own (w1, w2) only
    slope = np.hypot(w1.grad.array, w2.grad.array)
    flat = float(np.mean(slope < 1e-3))
    lowest = np.unravel_index(np.argmin(e_two.array), e_two.shape)
    print(f"two weights: lowest error {e_two.array[lowest]:.2e} at w1 = {W1[lowest]:.1f}, "
          f"w2 = {W2[lowest]:.1f}; plateaus (|∇E| < 1e-3) cover {flat:.0%} of the grid")
    claims.append(at_least("two_weight_minimum_positive", "min_weight_at_lowest",
                           min(W1[lowest], W2[lowest]), 5.0))
    claims.append(at_least("two_weight_plateaus", "flat_fraction", flat, 0.25))

    fig = plt.figure(figsize=(8, 3.6))
    ax = fig.add_subplot(1, 2, 1)
    ax.plot(w1_line.array, e_one, color="C3")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("E(w)")
    ax.set_title("1-layer network", fontsize=10)
    ax = fig.add_subplot(1, 2, 2, projection="3d")
    ax.plot_surface(W1, W2, e_two.array, cmap="cividis", linewidth=0.1, edgecolor="0.5")
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_zlabel("E(w)", labelpad=8)
    ax.view_init(elev=30, azim=-60 + 180)
    ax.set_title("2-layer network", fontsize=10)
    save_figure(fig, args.out, "error_surface_simple.png")

    # 3. the XOR network: a surface over (w5, w6) and a line through (w3, w4)
    w5, w6 = tg.tensor(W1), tg.tensor(W2)
    e_xor = sum(xor_errors(w5=w5, w6=w6)).array
    line = np.arange(-10, 10, 0.25)
    w = tg.tensor(line)
    split = [e.array for e in xor_errors(w3=w, w4=w + 2)]
    total = np.sum(split, axis=0)
    minima = local_minima(total)
    for k in minima:
        print(f"XOR, (w3, w4) = (w, w + 2): local minimum at w = {line[k]:.2f}, "
              f"E = {total[k]:.4f}; lowest E on the line {total.min():.4f} at w = "
              f"{line[total.argmin()]:.2f}")
    higher = [k for k in minima if total[k] > total.min() + 1e-3]
    claims.append(at_least("xor_local_minimum", "local_minima_above_lowest", len(higher), 1))

    fig = plt.figure(figsize=(8, 7.6))
    grid = fig.add_gridspec(2, 2, height_ratios=[1.25, 1])
    ax = fig.add_subplot(grid[0, :], projection="3d")
    ax.plot_surface(W1, W2, e_xor, cmap="viridis", linewidth=0.1, alpha=0.8)
    ax.set_xlabel("$w_5$")
    ax.set_ylabel("$w_6$")
    ax.set_zlabel("E(w₅, w₆)", labelpad=8)
    ax.set_title("XOR network: error over $w_5$, $w_6$", fontsize=10)
    ax.locator_params(nbins=5)  # fewer ticks: a 3-D box has little room for them
    ax.zaxis.set_major_locator(MaxNLocator(3))
    ax.set_box_aspect(None, zoom=0.85)  # leave room around the box for its labels
    ax = fig.add_subplot(grid[1, 0])
    for n, errors in enumerate(split):
        ax.plot(line, errors, label=f"$E^{{({n + 1})}}$")
    ax.set_xlabel("w  ($w_3$ = w, $w_4$ = w + 2)")
    ax.set_ylabel("E")
    ax.set_title("Split errors")
    ax.legend()
    ax = fig.add_subplot(grid[1, 1])
    ax.plot(line, total, label="E(·)")
    ax.plot(line[minima], total[minima], "o", color="C3", label="local minimum")
    ax.set_xlabel("w  ($w_3$ = w, $w_4$ = w + 2)")
    ax.set_title("Total error")
    ax.legend()
    save_figure(fig, args.out, "error_surface_xor.png")
    claims.append(below("xor_surface_finite", "nan_count", np.isnan(e_xor).sum(), 1))
    return report(claims)


if __name__ == "__main__":
    sys.exit(main())
