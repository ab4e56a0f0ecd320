"""The global random number generator behind rand*, init, dropout and shuffling.

``manual_seed(s)`` makes every random draw of the library reproducible.
The numbers differ from PyTorch's, which uses a different generator.
"""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the library's generator; returns it (PyTorch returns a Generator too)."""
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"manual_seed expects an int, got {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """The generator currently in use (replaced by every ``manual_seed``)."""
    return _generator
