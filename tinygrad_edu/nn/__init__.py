"""``tinygrad_edu.nn``: modules, layers, losses, ``functional`` and ``init``, as ``torch.nn``.

Seed extras (no PyTorch equivalent): ``Perceptron``, ``Neuron``, ``MLP``.
"""

from tinygrad_edu.nn.parameter import Parameter  # isort: skip
from tinygrad_edu.nn.module import Module  # isort: skip
from tinygrad_edu.nn import functional, init
from tinygrad_edu.nn.activation import LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from tinygrad_edu.nn.container import ModuleList, Sequential
from tinygrad_edu.nn.dropout import Dropout
from tinygrad_edu.nn.embedding import Embedding
from tinygrad_edu.nn.flatten import Flatten
from tinygrad_edu.nn.linear import Identity, Linear
from tinygrad_edu.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from tinygrad_edu.nn.normalization import BatchNorm1d, LayerNorm
from tinygrad_edu.nn.perceptron import Perceptron
from tinygrad_edu.nn.seed_extras import MLP, Neuron
from tinygrad_edu.nn import utils

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "Embedding",
    "Flatten", "HuberLoss", "Identity", "L1Loss", "LayerNorm", "LeakyReLU", "Linear",
    "LogSoftmax", "MLP", "MSELoss", "Module", "ModuleList", "NLLLoss", "Neuron", "Parameter",
    "Perceptron", "ReLU", "Sequential", "Sigmoid", "SmoothL1Loss", "Softmax", "Tanh",
    "functional", "init", "utils",
]
