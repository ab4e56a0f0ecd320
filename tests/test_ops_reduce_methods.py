"""The reductions' PyTorch argument names and numpy aliases (ops/reduce_methods.py),
prod, and all/any along dims. The PyTorch comparison is in test_ops_torch_everyday.py."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, gradcheck, shapes

X = tg.tensor([[1.0, 5.0, 2.0], [4.0, 0.0, 6.0]])


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp", "var", "std",
                                  "prod", "any", "all", "argmax", "argmin"])
def test_axis_and_keepdims_are_aliases_of_dim_and_keepdim(name):
    method = getattr(X, name)
    expected = method(dim=1, keepdim=True)
    assert method(axis=1, keepdims=True).equal(expected)
    assert getattr(tg, name)(X, axis=1, keepdims=True).equal(expected)
    assert expected.shape == (2, 1)


def test_max_and_min_accept_the_aliases_too():
    values, indices = X.max(axis=0, keepdims=True)
    assert values.tolist() == [[4.0, 5.0, 6.0]] and indices.tolist() == [[1, 0, 1]]
    assert tg.min(X, axis=1).values.tolist() == [1.0, 0.0]
    assert X.sum(axis=(0, 1)).item() == 18.0


def test_giving_a_name_and_its_alias_is_an_error():
    with pytest.raises(TypeError, match="both 'dim' and its alias 'axis'"):
        X.sum(dim=0, axis=0)
    with pytest.raises(TypeError, match="both 'keepdim' and its alias 'keepdims'"):
        X.mean(0, keepdim=True, keepdims=True)


def test_var_and_std_take_unbiased_as_pytorch():
    data = X.numpy()
    assert np.allclose(X.std(0, True).numpy(), data.std(0, ddof=1))
    assert np.allclose(X.std(0, False).numpy(), data.std(0))
    assert np.isclose(X.var(unbiased=False).item(), data.var())
    assert np.isclose(X.var(True).item(), data.var(ddof=1))  # PyTorch's var(unbiased) overload
    assert np.isclose(X.var(False).item(), data.var())
    assert tg.std(X, 1, True, True).shape == (2, 1)
    assert np.allclose(X.var(1, correction=2).numpy(), data.var(1, ddof=2))
    with pytest.raises(TypeError, match="either 'unbiased' or 'correction'"):
        X.var(1, unbiased=True, correction=0)


def test_sum_and_mean_take_a_dtype():
    ints = tg.tensor([[1, 2], [3, 4]])
    assert ints.sum(dtype=tg.float64).dtype == tg.float64
    assert ints.mean(dtype=tg.float32).item() == 2.5


def test_prod():
    assert_op_gradients(lambda x: x.prod(), reference=np.prod, shapes=shapes(max_side=3))
    assert_op_gradients(lambda x, dim: x.prod(dim), reference=lambda x, dim: x.prod(dim),
                        shapes=shapes(min_dims=1, max_dims=3, max_side=5),
                        kwargs=lambda s: {"dim": st.integers(-len(s[0]), len(s[0]) - 1)})
    assert_op_gradients(lambda x: x.prod(1, keepdim=True), shapes=shapes(min_dims=2, max_dims=2),
                        reference=lambda x: x.prod(1, keepdims=True))


def test_prod_gradient_is_exact_where_an_element_is_zero():
    x = tg.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0]], dtype=tg.float64, requires_grad=True)
    x.prod(1).sum().backward()
    assert x.grad.tolist() == [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0]]
    assert gradcheck(lambda t: t.prod(), (x,))


def test_prod_dtypes_and_empty_inputs():
    assert tg.tensor([2, 3]).prod().dtype == tg.int64
    assert tg.tensor([True, False]).prod().item() == 0
    assert tg.zeros(0).prod().item() == 1.0
    assert tg.zeros(2, 0).prod(1).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="prod\\(\\): argument 'dim' must be an int"):
        X.prod((0, 1))


def test_all_and_any_along_dims():
    x = tg.tensor([[1, 0, 2], [3, 4, 5]])
    assert x.all(1).tolist() == [False, True]
    assert tg.any(x == 0, dim=0).tolist() == [False, True, False]
    assert x.all().item() is False and tg.any(x).item() is True
    assert x.all(dim=(0, 1), keepdim=True).shape == (1, 1)
    assert x.all(0).dtype == tg.bool


def test_median():
    assert_op_gradients(lambda x: x.median(), distinct=True,
                        reference=lambda x: np.sort(x, None)[(x.size - 1) // 2])
    assert_op_gradients(lambda x, dim: tg.median(x, dim).values,
                        reference=lambda x, dim: np.take(np.sort(x, dim), (x.shape[dim] - 1) // 2,
                                                         axis=dim),
                        shapes=shapes(min_dims=1, max_dims=3), distinct=True,
                        kwargs=lambda s: {"dim": st.integers(-len(s[0]), len(s[0]) - 1)})
    x = tg.tensor([[3.0, 1.0, 2.0, 1.0], [0.0, 5.0, 5.0, -1.0]], requires_grad=True)
    values, indices = x.median(1, keepdim=True)
    assert values.tolist() == [[1.0], [0.0]] and indices.tolist() == [[3], [0]]
    x.median().backward()  # two elements equal the median: they share its gradient
    assert x.grad.tolist() == [[0.0, 0.5, 0.0, 0.5], [0.0, 0.0, 0.0, 0.0]]


def test_std_mean_var_mean_nansum_nanmean():
    data = X.numpy()
    std, mean = tg.std_mean(X, 1)
    assert np.allclose(std.numpy(), data.std(1, ddof=1)) and np.allclose(mean.numpy(), data.mean(1))
    var, mean = tg.var_mean(X, dim=0, unbiased=False)
    assert np.allclose(var.numpy(), data.var(0)) and np.allclose(mean.numpy(), data.mean(0))
    with_nan = tg.tensor([[1.0, float("nan")], [3.0, 4.0]], requires_grad=True)
    assert tg.nansum(with_nan).item() == 8.0
    assert with_nan.nanmean(dim=1).tolist() == [1.0, 3.5]
    with_nan.nansum().backward()
    assert with_nan.grad.tolist() == [[1.0, 0.0], [1.0, 1.0]]
