"""Second derivatives through piecewise-linear ops are zeros, as PyTorch's (issue 10, README).

relu, leaky_relu, abs and the norms built on |x| (p = 1, inf, -inf) are linear on each
piece, so their second derivative is 0. PyTorch records the mask or sign(x) in the graph of
the first derivative: ``grad(f(x).sum(), x, create_graph=True)`` is connected to x, and
differentiating it again gives zeros. Ours used to give a first derivative with no graph
(so the second ``grad`` raised "does not require grad", or gave None with ``allow_unused``).

clamp, max/min, amax/amin and maximum/minimum are left as they are: PyTorch's first
derivative has no graph there either (its mask is a constant); the oracle test checks both.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import gradcheck, gradgradcheck

X0 = [-1.5, 0.0, 2.0, -0.25]

# name -> (f(L, x), PyTorch's first derivative at X0, whether it has a graph (PyTorch's))
CASES = {
    "relu": (lambda L, x: x.relu().sum(), [0.0, 0.0, 1.0, 0.0], True),
    "F.relu": (lambda L, x: L.nn.functional.relu(x).sum(), [0.0, 0.0, 1.0, 0.0], True),
    "leaky_relu": (lambda L, x: L.nn.functional.leaky_relu(x, 0.1).sum(),
                   [0.1, 0.1, 1.0, 0.1], True),
    "LeakyReLU(inplace=True)": (lambda L, x: L.nn.LeakyReLU(0.1, inplace=True)(x * 1).sum(),
                                [0.1, 0.1, 1.0, 0.1], True),
    "abs": (lambda L, x: x.abs().sum(), [-1.0, 0.0, 1.0, -1.0], True),
    "norm(1)": (lambda L, x: x.norm(1), [-1.0, 0.0, 1.0, -1.0], True),
    "norm(1, dim)": (lambda L, x: x.reshape(2, 2).norm(1, dim=1).sum(),
                     [-1.0, 0.0, 1.0, -1.0], True),
    "norm(inf)": (lambda L, x: x.norm(math.inf), [0.0, 0.0, 1.0, 0.0], True),
    "norm(-inf)": (lambda L, x: x.norm(-math.inf), [0.0, 0.0, 0.0, 0.0], True),
    "norm(inf, dim)": (lambda L, x: x.reshape(2, 2).norm(math.inf, dim=1).sum(),
                       [-1.0, 0.0, 1.0, 0.0], True),
    "l1_loss": (lambda L, x: L.nn.functional.l1_loss(x, L.zeros_like(x)),
                [-0.25, 0.0, 0.25, -0.25], True),
    "relu * x": (lambda L, x: (x.relu() * x).sum(), [0.0, 0.0, 4.0, 0.0], True),
    "clamp(0)": (lambda L, x: x.clamp(0).sum(), [0.0, 1.0, 1.0, 0.0], False),
    "clamp(-1, 1)": (lambda L, x: x.clamp(-1, 1).sum(), [0.0, 1.0, 0.0, 1.0], False),
    "max": (lambda L, x: x.max(), [0.0, 0.0, 1.0, 0.0], False),
    "min(dim)": (lambda L, x: x.reshape(2, 2).min(1).values.sum(), [1.0, 0.0, 0.0, 1.0], False),
    "amax": (lambda L, x: x.amax(), [0.0, 0.0, 1.0, 0.0], False),
    "maximum": (lambda L, x: L.maximum(x, L.zeros_like(x)).sum(), [0.0, 0.5, 1.0, 0.0], False),
}


def _first_and_second(L: object, f: object) -> tuple:
    """(first derivative, whether it has a graph, second derivative or None) at X0."""
    x = L.tensor(X0, dtype=L.float64, requires_grad=True)
    (g,) = L.autograd.grad(f(L, x), x, create_graph=True)
    if not g.requires_grad:
        return g.detach().numpy(), False, None
    (h,) = L.autograd.grad(g.sum(), x, allow_unused=True)
    if h is None:
        return g.detach().numpy(), True, None
    # zeros_like(x) + h: PyTorch's zeros may be a ZeroTensor, which has no storage to list
    return g.detach().numpy(), True, np.asarray((L.zeros_like(x) + h).tolist())


@pytest.mark.parametrize("name", list(CASES))
def test_first_derivative_and_its_graph_are_pytorchs(name: str) -> None:
    f, first, has_graph = CASES[name]
    g, connected, h = _first_and_second(tg, f)
    np.testing.assert_allclose(g, first, atol=1e-12)
    assert connected == has_graph
    if has_graph and name != "relu * x":  # piecewise linear: the second derivative is 0
        assert h is not None and not h.any()


def test_relu_times_x_has_second_derivative_two_where_x_is_positive() -> None:
    _, _, h = _first_and_second(tg, CASES["relu * x"][0])
    np.testing.assert_allclose(h, [0.0, 0.0, 2.0, 0.0])


@pytest.mark.parametrize("name", list(CASES))
def test_first_and_second_derivatives_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    f = CASES[name][0]
    ours, theirs = _first_and_second(tg, f), _first_and_second(torch, f)
    np.testing.assert_allclose(ours[0], theirs[0], atol=1e-12)
    assert ours[1] == theirs[1]
    if theirs[2] is None:
        assert ours[2] is None
    else:
        np.testing.assert_allclose(ours[2], theirs[2], atol=1e-12)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "abs", "norm(1)", "norm(inf)",
                                  "norm(-inf)", "l1_loss", "relu * x"])
def test_gradcheck_and_gradgradcheck_away_from_the_kinks(name: str) -> None:
    f = CASES[name][0]
    x = tg.tensor([-1.5, 0.5, 2.0, -0.25], dtype=tg.float64, requires_grad=True)
    assert gradcheck(lambda t: f(tg, t), (x,))
    assert gradgradcheck(lambda t: f(tg, t), (x,))


def test_norm_minus_inf_is_the_smallest_magnitude_not_nan() -> None:
    x = tg.tensor([-3.0, 0.5, 2.0], dtype=tg.float64, requires_grad=True)
    out = x.norm(-math.inf)
    assert out.item() == 0.5
    out.backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


def test_abs_saves_its_input_as_pytorch():
    # So an in-place change to it before backward is caught, as in PyTorch.
    x = tg.tensor([-1.0, 2.0], requires_grad=True)
    a = x * 1
    y = a.abs()
    a.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_inplace_relu_still_has_relus_gradient() -> None:
    x = tg.tensor([-1.0, 2.0, 0.5], requires_grad=True)
    h = x * 2
    tg.nn.functional.relu(h, inplace=True)
    (h * h).sum().backward()
    assert x.grad.tolist() == [0.0, 16.0, 4.0]
