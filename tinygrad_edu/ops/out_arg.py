"""``out=``: a function's result written into a tensor the caller already has,
as in ``torch.add(a, b, out=c)``.

PyTorch's rules: the write is not recorded (so neither the result nor ``out``
may need gradients while grad mode is on); the result is cast to ``out``'s
dtype if that is a safe kind of cast (float into int is not); an ``out`` of
another shape is resized, with a warning unless it was empty. ``out`` is
returned, its version counter moved on.
"""

from __future__ import annotations

import warnings

import numpy as np

from tinygrad_edu.autograd.grad_mode import is_grad_enabled
from tinygrad_edu.tensor import Tensor


def write_out(result: Tensor, out: Tensor | None, name: str) -> Tensor:
    """``result`` itself when ``out`` is None, else ``out`` holding result's values."""
    if out is None:
        return result
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            f"differentiation, but one of the arguments requires grad."
        )
    if not np.can_cast(result.array.dtype, out.array.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{name}(): result type {result.dtype} can't be cast to the desired output type "
            f"{out.dtype}"
        )
    if out.shape != result.shape:
        if out.array.size:
            warnings.warn(
                f"{name}(): an output with one or more elements was resized since it had shape "
                f"{list(out.shape)}, which does not match the required output shape "
                f"{list(result.shape)}",
                UserWarning, stacklevel=3,
            )
        out.array = np.empty(result.shape, dtype=out.array.dtype)
    np.copyto(out.array, result.array, casting="same_kind")
    out._version.value += 1
    return out
