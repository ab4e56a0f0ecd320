"""Making tensors: ``tensor``, ``zeros``, ``arange`` ... with PyTorch's dtypes.

The random ones (``rand``, ``randn``, ``randint`` ...) are in ``ops/random.py``.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.argcheck import check_int, check_number, check_tensor
from tinygrad_edu.device import check_device
from tinygrad_edu.dtypes import DType, get_default_dtype, to_dtype
from tinygrad_edu.tensor import _INT_GRAD_MESSAGE, Tensor, _unwrap_nested, _wrap


def _finish(data: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad is not False and not isinstance(requires_grad, (bool, np.bool_)):
        raise TypeError(f"argument 'requires_grad' must be bool, not "
                        f"{type(requires_grad).__name__}")
    if requires_grad and data.dtype.kind != "f":
        raise RuntimeError(_INT_GRAD_MESSAGE.format(dtypes.from_numpy_dtype(data.dtype)))
    dtypes.from_numpy_dtype(data.dtype)  # rejects unsupported dtypes with a clear message
    return _wrap(data, requires_grad)


def _size(size: tuple, keyword: Any = None, op: str = "") -> tuple:
    """Accept ``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros(size=(2, 3))``."""
    if keyword is not None:
        if size:
            raise TypeError("got multiple values for argument 'size'")
        size = (keyword,)
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(isinstance(s, (builtins.int, np.integer)) and not isinstance(s, builtins.bool)
               for s in size):
        where = f"{op}(): " if op else ""
        raise TypeError(f"{where}sizes must be ints, got {size!r}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(size)}")
    return tuple(builtins.int(s) for s in size)


def _float_dtype(dtype: Any) -> np.dtype:
    return (get_default_dtype() if dtype is None else to_dtype(dtype)).np_dtype


def tensor(data: Any, dtype: DType | None = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested lists, an array or a tensor).

    Python floats become the default dtype (float32), ints int64, bools bool;
    a numpy array keeps its dtype. ``device`` may only be the CPU (``device.py``).
    """
    check_device(device)
    if isinstance(data, Tensor):
        array = data.array.copy()
    elif isinstance(data, (np.ndarray, np.generic)):  # numpy scalars keep their dtype too
        array = np.array(data)
    else:
        if data is None:
            raise RuntimeError("tensor(): could not infer the dtype of None; expected numbers, "
                               "bools, (nested) lists of them, a numpy array or a Tensor")
        try:
            array = np.array(_unwrap_nested(data))
        except ValueError:  # numpy's words for a ragged nesting
            raise ValueError("tensor(): the nested lists have different lengths; a tensor needs "
                             "the same number of elements in every row") from None
        if array.dtype == np.float64 and dtype is None and not _holds_float64_scalar(data):
            array = array.astype(get_default_dtype().np_dtype)  # Python floats: the default
        elif array.dtype.kind in "iu":
            if array.dtype not in dtypes._BY_NUMPY:  # uint16 ... from numpy scalars
                array = array.astype(np.int64)
        elif array.dtype.kind not in "fb":
            raise TypeError(
                f"tensor(): could not make a tensor from {type(data).__name__} data; expected "
                f"numbers, bools, (nested) lists of them, a numpy array or a Tensor"
            )
    if dtype is not None:
        np_dtype = to_dtype(dtype).np_dtype
        if np_dtype.kind in "iub" and array.dtype.kind == "f" and not np.isfinite(array).all():
            raise RuntimeError(f"tensor(): value cannot be converted to type {np_dtype} without "
                               f"overflow (nan or inf in the data)")
        array = array.astype(np_dtype, copy=False)
    return _finish(array, requires_grad)


def _holds_float64_scalar(data: Any) -> bool:
    """Whether nested lists hold a numpy float64 (PyTorch then keeps float64, not float32)."""
    pending = [data]
    while pending:
        item = pending.pop()
        if type(item) is np.float64:
            return True
        if isinstance(item, (list, tuple)):
            pending.extend(item)
    return False


