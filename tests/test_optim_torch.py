"""Optimizers and schedulers against torch.optim: same start, same gradients, same numbers."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim

torch = pytest.importorskip("torch")

STEPS = 25


def trajectories(our_class, torch_class, options, dtype, seed=0):
    """Both optimizers minimise f(θ) = Σ a (θ − c)² + Σ sin(θ), from the same start."""
    rng = np.random.default_rng(seed)
    theta0, a, c = rng.standard_normal((3, 4, 3))
    a = np.abs(a) + 0.5
    np_dtype = np.float32 if dtype == "float32" else np.float64
    theta0, a, c = theta0.astype(np_dtype), a.astype(np_dtype), c.astype(np_dtype)

    ours = tg.tensor(theta0, requires_grad=True)
    ours_opt = our_class([ours], **options)
    theirs = torch.tensor(theta0, requires_grad=True)
    theirs_opt = torch_class([theirs], **options)
    our_path, their_path = [], []
    for _ in range(STEPS):
        ours_opt.zero_grad()
        ((tg.tensor(a) * (ours - tg.tensor(c)) ** 2).sum() + ours.sin().sum()).backward()
        ours_opt.step()
        our_path.append(ours.array.copy())

        theirs_opt.zero_grad()
        ((torch.tensor(a) * (theirs - torch.tensor(c)) ** 2).sum() + theirs.sin().sum()).backward()
        theirs_opt.step()
        their_path.append(theirs.detach().numpy().copy())
    return np.array(our_path), np.array(their_path)


SGD_OPTIONS = [
    dict(lr=0.02),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.01, momentum=0.9, dampening=0.5, weight_decay=0.1),
    dict(lr=0.01, momentum=0.7, nesterov=True, weight_decay=0.01),
    dict(lr=0.01, momentum=0.5, maximize=True),
]
ADAM_OPTIONS = [
    dict(lr=0.05),
    dict(lr=0.05, betas=(0.8, 0.9), eps=1e-4, weight_decay=0.2),
    dict(lr=0.05, amsgrad=True),
    dict(lr=0.02, maximize=True, amsgrad=True),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", SGD_OPTIONS)
def test_sgd_matches_torch(options, dtype):
    ours, theirs = trajectories(optim.SGD, torch.optim.SGD, options, dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", ADAM_OPTIONS)
def test_adam_matches_torch(options, dtype):
    ours, theirs = trajectories(optim.Adam, torch.optim.Adam, options, dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("options", [dict(lr=0.05), dict(lr=0.05, weight_decay=0.5, amsgrad=True)])
def test_adamw_matches_torch(options, dtype):
    ours, theirs = trajectories(optim.AdamW, torch.optim.AdamW, options, dtype)
    tol = 1e-5 if dtype == "float32" else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def test_state_dict_has_torchs_keys_and_indices():
    ours = [tg.zeros(2, requires_grad=True), tg.zeros(3, requires_grad=True)]
    theirs = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    for params, module in ((ours, optim), (theirs, torch.optim)):
        opt = module.Adam([{"params": params[:1]}, {"params": params[1:], "lr": 0.1}], amsgrad=True)
        params[1].grad = (tg if module is optim else torch).ones(3)
        opt.step()
        state = opt.state_dict()
        if module is optim:
            our_state = state
        else:
            their_state = state
    assert [g["params"] for g in our_state["param_groups"]] == \
        [g["params"] for g in their_state["param_groups"]]
    assert our_state["state"].keys() == their_state["state"].keys()
    assert our_state["state"][1].keys() == their_state["state"][1].keys()
    for key in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize"):
        assert [g[key] for g in our_state["param_groups"]] == \
            [g[key] for g in their_state["param_groups"]]
