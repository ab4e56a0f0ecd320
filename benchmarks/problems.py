"""The shared starting point of every implementation: layer sizes, initial weights, batches.

Every implementation receives copies of the same numpy arrays made here, so all of
them start from identical weights and see identical batches in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class MLPSpec:
    """One fully connected network and the training step run on it.

    ``hidden`` is the activation after every layer but the last; ``output`` the one
    after the last ("identity" for a linear output). ``loss`` is "half_sse"
    (E = ½Σ(a−t)², seed 001), "mse" (mean of (y−t)²) or "cross_entropy"
    (log-softmax of the logits, mean negative log-probability of the target class).
    """

    sizes: tuple[int, ...]
    hidden: str
    output: str
    loss: str
    batch: int
    dtype: str
    lr: float = 0.1
    n_batches: int = 4
    seed: int = 0

    @property
    def label(self) -> str:
        return "-".join(str(s) for s in self.sizes)


def init_weights(spec: MLPSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(W, b), ...]`` with W of shape (out, in), drawn as PyTorch's Linear does: U(±1/√in)."""
    rng = np.random.default_rng(spec.seed)
    weights = []
    for fan_in, fan_out in zip(spec.sizes[:-1], spec.sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        w = rng.uniform(-bound, bound, size=(fan_out, fan_in)).astype(spec.dtype)
        b = rng.uniform(-bound, bound, size=(fan_out,)).astype(spec.dtype)
        weights.append((w, b))
    return weights


def make_batches(spec: MLPSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """``spec.n_batches`` input/target pairs of ``spec.batch`` rows for the spec's loss.

    half_sse: noisy XOR corners (σ = 0.15, seed 001; 2 inputs, 1 output); mse: a smooth
    regression target; cross_entropy: uniform "pixels" in [0, 1) and int64 class labels.
    """
    rng = np.random.default_rng(spec.seed + 1)
    n_in, n_out = spec.sizes[0], spec.sizes[-1]
    batches = []
    for _ in range(spec.n_batches):
        if spec.loss == "half_sse":
            corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
            rows = np.resize(np.arange(4), spec.batch)
            x = corners[rows] + rng.normal(0.0, 0.15, size=(spec.batch, 2))
            t = np.logical_xor(corners[rows, :1], corners[rows, 1:]).astype(float)
        elif spec.loss == "mse":
            x = rng.uniform(-2.0, 2.0, size=(spec.batch, n_in))
            t = np.repeat(np.sin(x[:, :1]) * x[:, -1:], n_out, axis=1)
        elif spec.loss == "cross_entropy":
            x = rng.uniform(0.0, 1.0, size=(spec.batch, n_in))
            t = rng.integers(0, n_out, size=spec.batch).astype(np.int64)
        else:
            raise ValueError(f"unknown loss {spec.loss!r}")
        if t.dtype.kind == "f":
            t = t.astype(spec.dtype)
        batches.append((x.astype(spec.dtype), t))
    return batches


# The elementwise chain of cases 5 and 6: op i is CHAIN_OPS[i % 3].
CHAIN_OPS = ("x * 1.001", "x + 0.001", "tanh(x)")


def chain_start(n_elements: int, seed: int = 0) -> np.ndarray:
    """The chain's float32 input: ``n_elements`` values (a 0-d array for 0)."""
    rng = np.random.default_rng(seed)
    if n_elements == 0:
        return np.array(rng.normal(), dtype=np.float32)
    return rng.normal(size=n_elements).astype(np.float32)


# ----- cases 9 and 10: the steps a learner's script runs -------------------------------------
@dataclass(frozen=True)
class MakemoreSpec:
    """The makemore-style character MLP (Karpathy's makemore part 3).

    ``context`` previous characters, each looked up in a ``vocab`` × ``embed``
    table, concatenated, then a Linear without bias to ``hidden`` units,
    BatchNorm1d, tanh, and a Linear to ``vocab`` logits; F.cross_entropy on the
    next character. SGD ``p -= lr * p.grad`` as in the lecture.
    """

    vocab: int = 27
    embed: int = 10
    context: int = 3
    hidden: int = 200
    batch: int = 32
    dtype: str = "float32"
    lr: float = 0.1
    n_batches: int = 4
    momentum: float = 0.1  # BatchNorm1d's default
    eps: float = 1e-5
    seed: int = 0

    @property
    def label(self) -> str:
        return (f"makemore {self.vocab}×{self.embed} emb, context {self.context}, "
                f"{self.hidden} tanh + BN")


def makemore_weights(spec: MakemoreSpec) -> dict[str, np.ndarray]:
    """C ~ N(0, 1) as nn.Embedding; W1 (hidden, context·embed) and W2, b2 U(±1/√in) as Linear."""
    rng = np.random.default_rng(spec.seed)
    fan_in = spec.context * spec.embed
    bound1, bound2 = 1.0 / np.sqrt(fan_in), 1.0 / np.sqrt(spec.hidden)
    weights = {
        "C": rng.normal(size=(spec.vocab, spec.embed)),
        "W1": rng.uniform(-bound1, bound1, size=(spec.hidden, fan_in)),
        "gamma": np.ones(spec.hidden), "beta": np.zeros(spec.hidden),
        "W2": rng.uniform(-bound2, bound2, size=(spec.vocab, spec.hidden)),
        "b2": rng.uniform(-bound2, bound2, size=(spec.vocab,)),
    }
    return {name: w.astype(spec.dtype) for name, w in weights.items()}


# The order in which every makemore implementation lists its parameters (weights()).
MAKEMORE_PARAMETERS = ("C", "W1", "gamma", "beta", "W2", "b2")


def makemore_batches(spec: MakemoreSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """(X, Y): ``context`` character indices per row (int64) and the next character."""
    rng = np.random.default_rng(spec.seed + 1)
    return [(rng.integers(0, spec.vocab, size=(spec.batch, spec.context)).astype(np.int64),
             rng.integers(0, spec.vocab, size=spec.batch).astype(np.int64))
            for _ in range(spec.n_batches)]


@dataclass(frozen=True)
class NeuronSpec:
    """Seed 000's network: one sigmoid neuron a = σ(w · x + b) on Iris, w = 0 and b = 0 at start.

    Cost ½ mean (y − a)², SGD lr 0.5, shuffled minibatches of ``batch`` of the 100
    flowers (the last one holds the rest: 32, 32, 32, 4), float64.
    """

    batch: int = 32
    lr: float = 0.5
    dtype: str = "float64"
    seed: int = 0

    @property
    def label(self) -> str:
        return "seed 000 sigmoid neuron on Iris"


def neuron_batches(spec: NeuronSpec) -> list[tuple[np.ndarray, np.ndarray]]:
    """One epoch of (x (n, 2), y (n, 1)) minibatches of seed 000's 100 flowers, in a fixed order."""
    from tinygrad_edu import datasets

    x, y = datasets.iris(seed_000=True)
    x, y = x.array.astype(spec.dtype), y.array.astype(spec.dtype)
    order = np.random.default_rng(spec.seed).permutation(len(x))
    return [(x[order[i:i + spec.batch]].copy(), y[order[i:i + spec.batch]].copy())
            for i in range(0, len(x), spec.batch)]
