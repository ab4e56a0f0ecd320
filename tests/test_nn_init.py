"""nn.init: distributions (bounds, mean, std on a big tensor), gains, fans, in-place semantics."""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.nn import init

FAN_OUT, FAN_IN = 300, 500  # a (out, in) weight with 150 000 draws: std within ~0.5 %


def weight():
    return nn.Parameter(tg.zeros(FAN_OUT, FAN_IN))


def assert_uniform(t, bound):
    data = t.array
    assert np.abs(data).max() <= bound
    assert np.abs(data).max() > 0.99 * bound
    assert abs(data.mean()) < 0.01 * bound
    assert abs(data.std() - bound / math.sqrt(3)) < 0.01 * bound


def assert_normal(t, std, mean=0.0):
    data = t.array
    assert abs(data.mean() - mean) < 0.01 * std
    assert abs(data.std() - std) < 0.01 * std


def test_calculate_gain_values():
    assert init.calculate_gain("linear") == 1
    assert init.calculate_gain("sigmoid") == 1
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("relu") == pytest.approx(math.sqrt(2))
    assert init.calculate_gain("leaky_relu") == pytest.approx(math.sqrt(2 / (1 + 0.01**2)))
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(math.sqrt(2 / 1.04))
    assert init.calculate_gain("selu") == 0.75
    with pytest.raises(ValueError, match="Unsupported nonlinearity softsign"):
        init.calculate_gain("softsign")
    with pytest.raises(ValueError, match="negative_slope slope not a valid number"):
        init.calculate_gain("leaky_relu", "slope")


def test_uniform_normal_constant_ones_zeros():
    tg.manual_seed(0)
    w = weight()
    assert init.uniform_(w, -0.5, 0.5) is w
    assert_uniform(w, 0.5)
    init.uniform_(w, 2.0, 3.0)
    assert w.array.min() >= 2.0 and w.array.max() <= 3.0
    init.normal_(w, mean=1.5, std=0.2)
    assert_normal(w, 0.2, mean=1.5)
    init.constant_(w, 0.25)
    assert (w.array == 0.25).all()
    init.ones_(w)
    assert (w.array == 1).all()
    init.zeros_(w)
    assert not w.array.any()
    assert w.dtype == tg.float32 and w.requires_grad and w.grad_fn is None


def test_xavier():
    tg.manual_seed(1)
    w = weight()
    init.xavier_uniform_(w)
    assert_uniform(w, math.sqrt(6 / (FAN_IN + FAN_OUT)))
    init.xavier_uniform_(w, gain=2.0)
    assert_uniform(w, 2.0 * math.sqrt(6 / (FAN_IN + FAN_OUT)))
    init.xavier_normal_(w, gain=init.calculate_gain("tanh"))
    assert_normal(w, 5 / 3 * math.sqrt(2 / (FAN_IN + FAN_OUT)))


def test_kaiming():
    tg.manual_seed(2)
    w = weight()
    init.kaiming_uniform_(w, nonlinearity="relu")
    assert_uniform(w, math.sqrt(2) * math.sqrt(3 / FAN_IN))
    init.kaiming_uniform_(w, a=math.sqrt(5))  # Linear's default: bound = 1/√fan_in
    assert_uniform(w, 1 / math.sqrt(FAN_IN))
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
    assert_normal(w, math.sqrt(2 / FAN_OUT))
    init.kaiming_normal_(w)  # leaky_relu with a = 0: gain √2
    assert_normal(w, math.sqrt(2 / FAN_IN))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(w, mode="fan_avg")


def test_fans_of_a_conv_shaped_weight():
    w = tg.zeros(8, 4, 3, 3)  # fan_in = 4·9 = 36, fan_out = 8·9 = 72
    tg.manual_seed(3)
    init.xavier_uniform_(w)
    assert np.abs(w.array).max() <= math.sqrt(6 / (36 + 72))
    assert np.abs(w.array).max() > 0.95 * math.sqrt(6 / (36 + 72))


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(tg.zeros(5))


def test_init_is_not_recorded_and_bumps_the_version():
    w = nn.Parameter(tg.zeros(2, 2))
    version = w._version.value
    init.normal_(w)
    assert w.is_leaf and w._version.value == version + 1


def test_init_is_reproducible_and_takes_a_generator():
    a, b = tg.zeros(3, 3), tg.zeros(3, 3)
    tg.manual_seed(5)
    init.normal_(a)
    tg.manual_seed(5)
    init.normal_(b)
    np.testing.assert_array_equal(a.array, b.array)
    c, d = tg.zeros(3), tg.zeros(3)
    init.uniform_(c, generator=tg.Generator().manual_seed(9))
    init.uniform_(d, generator=tg.Generator().manual_seed(9))
    np.testing.assert_array_equal(c.array, d.array)


def test_kaiming_on_empty_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="zero-element"):
        init.kaiming_uniform_(tg.zeros(0, 3))
