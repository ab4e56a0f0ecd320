"""Tutorial layers: SmoothL1/Huber losses, Embedding, BatchNorm1d, LayerNorm, gradient clipping.

Values and gradients against finite differences here; against PyTorch in
``test_nn_tutorial_layers_torch.py``.
"""

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import gradcheck, gradgradcheck
from tinygrad_edu.nn import functional as F


def f64(array, requires_grad=True):
    return tg.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


def sample(*shape, seed=0, low=-2.0, high=2.0):
    return np.random.default_rng(seed).uniform(low, high, size=shape)


# ----- smooth L1 and Huber ------------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
def test_smooth_l1_loss_value_and_gradient(reduction, beta):
    x, y = sample(3, 4), sample(3, 4, seed=1)
    d = x - y
    expected = np.where(np.abs(d) < beta, 0.5 * d**2 / beta, np.abs(d) - 0.5 * beta)
    expected = {"mean": expected.mean(), "sum": expected.sum(), "none": expected}[reduction]
    got = F.smooth_l1_loss(f64(x), f64(y), reduction=reduction, beta=beta)
    np.testing.assert_allclose(got.array, expected, rtol=1e-12)
    module = nn.SmoothL1Loss(reduction=reduction, beta=beta)(f64(x), f64(y))
    np.testing.assert_allclose(module.array, expected, rtol=1e-12)
    assert gradcheck(lambda a, b: F.smooth_l1_loss(a, b, reduction=reduction, beta=beta),
                     (f64(x), f64(y)))


def test_smooth_l1_with_beta_zero_is_l1_and_negative_beta_is_refused():
    x, y = sample(5), sample(5, seed=1)
    np.testing.assert_allclose(F.smooth_l1_loss(f64(x), f64(y), beta=0.0).array,
                               np.abs(x - y).mean(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="does not support negative values for beta"):
        F.smooth_l1_loss(f64(x), f64(y), beta=-1.0)


@pytest.mark.parametrize("delta", [0.3, 1.0, 3.0])
def test_huber_loss_value_gradient_and_weight(delta):
    x, y, w = sample(2, 5), sample(2, 5, seed=1), sample(2, 5, seed=2, low=0.1)
    d = x - y
    per = np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))
    np.testing.assert_allclose(nn.HuberLoss(delta=delta)(f64(x), f64(y)).array, per.mean(),
                               rtol=1e-12)
    np.testing.assert_allclose(F.huber_loss(f64(x), f64(y), "sum", delta, f64(w, False)).array,
                               (per * w).sum(), rtol=1e-12)
    assert gradcheck(lambda a, b: F.huber_loss(a, b, delta=delta), (f64(x), f64(y)))
    # Huber = δ · smooth L1 with β = δ
    np.testing.assert_allclose(F.huber_loss(f64(x), f64(y), delta=delta).array,
                               delta * F.smooth_l1_loss(f64(x), f64(y), beta=delta).array)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(f64(x), f64(y), delta=0.0)


def test_losses_reject_a_bad_reduction():
    with pytest.raises(ValueError, match="'avg' is not a valid value|avg is not a valid"):
        F.huber_loss(f64([1.0]), f64([0.0]), reduction="avg")


# ----- Embedding ----------------------------------------------------------------------------


def test_embedding_looks_up_rows_and_sums_the_gradient_of_repeated_ids():
    emb = nn.Embedding(5, 3)
    assert emb.weight.shape == (5, 3) and emb.weight.requires_grad
    ids = tg.tensor([[1, 4, 1], [0, 1, 2]])
    out = emb(ids)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.array, emb.weight.array[ids.array])
    upstream = sample(2, 3, 3)
    out.backward(tg.tensor(upstream.astype(np.float32)))
    expected = np.zeros((5, 3))
    np.add.at(expected, ids.array, upstream)
    np.testing.assert_allclose(emb.weight.grad.array, expected, rtol=1e-6)


def test_embedding_gradient_against_finite_differences_and_second_order():
    weight = f64(sample(6, 4))
    ids = tg.tensor([3, 0, 3, 5])
    assert gradcheck(lambda w: F.embedding(ids, w) ** 2, (weight,))
    assert gradgradcheck(lambda w: F.embedding(ids, w) ** 3, (weight,))
    assert gradcheck(lambda w: F.embedding(ids, w, padding_idx=1) ** 2, (weight,))  # 1 unused
    # scale_grad_by_freq is by design not the derivative: each row's sum is divided by its count
    F.embedding(ids, weight, scale_grad_by_freq=True).sum().backward()
    np.testing.assert_array_equal(weight.grad.array[:, 0], [1, 0, 0, 1, 0, 1])


