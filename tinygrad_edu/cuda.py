"""``torch.cuda`` on a CPU-only library: nothing is available, as on PyTorch's CPU build.

``device = "cuda" if torch.cuda.is_available() else "cpu"`` picks the CPU;
seeding the (absent) GPUs does nothing, as PyTorch's CPU build does.
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.device import check_device


def is_available() -> bool:
    """False: tinygrad_edu computes with numpy on the CPU."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Does nothing (there is no GPU generator), as on PyTorch's CPU build."""


def manual_seed_all(seed: int) -> None:
    """Does nothing (there is no GPU generator), as on PyTorch's CPU build."""


def empty_cache() -> None:
    """Does nothing (there is no GPU memory), as on PyTorch's CPU build."""


def current_device() -> int:
    """Raises: there is no CUDA device (PyTorch's CPU build raises too)."""
    check_device("cuda")
    return 0  # not reached


def synchronize(device: Any = None) -> None:
    """Raises: there is no CUDA device (PyTorch's CPU build raises too)."""
    check_device("cuda")
