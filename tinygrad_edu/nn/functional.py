"""``tinygrad_edu.nn.functional`` (import it as ``F``): layers and losses as plain functions.

Everything here is a composition of engine ops, so its gradient comes from
theirs; the exceptions are ``softmax`` / ``log_softmax`` (fused in
``ops/reduce.py``: stable and faster), ``binary_cross_entropy`` (fused in
``nn/fused.py``: PyTorch's clamped logs and gradient) and ``linear`` (fused in
``nn/fused.py``: measured faster).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_linear, check_loss_arguments, check_number, check_tensor
from tinygrad_edu.autograd.grad_mode import is_grad_enabled
from tinygrad_edu.autograd.recording import recorded_as_one
from tinygrad_edu.functions import where
from tinygrad_edu.nn.fused import BinaryCrossEntropy, CrossEntropy, LinearFunction
from tinygrad_edu.ops import torch_name
from tinygrad_edu.ops.elementwise import LeakyRelu
from tinygrad_edu.ops.random import bernoulli_
from tinygrad_edu.tensor import Tensor, _broadcastable, _wrap

# ----- layers ----------------------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:  # noqa: A002
    """y = x Wᵀ + b, with W of shape (out_features, in_features).

    One fused node (``nn/fused.py``), for measured speed: a training step of a
    784-256-256-10 MLP is ~15 % faster, of a 2-16-16-2 one ~35 %, than with
    ``input @ weight.T + bias``, which is used for a bias of another dtype or shape.
    """
    check_linear(input, weight, bias)
    dtype = weight.array.dtype
    if input.array.dtype == dtype and (bias is None or (bias.array.dtype == dtype
                                                         and bias.array.ndim == 1)):
        return LinearFunction.apply(input, weight, bias)
    out = input @ weight.T
    return out if bias is None else out + bias


def _in_place(input: Tensor, result: Tensor, inplace: bool) -> Tensor:  # noqa: A002
    """``inplace=True``: write the result into ``input`` (PyTorch's in-place variants)."""
    return input.copy_(result) if inplace else result


def relu(input: Tensor, inplace: bool = False) -> Tensor:  # noqa: A002
    """max(x, 0); derivative 1 for x > 0, else 0 (engine op)."""
    return _in_place(input, check_tensor("input", input, "relu").relu(), inplace)


def leaky_relu(input: Tensor, negative_slope: float = 0.01,  # noqa: A002
               inplace: bool = False) -> Tensor:
    """x for x > 0, negative_slope·x otherwise; derivative 1 or the slope (engine op)."""
    check_tensor("input", input, "leaky_relu")
    check_number("negative_slope", negative_slope, "leaky_relu")
    return _in_place(input, LeakyRelu.apply(input, negative_slope), inplace)


def sigmoid(input: Tensor) -> Tensor:  # noqa: A002
    """1 / (1 + e^-x); derivative σ(x)(1 - σ(x)) (engine op)."""
    return check_tensor("input", input, "sigmoid").sigmoid()


def tanh(input: Tensor) -> Tensor:  # noqa: A002
    """tanh(x); derivative 1 - tanh²(x) (engine op)."""
    return check_tensor("input", input, "tanh").tanh()


def _softmax_dim(ndim: int, name: str) -> int:
    """PyTorch's (deprecated) implicit dim: 0 for 0-, 1- and 3-d inputs, else 1."""
    dim = 0 if ndim in (0, 1, 3) else 1
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        f"dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return dim


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
            dtype: Any = None) -> Tensor:
    """e^{x_i} / Σ_j e^{x_j} along ``dim`` (fused engine op: stable, fast)."""
    check_tensor("input", input, "softmax")
    if dtype is not None:
        input = input.to(dtype=dtype)
    if dim is None:
        dim = _softmax_dim(input.ndim, "softmax")
    return input.softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3,  # noqa: A002
                dtype: Any = None) -> Tensor:
    """x_i - log Σ_j e^{x_j} along ``dim`` (fused engine op: finite for logits of ±1000)."""
    check_tensor("input", input, "log_softmax")
    if dtype is not None:
        input = input.to(dtype=dtype)
    if dim is None:
        dim = _softmax_dim(input.ndim, "log_softmax")
    return input.log_softmax(dim)


