"""Seed 001, Figure 2: identity, sigmoid, tanh and ReLU, with derivatives computed by autograd.

For each activation g, ``x.grad`` after ``g(x).sum().backward()`` is g′(x) at
every point (each output depends only on its own input). The figure puts
those autograd derivatives next to the closed forms the seeds derive:

    identity  g(z) = z                 g′(z) = 1
    sigmoid   g(z) = 1 / (1 + e^−z)     g′(z) = g(z) (1 − g(z))
    tanh      g(z) = tanh z            g′(z) = 1 − tanh² z
    ReLU      g(z) = max(z, 0)         g′(z) = 1 if z > 0 else 0 (0 at z = 0, as PyTorch)

The check: the two agree within 1e-6 everywhere on [−5, 5] (float64).

    python examples/activations.py [--seed 0] [--out out/activations] [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
from common import below, parse_args, plt, report, save_figure

import tinygrad_edu as tg

# name -> (g as tensor ops, closed-form g′ in numpy)
ACTIVATIONS = {
    "identity": (lambda z: z * 1.0, lambda z: np.ones_like(z)),
    "sigmoid": (tg.sigmoid, lambda z: 1 / (1 + np.exp(-z)) * (1 - 1 / (1 + np.exp(-z)))),
    "tanh": (tg.tanh, lambda z: 1 - np.tanh(z) ** 2),
    "ReLU": (tg.relu, lambda z: (z > 0).astype(z.dtype)),
}


def autograd_derivative(g, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """g(z) and g′(z), the latter as the gradient of sum(g(z)) with respect to z."""
    x = tg.tensor(z, dtype=tg.float64, requires_grad=True)
    y = g(x)
    y.sum().backward()
    return y.array, x.grad.array


def main() -> int:
    args = parse_args(__doc__, "activations", epochs=1, quick_epochs=1)
    z = np.linspace(-5, 5, 201)  # includes z = 0, where ReLU's derivative is taken as 0
    fig, axes = plt.subplots(2, 4, figsize=(8, 4.6), sharex=True)
    claims = []
    for column, (name, (g, g_prime)) in enumerate(ACTIVATIONS.items()):
        values, derivative = autograd_derivative(g, z)
        closed_form = g_prime(z)
        gap = float(np.max(np.abs(derivative - closed_form)))
        print(f"{name:8s}: max |autograd g′ − closed form| = {gap:.3g}")
        claims.append(below(f"derivative_{name.lower()}", "max_abs_difference", gap, 1e-6))
        top, bottom = axes[0, column], axes[1, column]
        top.plot(z, values, color="C0")
        top.set_title(name)
        bottom.plot(z, closed_form, color="0.7", lw=5, label="closed form")
        bottom.plot(z, derivative, "k--", lw=1.2, label="autograd")
        bottom.set_ylim(-0.2, 1.2)
        bottom.set_xlabel("z")
    axes[0, 0].set_ylabel("g(z)")
    axes[1, 0].set_ylabel("g′(z)")
    axes[1, 0].legend(fontsize=8, loc="center left")
    save_figure(fig, args.out, "activations.png")
    return report(claims)


if __name__ == "__main__":
    sys.exit(main())
