"""``repr`` of a tensor in PyTorch's style: ``tensor([1.5000, 2.0000], requires_grad=True)``.

PyTorch's rules, written out:

- More than 1000 elements: *summarise*, showing the first and last 3 entries
  of every dim with ``...`` between. Only the shown elements are formatted, so
  printing a large tensor costs as little as printing a small one.
- Floats: one format for all shown elements, chosen from the nonzero finite
  ones: whole numbers print as ``2.``; otherwise 4 decimals (``2.5000``),
  unless the largest is above 1e8, the smallest below 1e-4, or their ratio
  above 1000: then scientific notation (``2.5000e-07``). Every element is padded
  to the width of the widest.
- Lines wrap at 80 characters; suffixes such as ``dtype=tinygrad_edu.float64``,
  ``grad_fn=<MeanBackward0>`` or ``requires_grad=True`` follow the values.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.autograd.recording import note_read

THRESHOLD = 1000  # more elements than this: summarise
EDGEITEMS = 3  # shown at each end of a summarised dim
LINEWIDTH = 80
PRECISION = 4


def _shown(data: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows: the first and last EDGEITEMS of each dim."""
    for axis, size in enumerate(data.shape):
        if size > 2 * EDGEITEMS:
            keep = np.r_[0:EDGEITEMS, size - EDGEITEMS:size]
            data = data.take(keep, axis=axis)
    return data


def _formatter(shown: np.ndarray) -> tuple[Callable[[object], str], int]:
    """``(format one value, width)`` for the shown elements, by PyTorch's rules."""
    if shown.dtype.kind != "f":
        width = max((len(str(v)) for v in shown.ravel().tolist()), default=1)
        return str, width
    values = shown.astype(np.float64).ravel()
    finite = values[np.isfinite(values) & (values != 0)]
    if finite.size == 0:  # only zeros, nan or inf: whole-number style, width 1
        return _whole, 1
    magnitudes = np.abs(finite)
    smallest, largest = magnitudes.min(), magnitudes.max()
    if np.all(finite == np.ceil(finite)):
        if largest / smallest > 1000.0 or largest > 1.0e8:
            return _scientific, max(len(_scientific(v)) for v in finite.tolist())
        return _whole, max(len(_whole(v)) for v in finite.tolist())
    if largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4:
        return _scientific, max(len(_scientific(v)) for v in finite.tolist())
    return _fixed, max(len(_fixed(v)) for v in finite.tolist())


def _whole(value: float) -> str:
    text = f"{value:.0f}"
    return text if math.isinf(value) or math.isnan(value) else text + "."


def _fixed(value: float) -> str:
    return f"{value:.{PRECISION}f}"


def _scientific(value: float) -> str:
    return f"{value:.{PRECISION}e}"


def _body(data: np.ndarray, indent: int, summarize: bool, fmt: Callable, width: int) -> str:
    """The nested ``[...]`` text of ``data``, as PyTorch lays it out."""
    if data.ndim == 0:
        return fmt(data.item()).rjust(width)
    size = data.shape[0]
    cut = summarize and size > 2 * EDGEITEMS
    if data.ndim == 1:
        if cut:
            items = [fmt(v).rjust(width) for v in data[:EDGEITEMS].tolist()] + [" ..."]
            items += [fmt(v).rjust(width) for v in data[-EDGEITEMS:].tolist()]
        else:
            items = [fmt(v).rjust(width) for v in data.tolist()]
        per_line = max(1, (LINEWIDTH - indent) // (width + 2))
        lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(EDGEITEMS) if cut else range(size)
    parts = [_body(data[i], indent + 1, summarize, fmt, width) for i in rows]
    if cut:
        parts += ["..."] + [_body(data[i], indent + 1, summarize, fmt, width)
                            for i in range(size - EDGEITEMS, size)]
    return "[" + ("," + "\n" * (data.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` for each, on a new line where the line would pass 80 characters."""
    parts = [text]
    last_line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > LINEWIDTH:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_repr(t) -> str:
    prefix = "tensor("
    data = t.array
    suffixes = []
    default_dtypes = (dtypes.get_default_dtype().np_dtype, np.dtype(np.int64), np.dtype(np.bool_))
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if data.dtype != dtypes.get_default_dtype().np_dtype:  # nothing shows an empty one's dtype
            suffixes.append(f"dtype={t.dtype!r}")
        body = "[]"
    else:
        if data.dtype not in default_dtypes:
            suffixes.append(f"dtype={t.dtype!r}")
        if data.dtype == np.float16:
            data = data.astype(np.float32)
        summarize = data.size > THRESHOLD
        fmt, width = _formatter(_shown(data) if summarize else data)
        body = _body(data, len(prefix), summarize, fmt, width)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    text = _with_suffixes(prefix + body, suffixes, len(prefix))
    return note_read(t, text)  # print(t) reads values: tg.compile is told (recording.py)


def tensor_format(t, format_spec: str) -> str:
    """``format(t, ".4f")`` / ``f"{loss:.4f}"``: a 0-d tensor formats as its number, as
    PyTorch's; any other tensor accepts only the empty spec (its ``str``)."""
    if t.array.ndim == 0:
        return note_read(t, format(t.array.item(), format_spec))
    if format_spec:
        raise TypeError("unsupported format string passed to Tensor.__format__")
    return str(t)