@recorded_as_one  # tg.compile replays it as one step (recording.py)
def dropout(input: Tensor, p: float = 0.5, training: bool = True,  # noqa: A002
            inplace: bool = False) -> Tensor:
    """Inverted dropout: zero each element with probability p, scale the rest by 1/(1 - p).

    Identity when not training. The mask is PyTorch's: a tensor like ``input``
    filled by ``bernoulli_(1 - p)`` (one float64 uniform per element, from the
    global generator), divided by 1 - p in the input's dtype. Composed: one
    multiplication by the mask.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0 or input.array.size == 0:
        return input
    if p == 1.0:
        scale = np.zeros(input.shape, dtype=input.array.dtype)
    else:
        noise = _wrap(np.empty_like(input.array))
        bernoulli_(noise, 1 - p)
        dtype = input.array.dtype.type
        scale = noise.array / dtype(1 - p)
    return _in_place(input, input * _wrap(scale), inplace)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each class index."""
    if tensor.array.dtype != np.int64:
        raise RuntimeError(
            f"one_hot is only applicable to index tensor of type LongTensor (int64), got "
            f"{tensor.dtype}"
        )
    labels = tensor.array
    if num_classes == -1:
        if labels.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(labels.max()) + 1
    if labels.size and labels.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if labels.size and labels.max() >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes ({num_classes}); "
            f"got {int(labels.max())}."
        )
    return _wrap((labels[..., None] == np.arange(num_classes)).astype(np.int64))


