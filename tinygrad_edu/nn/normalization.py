"""``BatchNorm1d`` and ``LayerNorm``: standardise activations, then scale and shift them.

Both compute y = (x − mean) / √(var + eps) · γ + β with the biased variance.
Layer norm is composed from engine ops (so its gradient, through the mean and
the variance too, comes from theirs); batch norm is one fused node with the
closed-form gradient (``nn.fused.BatchNorm``, for speed). They differ in what
the statistics are taken over:

- batch norm: over the batch (dims 0, 2, ...), one mean per feature/channel;
  in training it also keeps running averages of them, used in eval mode.
- layer norm: over the last dims (``normalized_shape``), one mean per example;
  the same in training and eval.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_int, check_sequence
from tinygrad_edu.autograd.recording import recorded_as_one
from tinygrad_edu.creation import empty, ones, tensor, zeros
from tinygrad_edu.nn import init
from tinygrad_edu.nn.fused import BatchNorm
from tinygrad_edu.nn.module import Module
from tinygrad_edu.nn.parameter import Parameter
from tinygrad_edu.tensor import Tensor


def _standardise(input: Tensor, mean: Tensor, var: Tensor, eps: float) -> Tensor:  # noqa: A002
    return (input - mean) * (var + eps).rsqrt()


def _mean(array: np.ndarray, dims: tuple, count: int) -> np.ndarray:
    """``array.mean(dims, keepdims=True)``, the same sum and division without numpy's
    wrapper around them (measured: 3.6 → 2.0 µs for (32, 200), twice a training step)."""
    total = np.add.reduce(array, axis=dims, keepdims=True)
    return np.true_divide(total, count, out=total)


def _update_running(buffer: Tensor, new: np.ndarray, momentum: float) -> None:
    """buffer ← (1 − momentum) buffer + momentum · new, in place (not recorded)."""
    array = buffer.array
    np.multiply(array, 1 - momentum, out=array, casting="unsafe")
    np.add(array, momentum * new, out=array, casting="unsafe")
    buffer._version.value += 1


def _check_batch(input: Tensor, tensors: tuple, training: bool) -> None:  # noqa: A002
    """The checks of batch_norm, run before anything (a running buffer) changes."""
    shape = input.array.shape  # (numpy's tuple and sizes: Tensor.shape makes a Size)
    if len(shape) < 2:
        raise ValueError(f"batch_norm expects an input of shape (N, C, ...), got shape "
                         f"{tuple(input.shape)}")
    channels = shape[1]
    for name, given in zip(("running_mean", "running_var", "weight", "bias"), tensors):
        if given is not None and given.array.size != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {given.numel()}")
    if training and input.array.size // max(channels, 1) <= 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input "
                         f"size {input.shape}")


@recorded_as_one  # tg.compile replays it as one step (recording.py)
def batch_norm(input: Tensor, running_mean: Tensor | None,  # noqa: A002
               running_var: Tensor | None, weight: Tensor | None = None,
               bias: Tensor | None = None, training: bool = False, momentum: float = 0.1,
               eps: float = 1e-5) -> Tensor:
    """Batch normalisation of an (N, C, ...) input, per channel C.

    ``training=True``: normalise with this batch's mean and biased variance,
    and (if given) move the running buffers towards them:
    ``running ← (1 − momentum) running + momentum · batch``, with the
    *unbiased* variance n/(n − 1) · var for ``running_var``, as PyTorch.
    ``training=False``: normalise with the running buffers.
    """
    _check_batch(input, (running_mean, running_var, weight, bias), training)
    ndim, channels = input.array.ndim, input.array.shape[1]
    dims = (0, *range(2, ndim))
    shape = (1, channels) + (1,) * (ndim - 2)
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"batch_norm(): not implemented for {input.dtype}; "
                                  f"expected a float tensor")
    if training:
        count = input.array.size // channels
        mean = _mean(input.array, dims, count)
        centred = input.array - mean
        var = _mean(centred * centred, dims, count)  # biased
        if running_mean is not None:
            _update_running(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            unbiased = var.reshape(channels) * (count / (count - 1))
            _update_running(running_var, unbiased, momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var must be given when "
                               "training=False")
        mean, var = running_mean.array.reshape(shape), running_var.array.reshape(shape)
        centred = None
    return BatchNorm.apply(input, weight, bias, mean, var, eps, training, centred)


def layer_norm(input: Tensor, normalized_shape: Sequence[int],  # noqa: A002
               weight: Tensor | None = None, bias: Tensor | None = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the last ``len(normalized_shape)`` dims of each example (biased var)."""
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if k == 0 or tuple(input.shape[input.ndim - k:]) != normalized_shape or input.ndim < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{list(input.shape)}"
        )
    dims = tuple(range(input.ndim - k, input.ndim))
    mean = input.mean(dims, keepdim=True)
    var = input.var(dims, correction=0, keepdim=True)
    out = _standardise(input, mean, var, eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


class BatchNorm1d(Module):
    """Batch norm over a (N, C) or (N, C, L) input, with C = ``num_features``.

    ``affine``: learnable γ (``weight``, ones) and β (``bias``, zeros).
    ``track_running_stats``: buffers ``running_mean`` (zeros), ``running_var``
    (ones) and ``num_batches_tracked``, updated in training mode and used in
    eval mode; ``momentum=None`` makes them a cumulative average. Without
    running stats, eval mode normalises with the batch's statistics too.
    The state_dict keys are PyTorch's.
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True, device: Any = None,
                 dtype: Any = None, *, bias: bool = True) -> None:
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(empty(num_features, dtype=dtype))
            if bias:
                self.bias = Parameter(empty(num_features, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", tensor(0))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Running mean 0, running variance 1, no batches seen."""
        if self.track_running_stats:
            self.running_mean.zero_()
            self.running_var.fill_(1)
            self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """γ = 1, β = 0, and fresh running statistics."""
        self.reset_running_stats()
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def _check_input_dim(self, input: Tensor) -> None:  # noqa: A002
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")

    @recorded_as_one  # tg.compile replays it as one step (recording.py)
    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        self._check_input_dim(input)
        training, momentum, batches = self.training, self.momentum, self.num_batches_tracked
        running_mean, running_var = self.running_mean, self.running_var
        counting = training and self.track_running_stats and batches is not None
        factor = 0.0 if momentum is None else momentum
        if counting and momentum is None:  # a cumulative moving average, this batch included
            factor = 1.0 / float(batches.item() + 1)
        use_batch_stats = training or (running_mean is None and running_var is None)
        keep_running = not training or self.track_running_stats
        # batch_norm checks everything before it changes a buffer, so the count moves after
        # it: a failed call changes nothing
        out = batch_norm(input, running_mean if keep_running else None,
                         running_var if keep_running else None, self.weight, self.bias,
                         use_batch_stats, factor, self.eps)
        if counting:
            batches.array += 1
            batches._version.value += 1
        return out

    def extra_repr(self) -> str:
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class LayerNorm(Module):
    """Layer norm over the last dims, given by ``normalized_shape`` (an int or a shape).

    ``elementwise_affine``: learnable ``weight`` (ones) and ``bias`` (zeros,
    unless ``bias=False``) of shape ``normalized_shape``.
    """

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        shape = check_sequence("normalized_shape", normalized_shape, "LayerNorm")  # int: (n,)
        self.normalized_shape = tuple(check_int("normalized_shape", n, "LayerNorm") for n in shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ones(*self.normalized_shape, dtype=dtype))
            if bias:
                self.bias = Parameter(zeros(*self.normalized_shape, dtype=dtype))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """weight = 1, bias = 0."""
        if self.weight is not None:
            init.ones_(self.weight)
        if self.bias is not None:
            init.zeros_(self.bias)

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")
