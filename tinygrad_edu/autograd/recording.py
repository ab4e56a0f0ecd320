"""The few places where the library tells ``tg.compile`` what a step does.

While ``tg.compile`` records a step (``tinygrad_edu/compiler/record.py``), this
thread's grad flag carries a *recorder*; everywhere else it is None and every
hook below costs one attribute read. The hooks:

- ``Function.apply`` hands each op to the recorder (autograd/function.py);
- the backward pass hands it each node it runs and each gradient it adds
  into a leaf's ``.grad`` (autograd/engine.py);
- ``recorded_as_one`` marks a library function whose body computes with numpy
  outside any op (the running statistics of batch norm, the class weights of
  cross-entropy, a dropout mask, an optimizer's update): the recorder keeps
  a call to it as one step, to be called again when the step is replayed;
- ``note_read`` sees a value read into Python (``item()``, ``bool(t)``, ``print(t)``),
  ``note_write`` an in-place write it cannot replay, ``note_draw`` random numbers
  drawn outside an op, ``note_module`` a module call (its ``training`` flag and
  settings are then checked before every replay).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from tinygrad_edu.autograd.grad_mode import _per_thread

F = TypeVar("F", bound=Callable[..., Any])


def recorded_as_one(fn: F) -> F:
    """``fn`` as one step of a recorded program (and unchanged outside ``tg.compile``)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        recorder = _per_thread.flag.recorder
        if recorder is None:
            return fn(*args, **kwargs)
        return recorder.call(fn, args, kwargs)

    return wrapper  # type: ignore[return-value]


def note_read(tensor: Any, value: Any) -> Any:
    """``value``, just read out of ``tensor`` into Python; the recorder is told."""
    recorder = _per_thread.flag.recorder
    if recorder is not None:
        recorder.read(tensor, value)
    return value


def note_write(tensor: Any, op_name: str) -> None:
    """An in-place write (``copy_``, ``fill_``, ``x[i] = v`` ...) about to happen."""
    recorder = _per_thread.flag.recorder
    if recorder is not None:
        recorder.unreplayable(f"{op_name} writes into a tensor in place, which the compiled "
                              f"program cannot repeat (only +=, -=, *=, /= under no_grad)")


def note_draw() -> None:
    """Random numbers are drawn (every draw of the generator comes here)."""
    recorder = _per_thread.flag.recorder
    if recorder is not None:
        recorder.unreplayable("random numbers are drawn outside an op (tg.rand, randint, "
                              "randn ... in the step): a replay would repeat old numbers. "
                              "Dropout is replayed with fresh draws; pass other random "
                              "tensors as arguments")


def note_module(module: Any) -> None:
    """A module is called: its ``training`` flag becomes part of what is checked."""
    recorder = _per_thread.flag.recorder
    if recorder is not None:
        recorder.modules.append(module)
