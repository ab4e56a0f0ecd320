"""The ring problem: seed 001, Code Block 4 (the "more difficult data", Figure 11).

Nine points: the four corners of the unit square, its centre (0.5, 0.5) and
the midpoints of its four sides. The centre is class 0; the eight points
around it, the ring, are class 1. Each point is repeated ``n_per_point``
times (30 in the seed) with Gaussian noise of standard deviation 0.15.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.datasets._common import noisy_copies
from tinygrad_edu.tensor import Tensor

POINTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0],
                   [0.5, 0.5], [1.0, 0.5], [0.0, 0.5], [0.5, 0.0], [0.5, 1.0]])
LABELS = np.array([1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0])


def ring(n_per_point: int = 30, noise: float = 0.15, seed: int | None = 0,
         shuffle: bool = True) -> tuple[Tensor, Tensor]:
    """``(X, y)``: X float32 (9 n_per_point, 2), y float32 (9 n_per_point, 1), 1 on the ring."""
    return noisy_copies(POINTS, LABELS, n_per_point, noise, seed, shuffle)
