"""PyTorch as the oracle for the tutorial layers, losses, gradient clipping and Module methods."""

import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinygrad_edu as tg  # noqa: E402
from tinygrad_edu import nn  # noqa: E402
from tinygrad_edu.nn import functional as F  # noqa: E402

TF = torch.nn.functional


def pair(array, requires_grad=True, dtype=np.float64):
    array = np.asarray(array, dtype=dtype)
    return (tg.tensor(array, requires_grad=requires_grad),
            torch.tensor(array, requires_grad=requires_grad))


def close(ours, theirs, rtol=1e-10, atol=1e-12):
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=rtol, atol=atol)


def sample(*shape, seed=0):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


def copy_weights(ours, theirs):
    ours.load_state_dict({k: tg.tensor(v.detach().numpy().copy())
                          for k, v in theirs.state_dict().items()})


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [0.0, 0.5, 1.0])
def test_smooth_l1_and_huber_match_torch(reduction, beta):
    x, tx = pair(sample(4, 5))
    y, ty = pair(sample(4, 5, seed=1))
    ours = F.smooth_l1_loss(x, y, reduction=reduction, beta=beta)
    theirs = TF.smooth_l1_loss(tx, ty, reduction=reduction, beta=beta)
    close(ours, theirs)
    ours.sum().backward()
    theirs.sum().backward()
    close(x.grad, tx.grad)
    close(y.grad, ty.grad)
    delta = beta + 0.3
    close(nn.HuberLoss(reduction, delta)(x, y), torch.nn.HuberLoss(reduction, delta)(tx, ty))
    close(nn.SmoothL1Loss(reduction=reduction, beta=beta)(x, y),
          torch.nn.SmoothL1Loss(reduction=reduction, beta=beta)(tx, ty))


def test_huber_loss_gradient_and_float32_dtype_match_torch():
    x, tx = pair(sample(6), dtype=np.float32)
    y, ty = pair(sample(6, seed=3), requires_grad=False, dtype=np.float32)
    ours, theirs = F.huber_loss(x, y, delta=0.7), TF.huber_loss(tx, ty, delta=0.7)
    assert ours.dtype == tg.float32 and theirs.dtype == torch.float32
    close(ours, theirs, rtol=1e-6)
    ours.backward()
    theirs.backward()
    close(x.grad, tx.grad, rtol=1e-6)


@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_forward_backward_and_state_dict_match_torch(padding_idx):
    ours, theirs = nn.Embedding(6, 4, padding_idx=padding_idx), torch.nn.Embedding(
        6, 4, padding_idx=padding_idx)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    copy_weights(ours, theirs)
    ids = np.array([[2, 5, 2], [0, 5, 1]])
    out, tout = ours(tg.tensor(ids)), theirs(torch.tensor(ids))
    close(out, tout, rtol=1e-7)
    upstream = sample(2, 3, 4).astype(np.float32)
    out.backward(tg.tensor(upstream))
    tout.backward(torch.tensor(upstream))
    close(ours.weight.grad, theirs.weight.grad, rtol=1e-6, atol=1e-7)
    if padding_idx is not None:  # the padding row is zero after PyTorch's init too
        fresh, tfresh = nn.Embedding(6, 4, padding_idx=padding_idx), torch.nn.Embedding(
            6, 4, padding_idx=padding_idx)
        np.testing.assert_array_equal(fresh.weight.array[padding_idx],
                                      tfresh.weight.detach().numpy()[padding_idx])


def test_functional_embedding_options_match_torch():
    w, tw = pair(sample(5, 3) * 3)
    ids = np.array([0, 3, 3, 4, 0, 0])
    out = F.embedding(tg.tensor(ids), w, max_norm=1.5, norm_type=1.0, scale_grad_by_freq=True)
    tout = TF.embedding(torch.tensor(ids), tw, max_norm=1.5, norm_type=1.0,
                        scale_grad_by_freq=True)
    close(out, tout, rtol=1e-7)
    close(w.detach(), tw.detach(), rtol=1e-7)  # the in-place renormalisation
    out.sin().sum().backward()
    tout.sin().sum().backward()
    close(w.grad, tw.grad, rtol=1e-7)


