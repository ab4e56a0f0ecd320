"""What the generated data sets share: a seeded generator and float32 tensors."""

from __future__ import annotations

import numpy as np

from tinygrad_edu import random
from tinygrad_edu.tensor import Tensor, _wrap


def rng_for(seed: int | None) -> np.random.Generator:
    """A numpy generator of its own for ``seed``.

    For None it is seeded by one 64-bit draw from the library's global generator,
    so ``tg.manual_seed`` still makes the data reproducible.
    """
    if seed is None:
        return np.random.default_rng(int(random.default_generator.random64(1)[0]))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}")
    return np.random.default_rng(int(seed))


def check_count(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")


def as_float32_tensors(inputs: np.ndarray, targets: np.ndarray) -> tuple[Tensor, Tensor]:
    """``(X, y)`` as float32 tensors: X of shape (n, d), y a column (n, 1)."""
    return (_wrap(np.ascontiguousarray(inputs, dtype=np.float32)),
            _wrap(np.ascontiguousarray(targets, dtype=np.float32).reshape(-1, 1)))


def noisy_copies(points: np.ndarray, labels: np.ndarray, copies: int, noise: float,
                 seed: int | None, shuffle: bool) -> tuple[Tensor, Tensor]:
    """``copies`` repetitions of the points plus Gaussian noise of std ``noise``, as in seed 001.

    The labels belong to the clean points (the noise never changes a label).
    """
    check_count("the number of copies per point", copies)
    if not noise >= 0:
        raise ValueError(f"noise must be a non-negative standard deviation, got {noise}")
    rng = rng_for(seed)
    inputs = np.tile(points, (copies, 1)) + noise * rng.standard_normal((len(points) * copies, 2))
    targets = np.tile(labels, copies)
    if shuffle:
        order = rng.permutation(len(inputs))
        inputs, targets = inputs[order], targets[order]
    return as_float32_tensors(inputs, targets)
