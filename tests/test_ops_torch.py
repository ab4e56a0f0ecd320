"""PyTorch as an oracle: a few representative cases per op family must give the same
values and gradients. Skipped cleanly where torch is not installed."""

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
A = RNG.uniform(0.3, 2.0, (3, 4))  # positive: log, sqrt, pow are defined
B = RNG.uniform(-2.0, 2.0, (3, 4))
ROW = RNG.uniform(-2.0, 2.0, (4,))
SIGNED = RNG.uniform(-2.0, 2.0, (2, 3, 4))


def run_both(fn, *arrays):
    """fn on tinygrad_edu tensors and on torch tensors: values and gradients (float64)."""
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(tg, *ours), fn(torch, *theirs)
    upstream = RNG.standard_normal(tuple(expected.shape))
    out.backward(tg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(),
                               rtol=1e-10, atol=1e-12)
    for x, t in zip(ours, theirs):
        assert x.grad is not None and t.grad is not None
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


ELEMENTWISE = {
    "add_broadcast": (lambda m, a, r: a + r, A, ROW),
    "sub_reflected": (lambda m, a: 1.5 - a, A),
    "mul_div": (lambda m, a, b: a * b / (a + 1), A, B),
    "pow_scalar": (lambda m, a: a**2.5, A),
    "pow_tensor": (lambda m, a, b: a**b, A, B),
    "rpow": (lambda m, a: 2.0**a, B),
    "exp_log_log1p": (lambda m, a: a.exp() + a.log() + a.log1p(), A),
    "sqrt_sin_cos": (lambda m, a: a.sqrt() * a.sin() - a.cos(), A),
    "tanh_sigmoid_relu": (lambda m, b: b.tanh() + b.sigmoid() + b.relu(), B),
    "abs_sign_clamp": (lambda m, b: b.abs() * b.sign() + b.clamp(-1.0, 0.5), B),
    "maximum_minimum": (lambda m, a, b: m.maximum(a, b) - m.minimum(a, b * 2), A, B),
    "where": (lambda m, a, b: m.where(b > 0, a, b), A, B),
    "square_reciprocal": (lambda m, a: a.square() + a.reciprocal(), A),
}

REDUCTIONS = {
    "sum_dims": (lambda m, x: x.sum((0, -1), keepdim=True) + x.sum(1).sum(), SIGNED),
    "mean_var_std": (lambda m, x: x.mean(-1).sum() + x.var(0) + x.std(dim=1, correction=0)[0],
                     SIGNED),
    "amax_amin": (lambda m, x: x.amax((0, 2)) + x.amin(1, keepdim=True).sum(), SIGNED),
    "max_min_dim": (lambda m, x: x.max(1).values * 2 + x.min(-1, keepdim=True)[0].sum(), SIGNED),
    "max_all": (lambda m, x: x.max() - x.min(), SIGNED),
    "logsumexp": (lambda m, x: x.logsumexp(-1) + x.logsumexp((0, 1)).sum(), SIGNED),
    "softmax": (lambda m, x: x.softmax(1) * x, SIGNED),
    "log_softmax": (lambda m, x: x.log_softmax(-1), SIGNED),
    "norm": (lambda m, x: x.norm() + x.norm(dim=-1).sum(), SIGNED),
}

MOVEMENT = {
    "reshape_view_flatten": (lambda m, x: x.reshape(4, -1).view(-1, 2).flatten() * 1.0, SIGNED),
    "unsqueeze_squeeze": (lambda m, x: x.unsqueeze(1).squeeze(1).unsqueeze(-1), SIGNED),
    "permute_transpose": (lambda m, x: x.permute(2, 0, 1).transpose(0, 2).transpose(0, 1), SIGNED),
    "T": (lambda m, a: a.T * 1.0 + a.t(), A),
    "expand": (lambda m, r: r.unsqueeze(0).expand(3, 4) * 1.0, ROW),
    "getitem_basic": (lambda m, x: x[1, :, ::2] + x[..., 0:2, None].sum(), SIGNED),
    "getitem_repeated": (lambda m, x: x[[0, 0, 1]] * 1.0, SIGNED),
    "getitem_mask": (lambda m, x: x[x > 0] * 1.0, SIGNED),
    "cat_stack": (lambda m, a, b: m.cat([a, b], 0).sum(0) + m.cat([a, b], 1)[:, 2:6]
                  + m.stack([a, b], -1).sum((0, 2)), A, B),
    "split_chunk": (lambda m, x: m.cat([p * (i + 1) for i, p in enumerate(x.split(3, 2))], 2)
                    + m.cat([p * (i + 2) for i, p in enumerate(x.chunk(2, 1))], 1), SIGNED),
}

LINALG = {
    "matmul_2d": (lambda m, a, b: a @ b.T, A, B),
    "matmul_1d": (lambda m, r, b: b @ r + r @ b.T, ROW, B),
    "matmul_batched": (lambda m, x, b: x @ b.T, SIGNED, B),
    "mm_dot_outer": (lambda m, a, b, r: m.mm(a, b.T).sum() + r.dot(r) + m.outer(r, r), A, B, ROW),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_like_torch(name):
    fn, *arrays = ELEMENTWISE[name]
    run_both(fn, *arrays)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_like_torch(name):
    fn, *arrays = REDUCTIONS[name]
    run_both(fn, *arrays)


@pytest.mark.parametrize("name", sorted(MOVEMENT))
def test_movement_like_torch(name):
    fn, *arrays = MOVEMENT[name]
    run_both(fn, *arrays)


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_like_torch(name):
    fn, *arrays = LINALG[name]
    run_both(fn, *arrays)


def test_second_derivatives_like_torch():
    x0 = RNG.uniform(-1, 1, (5,))
    x, t = tg.tensor(x0, requires_grad=True), torch.tensor(x0, requires_grad=True)
    (g,) = tg.autograd.grad((x.tanh() * x.sin()).sum(), x, create_graph=True)
    (h,) = torch.autograd.grad((t.tanh() * t.sin()).sum(), t, create_graph=True)
    g.sum().backward()
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10)
