"""Switching graph recording off and on: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Each works as a context manager and as a decorator, as in PyTorch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    """Module-level flag read by every op; an object so that imports share it."""

    enabled: bool = True


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward."""
    return _GradState.enabled


class set_grad_enabled:
    """Set grad mode to ``mode``: at once as a call, or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        self.previous = _GradState.enabled
        self.mode = bool(mode)
        _GradState.enabled = self.mode

    def __enter__(self) -> None:
        _GradState.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradState.enabled = self.previous


class _GradModeContext:
    """Base of no_grad / enable_grad: a context manager that is also a decorator."""

    mode: bool = True

    def __enter__(self) -> None:
        self.previous = _GradState.enabled
        _GradState.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _GradState.enabled = self.previous

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = _GradState.enabled
            _GradState.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _GradState.enabled = previous

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Ops inside record no graph: ``with no_grad(): w -= lr * w.grad``."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` region."""

    mode = True
