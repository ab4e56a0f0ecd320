"""The Functions fused for speed (issue 16): cross_entropy and batch_norm in one node each.

Each is checked against finite differences (first and second derivatives) and
against PyTorch (values and gradients, float64 and float32), on the edge cases
the composition they replaced handled: extreme logits, ignore_index, class
weights, label smoothing, every reduction; batch norm in train and eval mode
with its running statistics.
"""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.autograd import gradcheck, gradgradcheck
from tinygrad_edu.nn import functional as F
from tinygrad_edu.testing import assert_op_gradients


# ----- cross_entropy ----------------------------------------------------------------------
def _targets(shapes):
    n, c = shapes[0]
    return {"target": st.lists(st.integers(0, c - 1), min_size=n, max_size=n).map(
        lambda t: tg.tensor(t, dtype=tg.int64))}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_gradients_against_finite_differences(reduction):
    assert_op_gradients(lambda x, target: F.cross_entropy(x, target, reduction=reduction),
                        shapes=st.tuples(st.integers(1, 4), st.integers(2, 5)),
                        kwargs=_targets, domain=(-4, 4))


def test_cross_entropy_is_one_node_and_its_gradient_is_softmax_minus_onehot():
    x = tg.tensor([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]], dtype=tg.float64, requires_grad=True)
    t = tg.tensor([1, 2])
    loss = F.cross_entropy(x, t)
    assert "NllLossBackward0" in repr(loss)  # PyTorch's name for the whole op
    assert type(loss.grad_fn).__name__ == "CrossEntropy"
    assert type(loss.grad_fn.next_functions[0]).__name__ == "AccumulateGrad"  # x, directly
    loss.backward()
    p = np.exp(x.array) / np.exp(x.array).sum(1, keepdims=True)
    np.testing.assert_allclose(x.grad.array, (p - np.eye(3)[[1, 2]]) / 2, rtol=1e-12)


def test_cross_entropy_extreme_logits_are_finite():
    x = tg.tensor([[1000.0, -1000.0, 0.0], [-1e4, 1e4, 5.0]], dtype=tg.float64,
                  requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([1, 1]))
    loss.backward()
    assert loss.item() == pytest.approx(1000.0)  # first row: 2000 / 2, second row: 0
    np.testing.assert_allclose(x.grad.array, [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


def test_cross_entropy_second_derivatives():
    x = tg.tensor(np.random.default_rng(0).normal(size=(3, 4)), requires_grad=True)
    w = tg.tensor([0.5, 1.0, 2.0, 1.5], dtype=tg.float64)
    t = tg.tensor([0, 3, -100])
    for kwargs in ({}, {"weight": w, "label_smoothing": 0.2}, {"reduction": "none"},
                   {"reduction": "sum", "ignore_index": -100}):
        def loss(x, kwargs=kwargs):
            return F.cross_entropy(x, t, **kwargs)

        assert gradcheck(loss, (x,))
        assert gradgradcheck(loss, (x,))


def test_cross_entropy_of_int_logits_is_a_clear_error():
    with pytest.raises(NotImplementedError, match="cross_entropy.*float logits"):
        F.cross_entropy(tg.tensor([[1, 2]]), tg.tensor([0]))


CASES = [
    {},
    {"reduction": "sum"},
    {"reduction": "none"},
    {"ignore_index": 2},
    {"weight": [0.2, 1.0, 3.0, 0.5]},
    {"weight": [0.2, 1.0, 3.0, 0.5], "ignore_index": 1, "label_smoothing": 0.3},
    {"label_smoothing": 0.1, "reduction": "none"},
    {"label_smoothing": 1.0, "reduction": "sum"},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kwargs", CASES, ids=str)
def test_cross_entropy_matches_pytorch(dtype, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    logits = (rng.normal(size=(6, 4)) * 3).astype(dtype)
    logits[0] = [300.0, -300.0, 0.0, 1.0]  # extreme logits
    target = np.array([0, 1, 2, 3, 2, 1])
    tg_kwargs, torch_kwargs = dict(kwargs), dict(kwargs)
    if "weight" in kwargs:
        tg_kwargs["weight"] = tg.tensor(np.array(kwargs["weight"], dtype=dtype))
        torch_kwargs["weight"] = torch.tensor(np.array(kwargs["weight"], dtype=dtype))
    x = tg.tensor(logits, requires_grad=True)
    xt = torch.tensor(logits, requires_grad=True)
    ours = F.cross_entropy(x, tg.tensor(target), **tg_kwargs)
    theirs = torch.nn.functional.cross_entropy(xt, torch.tensor(target), **torch_kwargs)
    upstream = rng.normal(size=theirs.shape).astype(dtype)
    (ours * tg.tensor(upstream)).sum().backward()
    (theirs * torch.tensor(upstream)).sum().backward()
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else {"rtol": 1e-5,
                                                                            "atol": 1e-6}
    assert ours.dtype == getattr(tg, dtype)
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), **tolerance)
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **tolerance)


def test_cross_entropy_with_every_target_ignored_is_nan_as_pytorch():
    x = tg.tensor([[1.0, 2.0]], requires_grad=True)
    loss = F.cross_entropy(x, tg.tensor([-100]))
    assert np.isnan(loss.item())


def test_cross_entropy_over_a_spatial_class_dim():
    torch = pytest.importorskip("torch")
    logits = np.random.default_rng(2).normal(size=(2, 3, 4))
    target = np.array([[0, 1, 2, 1], [2, 2, 0, 1]])
    x, xt = tg.tensor(logits, requires_grad=True), torch.tensor(logits, requires_grad=True)
    F.cross_entropy(x, tg.tensor(target), label_smoothing=0.1).backward()
    torch.nn.functional.cross_entropy(xt, torch.tensor(target), label_smoothing=0.1).backward()
    np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), rtol=1e-10)



