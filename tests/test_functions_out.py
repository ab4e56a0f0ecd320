"""``out=`` on the functions tutorials call with it, PyTorch's keyword names
(``input=``, ``other=``, ``mat2=`` ...), bmm and allclose."""

import warnings

import numpy as np
import pytest

import tinygrad_edu as tg

A = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
B = tg.tensor([[0.5, -1.0], [2.0, 0.0]])


@pytest.mark.parametrize("name,call", [
    ("add", lambda out: tg.add(A, B, alpha=2, out=out)),
    ("sub", lambda out: tg.sub(A, B, out=out)),
    ("mul", lambda out: tg.mul(A, B, out=out)),
    ("div", lambda out: tg.div(A, B + 3, rounding_mode="floor", out=out)),
    ("pow", lambda out: tg.pow(A, 2, out=out)),
    ("matmul", lambda out: tg.matmul(A, B, out=out)),
    ("mm", lambda out: tg.mm(A, B, out=out)),
    ("cat", lambda out: tg.cat([A, B], 1, out=out)),
    ("stack", lambda out: tg.stack([A, B], out=out)),
])
def test_out_receives_the_result_and_is_returned(name, call):
    expected = call(None)
    out = tg.empty(0)
    version = out._version.value
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an empty out is resized without a warning
        assert call(out) is out
    assert out.equal(expected) and out._version.value > version


def test_out_of_another_shape_is_resized_with_a_warning():
    out = tg.zeros(1)
    with pytest.warns(UserWarning, match="resized since it had shape \\[1\\]"):
        tg.add(A, B, out=out)
    assert out.tolist() == [[1.5, 1.0], [5.0, 4.0]]


def test_out_casts_safely_and_refuses_unsafe_casts():
    out = tg.zeros(2, 2, dtype=tg.float64)
    tg.add(A, B, out=out)
    assert out.dtype == tg.float64 and out.tolist() == [[1.5, 1.0], [5.0, 4.0]]
    ints = tg.zeros(2, 2, dtype=tg.int64)
    with pytest.raises(RuntimeError, match="result type .*float32 can't be cast to the desired "
                                           "output type .*int64"):
        tg.mul(A, B, out=ints)
    assert ints.tolist() == [[0, 0], [0, 0]]


def test_out_is_not_differentiable():
    w = tg.ones(2, 2, requires_grad=True)
    with pytest.raises(RuntimeError, match="out=... arguments don't support automatic"):
        tg.matmul(w, A, out=tg.empty(2, 2))
    with tg.no_grad():
        assert tg.matmul(w, A, out=tg.empty(2, 2)).tolist() == [[4.0, 6.0], [4.0, 6.0]]
    with pytest.raises(TypeError, match="argument 'out' must be Tensor"):
        tg.add(A, B, out=np.zeros((2, 2)))


def test_pytorch_keyword_names():
    assert tg.matmul(input=A, other=B).equal(A @ B)
    assert tg.mm(input=A, mat2=B).equal(A @ B)
    assert tg.dot(input=A[0], tensor=B[0]).item() == -1.5
    assert tg.outer(input=A[0], vec2=B[0]).equal(A[0].unsqueeze(1) * B[0])
    assert tg.add(input=A, other=B).equal(A + B)
    assert tg.true_divide(dividend=A, divisor=2.0).equal(A / 2)
    assert tg.sum(input=A, dim=0).tolist() == [4.0, 6.0]
    assert tg.gather(input=A, dim=1, index=tg.tensor([[1], [0]])).tolist() == [[2.0], [3.0]]


def test_bmm():
    x, y = tg.ones(2, 3, 4), tg.ones(2, 4, 5)
    assert tg.bmm(x, y).shape == (2, 3, 5) and x.bmm(y).equal(x @ y)
    with pytest.raises(RuntimeError, match="batch1 must be a 3D tensor"):
        tg.bmm(A, A)
    with pytest.raises(RuntimeError, match="both batches must have the same size"):
        tg.bmm(tg.ones(2, 3, 4), tg.ones(3, 4, 5))


def test_allclose():
    nan = tg.tensor([1.0, float("nan")])
    assert not tg.allclose(nan, nan) and tg.allclose(nan, nan, equal_nan=True)
    assert A.allclose(A + 1e-9) and not A.allclose(A + 1e-3)