def test_embedding_init_is_standard_normal_with_a_zero_padding_row():
    tg.manual_seed(0)
    emb = nn.Embedding(2000, 50, padding_idx=7)
    w = emb.weight.array
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w[7], 0)
    rest = np.delete(w, 7, axis=0)
    assert abs(rest.mean()) < 0.01 and abs(rest.std() - 1) < 0.01


def test_embedding_padding_row_gets_no_gradient_but_is_still_read():
    emb = nn.Embedding(4, 2, padding_idx=-1)
    assert emb.padding_idx == 3
    with tg.no_grad():
        emb.weight[3] = tg.tensor([5.0, 6.0])
    out = emb(tg.tensor([3, 1, 3]))
    np.testing.assert_array_equal(out.array[0], [5.0, 6.0])
    out.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad.array, [[0, 0], [1, 1], [0, 0], [0, 0]])


def test_embedding_max_norm_renormalises_the_rows_looked_up():
    weight = tg.tensor([[3.0, 4.0], [0.3, 0.4], [6.0, 8.0]])
    F.embedding(tg.tensor([0, 1]), weight, max_norm=1.0)
    np.testing.assert_allclose(weight.array, [[0.6, 0.8], [0.3, 0.4], [6.0, 8.0]], rtol=1e-6)


def test_embedding_errors():
    emb = nn.Embedding(3, 2)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        emb(tg.tensor([0.0, 1.0]))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(tg.tensor([0, 3]))
    with pytest.raises(IndexError, match="index out of range in self"):
        emb(tg.tensor([-1]))
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=3)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(3, 2, padding_idx=-4)


def test_embedding_from_pretrained_is_frozen_by_default():
    table = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(tg.tensor([1])).array, [[3.0, 4.0]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    assert repr(nn.Embedding(10, 3, padding_idx=0)) == "Embedding(10, 3, padding_idx=0)"


# ----- BatchNorm1d ----------------------------------------------------------------------------


def bn_reference(x, axes, eps=1e-5):
    mean = x.mean(axes, keepdims=True)
    var = x.var(axes, keepdims=True)
    return (x - mean) / np.sqrt(var + eps)


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5)])
def test_batch_norm_training_normalises_per_channel_and_updates_running_stats(shape):
    x = sample(*shape) * 3 + 1
    axes = (0, 2) if len(shape) == 3 else (0,)
    bn = nn.BatchNorm1d(3, momentum=0.2).double()
    out = bn(f64(x))
    np.testing.assert_allclose(out.array, bn_reference(x, axes), rtol=1e-10, atol=1e-12)
    n = x.size // 3
    np.testing.assert_allclose(bn.running_mean.array, 0.2 * x.mean(axes), rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.array,
                               0.8 + 0.2 * x.var(axes) * n / (n - 1), rtol=1e-12)
    assert bn.num_batches_tracked.item() == 1 and bn.num_batches_tracked.dtype == tg.int64


def test_batch_norm_eval_uses_running_stats_and_does_not_update_them():
    bn = nn.BatchNorm1d(2).double()
    with tg.no_grad():
        bn.running_mean.copy_(tg.tensor([1.0, -1.0], dtype=tg.float64))
        bn.running_var.copy_(tg.tensor([4.0, 0.25], dtype=tg.float64))
        bn.weight.copy_(tg.tensor([2.0, 3.0], dtype=tg.float64))
        bn.bias.copy_(tg.tensor([0.5, 0.0], dtype=tg.float64))
    bn.eval()
    x = sample(3, 2)
    expected = (x - [1.0, -1.0]) / np.sqrt(np.array([4.0, 0.25]) + 1e-5) * [2.0, 3.0] + [0.5, 0]
    np.testing.assert_allclose(bn(f64(x)).array, expected, rtol=1e-12)
    np.testing.assert_array_equal(bn.running_mean.array, [1.0, -1.0])
    assert bn.num_batches_tracked.item() == 0
    bn(f64(sample(1, 2)))  # a single example is fine in eval mode


def test_batch_norm_gradient_against_finite_differences():
    x, w, b = f64(sample(5, 3)), f64(sample(3, low=0.5)), f64(sample(3))
    assert gradcheck(lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True) ** 2,
                     (x, w, b))
    x3 = f64(sample(2, 3, 4))
    assert gradcheck(lambda x: F.batch_norm(x, None, None, training=True).sin(), (x3,))
    assert gradgradcheck(lambda x: F.batch_norm(x, None, None, training=True).sin(),
                         (f64(sample(4, 2)),))


def test_batch_norm_momentum_none_is_a_cumulative_average():
    bn = nn.BatchNorm1d(2, momentum=None).double()
    batches = [sample(4, 2, seed=s) for s in range(3)]
    for batch in batches:
        bn(f64(batch))
    np.testing.assert_allclose(bn.running_mean.array, np.mean([b.mean(0) for b in batches], 0),
                               rtol=1e-12)


