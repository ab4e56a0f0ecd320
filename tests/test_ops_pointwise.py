"""Property tests of the extra elementwise ops (ops/pointwise.py): other bases of log and
exp, rounding, and the divisions that round (``//``, ``%``, ``fmod``, ``div(rounding_mode=)``).
Their PyTorch comparison is in test_ops_torch_everyday.py."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, gradcheck

POSITIVE = (0.2, 3.0)
WHOLE = [-3.0, -2.0, -1.0, 0.0, 1.0, 2.0, 3.0]  # rounding jumps: finite differences avoid them


def test_log10_and_log2():
    assert_op_gradients(lambda a: a.log10(), reference=np.log10, domain=POSITIVE)
    assert_op_gradients(tg.log2, reference=np.log2, domain=POSITIVE)


def test_exp2_and_expm1():
    assert_op_gradients(lambda a: a.exp2(), reference=np.exp2)
    assert_op_gradients(tg.expm1, reference=np.expm1)


def test_expm1_is_accurate_near_zero():
    assert tg.tensor([1e-10], dtype=tg.float64).expm1().item() == pytest.approx(1e-10, rel=1e-9)


def test_tan_and_atan():
    assert_op_gradients(lambda a: a.tan(), reference=np.tan, domain=(-1.2, 1.2))
    assert_op_gradients(tg.arctan, reference=np.arctan)


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round"])
def test_rounding_has_zero_gradient(name):
    reference = {"floor": np.floor, "ceil": np.ceil, "trunc": np.trunc, "round": np.round}[name]
    points = WHOLE if name != "round" else [w + 0.5 for w in WHOLE]
    assert_op_gradients(lambda a: getattr(a, name)() * 1.0, reference=reference,
                        domain=(-2.8, 2.8), avoid=points)


def test_round_with_decimals():
    x = tg.tensor([1.2345, -1.2355, 1234.5678, 0.125], dtype=tg.float64)
    assert tg.round(x, decimals=2).tolist() == [1.23, -1.24, 1234.57, 0.12]  # half to even
    assert x.round(decimals=-2).tolist() == [0.0, -0.0, 1200.0, 0.0]


def test_round_rejects_decimals_on_integers_and_non_int_decimals():
    with pytest.raises(NotImplementedError, match="round_cpu.*Long"):
        tg.tensor([3, 4]).round(decimals=1)
    with pytest.raises(TypeError, match="decimals.*must be int"):
        tg.tensor([3.0]).round(decimals=1.5)


def test_rounding_integers_gives_a_copy_of_the_same_dtype():
    x = tg.tensor([3, -4])
    y = x.floor()
    assert y.dtype == tg.int64 and y.tolist() == [3, -4]
    y[0] = 7
    assert x.tolist() == [3, -4]


def test_frac_keeps_the_sign_and_has_gradient_one():
    x = tg.tensor([2.75, -2.75])
    assert x.frac().tolist() == [0.75, -0.75]
    assert_op_gradients(tg.frac, reference=lambda a: a - np.trunc(a), domain=(-2.8, 2.8),
                        avoid=WHOLE)
    with pytest.raises(NotImplementedError, match="frac_cpu.*Long"):
        tg.tensor([3]).frac()


def test_floor_divide_and_remainder_follow_python_signs():
    a, b = [-7, 7, -7, 7], [2, 2, -2, -2]
    ta, tb = tg.tensor(a), tg.tensor(b)
    assert (ta // tb).tolist() == [x // y for x, y in zip(a, b)]
    assert (ta % tb).tolist() == [x % y for x, y in zip(a, b)]
    assert (7 // tb).tolist() == [7 // y for y in b]
    assert (7 % tb).tolist() == [7 % y for y in b]
    floats = tg.tensor([-7.5, 7.5])
    assert (floats % -2).tolist() == [-7.5 % -2, 7.5 % -2]
    assert tg.floor_divide(floats, 2).tolist() == [-4.0, 3.0]


def test_fmod_takes_the_dividends_sign():
    assert tg.fmod(tg.tensor([-7.0, 7.0]), -3).tolist() == [-1.0, 1.0]
    assert tg.tensor([5, -5]).fmod(3).tolist() == [2, -2]


def test_a_python_float_divisor_promotes_integers():
    out = tg.tensor([5, -5]) // 2.5
    assert out.dtype == tg.float32 and out.tolist() == [2.0, -2.0]


def test_integer_division_by_zero_raises():
    for op in (tg.floor_divide, tg.remainder, tg.fmod):
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            op(tg.tensor([1, 2]), tg.tensor([1, 0]))
    assert (tg.tensor([-1.0, 1.0]) // 0).tolist() == [float("-inf"), float("inf")]


def test_bool_floor_divide_is_not_implemented():
    with pytest.raises(NotImplementedError, match="Bool"):
        tg.tensor([True]) // tg.tensor([True])


def test_floor_divide_has_no_derivative():
    a = tg.tensor([1.5, 2.5], requires_grad=True)
    out = a // 2
    assert out.requires_grad
    with pytest.raises(RuntimeError, match="derivative for aten::floor_divide is not implemented"):
        out.sum().backward()


def test_remainder_and_fmod_gradients():
    assert_op_gradients(lambda a: a % 1.5, reference=lambda a: np.remainder(a, 1.5),
                        domain=(-2.8, 2.8), avoid=[-1.5, 0.0, 1.5])
    assert_op_gradients(lambda a: tg.fmod(a, -1.5), reference=lambda a: np.fmod(a, -1.5),
                        domain=(-2.8, 2.8), avoid=[-1.5, 0.0, 1.5])
    # the divisor's gradient, -floor(a / b) and -trunc(a / b), away from the jumps
    a = tg.tensor([-7.3, 7.3, 5.1, -0.4], dtype=tg.float64, requires_grad=True)
    b = tg.tensor([2.1, 2.1, -1.9, 0.9], dtype=tg.float64, requires_grad=True)
    assert gradcheck(tg.remainder, (a, b))
    assert gradcheck(tg.fmod, (a, b))


def test_div_rounding_modes():
    a = tg.tensor([-7.5, 7.5, -7, 7])
    assert tg.div(a, 2, rounding_mode="floor").tolist() == [-4.0, 3.0, -4.0, 3.0]
    assert a.div(2, rounding_mode="trunc").tolist() == [-3.0, 3.0, -3.0, 3.0]
    ints = tg.tensor([5, -5, -4, 4])
    assert ints.div(2, rounding_mode="trunc").tolist() == [2, -2, -2, 2]
    assert ints.div(-2, rounding_mode="trunc").tolist() == [-2, 2, 2, -2]
    assert ints.div(2, rounding_mode="floor").tolist() == [2, -3, -2, 2]
    assert ints.div(2).dtype == tg.float32
    with pytest.raises(RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor'"):
        a.div(2, rounding_mode="round")


def test_div_rounded_has_zero_gradient():
    x = tg.tensor([1.5, -2.5], requires_grad=True)
    x.div(2, rounding_mode="floor").sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_clamp_min_and_clamp_max():
    x = tg.tensor([1.0, 2.0, 3.0])
    assert x.clamp_min(1.5).tolist() == [1.5, 2.0, 3.0]
    assert tg.clamp_max(x, 2.5).tolist() == [1.0, 2.0, 2.5]
    assert_op_gradients(lambda a: a.clamp_min(0.5), reference=lambda a: np.maximum(a, 0.5),
                        avoid=[0.5])


def test_integer_inputs_of_float_functions_give_the_default_dtype():
    assert tg.tensor([1, 10]).log10().dtype == tg.float32
    assert tg.tensor([True]).exp2().tolist() == [2.0]


def test_nelement_is_numel():
    assert tg.zeros(2, 3).nelement() == 6


def test_format_of_a_0d_tensor_is_its_number():
    loss = tg.tensor(0.123456)
    assert f"{loss:.4f}" == "0.1235"
    assert format(tg.tensor(3), "03d") == "003"
    assert f"{tg.tensor([1.5, 2.0])}" == str(tg.tensor([1.5, 2.0]))
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
        format(tg.tensor([1.5]), ".4f")


def test_hyperbolic_and_inverse_trigonometric():
    assert_op_gradients(tg.sinh, reference=np.sinh)
    assert_op_gradients(lambda a: a.cosh(), reference=np.cosh)
    assert_op_gradients(lambda a: a.asin() + tg.arccos(a * 0.5), domain=(-0.8, 0.8),
                        reference=lambda a: np.arcsin(a) + np.arccos(a * 0.5))


@pytest.mark.parametrize("name,args", [("exp_", ()), ("log_", ()), ("sqrt_", ()), ("abs_", ()),
                                       ("neg_", ()), ("pow_", (2,)), ("sigmoid_", ()),
                                       ("tanh_", ()), ("relu_", ()), ("floor_", ()),
                                       ("ceil_", ()), ("round_", ()), ("trunc_", ()),
                                       ("clamp_min_", (0.7,)), ("clamp_max_", (0.7,))])
def test_in_place_variants(name, args):
    data = np.array([0.3, 1.6, 2.5])
    x = tg.tensor(data.copy())
    expected = getattr(tg.tensor(data.copy()), name[:-1])(*args)
    assert getattr(x, name)(*args) is x and np.allclose(x.numpy(), expected.numpy())
    assert x._version.value == 1
    w = tg.tensor(data.copy(), requires_grad=True)
    h = w * 1.0
    getattr(h, name)(*args)  # recorded on a non-leaf: the gradient is the op's
    h.sum().backward()
    reference = tg.tensor(data.copy(), requires_grad=True)
    getattr(reference * 1.0, name[:-1])(*args).sum().backward()
    assert np.allclose(w.grad.numpy(), reference.grad.numpy())
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(tg.tensor(data.copy(), requires_grad=True), name)(*args)


def test_singular_values_give_inf_and_nan_silently_as_in_pytorch():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tg.tensor([0.0, -1.0]).log10().tolist()[0] == float("-inf")
        assert np.isnan(tg.tensor([-1.0]).log2().item())
        assert np.isnan(tg.tensor([2.0]).asin().item())
        assert (tg.tensor([1.0]) // 0).item() == float("inf")
        assert np.isnan((tg.tensor([1.0]) % 0).item()) and np.isnan(tg.fmod(tg.tensor([1.0]), 0))


def test_detach_in_place():
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 2
    assert h.detach_() is h and h.grad_fn is None and not h.requires_grad
    assert h.tolist() == [2.0, 4.0]
