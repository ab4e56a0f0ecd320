"""The upper-right triangle: seed 002, "Testing our Perceptron class".

``n`` points drawn uniformly from [0, 1]² (``size = 50`` in the seed),
labelled 1 when ``x1 + x2 > 1`` (the upper-right triangle) and 0 otherwise;
linearly separable, so the perceptron rule finds a separating line.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.datasets._common import as_float32_tensors, check_count, rng_for
from tinygrad_edu.tensor import Tensor


def triangle(n: int = 50, seed: int | None = 0) -> tuple[Tensor, Tensor]:
    """``(X, y)``: X float32 (n, 2) uniform on [0, 1)², y float32 (n, 1) = (x1 + x2 > 1).

    The labels are computed from the float32 coordinates, so
    ``y == (X.sum(1, keepdim=True) > 1)`` holds exactly.
    """
    check_count("n", n)
    inputs = rng_for(seed).random((n, 2)).astype(np.float32)
    targets = inputs.sum(axis=1) > 1
    return as_float32_tensors(inputs, targets)
