"""``tinygrad_edu.optim``: optimizers that update parameters from their ``.grad``.

As in PyTorch: ``opt = optim.SGD(model.parameters(), lr=0.1)``, then per
batch ``opt.zero_grad()``, ``loss.backward()``, ``opt.step()``.
"""

from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.optim.adam import Adam, AdamW
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.sgd import SGD

__all__ = ["Adam", "AdamW", "Optimizer", "SGD", "lr_scheduler"]
