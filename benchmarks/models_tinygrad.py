"""The same training step written with tinygrad_edu: raw tensor ops, and tg.nn + tg.optim.

The raw version is what a user writes first: ``x @ W.T + b``, an activation, the
loss from tensor ops, ``loss.backward()`` and a manual ``no_grad`` SGD update.
"""

from __future__ import annotations

import numpy as np

import tinygrad_edu as tg
from benchmarks.problems import MakemoreSpec, MLPSpec, NeuronSpec


def _activate(name: str, net: tg.Tensor) -> tg.Tensor:
    if name == "sigmoid":
        return net.sigmoid()
    if name == "tanh":
        return net.tanh()
    if name == "relu":
        return net.relu()
    if name == "identity":
        return net
    raise ValueError(f"unknown activation {name!r}")


def _loss(loss: str, y: tg.Tensor, t: tg.Tensor, rows: tg.Tensor) -> tg.Tensor:
    if loss == "half_sse":
        return ((y - t) ** 2).sum() * 0.5
    if loss == "mse":
        return ((y - t) ** 2).mean()
    if loss == "cross_entropy":
        return -y.log_softmax(1)[rows, t].mean()
    raise ValueError(f"unknown loss {loss!r}")


class TinygradMLP:
    """The MLP of ``spec`` written with raw tinygrad_edu tensor ops."""

    def __init__(self, spec: MLPSpec, weights: list, batches: list) -> None:
        self.spec = spec
        self.params = [
            (tg.tensor(w, requires_grad=True), tg.tensor(b, requires_grad=True))
            for w, b in weights
        ]
        self.batches = [(tg.tensor(x), tg.tensor(t)) for x, t in batches]
        self.rows = tg.arange(spec.batch)
        self.activations = [spec.hidden] * (len(self.params) - 1) + [spec.output]

    def step(self, k: int) -> tg.Tensor:
        """One training step on batch ``k``: forward, loss, backward, SGD update."""
        x, t = self.batches[k % len(self.batches)]
        return self.train_step(x, t)

    def train_step(self, x: tg.Tensor, t: tg.Tensor) -> tg.Tensor:
        y = x
        for (w, b), name in zip(self.params, self.activations):
            y = _activate(name, y @ w.T + b)
        loss = _loss(self.spec.loss, y, t, self.rows)
        loss.backward()
        lr = self.spec.lr
        with tg.no_grad():
            for w, b in self.params:
                w -= lr * w.grad
                b -= lr * b.grad
                w.grad = None
                b.grad = None
        return loss

    def weights(self) -> list[np.ndarray]:
        return [p.array.copy() for pair in self.params for p in pair]


def nn_optim_missing() -> str | None:
    """Why the tg.nn + tg.optim variant cannot run yet, or None when it can."""
    try:
        from tinygrad_edu import nn, optim
    except ImportError as error:
        return f"tinygrad_edu.nn / optim cannot be imported ({error})"
    needed = {"nn": (nn, ("Sequential", "Linear", "ReLU", "Tanh", "Sigmoid", "CrossEntropyLoss",
                          "MSELoss")),
              "optim": (optim, ("SGD",))}
    missing = [f"{module}.{name}" for module, (obj, names) in needed.items()
               for name in names if not hasattr(obj, name)]
    return f"not there yet: {', '.join(missing)}" if missing else None


class TinygradNNMLP:
    """The same step written the PyTorch way: nn.Sequential, a loss module, optim.SGD.

    Only the losses that tg.nn offers directly: "cross_entropy" and "mse".
    """

    def __init__(self, spec: MLPSpec, weights: list, batches: list) -> None:
        from tinygrad_edu import nn, optim

        modules = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
        layers = []
        for i, (w, b) in enumerate(weights):
            linear = nn.Linear(w.shape[1], w.shape[0])
            with tg.no_grad():
                linear.weight.copy_(tg.tensor(w))
                linear.bias.copy_(tg.tensor(b))
            layers.append(linear)
            name = spec.hidden if i < len(weights) - 1 else spec.output
            if name != "identity":
                layers.append(modules[name]())
        self.model = nn.Sequential(*layers)
        if spec.loss == "cross_entropy":
            self.loss_fn = nn.CrossEntropyLoss()
        elif spec.loss == "mse":
            self.loss_fn = nn.MSELoss()
        else:
            raise ValueError(f"tg.nn has no loss module for {spec.loss!r}")
        self.optimizer = optim.SGD(self.model.parameters(), lr=spec.lr)
        self.batches = [(tg.tensor(x), tg.tensor(t)) for x, t in batches]

    def step(self, k: int) -> tg.Tensor:
        x, t = self.batches[k % len(self.batches)]
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(x), t)
        loss.backward()
        self.optimizer.step()
        return loss

    def weights(self) -> list[np.ndarray]:
        return [p.array.copy() for p in self.model.parameters()]


