"""Optimizers: 25-step trajectories against their update equations, written out here in numpy."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import optim

STEPS = 25


def fixed_gradients(shape=(3, 2), seed=0):
    """A fixed sequence of gradients, so the update equation is all that is tested."""
    return np.random.default_rng(seed).standard_normal((STEPS, *shape))


def run_optimizer(make_optimizer, theta0, gradients):
    """Feed ``gradients`` to a tinygrad_edu optimizer; the parameter after each step."""
    param = tg.tensor(theta0.copy(), requires_grad=True)
    opt = make_optimizer([param])
    trajectory = []
    for gradient in gradients:
        param.grad = tg.tensor(gradient.copy())
        opt.step()
        trajectory.append(param.array.copy())
    return np.array(trajectory)


def sgd_equation(theta, gradients, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, maximize=False):
    buffer, trajectory = None, []
    for g in gradients:
        if maximize:
            g = -g
        g = g + weight_decay * theta
        if momentum != 0:
            buffer = g.copy() if buffer is None else momentum * buffer + (1 - dampening) * g
            g = g + momentum * buffer if nesterov else buffer
        theta = theta - lr * g
        trajectory.append(theta)
    return np.array(trajectory)


def adam_equation(theta, gradients, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                  amsgrad=False, maximize=False, decoupled=False):
    beta1, beta2 = betas
    m = v = v_max = np.zeros_like(theta)
    trajectory = []
    for t, g in enumerate(gradients, start=1):
        if maximize:
            g = -g
        if decoupled:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        v_max = np.maximum(v_max, v)
        m_hat = m / (1 - beta1**t)
        v_hat = (v_max if amsgrad else v) / (1 - beta2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        trajectory.append(theta)
    return np.array(trajectory)


SGD_OPTIONS = [
    dict(lr=0.1),
    dict(lr=0.05, momentum=0.9),
    dict(lr=0.05, momentum=0.9, dampening=0.3),
    dict(lr=0.05, momentum=0.8, nesterov=True),
    dict(lr=0.1, weight_decay=0.1),
    dict(lr=0.05, momentum=0.9, weight_decay=0.01, nesterov=True, maximize=True),
]
ADAM_OPTIONS = [
    dict(lr=0.01),
    dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6),
    dict(lr=0.01, weight_decay=0.1),
    dict(lr=0.01, amsgrad=True),
    dict(lr=0.01, maximize=True, weight_decay=0.05, amsgrad=True),
]


@pytest.mark.parametrize("options", SGD_OPTIONS)
def test_sgd_trajectory_follows_the_update_equation(options):
    theta0 = np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.5]])
    gradients = fixed_gradients()
    ours = run_optimizer(lambda ps: optim.SGD(ps, **options), theta0, gradients)
    expected = sgd_equation(theta0, gradients, **options)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("options", ADAM_OPTIONS)
def test_adam_trajectory_follows_the_update_equation(options):
    theta0 = np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.5]])
    gradients = fixed_gradients(seed=1)
    ours = run_optimizer(lambda ps: optim.Adam(ps, **options), theta0, gradients)
    expected = adam_equation(theta0, gradients, **options)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("options", [dict(lr=0.01), dict(lr=0.05, weight_decay=0.3),
                                     dict(lr=0.01, amsgrad=True, weight_decay=0.1)])
def test_adamw_trajectory_follows_the_update_equation(options):
    theta0 = np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.5]])
    gradients = fixed_gradients(seed=2)
    ours = run_optimizer(lambda ps: optim.AdamW(ps, **options), theta0, gradients)
    expected = adam_equation(theta0, gradients, decoupled=True,
                             **{"weight_decay": 1e-2, **options})
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


def test_adamw_decays_by_default_and_adam_does_not():
    assert optim.AdamW([tg.zeros(1, requires_grad=True)]).defaults["weight_decay"] == 1e-2
    assert optim.Adam([tg.zeros(1, requires_grad=True)]).defaults["weight_decay"] == 0


def test_adam_first_step_moves_each_coordinate_by_lr():
    # with bias correction, m̂ = g and v̂ = g², so the first step is lr · sign(g) (up to eps)
    param = tg.tensor([1.0, 1.0, 1.0], dtype=tg.float64, requires_grad=True)
    param.grad = tg.tensor([3.0, -0.001, 250.0], dtype=tg.float64)
    optim.Adam([param], lr=0.1).step()
    np.testing.assert_allclose(param.array, [0.9, 1.1, 0.9], rtol=1e-6)


def test_sgd_minimises_a_quadratic_through_backward():
    # f(θ) = Σ a (θ − c)²: gradient 2a(θ − c), so plain SGD contracts θ − c by (1 − 2 lr a)
    a = np.array([1.0, 3.0])
    c = np.array([2.0, -1.0])
    theta = tg.tensor([0.0, 0.0], dtype=tg.float64, requires_grad=True)
    opt = optim.SGD([theta], lr=0.1)
    for _ in range(STEPS):
        opt.zero_grad()
        loss = (tg.tensor(a) * (theta - tg.tensor(c)) ** 2).sum()
        loss.backward()
        opt.step()
    expected = c + (0 - c) * (1 - 2 * 0.1 * a) ** STEPS
    np.testing.assert_allclose(theta.array, expected, rtol=1e-10)


def test_float32_parameters_stay_float32_and_update_in_place():
    param = tg.tensor([1.0, 2.0], requires_grad=True)
    array = param.array
    with pytest.raises(RuntimeError, match="dtype"):  # refused at assignment, as in PyTorch
        param.grad = tg.tensor([1.0, 1.0], dtype=tg.float64)
    param._grad = tg.tensor([1.0, 1.0], dtype=tg.float64)  # the slot: as if it got there anyway
    for opt in (optim.SGD([param], lr=0.5, momentum=0.9), optim.Adam([param], lr=0.5)):
        opt.step()
    assert param.array is array and param.dtype == tg.float32


def test_step_bumps_the_version_counter_of_updated_parameters_only():
    updated = tg.tensor([1.0], requires_grad=True)
    skipped = tg.tensor([1.0], requires_grad=True)
    updated.grad = tg.tensor([1.0])
    before = updated._version.value, skipped._version.value
    optim.SGD([updated, skipped], lr=0.1).step()
    assert updated._version.value == before[0] + 1
    assert skipped._version.value == before[1]


def test_step_skips_parameters_without_grad():
    with_grad = tg.tensor([1.0, 2.0], requires_grad=True)
    without = tg.tensor([3.0], requires_grad=True)
    with_grad.grad = tg.tensor([1.0, 1.0])
    opt = optim.Adam([with_grad, without], lr=0.1)
    opt.step()
    assert without.array.tolist() == [3.0]
    assert without not in opt.state and with_grad in opt.state
    assert opt.state[with_grad]["step"] == 1


def test_step_after_backward_changes_saved_tensors_version():
    # a graph that saved the parameter before the step must refuse to backward afterwards
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    w.grad = tg.tensor([1.0, 1.0])
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified by an in-place operation: it is at version 1"):
        loss.backward()


def test_param_groups_have_their_own_options():
    a = tg.tensor([1.0], dtype=tg.float64, requires_grad=True)
    b = tg.tensor([1.0], dtype=tg.float64, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.01}], lr=0.1, momentum=0.5)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert opt.param_groups[1]["momentum"] == 0.5
    a.grad, b.grad = tg.tensor([1.0], dtype=tg.float64), tg.tensor([1.0], dtype=tg.float64)
    opt.step()
    assert a.array.tolist() == [0.9] and b.array.tolist() == [0.99]


def test_add_param_group_fills_in_defaults():
    a = tg.zeros(2, requires_grad=True)
    b = tg.zeros(3, requires_grad=True)
    opt = optim.Adam([a], lr=0.5)
    opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
    group = opt.param_groups[1]
    assert group["params"] == [b] and group["lr"] == 0.5 and group["betas"] == (0.5, 0.6)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    (p * 3).sum().backward()
    opt = optim.SGD([p], lr=0.1)
    opt.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert p.grad is None
    else:
        assert p.grad.array.tolist() == [0.0, 0.0]
    (p * 3).sum().backward()
    assert p.grad.array.tolist() == [3.0, 3.0]


def test_closure_is_called_and_its_loss_returned():
    p = tg.tensor([2.0], dtype=tg.float64, requires_grad=True)
    opt = optim.SGD([p], lr=0.25)
    calls = []

    def closure():
        calls.append(1)
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with tg.no_grad():
        loss = opt.step(closure)
    assert calls == [1] and loss.item() == 4.0
    assert p.array.tolist() == [1.0]  # 2 − 0.25 · 4


@pytest.mark.parametrize("make", [
    lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
    lambda ps: optim.Adam(ps, lr=0.05, amsgrad=True),
    lambda ps: optim.AdamW(ps, lr=0.05),
])
def test_state_dict_round_trip_continues_the_same_trajectory(make):
    theta0 = np.array([[0.5, -1.0], [2.0, 0.0], [-0.3, 1.5]])
    gradients = fixed_gradients(seed=3)
    uninterrupted = run_optimizer(make, theta0, gradients)

    param = tg.tensor(theta0.copy(), requires_grad=True)
    opt = make([param])
    for gradient in gradients[:10]:
        param.grad = tg.tensor(gradient)
        opt.step()
    saved = opt.state_dict()
    param.grad = tg.tensor(gradients[10] * 100)  # a step the restored optimizer must not see
    opt.step()
    resumed_param = tg.tensor(uninterrupted[9].copy(), requires_grad=True)
    resumed = make([resumed_param])
    resumed.load_state_dict(saved)
    for gradient in gradients[10:]:
        resumed_param.grad = tg.tensor(gradient)
        resumed.step()
    np.testing.assert_allclose(resumed_param.array, uninterrupted[-1], rtol=1e-12)


def test_state_dict_layout_is_pytorchs():
    a = tg.zeros(2, requires_grad=True)
    b = tg.zeros(3, requires_grad=True)
    c = tg.zeros(1, requires_grad=True)
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.1}])
    b.grad = tg.ones(3)
    opt.step()
    state = opt.state_dict()
    assert [g["params"] for g in state["param_groups"]] == [[0, 1], [2]]
    assert state["param_groups"][1]["lr"] == 0.1
    assert list(state["state"]) == [1]
    assert set(state["state"][1]) == {"step", "exp_avg", "exp_avg_sq"}
    assert state["state"][1]["exp_avg"].array.tolist() == pytest.approx([0.1, 0.1, 0.1])