def as_tensor(data: Any, dtype: DType | None = None, device: Any = None) -> Tensor:
    check_device(device)
    if isinstance(data, Tensor) and (dtype is None or data.dtype == to_dtype(dtype)):
        return data
    return tensor(data, dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return _finish(array, False)


def zeros(*sizes: Any, size: Any = None, dtype: DType | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    check_device(device)
    return _finish(np.zeros(_size(sizes, size, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*sizes: Any, size: Any = None, dtype: DType | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    check_device(device)
    return _finish(np.ones(_size(sizes, size, "ones"), _float_dtype(dtype)), requires_grad)


def empty(*sizes: Any, size: Any = None, dtype: DType | None = None, device: Any = None,
          requires_grad: bool = False) -> Tensor:
    check_device(device)
    return _finish(np.empty(_size(sizes, size, "empty"), _float_dtype(dtype)), requires_grad)


def full(size: Any, fill_value: Any, dtype: DType | None = None, device: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; its dtype follows the value's type."""
    check_device(device)
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' must be a tuple of ints, not "
                        f"{type(size).__name__}; e.g. full((2, 3), 1.0)")
    fill_value = _fill_value(fill_value, "full")
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        by_kind = {"f": get_default_dtype(), "b": dtypes.bool}
        dtype = by_kind.get(kind, dtypes.int64)
    shape = _size((size,), op="full")
    return _finish(np.full(shape, fill_value, to_dtype(dtype).np_dtype), requires_grad)


def _fill_value(value: Any, op: str) -> Any:
    """A fill value as a Python or numpy number (a 0-d tensor gives its item)."""
    if isinstance(value, Tensor):
        value = value.item()
    if not isinstance(value, (bool, int, float, np.number, np.bool_)):
        raise TypeError(f"{op}(): argument 'fill_value' must be a number, not "
                        f"{type(value).__name__}")
    return value


def arange(start: Any, end: Any = None, step: Any = 1, dtype: DType | None = None,
           device: Any = None, requires_grad: bool = False) -> Tensor:
    """``[start, end)`` in steps; int64 for integer arguments, else the default float dtype."""
    check_device(device)
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    for name, value in (("start", start), ("end", end), ("step", step)):
        check_number(name, value, "arange")
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"arange: upper bound and lower bound inconsistent with step sign "
                           f"(start={start}, end={end}, step={step})")
    if dtype is None:
        ints = all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if ints else get_default_dtype()
    np_dtype = to_dtype(dtype).np_dtype
    count = max(int(np.ceil((end - start) / step)), 0)
    values = start + step * np.arange(count, dtype=np.float64 if np_dtype.kind == "f" else None)
    return _finish(values.astype(np_dtype), requires_grad)


def linspace(start: Any, end: Any, steps: int, dtype: DType | None = None, device: Any = None,
             requires_grad: bool = False) -> Tensor:
    check_device(device)
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    check_number("start", start, "linspace")
    check_number("end", end, "linspace")
    check_int("steps", steps, "linspace")
    if steps < 0:
        raise RuntimeError(f"linspace: number of steps must be non-negative, got {steps}")
    return _finish(np.linspace(start, end, steps).astype(_float_dtype(dtype)), requires_grad)


def eye(n: int, m: int | None = None, dtype: DType | None = None, device: Any = None,
        requires_grad: bool = False) -> Tensor:
    check_device(device)
    for name, value in (("n", n), ("m", n if m is None else m)):
        if check_int(name, value, "eye") < 0:
            raise RuntimeError(f"eye(): {name} must be greater or equal to 0, got {value}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def _like(t: Tensor, dtype: Any) -> np.dtype:
    return t.array.dtype if dtype is None else to_dtype(dtype).np_dtype


def _check_like(t: Any, op: str) -> None:
    check_tensor("input", t, op)


def zeros_like(t: Tensor, dtype: DType | None = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    _check_like(t, "zeros_like")
    check_device(device)
    return _finish(np.zeros(t.shape, _like(t, dtype)), requires_grad)


def ones_like(t: Tensor, dtype: DType | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    _check_like(t, "ones_like")
    check_device(device)
    return _finish(np.ones(t.shape, _like(t, dtype)), requires_grad)


def empty_like(t: Tensor, dtype: DType | None = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:
    _check_like(t, "empty_like")
    check_device(device)
    return _finish(np.empty(t.shape, _like(t, dtype)), requires_grad)


def full_like(t: Tensor, fill_value: Any, dtype: DType | None = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:
    _check_like(t, "full_like")
    check_device(device)
    value = _fill_value(fill_value, "full_like")
    return _finish(np.full(t.shape, value, _like(t, dtype)), requires_grad)
