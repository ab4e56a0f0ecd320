"""The few ``nn`` ops written as one ``Function`` instead of a composition, and why.

``BinaryCrossEntropy``: for numerical stability. PyTorch clamps each log at
-100 and divides the gradient by max(x (1 - x), 1e-12); a composition of
log and clamp gives 0 · ∞ = NaN at x = 0 or x = 1 instead.

``LinearFunction``: for measured speed. ``x @ W.T + b`` makes three nodes, and
the weight's gradient arrives as a transposed view that the engine must copy;
one node computing gᵀ x directly makes a training step ~15-35 % faster.

``CrossEntropy``: for measured speed. log_softmax, the product with the
target weights and the sum were 3 nodes forward and 8 Function calls backward;
one node whose backward is g (softmax - target weights) takes the makemore-style
step of ``benchmarks/`` (case 9) from 77 to 70 Function calls (tg/numpy 5.05× →
4.63×, medians of 3 runs on a loaded 2-core machine).

``BatchNorm``: for measured speed. Its composition (mean, variance, rsqrt,
scale and shift) cost 31 Function calls a training step, forward and backward;
one node with the closed-form backward takes case 9's step from 70 to 40 calls
(tg/numpy 4.63× → 3.46×; tg/torch 1.92× → 1.35×, same runs).

Their backward is written with Tensor operations, as every op's: constants
saved by the forward when ``create_graph`` is off, and recomputed from the
input as a graph when it is on, so second derivatives stay right.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import backward_on_arrays, is_grad_enabled
from tinygrad_edu.ops import as_gradients
from tinygrad_edu.tensor import _wrap

LOG_FLOOR = -100.0  # PyTorch's clamp of log(x) and log(1 - x) in binary_cross_entropy
# PyTorch's floor for x (1 - x) in the gradient; it is a float32 constant there, even for
# float64 inputs, so it is one here too (float64 results then agree to the last digit).
GRAD_EPSILON = float(np.float32(1e-12))


class BinaryCrossEntropy(Function):
    """loss = -w (y log x + (1 - y) log(1 - x)) elementwise, each log clamped at -100.

    d/dx = w (x - y) / max(x (1 - x), 1e-12);   d/dy = w (log(1 - x) - log x),
    with the clamped logs (those are kept as constants: no second derivative
    through the target's gradient). ``weight`` is a constant array or None.
    """

    @staticmethod
    def forward(ctx, x, y, weight):
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x.array), LOG_FLOOR)
            log_1mx = np.maximum(np.log1p(-x.array), LOG_FLOOR)
        loss = -(y.array * log_x + (1 - y.array) * log_1mx)
        if weight is not None:
            loss = loss * weight
        ctx.weight = weight
        ctx.log_ratio = _wrap((log_1mx - log_x).astype(x.array.dtype, copy=False))
        ctx.save_for_backward(x, y)
        return loss.astype(x.array.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        if ctx.weight is not None:
            g = g * _wrap(ctx.weight.astype(g.array.dtype, copy=False))
        grad_x = grad_y = None
        if ctx.needs_input_grad[0]:
            grad_x = g * (x - y) / (x * (1 - x)).clamp(min=GRAD_EPSILON)
        if ctx.needs_input_grad[1]:
            grad_y = g * ctx.log_ratio
        return grad_x, grad_y, None


# PyTorch's node names for linear, by input dims (3 for 3 and more) and whether there is a bias.
_TORCH_NAMES = {(2, True): "AddmmBackward0", (2, False): "MmBackward0",
                (1, True): "ViewBackward0", (1, False): "SqueezeBackward4",
                (3, True): "ViewBackward0", (3, False): "UnsafeViewBackward0"}


class LinearFunction(Function):
    """y = x Wᵀ + b in one node.

    d/dx: g ↦ g W;   d/dW: g ↦ gᵀ x (batch dims flattened);   d/db: g ↦ Σ_batch g.
    """

    op_name = "linear"  # what graph drawings call it (the default would be "linearfunction")

    @staticmethod
    def forward(ctx, x, weight, bias):
        ctx._name = _TORCH_NAMES[(min(x.array.ndim, 3), bias is not None)]
        out = np.matmul(x.array, weight.array.T)
        if bias is not None:
            out += bias.array
        ctx.save_for_backward(x, weight)
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        if backward_on_arrays():  # no graph wanted: the same formulas on the arrays
            g, x, weight = g.array, x.array, weight.array
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            grad_x = g @ weight
        g_rows = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        if ctx.needs_input_grad[1]:
            x_rows = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            grad_w = g_rows.T @ x_rows
        if ctx.needs_input_grad[2]:
            grad_b = g_rows.sum(0)
        return as_gradients(grad_x, grad_w, grad_b)


class CrossEntropy(Function):
    """loss = -Σ_c scale_c log softmax(x)_c along ``class_dim``, then summed over the
    examples too unless ``per_example`` (reduction='none').

    ``scale`` is a constant array of x's shape: each example's target weights
    (w[t] at the target class t, label smoothing's ε w_c / C, 'mean''s division).
    With s = Σ_c scale_c per example (1 for one plain example):

        d/dx = g (softmax(x) s - scale)       (softmax - onehot for one example)

    The log-softmax is taken after subtracting the max: extreme logits are fine.
    """

    _name = "NllLossBackward0"  # PyTorch's node name for cross_entropy with class indices

    op_name = "cross_entropy"

    @staticmethod
    def forward(ctx, x, scale, class_dim, per_example):
        # ufunc.reduce rather than .max()/.sum(): the same reductions without numpy's
        # Python wrapper around them (~1 µs each, and this runs in every training step)
        shifted = x.array - np.maximum.reduce(x.array, axis=class_dim, keepdims=True)
        exp = np.exp(shifted)
        total = np.add.reduce(exp, axis=class_dim, keepdims=True)
        weighted = (shifted - np.log(total)) * -scale
        ctx.probs, ctx.scale = exp / total, scale
        ctx.class_dim, ctx.per_example = class_dim, per_example
        ctx.save_for_backward(x)
        return np.add.reduce(weighted, axis=class_dim if per_example else None)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        row_total = ctx.scale.sum(axis=ctx.class_dim, keepdims=True)
        if is_grad_enabled():  # create_graph=True: softmax(x) as a graph, for 2nd derivatives
            slope = x.softmax(ctx.class_dim) * _wrap(row_total) - _wrap(ctx.scale)
        else:
            slope = _wrap(ctx.probs * row_total - ctx.scale)
        if ctx.per_example:
            g = g.unsqueeze(ctx.class_dim)
        return g * slope, None, None, None


class BatchNorm(Function):
    """y = γ x̂ + β with x̂ = (x − μ) / √(σ² + eps), per channel (dim 1).

    μ and σ² are constants given by the caller (arrays of shape (1, C, 1, ...)):
    the batch's mean and biased variance in training (``batch_stats=True``),
    the running ones in eval mode. ``weight`` γ and ``bias`` β may be None.
    With G = γ g and ⟨·⟩ the mean over the n values of a channel (dims 0, 2, ...):

        d/dx = (G − ⟨G⟩ − x̂ ⟨G x̂⟩) / √(σ² + eps)    (batch statistics: μ, σ² depend on x)
        d/dx = G / √(σ² + eps)                       (running statistics: constants)
        d/dγ = Σ g x̂,    d/dβ = Σ g                 (sums over dims 0, 2, ...)
    """

    _name = "NativeBatchNormBackward0"  # PyTorch's node name for batch_norm

    op_name = "batch_norm"

    @staticmethod
    def forward(ctx, x, weight, bias, mean, var, eps, batch_stats, centred=None):
        # centred: x − mean when the caller has it (batch statistics: it made the variance
        # from it), so it is not computed twice (2.3 µs for makemore's (32, 200))
        dims = (0, *range(2, x.ndim))
        inv_std = 1.0 / np.sqrt(var + eps)
        normed = (x.array - mean if centred is None else centred) * inv_std
        out = normed
        if weight is not None:
            out = out * weight.array.reshape(mean.shape)
        if bias is not None:
            out = out + bias.array.reshape(mean.shape)
        ctx.normed, ctx.inv_std, ctx.mean, ctx.eps = normed, inv_std, mean, eps
        ctx.dims, ctx.batch_stats = dims, batch_stats
        ctx.bias_shape = None if bias is None else bias.array.shape
        ctx.save_for_backward(x, weight)
        return out.astype(x.array.dtype, copy=False)

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        dims = ctx.dims
        if is_grad_enabled():  # create_graph=True: x̂ (and 1/σ) as graphs of x, for 2nd derivatives
            inv_std = _wrap(ctx.inv_std)
            if ctx.batch_stats:
                centred = x - x.mean(dims, keepdim=True)
                inv_std = ((centred * centred).mean(dims, keepdim=True) + ctx.eps).rsqrt()
            else:
                centred = x - _wrap(ctx.mean)
            normed = centred * inv_std
        elif backward_on_arrays():  # no graph wanted: the formulas below run on the arrays
            g, normed, inv_std = g.array, ctx.normed, ctx.inv_std
            weight = None if weight is None else weight.array
        else:  # tg.compile records the step: the same formulas as ops, on the saved values
            normed, inv_std = _wrap(ctx.normed), _wrap(ctx.inv_std)
        grad_x = grad_w = grad_b = None
        if ctx.needs_input_grad[0]:
            big_g = g if weight is None else g * weight.reshape(ctx.mean.shape)
            if ctx.batch_stats:
                big_g = (big_g - big_g.mean(dims, keepdims=True)
                         - normed * (big_g * normed).mean(dims, keepdims=True))
            grad_x = big_g * inv_std
        if ctx.needs_input_grad[1]:
            grad_w = (g * normed).sum(dims).reshape(weight.shape)
        if ctx.needs_input_grad[2]:
            grad_b = g.sum(dims).reshape(ctx.bias_shape)
        return as_gradients(grad_x, grad_w, grad_b) + (None, None, None, None, None)
