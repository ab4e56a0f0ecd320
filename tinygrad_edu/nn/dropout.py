"""``Dropout``: inverted dropout while training, the identity in eval mode."""

from __future__ import annotations

from tinygrad_edu.argcheck import check_number
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class Dropout(Module):
    """Zero each element with probability ``p`` and scale the rest by 1/(1 - p) (training only)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if check_number("p", p, "Dropout") < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:  # noqa: A002 - PyTorch's argument name
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
