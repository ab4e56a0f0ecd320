"""Whole training loops (nn + optim + DataLoader + a seed data set) step for step against torch."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import datasets, nn, optim
from tinygrad_edu.optim import lr_scheduler
from tinygrad_edu.utils.data import DataLoader, TensorDataset

torch = pytest.importorskip("torch")


def copy_weights(ours, theirs):
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            theirs.state_dict()[name].copy_(torch.from_numpy(value.array.copy()))


def test_seed_000_sigmoid_neuron_with_minibatch_sgd_matches_torch_and_separates_iris():
    # seed 000: a sigmoid neuron on setosa vs versicolor, MSE, shuffled minibatches of 32
    X, y = datasets.iris(seed_000=True)
    tg.manual_seed(0)
    ours = nn.Sequential(nn.Linear(2, 1), nn.Sigmoid())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Sigmoid())
    copy_weights(ours, theirs)
    our_opt = optim.SGD(ours.parameters(), lr=0.5, momentum=0.5)
    their_opt = torch.optim.SGD(theirs.parameters(), lr=0.5, momentum=0.5)
    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True,
                        generator=tg.Generator().manual_seed(0))
    for _epoch in range(40):
        for xb, yb in loader:
            our_opt.zero_grad()
            nn.MSELoss()(ours(xb), yb).backward()
            our_opt.step()
            their_opt.zero_grad()
            torch.nn.MSELoss()(theirs(torch.from_numpy(xb.array)),
                               torch.from_numpy(yb.array)).backward()
            their_opt.step()
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value.array, theirs.state_dict()[name].numpy(),
                                   rtol=2e-4, atol=2e-5)
    accuracy = ((ours(X).array > 0.5) == (y.array > 0.5)).mean()
    assert accuracy == 1.0


def test_seed_001_regression_net_with_annealing_matches_torch():
    # seed 001: a 1-3-1 tanh net on 2.5 + sin(x), lr annealed by 0.99 per epoch (Adam here,
    # to exercise it in a real loop)
    x, y = datasets.regression("sin", seed=0)
    tg.manual_seed(1)
    ours = nn.Sequential(nn.Linear(1, 3), nn.Tanh(), nn.Linear(3, 1))
    theirs = torch.nn.Sequential(torch.nn.Linear(1, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))
    copy_weights(ours, theirs)
    our_opt = optim.Adam(ours.parameters(), lr=0.05)
    their_opt = torch.optim.Adam(theirs.parameters(), lr=0.05)
    our_schedule = lr_scheduler.ExponentialLR(our_opt, gamma=0.99)
    their_schedule = torch.optim.lr_scheduler.ExponentialLR(their_opt, gamma=0.99)
    x_torch, y_torch = torch.from_numpy(x.array), torch.from_numpy(y.array)
    for _epoch in range(60):
        our_opt.zero_grad()
        our_loss = nn.MSELoss()(ours(x), y)
        our_loss.backward()
        our_opt.step()
        our_schedule.step()
        their_opt.zero_grad()
        their_loss = torch.nn.MSELoss()(theirs(x_torch), y_torch)
        their_loss.backward()
        their_opt.step()
        their_schedule.step()
    assert our_loss.item() == pytest.approx(their_loss.item(), rel=1e-4)
    assert our_schedule.get_last_lr() == pytest.approx(their_schedule.get_last_lr(), rel=1e-12)
    for name, value in ours.state_dict().items():
        np.testing.assert_allclose(value.array, theirs.state_dict()[name].numpy(),
                                   rtol=1e-4, atol=1e-5)
