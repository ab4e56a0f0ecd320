"""``repr`` of a tensor in PyTorch's style: ``tensor([1.5000, 2.0000], requires_grad=True)``."""

from __future__ import annotations

import numpy as np

from tinygrad_edu import dtypes


def _float_formatter(values: np.ndarray):
    """PyTorch's choice: ``1.`` for whole numbers, ``1.5000`` normally, ``1.0000e-07`` for
    very large or small magnitudes; every element padded to the same width."""
    finite = values[np.isfinite(values)]
    nonzero = np.abs(finite[finite != 0])
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        def fmt(x):
            return f"{x:.0f}." if np.isfinite(x) else str(x)
    elif nonzero.size and (nonzero.max() >= 1e8 or nonzero.min() < 1e-4):
        def fmt(x):
            return f"{x:.4e}"
    else:
        def fmt(x):
            return f"{x:.4f}"
    width = max((len(fmt(x)) for x in values.flat), default=0)
    return lambda x: fmt(x).rjust(width)


def tensor_repr(t) -> str:
    data = t.array
    if data.dtype.kind == "f":
        formatter = {"float_kind": _float_formatter(data)}
    else:
        formatter = None
    body = np.array2string(
        data, separator=", ", prefix="tensor(", formatter=formatter, threshold=1000, edgeitems=3
    )
    extras = []
    default_dtypes = (dtypes.get_default_dtype().np_dtype, np.dtype(np.int64), np.dtype(np.bool_))
    if data.dtype not in default_dtypes:
        extras.append(f"dtype={t.dtype!r}")
    if data.size == 0 and data.shape != (0,):
        extras.append(f"size={tuple(data.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + ", ".join([body, *extras]) + ")"


def tensor_format(t, format_spec: str) -> str:
    """``format(t, ".4f")`` / ``f"{loss:.4f}"``: a 0-d tensor formats as its number, as
    PyTorch's; any other tensor accepts only the empty spec (its ``str``)."""
    if t.array.ndim == 0:
        return format(t.array.item(), format_spec)
    if format_spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return str(t)
