"""``tg.compile``: record a step once, then replay it without the Python around the ops.

How a compiler for autograd works, in three steps:

1. **Record** (``record.py``). The first call runs the step eagerly — its
   results *are* eager mode's — with a recorder switched on that writes down
   every op, every node's backward, every gradient added into ``.grad``, every
   optimizer step, as a list of units, and what each one read and made (without
   keeping the arrays alive: the call's memory is eager mode's).
2. **Check** (``program.py``, ``resolve.py``). The second call is recorded too. The two
   recordings must be the same list of units given the same Python values;
   every tensor a unit reads must be an input, the output of an earlier unit,
   a live tensor (the same object both times: a parameter, a buffer) or a
   constant (equal values both times). Then the units become a ``Program``, whose
   buffers share memory where their values are alive at different times (``memory.py``).
3. **Replay** (``steps.py``, ``kernels.py``). From the third call on, when the guards hold —
   the same input shapes, dtypes and ``requires_grad``, the same grad mode, the
   same ``training`` flags, the same ``.grad``\\ s set or None — the program
   calls the units again on the new arrays, in the same order: the same numpy
   calls on the same dtypes, so the results are eager mode's, bit for bit.

Whatever a program cannot repeat faithfully — a value read into Python in the
middle of the step, Python choices that differ between calls, a hook, random
numbers drawn outside the library's random ops — makes the step run eagerly,
with one warning that says why (``fullgraph=True`` raises the reason instead).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.autograd.grad_mode import _per_thread
from tinygrad_edu.compiler.program import CannotCompile, Program, build, entry_state
from tinygrad_edu.compiler.record import Recorder, flatten
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor

RECOMPILE_LIMIT = 8  # recordings of one compiled function before it stays eager (PyTorch: 8)


class _Entry:
    """What is known about one call signature: a first recording, a program, or a failure."""

    __slots__ = ("first", "known", "program", "failure")

    def __init__(self) -> None:
        self.first: tuple | None = None
        self.known: list = []
        self.program: Program | None = None
        self.failure: str | None = None


class CompiledFunction:
    """A function that records itself on its first two calls and replays from the third."""

    def __init__(self, fn: Callable, fullgraph: bool = False) -> None:
        self.fn = fn
        self.fullgraph = fullgraph
        self.name = getattr(fn, "__qualname__", None) or type(fn).__name__
        self._entries: dict = {}
        self._recordings = 0
        self._eager: str | None = None  # set once the recompile limit is reached
        self._warned: set = set()
        self._globals = _python_values_read_by(fn)
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__wrapped__ = fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        flag = _per_thread.flag
        if flag.recorder is not None or self._eager is not None:  # inside another recording
            return self.fn(*args, **kwargs)
        if not kwargs and all([type(a) is Tensor for a in args]):  # the usual call: quicker
            leaves = args  # a tuple: the program only reads it
            key = (flag.enabled, _python_values(self._globals),
                   *[(a.array.shape, a.array.strides, a.array.dtype, a.requires_grad)
                     for a in args])
        else:
            leaves = []
            tree = flatten((args, kwargs), leaves)
            key = _signature(tree, leaves, flag.enabled, self._globals)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        if entry.failure is not None:
            return self.fn(*args, **kwargs)
        program = entry.program
        if program is not None and program.running:  # called again from inside its own run
            return self.fn(*args, **kwargs)
        if program is not None:
            if program.guard():
                return program.run(leaves)
            entry.program = None  # the state changed since: record again
        if self._recordings >= RECOMPILE_LIMIT:
            self._eager = (f"it was recorded {RECOMPILE_LIMIT} times (new input shapes, dtypes "
                           f"or Python values, or changed train/eval modes or .grad states)")
            self._fall_back(self._eager)
            return self.fn(*args, **kwargs)
        return self._record(entry, args, kwargs, leaves)

    def _record(self, entry: _Entry, args: tuple, kwargs: dict, leaves: list) -> Any:
        self._recordings += 1
        known = entry.known if entry.first is not None else []
        entry_guard = entry_state(entry.first[0], known) if entry.first is not None else None
        recorder = Recorder(leaves, known)
        flag = _per_thread.flag
        flag.recorder = recorder
        try:
            result = self.fn(*args, **kwargs)
            recorder._check_grads()  # a p.grad = None at the very end of the step
        finally:
            flag.recorder = None
        if recorder.failure is not None:
            entry.failure = recorder.failure
            self._fall_back(recorder.failure)
            return result
        if entry.first is None:
            recorder.compact()  # free the step's arrays before the second call
            entry.first = (recorder, result)
            entry.known = list(recorder.leaves.values())
            return result
        first, first_result = entry.first
        entry.first = None
        try:
            entry.program = build(first, recorder, (first_result, result), known,
                                  entry_guard)
        except CannotCompile as error:
            entry.failure = str(error)
            self._fall_back(entry.failure)
        return result

    def _fall_back(self, reason: str) -> None:
        if self.fullgraph:
            raise RuntimeError(f"tg.compile(fullgraph=True): {self.name} cannot be compiled: "
                               f"{reason}")
        if reason not in self._warned:
            self._warned.add(reason)
            warnings.warn(f"tg.compile: {self.name} runs in eager mode: {reason}",
                          stacklevel=4)

    def __repr__(self) -> str:
        return f"<compiled {self.name}>"


# numbers a step may turn into tensors (numpy's too); a set: ``type(v) in`` a tuple of types
# compares with each (measured: case 10's _python_values 0.87 -> 0.39 µs a call)
_PLAIN = frozenset({bool, int, float, complex, str, type(None), np.float64, np.float32,
                    np.int64, np.int32, np.bool_})


def _python_values_read_by(fn: Callable) -> list:
    """Where ``fn`` reads Python values that its ops may bake in: its globals and closure
    cells (``lr`` in ``p -= lr * p.grad``), and for a method its object's attributes."""
    code = getattr(fn, "__code__", None)
    places: list = []
    if code is not None:
        scope = getattr(fn, "__globals__", {})
        places += [(scope, name) for name in code.co_names if name in scope]
        cells = getattr(fn, "__closure__", None) or ()
        places += [(cell, None) for cell in cells]
    owner = getattr(fn, "__self__", None)
    if owner is not None and hasattr(owner, "__dict__") and not isinstance(owner, Module):
        places.append((owner.__dict__, ...))
    return places


