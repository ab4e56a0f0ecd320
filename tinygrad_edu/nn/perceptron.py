"""``Perceptron`` (seed extra, no PyTorch equivalent): Rosenblatt's threshold unit and its rule.

    ŷ = H(w · x + b),   H(net) = 1 if net > 0 else 0
    w ← w + α (y − ŷ) x,   b ← b + α (y − ŷ)

trained one example at a time, as in seed document 002. The step function
has no useful derivative, so learning uses this rule, not autograd: the
parameters are created with ``requires_grad=False``.
"""

from __future__ import annotations

import math

import numpy as np

from tinygrad_edu.autograd.grad_mode import no_grad
from tinygrad_edu.creation import empty
from tinygrad_edu.functions import heaviside
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.tensor import Tensor, _wrap


class Perceptron(Module):
    """A linear binary classifier: ``weight`` of shape (in_features,), scalar ``bias``.

    Initial values are small and random: U(-1/√in_features, 1/√in_features), as
    ``Linear``'s. Set them by hand with ``p.weight.copy_(...)`` under ``no_grad``.
    """

    def __init__(self, in_features: int) -> None:
        super().__init__()
        self.in_features = in_features
        self.weight = Parameter(empty(in_features), requires_grad=False)
        self.bias = Parameter(empty(()), requires_grad=False)
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0
        init.uniform_(self.weight, -bound, bound)
        init.uniform_(self.bias, -bound, bound)

    def net(self, x: Tensor) -> Tensor:
        """The net activation w · x + b (one value per example)."""
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise RuntimeError(
                f"Perceptron: the input's last dimension must be in_features="
                f"{self.in_features}, but the input has shape {tuple(x.shape)}"
            )
        return x @ self.weight + self.bias

    def forward(self, x: Tensor) -> Tensor:
        """ŷ = H(w · x + b): 1 where the net activation is > 0, else 0 (x's dtype)."""
        net = self.net(x)
        return heaviside(net, _wrap(np.zeros((), dtype=net.array.dtype)))

    def update(self, x: Tensor, y: float | Tensor, lr: float = 0.1) -> int:
        """One step of the perceptron rule on one example; returns 1 if it was misclassified."""
        if x.ndim != 1:
            raise ValueError(
                f"Perceptron.update takes one example (shape ({self.in_features},)), got shape "
                f"{tuple(x.shape)}; use fit() for a data set"
            )
        y_hat = self.forward(x).item()
        error = float(y) - y_hat
        with no_grad():
            self.weight.add_(x * (lr * error))
            self.bias.add_(lr * error)
        return int(error != 0)

    def fit(self, X: Tensor, Y: Tensor, lr: float = 0.1, epochs: int = 1) -> list[int]:  # noqa: N803
        """Go through the examples in order, ``epochs`` times; the errors made in each epoch.

        An epoch with 0 errors means the data are separated (the rule then stops changing w).
        """
        if X.ndim != 2 or len(X) != len(Y):
            raise ValueError(
                f"Perceptron.fit expects X of shape (n, {self.in_features}) and Y of shape (n,), "
                f"got {tuple(X.shape)} and {tuple(Y.shape)}"
            )
        errors_per_epoch = []
        for _ in range(epochs):
            errors = 0
            for x, y in zip(X, Y):
                errors += self.update(x, y.item(), lr)
            errors_per_epoch.append(errors)
        return errors_per_epoch

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}"
