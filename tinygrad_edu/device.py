"""Devices, honestly CPU: PyTorch's ``torch.device`` spelling, one device that exists.

``device("cuda")`` can be made (PyTorch allows that too, and scripts write
``device = "cuda" if torch.cuda.is_available() else "cpu"``), but asking for a
tensor on it is a clear error: tinygrad_edu computes with numpy on the CPU.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from tinygrad_edu.dtypes import DType

_KNOWN_TYPES = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "mtia", "privateuseone")


class device:  # noqa: N801 - PyTorch's name
    """``device("cpu")``, ``device("cuda:0")``, ``device("cuda", 1)``: a type and an index."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu', got {type!r}")
        name, _, number = type.partition(":")
        if number:
            if index is not None:
                raise RuntimeError(f"device(): type {type!r} already has an index")
            if not number.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}'")
            index = int(number)
        if name not in _KNOWN_TYPES:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN_TYPES)} device type at start of device "
                f"string: {type}"
            )
        self.type, self.index = name, index

    def __repr__(self) -> str:
        index = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        """Equal to another device of the same type and index (not to a string, as PyTorch)."""
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


class DeviceNotAvailableError(RuntimeError, AssertionError):
    """Asking for a device other than the CPU. PyTorch's CPU build raises AssertionError
    ("Torch not compiled with CUDA enabled"); this is that and a RuntimeError."""


def check_device(requested: Any) -> device:
    """The CPU device for ``None``, ``"cpu"``, ``device("cpu")``; an error for any other.

    Every ``device=`` argument goes through here, so the message is the same everywhere.
    """
    if requested is None or requested is CPU:
        return CPU
    wanted = device(requested)
    if wanted.type != "cpu":
        raise DeviceNotAvailableError(
            f"device '{wanted}' is not available: tinygrad_edu runs on the CPU only "
            f"(torch.cuda.is_available() is False here); use device='cpu'"
        )
    return CPU


_default = CPU


def set_default_device(requested: Any) -> None:
    """PyTorch's ``set_default_device``: only ``"cpu"`` (or None) can be the default here."""
    global _default
    _default = check_device(requested)


def get_default_device() -> device:
    return _default


def to_arguments(args: tuple, kwargs: dict) -> tuple:
    """``(dtype or None, copy)`` from ``Tensor.to``'s forms, after checking the device.

    ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``, and
    the keywords ``device=``, ``dtype=``, ``non_blocking=``, ``copy=``, as in PyTorch.
    """
    if not kwargs and len(args) == 1 and isinstance(args[0], (DType, np.dtype)):
        return args[0], False  # to(dtype): the common case, first
    unknown = set(kwargs) - {"device", "dtype", "non_blocking", "copy", "memory_format"}
    if unknown:
        raise TypeError(f"to() got an unexpected keyword argument '{sorted(unknown)[0]}'")
    wanted_device, dtype = kwargs.get("device"), kwargs.get("dtype")
    args = list(args)
    if args and isinstance(args[0], (str, device)):
        wanted_device = args.pop(0)
    elif args and hasattr(args[0], "grad_fn"):  # another tensor: its dtype (and device)
        dtype = args.pop(0).dtype
    if args and not isinstance(args[0], builtins.bool):
        if dtype is not None:
            raise TypeError("to() received an invalid combination of arguments: two dtypes")
        dtype = args.pop(0)
    if args and isinstance(args[0], builtins.bool):  # to(dtype, non_blocking, copy)
        args.pop(0)
        copy = args.pop(0) if args else kwargs.get("copy", False)
    else:
        copy = kwargs.get("copy", False)
    if args:
        raise TypeError(f"to() received an invalid combination of arguments: {args!r} left over")
    check_device(wanted_device)
    return dtype, copy
