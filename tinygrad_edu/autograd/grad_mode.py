"""Switching graph recording off and on: ``no_grad``, ``enable_grad``, ``set_grad_enabled``.

Each works as a context manager and as a decorator, as in PyTorch. Grad mode
belongs to a thread, as in PyTorch: a thread that evaluates under ``no_grad``
does not stop another from training, and every new thread starts with grad on.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradFlag:
    """One thread's modes: ``enabled`` (ops record the graph), ``anomaly``
    (``detect_anomaly``, see ``autograd/anomaly.py``) and ``recorder`` (set while
    ``tg.compile`` records a step: ``autograd/recording.py``)."""

    __slots__ = ("enabled", "anomaly", "recorder")

    def __init__(self) -> None:
        self.enabled = True
        self.anomaly = False
        self.recorder = None


class _PerThread(threading.local):
    """Each thread's own ``_GradFlag``, made (grad on) the first time the thread looks.

    ``Function.apply`` runs for every op and reads ``_per_thread.flag`` once,
    then reads and writes the flag's slot: a ``threading.local`` attribute costs
    several times a slot's, so the flag is a plain object kept in one.
    """

    def __init__(self) -> None:
        self.flag = _GradFlag()


_per_thread = _PerThread()


class _GradState:
    """``_grad_state.enabled``: the current thread's flag, for code off the hot path."""

    @property
    def enabled(self) -> bool:
        return _per_thread.flag.enabled

    @enabled.setter
    def enabled(self, mode: bool) -> None:
        _per_thread.flag.enabled = mode


_grad_state = _GradState()


def is_grad_enabled() -> bool:
    """True when ops record the graph for backward."""
    return _grad_state.enabled


def backward_on_arrays() -> bool:
    """True when an op's backward may run its formula on the numpy arrays themselves:
    no graph of the gradient is wanted (grad mode is off, as in a plain ``backward()``)
    and ``tg.compile`` is not recording the step (it must see every op backward runs)."""
    flag = _per_thread.flag
    return not flag.enabled and flag.recorder is None


class set_grad_enabled:
    """Set grad mode to ``mode``: at once as a call, or for a ``with`` block."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, (bool, int)):
            raise TypeError(f"set_grad_enabled: mode must be a bool, got {type(mode).__name__}")
        self.previous = _grad_state.enabled
        self.mode = bool(mode)
        _grad_state.enabled = self.mode

    def __enter__(self) -> None:
        _grad_state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _grad_state.enabled = self.previous

    def __call__(self, fn: F) -> F:
        """``@set_grad_enabled(False)``: as a decorator it sets nothing at once."""
        _grad_state.enabled = self.previous
        return _decorate(fn, self.mode)


def _decorate(fn: F, mode: bool) -> F:
    """``fn`` run with grad mode ``mode``; a generator function gets it in every step,
    and the caller's mode is back in place whenever the generator is paused."""
    if not callable(fn):
        raise TypeError(f"a grad-mode decorator expects a function, got {type(fn).__name__}")
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator_wrapper(*args: Any, **kwargs: Any) -> Any:
            generator = fn(*args, **kwargs)
            resume, value_in = generator.send, None  # send() a value or throw() an error
            while True:
                previous = _grad_state.enabled
                _grad_state.enabled = mode
                try:
                    value_out = resume(value_in)
                except StopIteration as stop:
                    return stop.value
                finally:
                    _grad_state.enabled = previous
                try:
                    value_in = yield value_out
                    resume = generator.send
                except GeneratorExit:
                    previous, _grad_state.enabled = _grad_state.enabled, mode
                    try:
                        generator.close()
                    finally:
                        _grad_state.enabled = previous
                    raise
                except BaseException as error:  # thrown in by the caller: pass it on
                    resume, value_in = generator.throw, error

        return generator_wrapper  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = _grad_state.enabled
        _grad_state.enabled = mode
        try:
            return fn(*args, **kwargs)
        finally:
            _grad_state.enabled = previous

    return wrapper  # type: ignore[return-value]


class _GradModeContext:
    """Base of no_grad / enable_grad: a context manager that is also a decorator,
    with or without parentheses (``@no_grad()`` and ``@no_grad``, as in PyTorch)."""

    mode: bool = True

    def __new__(cls, fn: Callable | None = None) -> Any:
        if fn is None:
            return super().__new__(cls)
        return _decorate(fn, cls.mode)  # @no_grad without parentheses

    def __init__(self, fn: Callable | None = None) -> None:
        pass

    def __enter__(self) -> None:
        self.previous = _grad_state.enabled
        _grad_state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _grad_state.enabled = self.previous

    def __call__(self, fn: F) -> F:
        return _decorate(fn, self.mode)


class no_grad(_GradModeContext):
    """Ops inside record no graph: ``with no_grad(): w -= lr * w.grad``."""

    mode = False


class enable_grad(_GradModeContext):
    """Turn recording back on inside a ``no_grad`` region."""

    mode = True
