"""``SGD``: gradient descent, optionally with momentum, weight decay and Nesterov."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinygrad_edu.argcheck import check_number
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.tensor import Tensor, _wrap


class SGD(Optimizer):
    r"""Stochastic gradient descent, PyTorch's update rule.

    For each parameter θ with gradient g, at step t:

        g ← -g                          if maximize
        g ← g + λ θ                     if weight_decay λ ≠ 0
        b ← g                           at the first step (t = 1)
        b ← μ b + (1 − τ) g             later steps (momentum μ ≠ 0, dampening τ)
        g ← g + μ b   if nesterov,  else  g ← b
        θ ← θ − lr g

    Without momentum this is the seeds' rule ``w ← w − α ∂E/∂w``.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _check_options(self, group: dict) -> None:
        super()._check_options(group)
        for option in ("momentum", "dampening", "weight_decay"):
            check_number(option, group[option], type(self).__name__)
        if not group["momentum"] >= 0.0:
            raise ValueError(f"Invalid momentum value: {group['momentum']}")
        if not group["weight_decay"] >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {group['weight_decay']}")
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")

    def _update(self, param: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if group["maximize"]:
            grad = -grad
        if weight_decay != 0:
            grad = grad + weight_decay * param.array
        if momentum != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = _wrap(np.array(grad, dtype=param.array.dtype))
            else:
                np.multiply(buffer.array, momentum, out=buffer.array)
                dampening = group["dampening"]
                damped = grad if dampening == 0 else (1 - dampening) * grad
                np.add(buffer.array, damped, out=buffer.array, casting="same_kind")
            grad = grad + momentum * buffer.array if group["nesterov"] else buffer.array
        np.subtract(param.array, lr * grad, out=param.array, casting="same_kind")
