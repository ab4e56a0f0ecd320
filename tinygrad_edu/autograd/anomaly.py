"""``detect_anomaly``: find the op whose backward made a NaN.

While it is on, every op remembers the stack where it was created, and the
backward pass checks each gradient for NaN; the error names the op and shows
where it came from. It makes everything slower: use it to debug, not to train.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from tinygrad_edu.autograd.function import _AnomalyState


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self) -> None:
        self.previous = _AnomalyState.enabled
        _AnomalyState.enabled = self.check_nan

    def __exit__(self, *exc: object) -> None:
        _AnomalyState.enabled = self.previous

    def __call__(self, fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self:
                return fn(*args, **kwargs)

        return wrapper


def set_detect_anomaly(mode: bool) -> None:
    _AnomalyState.enabled = bool(mode)


def is_anomaly_enabled() -> bool:
    return _AnomalyState.enabled
