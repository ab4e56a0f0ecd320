"""Property tests of the reductions: dims drawn as int or tuple, negative, with keepdim."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, dims, shapes


def _dim_and_keepdim(shapes_):
    return {"dim": dims(len(shapes_[0])), "keepdim": st.booleans()}


def _single_dim_and_keepdim(shapes_):
    return {"dim": dims(len(shapes_[0]), allow_tuple=False), "keepdim": st.booleans()}


def _axis(dim):
    return tuple(dim) if isinstance(dim, (tuple, list)) else dim


def _numpy_axis(x, dim):
    """numpy's axis for a dim on a possibly 0-d array (where dims 0 and -1 mean 'all')."""
    return None if x.ndim == 0 else _axis(dim)


def test_sum():
    assert_op_gradients(lambda x, dim, keepdim: x.sum(dim, keepdim),
                        reference=lambda x, dim, keepdim: np.sum(x, _numpy_axis(x, dim),
                                                                 keepdims=keepdim),
                        kwargs=_dim_and_keepdim)


def test_sum_of_everything():
    assert_op_gradients(lambda x: x.sum(), reference=np.sum)
    assert_op_gradients(tg.sum, reference=np.sum)


def test_mean():
    assert_op_gradients(lambda x, dim, keepdim: x.mean(dim, keepdim),
                        reference=lambda x, dim, keepdim: np.mean(x, _numpy_axis(x, dim),
                                                                  keepdims=keepdim),
                        kwargs=_dim_and_keepdim)
    assert_op_gradients(tg.mean, reference=np.mean)


def _var_reference(x, dim, keepdim, correction):
    return np.var(x, _numpy_axis(x, dim), ddof=correction, keepdims=keepdim)


def _var_kwargs(shapes_):
    return {**_dim_and_keepdim(shapes_), "correction": st.sampled_from([0, 1])}


def test_var():
    assert_op_gradients(
        lambda x, dim, keepdim, correction: x.var(dim, correction=correction, keepdim=keepdim),
        reference=_var_reference, kwargs=_var_kwargs,
        shapes=shapes(min_dims=1, min_side=2), distinct=True)


def test_std():
    assert_op_gradients(
        lambda x, dim, keepdim, correction: x.std(dim, correction=correction, keepdim=keepdim),
        reference=lambda x, dim, keepdim, correction: np.sqrt(
            _var_reference(x, dim, keepdim, correction)),
        kwargs=_var_kwargs, shapes=shapes(min_dims=1, min_side=2), distinct=True)


def test_var_and_std_of_everything():
    assert_op_gradients(lambda x: x.var(), reference=lambda x: np.var(x, ddof=1),
                        shapes=shapes(min_dims=1, min_side=2), distinct=True)
    assert_op_gradients(tg.std, reference=lambda x: np.std(x, ddof=1),
                        shapes=shapes(min_dims=1, min_side=2), distinct=True)


def test_amax():
    assert_op_gradients(lambda x, dim, keepdim: x.amax(dim, keepdim),
                        reference=lambda x, dim, keepdim: np.amax(x, _numpy_axis(x, dim),
                                                                  keepdims=keepdim),
                        kwargs=_dim_and_keepdim, distinct=True)


def test_amin():
    assert_op_gradients(lambda x, dim, keepdim: tg.amin(x, dim, keepdim),
                        reference=lambda x, dim, keepdim: np.amin(x, _numpy_axis(x, dim),
                                                                  keepdims=keepdim),
                        kwargs=_dim_and_keepdim, distinct=True)


def test_max_and_min_of_everything():
    assert_op_gradients(lambda x: x.max(), reference=np.max, distinct=True)
    assert_op_gradients(tg.min, reference=np.min, distinct=True)


def test_max_along_a_dim():
    assert_op_gradients(lambda x, dim, keepdim: x.max(dim, keepdim).values,
                        reference=lambda x, dim, keepdim: np.max(x, _numpy_axis(x, dim),
                                                                 keepdims=keepdim),
                        kwargs=_single_dim_and_keepdim, distinct=True)


