"""PyTorch spellings that are not the engine: a tensor's device methods, and the legacy
names older tutorials still use (``torch.FloatTensor``, ``t.type()``, ``Variable``).

They are kept here so that ``tensor.py`` stays the short file a learner reads first.
Everything behaves as in current PyTorch (2.x).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.device import CPU, check_device, device
from tinygrad_edu.dtypes import DType
from tinygrad_edu.tensor import Tensor, _unwrap_nested, _wrap

# ----- devices: everything lives on the CPU -------------------------------------------------


def _device(self: Tensor) -> device:
    """``device(type='cpu')``: the only device (numpy arrays live in main memory)."""
    return CPU


def cpu(self: Tensor) -> Tensor:
    """Itself: it is already on the CPU (PyTorch returns itself too)."""
    return self


def cuda(self: Tensor, device: Any = None, non_blocking: bool = False) -> Tensor:
    """Raises: tinygrad_edu runs on the CPU only."""
    check_device("cuda" if device is None or isinstance(device, int) else device)
    return self  # reached only for cuda(device="cpu"), which PyTorch refuses too


# The device family's Tensor methods (is_cuda is always False).
Tensor.device = property(_device)
Tensor.cpu = cpu
Tensor.cuda = cuda
Tensor.is_cuda = False

# ----- legacy tensor types: torch.FloatTensor & co. -------------------------------------------

_LEGACY_NAMES = {
    dtypes.float32: "FloatTensor", dtypes.float64: "DoubleTensor", dtypes.float16: "HalfTensor",
    dtypes.int64: "LongTensor", dtypes.int32: "IntTensor", dtypes.int16: "ShortTensor",
    dtypes.int8: "CharTensor", dtypes.uint8: "ByteTensor", dtypes.bool: "BoolTensor",
}


class _LegacyTensorType(type):
    """The type of ``FloatTensor`` & co.: ``isinstance(t, FloatTensor)`` asks t's dtype.

    In PyTorch these are not real classes of tensors either: every tensor is a
    ``torch.Tensor``, and ``isinstance(t, torch.FloatTensor)`` is true exactly
    when t is a float32 tensor. ``__instancecheck__`` is the hook ``isinstance``
    calls on the class's type.
    """

    dtype: DType

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.array.dtype == cls.dtype.np_dtype

    def __repr__(cls) -> str:
        return f"<class '{dtypes.DISPLAY_PREFIX}.{cls.__name__}'>"


class _LegacyTensor(metaclass=_LegacyTensorType):
    """``FloatTensor(data)`` (a copy in this dtype), ``FloatTensor(2, 3)`` (uninitialised),
    ``FloatTensor()`` (empty): each call returns an ordinary Tensor."""

    def __new__(cls, *args: Any) -> Tensor:  # type: ignore[misc]
        np_dtype = cls.dtype.np_dtype
        if not args:
            return _wrap(np.empty((0,), np_dtype))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return _wrap(np.empty(tuple(int(a) for a in args), np_dtype))
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].array.dtype != np_dtype:
                raise TypeError(
                    f"{cls.__name__}(tensor): expected a tensor of dtype {cls.dtype!r}, got "
                    f"{args[0].dtype!r}; use tensor.to({cls.dtype!r})"
                )
            return _wrap(args[0].array)
        if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray)):
            return _wrap(np.array(_unwrap_nested(args[0])).astype(np_dtype))
        raise TypeError(
            f"{cls.__name__}(): expected data (a number, a list or an array) or integer sizes, "
            f"got {', '.join(type(a).__name__ for a in args)}"
        )


def _legacy_type(dtype: DType) -> type:
    return _LegacyTensorType(_LEGACY_NAMES[dtype], (_LegacyTensor,), {"dtype": dtype})


FloatTensor = _legacy_type(dtypes.float32)
DoubleTensor = _legacy_type(dtypes.float64)
HalfTensor = _legacy_type(dtypes.float16)
LongTensor = _legacy_type(dtypes.int64)
IntTensor = _legacy_type(dtypes.int32)
ShortTensor = _legacy_type(dtypes.int16)
CharTensor = _legacy_type(dtypes.int8)
ByteTensor = _legacy_type(dtypes.uint8)
BoolTensor = _legacy_type(dtypes.bool)
_BY_NAME = {f"torch.{name}": dtype for dtype, name in _LEGACY_NAMES.items()}


def tensor_type(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """``t.type()``: PyTorch's type string, e.g. ``'torch.FloatTensor'``.

    ``t.type(torch.DoubleTensor)``, ``t.type('torch.DoubleTensor')`` or
    ``t.type(torch.float64)``: ``t`` in that dtype (itself if it already is).
    """
    if dtype is None:
        return f"torch.{_LEGACY_NAMES[self.dtype]}"
    if isinstance(dtype, str):
        if dtype not in _BY_NAME:
            raise ValueError(f"invalid type: '{dtype}'")
        dtype = _BY_NAME[dtype]
    elif isinstance(dtype, _LegacyTensorType):
        dtype = dtype.dtype
    return self.to(dtype)


# The legacy family's Tensor method.
Tensor.type = tensor_type

# ----- autograd.Variable: since PyTorch 0.4, a Variable is a Tensor ---------------------------


class _VariableType(type):
    """``isinstance(t, Variable)`` is true for every tensor, as in PyTorch."""

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableType):
    """``Variable(t, requires_grad=False)``: a tensor sharing t's data, as a new leaf.

    What old tutorials wrap their tensors in. It returns a plain Tensor (as
    PyTorch has since 0.4), detached from any graph, with the requires_grad asked for.
    """

    def __new__(cls, data: Tensor, requires_grad: bool = False,  # type: ignore[misc]
                volatile: bool = False) -> Tensor:
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return data.detach().requires_grad_(requires_grad)


__all__ = [
    "BoolTensor", "ByteTensor", "CharTensor", "DoubleTensor", "FloatTensor", "HalfTensor",
    "IntTensor", "LongTensor", "ShortTensor", "Variable",
]
