"""``tinygrad_edu.nn.utils``: helpers that act on a model's gradients, as ``torch.nn.utils``."""

from tinygrad_edu.nn.utils.clip_grad import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