def test_min_along_a_dim():
    assert_op_gradients(lambda x, dim, keepdim: tg.min(x, dim, keepdim)[0],
                        reference=lambda x, dim, keepdim: np.min(x, _numpy_axis(x, dim),
                                                                 keepdims=keepdim),
                        kwargs=_single_dim_and_keepdim, distinct=True)


def test_max_along_a_dim_returns_the_indices():
    x = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = x.max(1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    assert indices.dtype == tg.int64
    values, indices = x.min(dim=0, keepdim=True)
    assert values.tolist() == [[1.0, 0.0, 2.0]] and indices.tolist() == [[0, 1, 0]]


def test_max_shares_the_gradient_of_ties_equally():
    x = tg.tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.0, 0.5, 0.5]


def test_logsumexp():
    assert_op_gradients(
        lambda x, dim, keepdim: x.logsumexp(dim, keepdim),
        reference=lambda x, dim, keepdim: np.log(np.sum(np.exp(x), _numpy_axis(x, dim),
                                                        keepdims=keepdim)),
        kwargs=_dim_and_keepdim)


def test_logsumexp_is_stable_for_large_values():
    x = tg.tensor([1000.0, 1000.0], dtype=tg.float64, requires_grad=True)
    out = x.logsumexp(0)
    out.backward()
    assert out.item() == pytest.approx(1000 + np.log(2))
    assert x.grad.tolist() == [0.5, 0.5]


def _softmax_reference(x, dim):
    if x.ndim == 0:
        return np.ones_like(x)
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _dim_only(shapes_):
    return {"dim": dims(len(shapes_[0]), allow_tuple=False)}


def test_softmax():
    assert_op_gradients(lambda x, dim: x.softmax(dim), reference=_softmax_reference,
                        kwargs=_dim_only)


def test_log_softmax():
    assert_op_gradients(lambda x, dim: tg.log_softmax(x, dim),
                        reference=lambda x, dim: np.log(_softmax_reference(x, dim)),
                        kwargs=_dim_only)


@pytest.mark.parametrize("p", ["fro", 2, 1, 3])
def test_norm(p):
    def reference(x, dim, keepdim):
        order = 2 if p == "fro" else p
        axis = _numpy_axis(x, dim)
        return np.sum(np.abs(x) ** order, axis=axis, keepdims=keepdim) ** (1 / order)

    assert_op_gradients(lambda x, dim, keepdim: x.norm(p, dim, keepdim), reference=reference,
                        kwargs=_dim_and_keepdim, avoid=[0.0], margin=0.2)


def test_norm_of_everything():
    assert_op_gradients(lambda x: x.norm(), reference=np.linalg.norm, avoid=[0.0])
    assert_op_gradients(tg.norm, reference=np.linalg.norm, avoid=[0.0])


@pytest.mark.parametrize("domain", [(0.1, 3.0), (-3.0, -0.1)])
def test_inf_norm(domain):
    # one sign per run: distinct values then have distinct |values| (no tie like -1.5, 1.5)
    assert_op_gradients(lambda x: x.norm(float("inf")), reference=lambda x: np.max(np.abs(x)),
                        distinct=True, domain=domain)


def test_argmax_and_argmin():
    x = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    assert x.argmax().item() == 3 and x.argmin().item() == 4
    assert x.argmax(dim=1).tolist() == [1, 0]
    assert tg.argmin(x, dim=0, keepdim=True).tolist() == [[0, 1, 0]]


def test_amax_with_dim_zero_reduces_only_dim_zero():
    """Regression: ``amax(dim=0)`` took ``dim or None`` and reduced every dim."""
    x = tg.tensor([[1.0, 5.0], [7.0, 0.0]])
    assert x.amax(0).tolist() == [7.0, 5.0]
    assert x.amin(dim=0, keepdim=True).tolist() == [[1.0, 0.0]]
    assert x.amax(()).item() == 7.0 and x.amax().item() == 7.0


def test_max_with_keepdim_true():
    """Regression: ``max(dim, keepdim=True)`` raised ValueError inside put_along_axis."""
    x = tg.tensor([[1.0, 5.0], [7.0, 0.0]], requires_grad=True)
    values, indices = x.max(1, keepdim=True)
    assert values.tolist() == [[5.0], [7.0]] and indices.tolist() == [[1], [0]]
    values.sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0], [1.0, 0.0]]
