"""The baseline: the training step hand-written in numpy with seed 002's matrix-form delta rule.

For each layer, with X its input (N×I), W its weights (J×I), NET = X Wᵀ + b and
Y = f(NET) its output:

    Δ = f'(NET) * ∂ℓ/∂Y        (Hadamard product; f' computed from Y alone)
    ∂ℓ/∂W = Δᵀ X,   ∂ℓ/∂b = Σₙ Δ,   ∂ℓ/∂X = Δ W   (passed to the layer below)

Nothing is recorded: the forward pass keeps each layer's input and output, the
backward pass walks the layers in reverse, then every weight is updated (as in the
seed's pseudocode: compute all deltas, then update the weights).
"""

from __future__ import annotations

import numpy as np

from benchmarks.problems import MAKEMORE_PARAMETERS, MakemoreSpec, MLPSpec, NeuronSpec


def _activate(name: str, net: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-net))
    if name == "tanh":
        return np.tanh(net)
    if name == "relu":
        return np.maximum(net, 0)
    if name == "identity":
        return net
    raise ValueError(f"unknown activation {name!r}")


def _derivative_from_output(name: str, y: np.ndarray) -> np.ndarray | None:
    """f'(NET) written with Y = f(NET); None for the identity (f' = 1, nothing to multiply)."""
    if name == "sigmoid":
        return y * (1 - y)
    if name == "tanh":
        return 1 - y * y
    if name == "relu":
        return y > 0
    if name == "identity":
        return None
    raise ValueError(f"unknown activation {name!r}")


