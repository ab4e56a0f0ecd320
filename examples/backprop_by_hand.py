"""Seeds 001 and 002: one training step of the 2-3-1 XOR network, by the delta rule and by autograd.

The network of seed 001's Code Block 4 on the four rows of the XOR truth
table: z_hid = X W_hid + b_hid, a_hid = σ(z_hid), z_out = a_hid W_out + b_out,
a_out = σ(z_out), error E = ½ Σ (a_out − t)². The backward pass is written
out twice:

- by hand, in numpy, with the delta rule (seed 001, steps II-III; seed 002,
  "Backpropagation in brief"):
      δ_out = σ′(z_out) ⊙ (a_out − t)          ∂E/∂W_out = a_hidᵀ δ_out   ∂E/∂b_out = Σ δ_out
      δ_hid = σ′(z_hid) ⊙ (δ_out W_outᵀ)       ∂E/∂W_hid = Xᵀ δ_hid       ∂E/∂b_hid = Σ δ_hid
- by autograd: ``E.backward()``.

Both gradients are printed side by side with their difference (float64: the
claim is < 1e-10), then both take the step w ← w − η ∂E/∂w and the new weights
are compared. The computation graph, drawn after backward and before the
step (so parameters, activations and gradients belong to one pass), with the
parameters named, the gradients shown and the backward order numbered, is
rendered with tinygrad_edu.viz
(SVG; the DOT text only, and how to install Graphviz, when ``dot`` is missing),
and backprop_watch.html steps through the backward pass node by node.

    python examples/backprop_by_hand.py [--seed 0] [--out out/backprop_by_hand] [--quick]
"""

from __future__ import annotations

import sys

import numpy as np
from common import below, parse_args, report

import tinygrad_edu as tg
from tinygrad_edu.viz import GraphvizNotFoundError, draw_graph, render, watch_backward

LEARNING_RATE = 2.0  # the seed's lRate for the 2-layer network


def delta_rule(X, t, W_hid, b_hid, W_out, b_out) -> dict:  # noqa: N803 - the seed's names
    """The backward pass by hand: every line is one line of the seed's derivation."""
    # I. forward, keeping the pre-activations z and activations a of every layer
    z_hid = X @ W_hid + b_hid
    a_hid = 1 / (1 + np.exp(-z_hid))
    z_out = a_hid @ W_out + b_out
    a_out = 1 / (1 + np.exp(-z_out))
    # II. error signals: output first, then back through W_out to the hidden layer
    delta_out = a_out * (1 - a_out) * (a_out - t)          # σ′(z_out) ⊙ ∂E/∂a_out
    delta_hid = a_hid * (1 - a_hid) * (delta_out @ W_out.T)  # σ′(z_hid) ⊙ δ_out W_outᵀ
    # III. gradients: forward signal into the layer times the error signal out of it
    return {
        "delta_out": delta_out,
        "delta_hid": delta_hid,
        "W_hid": X.T @ delta_hid,
        "b_hid": delta_hid.sum(axis=0),  # a bias is a weight on a constant input 1
        "W_out": a_hid.T @ delta_out,
        "b_out": delta_out.sum(axis=0),
    }


def main() -> int:
    args = parse_args(__doc__, "backprop_by_hand", epochs=1, quick_epochs=1)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])  # noqa: N806
    t = np.array([[0.0], [1.0], [1.0], [0.0]])
    rng = np.random.default_rng(args.seed)
    start = {  # the seed's initialisation: U(−0.5, 0.5)
        "W_hid": rng.random((2, 3)) - 0.5, "b_hid": rng.random(3) - 0.5,
        "W_out": rng.random((3, 1)) - 0.5, "b_out": rng.random(1) - 0.5,
    }

    by_hand = delta_rule(X, t, **start)

    params = {name: tg.tensor(value, dtype=tg.float64, requires_grad=True)
              for name, value in start.items()}
    x, target = tg.tensor(X, dtype=tg.float64), tg.tensor(t, dtype=tg.float64)
    z_hid = x @ params["W_hid"] + params["b_hid"]
    a_hid = z_hid.sigmoid()
    z_out = a_hid @ params["W_out"] + params["b_out"]
    a_out = z_out.sigmoid()
    E = 0.5 * ((a_out - target) ** 2).sum()  # noqa: N806
    z_hid.retain_grad()
    z_out.retain_grad()
    names = {**params, "z_hid (grad = δ_hid)": z_hid, "a_hid": a_hid,
             "z_out (grad = δ_out)": z_out, "a_out": a_out, "X": x, "t": target}
    # E.backward(), recorded node by node into a page that steps through it; the graph is
    # retained, so that the picture drawn below still shows X, t and the constants
    try:
        watch = watch_backward(E, names, args.out / "backprop_watch.html", title="XOR 2-3-1",
                               retain_graph=True)
        print(f"wrote {watch.path} (open it in a browser: backward, one node at a time)")
    except GraphvizNotFoundError:
        E.backward(retain_graph=True)

    print(f"E = {E.item():.10f}\n")
    by_autograd = {"delta_out": z_out.grad.array, "delta_hid": z_hid.grad.array,
                   **{name: p.grad.array for name, p in params.items()}}
    print(f"{'':18s} {'delta rule (numpy)':>20s} {'autograd':>20s} {'difference':>11s}")
    worst = 0.0
    for name, grad in by_hand.items():
        label = f"{name}" if name.startswith("delta") else f"dE/d{name}"
        for index in np.ndindex(grad.shape):
            hand, auto = grad[index], by_autograd[name][index]
            position = ",".join(str(i) for i in index)
            print(f"{label + '[' + position + ']':18s} {hand:20.12f} {auto:20.12f} "
                  f"{hand - auto:11.1e}")
            worst = max(worst, abs(hand - auto))
    print(f"\nlargest difference: {worst:.3g}")

    # The picture is drawn here, before the step: every value in it (parameters,
    # activations, gradients) belongs to the same forward and backward pass.
    try:
        path = render(E, args.out / "backprop_graph.svg", params=names, show_order=True)
        print(f"wrote {path} (before the step)")
    except GraphvizNotFoundError as missing:
        dot_path = args.out / "backprop_graph.dot"
        dot_path.write_text(draw_graph(E, params=names, show_order=True).source)
        print(f"wrote {dot_path} (DOT text only)\n{missing}")

    stepped_by_hand = {name: value - LEARNING_RATE * by_hand[name] for name, value in start.items()}
    with tg.no_grad():
        for p in params.values():
            p -= LEARNING_RATE * p.grad  # the optimizer step, as optim.SGD does it
    step_gap = max(float(np.max(np.abs(stepped_by_hand[name] - params[name].array)))
                   for name in start)
    print(f"after one step w ← w − {LEARNING_RATE:g} ∂E/∂w, largest weight difference: "
          f"{step_gap:.3g}")

    return report([
        below("delta_rule_vs_autograd", "max_abs_difference", worst, 1e-10),
        below("sgd_step", "max_abs_difference", step_gap, 1e-10),
    ])


if __name__ == "__main__":
    sys.exit(main())
