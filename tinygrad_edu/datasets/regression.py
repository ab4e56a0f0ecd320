"""1-D regression: seed 001, "Example: neural networks for regression" (Code Block 5).

``n`` inputs evenly spaced on [-5, 5] (``linspace``, 100 in the seed), and
targets ``f(x) + ε`` with Gaussian noise ε of standard deviation 0.5, for
``f(x) = 2.5 + sin(x)`` (Figure 12) or ``f(x) = |x|`` (Figure 13). The noise
variance 0.25 is the mean squared error a perfect fit would still have.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from tinygrad_edu.datasets._common import as_float32_tensors, check_count, rng_for
from tinygrad_edu.tensor import Tensor, _wrap

FUNCTIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": lambda x: 2.5 + np.sin(x),
    "abs": np.abs,
}


def regression(function: str = "sin", n: int = 100, noise: float = 0.5, seed: int | None = 0,
               low: float = -5.0, high: float = 5.0) -> tuple[Tensor, Tensor]:
    """``(x, y)``: x float32 (n, 1) evenly spaced on [low, high], y float32 (n, 1) noisy targets.

    ``function`` is "sin" (2.5 + sin x) or "abs" (|x|). The clean values are
    ``regression_target(function, x)``.
    """
    if function not in FUNCTIONS:
        raise ValueError(f"unknown function {function!r}; expected one of "
                         f"{', '.join(FUNCTIONS)}")
    check_count("n", n)
    if not noise >= 0:
        raise ValueError(f"noise must be a non-negative standard deviation, got {noise}")
    x = np.linspace(low, high, n)
    y = FUNCTIONS[function](x) + noise * rng_for(seed).standard_normal(n)
    return as_float32_tensors(x.reshape(-1, 1), y)


def regression_target(function: str, x: Tensor) -> Tensor:
    """The noise-free ``f(x)`` of ``regression(function)``, for plots and error baselines."""
    return _wrap(FUNCTIONS[function](x.array).astype(x.array.dtype))
