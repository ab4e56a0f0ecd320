"""``RMSprop``: gradient steps divided by a running root-mean-square of the gradient."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.tensor import Tensor, _wrap


class RMSprop(Optimizer):
    r"""RMSprop (Hinton's lecture 6e), PyTorch's update rule.

    For each parameter θ with gradient g (v, and b and ḡ when used, start at 0):

        g ← -g                          if maximize
        g ← g + λ θ                     if weight_decay λ ≠ 0
        v ← α v + (1 − α) g²            the running mean square
        ḡ ← α ḡ + (1 − α) g             if centered; then d = √(v − ḡ²) + ε
        d = √v + ε                      otherwise
        b ← μ b + g / d;  θ ← θ − lr b  if momentum μ > 0
        θ ← θ − lr g / d                otherwise
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: dict) -> None:
        super()._check_options(group)
        for name in ("eps", "momentum", "weight_decay", "alpha"):
            label = "epsilon" if name == "eps" else name
            if not group[name] >= 0.0:
                raise ValueError(f"Invalid {label} value: {group[name]}")

    def _update(self, param: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        momentum, weight_decay = group["momentum"], group["weight_decay"]
        theta = param.array
        if not state:
            state["step"] = 0
            state["square_avg"] = _wrap(np.zeros_like(theta))
            if momentum > 0:
                state["momentum_buffer"] = _wrap(np.zeros_like(theta))
            if group["centered"]:
                state["grad_avg"] = _wrap(np.zeros_like(theta))
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * theta
        v = state["square_avg"].array
        np.multiply(v, alpha, out=v)
        np.add(v, (1 - alpha) * grad * grad, out=v, casting="same_kind")  # v ← α v + (1 − α) g²
        if group["centered"]:
            mean = state["grad_avg"].array
            np.add(mean, (1 - alpha) * (grad - mean), out=mean, casting="same_kind")  # a lerp
            denominator = np.sqrt(v - mean * mean)
        else:
            denominator = np.sqrt(v)
        denominator += eps
        if momentum > 0:
            buffer = state["momentum_buffer"].array
            np.multiply(buffer, momentum, out=buffer)
            np.add(buffer, grad / denominator, out=buffer, casting="same_kind")
            np.subtract(theta, lr * buffer, out=theta, casting="same_kind")
        else:
            np.subtract(theta, (lr * grad) / denominator, out=theta, casting="same_kind")