# ----- losses ------------------------------------------------------------------------------


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    """The old ``size_average``/``reduce`` flags, mapped to ``reduction`` as PyTorch does."""
    if size_average is None and reduce is None:
        return reduction
    warnings.warn(
        "size_average and reduce args will be deprecated, please use reduction instead.",
        UserWarning,
        stacklevel=3,
    )
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _check_reduction(reduction: str) -> None:
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_if_shapes_differ(input: Tensor, target: Tensor, name: str) -> None:  # noqa: A002
    check_loss_arguments(input, target, name)
    if target.shape != input.shape:
        if not _broadcastable(input.array.shape, target.array.shape):
            raise RuntimeError(f"{name}: the target's shape {tuple(target.shape)} does not "
                               f"match the input's shape {tuple(input.shape)}")
        warnings.warn(
            f"{name}: Using a target size {tuple(target.shape)} that is different to the "
            f"input size {tuple(input.shape)}. This will likely lead to incorrect results "
            f"due to broadcasting. Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


def mse_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
             reduce: Any = None, reduction: str = "mean") -> Tensor:
    """(x - y)² per element, then reduced (no ½). d/dx = 2 (x - y) / n for 'mean'."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_if_shapes_differ(input, target, "mse_loss")
    diff = input - target
    return torch_name(_reduce(diff * diff, reduction), "MseLossBackward0")


def l1_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
            reduce: Any = None, reduction: str = "mean") -> Tensor:
    """|x - y| per element, then reduced. d/dx = sign(x - y) (0 where x = y)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_if_shapes_differ(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Any = None,  # noqa: A002
                   reduce: Any = None, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """½ d² / β where |d| < β, else |d| - ½ β, for d = x - y (β = 0: the L1 loss).

    Composed with where: d/dx = d / β inside, sign(d) outside (they meet at |d| = β).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_if_shapes_differ(input, target, "smooth_l1_loss")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    diff = input - target
    size = diff.abs()
    loss = where(size < beta, diff * diff * (0.5 / beta), size - 0.5 * beta)
    return _reduce(loss, reduction)


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean",  # noqa: A002
               delta: float = 1.0, weight: Tensor | None = None) -> Tensor:
    """½ d² where |d| < δ, else δ (|d| - ½ δ), for d = x - y; times ``weight`` if given.

    The smooth L1 loss scaled by δ. Composed: d/dx = d inside, δ sign(d) outside.
    """
    _check_reduction(reduction)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_if_shapes_differ(input, target, "huber_loss")
    diff = input - target
    size = diff.abs()
    loss = where(size < delta, diff * diff * 0.5, (size - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _check_same_size(input: Tensor, target: Tensor, name: str) -> None:  # noqa: A002
    check_loss_arguments(input, target, name)
    if target.array.dtype.kind != "f":
        raise RuntimeError(f"{name}: expected a float target (probabilities of class 1), but got "
                           f"{target.dtype}; convert it with target.float()")
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size {tuple(target.shape)} that is different to the input size "
            f"{tuple(input.shape)} is deprecated. Please ensure they have the same size."
        )


@recorded_as_one  # tg.compile replays it as one step (recording.py)
def binary_cross_entropy(input: Tensor, target: Tensor,  # noqa: A002
                         weight: Tensor | None = None, size_average: Any = None,
                         reduce: Any = None, reduction: str = "mean") -> Tensor:
    """-w (y log x + (1 - y) log(1 - x)) for probabilities x, each log clamped at -100.

    Fused (``nn/fused.py``) for stability; the gradient is PyTorch's
    w (x - y) / max(x (1 - x), 1e-12).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_same_size(input, target, "binary_cross_entropy")
    x = input.array
    if x.size and ((x < 0) | (x > 1)).any():
        raise RuntimeError(
            f"binary_cross_entropy: all elements of input should be between 0 and 1 (got values "
            f"in [{x.min()}, {x.max()}]); apply sigmoid first, or use "
            f"binary_cross_entropy_with_logits on the raw scores"
        )
    weight_array = None
    if weight is not None:
        weight_array = np.broadcast_to(weight.array, input.shape).astype(x.dtype)
    target = target.to(input.array.dtype)
    loss = _reduce(BinaryCrossEntropy.apply(input, target, weight_array), reduction)
    return torch_name(loss, "BinaryCrossEntropyBackward0")


def _softplus(z: Tensor) -> Tensor:
    """log(1 + e^z) = max(z, 0) + log(1 + e^-|z|): never overflows.

    ``maximum`` splits its derivative ½/½ at a tie, so at z = 0 the derivative
    is ½ + 0 = σ(0), as it should be (relu's 0 there would give 0).
    """
    zero = _wrap(np.zeros((), dtype=z.array.dtype))
    return z.maximum(zero) + (-z.abs()).exp().log1p()


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,  # noqa: A002
                                     weight: Tensor | None = None, size_average: Any = None,
                                     reduce: Any = None, reduction: str = "mean",
                                     pos_weight: Tensor | None = None) -> Tensor:
    """BCE of sigmoid(x), computed stably from the logits x (composed).

    Without pos_weight: softplus(x) - x y = max(x, 0) - x y + log(1 + e^-|x|);
    with it (p): (1 - y) x + (1 + (p - 1) y) softplus(-x). d/dx = σ(x) - y (p = 1).
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _check_same_size(input, target, "binary_cross_entropy_with_logits")
    target = target.to(input.array.dtype)
    if pos_weight is None:
        loss = _softplus(input) - input * target
    else:
        log_weight = (pos_weight - 1) * target + 1
        loss = (1 - target) * input + log_weight * _softplus(-input)
    if weight is not None:
        loss = loss * weight
    return torch_name(_reduce(loss, reduction), "BinaryCrossEntropyWithLogitsBackward0")


def _class_dim(input: Tensor) -> int:  # noqa: A002
    if input.ndim == 0:
        raise RuntimeError("cross_entropy / nll_loss: expected an input with a class dimension, "
                           "got a 0-d tensor")
    return 1 if input.ndim >= 2 else 0


def _target_weights(input: Tensor, target: Tensor, weight: Tensor | None,  # noqa: A002
                    ignore_index: int, name: str) -> tuple:
    """For class-index targets: ``(picked, keep, class_weights, class_dim)``, constant arrays.
    The caller has checked that input and target are Tensors (check_loss_arguments).

    ``picked`` has input's shape and holds w[t] at each target class (0 elsewhere
    and on ignored entries); ``keep`` marks the entries that are not ignored (None
    when none is);
    ``class_weights`` is w shaped to broadcast along the class dim.
    """
    class_dim = _class_dim(input)
    shape = input.array.shape  # (numpy's tuple: Tensor.shape makes a Size at every read)
    n_classes = shape[class_dim]
    labels = target.array
    if labels.dtype not in (np.int64, np.uint8):
        raise RuntimeError(
            f"{name}: expected target dtype to be Long (int64) class indices, or a float tensor "
            f"of input's shape {tuple(input.shape)} holding class probabilities, but got "
            f"{target.dtype} of shape {tuple(target.shape)}"
        )
    expected = shape[:class_dim] + shape[class_dim + 1:]
    if labels.shape != expected and (input.ndim > 2 or labels.ndim > 1):
        raise RuntimeError(  # PyTorch's type here; a batch size that differs is a ValueError
            f"{name}: expected a target of shape {expected} (one class index per example) for "
            f"input of shape {tuple(input.shape)}, got {tuple(labels.shape)}"
        )
    if labels.shape != expected:
        raise ValueError(
            f"{name}: expected target of shape {expected} for input of shape "
            f"{tuple(input.shape)}, got {tuple(labels.shape)}"
        )
    # The usual case: every label is a class and ignore_index is none (PyTorch's default is
    # -100), so nothing is ignored and no mask is made (keep = None).
    keep = None
    if not _every_label_a_class(labels, n_classes) or 0 <= ignore_index < n_classes:
        keep = labels != ignore_index
        wrong = keep & ((labels < 0) | (labels >= n_classes))
        if wrong.any():
            raise IndexError(
                f"Target {int(labels[wrong].flat[0])} is out of bounds: class indices must "
                f"be in [0, {n_classes - 1}] (or equal ignore_index={ignore_index})"
            )
    class_shape = [1] * input.ndim
    class_shape[class_dim] = n_classes
    dtype = input.array.dtype
    class_weights = None  # None: every class weighs 1
    if weight is not None:
        if tuple(weight.shape) != (n_classes,):
            raise RuntimeError(
                f"{name}: weight tensor should be defined either for all {n_classes} classes "
                f"or no classes but got weight tensor of shape: {tuple(weight.shape)}"
            )
        if weight.requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{name}: the loss is not differentiable with respect to argument 'weight' "
                f"(the class weights are constants); pass weight.detach()"
            )
        class_weights = weight.array.astype(dtype).reshape(class_shape)
    safe_labels = labels if keep is None else np.where(keep, labels, 0)
    with_class_dim = labels.shape[:class_dim] + (1,) + labels.shape[class_dim:]  # expand_dims
    is_target = safe_labels.reshape(with_class_dim) == np.arange(n_classes).reshape(class_shape)
    if keep is not None:
        keep = keep.reshape(with_class_dim)
    picked = is_target if keep is None else is_target & keep
    picked = picked.astype(dtype) if class_weights is None else picked * class_weights
    return picked, keep, class_weights, class_dim


def _weighted_sum(log_probs: Tensor, scale: np.ndarray, class_dim: int,
                  reduction: str) -> Tensor:
    """-Σ log_probs · scale over the classes (and over everything unless reduction='none')."""
    weighted = log_probs * _wrap(-scale.astype(log_probs.array.dtype, copy=False))
    if reduction == "none":
        return weighted.sum(class_dim)
    return weighted.sum()


@recorded_as_one  # tg.compile replays it as one step (recording.py)
def nll_loss(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
             size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
             reduction: str = "mean") -> Tensor:
    """-w[t] · input[t] for each example's target class t (input holds log-probabilities).

    'mean' divides by Σ w[t] over the examples not ignored, as PyTorch does.
    Composed: a multiplication by a constant mask and a sum; d/dinput = -w[t] at t.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    check_loss_arguments(input, target, "nll_loss")
    picked, _, _, class_dim = _target_weights(input, target, weight, ignore_index, "nll_loss")
    total = np.add.reduce(picked, axis=None)  # (what .sum() calls, through a Python function)
    if reduction == "mean":
        with np.errstate(invalid="ignore"):  # all targets ignored: 0/0 = nan, as PyTorch
            picked = picked / total
    loss = _weighted_sum(input, picked, class_dim, reduction)
    return _nan_if_nothing_counted(torch_name(loss, "NllLossBackward0"), reduction, total)


