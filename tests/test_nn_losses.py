"""Losses: values and gradients against their formulas and finite differences, every
reduction, extreme logits, and bad input (a clear error)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import gradcheck
from tinygrad_edu.nn import functional as F


def f64(array, requires_grad=True):
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def sample(*shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


def reduce_np(per_element, reduction):
    return {"mean": per_element.mean(), "sum": per_element.sum(), "none": per_element}[reduction]


REDUCTIONS = ["mean", "sum", "none"]


def log_softmax_np(x, axis=1):
    shifted = x - x.max(axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis, keepdims=True))


# ----- MSE and L1 ------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_loss_value_gradient_and_module(reduction):
    x_np, y_np = sample(3, 4), sample(3, 4, seed=1)
    x = f64(x_np)
    loss = F.mse_loss(x, f64(y_np, False), reduction=reduction)
    np.testing.assert_allclose(loss.array, reduce_np((x_np - y_np) ** 2, reduction), rtol=1e-12)
    loss.sum().backward()
    n = x_np.size if reduction == "mean" else 1
    np.testing.assert_allclose(x.grad.array, 2 * (x_np - y_np) / n, rtol=1e-12)
    module_loss = nn.MSELoss(reduction=reduction)(f64(x_np), f64(y_np))
    np.testing.assert_array_equal(module_loss.array, loss.array)
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction),
                     (f64(x_np), f64(y_np)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_loss_value_gradient_and_module(reduction):
    x_np, y_np = sample(5), sample(5, seed=1)
    x = f64(x_np)
    loss = nn.L1Loss(reduction=reduction)(x, f64(y_np, False))
    np.testing.assert_allclose(loss.array, reduce_np(np.abs(x_np - y_np), reduction), rtol=1e-12)
    loss.sum().backward()
    n = x_np.size if reduction == "mean" else 1
    np.testing.assert_allclose(x.grad.array, np.sign(x_np - y_np) / n, rtol=1e-12)
    assert gradcheck(lambda a: F.l1_loss(a, f64(y_np, False), reduction=reduction), (f64(x_np),))


def test_mse_warns_when_shapes_differ_and_rejects_bad_reduction():
    with pytest.warns(UserWarning, match=r"target size \(3, 1\).*input size \(3,\)"):
        F.mse_loss(tg.zeros(3), tg.zeros(3, 1))
    with pytest.raises(ValueError, match="average is not a valid value for reduction"):
        F.mse_loss(tg.zeros(3), tg.zeros(3), reduction="average")
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        nn.CrossEntropyLoss(reduction="avg")(tg.zeros(2, 3), tg.tensor([0, 1]))


def test_legacy_size_average_and_reduce_flags():
    x, y = tg.tensor([1.0, 3.0]), tg.tensor([0.0, 0.0])
    with pytest.warns(UserWarning, match="size_average and reduce"):
        assert F.mse_loss(x, y, size_average=False).item() == 10.0
    with pytest.warns(UserWarning):
        np.testing.assert_array_equal(nn.MSELoss(reduce=False)(x, y).array, [1.0, 9.0])


# ----- BCE ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_value_and_gradient(reduction):
    p_np, y_np = sample(6, low=0.05, high=0.95), sample(6, seed=1, low=0, high=1)
    p = f64(p_np)
    loss = nn.BCELoss(reduction=reduction)(p, f64(y_np, False))
    per = -(y_np * np.log(p_np) + (1 - y_np) * np.log(1 - p_np))
    np.testing.assert_allclose(loss.array, reduce_np(per, reduction), rtol=1e-12)
    loss.sum().backward()
    n = p_np.size if reduction == "mean" else 1
    np.testing.assert_allclose(p.grad.array, (p_np - y_np) / (p_np * (1 - p_np)) / n, rtol=1e-10)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction),
                     (f64(p_np), f64(y_np)))


def test_bce_clamps_logs_at_minus_100_and_gradient_stays_finite():
    p = f64([0.0, 1.0, 0.0, 1.0])
    y = f64([1.0, 0.0, 0.0, 1.0], False)
    loss = F.binary_cross_entropy(p, y, reduction="none")
    np.testing.assert_array_equal(loss.array, [100.0, 100.0, 0.0, 0.0])
    loss.sum().backward()
    # PyTorch's gradient: (p - y) / max(p (1 - p), 1e-12)
    np.testing.assert_allclose(p.grad.array, [-1e12, 1e12, 0.0, 0.0])


def test_bce_weight_scales_each_element():
    p_np, y_np, w_np = np.array([0.2, 0.7]), np.array([0.0, 1.0]), np.array([2.0, 0.5])
    loss = F.binary_cross_entropy(f64(p_np), f64(y_np), weight=f64(w_np), reduction="sum")
    expected = -(w_np * (y_np * np.log(p_np) + (1 - y_np) * np.log(1 - p_np))).sum()
    assert loss.item() == pytest.approx(expected, rel=1e-12)


def test_bce_rejects_inputs_outside_0_1_and_mismatched_shapes():
    with pytest.raises(RuntimeError, match=r"between 0 and 1 \(got values in \[-0.5, 1.0\]\)"):
        F.binary_cross_entropy(tg.tensor([-0.5, 1.0]), tg.tensor([0.0, 1.0]))
    with pytest.raises(RuntimeError, match="use binary_cross_entropy_with_logits"):
        nn.BCELoss()(tg.tensor([2.0]), tg.tensor([1.0]))
    with pytest.raises(ValueError, match=r"target size \(2,\).*input size \(2, 1\)"):
        F.binary_cross_entropy(tg.tensor([[0.5], [0.5]]), tg.tensor([1.0, 0.0]))


# ----- BCE with logits ------------------------------------------------------------------------


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_equals_bce_of_sigmoid(reduction):
    x_np, y_np = sample(2, 3, low=-5, high=5), sample(2, 3, seed=1, low=0, high=1)
    x = f64(x_np)
    loss = nn.BCEWithLogitsLoss(reduction=reduction)(x, f64(y_np, False))
    s = sigmoid_np(x_np)
    per = -(y_np * np.log(s) + (1 - y_np) * np.log(1 - s))
    np.testing.assert_allclose(loss.array, reduce_np(per, reduction), rtol=1e-10)
    loss.sum().backward()
    n = x_np.size if reduction == "mean" else 1
    np.testing.assert_allclose(x.grad.array, (s - y_np) / n, rtol=1e-10)  # d/dx = σ(x) - y
    assert gradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction),
                     (f64(x_np), f64(y_np)))


def test_bce_with_logits_is_stable_for_extreme_logits_and_right_at_zero():
    x = f64([1000.0, -1000.0, 1000.0, -1000.0, 0.0, 0.0])
    y = f64([1.0, 0.0, 0.0, 1.0, 1.0, 0.0], False)
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.array, [0.0, 0.0, 1000.0, 1000.0, np.log(2), np.log(2)])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.array, [0.0, 0.0, 1.0, -1.0, -0.5, 0.5])
    x32 = tg.tensor([1000.0, -1000.0], requires_grad=True)
    F.binary_cross_entropy_with_logits(x32, tg.tensor([0.0, 1.0])).backward()
    assert np.isfinite(x32.grad.array).all()


def test_bce_with_logits_pos_weight_and_weight():
    x_np, y_np = np.array([[0.5, -1.0], [2.0, 0.0]]), np.array([[1.0, 0.0], [0.3, 1.0]])
    pos, w = np.array([3.0, 0.5]), np.array([2.0, 1.0])
    x = f64(x_np)
    loss = F.binary_cross_entropy_with_logits(x, f64(y_np, False), weight=f64(w, False),
                                              pos_weight=f64(pos, False), reduction="sum")
    s = sigmoid_np(x_np)
    per = -w * (pos * y_np * np.log(s) + (1 - y_np) * np.log(1 - s))
    assert loss.item() == pytest.approx(per.sum(), rel=1e-12)
    loss.backward()
    # d/dx of -(p y log σ + (1 - y) log(1 - σ)) = (p y + 1 - y) σ - p y
    np.testing.assert_allclose(x.grad.array, w * ((pos * y_np + 1 - y_np) * s - pos * y_np),
                               rtol=1e-10)
    module = nn.BCEWithLogitsLoss(weight=f64(w, False), pos_weight=f64(pos, False),
                                  reduction="sum")
    assert module(f64(x_np), f64(y_np)).item() == pytest.approx(per.sum(), rel=1e-12)


# ----- cross entropy and NLL ------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_indices_value_and_gradient(reduction):
    x_np, t_np = sample(4, 3), np.array([0, 2, 1, 2])
    x = f64(x_np)
    loss = nn.CrossEntropyLoss(reduction=reduction)(x, tg.tensor(t_np))
    logp = log_softmax_np(x_np)
    per = -logp[np.arange(4), t_np]
    np.testing.assert_allclose(loss.array, reduce_np(per, reduction), rtol=1e-12)
    loss.sum().backward()
    n = 4 if reduction == "mean" else 1
    np.testing.assert_allclose(x.grad.array, (np.exp(logp) - np.eye(3)[t_np]) / n, rtol=1e-10)
    assert gradcheck(lambda a: F.cross_entropy(a, tg.tensor(t_np), reduction=reduction),
                     (f64(x_np),))


@given(n=st.integers(1, 4), c=st.integers(2, 5), seed=st.integers(0, 10_000))
def test_cross_entropy_equals_nll_of_log_softmax(n, c, seed):
    rng = np.random.default_rng(seed)
    x_np, t_np = rng.normal(size=(n, c)) * 3, rng.integers(0, c, size=n)
    ce = F.cross_entropy(f64(x_np), tg.tensor(t_np))
    nll = F.nll_loss(F.log_softmax(f64(x_np), dim=1), tg.tensor(t_np))
    expected = -log_softmax_np(x_np)[np.arange(n), t_np].mean()
    assert ce.item() == pytest.approx(expected, rel=1e-12)
    assert nll.item() == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n, c", [(32, 27), (1, 3), (200, 2)])
def test_cross_entropy_quick_path_gives_the_general_paths_bits(dtype, n, c):
    # labels 1..c-1 and ignore_index=0: nothing is ignored, but the general path (class
    # masks) runs; with the default ignore_index the quick path runs
    rng = np.random.default_rng(n * c)
    x = tg.tensor(rng.standard_normal((n, c)).astype(dtype) * 5, requires_grad=True)
    t = tg.tensor(rng.integers(1, c, n) if c > 1 else np.zeros(n, np.int64))
    quick = F.cross_entropy(x, t)
    quick.backward()
    quick_grad, x.grad = x.grad.array.copy(), None
    general = F.cross_entropy(x, t, ignore_index=0 if c > 1 else 5, label_smoothing=0.0)
    general.backward()
    assert quick.array.tobytes() == general.array.tobytes()
    assert quick_grad.tobytes() == x.grad.array.tobytes()
    assert quick.dtype == general.dtype and quick.grad_fn.name() == "NllLossBackward0"


def test_cross_entropy_weight_and_ignore_index():
    x_np, t_np = sample(5, 3), np.array([0, -100, 2, 1, 2])
    w = np.array([0.5, 2.0, 1.5])
    x = f64(x_np)
    loss = F.cross_entropy(x, tg.tensor(t_np), weight=f64(w, False))
    logp = log_softmax_np(x_np)
    kept = t_np != -100
    picked_w = w[t_np[kept]]
    expected = -(picked_w * logp[np.arange(5)[kept], t_np[kept]]).sum() / picked_w.sum()
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    loss.backward()
    assert not x.grad.array[1].any()  # the ignored example gets no gradient
    assert gradcheck(lambda a: F.cross_entropy(a, tg.tensor(t_np), weight=f64(w, False)),
                     (f64(x_np),))
    # A custom ignore_index, and 'none' gives 0 for ignored entries
    none = F.cross_entropy(f64(x_np), tg.tensor([0, 1, 1, 1, 2]), ignore_index=1,
                           reduction="none")
    np.testing.assert_allclose(none.array, [-logp[0, 0], 0, 0, 0, -logp[4, 2]], rtol=1e-12)


def test_cross_entropy_label_smoothing_formula():
    x_np, t_np, eps = sample(3, 4), np.array([1, 3, 0]), 0.2
    loss = F.cross_entropy(f64(x_np), tg.tensor(t_np), label_smoothing=eps)
    q = np.full((3, 4), eps / 4) + (1 - eps) * np.eye(4)[t_np]
    expected = -(q * log_softmax_np(x_np)).sum(1).mean()
    assert loss.item() == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda a: F.cross_entropy(a, tg.tensor(t_np), label_smoothing=eps),
                     (f64(x_np),))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probability_targets(reduction):
    x_np = sample(3, 4)
    q_np = np.random.default_rng(1).dirichlet(np.ones(4), size=3)
    x, q = f64(x_np), f64(q_np)
    loss = F.cross_entropy(x, q, reduction=reduction)
    logp = log_softmax_np(x_np)
    np.testing.assert_allclose(loss.array, reduce_np(-(q_np * logp).sum(1), reduction),
                               rtol=1e-12)
    loss.sum().backward()
    n = 3 if reduction == "mean" else 1
    np.testing.assert_allclose(x.grad.array, (np.exp(logp) - q_np) / n, rtol=1e-10)
    np.testing.assert_allclose(q.grad.array, -logp / n, rtol=1e-10)
    assert gradcheck(lambda a, b: F.cross_entropy(a, b, reduction=reduction),
                     (f64(x_np), f64(q_np)))


def test_cross_entropy_spatial_and_unbatched_inputs():
    x_np = sample(2, 3, 4)  # (N, C, d)
    t_np = np.array([[0, 1, 2, 2], [1, 1, 0, 2]])
    loss = F.cross_entropy(f64(x_np), tg.tensor(t_np), reduction="none")
    logp = log_softmax_np(x_np, axis=1)
    expected = -np.take_along_axis(logp, t_np[:, None, :], axis=1)[:, 0, :]
    np.testing.assert_allclose(loss.array, expected, rtol=1e-12)
    single = F.cross_entropy(f64([1.0, 2.0, 3.0]), tg.tensor(2))
    assert single.item() == pytest.approx(-log_softmax_np(np.array([1.0, 2.0, 3.0]), 0)[2])


def test_cross_entropy_extreme_logits_give_finite_values_and_gradients():
    x = tg.tensor([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0]], requires_grad=True)
    t = tg.tensor([1, 1])
    loss = F.cross_entropy(x, t, reduction="none")
    assert np.isfinite(loss.array).all()
    np.testing.assert_allclose(loss.array, [2000.0, np.log1p(np.exp(-1.0))], rtol=1e-6)
    loss.sum().backward()
    assert np.isfinite(x.grad.array).all()
    p2 = np.exp([-2000.0, 0.0, -1.0]) / np.exp([-2000.0, 0.0, -1.0]).sum()
    np.testing.assert_allclose(x.grad.array, [[1.0, -1.0, 0.0], p2 - [0, 1, 0]], atol=1e-6)
    soft = F.cross_entropy(x, tg.tensor([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]]))
    assert np.isfinite(soft.item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_value_gradient_weights(reduction):
    logp_np, t_np = sample(4, 3), np.array([2, 0, -100, 1])
    w = np.array([1.0, 3.0, 0.5])
    logp = f64(logp_np)
    loss = nn.NLLLoss(weight=f64(w, False), reduction=reduction)(logp, tg.tensor(t_np))
    kept = t_np != -100
    per = np.where(kept, -w[t_np.clip(0)] * logp_np[np.arange(4), t_np.clip(0)], 0.0)
    expected = {"mean": per.sum() / w[t_np[kept]].sum(), "sum": per.sum(), "none": per}
    np.testing.assert_allclose(loss.array, expected[reduction], rtol=1e-12)
    assert gradcheck(lambda a: F.nll_loss(a, tg.tensor(t_np), weight=f64(w, False),
                                          reduction=reduction), (f64(logp_np),))


def test_cross_entropy_bad_targets_are_clear_errors():
    x = tg.zeros(2, 3)
    with pytest.raises(IndexError, match=r"Target 3 is out of bounds: class indices must be in "
                                         r"\[0, 2\] \(or equal ignore_index=-100\)"):
        F.cross_entropy(x, tg.tensor([0, 3]))
    with pytest.raises(IndexError, match="Target -1 is out of bounds"):
        nn.CrossEntropyLoss()(x, tg.tensor([-1, 0]))
    with pytest.raises(RuntimeError, match=r"expected target dtype to be Long \(int64\).*got "
                                           r"tinygrad_edu.int32"):
        F.cross_entropy(x, tg.tensor([0, 1], dtype=tg.int32))
    with pytest.raises(RuntimeError, match=r"float tensor of input's shape \(2, 3\).*got "
                                           r"tinygrad_edu.float32 of shape \(2,\)"):
        F.cross_entropy(x, tg.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"expected target of shape \(2,\).*got \(3,\)"):
        F.cross_entropy(x, tg.tensor([0, 1, 2]))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 3"):
        F.cross_entropy(x, tg.tensor([0, 1]), weight=tg.ones(2))
    with pytest.raises(RuntimeError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, tg.tensor([0, 1]), label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point"):
        F.cross_entropy(x, tg.zeros(2, 3), ignore_index=1)
    with pytest.raises(IndexError, match="Target 5 is out of bounds"):
        F.nll_loss(x, tg.tensor([5, 0]))


def test_all_targets_ignored_gives_nan_mean_like_pytorch():
    loss = F.cross_entropy(tg.zeros(2, 3), tg.tensor([-100, -100]))
    assert np.isnan(loss.item())


# ----- one_hot ---------------------------------------------------------------------------------


def test_one_hot():
    out = F.one_hot(tg.tensor([0, 2, 1]))
    assert out.dtype == tg.int64
    np.testing.assert_array_equal(out.array, np.eye(3, dtype=np.int64)[[0, 2, 1]])
    assert F.one_hot(tg.tensor([[1], [0]]), num_classes=4).shape == (2, 1, 4)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(tg.tensor([3]), num_classes=3)
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(tg.tensor([-1, 0]))
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(tg.tensor([0.0, 1.0]))
