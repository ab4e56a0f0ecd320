"""``Adam`` and ``AdamW``: gradient steps scaled by running moment estimates."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinygrad_edu.argcheck import check_number, check_pair
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.tensor import Tensor, _wrap


class Adam(Optimizer):
    r"""Adam (Kingma & Ba, 2015), PyTorch's update rule.

    For each parameter θ with gradient g, at step t (moments m, v start at 0):

        g ← -g                          if maximize
        g ← g + λ θ                     if weight_decay λ ≠ 0 (an L2 penalty)
        m ← β₁ m + (1 − β₁) g
        v ← β₂ v + (1 − β₂) g²
        v̂_max ← max(v̂_max, v)           if amsgrad; it replaces v below
        θ ← θ − lr · (m / (1 − β₁ᵗ)) / (√v / √(1 − β₂ᵗ) + ε)
    """

    _decoupled_weight_decay = False

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        betas = check_pair("betas", betas, type(self).__name__)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: dict) -> None:
        super()._check_options(group)
        name = type(self).__name__
        if not check_number("eps", group["eps"], name) >= 0.0:
            raise ValueError(f"Invalid epsilon value: {group['eps']}")
        betas = check_pair("betas", group["betas"], name)
        check_number("weight_decay", group["weight_decay"], name)
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")

    def _update(self, param: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        theta = param.array
        if not state:
            state["step"] = 0
            state["exp_avg"] = _wrap(np.zeros_like(theta))
            state["exp_avg_sq"] = _wrap(np.zeros_like(theta))
        if group["amsgrad"] and "max_exp_avg_sq" not in state:
            state["max_exp_avg_sq"] = _wrap(np.zeros_like(theta))
        state["step"] += 1
        step = state["step"]

        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            if self._decoupled_weight_decay:
                np.multiply(theta, 1 - lr * weight_decay, out=theta, casting="same_kind")
            else:
                grad = grad + weight_decay * theta

        # one scratch array holds each intermediate in turn, so a step allocates once
        m, v = state["exp_avg"].array, state["exp_avg_sq"].array
        scratch = np.multiply(grad, 1 - beta1, out=np.empty_like(theta), casting="same_kind")
        np.multiply(m, beta1, out=m)
        np.add(m, scratch, out=m)  # m ← β₁ m + (1 − β₁) g
        np.multiply(grad, grad, out=scratch, casting="same_kind")
        np.multiply(scratch, 1 - beta2, out=scratch)
        np.multiply(v, beta2, out=v)
        np.add(v, scratch, out=v)  # v ← β₂ v + (1 − β₂) g²
        if group["amsgrad"]:
            v = np.maximum(state["max_exp_avg_sq"].array, v, out=state["max_exp_avg_sq"].array)

        np.sqrt(v, out=scratch)
        np.divide(scratch, math.sqrt(1 - beta2**step), out=scratch)
        np.add(scratch, eps, out=scratch)  # the denominator √v̂ + ε
        np.divide(m, scratch, out=scratch)
        np.multiply(scratch, lr / (1 - beta1**step), out=scratch)  # lr m̂ / (√v̂ + ε)
        np.subtract(theta, scratch, out=theta)

class AdamW(Adam):
    r"""Adam with decoupled weight decay (Loshchilov & Hutter, 2019), PyTorch's rule.

    The decay shrinks the parameter directly, before the Adam step, instead of
    being added to the gradient: ``θ ← θ (1 − lr λ)``, then Adam with λ = 0.
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
