"""``torch.backends``: the flags scripts set, accepted; no accelerator is available."""

from tinygrad_edu.backends import cudnn, mps

__all__ = ["cudnn", "mps"]
