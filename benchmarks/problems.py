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
