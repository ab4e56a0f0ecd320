"""``tinygrad_edu.nn``: modules, layers, losses, ``functional`` and ``init``, as ``torch.nn``.

Seed extras (no PyTorch equivalent): ``Perceptron``, ``Neuron``, ``MLP``.
"""

from tinygrad_edu.nn.parameter import Parameter  # isort: skip
from tinygrad_edu.nn.module import Module  # isort: skip
from tinygrad_edu.nn import functional, init
from tinygrad_edu.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_edu.nn.container import ModuleList, Sequential
from tinygrad_edu.nn.dropout import Dropout
from tinygrad_edu.nn.flatten import Flatten
from tinygrad_edu.nn.linear import Identity, Linear
from tinygrad_edu.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
)
from tinygrad_edu.nn.perceptron import Perceptron
from tinygrad_edu.nn.seed_extras import MLP, Neuron

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "Dropout", "Flatten", "Identity",
    "L1Loss", "LeakyReLU", "Linear", "LogSoftmax", "MLP", "MSELoss", "Module", "ModuleList",
    "NLLLoss", "Neuron", "Parameter", "Perceptron", "ReLU", "Sequential", "Sigmoid", "Softmax",
    "Tanh", "functional", "init",
]
