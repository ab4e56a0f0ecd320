"""Seed extras: the Perceptron rule (by hand, step by step), Neuron and MLP."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn


def perceptron_with(weights, bias):
    p = nn.Perceptron(len(weights))
    with tg.no_grad():
        p.weight.copy_(tg.tensor(weights))
        p.bias.fill_(bias)
    return p


def test_perceptron_output_is_the_heaviside_step_of_the_net():
    p = perceptron_with([0.1, -0.1], 0.02)
    x = tg.tensor([[1.0, 0.0], [0.0, 1.0], [0.5, 0.7], [0.2, 0.4]])
    # net = 0.1 x1 - 0.1 x2 + 0.02 = [0.12, -0.08, 0.0, 0.0]; H(0) = 0 (the seed's "> 0")
    np.testing.assert_allclose(p.net(x).array, [0.12, -0.08, 0.0, 0.0], atol=1e-7)
    np.testing.assert_array_equal(p(x).array, [1.0, 0.0, 0.0, 0.0])


def test_perceptron_rule_two_steps_by_hand():
    p = perceptron_with([0.1, -0.1], 0.02)
    # Step 1: x = (0.3, 0.9), y = 1.  net = 0.03 - 0.09 + 0.02 = -0.04 -> ŷ = 0, error 1.
    #   w = (0.1, -0.1) + 0.5·1·(0.3, 0.9) = (0.25, 0.35);  b = 0.02 + 0.5 = 0.52
    assert p.update(tg.tensor([0.3, 0.9]), 1, lr=0.5) == 1
    np.testing.assert_allclose(p.weight.array, [0.25, 0.35], rtol=1e-6)
    assert p.bias.item() == pytest.approx(0.52)
    # Step 2: x = (0.2, 0.1), y = 0.  net = 0.05 + 0.035 + 0.52 = 0.605 -> ŷ = 1, error -1.
    #   w = (0.25, 0.35) - 0.5·(0.2, 0.1) = (0.15, 0.30);  b = 0.52 - 0.5 = 0.02
    assert p.update(tg.tensor([0.2, 0.1]), 0, lr=0.5) == 1
    np.testing.assert_allclose(p.weight.array, [0.15, 0.30], rtol=1e-6)
    assert p.bias.item() == pytest.approx(0.02)
    # Step 3: a correct prediction changes nothing.  net = 0.15 + 0.3 + 0.02 > 0, y = 1.
    assert p.update(tg.tensor([1.0, 1.0]), 1, lr=0.5) == 0
    np.testing.assert_allclose(p.weight.array, [0.15, 0.30], rtol=1e-6)


def test_perceptron_fit_separates_the_upper_right_triangle():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, size=(100, 2))
    X = X[np.abs(X.sum(1) - 1) > 0.05]  # a margin, so the rule converges quickly
    Y = (X.sum(1) > 1).astype(np.float32)
    tg.manual_seed(0)
    p = nn.Perceptron(2)
    errors = p.fit(tg.tensor(X.astype(np.float32)), tg.tensor(Y), lr=0.1, epochs=40)
    assert len(errors) == 40 and errors[0] > 0 and errors[-1] == 0
    np.testing.assert_array_equal(p(tg.tensor(X.astype(np.float32))).array, Y)
    assert not p.weight.requires_grad


def test_perceptron_errors():
    p = nn.Perceptron(3)
    with pytest.raises(RuntimeError, match=r"in_features=3, but the input has shape \(2,\)"):
        p(tg.zeros(2))
    with pytest.raises(ValueError, match="one example"):
        p.update(tg.zeros(2, 3), 1.0)
    assert repr(p) == "Perceptron(in_features=3)"
    assert list(p.state_dict()) == ["weight", "bias"]


def test_neuron_is_linear_then_activation():
    tg.manual_seed(0)
    neuron = nn.Neuron(2)
    assert repr(neuron) == (
        "Neuron(\n  (0): Linear(in_features=2, out_features=1, bias=True)\n  (1): Sigmoid()\n)"
    )
    x = tg.randn(4, 2)
    w, b = neuron[0].weight.array, neuron[0].bias.array
    np.testing.assert_allclose(neuron(x).array, 1 / (1 + np.exp(-(x.array @ w.T + b))), rtol=1e-6)
    assert len(nn.Neuron(3, activation=None)) == 1
    assert isinstance(nn.Neuron(3, activation=nn.Tanh)[1], nn.Tanh)


def test_mlp_layers_and_state_dict_keys():
    mlp = nn.MLP([2, 3, 1], activation=nn.Sigmoid, output_activation=nn.Sigmoid)
    assert [type(m).__name__ for m in mlp] == ["Linear", "Sigmoid", "Linear", "Sigmoid"]
    assert list(mlp.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    deep = nn.MLP([4, 8, 8, 3], activation=nn.LeakyReLU(0.2))
    assert [type(m).__name__ for m in deep] == ["Linear", "LeakyReLU", "Linear", "LeakyReLU",
                                                "Linear"]
    assert deep[1] is not deep[3] and deep[3].negative_slope == 0.2
    assert deep(tg.randn(5, 4)).shape == (5, 3)
    hidden = deep[:-1]  # the hidden features, as a plain Sequential sharing the layers
    assert type(hidden) is nn.Sequential and hidden[0] is deep[0]
    assert hidden(tg.randn(5, 4)).shape == (5, 8)
    with pytest.raises(ValueError, match="at least two sizes"):
        nn.MLP([3])
    with pytest.raises(TypeError, match="activation must be a Module class"):
        nn.MLP([2, 2, 1], activation=lambda: 3)


def test_mlp_learns_xor_with_gradient_descent():
    tg.manual_seed(0)
    X = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    Y = tg.tensor([[0.0], [1.0], [1.0], [0.0]])
    model = nn.MLP([2, 4, 1], activation=nn.Tanh)
    loss_fn = nn.BCEWithLogitsLoss()
    for _ in range(600):
        loss = loss_fn(model(X), Y)
        model.zero_grad()
        loss.backward()
        with tg.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.05
    np.testing.assert_array_equal((model(X).array > 0).astype(np.float32), Y.array)
