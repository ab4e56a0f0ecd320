"""Property tests of cumsum and cumprod (ops/scan.py)."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, gradcheck, shapes

SHAPES = shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)


def _dim(s):
    return {"dim": st.integers(-len(s[0]), len(s[0]) - 1)}


def test_cumsum():
    assert_op_gradients(lambda x, dim: x.cumsum(dim), reference=lambda x, dim: np.cumsum(x, dim),
                        shapes=SHAPES, kwargs=_dim)


def test_cumprod():
    assert_op_gradients(lambda x, dim: tg.cumprod(x, dim=dim),
                        reference=lambda x, dim: np.cumprod(x, dim), shapes=SHAPES, kwargs=_dim)


def test_cumprod_gradient_is_exact_at_zeros():
    x = tg.tensor([2.0, 0.0, 3.0, 0.0, 5.0], dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda t: t.cumprod(0), (x,))
    x.cumprod(0).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0 + 6.0, 0.0, 0.0, 0.0]


def test_dtypes():
    assert tg.tensor([1, 2]).cumsum(0).dtype == tg.int64
    assert tg.tensor([True, True]).cumsum(0).tolist() == [1, 2]
    assert tg.tensor([1, 2], dtype=tg.int32).cumprod(0).dtype == tg.int64
    assert tg.tensor([1.0, 2.0]).cumsum(0, dtype=tg.float64).dtype == tg.float64


def test_dim_is_required_and_checked():
    with pytest.raises(TypeError):
        tg.ones(3).cumsum()
    with pytest.raises(IndexError, match="Dimension out of range"):
        tg.ones(3).cumsum(1)
