"""``tinygrad_edu.optim``: optimizers that update parameters from their ``.grad``.

As in PyTorch: ``opt = optim.SGD(model.parameters(), lr=0.1)``, then per
batch ``opt.zero_grad()``, ``loss.backward()``, ``opt.step()``.
"""

from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.optim.adagrad import Adagrad
from tinygrad_edu.optim.adam import Adam, AdamW
from tinygrad_edu.optim.optimizer import Optimizer
from tinygrad_edu.optim.rmsprop import RMSprop
from tinygrad_edu.optim.sgd import SGD

__all__ = ["Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "SGD", "lr_scheduler"]