@recorded_as_one  # tg.compile replays it as one step (recording.py)
def cross_entropy(input: Tensor, target: Tensor, weight: Tensor | None = None,  # noqa: A002
                  size_average: Any = None, ignore_index: int = -100, reduce: Any = None,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross-entropy of logits: -Σ_c q_c log softmax(x)_c.

    ``target`` holds class indices (int64, q = one-hot, with ``ignore_index``)
    or class probabilities (float, input's shape). ``label_smoothing`` ε mixes
    q with the uniform distribution: (1 - ε) q + ε / C. ``weight`` scales each
    class. d/dx = softmax(x) - q for one unweighted example: class indices go
    through one fused node (``nn.fused.CrossEntropy``); probability targets,
    which may need a gradient themselves, are composed from the stable log_softmax.
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    check_loss_arguments(input, target, "cross_entropy")
    if not 0.0 <= check_number("label_smoothing", label_smoothing, "cross_entropy") <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = _class_dim(input)
    n_classes = input.array.shape[class_dim]
    if target.array.dtype.kind == "f" and target.array.shape == input.array.shape:
        return _probability_cross_entropy(input.log_softmax(class_dim), target, weight,
                                          ignore_index, reduction, label_smoothing, class_dim)
    if input.array.dtype.kind != "f":
        raise NotImplementedError(f"cross_entropy(): not implemented for {input.dtype}; "
                                  f"expected float logits")
    if weight is None and reduction == "mean" and label_smoothing == 0:
        scale = _plain_mean_scale(input.array, target.array, ignore_index)
        if scale is not None:
            return CrossEntropy.apply(input, scale, 1, False)
    picked, keep, class_weights, _ = _target_weights(input, target, weight, ignore_index,
                                                     "cross_entropy")
    total = np.add.reduce(picked, axis=None)  # (what .sum() calls, through a Python function)
    scale = picked
    if label_smoothing > 0:  # PyTorch's: (1 - ε)·nll + (ε / C)·(-Σ_c w_c log p_c), same total
        if keep is None:  # nothing ignored: every entry weighs w_c (1 without class weights)
            weights = 1.0 if class_weights is None else class_weights
        else:
            weights = keep.astype(picked.dtype) if class_weights is None else keep * class_weights
        scale = (1.0 - label_smoothing) * picked + (label_smoothing / n_classes) * weights
    if reduction == "mean":  # all targets ignored: 0/0 = nan, as PyTorch (without a warning)
        scale = scale / total if total else scale * np.nan
    scale = scale.astype(input.array.dtype, copy=False)
    loss = CrossEntropy.apply(input, scale, class_dim, reduction == "none")
    return _nan_if_nothing_counted(loss, reduction, total)


def _every_label_a_class(labels: np.ndarray, n_classes: int) -> bool:
    """Every label is in [0, n_classes) (ufunc.reduce rather than .min()/.max(): numpy's
    wrappers cost ~1 µs each, in every training step)."""
    return labels.size == 0 or (np.minimum.reduce(labels, axis=None) >= 0
                                and np.maximum.reduce(labels, axis=None) < n_classes)


def _plain_mean_scale(logits: np.ndarray, labels: np.ndarray,
                      ignore_index: int) -> np.ndarray | None:
    """The scale of the usual ``F.cross_entropy(logits, labels)``: (N, C) logits, N int64
    labels, each a class, none ignored, 'mean' — one-hot / N, the same numbers as
    ``_target_weights``'s ``picked / picked.sum()`` (ones and zeros, divided by exactly N),
    as one comparison and one division, without the general path's masks and weights
    (27 → 20 µs for makemore's (32, 27) step). None for anything else: the general path
    decides."""
    if logits.ndim != 2 or labels.dtype != np.int64 or labels.shape != logits.shape[:1]:
        return None
    n, c = logits.shape
    if n == 0 or 0 <= ignore_index < c or not _every_label_a_class(labels, c):
        return None
    one_hot = labels.reshape(n, 1) == np.arange(c).reshape(1, c)
    return np.true_divide(one_hot, np.asarray(n, logits.dtype))


def _nan_if_nothing_counted(loss: Tensor, reduction: str, total: Any) -> Tensor:
    """A 'mean' over no examples (an empty batch, or all ignored) is 0/0 = nan, as PyTorch's."""
    return loss * float("nan") if reduction == "mean" and total == 0 else loss


def _probability_cross_entropy(log_probs: Tensor, target: Tensor, weight: Tensor | None,
                               ignore_index: int, reduction: str, label_smoothing: float,
                               class_dim: int) -> Tensor:
    """-Σ_c w_c q_c log p_c per example; 'mean' divides by the number of examples."""
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    n_classes = log_probs.shape[class_dim]
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    weighted = log_probs * target
    if weight is not None:
        class_shape = [1] * log_probs.ndim
        class_shape[class_dim] = n_classes
        weighted = weighted * weight.reshape(class_shape)
    if reduction == "none":
        return -weighted.sum(class_dim)
    if reduction == "sum":
        return -weighted.sum()
    return -weighted.sum() / (log_probs.numel() // n_classes)


# layers whose functional form lives beside the module (one file, one layer)
from tinygrad_edu.nn.embedding import embedding  # noqa: E402
from tinygrad_edu.nn.normalization import batch_norm, layer_norm  # noqa: E402

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "dropout", "embedding", "huber_loss", "l1_loss", "layer_norm", "leaky_relu", "linear",
    "log_softmax", "mse_loss", "nll_loss", "one_hot", "relu", "sigmoid", "smooth_l1_loss",
    "softmax", "tanh",
]
