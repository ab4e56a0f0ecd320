"""``Flatten``: merge dimensions start_dim..end_dim into one (the batch dim is kept by default)."""

from __future__ import annotations

from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class Flatten(Module):
    """``input.flatten(start_dim, end_dim)``; by default (N, *) becomes (N, product of *)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
