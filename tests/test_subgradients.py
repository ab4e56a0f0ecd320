"""PyTorch's finite subgradients at exact zeros, first and second derivatives (issue 10, class 4).

Each case gives the value PyTorch's first derivative has (so the test runs without torch)
and is compared with PyTorch itself, in float64, when it is installed: the first
derivative everywhere, the second wherever PyTorch's is finite (where PyTorch's second
derivative is NaN, ours may be the finite subgradient).
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg

# name -> (f(L, x), x0, PyTorch's first derivative at x0)
CASES = {
    "x ** 0": (lambda L, x: (x**0).sum(), [0.0, 1.0], [0.0, 0.0]),
    "x ** 1": (lambda L, x: (x**1).sum(), [0.0, 1.0], [1.0, 1.0]),
    "sum of x ** k": (lambda L, x: sum((x**k).sum() for k in range(3)), [0.0, 1.0], [1.0, 3.0]),
    "norm() of zeros": (lambda L, x: x.norm(), [0.0, 0.0], [0.0, 0.0]),
    "norm(dim=0)": (lambda L, x: x.norm(dim=0).sum(), [[0.0, 0.0], [0.0, 1.0]],
                    [[0.0, 0.0], [0.0, 1.0]]),
    "norm(2, dim=1, keepdim)": (lambda L, x: x.norm(2, dim=1, keepdim=True).sum(),
                                [[0.0, 0.0], [3.0, 4.0]], [[0.0, 0.0], [0.6, 0.8]]),
    "norm(3) of zeros": (lambda L, x: x.norm(3), [0.0, 0.0], [0.0, 0.0]),
    "norm(3)": (lambda L, x: x.norm(3), [0.0, 2.0], [0.0, 1.0]),
    "std of a constant": (lambda L, x: x.std(), [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]),
    "var of a constant": (lambda L, x: x.var(), [1.0, 1.0, 1.0], [0.0, 0.0, 0.0]),
    "std(dim=1)": (lambda L, x: x.std(dim=1).sum(), [[1.0, 1.0], [1.0, 3.0]],
                   [[0.0, 0.0], [-0.70710678, 0.70710678]]),
    "0 ** (x + 1)": (lambda L, x: (0 ** (x + 1)).sum(), [0.0, 1.0], [0.0, 0.0]),
    "0. ** x": (lambda L, x: (0.0**x).sum(), [0.0, 1.0, -1.0], [0.0, 0.0, -np.inf]),
    "zeros ** x": (lambda L, x: (L.zeros(2, dtype=L.float64) ** x).sum(), [1.0, 2.0], [0.0, 0.0]),
    "x ** x": (lambda L, x: (x**x).sum(), [1.0, 2.0], [1.0, 4 + 4 * np.log(2)]),
    "x ** 2 at 0": (lambda L, x: (x**2).sum(), [0.0, 1.0], [0.0, 2.0]),
}


def _derivatives(lib: object, grad: object, f: object, x0: list) -> tuple:
    x = lib.tensor(np.array(x0, dtype=np.float64), requires_grad=True)
    (first,) = grad(f(lib, x), x, create_graph=True)
    second = None
    if first.requires_grad:
        (second,) = grad(first.sum(), x, allow_unused=True)
    return _to_numpy(first), _to_numpy(second)


def _to_numpy(t: object) -> np.ndarray | None:
    return None if t is None else np.array(t.detach().tolist(), dtype=np.float64)


@pytest.mark.parametrize("name", list(CASES))
def test_first_derivative_is_pytorchs_subgradient(name: str) -> None:
    f, x0, expected = CASES[name]
    first, second = _derivatives(tg, tg.autograd.grad, f, x0)
    np.testing.assert_allclose(first, expected, rtol=1e-7, atol=1e-12)
    if second is not None:  # where PyTorch's is finite, ours must be too (checked below)
        assert second.shape == first.shape


@pytest.mark.parametrize("name", list(CASES))
def test_first_and_second_derivatives_match_pytorch(name: str) -> None:
    torch = pytest.importorskip("torch")
    f, x0, expected = CASES[name]
    first, second = _derivatives(tg, tg.autograd.grad, f, x0)
    torch_first, torch_second = _derivatives(torch, torch.autograd.grad, f, x0)
    np.testing.assert_allclose(torch_first, expected, rtol=1e-7, atol=1e-12)  # the table
    np.testing.assert_allclose(first, torch_first, rtol=1e-7, atol=1e-12)
    if torch_second is None:
        assert second is None or not np.any(second)  # PyTorch: constant; ours: zeros
        return
    finite = np.isfinite(torch_second)
    ours = np.zeros_like(torch_second) if second is None else second
    np.testing.assert_allclose(ours[finite], torch_second[finite], rtol=1e-7, atol=1e-12)
    assert np.all(np.isfinite(ours[finite]))


def test_norm_p0_counts_nonzeros_with_gradient_zero() -> None:
    x = tg.tensor([0.0, 2.0, -3.0], requires_grad=True)
    n = x.norm(0)
    assert n.item() == 2.0
    n.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_norm_rejects_a_p_that_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="p must be a number or 'fro', got 'nuc2'"):
        tg.tensor([1.0]).norm("nuc2")


def _grads_at_nan(L) -> list:
    grads = []
    for f in (lambda x: x.relu(), lambda x: x.abs()):
        x = L.tensor([float("nan"), -1.0, 0.0, 2.0], requires_grad=True)
        f(x).sum().backward()
        grads.append(x.grad.tolist())
    return grads


def test_relu_and_abs_gradients_at_nan_are_pytorchs() -> None:
    # relu passes the gradient at NaN (PyTorch masks with out <= 0, false for NaN): it gave 0;
    # abs's is sgn(NaN) = 0 there: it gave NaN.
    assert _grads_at_nan(tg) == [[1.0, 0.0, 0.0, 1.0], [0.0, -1.0, 0.0, 1.0]]


def test_gradients_at_nan_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    assert _grads_at_nan(tg) == _grads_at_nan(torch)
