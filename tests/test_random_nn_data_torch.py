"""Seeded models, dropout masks, shuffles and a short training run give PyTorch's numbers."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim
from tinygrad_edu.nn import init
from tinygrad_edu.utils import data

torch = pytest.importorskip("torch")
from torch.utils import data as torch_data  # noqa: E402


def seeded(seed):
    tg.manual_seed(seed)
    torch.manual_seed(seed)


def same_state():
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())


def test_linear_784_256_has_pytorchs_weights():
    seeded(0)
    ours, theirs = nn.Linear(784, 256), torch.nn.Linear(784, 256)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    np.testing.assert_array_equal(ours.bias.detach().numpy(), theirs.bias.detach().numpy())
    same_state()


@pytest.mark.parametrize("name, args", [
    ("uniform_", (-0.5, 2.0)), ("normal_", (0.3, 0.02)), ("xavier_uniform_", ()),
    ("xavier_normal_", (2.0,)), ("kaiming_uniform_", (math.sqrt(5),)),
    ("kaiming_normal_", (0, "fan_out", "relu")),
])
@pytest.mark.parametrize("shape", [(3, 5), (64, 33), (8, 4, 3, 3)])
def test_init_functions(name, args, shape):
    seeded(3)
    ours, theirs = tg.empty(shape), torch.empty(shape)
    getattr(init, name)(ours, *args)
    getattr(torch.nn.init, name)(theirs, *args)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    same_state()


@pytest.mark.parametrize("bounds", [(0.1, 0.5, -0.4, 0.9), (0.0, 1.0, -2.0, 2.0),
                                    (0.0, 0.02, 0.01, 0.03)])
def test_trunc_normal(bounds):
    seeded(4)
    ours, theirs = tg.empty(50, 40), torch.empty(50, 40)
    init.trunc_normal_(ours, *bounds)
    torch.nn.init.trunc_normal_(theirs, *bounds)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    same_state()


def test_init_takes_a_generator():
    ours, theirs = tg.empty(20), torch.empty(20)
    init.normal_(ours, generator=tg.Generator().manual_seed(5))
    torch.nn.init.normal_(theirs, generator=torch.Generator().manual_seed(5))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("shape", [(7,), (32, 17)])
def test_dropout_masks(p, shape):
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    seeded(6)
    ours = nn.Dropout(p)(tg.tensor(x, requires_grad=True))
    theirs = torch.nn.Dropout(p)(torch.tensor(x, requires_grad=True))
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    np.testing.assert_array_equal(nn.functional.dropout(tg.tensor(x), p).numpy(),
                                  torch.nn.functional.dropout(torch.tensor(x), p).numpy())
    same_state()


def test_dataloader_epochs_visit_pytorchs_order():
    seeded(0)
    X = np.arange(50, dtype=np.float32).reshape(25, 2)
    ours = data.DataLoader(data.TensorDataset(tg.tensor(X), tg.arange(25)), batch_size=4,
                           shuffle=True)
    theirs = torch_data.DataLoader(torch_data.TensorDataset(torch.tensor(X), torch.arange(25)),
                                   batch_size=4, shuffle=True)
    for _epoch in range(3):
        for (our_x, our_y), (their_x, their_y) in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(our_x.numpy(), their_x.numpy())
            np.testing.assert_array_equal(our_y.numpy(), their_y.numpy())
    same_state()
    gen_ours, gen_theirs = tg.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    ours = data.DataLoader(list(range(12)), batch_size=5, shuffle=True, generator=gen_ours)
    theirs = torch_data.DataLoader(list(range(12)), batch_size=5, shuffle=True,
                                   generator=gen_theirs)
    for _epoch in range(2):
        assert [b.tolist() for b in ours] == [b.tolist() for b in theirs]
    np.testing.assert_array_equal(gen_ours.get_state().numpy(), gen_theirs.get_state().numpy())
    same_state()


def test_random_split_and_samplers():
    seeded(1)
    ours = data.random_split(list(range(20)), [0.5, 0.3, 0.2])
    theirs = torch_data.random_split(list(range(20)), [0.5, 0.3, 0.2])
    assert [list(s) for s in ours] == [list(s) for s in theirs]
    pairs = [
        (data.RandomSampler(range(10), replacement=True, num_samples=70),
         torch_data.RandomSampler(range(10), replacement=True, num_samples=70)),
        (data.RandomSampler(range(10), num_samples=23),
         torch_data.RandomSampler(range(10), num_samples=23)),
        (data.SubsetRandomSampler([3, 5, 7, 11]), torch_data.SubsetRandomSampler([3, 5, 7, 11])),
        (data.WeightedRandomSampler([0.1, 0.5, 2.0, 1.0], 9),
         torch_data.WeightedRandomSampler([0.1, 0.5, 2.0, 1.0], 9)),
        (data.WeightedRandomSampler([0.1, 0.5, 2.0, 1.0], 3, replacement=False),
         torch_data.WeightedRandomSampler([0.1, 0.5, 2.0, 1.0], 3, replacement=False)),
        (data.BatchSampler(data.SequentialSampler(range(10)), 4, drop_last=False),
         torch_data.BatchSampler(torch_data.SequentialSampler(range(10)), 4, drop_last=False)),
    ]
    for mine, reference in pairs:
        assert list(mine) == list(reference)
        assert len(mine) == len(reference)
    same_state()


def test_sampler_errors():
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        data.RandomSampler(range(3), num_samples=0)
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        data.BatchSampler(range(3), 0, False)
    with pytest.raises(TypeError, match="tinygrad_edu.Generator"):
        data.DataLoader(list(range(3)), generator=np.random.default_rng(0))


def test_a_seeded_training_script_prints_pytorchs_losses():
    """Seeded init, shuffled minibatches and dropout: the losses of PyTorch's run."""
    def run(lib, loader_module):
        lib.manual_seed(0)
        X = lib.randn(64, 5)
        y = (X[:, :1] > 0).float() if lib is torch else (X[:, :1] > 0).to(tg.float32)
        model = lib.nn.Sequential(lib.nn.Linear(5, 16), lib.nn.ReLU(), lib.nn.Dropout(0.2),
                                  lib.nn.Linear(16, 1))
        opt = (torch.optim if lib is torch else optim).SGD(model.parameters(), lr=0.1)
        loader = loader_module.DataLoader(loader_module.TensorDataset(X, y), batch_size=16,
                                          shuffle=True)
        losses = []
        for _epoch in range(4):
            for xb, yb in loader:
                opt.zero_grad()
                loss = lib.nn.functional.binary_cross_entropy_with_logits(model(xb), yb)
                loss.backward()
                opt.step()
                losses.append(loss.item())
        return losses

    ours, theirs = run(tg, data), run(torch, torch_data)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)
    same_state()


@pytest.mark.parametrize("padding_idx", [None, 3])
def test_embedding_has_pytorchs_weights(padding_idx):
    seeded(0)
    ours = nn.Embedding(100, 17, padding_idx=padding_idx)
    theirs = torch.nn.Embedding(100, 17, padding_idx=padding_idx)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    same_state()
