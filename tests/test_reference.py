"""Autograd held to the seed documents' hand-derived gradients (testing/reference.py),
over hypothesis-drawn sizes, activations and data; and the seeds' worked numbers."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu.testing import reference

ACTIVATION_NAMES = sorted(reference.ACTIVATIONS)
TG_ACTIVATIONS = {"identity": lambda z: z, "sigmoid": tg.sigmoid, "tanh": tg.tanh}


def values(*shape, low=-2.0, high=2.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(low, high), fill=st.nothing())


def leaf(array):
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def close(tensor_grad, expected):
    np.testing.assert_allclose(tensor_grad.numpy(), expected, rtol=1e-9, atol=1e-12)


# ----- seed 000: the sigmoid neuron -----------------------------------------------------------
@st.composite
def neuron_case(draw, max_inputs=4):
    n = draw(st.integers(1, max_inputs))
    return (draw(values(n)), draw(st.sampled_from([0.0, 1.0])), draw(values(n)),
            draw(st.floats(-1, 1)))


@given(neuron_case())
def test_sigmoid_neuron_with_mse(case):
    x, y, w0, b0 = case
    w, b = leaf(w0), leaf(b0)
    a = tg.sigmoid(tg.tensor(x) @ w + b)
    (0.5 * (y - a) ** 2).backward()
    dw, db = reference.neuron_mse_gradients(x, y, w0, b0)
    close(w.grad, dw)
    close(b.grad, db)


@given(neuron_case())
def test_sigmoid_neuron_with_mae(case):
    x, y, w0, b0 = case
    w, b = leaf(w0), leaf(b0)
    a = tg.sigmoid(tg.tensor(x) @ w + b)
    (a - y).abs().backward()  # a is never exactly 0 or 1, so |a - y| is never at its kink
    dw, db = reference.neuron_mae_gradients(x, y, w0, b0)
    close(w.grad, dw)
    close(b.grad, db)


@given(st.integers(1, 6), st.integers(1, 3), st.sampled_from(["mse", "mae"]), st.data())
def test_minibatch_averaged_gradients(batch, n, loss, data):
    X = data.draw(values(batch, n))
    Y = data.draw(hnp.arrays(np.float64, batch, elements=st.sampled_from([0.0, 1.0])))
    w0, b0 = data.draw(values(n)), data.draw(st.floats(-1, 1))
    w, b = leaf(w0), leaf(b0)
    a = tg.sigmoid(tg.tensor(X) @ w + b)
    error = a - tg.tensor(Y)
    per_example = 0.5 * error**2 if loss == "mse" else error.abs()
    per_example.mean().backward()
    dw, db = reference.minibatch_gradients(X, Y, w0, b0, loss)
    close(w.grad, dw)
    close(b.grad, db)


# ----- seed 002: the perceptron rule and matrix-form backprop ---------------------------------
@given(neuron_case(), st.floats(0.01, 1.0))
def test_perceptron_rule_is_a_gradient_step_on_the_perceptron_criterion(case, alpha):
    x, y, w0, b0 = case
    w, b = leaf(w0), leaf(b0)
    net = tg.tensor(x) @ w + b
    y_hat = tg.heaviside(net, tg.tensor(0.0, dtype=tg.float64))  # 1 if net > 0 else 0
    assert y_hat.item() == reference.perceptron_predict(x, w0, b0)
    ((y_hat - y) * net).backward()  # L = (ŷ - y) net, ŷ a constant (heaviside has no graph)
    with tg.no_grad():
        w -= alpha * w.grad
        b -= alpha * b.grad
    w_rule, b_rule = reference.perceptron_update(x, y, w0, b0, alpha)
    np.testing.assert_allclose(w.detach().numpy(), w_rule, rtol=1e-12, atol=1e-15)
    assert b.item() == pytest.approx(b_rule, rel=1e-12, abs=1e-15)


@given(st.integers(1, 5), st.integers(1, 4), st.integers(1, 4),
       st.sampled_from(ACTIVATION_NAMES), st.data())
def test_layer_backward_in_matrix_form(rows, inputs, outputs, activation, data):
    X0, W0 = data.draw(values(rows, inputs)), data.draw(values(outputs, inputs))
    upstream = data.draw(values(rows, outputs))
    X, W = leaf(X0), leaf(W0)
    TG_ACTIVATIONS[activation](X @ W.T).backward(tg.tensor(upstream))
    dW, dX = reference.layer_backward(X0, W0, X0 @ W0.T, upstream, activation)
    close(W.grad, dW)
    close(X.grad, dX)


@given(st.lists(st.integers(1, 4), min_size=2, max_size=4), st.integers(1, 5), st.data())
def test_sse_network_in_matrix_form(sizes, rows, data):
    activations = data.draw(st.lists(st.sampled_from(ACTIVATION_NAMES),
                                     min_size=len(sizes) - 1, max_size=len(sizes) - 1))
    X = data.draw(values(rows, sizes[0]))
    T = data.draw(values(rows, sizes[-1]))
    weights0 = [data.draw(values(n_out, n_in + 1)) for n_in, n_out in zip(sizes, sizes[1:])]
    weights = [leaf(w) for w in weights0]
    signal = tg.tensor(X)
    for W, name in zip(weights, activations):
        with_bias = tg.cat([signal, tg.ones(rows, 1, dtype=tg.float64)], 1)
        signal = TG_ACTIVATIONS[name](with_bias @ W.T)
    (0.5 * ((signal - tg.tensor(T)) ** 2).sum()).backward()
    for W, expected in zip(weights, reference.sse_network_gradients(X, T, weights0, activations)):
        close(W.grad, expected)


# ----- seed 001: the 2-layer delta rule -------------------------------------------------------
@given(st.integers(1, 4), st.integers(1, 3), st.integers(1, 4), st.integers(1, 2),
       st.sampled_from(ACTIVATION_NAMES), st.sampled_from(ACTIVATION_NAMES), st.data())
def test_two_layer_delta_rule(rows, n_in, n_hid, n_out, hidden, output, data):
    X, T = data.draw(values(rows, n_in)), data.draw(values(rows, n_out))
    start = {"W_hid": data.draw(values(n_in, n_hid)), "b_hid": data.draw(values(n_hid)),
             "W_out": data.draw(values(n_hid, n_out)), "b_out": data.draw(values(n_out))}
    params = {name: leaf(value) for name, value in start.items()}
    z_hid = tg.tensor(X) @ params["W_hid"] + params["b_hid"]
    z_hid.retain_grad()
    a_hid = TG_ACTIVATIONS[hidden](z_hid)
    z_out = a_hid @ params["W_out"] + params["b_out"]
    z_out.retain_grad()
    a_out = TG_ACTIVATIONS[output](z_out)
    (0.5 * ((a_out - tg.tensor(T)) ** 2).sum()).backward()
    expected = reference.two_layer_delta_rule(X, T, **start, hidden=hidden, output=output)
    for name, tensor in params.items():
        close(tensor.grad, expected[name])
    close(z_out.grad, expected["delta_out"])  # the deltas are dE/dz, layer by layer
    close(z_hid.grad, expected["delta_hid"])


# ----- seed 003: logistic regression and softmax cross-entropy --------------------------------
@given(st.integers(1, 6), st.integers(1, 4), st.data())
def test_logistic_regression_gradient(m, n, data):
    X = data.draw(values(m, n))
    y = data.draw(hnp.arrays(np.float64, m, elements=st.sampled_from([0.0, 1.0])))
    w0, b0 = data.draw(values(n)), data.draw(st.floats(-1, 1))
    w, b = leaf(w0), leaf(b0)
    y_hat = tg.sigmoid(tg.tensor(X) @ w + b)
    target = tg.tensor(y)
    error = -(target * y_hat.log() + (1 - target) * (1 - y_hat).log())
    error.mean().backward()
    dw, db = reference.logistic_gradients(X, y, w0, b0)
    close(w.grad, dw)
    close(b.grad, db)


@given(st.integers(1, 4), st.integers(2, 5), st.booleans(), st.data())
def test_softmax_cross_entropy_gradient_is_p_minus_y(rows, classes, one_hot, data):
    z0 = data.draw(values(rows, classes, low=-5, high=5))
    if one_hot:
        labels = data.draw(hnp.arrays(np.int64, rows, elements=st.integers(0, classes - 1)))
        y = np.eye(classes)[labels]
    else:
        weights = data.draw(values(rows, classes, low=0.1, high=1.0))
        y = weights / weights.sum(axis=1, keepdims=True)
    z = leaf(z0)
    (-(tg.tensor(y) * z.log_softmax(1)).sum()).backward()
    close(z.grad, reference.softmax_cross_entropy_gradient(z0, y))
    np.testing.assert_allclose(z.softmax(1).detach().numpy(), reference.softmax(z0), rtol=1e-12)


# ----- the seeds' worked numbers --------------------------------------------------------------
def test_softmax_of_scores_2_1_0():
    """Seed 003: scores (2, 1, 0) give probabilities 0.67, 0.24, 0.09."""
    p = tg.softmax(tg.tensor([2.0, 1.0, 0.0]), 0)
    np.testing.assert_allclose(p.numpy(), [0.67, 0.24, 0.09], atol=0.005)
    np.testing.assert_allclose(reference.softmax(np.array([2.0, 1.0, 0.0])), p.numpy(),
                               rtol=1e-6)


def test_product_of_probabilities():
    """Seed 003: P(all) = 0.1 · 0.6 · 0.7 · 0.2 = 0.0084."""
    p = tg.tensor([0.1, 0.6, 0.7, 0.2], dtype=tg.float64)
    assert p.log().sum().exp().item() == pytest.approx(0.0084, rel=1e-12)
    assert (p[0] * p[1] * p[2] * p[3]).item() == pytest.approx(0.0084, rel=1e-12)


def test_cross_entropy_of_three_doors():
    """Seed 003: CE[(1, 1, 0), (0.8, 0.7, 0.1)] = -ln 0.8 - ln 0.7 - ln 0.9 = 0.69."""
    y, p = tg.tensor([1.0, 1.0, 0.0]), tg.tensor([0.8, 0.7, 0.1])
    ce = -(y * p.log() + (1 - y) * (1 - p).log()).sum()
    assert ce.item() == pytest.approx(0.69, abs=0.005)
    assert reference.binary_cross_entropy([1, 1, 0], [0.8, 0.7, 0.1]) == pytest.approx(
        ce.item(), rel=1e-6)


@pytest.mark.parametrize("point", [(1.0, 1.0), (-4.0, 5.0)])
def test_sigmoid_of_the_score_is_one_half_on_the_line(point):
    """Seed 003: σ(4x₁ + 5x₂ − 9) is 0.5 at (1, 1) and (−4, 5)."""
    x = tg.tensor(point)
    score = x @ tg.tensor([4.0, 5.0]) - 9
    assert score.item() == 0.0
    assert tg.sigmoid(score).item() == 0.5


@pytest.mark.parametrize("name", ACTIVATION_NAMES)
def test_activation_derivatives_match_autograd(name):
    g, g_prime = reference.ACTIVATIONS[name]
    z0 = np.linspace(-3, 3, 13)
    z = leaf(z0)
    TG_ACTIVATIONS[name](z).sum().backward()
    close(z.grad, g_prime(z0))
    np.testing.assert_allclose(TG_ACTIVATIONS[name](tg.tensor(z0)).numpy(), g(z0), rtol=1e-12)


def test_python_floats_with_dtype_float64_keep_full_precision():
    """Regression: tensor([0.1], dtype=float64) went through float32 first (0.10000000149)."""
    assert tg.tensor([0.1], dtype=tg.float64).item() == 0.1
    assert tg.tensor(0.1).dtype == tg.float32  # without a dtype: still the default
