"""Layers: values against their formulas, gradients against formulas and finite differences."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import gradcheck
from tinygrad_edu.nn import functional as F


def f64(array, requires_grad=True):
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def sample(*shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


# ----- Linear ------------------------------------------------------------------------------


@given(batch=st.lists(st.integers(1, 3), min_size=0, max_size=2), n_in=st.integers(1, 4),
       n_out=st.integers(1, 4), seed=st.integers(0, 1000))
def test_linear_value_and_gradients_match_formulas(batch, n_in, n_out, seed):
    layer = nn.Linear(n_in, n_out).double()
    x_np = sample(*batch, n_in, seed=seed)
    x = f64(x_np)
    y = layer(x)
    W, b = layer.weight.array, layer.bias.array
    np.testing.assert_allclose(y.array, x_np @ W.T + b, rtol=1e-12)
    g = sample(*y.shape, seed=seed + 1)
    y.backward(tg.tensor(g))
    g2 = g.reshape(-1, n_out)
    np.testing.assert_allclose(x.grad.array, g @ W, rtol=1e-12)  # ∂ℓ/∂x = Δ W
    np.testing.assert_allclose(layer.weight.grad.array, g2.T @ x_np.reshape(-1, n_in),
                               rtol=1e-12)  # ∂ℓ/∂W = Δᵀ X
    np.testing.assert_allclose(layer.bias.grad.array, g2.sum(0), rtol=1e-12)


def test_linear_gradcheck_in_float64():
    x, w, b = f64(sample(3, 4)), f64(sample(2, 4, seed=1)), f64(sample(2, seed=2))
    assert gradcheck(F.linear, (x, w, b))
    assert gradcheck(lambda x, w: F.linear(x, w), (f64(sample(4)), w))


def test_linear_batched_and_second_order_gradients():
    from tinygrad_edu.autograd import gradgradcheck

    x, w, b = f64(sample(2, 3, 4)), f64(sample(2, 4, seed=1)), f64(sample(2, seed=2))
    assert gradcheck(F.linear, (x, w, b))
    assert gradcheck(lambda x, w: F.linear(x, w), (x, w))
    assert gradgradcheck(lambda x, w, b: F.linear(x, w, b).tanh(), (x, w, b))


def test_linear_with_mixed_dtypes_raises_as_pytorch():
    # PyTorch does not promote in linear or matmul: a float64 batch into a float32
    # layer is an error there, and here (it used to promote silently).
    layer = nn.Linear(2, 1)  # float32
    with pytest.raises(RuntimeError, match="same dtype.*float64.*float32"):
        layer(f64(sample(3, 2)))
    with pytest.raises(RuntimeError, match="same dtype"):
        f64(sample(3, 2)) @ layer.weight.T
    assert layer(f64(sample(3, 2)).float()).dtype == tg.float32


def test_linear_shapes_and_no_bias():
    layer = nn.Linear(3, 2, bias=False)
    assert layer.weight.shape == (2, 3) and layer.bias is None
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    x = tg.randn(3)
    np.testing.assert_allclose(layer(x).array, layer.weight.array @ x.array, rtol=1e-6)
    assert layer(tg.randn(5, 4, 3)).shape == (5, 4, 2)


def test_linear_default_init_bounds_and_spread():
    tg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    w, b = layer.weight.array, layer.bias.array
    assert w.dtype == np.float32 and np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-a, a) has standard deviation a/√3.
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(w.mean()) < 0.01 * bound
    assert np.abs(b).max() > 0.9 * bound  # really spread over the range, not all near 0


def test_linear_init_is_reproducible_with_manual_seed():
    tg.manual_seed(7)
    a = nn.Linear(3, 2)
    tg.manual_seed(7)
    b = nn.Linear(3, 2)
    np.testing.assert_array_equal(a.weight.array, b.weight.array)
    np.testing.assert_array_equal(a.bias.array, b.bias.array)


def test_linear_wrong_number_of_features_is_a_clear_error():
    layer = nn.Linear(2, 3)
    with pytest.raises(RuntimeError) as info:
        layer(tg.zeros(4, 3))
    assert str(info.value) == (
        "linear: the input's last dimension must be in_features=2, but the input has shape "
        "(4, 3) (weight has shape (3, 2))"
    )
    with pytest.raises(RuntimeError, match=r"in_features=2.*shape \(\)"):
        layer(tg.tensor(1.0))


# ----- activations ---------------------------------------------------------------------------

ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0), lambda x: (x > 0) * 1.0),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x), lambda x: np.where(x > 0, 1, 0.01)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x), lambda x: np.where(x > 0, 1, 0.2)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x)),
     lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2),
    (nn.Tanh(), np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    (nn.Identity(54, unused=1), lambda x: x, lambda x: np.ones_like(x)),
]


@pytest.mark.parametrize("layer, value, derivative", ACTIVATIONS,
                         ids=[repr(a[0]) for a in ACTIVATIONS])
def test_activation_value_and_derivative(layer, value, derivative):
    x_np = np.array([-3.0, -0.5, -1e-3, 0.25, 2.0, 7.0])
    x = f64(x_np)
    y = layer(x)
    np.testing.assert_allclose(y.array, value(x_np), rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, derivative(x_np), rtol=1e-12)
    assert gradcheck(layer, (f64(x_np),))


def test_relu_and_leaky_relu_derivative_at_zero_as_pytorch():
    for layer, expected in [(nn.ReLU(), 0.0), (nn.LeakyReLU(0.1), 0.1)]:
        x = f64([0.0])
        layer(x).backward(tg.ones(1, dtype=tg.float64))
        assert x.grad.item() == pytest.approx(expected)


def test_relu_inplace_writes_into_the_input():
    x = tg.tensor([-1.0, 2.0])
    out = nn.ReLU(inplace=True)(x)
    assert out is x
    np.testing.assert_array_equal(x.array, [0.0, 2.0])
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"


def test_inplace_activations_inside_a_graph_give_the_same_gradients():
    tg.manual_seed(0)
    inplace = nn.Sequential(nn.Linear(2, 3), nn.ReLU(inplace=True), nn.Linear(3, 2),
                            nn.LeakyReLU(0.1, inplace=True))
    plain = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 2), nn.LeakyReLU(0.1))
    plain.load_state_dict(inplace.state_dict())
    x = tg.randn(6, 2)
    a, b = inplace(x), plain(x)
    np.testing.assert_array_equal(a.array, b.array)
    a.sum().backward()
    b.sum().backward()
    for p, q in zip(inplace.parameters(), plain.parameters()):
        np.testing.assert_allclose(p.grad.array, q.grad.array, rtol=1e-6)


def test_softmax_and_log_softmax_values_and_gradients():
    x_np = sample(3, 4)
    e = np.exp(x_np - x_np.max(1, keepdims=True))
    expected = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(nn.Softmax(dim=1)(f64(x_np)).array, expected, rtol=1e-12)
    np.testing.assert_allclose(nn.LogSoftmax(dim=1)(f64(x_np)).array, np.log(expected),
                               rtol=1e-12)
    # softmax along dim 0 sums to one down each column
    np.testing.assert_allclose(nn.Softmax(dim=0)(f64(x_np)).array.sum(0), np.ones(4))
    for layer in (nn.Softmax(dim=1), nn.LogSoftmax(dim=-1), nn.Softmax(dim=0)):
        assert gradcheck(lambda t, layer=layer: layer(t) * f64(sample(3, 4, seed=5), False),
                         (f64(x_np),))


def test_log_softmax_derivative_formula():
    x_np, g = sample(2, 3), sample(2, 3, seed=1)
    x = f64(x_np)
    nn.LogSoftmax(dim=1)(x).backward(tg.tensor(g))
    p = np.exp(x_np) / np.exp(x_np).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.array, g - p * g.sum(1, keepdims=True), rtol=1e-12)


def test_softmax_of_extreme_logits_is_finite():
    x = tg.tensor([[1000.0, -1000.0, 0.0]], requires_grad=True)
    y = nn.LogSoftmax(dim=1)(x)
    np.testing.assert_allclose(y.array, [[0.0, -2000.0, -1000.0]])
    (y * tg.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    assert np.isfinite(x.grad.array).all()
    np.testing.assert_allclose(x.grad.array, [[1 - 6.0, 2.0, 3.0]])


def test_softmax_without_dim_warns_and_uses_pytorch_implicit_dim():
    x = tg.tensor(sample(2, 3))
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = nn.Softmax()(x)
    np.testing.assert_allclose(y.array.sum(1), [1.0, 1.0], rtol=1e-6)
    with pytest.warns(UserWarning, match="log_softmax"):
        y = F.log_softmax(tg.tensor(sample(3)))
    np.testing.assert_allclose(np.exp(y.array).sum(), 1.0, rtol=1e-6)


# ----- Flatten, Dropout ------------------------------------------------------------------------


def test_flatten_shapes_and_gradient():
    x = f64(sample(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12)
    assert nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Flatten(start_dim=0)(x).shape == (24,)
    np.testing.assert_array_equal(nn.Flatten()(x).array, x.array.reshape(2, 12))
    assert gradcheck(nn.Flatten(), (x,))


def test_dropout_training_drops_a_fraction_p_and_scales_the_rest():
    tg.manual_seed(0)
    x = tg.ones(200_000, requires_grad=True)
    layer = nn.Dropout(p=0.3)
    y = layer(x)
    zero_fraction = (y.array == 0).mean()
    assert abs(zero_fraction - 0.3) < 0.005
    np.testing.assert_allclose(np.unique(y.array), [0.0, 1 / 0.7], rtol=1e-6)
    y.sum().backward()  # the gradient is the mask, scaled
    np.testing.assert_array_equal(x.grad.array, y.array)
    assert abs(y.array.mean() - 1.0) < 0.01  # expectation preserved


def test_dropout_is_identity_in_eval_and_reproducible_with_seed():
    x = tg.randn(50)
    layer = nn.Dropout(0.5).eval()
    assert layer(x) is x
    layer.train()
    tg.manual_seed(3)
    a = layer(x)
    tg.manual_seed(3)
    b = layer(x)
    np.testing.assert_array_equal(a.array, b.array)
    assert not np.array_equal(a.array, layer(x).array)


def test_dropout_edge_probabilities_and_errors():
    x = tg.randn(10)
    np.testing.assert_array_equal(F.dropout(x, 1.0).array, np.zeros(10))
    assert F.dropout(x, 0.0) is x
    with pytest.raises(ValueError, match="between 0 and 1, but got 1.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1, but got -0.1"):
        F.dropout(x, -0.1)


# ----- containers --------------------------------------------------------------------------


def test_sequential_runs_layers_in_order():
    tg.manual_seed(0)
    first, second = nn.Linear(2, 3), nn.Linear(3, 1)
    model = nn.Sequential(first, nn.Tanh(), second)
    x = tg.randn(5, 2)
    expected = second(first(x).tanh())
    np.testing.assert_array_equal(model(x).array, expected.array)


def test_sequential_indexing_len_iteration_append():
    a, b, c = nn.Linear(1, 1), nn.ReLU(), nn.Linear(1, 2)
    model = nn.Sequential(a, b)
    assert len(model) == 2 and model[0] is a and model[-1] is b
    assert list(model) == [a, b]
    assert model.append(c) is model and model[2] is c and len(model) == 3
    part = model[1:]
    assert type(part) is nn.Sequential and list(part) == [b, c]
    assert list(part._modules) == ["1", "2"]  # PyTorch keeps the original keys in a slice
    with pytest.raises(IndexError, match="index 3 is out of range"):
        model[3]
    del model[0]
    assert list(model._modules) == ["0", "1"] and model[0] is b


def test_sequential_from_ordered_dict_names_layers():
    from collections import OrderedDict

    model = nn.Sequential(OrderedDict([("hidden", nn.Linear(2, 3)), ("out", nn.Linear(3, 1))]))
    assert [n for n, _ in model.named_parameters()] == ["hidden.weight", "hidden.bias",
                                                        "out.weight", "out.bias"]
    assert model.hidden is model[0]


def test_module_list_registers_parameters():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.Linear(2, 1))
    assert len(layers) == 4 and len(list(layers.parameters())) == 8
    assert layers[-1].out_features == 1
    assert [n for n, _ in layers.named_parameters()][-1] == "3.bias"
    x = tg.ones(1, 2)
    for layer in layers:
        x = layer(x)
    assert x.shape == (1, 1)


def test_module_list_as_attribute_of_a_model():
    class Deep(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])

        def forward(self, x):
            for layer in self.hidden:
                x = layer(x).relu()
            return x

    model = Deep()
    assert [n for n, _ in model.named_parameters()] == [
        "hidden.0.weight", "hidden.0.bias", "hidden.1.weight", "hidden.1.bias"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert model(tg.ones(3, 2)).shape == (3, 2)
