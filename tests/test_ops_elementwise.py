"""Property tests of the elementwise ops, each one call to ``assert_op_gradients``.

Every test checks values against numpy, gradients against central finite
differences in float64, gradient shapes/dtypes, no mutation, no aliasing, the
graph's release, and (where smooth) second derivatives. Inputs are kept off
kinks and singularities by their domains and ``avoid`` points.
"""

import numpy as np
import pytest
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients

POSITIVE = (0.2, 3.0)


def test_add():
    assert_op_gradients(lambda a, b: a + b, num_inputs=2, reference=np.add)


def test_add_a_python_scalar_on_either_side():
    assert_op_gradients(lambda a: 2.5 + a + 1, reference=lambda a: a + 3.5)


def test_sub():
    assert_op_gradients(lambda a, b: a - b, num_inputs=2, reference=np.subtract)


def test_sub_reflected():
    assert_op_gradients(lambda a: 1.5 - a, reference=lambda a: 1.5 - a)


def test_mul():
    assert_op_gradients(lambda a, b: a * b, num_inputs=2, reference=np.multiply)


def test_mul_by_itself():
    assert_op_gradients(lambda a: a * a, reference=np.square)


def test_div():
    assert_op_gradients(lambda a, b: a / b, num_inputs=2, reference=np.divide,
                        avoid=[[], [0.0]], margin=0.3)


def test_div_reflected():
    assert_op_gradients(lambda a: 2.0 / a, reference=lambda a: 2.0 / a, avoid=[0.0], margin=0.3)


def test_neg():
    assert_op_gradients(lambda a: -a, reference=np.negative)
    assert_op_gradients(tg.neg, reference=np.negative)


@pytest.mark.parametrize("exponent", [2, 3, -1, 0])
def test_pow_integer_exponent(exponent):
    assert_op_gradients(lambda a: a**exponent, reference=lambda a: a**float(exponent),
                        avoid=[0.0], margin=0.3)


@pytest.mark.parametrize("exponent", [0.5, -1.5, 2.5])
def test_pow_fractional_exponent(exponent):
    assert_op_gradients(lambda a: a.pow(exponent), reference=lambda a: a**exponent,
                        domain=POSITIVE)


def test_pow_tensor_tensor():
    assert_op_gradients(lambda a, b: a**b, num_inputs=2, reference=np.power,
                        domain=[POSITIVE, (-2.0, 2.0)])


@pytest.mark.parametrize("base", [2.0, 0.5])
def test_pow_scalar_tensor(base):
    assert_op_gradients(lambda a: base**a, reference=lambda a: base**a)


def test_exp():
    assert_op_gradients(tg.exp, reference=np.exp)


def test_log():
    assert_op_gradients(tg.log, reference=np.log, domain=POSITIVE)


def test_log1p():
    assert_op_gradients(tg.log1p, reference=np.log1p, domain=(-0.8, 3.0))


def test_sqrt():
    assert_op_gradients(tg.sqrt, reference=np.sqrt, domain=POSITIVE)


def test_sin():
    assert_op_gradients(tg.sin, reference=np.sin)


def test_cos():
    assert_op_gradients(tg.cos, reference=np.cos)


def test_tanh():
    assert_op_gradients(tg.tanh, reference=np.tanh)


def test_sigmoid():
    assert_op_gradients(tg.sigmoid, reference=lambda a: 1 / (1 + np.exp(-a)), domain=(-8, 8))


def test_relu():
    assert_op_gradients(tg.relu, reference=lambda a: np.maximum(a, 0), avoid=[0.0])


def test_abs():
    assert_op_gradients(tg.abs, reference=np.abs, avoid=[0.0])
    assert_op_gradients(lambda a: abs(a), reference=np.abs, avoid=[0.0])


def test_sign():
    assert_op_gradients(tg.sign, reference=np.sign, avoid=[0.0])


@pytest.mark.parametrize("low, high", [(-1.0, 1.0), (None, 0.5), (-0.5, None)])
def test_clamp(low, high):
    kinks = [v for v in (low, high) if v is not None]
    assert_op_gradients(lambda a: a.clamp(low, high), reference=lambda a: np.clip(a, low, high),
                        avoid=kinks)
    assert_op_gradients(lambda a: tg.clamp(a, min=low, max=high),
                        reference=lambda a: np.clip(a, low, high), avoid=kinks)


def test_maximum():
    assert_op_gradients(tg.maximum, num_inputs=2, reference=np.maximum, distinct=True)


def test_minimum():
    assert_op_gradients(lambda a, b: a.minimum(b), num_inputs=2, reference=np.minimum,
                        distinct=True)


def _mask_for(shapes):
    return {"mask": hnp.arrays(np.bool_, np.broadcast_shapes(*shapes))}


def test_where():
    assert_op_gradients(lambda a, b, mask: tg.where(tg.tensor(mask), a, b), num_inputs=2,
                        reference=lambda a, b, mask: np.where(mask, a, b), kwargs=_mask_for)


def test_where_with_a_python_scalar():
    assert_op_gradients(lambda a, mask: tg.where(tg.tensor(mask), a, 0.5),
                        reference=lambda a, mask: np.where(mask, a, 0.5), kwargs=_mask_for)


def test_square():
    assert_op_gradients(tg.square, reference=np.square)


def test_reciprocal():
    assert_op_gradients(tg.reciprocal, reference=np.reciprocal, avoid=[0.0], margin=0.3)


def test_heaviside_has_no_gradient_path():
    x = tg.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    out = tg.heaviside(x, tg.tensor([0.5, 0.5, 0.5]))
    assert out.tolist() == [0.0, 0.5, 1.0]
    assert not out.requires_grad


def test_comparisons_give_bool_tensors_without_grad():
    a = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for out, expected in [(a < 2, [True, False, False]), (a >= 2, [False, True, True]),
                          (a == 2, [False, True, False]), (a != 2, [True, False, True])]:
        assert out.dtype == tg.bool and out.tolist() == expected and not out.requires_grad


@pytest.mark.parametrize("op", ["sin", "tanh", "sigmoid", "exp"])
def test_float32_values_stay_float32(op):
    x = tg.randn(3, 2)
    x.requires_grad_()
    out = getattr(x, op)()
    out.sum().backward()
    assert out.dtype == tg.float32 and x.grad.dtype == tg.float32


def test_python_scalars_keep_the_tensor_dtype():
    x = tg.tensor([1.0, 2.0], dtype=tg.float32, requires_grad=True)
    for out in (x**2, 2**x, x + 1.5, 3 / x, tg.where(x > 1, x, 0.0)):
        assert out.dtype == tg.float32


def test_zero_dim_results_hold_arrays_so_in_place_updates_work():
    """Regression: numpy returns scalars for 0-d ufunc results; exp/sigmoid of a 0-d
    tensor held a numpy scalar (sigmoid raised TypeError, add_ failed)."""
    x = tg.tensor(2.0, dtype=tg.float64, requires_grad=True)
    for out in (x.exp(), x.sigmoid(), x.sqrt(), x.tanh(), x / 3, x**2, x.detach().exp()):
        assert type(out.array) is np.ndarray and out.shape == ()
    y = x.exp().detach()
    y.add_(1)
    assert y.item() == pytest.approx(np.exp(2.0) + 1)
    assert x.sigmoid().item() == pytest.approx(1 / (1 + np.exp(-2.0)))