# ----- batch_norm -------------------------------------------------------------------------
def _bn_shapes(rank):
    return st.tuples(st.integers(2, 4), st.integers(1, 3), *([st.integers(1, 3)] * (rank - 2)))


@pytest.mark.parametrize("rank", [2, 3])
def test_batch_norm_training_gradients_against_finite_differences(rank):
    assert_op_gradients(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        num_inputs=3, broadcast=False, distinct=True, domain=[(-2, 2), (0.5, 2), (-1, 1)],
        input_shapes=_bn_shapes(rank).map(lambda s: (s, (s[1],), (s[1],))))


def test_batch_norm_eval_gradients_against_finite_differences():
    mean, var = tg.tensor([0.5, -1.0, 0.0]), tg.tensor([2.0, 0.5, 1.0])
    assert_op_gradients(
        lambda x, w, b: F.batch_norm(x, mean.to(x.dtype), var.to(x.dtype), w, b),
        num_inputs=3, broadcast=False, domain=[(-2, 2), (0.5, 2), (-1, 1)],
        input_shapes=st.integers(1, 4).map(lambda n: ((n, 3), (3,), (3,))))


def test_batch_norm_without_affine_second_derivatives():
    x = tg.tensor(np.random.default_rng(3).normal(size=(5, 2, 3)), requires_grad=True)
    assert gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True).sin(), (x,))
    mean, var = tg.tensor([0.5, -1.0], dtype=tg.float64), tg.tensor([2.0, 0.5], dtype=tg.float64)
    assert gradgradcheck(lambda x: (F.batch_norm(x, mean, var) ** 3).sum(), (x,))


def test_batch_norm_is_one_node():
    x = tg.tensor(np.random.default_rng(4).normal(size=(4, 3)), requires_grad=True)
    w, b = tg.ones(3, requires_grad=True), tg.zeros(3, requires_grad=True)
    out = F.batch_norm(x, None, None, w.double(), b.double(), training=True)
    assert "BatchNormBackward" in repr(out)
    assert type(out.grad_fn.next_functions[0]).__name__ == "AccumulateGrad"  # x, directly


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
def test_batch_norm_module_matches_pytorch_over_steps(dtype, affine, momentum, shape):
    """Three training steps then eval: outputs, gradients and running statistics."""
    torch = pytest.importorskip("torch")
    from tinygrad_edu import nn

    ours = nn.BatchNorm1d(3, momentum=momentum, affine=affine, dtype=getattr(tg, dtype))
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, affine=affine,
                                  dtype=getattr(torch, dtype))
    if affine:
        gamma, beta = np.array([0.5, 2.0, -1.0], dtype=dtype), np.array([0.1, 0, 3], dtype=dtype)
        with tg.no_grad():
            ours.weight.copy_(tg.tensor(gamma))
            ours.bias.copy_(tg.tensor(beta))
        with torch.no_grad():
            theirs.weight.copy_(torch.tensor(gamma))
            theirs.bias.copy_(torch.tensor(beta))
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if dtype == "float64" else {"rtol": 2e-5,
                                                                            "atol": 2e-5}
    rng = np.random.default_rng(5)
    for step in range(4):
        if step == 3:
            ours.eval()
            theirs.eval()
        data = (rng.normal(size=shape) * 3 + 1).astype(dtype)
        upstream = rng.normal(size=shape).astype(dtype)
        x, xt = tg.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
        out, out_t = ours(x), theirs(xt)
        (out * tg.tensor(upstream)).sum().backward()
        (out_t * torch.tensor(upstream)).sum().backward()
        assert out.dtype == getattr(tg, dtype)
        np.testing.assert_allclose(out.array, out_t.detach().numpy(), **tolerance)
        np.testing.assert_allclose(x.grad.array, xt.grad.numpy(), **tolerance)
        for name in ("running_mean", "running_var"):
            np.testing.assert_allclose(getattr(ours, name).array,
                                       getattr(theirs, name).numpy(), **tolerance)
        assert ours.num_batches_tracked.item() == theirs.num_batches_tracked.item()
        if affine:
            for p, pt in ((ours.weight, theirs.weight), (ours.bias, theirs.bias)):
                np.testing.assert_allclose(p.grad.array, pt.grad.numpy(), **tolerance)
                p.grad, pt.grad = None, None


def test_batch_norm_running_stats_are_the_batch_statistics():
    """running ← 0.9 running + 0.1 batch, with the unbiased variance (n / (n − 1))."""
    x = np.random.default_rng(6).normal(size=(5, 2))
    mean, var = tg.zeros(2, dtype=tg.float64), tg.ones(2, dtype=tg.float64)
    F.batch_norm(tg.tensor(x), mean, var, training=True, momentum=0.1)
    np.testing.assert_allclose(mean.array, 0.1 * x.mean(0), rtol=1e-12)
    np.testing.assert_allclose(var.array, 0.9 + 0.1 * x.var(0, ddof=1), rtol=1e-12)


def test_batch_norm_of_an_int_tensor_is_a_clear_error_in_both_modes():
    mean, var = tg.zeros(2), tg.ones(2)
    for training in (True, False):  # PyTorch: "batch_norm" not implemented for 'Long'
        with pytest.raises(NotImplementedError, match="batch_norm.*expected a float tensor"):
            F.batch_norm(tg.tensor([[1, 2], [3, 4]]), mean, var, training=training)
    assert mean.array.tolist() == [0.0, 0.0]  # a failed call changes nothing