@pytest.mark.parametrize("shape", [(8, 3), (4, 3, 5)])
@pytest.mark.parametrize("momentum", [0.1, None])
def test_batch_norm_training_and_eval_match_torch_over_several_steps(shape, momentum):
    ours = nn.BatchNorm1d(3, momentum=momentum, eps=1e-3).double()
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, eps=1e-3).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([0.5, 2.0, -1.0]))
        theirs.bias.copy_(torch.tensor([0.1, 0.0, 0.3]))
    copy_weights(ours, theirs)
    for step in range(3):
        x, tx = pair(sample(*shape, seed=step) * (step + 1) + step)
        out, tout = ours(x), theirs(tx)
        close(out, tout, rtol=1e-9, atol=1e-10)
        out.sin().sum().backward()
        tout.sin().sum().backward()
        close(x.grad, tx.grad, rtol=1e-8, atol=1e-10)
    close(ours.weight.grad, theirs.weight.grad, rtol=1e-8)
    close(ours.bias.grad, theirs.bias.grad, rtol=1e-8)
    for key, value in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[key].array, value.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    x, tx = pair(sample(*shape, seed=9))
    close(ours(x), theirs(tx), rtol=1e-10)


def test_batch_norm_float32_default_dtypes_and_no_running_stats_match_torch():
    ours, theirs = nn.BatchNorm1d(2), torch.nn.BatchNorm1d(2)
    x, tx = pair(sample(5, 2), dtype=np.float32)
    assert ours(x).dtype == tg.float32
    close(ours(x), theirs(tx), rtol=1e-5, atol=1e-6)
    assert ours.num_batches_tracked.dtype == tg.int64 and theirs.num_batches_tracked.dtype == \
        torch.int64
    ours = nn.BatchNorm1d(2, affine=False, track_running_stats=False).eval()
    theirs = torch.nn.BatchNorm1d(2, affine=False, track_running_stats=False).eval()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
    close(ours(x), theirs(tx), rtol=1e-5, atol=1e-6)


def test_functional_batch_norm_matches_torch():
    x, tx = pair(sample(6, 3))
    rm, trm = pair(sample(3, seed=1), requires_grad=False)
    rv, trv = pair(sample(3, seed=2) ** 2 + 0.5, requires_grad=False)
    close(F.batch_norm(x, rm, rv, training=True, momentum=0.3),
          TF.batch_norm(tx, trm, trv, training=True, momentum=0.3))
    close(rm, trm)
    close(rv, trv)
    close(F.batch_norm(x, rm, rv), TF.batch_norm(tx, trm, trv))


@pytest.mark.parametrize("normalized_shape", [4, (3, 4)])
def test_layer_norm_matches_torch(normalized_shape):
    ours, theirs = nn.LayerNorm(normalized_shape).double(), torch.nn.LayerNorm(
        normalized_shape).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    with torch.no_grad():
        theirs.weight.uniform_(-2, 2)
        theirs.bias.uniform_(-1, 1)
    copy_weights(ours, theirs)
    x, tx = pair(sample(2, 3, 4))
    out, tout = ours(x), theirs(tx)
    close(out, tout, rtol=1e-9, atol=1e-11)
    out.sin().sum().backward()
    tout.sin().sum().backward()
    close(x.grad, tx.grad, rtol=1e-8, atol=1e-10)
    close(ours.weight.grad, theirs.weight.grad, rtol=1e-9, atol=1e-11)
    close(F.layer_norm(x, (4,), eps=0.1), TF.layer_norm(tx, (4,), eps=0.1), rtol=1e-10)
    no_bias, tno_bias = nn.LayerNorm(4, bias=False), torch.nn.LayerNorm(4, bias=False)
    assert list(no_bias.state_dict()) == list(tno_bias.state_dict())


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    grads = [sample(3, 2), sample(4, seed=1)]
    ours = [nn.Parameter(tg.zeros(*g.shape, dtype=tg.float64)) for g in grads]
    theirs = [torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64)) for g in grads]
    for p, tp, g in zip(ours, theirs, grads):
        p.grad, tp.grad = tg.tensor(g.copy()), torch.tensor(g.copy())
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type)
    assert total.shape == ttotal.shape == ()
    assert total.dtype == tg.float64
    close(total, ttotal, rtol=1e-12)
    for p, tp in zip(ours, theirs):
        close(p.grad, tp.grad, rtol=1e-12)


