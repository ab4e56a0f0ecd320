"""The same training step in PyTorch (CPU), written with the same raw tensor ops.

Imported only when torch is installed; ``run.py`` skips PyTorch otherwise.
"""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.problems import MakemoreSpec, MLPSpec, NeuronSpec


def _activate(name: str, net: torch.Tensor) -> torch.Tensor:
    if name == "sigmoid":
        return net.sigmoid()
    if name == "tanh":
        return net.tanh()
    if name == "relu":
        return net.relu()
    if name == "identity":
        return net
    raise ValueError(f"unknown activation {name!r}")


def _loss(loss: str, y: torch.Tensor, t: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
    if loss == "half_sse":
        return ((y - t) ** 2).sum() * 0.5
    if loss == "mse":
        return ((y - t) ** 2).mean()
    if loss == "cross_entropy":
        return -y.log_softmax(1)[rows, t].mean()
    raise ValueError(f"unknown loss {loss!r}")


class TorchMLP:
    """The MLP of ``spec`` written with raw PyTorch tensor ops."""

    def __init__(self, spec: MLPSpec, weights: list, batches: list) -> None:
        self.spec = spec
        self.params = [
            (torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True))
            for w, b in weights
        ]
        self.batches = [(torch.tensor(x), torch.tensor(t)) for x, t in batches]
        self.rows = torch.arange(spec.batch)
        self.activations = [spec.hidden] * (len(self.params) - 1) + [spec.output]

    def step(self, k: int) -> torch.Tensor:
        x, t = self.batches[k % len(self.batches)]
        y = x
        for (w, b), name in zip(self.params, self.activations):
            y = _activate(name, y @ w.T + b)
        loss = _loss(self.spec.loss, y, t, self.rows)
        loss.backward()
        lr = self.spec.lr
        with torch.no_grad():
            for w, b in self.params:
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad = None
                b.grad = None
        return loss

    def weights(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for pair in self.params for p in pair]


def chain(x0: np.ndarray, n_ops: int) -> tuple[float, np.ndarray]:
    """``n_ops`` chained ops on a tensor made from ``x0``, summed, then ``backward()``."""
    x = torch.tensor(x0, requires_grad=True)
    y = x
    for i in range(n_ops):
        kind = i % 3
        if kind == 0:
            y = y * 1.001
        elif kind == 1:
            y = y + 0.001
        else:
            y = y.tanh()
    total = y.sum()
    total.backward()
    return total.item(), x.grad.numpy()


# ----- cases 9 and 10: the same scripts in PyTorch --------------------------------------------
class TorchMakemore:
    """The makemore-style step with torch.nn modules and F.cross_entropy."""

    def __init__(self, spec: MakemoreSpec, weights: dict, batches: list) -> None:
        from torch import nn

        self.spec = spec
        dtype = getattr(torch, spec.dtype)
        self.emb = nn.Embedding(spec.vocab, spec.embed, dtype=dtype)
        self.lin1 = nn.Linear(spec.context * spec.embed, spec.hidden, bias=False, dtype=dtype)
        self.bn = nn.BatchNorm1d(spec.hidden, momentum=spec.momentum, eps=spec.eps,
                                 dtype=dtype)
        self.lin2 = nn.Linear(spec.hidden, spec.vocab, dtype=dtype)
        self.parameters = [self.emb.weight, self.lin1.weight, self.bn.weight, self.bn.bias,
                           self.lin2.weight, self.lin2.bias]
        with torch.no_grad():
            for p, name in zip(self.parameters, ("C", "W1", "gamma", "beta", "W2", "b2")):
                p.copy_(torch.from_numpy(weights[name]))
        self.batches = batches

    def step(self, k: int) -> float:
        from torch.nn import functional as F  # noqa: N812

        x, t = self.batches[k % len(self.batches)]
        xb, yb = torch.from_numpy(x), torch.from_numpy(t)
        emb = self.emb(xb)
        h = self.bn(self.lin1(emb.view(emb.shape[0], -1))).tanh()
        loss = F.cross_entropy(self.lin2(h), yb)
        for p in self.parameters:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in self.parameters:
                p -= self.spec.lr * p.grad
        return loss.item()

    def weights(self) -> list[np.ndarray]:
        return ([p.detach().numpy().copy() for p in self.parameters]
                + [self.bn.running_mean.numpy().copy(), self.bn.running_var.numpy().copy()])


class TorchNeuron:
    """Seed 000's neuron with nn.Sequential and torch.optim.SGD."""

    def __init__(self, spec: NeuronSpec, batches: list) -> None:
        from torch import nn

        self.model = nn.Sequential(nn.Linear(2, 1, dtype=torch.float64), nn.Sigmoid())
        with torch.no_grad():
            for p in self.model.parameters():
                p.zero_()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=spec.lr)
        self.batches = batches

    def step(self, k: int) -> float:
        x, y = self.batches[k % len(self.batches)]
        xb, yb = torch.from_numpy(x), torch.from_numpy(y)
        loss = 0.5 * ((yb - self.model(xb)) ** 2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def weights(self) -> list[np.ndarray]:
        return [p.detach().numpy().copy() for p in self.model.parameters()]