def chain(x0: np.ndarray, n_ops: int) -> tuple[float, np.ndarray]:
    """``n_ops`` chained ops on a tensor made from ``x0``, summed, then ``backward()``."""
    x = tg.tensor(x0, requires_grad=True)
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
    return total.item(), x.grad.array


# ----- cases 9 and 10: written as a learner's script, batches turned into tensors each step ---
class TinygradMakemore:
    """The makemore-style step with nn.Embedding, nn.Linear, nn.BatchNorm1d, F.cross_entropy."""

    def __init__(self, spec: MakemoreSpec, weights: dict, batches: list) -> None:
        from tinygrad_edu import nn

        self.spec = spec
        dtype = getattr(tg, spec.dtype)
        self.emb = nn.Embedding(spec.vocab, spec.embed, dtype=dtype)
        self.lin1 = nn.Linear(spec.context * spec.embed, spec.hidden, bias=False, dtype=dtype)
        self.bn = nn.BatchNorm1d(spec.hidden, momentum=spec.momentum, eps=spec.eps,
                                 dtype=dtype)
        self.lin2 = nn.Linear(spec.hidden, spec.vocab, dtype=dtype)
        self.parameters = [self.emb.weight, self.lin1.weight, self.bn.weight, self.bn.bias,
                           self.lin2.weight, self.lin2.bias]
        with tg.no_grad():
            for p, name in zip(self.parameters, ("C", "W1", "gamma", "beta", "W2", "b2")):
                p.copy_(tg.tensor(weights[name]))
        self.batches = batches

    def step(self, k: int) -> float:
        x, t = self.batches[k % len(self.batches)]
        return self.train_step(tg.from_numpy(x), tg.from_numpy(t))

    def train_step(self, xb: tg.Tensor, yb: tg.Tensor) -> float:
        from tinygrad_edu.nn import functional as F  # noqa: N812

        emb = self.emb(xb)
        h = self.bn(self.lin1(emb.view(emb.shape[0], -1))).tanh()
        loss = F.cross_entropy(self.lin2(h), yb)
        for p in self.parameters:
            p.grad = None
        loss.backward()
        with tg.no_grad():
            for p in self.parameters:
                p -= self.spec.lr * p.grad
        return loss.item()

    def weights(self) -> list[np.ndarray]:
        return ([p.array.copy() for p in self.parameters]
                + [self.bn.running_mean.array.copy(), self.bn.running_var.array.copy()])


class TinygradNeuron:
    """Seed 000's neuron as examples/neuron_iris.py writes it: nn.Sequential and optim.SGD."""

    def __init__(self, spec: NeuronSpec, batches: list) -> None:
        from tinygrad_edu import nn, optim

        self.model = nn.Sequential(nn.Linear(2, 1, dtype=tg.float64), nn.Sigmoid())
        with tg.no_grad():
            for p in self.model.parameters():
                p.zero_()
        self.optimizer = optim.SGD(self.model.parameters(), lr=spec.lr)
        self.batches = batches

    def step(self, k: int) -> float:
        x, y = self.batches[k % len(self.batches)]
        return self.train_step(tg.from_numpy(x), tg.from_numpy(y))

    def train_step(self, xb: tg.Tensor, yb: tg.Tensor) -> float:
        loss = 0.5 * ((yb - self.model(xb)) ** 2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return loss.item()

    def weights(self) -> list[np.ndarray]:
        return [p.array.copy() for p in self.model.parameters()]


# ----- issue 16: the same steps compiled with tg.compile ---------------------------------------
class CompiledMLP(TinygradMLP):
    """``TinygradMLP``'s raw-ops step, ``train_step`` compiled with ``tg.compile``."""

    def __init__(self, spec: MLPSpec, weights: list, batches: list) -> None:
        super().__init__(spec, weights, batches)
        self.train_step = tg.compile(self.train_step)


class CompiledMakemore(TinygradMakemore):
    """``TinygradMakemore``'s step (from_numpy outside, the rest compiled)."""

    def __init__(self, spec: MakemoreSpec, weights: dict, batches: list) -> None:
        super().__init__(spec, weights, batches)
        self.train_step = tg.compile(self.train_step)


class CompiledNeuron(TinygradNeuron):
    """``TinygradNeuron``'s step (from_numpy outside, the rest compiled)."""

    def __init__(self, spec: NeuronSpec, batches: list) -> None:
        super().__init__(spec, batches)
        self.train_step = tg.compile(self.train_step)
