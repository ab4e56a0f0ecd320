"""Switching graph recording off and on: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Each works as a context manager and as a decorator, as in PyTorch.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradState:
    """Whether ops record the graph: one shared instance, ``_grad_state``, read by every op.

    An instance with a slot rather than a class attribute: every recorded op
    switches it off and on around its forward, and writing a class attribute
    costs more (Python invalidates the class's attribute caches on each write).
    """

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_grad_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward."""
    return _grad_state.enabled


class set_grad_enabled:
    """Set grad mode to ``mode``: at once as a call, or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        self.previous = _grad_state.enabled
        self.mode = bool(mode)
        _grad_state.enabled = self.mode

    def __enter__(self) -> None:
        _grad_state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _grad_state.enabled = self.previous


class _GradModeContext:
    """Base of no_grad / enable_grad: a context manager that is also a decorator."""

    mode: bool = True

    def __enter__(self) -> None:
        self.previous = _grad_state.enabled
        _grad_state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _grad_state.enabled = self.previous

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            previous = _grad_state.enabled
            _grad_state.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                _grad_state.enabled = previous

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Ops inside record no graph: ``with no_grad(): w -= lr * w.grad``."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` region."""

    mode = True
