"""``Optimizer``: parameter groups, per-parameter state, and a validated ``step``.

An optimizer holds ``param_groups``, a list of dicts: each has ``"params"``
(a list of leaf tensors) and that group's hyperparameters (``"lr"`` ...),
filled in from the optimizer's ``defaults`` where the group did not set them.
``state[p]`` is a dict of what the algorithm remembers about parameter ``p``
(a momentum buffer, Adam's moment estimates ...).

Subclasses write only ``_update(param, grad, state, group)``: the update of
one parameter, in place on the numpy arrays ``param.array`` and its state.
``step`` first checks every gradient, and only then updates, so a step that
fails leaves every parameter as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from tinygrad_edu.argcheck import check_number
from tinygrad_edu.autograd.grad_mode import enable_grad
from tinygrad_edu.autograd.recording import recorded_as_one
from tinygrad_edu.tensor import Tensor, _wrap


class Optimizer:
    """Base class of all optimizers (PyTorch's ``torch.optim.Optimizer``).

    ``params`` is an iterable of tensors, or of dicts ``{"params": [...],
    "lr": ...}`` giving each group its own options; ``defaults`` holds the
    options a group does not set.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got a Tensor; wrap it in a list: [tensor]"
            )
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {key}: {value}" for key, value in sorted(group.items())
                      if key != "params"]
        return "\n".join(lines) + "\n)"

    # ----- parameter groups -----------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters (with its own options) to optimize from now on."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, got {type(param_group).__name__}")
        params = param_group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs; use a list"
            )
        elif params is None:
            raise ValueError("a parameter group needs a 'params' entry")
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(
                    "can't optimize a non-leaf Tensor (it was made by an op; optimize the leaf "
                    "tensors it was computed from)"
                )
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        already_there = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in already_there for p in params):
            raise ValueError("some parameters appear in more than one parameter group")

        group = {**self.defaults, **param_group, "params": params}
        self._check_options(group)
        self.param_groups.append(group)

    def _check_options(self, group: dict) -> None:
        """Raise ValueError for a group's invalid hyperparameters (subclasses extend)."""
        if "lr" in group:  # an Optimizer subclass may have no learning rate at all
            lr = group["lr"]
            check_number("lr", lr, type(self).__name__)
            if not lr >= 0.0:
                raise ValueError(f"Invalid learning rate: {lr}")

    # ----- gradients and the step -----------------------------------------------------
    @recorded_as_one  # tg.compile replays it as one step (recording.py)
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``grad = None`` (default), or fill it with 0."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p._grad = None  # the slot behind .grad (its setter checks user values)
                else:
                    if p.grad.grad_fn is not None:
                        p._grad = p.grad.detach()
                    p.grad.array[...] = 0
                    p.grad._version.value += 1

    @recorded_as_one  # tg.compile replays it as one step (recording.py)
    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()`` if given.

        ``closure`` re-evaluates the model and returns the loss (it should
        call ``zero_grad`` and ``backward`` itself).
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        to_update = []  # everything is checked first: a step that fails changes nothing
        for group in self.param_groups:
            self._check_options(group)  # options may have been changed since (by hand)
            for p in group["params"]:
                if p.grad is not None:
                    to_update.append((p, _checked_grad(p), group))
        for p, grad, group in to_update:
            self._update(p, grad, self.state.setdefault(p, {}), group)
            p._version.value += 1
        return loss

    def _update(self, param: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        """Change ``param.array`` in place, given its gradient array (subclasses write this)."""
        raise NotImplementedError(f"{type(self).__name__} does not implement _update")

    # ----- saving and restoring -------------------------------------------------------
    def state_dict(self) -> dict:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}``.

        PyTorch's layout: parameters are numbered in order over all groups.
        Unlike PyTorch, the state's tensors are copies (a snapshot).
        """
        index = 0
        param_groups, state = [], {}
        for group in self.param_groups:
            indices = []
            for p in group["params"]:
                if p in self.state:
                    state[index] = {key: _copy(value) for key, value in self.state[p].items()}
                indices.append(index)
                index += 1
            param_groups.append({**{k: v for k, v in group.items() if k != "params"},
                                 "params": indices})
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore options and state saved by ``state_dict``; checked before anything changes."""
        if not isinstance(state_dict, dict) or "param_groups" not in state_dict:
            raise TypeError(f"{type(self).__name__}.load_state_dict(): expected the dict that "
                            f"state_dict() returns, got {type(state_dict).__name__}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)}) than the optimizer ({len(self.param_groups)})"
            )
        by_index = {}
        for group, saved in zip(self.param_groups, saved_groups):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group of {len(saved['params'])} "
                    f"parameters that doesn't match the size of optimizer's group "
                    f"({len(group['params'])})"
                )
            by_index.update(zip(saved["params"], group["params"]))

        new_state = {}
        for index, saved_state in state_dict["state"].items():
            if index not in by_index:
                raise ValueError(f"loaded state dict has state for unknown parameter {index}")
            p = by_index[index]
            new_state[p] = {key: _state_value_for(p, key, value, index)
                            for key, value in saved_state.items()}

        for group, saved in zip(self.param_groups, saved_groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = new_state


def _checked_grad(p: Tensor) -> np.ndarray:
    """``p.grad``'s array, after checking that it can update ``p``."""
    grad = p.grad
    if not isinstance(grad, Tensor):
        raise TypeError(f"a parameter's grad must be a Tensor, got {type(grad).__name__}")
    if grad.shape != p.shape:
        raise RuntimeError(
            f"a parameter of shape {tuple(p.shape)} has a grad of shape {tuple(grad.shape)}; "
            f"nothing was updated"
        )
    if grad.array.dtype.kind != "f" or p.array.dtype.kind != "f":
        raise TypeError(
            f"optimizers update floating point parameters with floating point grads, got a "
            f"parameter of dtype {p.dtype} with a grad of dtype {grad.dtype}"
        )
    if not p.array.flags.writeable:
        raise RuntimeError(
            f"a parameter of shape {tuple(p.shape)} is read-only (made from a read-only numpy "
            f"array?); nothing was updated"
        )
    return grad.array


def _copy(value: Any) -> Any:
    return _wrap(value.array.copy()) if isinstance(value, Tensor) else value


def _state_value_for(p: Tensor, key: str, value: Any, index: int) -> Any:
    """A saved state entry as ``p``'s own copy: buffers must have ``p``'s shape and dtype."""
    if not isinstance(value, Tensor):
        return value
    if value.shape != p.shape:
        raise ValueError(
            f"loaded state dict's {key!r} for parameter {index} has shape "
            f"{tuple(value.shape)}, but the parameter has shape {tuple(p.shape)}"
        )
    return _wrap(value.array.astype(p.array.dtype, copy=True))