def test_batch_norm_options_and_state_dict_keys():
    assert list(nn.BatchNorm1d(3).state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
    plain = nn.BatchNorm1d(3, affine=False, track_running_stats=False)
    assert list(plain.state_dict()) == [] and list(plain.parameters()) == []
    plain.eval()
    x = sample(6, 3)
    np.testing.assert_allclose(plain(f64(x)).array, bn_reference(x, (0,)), rtol=1e-10)
    assert repr(nn.BatchNorm1d(4)) == (
        "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)")
    no_bias = nn.BatchNorm1d(3, bias=False)
    assert [name for name, _ in no_bias.named_parameters()] == ["weight"]


def test_batch_norm_errors():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        bn(tg.randn(2, 3, 4, 5))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        bn(tg.randn(1, 3))
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        bn(tg.randn(2, 4))
    # a failed call changes nothing (PyTorch would have counted these two batches)
    assert bn.num_batches_tracked.item() == 0


# ----- LayerNorm ------------------------------------------------------------------------------


def test_layer_norm_normalises_the_last_dims_with_affine_parameters():
    x = sample(2, 3, 4) * 2 + 1
    ln = nn.LayerNorm([3, 4]).double()
    assert ln.weight.shape == (3, 4) and ln.bias.shape == (3, 4)
    np.testing.assert_allclose(ln(f64(x)).array, bn_reference(x, (1, 2)), rtol=1e-10)
    ln1 = nn.LayerNorm(4, eps=1e-3, elementwise_affine=False)
    assert list(ln1.parameters()) == [] and repr(ln1) == (
        "LayerNorm((4,), eps=0.001, elementwise_affine=False, bias=False)")
    np.testing.assert_allclose(ln1(f64(x)).array, bn_reference(x, (2,), 1e-3), rtol=1e-10)


def test_layer_norm_gradient_against_finite_differences():
    x, w, b = f64(sample(3, 4)), f64(sample(4)), f64(sample(4))
    assert gradcheck(lambda x, w, b: F.layer_norm(x, (4,), w, b).sin(), (x, w, b))
    assert gradgradcheck(lambda x: F.layer_norm(x, (4,)).sin(), (f64(sample(2, 4)),))


def test_layer_norm_shape_error():
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                                           r"shape \[\*, 4\], but got input of size\[2, 3\]"):
        nn.LayerNorm(4)(tg.randn(2, 3))


# ----- gradient clipping --------------------------------------------------------------------


def params_with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(tg.zeros(len(g), dtype=tg.float64))
        p.grad = tg.tensor(np.asarray(g, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_scales_all_gradients_together_and_returns_the_norm():
    a, b = params_with_grads([3.0, 0.0], [4.0])
    total = nn.utils.clip_grad_norm_([a, b], max_norm=1.0)
    assert total.ndim == 0 and total.item() == pytest.approx(5.0)
    scale = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad.array, [3 * scale, 0], rtol=1e-12)
    np.testing.assert_allclose(b.grad.array, [4 * scale], rtol=1e-12)


def test_clip_grad_norm_leaves_small_gradients_and_handles_inf_norm_and_one_tensor():
    (a,) = params_with_grads([0.3, -0.4])
    assert nn.utils.clip_grad_norm_(a, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(a.grad.array, [0.3, -0.4])
    (c,) = params_with_grads([3.0, -4.0])
    assert nn.utils.clip_grad_norm_([c], 2.0, norm_type=math.inf).item() == 4.0
    np.testing.assert_allclose(c.grad.array, np.array([3.0, -4.0]) * 2 / (4 + 1e-6))
    (d,) = params_with_grads([1.0, -1.0])
    assert nn.utils.clip_grad_norm_([d], 10.0, norm_type=1).item() == 2.0
    assert nn.utils.clip_grad_norm_([nn.Parameter(tg.ones(2))], 1.0).item() == 0.0


def test_clip_grad_norm_error_if_nonfinite_changes_nothing():
    a, b = params_with_grads([3.0, np.nan], [4.0])
    with pytest.raises(RuntimeError, match="is non-finite, so it cannot be clipped"):
        nn.utils.clip_grad_norm_([a, b], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(b.grad.array, [4.0])
    assert np.isnan(nn.utils.clip_grad_norm_([a, b], 1.0).item())
    assert np.isnan(b.grad.array).all()


def test_clip_grad_value_clamps_each_element():
    a, b = params_with_grads([3.0, -0.5], [-4.0])
    assert nn.utils.clip_grad_value_([a, b], clip_value=1.0) is None
    np.testing.assert_array_equal(a.grad.array, [1.0, -0.5])
    np.testing.assert_array_equal(b.grad.array, [-1.0])