def _python_values(places: list) -> tuple:
    values: list = []
    for place, name in places:
        if name is None:  # a closure cell
            try:
                value = place.cell_contents
            except ValueError:  # not filled yet
                continue
        elif name is ...:  # an object's attributes
            values += [item for item in place.items() if type(item[1]) in _PLAIN]
            continue
        else:
            value = place.get(name)
        if type(value) in _PLAIN:
            values.append(value)
    return tuple(values)


def _signature(tree: Any, leaves: list, grad_mode: bool, places: list) -> tuple:
    """What must repeat for a program to be replayed: the arguments' structure, each
    tensor's shape, dtype and requires_grad, each other argument's value, grad mode, and
    the Python numbers the function reads from its globals and closure."""
    key: list = [grad_mode, tree, _python_values(places)]
    for value in leaves:
        if isinstance(value, Tensor):
            key.append((type(value), value.array.shape, value.array.strides, value.array.dtype,
                        value.requires_grad))
        elif hasattr(value, "shape") and hasattr(value, "dtype"):  # a numpy array
            key.append(("array", value.shape, value.dtype))
        else:
            try:
                hash(value)
                key.append((type(value), value))
            except TypeError:
                key.append((type(value), id(value)))
    return tuple(key)


class CompiledModule(Module):
    """A module whose calls are compiled; everything else is the original module's.

    Parameters, buffers, ``train()`` / ``eval()``, ``zero_grad()`` and ``to()``
    reach the original (it is the child ``_orig_mod``, as in PyTorch); unlike
    PyTorch, ``state_dict()`` and ``load_state_dict()`` use the original's keys,
    without the ``_orig_mod.`` prefix, so a checkpoint loads into the plain model.
    """

    def __init__(self, module: Module, fullgraph: bool = False) -> None:
        super().__init__()
        self._orig_mod = module
        object.__setattr__(self, "_compiled_call", CompiledFunction(module, fullgraph))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._compiled_call(*args, **kwargs)

    def state_dict(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod.state_dict(*args, **kwargs)

    def load_state_dict(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod.load_state_dict(*args, **kwargs)

    def named_parameters(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod.named_parameters(*args, **kwargs)

    def named_buffers(self, *args: Any, **kwargs: Any) -> Any:
        return self._orig_mod.named_buffers(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)

    def __repr__(self) -> str:  # PyTorch's: OptimizedModule( (_orig_mod): ... )
        inner = repr(self._orig_mod).replace("\n", "\n  ")
        return f"OptimizedModule(\n  (_orig_mod): {inner}\n)"


def compile(  # noqa: A001 - PyTorch's name
    model: Callable | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: Any = "inductor",
    mode: str | None = None,
    options: dict | None = None,
    disable: bool = False,
) -> Any:
    """PyTorch's ``torch.compile``: a function or module that replays its recorded steps.

    ``fullgraph=True`` raises (with the reason) where the default would fall
    back to eager mode with a warning. ``dynamic``, ``backend``, ``mode`` and
    ``options`` are accepted so that PyTorch scripts run, and ignored: there is
    one backend (numpy), no code generation to tune, and every new shape is
    recorded anew (``dynamic=True`` would need symbolic shapes). ``disable=True``
    returns ``model`` unchanged. Used without ``model`` it is a decorator.
    """
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                  mode=mode, options=options, disable=disable)
    if disable:
        return model
    if isinstance(model, Module):
        return CompiledModule(model, fullgraph)
    if not callable(model):
        raise TypeError(f"tg.compile expects a function or a Module, got "
                        f"{type(model).__name__}")
    return CompiledFunction(model, fullgraph)


__all__ = ["CompiledFunction", "CompiledModule", "compile"]
