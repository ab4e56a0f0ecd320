"""tg.compile against PyTorch: compiled steps from the same weights give PyTorch's losses
and weights (to float tolerance), over more steps than the two recordings."""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository: `benchmarks`

from benchmarks import models_tinygrad, models_torch  # noqa: E402
from benchmarks.problems import (  # noqa: E402
    MakemoreSpec,
    NeuronSpec,
    makemore_batches,
    makemore_weights,
    neuron_batches,
)


def _compiled_steps(model, steps):
    fast = tg.compile(model.step)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return [fast(k % len(model.batches)) for k in range(steps)], fast


@pytest.mark.parametrize("kind", ["makemore", "neuron"])
def test_compiled_steps_give_pytorchs_losses_and_weights(kind):
    torch.set_num_threads(1)
    if kind == "makemore":
        spec = MakemoreSpec()
        weights, batches = makemore_weights(spec), makemore_batches(spec)
        ours = models_tinygrad.TinygradMakemore(spec, weights, batches)
        theirs = models_torch.TorchMakemore(spec, weights, batches)
        rtol = 2e-4
    else:
        spec = NeuronSpec()
        batches = neuron_batches(spec)
        ours = models_tinygrad.TinygradNeuron(spec, batches)
        theirs = models_torch.TorchNeuron(spec, batches)
        rtol = 1e-10
    losses, fast = _compiled_steps(ours, 12)
    expected = [theirs.step(k % len(batches)) for k in range(12)]
    np.testing.assert_allclose(losses, expected, rtol=rtol)
    for got, want in zip(ours.weights(), theirs.weights(), strict=True):
        np.testing.assert_allclose(got, want, rtol=rtol * 10, atol=rtol)
    assert all(entry.program is not None for entry in fast._entries.values())
