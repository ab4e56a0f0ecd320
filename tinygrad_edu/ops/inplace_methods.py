"""The in-place forms of elementwise ops (``x.exp_()``, ``h.relu_()`` ...).

Each is ``inplace.assign`` with the out-of-place op: outside the graph the
array is overwritten; on a non-leaf inside the graph the op is recorded and
the tensor takes the new value and node; on a leaf that requires grad it is
refused (see ``ops/inplace.py``).
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.ops import inplace
from tinygrad_edu.tensor import Tensor


def exp_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.exp(), "exp_")


def log_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.log(), "log_")


def sqrt_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.sqrt(), "sqrt_")


def abs_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.abs(), "abs_")


def neg_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: -old, "neg_")


def pow_(self: Tensor, exponent: Any) -> Tensor:
    return inplace.assign(self, lambda old: old**exponent, "pow_", exponent)


def sigmoid_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.sigmoid(), "sigmoid_")


def tanh_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.tanh(), "tanh_")


def relu_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.relu(), "relu_")


def floor_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.floor(), "floor_")


def ceil_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.ceil(), "ceil_")


def round_(self: Tensor, *, decimals: int = 0) -> Tensor:
    return inplace.assign(self, lambda old: old.round(decimals=decimals), "round_")


def trunc_(self: Tensor) -> Tensor:
    return inplace.assign(self, lambda old: old.trunc(), "trunc_")


def clamp_min_(self: Tensor, min: Any) -> Tensor:  # noqa: A002
    return inplace.assign(self, lambda old: old.clamp(min=min), "clamp_min_", min)


def clamp_max_(self: Tensor, max: Any) -> Tensor:  # noqa: A002
    return inplace.assign(self, lambda old: old.clamp(max=max), "clamp_max_", max)


def detach_(self: Tensor) -> Tensor:
    """Cut this tensor out of the graph in place: no grad_fn, no requires_grad."""
    self.grad_fn = None
    self.requires_grad = False
    return self


# The in-place Tensor methods.
Tensor.exp_ = exp_
Tensor.log_ = log_
Tensor.sqrt_ = sqrt_
Tensor.abs_ = abs_
Tensor.neg_ = neg_
Tensor.pow_ = pow_
Tensor.sigmoid_ = sigmoid_
Tensor.tanh_ = tanh_
Tensor.relu_ = relu_
Tensor.floor_ = floor_
Tensor.ceil_ = ceil_
Tensor.round_ = round_
Tensor.trunc_ = trunc_
Tensor.clamp_min_ = clamp_min_
Tensor.clamp_max_ = clamp_max_
Tensor.detach_ = detach_