def test_clip_grad_value_and_float32_norm_match_torch():
    g = sample(5).astype(np.float32) * 3
    p, tp = nn.Parameter(tg.zeros(5)), torch.nn.Parameter(torch.zeros(5))
    p.grad, tp.grad = tg.tensor(g.copy()), torch.tensor(g.copy())
    nn.utils.clip_grad_value_(p, 1.5)
    torch.nn.utils.clip_grad_value_(tp, 1.5)
    close(p.grad, tp.grad)
    p.grad, tp.grad = tg.tensor(g.copy()), torch.tensor(g.copy())
    total, ttotal = nn.utils.clip_grad_norm_(p, 1.0), torch.nn.utils.clip_grad_norm_(tp, 1.0)
    assert total.dtype == tg.float32
    close(total, ttotal, rtol=1e-6)
    close(p.grad, tp.grad, rtol=1e-6)


# ----- Module methods -----------------------------------------------------------------------


def build(lib):
    shared = lib.nn.Linear(2, 2)
    model = lib.nn.Sequential(shared, lib.nn.ReLU(), lib.nn.Sequential(shared, lib.nn.Tanh()))
    model.add_module("norm", lib.nn.BatchNorm1d(2))
    model.register_parameter("scale", lib.nn.Parameter(lib.ones(2)))
    model.register_parameter("unused", None)
    return model


def test_named_modules_children_buffers_and_apply_match_torch():
    ours, theirs = build(tg), build(torch)
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_modules(prefix="net")] == \
        [n for n, _ in theirs.named_modules(prefix="net")]
    assert [n for n, _ in ours.named_modules(remove_duplicate=False)] == \
        [n for n, _ in theirs.named_modules(remove_duplicate=False)]
    memo, tmemo = {ours[0]}, {theirs[0]}
    assert [n for n, _ in ours.named_modules(memo)] == [n for n, _ in theirs.named_modules(tmemo)]
    assert len(memo) == len(tmemo)
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    visited, tvisited = [], []
    assert ours.apply(lambda m: visited.append(type(m).__name__)) is ours
    theirs.apply(lambda m: tvisited.append(type(m).__name__))
    assert visited == tvisited


@pytest.mark.parametrize("name, error", [
    (1, TypeError), ("", KeyError), ("a.b", KeyError), ("scale", KeyError),
])
def test_add_module_and_register_parameter_errors_match_torch(name, error):
    for lib in (tg, torch):
        model = build(lib)
        model.extra = 1
        bad = "extra" if name == "scale" else name
        with pytest.raises(error) as ours:
            model.add_module(bad, lib.nn.ReLU())
        with pytest.raises(error):
            model.register_parameter(bad, lib.nn.Parameter(lib.ones(1)))
        if lib is tg:
            message = str(ours.value)
        else:
            assert str(ours.value) == message
    with pytest.raises(TypeError, match="is not a Module subclass"):
        build(tg).add_module("x", 3)
    with pytest.raises(TypeError, match=r"nn.Parameter or None required"):
        build(tg).register_parameter("x", tg.ones(1))