def _loss_and_output_grad(loss: str, y: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """The loss and ∂ℓ/∂Y of the last layer.

    For cross-entropy Y are the logits and the gradient is already the delta of the
    last layer: (softmax(Y) − onehot(t)) / N.
    """
    if loss == "half_sse":  # E = ½ Σ (a − t)²  →  ∂E/∂a = a − t
        diff = y - t
        return 0.5 * np.sum(diff * diff), diff
    if loss == "mse":  # mean (y − t)²  →  2 (y − t) / size
        diff = y - t
        return np.mean(diff * diff), diff * (2 / diff.size)
    if loss == "cross_entropy":
        n = y.shape[0]
        shifted = y - y.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        total = exp.sum(axis=1, keepdims=True)
        log_prob_target = shifted[np.arange(n), t] - np.log(total[:, 0])
        grad = exp / total
        grad[np.arange(n), t] -= 1
        return -np.mean(log_prob_target), grad * (1 / n)
    raise ValueError(f"unknown loss {loss!r}")


class NumpyMLP:
    """The MLP of ``spec`` with its own copies of ``weights`` and ``batches``."""

    def __init__(self, spec: MLPSpec, weights: list, batches: list) -> None:
        self.spec = spec
        self.params = [(w.copy(), b.copy()) for w, b in weights]
        self.batches = [(x.copy(), t.copy()) for x, t in batches]
        self.activations = [spec.hidden] * (len(self.params) - 1) + [spec.output]
        if spec.loss == "cross_entropy" and spec.output != "identity":
            raise ValueError("cross_entropy takes logits: use output='identity'")

    def step(self, k: int) -> float:
        """One training step on batch ``k``: forward, loss, backward, SGD update."""
        x, t = self.batches[k % len(self.batches)]
        layer_inputs, y = [], x
        for (w, b), name in zip(self.params, self.activations):
            layer_inputs.append(y)
            y = _activate(name, y @ w.T + b)  # NET = X Wᵀ + b;  Y = f(NET)
        loss, grad_y = _loss_and_output_grad(self.spec.loss, y, t)

        grads = []
        for layer in reversed(range(len(self.params))):
            w, _ = self.params[layer]
            slope = _derivative_from_output(self.activations[layer], y)
            delta = grad_y if slope is None else slope * grad_y  # Δ = f'(NET) * ∂ℓ/∂Y
            grads.append((delta.T @ layer_inputs[layer], delta.sum(axis=0)))  # Δᵀ X, Σ Δ
            if layer > 0:
                grad_y = delta @ w  # ∂ℓ/∂X = Δ W, the ∂ℓ/∂Y of the layer below
                y = layer_inputs[layer]

        lr = self.spec.lr
        for (w, b), (grad_w, grad_b) in zip(self.params, reversed(grads)):
            w -= lr * grad_w
            b -= lr * grad_b
        return loss

    def weights(self) -> list[np.ndarray]:
        """Copies of the current parameters, in the order W1, b1, W2, b2, ..."""
        return [p.copy() for pair in self.params for p in pair]


def chain(x0: np.ndarray, n_ops: int) -> tuple[float, np.ndarray]:
    """Forward ``n_ops`` chained ops (see ``problems.CHAIN_OPS``) on ``x0``, sum, then backward.

    The forward pass keeps the tanh outputs; the backward pass multiplies the
    gradient by each op's derivative in reverse: 1.001, 1, 1 − tanh².
    Returns (the sum, its gradient with respect to ``x0``).
    """
    x = x0
    tanh_outputs = []
    for i in range(n_ops):
        kind = i % 3
        if kind == 0:
            x = x * 1.001
        elif kind == 1:
            x = x + 0.001
        else:
            x = np.tanh(x)
            tanh_outputs.append(x)
    total = x.sum()
    grad = np.ones_like(x0)
    for i in reversed(range(n_ops)):
        kind = i % 3
        if kind == 0:
            grad = grad * 1.001
        elif kind == 2:
            y = tanh_outputs.pop()
            grad = grad * (1 - y * y)
        # kind 1 (x + c): the derivative is 1, the gradient passes unchanged
    return float(total), grad


# ----- cases 9 and 10 ------------------------------------------------------------------------
class NumpyMakemore:
    """The makemore-style step of ``spec`` with its forward and backward written out.

    Forward: E = C[X] flattened to (B, context·embed); H = E W1ᵀ; batch norm
    X̂ = (H − μ) / √(σ² + eps) with the batch's mean μ and biased variance σ²,
    N = γ X̂ + β; A = tanh(N); logits = A W2ᵀ + b2; ℓ = mean cross-entropy.
    Backward: ∂ℓ/∂logits = (softmax − onehot) / B; ∂ℓ/∂N = (1 − A²) ∂ℓ/∂A;
    batch norm's closed form ∂ℓ/∂H = (1/B) / √(σ² + eps) · (B G − Σ G − X̂ Σ G X̂)
    with G = γ ∂ℓ/∂N (sums over the batch); ∂ℓ/∂C adds each row of ∂ℓ/∂E into
    the row of C it was read from (np.add.at). The running mean and (unbiased)
    variance move by ``momentum`` as nn.BatchNorm1d's.
    """

    def __init__(self, spec: MakemoreSpec, weights: dict, batches: list) -> None:
        self.spec = spec
        self.params = {name: w.copy() for name, w in weights.items()}
        self.batches = [(x.copy(), t.copy()) for x, t in batches]
        self.running_mean = np.zeros(spec.hidden, dtype=spec.dtype)
        self.running_var = np.ones(spec.hidden, dtype=spec.dtype)

    def step(self, k: int) -> float:
        x, t = self.batches[k % len(self.batches)]
        p, spec = self.params, self.spec
        n = x.shape[0]
        emb = p["C"][x].reshape(n, -1)  # (B, context·embed)
        pre = emb @ p["W1"].T
        mean = pre.mean(axis=0)
        centred = pre - mean
        var = (centred * centred).mean(axis=0)
        inv_std = 1.0 / np.sqrt(var + spec.eps)
        normed = centred * inv_std
        act = np.tanh(p["gamma"] * normed + p["beta"])
        logits = act @ p["W2"].T + p["b2"]
        loss, grad_logits = _loss_and_output_grad("cross_entropy", logits, t)

        grads = {"W2": grad_logits.T @ act, "b2": grad_logits.sum(axis=0)}
        grad_bn = (1 - act * act) * (grad_logits @ p["W2"])  # ∂ℓ/∂N
        grads["gamma"], grads["beta"] = (grad_bn * normed).sum(axis=0), grad_bn.sum(axis=0)
        g = grad_bn * p["gamma"]  # ∂ℓ/∂X̂
        grad_pre = (inv_std / n) * (n * g - g.sum(axis=0) - normed * (g * normed).sum(axis=0))
        grads["W1"] = grad_pre.T @ emb
        grad_c = np.zeros_like(p["C"])
        np.add.at(grad_c, x, (grad_pre @ p["W1"]).reshape(*x.shape, -1))
        grads["C"] = grad_c

        m = spec.momentum
        self.running_mean *= 1 - m
        self.running_mean += m * mean
        self.running_var *= 1 - m
        self.running_var += m * var * (n / (n - 1))
        for name, grad in grads.items():
            p[name] -= spec.lr * grad
        return float(loss)

    def weights(self) -> list[np.ndarray]:
        """The parameters in MAKEMORE_PARAMETERS order, then the running mean and variance."""
        return ([self.params[name].copy() for name in MAKEMORE_PARAMETERS]
                + [self.running_mean.copy(), self.running_var.copy()])


class NumpyNeuron:
    """Seed 000's neuron a = σ(x wᵀ + b), cost ½ mean (y − a)², by hand.

    ∂ℓ/∂a = (a − y) / n;  Δ = a (1 − a) ∂ℓ/∂a;  ∂ℓ/∂w = Δᵀ x;  ∂ℓ/∂b = Σ Δ.
    """

    def __init__(self, spec: NeuronSpec, batches: list) -> None:
        self.spec = spec
        self.w, self.b = np.zeros((1, 2), dtype=spec.dtype), np.zeros(1, dtype=spec.dtype)
        self.batches = [(x.copy(), y.copy()) for x, y in batches]

    def step(self, k: int) -> float:
        x, y = self.batches[k % len(self.batches)]
        a = 1.0 / (1.0 + np.exp(-(x @ self.w.T + self.b)))
        diff = a - y
        loss = 0.5 * np.mean(diff * diff)
        delta = a * (1 - a) * (diff / diff.size)
        self.w -= self.spec.lr * (delta.T @ x)
        self.b -= self.spec.lr * delta.sum(axis=0)
        return float(loss)

    def weights(self) -> list[np.ndarray]:
        return [self.w.copy(), self.b.copy()]
