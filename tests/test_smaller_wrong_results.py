"""The issue's smaller wrong results, each as PyTorch gives it (issue 10, class 8)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn

X = np.arange(6.0).reshape(2, 3)


@pytest.mark.parametrize("call, expected", [
    (lambda t: t.sum(dim=()), 15.0),
    (lambda t: t.sum(dim=[]), 15.0),
    (lambda t: t.mean(dim=[]), 2.5),
    (lambda t: t.mean(dim=()), 2.5),
    (lambda t: t.var(dim=()), 3.5),
    (lambda t: t.std(dim=[]), np.sqrt(3.5)),
])
def test_an_empty_dim_list_reduces_over_every_dim(call, expected) -> None:
    result = call(tg.tensor(X))
    assert result.shape == ()
    np.testing.assert_allclose(result.item(), expected)


@pytest.mark.parametrize("loss", [
    lambda x, t: nn.CrossEntropyLoss()(x, t),
    lambda x, t: F.nll_loss(x.log_softmax(1), t),
    lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1),
])
def test_a_mean_loss_over_an_empty_batch_is_nan(loss) -> None:
    x = tg.zeros(0, 3, requires_grad=True)
    out = loss(x, tg.zeros(0, dtype=tg.int64))
    assert np.isnan(out.item())
    out.backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("call, error, message", [
    (lambda: tg.arange(4).split([3, -1]), RuntimeError,
     r"split_sizes have only non-negative entries, but got split_sizes=\[3, -1\]"),
    (lambda: tg.arange(4).split([5, -1]), RuntimeError, "non-negative entries"),
    (lambda: tg.zeros(6).reshape(2.9, 3.1), TypeError,
     r"reshape\(\): argument 'shape' must be int, not float \(2.9\)"),
    (lambda: tg.zeros(6).reshape((2, 3.0)), TypeError, "argument 'shape' must be int"),
    (lambda: tg.tensor([float("nan")], dtype=tg.int64), RuntimeError,
     "value cannot be converted to type int64 without overflow"),
    (lambda: tg.tensor([float("inf")], dtype=tg.int32), RuntimeError,
     "value cannot be converted to type int32 without overflow"),
    (lambda: tg.rand(3, dtype=tg.int64), RuntimeError, "not implemented for 'Long'"),
    (lambda: tg.randn(3, dtype=tg.int64), RuntimeError, "not implemented for 'Long'"),
    (lambda: tg.tensor([10.0, 20.0, 30.0])[[tg.tensor(1), 0]], IndexError, "too many indices"),
])
def test_raises_as_pytorch_does(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_list_index_with_tensors_is_read_as_a_tuple_as_in_pytorch() -> None:
    a = tg.tensor(np.arange(6.0).reshape(2, 3))
    assert a[[tg.tensor(1), 0]].item() == 3.0  # a[1, 0]
    assert a[[1, 0]].tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]  # plain ints: rows


def test_linear_with_a_row_bias_works_forward_and_backward() -> None:
    x = tg.ones(2, 3, requires_grad=True)
    w = tg.ones(4, 3, requires_grad=True)
    b = tg.zeros(1, 4, requires_grad=True)
    y = F.linear(x, w, b)
    assert y.shape == (2, 4)
    y.sum().backward()
    np.testing.assert_array_equal(b.grad.numpy(), [[2.0, 2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(w.grad.numpy(), np.full((4, 3), 2.0))


@pytest.mark.parametrize("loss", [F.cross_entropy, lambda x, t, weight: F.nll_loss(x, t,
                                                                                 weight=weight)])
def test_class_weights_that_require_grad_are_refused(loss) -> None:
    weight = tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        loss(tg.zeros(2, 3), tg.tensor([0, 1]), weight=weight)
    with tg.no_grad():
        loss(tg.zeros(2, 3), tg.tensor([0, 1]), weight=weight)  # nothing recorded: fine
    loss(tg.zeros(2, 3), tg.tensor([0, 1]), weight=weight.detach())


def test_gradcheck_perturbs_a_non_contiguous_input_itself() -> None:
    x = tg.tensor(np.arange(6.0).reshape(2, 3)).T.detach()
    assert not x.array.flags.c_contiguous
    x.requires_grad_()
    assert tg.autograd.gradcheck(lambda t: (t * t * tg.tensor([[1.0, 2.0]],
                                                               dtype=tg.float64)).sum(), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), np.arange(6.0).reshape(2, 3).T)
