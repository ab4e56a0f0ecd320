"""A yardstick for cases 1, 2 and 5: the cheapest graph-recording autodiff Python allows.

    .venv/bin/python benchmarks/floor.py          # about 30 s
    .venv/bin/python benchmarks/floor.py --quick

``Node`` below is a reverse-mode engine in the style of micrograd, on numpy
arrays: each op stores a closure computing its inputs' gradients, backward walks
the graph in dependency order. It does nothing else: no dtype promotion, no shape
or type checks, no version counters, hooks, grad modes or second derivatives, and
only the ops these three cases use. It is not part of tinygrad_edu.

It shows what part of the gap to hand-written numpy is the price of recording a
graph in Python at all, and what part is tinygrad_edu's own: its timings sit
between this floor and tinygrad_edu's in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from benchmarks import models_numpy, models_tinygrad  # noqa: E402
from benchmarks.cases import _assert_close, _stepper, _tolerance  # noqa: E402
from benchmarks.problems import MLPSpec, chain_start, init_weights, make_batches  # noqa: E402
from benchmarks.timing import interleaved_medians  # noqa: E402


class Node:
    """An array, the nodes it was made from, and how to send a gradient back to them."""

    __slots__ = ("data", "grad", "parents", "backward_fn")

    def __init__(self, data: np.ndarray, parents: tuple = (), backward_fn=None) -> None:
        self.data, self.grad, self.parents, self.backward_fn = data, None, parents, backward_fn

    def __matmul__(self, other: Node) -> Node:  # g ↦ (g Bᵀ, Aᵀ g)
        a, b = self.data, other.data
        return Node(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def transpose(self) -> Node:
        return Node(self.data.T, (self,), lambda g: (g.T,))

    def __add__(self, other: Node) -> Node:  # other is a bias row: its gradient sums the rows
        return Node(self.data + other.data, (self, other), lambda g: (g, g.sum(axis=0)))

    def __sub__(self, target: np.ndarray) -> Node:
        return Node(self.data - target, (self,), lambda g: (g,))

    def scale(self, c: float) -> Node:
        return Node(self.data * c, (self,), lambda g: (g * c,))

    def shift(self, c: float) -> Node:
        return Node(self.data + c, (self,), lambda g: (g,))

    def square(self) -> Node:
        x = self.data
        return Node(x * x, (self,), lambda g: (2 * x * g,))

    def sigmoid(self) -> Node:
        y = 1 / (1 + np.exp(-self.data))
        return Node(y, (self,), lambda g: (g * y * (1 - y),))

    def tanh(self) -> Node:
        y = np.tanh(self.data)
        return Node(y, (self,), lambda g: (g * (1 - y * y),))

    def sum(self) -> Node:
        shape = self.data.shape
        return Node(self.data.sum(), (self,), lambda g: (np.broadcast_to(g, shape),))

    def mean(self) -> Node:
        shape, n = self.data.shape, self.data.size
        return Node(self.data.mean(), (self,), lambda g: (np.broadcast_to(g / n, shape),))

    def backward(self) -> None:
        """Dependency-counted, iterative: each node runs once, after all its consumers."""
        waiting, stack, seen = {}, [self], {self}
        while stack:
            for parent in stack.pop().parents:
                waiting[parent] = waiting.get(parent, 0) + 1
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        grads, ready = {self: np.ones_like(self.data)}, [self]
        while ready:
            node = ready.pop()
            g = grads.pop(node)
            if node.backward_fn is None:  # a leaf
                node.grad = g
                continue
            for parent, parent_grad in zip(node.parents, node.backward_fn(g)):
                grads[parent] = grads[parent] + parent_grad if parent in grads else parent_grad
                waiting[parent] -= 1
                if waiting[parent] == 0:
                    ready.append(parent)


class FloorMLP:
    """Cases 1 and 2 (sigmoid/tanh hidden layers, half-SSE or MSE) on ``Node``."""

    def __init__(self, spec: MLPSpec, weights: list, batches: list) -> None:
        if spec.loss not in ("half_sse", "mse"):
            raise ValueError("the floor engine has no cross-entropy")
        self.spec = spec
        self.params = [(Node(w.copy()), Node(b.copy())) for w, b in weights]
        self.batches = [(Node(x), t) for x, t in batches]
        self.activations = [spec.hidden] * (len(weights) - 1) + [spec.output]

    def step(self, k: int) -> Node:
        x, t = self.batches[k % len(self.batches)]
        y = x
        for (w, b), name in zip(self.params, self.activations):
            y = y @ w.transpose() + b
            y = y.sigmoid() if name == "sigmoid" else y.tanh() if name == "tanh" else y
        squared = (y - t).square()
        loss = squared.sum().scale(0.5) if self.spec.loss == "half_sse" else squared.mean()
        loss.backward()
        for w, b in self.params:
            w.data -= self.spec.lr * w.grad
            b.data -= self.spec.lr * b.grad
        return loss

    def weights(self) -> list[np.ndarray]:
        return [p.data.copy() for pair in self.params for p in pair]


def floor_chain(x0: np.ndarray, n_ops: int) -> tuple[float, np.ndarray]:
    """Case 5's chain on ``Node``."""
    x = Node(x0.copy())
    y = x
    for i in range(n_ops):
        kind = i % 3
        y = y.scale(1.001) if kind == 0 else y.shift(0.001) if kind == 1 else y.tanh()
    total = y.sum()
    total.backward()
    return float(total.data), x.grad


def main() -> None:
    from benchmarks.run import TANH, XOR

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds (a smoke run)")
    quick = parser.parse_args().quick
    rounds, repeats = (3, 10) if quick else (21, 100)
    print("implementation: median per step (ratio to hand-written numpy)")
    for spec in (XOR, TANH):
        weights, batches = init_weights(spec), make_batches(spec)
        models = {"numpy": models_numpy.NumpyMLP(spec, weights, batches),
                  "floor": FloorMLP(spec, weights, batches),
                  "tg": models_tinygrad.TinygradMLP(spec, weights, batches)}
        expected_loss = float(models["numpy"].step(0))
        for name in ("floor", "tg"):  # same first step as numpy, or nothing is timed
            _assert_close(f"{name} loss", float(models[name].step(0).data), expected_loss,
                          _tolerance(spec.dtype))
            for got, want in zip(models[name].weights(), models["numpy"].weights()):
                _assert_close(f"{name} weights", got, want, _tolerance(spec.dtype))
        medians = interleaved_medians(
            {name: _stepper(model) for name, model in models.items()},
            rounds, repeats)
        _print_line(spec.label, medians, 1e6, "µs/step")

    x0 = chain_start(16)
    expected_total, expected_grad = models_numpy.chain(x0, 1000)
    total, grad = floor_chain(x0, 1000)
    _assert_close("floor chain", [total, *grad], [expected_total, *expected_grad],
                  {"rtol": 1e-4, "atol": 1e-6})
    medians = interleaved_medians({"numpy": lambda: models_numpy.chain(x0, 1000),
                                   "floor": lambda: floor_chain(x0, 1000),
                                   "tg": lambda: models_tinygrad.chain(x0, 1000)},
                                  rounds, max(1, repeats // 20))
    _print_line("1000-op chain", medians, 1e6 / 1000, "µs/op")


def _print_line(label: str, medians: dict, scale: float, unit: str) -> None:
    base = medians["numpy"]
    parts = [f"{name} {seconds * scale:.1f} {unit} ({seconds / base:.2f}×)"
             for name, seconds in medians.items()]
    print(f"{label:>14}: " + ", ".join(parts))


if __name__ == "__main__":
    main()
