"""Seed extras (no PyTorch equivalent): the seed documents' networks in one line each.

Built only from ``Sequential``, ``Linear`` and the activation layers, so the
``state_dict`` keys are those of the equivalent ``torch.nn.Sequential``
("0.weight", "0.bias", "2.weight", ...).

    Neuron(2, activation=Sigmoid)            # ŷ = σ(w · x + b)
    MLP([2, 3, 1], activation=Sigmoid,       # the 2-3-1 network for XOR
        output_activation=Sigmoid)
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from tinygrad_edu.nn.activation import Sigmoid
from tinygrad_edu.nn.container import Sequential
from tinygrad_edu.nn.linear import Linear
from tinygrad_edu.nn.module import Module

ActivationSpec = type[Module] | Callable[[], Module] | Module | None


def _make_activation(activation: ActivationSpec) -> Module | None:
    """A fresh activation layer: call a class / factory, copy an instance, None for none."""
    if activation is None:
        return None
    if isinstance(activation, Module):
        return copy.deepcopy(activation)
    layer = activation()
    if not isinstance(layer, Module):
        raise TypeError(
            f"activation must be a Module class (e.g. nn.Sigmoid), a Module, or None; "
            f"calling it gave {type(layer).__name__}"
        )
    return layer


class Neuron(Sequential):
    """One artificial neuron: ŷ = f(w · x + b), i.e. ``Sequential(Linear(n, 1), f)``.

    The output has shape (batch, 1). ``activation=None`` leaves the net activation as it is.
    """

    def __init__(self, in_features: int, activation: ActivationSpec = Sigmoid) -> None:
        super().__init__(Linear(in_features, 1))
        layer = _make_activation(activation)
        if layer is not None:
            self.append(layer)


class MLP(Sequential):
    """A multilayer perceptron from a list of layer sizes, e.g. ``MLP([2, 3, 1])``.

    Between consecutive sizes a ``Linear``; after each hidden one ``activation()``;
    after the last ``output_activation()`` unless it is None (raw scores, e.g. for
    ``CrossEntropyLoss``).
    """

    def __init__(self, sizes: Sequence[int], activation: ActivationSpec = Sigmoid,
                 output_activation: ActivationSpec = None) -> None:
        if len(sizes) < 2:
            raise ValueError(
                f"MLP needs at least two sizes (inputs and outputs), got {list(sizes)}"
            )
        super().__init__()
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            self.append(Linear(n_in, n_out))
            is_last = i == len(sizes) - 2
            layer = _make_activation(output_activation if is_last else activation)
            if layer is not None:
                self.append(layer)
