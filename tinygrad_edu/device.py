"""Devices, honestly CPU: PyTorch's ``torch.device`` spelling, one device that exists.

``device("cuda")`` can be made (PyTorch allows that too, and scripts write
``device = "cuda" if torch.cuda.is_available() else "cpu"``), but asking for a
tensor on it is a clear error: tinygrad_edu computes with numpy on the CPU.
"""

from __future__ import annotations

from typing import Any

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
        if isinstance(other, str):
            other = device(other)
        return (isinstance(other, device) and self.type == other.type
                and self.index == other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(requested: Any) -> device:
    """The CPU device for ``None``, ``"cpu"``, ``device("cpu")``; an error for any other.

    Every ``device=`` argument goes through here, so the message is the same everywhere.
    """
    if requested is None:
        return CPU
    wanted = device(requested)
    if wanted.type != "cpu":
        raise RuntimeError(
            f"device '{wanted}' is not available: tinygrad_edu runs on the CPU only "
            f"(torch.cuda.is_available() is False here); use device='cpu'"
        )
    return CPU
