"""``torch.accelerator``: no accelerator here, as on PyTorch's CPU build.

So ``torch.accelerator.current_accelerator().type if torch.accelerator.is_available()
else "cpu"`` (the official tutorials' device line) picks the CPU.
"""

from __future__ import annotations


def is_available() -> bool:
    return False


def current_accelerator() -> None:
    """None: there is no accelerator."""
    return None


def device_count() -> int:
    return 0
