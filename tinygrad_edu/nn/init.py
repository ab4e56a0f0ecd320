"""``tinygrad_edu.nn.init``: fill a tensor in place with PyTorch's initialisation schemes.

Each function writes into the tensor under ``no_grad`` (so it works on
parameters), bumps its version counter and returns it. The random ones call
the tensor's ``uniform_`` / ``normal_`` exactly as PyTorch's do, drawing from
the global generator (or the ``generator`` passed), so after the same
``manual_seed`` the weights are PyTorch's.

fan_in / fan_out of a weight of shape (out, in, *kernel) are in·k and out·k,
with k the product of the kernel sizes (1 for a Linear weight).
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from tinygrad_edu.autograd.grad_mode import no_grad
from tinygrad_edu.random import Generator
from tinygrad_edu.tensor import Tensor, _wrap

_LINEAR_GAIN_NAMES = (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid",
)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The factor that keeps activations' variance stable through ``nonlinearity``.

    linear / conv / sigmoid: 1;  tanh: 5/3;  relu: √2;
    leaky_relu: √(2 / (1 + slope²)) (slope = param, default 0.01);  selu: 3/4.
    """
    if nonlinearity in _LINEAR_GAIN_NAMES:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _write(tensor: Tensor, values: Any) -> Tensor:
    """Copy ``values`` into ``tensor`` (cast to its dtype) without recording a graph."""
    with no_grad():
        tensor.copy_(_wrap(np.broadcast_to(np.asarray(values, dtype=tensor.array.dtype),
                                           tensor.shape)))
    return tensor


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Generator | None = None) -> Tensor:
    """Fill with draws from U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Generator | None = None) -> Tensor:
    """Fill with draws from N(mean, std²)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Generator | None = None) -> Tensor:
    """Fill with N(mean, std²) draws that lie in [a, b], by rejection (PyTorch 2.13's recipe).

    If [a, b] holds more than 30 % of the mass: draw N(mean, std²) for the whole
    tensor, then, while some values fall outside, draw a whole fresh tensor and
    take its values where they did. Otherwise: uniform candidates in [a, b],
    accepted when ln u < -½((x - mean)/std)² - (its value at the mode), u uniform.
    """
    def normal_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    dtype = tensor.array.dtype
    with no_grad():
        if normal_cdf((b - mean) / std) - normal_cdf((a - mean) / std) > 0.3:
            low, high = float(dtype.type(a)), float(dtype.type(b))
            result = tensor.normal_(mean, std, generator=generator).array.copy()
            while True:
                outside = (result < low) | (result > high)
                if not outside.any():
                    break
                fresh = _wrap(np.empty_like(result)).normal_(mean, std, generator=generator)
                result = np.where(outside, fresh.array, result)
            return _write(tensor, result)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_ratio(x: np.ndarray) -> np.ndarray:
            return ((x - dtype.type(mean)) / dtype.type(std)) ** 2 * dtype.type(-0.5) \
                - dtype.type(log_peak)

        def rejected() -> np.ndarray:
            u = _wrap(np.empty(tensor.shape, dtype)).uniform_(generator=generator).array
            return np.log(u) > candidates_ratio

        result = tensor.uniform_(a, b, generator=generator).array.copy()
        candidates_ratio = log_ratio(result)
        pending = rejected()
        while pending.any():
            candidates = _wrap(np.empty(tensor.shape, dtype)).uniform_(a, b, generator=generator)
            result = np.where(pending, candidates.array, result)
            candidates_ratio = log_ratio(candidates.array)
            pending = np.where(pending, rejected(), pending)
        return _write(tensor, result)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _write(tensor, val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _write(tensor, 1)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _write(tensor, 0)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Generator | None = None) -> Tensor:
    """Glorot: U(-a, a) with a = gain · √(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Generator | None = None) -> Tensor:
    """Glorot: N(0, std²) with std = gain · √(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float | None:
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    return calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Generator | None = None) -> Tensor:
    """He: U(-bound, bound) with bound = gain · √(3 / fan); gain from ``nonlinearity`` and a.

    ``Linear``'s default is a = √5, which makes bound = 1 / √fan_in.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Generator | None = None) -> Tensor:
    """He: N(0, std²) with std = gain / √fan."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator)


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, as far as it goes)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _write(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-D convolution weight so that the convolution copies its input.

    Zeros, and a 1 at the kernel's centre linking output channel d of each group
    to input channel d, for as many channels as both sides have.
    """
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    out_per_group = tensor.shape[0] // groups
    centre = tuple(size // 2 for size in tensor.shape[2:])
    values = np.zeros(tensor.shape)
    for group in range(groups):
        for d in range(min(out_per_group, tensor.shape[1])):
            values[(group * out_per_group + d, d, *centre)] = 1
    return _write(tensor, values)


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Generator | None = None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix (Saxe et al. 2013), by PyTorch's recipe.

    Flatten to (rows, cols) = (size(0), the rest); draw a (rows, cols) matrix of
    standard normals; take the QR factorisation of it (of its transpose if
    rows < cols), so Q has orthonormal columns; multiply each column of Q by the
    sign of R's diagonal (which makes the result uniformly distributed over the
    orthogonal matrices); transpose back, and scale by ``gain``. The draws are
    PyTorch's; the QR is numpy's LAPACK instead of PyTorch's, so the values agree
    to rounding (float32: within a few 1e-7).
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    dtype = tensor.array.dtype
    if dtype == np.float16:  # checked before drawing: a failed call draws nothing
        raise NotImplementedError("\"geqrf_cpu\" not implemented for 'Half'")
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    with no_grad():
        draws = _wrap(np.empty((rows, cols), dtype)).normal_(0, 1, generator=generator).array
    flattened = draws.T if rows < cols else draws
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))  # a zero on R's diagonal zeroes its column, as in PyTorch
    if rows < cols:
        q = q.T
    return _write(tensor, (q.astype(dtype) * dtype.type(gain)).reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01,
            generator: Generator | None = None) -> Tensor:
    """Fill a 2-D tensor with N(0, std²) draws, then zero ⌈sparsity · rows⌉ of each column.

    The rows zeroed in each column are the first of a ``randperm(rows)``, drawn from
    the global generator even when ``generator`` is given — as PyTorch 2.13 does.
    """
    from tinygrad_edu.ops.random import randperm

    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    with no_grad():
        values = tensor.normal_(0, std, generator=generator).array.copy()
        for column in range(cols):
            zero_rows = randperm(rows).array[:num_zeros]
            values[zero_rows, column] = 0
    return _write(tensor, values)
