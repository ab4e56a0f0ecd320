"""Noisy logic gates (AND, OR, XOR): seed 001, "Example: single-layered network".

The four corners of the unit square, each repeated ``n_per_corner`` times
(the seed's ``nRepats = 30``), plus Gaussian noise of standard deviation 0.15;
the label is the gate applied to the clean corner. A single sigmoid layer
learns AND and OR; XOR needs a hidden layer.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.datasets._common import noisy_copies
from tinygrad_edu.tensor import Tensor

CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
GATE_LABELS = {
    "and": np.array([0.0, 0.0, 0.0, 1.0]),
    "or": np.array([0.0, 1.0, 1.0, 1.0]),
    "xor": np.array([0.0, 1.0, 1.0, 0.0]),
}


def logic_gate(gate: str, n_per_corner: int = 30, noise: float = 0.15, seed: int | None = 0,
               shuffle: bool = True) -> tuple[Tensor, Tensor]:
    """``(X, y)``: X float32 (4 n_per_corner, 2) noisy corners, y float32 (4 n_per_corner, 1).

    ``gate`` is "and", "or" or "xor". ``seed=None`` draws from the library's
    generator (``tg.manual_seed``); ``shuffle`` mixes the rows, as the seed does.
    """
    if not isinstance(gate, str) or gate.lower() not in GATE_LABELS:
        raise ValueError(f"unknown gate {gate!r}; expected one of {', '.join(GATE_LABELS)}")
    return noisy_copies(CORNERS, GATE_LABELS[gate.lower()], n_per_corner, noise, seed, shuffle)
