"""PyTorch spellings that are not the engine: a tensor's device methods.

They are kept here so that ``tensor.py`` stays the short file a learner reads first.
Everything behaves as in current PyTorch (2.x).
"""

from __future__ import annotations

from typing import Any

from tinygrad_edu.device import CPU, check_device, device
from tinygrad_edu.tensor import Tensor

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
