"""``Adagrad``: each coordinate's step divided by the root of its summed squared gradients."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.tensor import Tensor, _wrap


class Adagrad(Optimizer):
    r"""Adagrad (Duchi et al., 2011), PyTorch's update rule.

    For each parameter θ with gradient g, at step t (s starts at
    ``initial_accumulator_value``):

        g ← -g                          if maximize
        g ← g + λ θ                     if weight_decay λ ≠ 0
        lr_t = lr / (1 + (t − 1) · lr_decay)
        s ← s + g²
        θ ← θ − lr_t g / (√s + ε)

    As in PyTorch, the state (``step``, ``sum``) of every parameter exists
    from the start, so ``state_dict()`` lists it before the first step.
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p] = {
                    "step": 0,
                    "sum": _wrap(np.full_like(p.array, group["initial_accumulator_value"])),
                }

    def _check_options(self, group: dict) -> None:
        super()._check_options(group)
        for name in ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"):
            label = "epsilon" if name == "eps" else name
            if not group[name] >= 0.0:
                raise ValueError(f"Invalid {label} value: {group[name]}")

    def _update(self, param: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        theta = param.array
        if not state:  # a parameter added later with add_param_group
            state["step"] = 0
            state["sum"] = _wrap(np.full_like(theta, group["initial_accumulator_value"]))
        state["step"] += 1
        if group["maximize"]:
            grad = -grad
        if group["weight_decay"] != 0:
            grad = grad + group["weight_decay"] * theta
        lr = group["lr"] / (1 + (state["step"] - 1) * group["lr_decay"])
        total = state["sum"].array
        np.add(total, grad * grad, out=total, casting="same_kind")  # s ← s + g²
        np.subtract(theta, (lr * grad) / (np.sqrt(total) + group["eps"]), out=theta,
                    casting="same_kind")
