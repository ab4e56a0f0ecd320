"""``tinygrad_edu.utils``: helpers outside the core, as PyTorch's ``torch.utils``."""

from tinygrad_edu.utils import data

__all__ = ["data"]
