"""Gradient clipping: shrink gradients in place before ``optimizer.step()``.

``clip_grad_norm_`` rescales all gradients together so that their joint norm
(the norm of every gradient element, as one long vector) is at most
``max_norm``; the direction of the step is kept. ``clip_grad_value_`` clamps
each gradient element to [-clip_value, clip_value]. Neither is recorded in the
graph (PyTorch runs them under ``no_grad`` too).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinygrad_edu.argcheck import as_float
from tinygrad_edu.tensor import Tensor, _wrap


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def _norm(array: np.ndarray, norm_type: float) -> np.floating:
    if norm_type == math.inf:
        return np.abs(array).max(initial=0)
    if norm_type == -math.inf:
        return np.abs(array).min(initial=math.inf)
    return np.linalg.norm(array.ravel(), ord=norm_type)


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float,
                    norm_type: float = 2.0, error_if_nonfinite: bool = False,
                    foreach: bool | None = None) -> Tensor:
    """Scale every gradient by ``max_norm / (total_norm + 1e-6)`` if that is below 1.

    ``total_norm`` is the ``norm_type``-norm of the per-gradient norms (for
    p = 2: √Σ g², over all elements of all gradients; ``inf``: the largest
    |g|). It is returned as a 0-d tensor (the norm before clipping). With
    ``error_if_nonfinite=True`` a NaN or infinite total norm raises, and no
    gradient is changed. ``foreach`` is accepted and ignored.
    """
    max_norm = as_float("max_norm", max_norm, "clip_grad_norm_")
    norm_type = float(norm_type)  # 'inf' is allowed, as in PyTorch
    grads = _grads(parameters)
    if not grads:
        return _wrap(np.array(0.0, dtype=np.float32))
    norms = np.array([_norm(g.array, norm_type) for g in grads])
    total = _norm(norms, norm_type).astype(np.result_type(*[g.array for g in grads]))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            f"non-finite, so it cannot be clipped. To disable this error and scale the "
            f"gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    scale = min(float(max_norm) / (float(total) + 1e-6), 1.0)
    if np.isnan(total):
        scale = math.nan  # as PyTorch: a NaN norm makes every gradient NaN
    for g in grads:
        np.multiply(g.array, scale, out=g.array, casting="unsafe")
        g._version.value += 1
    return _wrap(np.asarray(total))


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float,
                     foreach: bool | None = None) -> None:
    """Clamp every gradient element to [-clip_value, clip_value], in place."""
    clip_value = as_float("clip_value", clip_value, "clip_grad_value_")
    for g in _grads(parameters):
        np.clip(g.array, -clip_value, clip_value, out=g.array)
        g._version.value += 1
