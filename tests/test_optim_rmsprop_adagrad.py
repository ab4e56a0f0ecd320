"""RMSprop and Adagrad: hand-computed steps, errors, failed steps, and PyTorch as the oracle."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim


def leaf(*values):
    return tg.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_rmsprop_first_steps_by_hand():
    theta = leaf(1.0, -2.0)
    opt = optim.RMSprop([theta], lr=0.1, alpha=0.9, eps=1e-8)
    theta.grad = tg.tensor([0.5, -1.0], dtype=tg.float64)
    opt.step()
    v = 0.1 * np.array([0.25, 1.0])
    expected = np.array([1.0, -2.0]) - 0.1 * np.array([0.5, -1.0]) / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(theta.array, expected, rtol=1e-12)
    assert opt.state[theta]["step"] == 1
    assert list(opt.state[theta]) == ["step", "square_avg"]


def test_rmsprop_centered_with_momentum_by_hand():
    theta = leaf(0.0)
    opt = optim.RMSprop([theta], lr=0.5, alpha=0.5, momentum=0.9, centered=True, eps=0.0)
    for g in (2.0, -1.0):
        theta.grad = tg.tensor([g], dtype=tg.float64)
        opt.step()
    # step 1: v = 2, ḡ = 1, d = √(2 − 1) = 1, b = 2, θ = −1
    # step 2: v = 1.5, ḡ = 0, d = √1.5, b = 1.8 − 1/√1.5, θ = −1 − 0.5 b
    b = 1.8 - 1 / math.sqrt(1.5)
    np.testing.assert_allclose(theta.array, [-1 - 0.5 * b], rtol=1e-12)
    assert set(opt.state[theta]) == {"step", "square_avg", "momentum_buffer", "grad_avg"}


def test_adagrad_steps_by_hand_with_lr_decay_and_initial_accumulator():
    theta = leaf(1.0)
    opt = optim.Adagrad([theta], lr=0.3, lr_decay=0.5, initial_accumulator_value=1.0, eps=0.0)
    assert opt.state[theta]["step"] == 0  # state exists before the first step, as PyTorch
    np.testing.assert_array_equal(opt.state[theta]["sum"].array, [1.0])
    expected = 1.0
    total = 1.0
    for t, g in enumerate((2.0, 1.0), start=1):
        theta.grad = tg.tensor([g], dtype=tg.float64)
        opt.step()
        total += g * g
        expected -= 0.3 / (1 + (t - 1) * 0.5) * g / math.sqrt(total)
    np.testing.assert_allclose(theta.array, [expected], rtol=1e-12)


@pytest.mark.parametrize("make, kwargs, message", [
    (optim.RMSprop, dict(alpha=-1), "Invalid alpha value: -1"),
    (optim.RMSprop, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.RMSprop, dict(momentum=-0.5), "Invalid momentum value: -0.5"),
    (optim.RMSprop, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
    (optim.RMSprop, dict(lr=-1), "Invalid learning rate: -1"),
    (optim.Adagrad, dict(lr_decay=-1), "Invalid lr_decay value: -1"),
    (optim.Adagrad, dict(eps=-1), "Invalid epsilon value: -1"),
    (optim.Adagrad, dict(initial_accumulator_value=-1),
     "Invalid initial_accumulator_value value: -1"),
    (optim.Adagrad, dict(weight_decay=-1), "Invalid weight_decay value: -1"),
])
def test_invalid_options_are_refused(make, kwargs, message):
    with pytest.raises(ValueError, match=message):
        make([leaf(1.0)], **kwargs)


@pytest.mark.parametrize("make", [
    lambda ps: optim.RMSprop(ps, lr=0.1, momentum=0.9, centered=True),
    lambda ps: optim.Adagrad(ps, lr=0.1),
])
def test_a_failed_step_changes_no_parameter_and_no_state(make):
    good, bad = leaf(1.0, 2.0), leaf(3.0, 4.0)
    opt = make([good, bad])
    before = {p: {k: (v.array.copy() if hasattr(v, "array") else v) for k, v in s.items()}
              for p, s in opt.state.items()}
    good.grad = tg.tensor([1.0, 1.0], dtype=good.dtype)
    bad._grad = tg.tensor([1.0, 1.0, 1.0], dtype=bad.dtype)  # past .grad's check
    with pytest.raises(RuntimeError, match="nothing was updated"):
        opt.step()
    assert good.array.tolist() == [1.0, 2.0] and bad.array.tolist() == [3.0, 4.0]
    for p, s in opt.state.items():
        for k, v in s.items():
            np.testing.assert_array_equal(getattr(v, "array", v), before[p][k])


# ----- PyTorch as the oracle ------------------------------------------------------------------


def trajectories(torch, our_class, torch_class, options, dtype, steps=25):
    """Both minimise f(θ) = Σ a (θ − c)² + Σ sin θ from the same start."""
    rng = np.random.default_rng(0)
    theta0, a, c = rng.standard_normal((3, 4, 3)).astype(dtype)
    a = np.abs(a) + 0.5
    ours, theirs = tg.tensor(theta0, requires_grad=True), torch.tensor(theta0, requires_grad=True)
    our_opt, their_opt = our_class([ours], **options), torch_class([theirs], **options)
    our_path, their_path = [], []
    for _ in range(steps):
        our_opt.zero_grad()
        ((tg.tensor(a) * (ours - tg.tensor(c)) ** 2).sum() + ours.sin().sum()).backward()
        our_opt.step()
        our_path.append(ours.array.copy())
        their_opt.zero_grad()
        ((torch.tensor(a) * (theirs - torch.tensor(c)) ** 2).sum() + theirs.sin().sum()).backward()
        their_opt.step()
        their_path.append(theirs.detach().numpy().copy())
    return np.array(our_path), np.array(their_path), our_opt, their_opt


RMSPROP_OPTIONS = [
    dict(lr=0.01),
    dict(lr=0.01, alpha=0.9, eps=1e-4, weight_decay=0.1),
    dict(lr=0.01, momentum=0.9),
    dict(lr=0.005, momentum=0.5, centered=True, maximize=True),
    dict(lr=0.01, centered=True),
]
ADAGRAD_OPTIONS = [
    dict(lr=0.1),
    dict(lr=0.1, lr_decay=0.05, weight_decay=0.1),
    dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-3),
    dict(lr=0.1, maximize=True),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make, options", [("RMSprop", o) for o in RMSPROP_OPTIONS]
                         + [("Adagrad", o) for o in ADAGRAD_OPTIONS])
def test_matches_torch(make, options, dtype):
    torch = pytest.importorskip("torch")
    # float32: both start one rounding apart (numpy's and torch's sin); RMSprop's
    # normalised steps amplify that, so the float32 paths are compared over fewer steps
    steps = 15 if dtype == np.float32 else 25
    ours, theirs, our_opt, their_opt = trajectories(
        torch, getattr(optim, make), getattr(torch.optim, make), options, dtype, steps)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    our_state, their_state = our_opt.state_dict(), their_opt.state_dict()
    assert our_state["state"].keys() == their_state["state"].keys()
    assert list(our_state["state"][0]) == list(their_state["state"][0])
    for key, value in their_state["state"][0].items():
        np.testing.assert_allclose(np.asarray(getattr(our_state["state"][0][key], "array",
                                                      our_state["state"][0][key])),
                                   value.numpy(), rtol=tol, atol=tol)
    for key in options:
        assert our_state["param_groups"][0][key] == their_state["param_groups"][0][key]


def test_state_dict_round_trip_resumes_the_same_trajectory():
    a, b = leaf(1.0, -1.0), leaf(1.0, -1.0)
    opt_a = optim.RMSprop([a], lr=0.1, momentum=0.5, centered=True)
    for _ in range(3):
        a.grad = a.sin()
        opt_a.step()
    with tg.no_grad():
        b.copy_(a.detach())
    opt_b = optim.RMSprop([b], lr=0.1, momentum=0.5, centered=True)
    opt_b.load_state_dict(opt_a.state_dict())
    for _ in range(3):
        a.grad, b.grad = a.sin().detach(), b.sin().detach()
        opt_a.step()
        opt_b.step()
    np.testing.assert_array_equal(a.array, b.array)
