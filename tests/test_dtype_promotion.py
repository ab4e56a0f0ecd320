"""Result dtypes as PyTorch gives them (issue 10, class 7), checked against PyTorch where it is
installed and against the values PyTorch gives otherwise."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg

# name -> (call, expected dtype name, expected values); each call gets the library as L.
CASES = {
    "exp(int)": (lambda L: L.tensor([1, 2]).exp(), "float32", [np.e, np.e**2]),
    "sqrt(int)": (lambda L: L.tensor([1, 4]).sqrt(), "float32", [1.0, 2.0]),
    "log(int)": (lambda L: L.tensor([1, 2]).log(), "float32", [0.0, np.log(2)]),
    "log1p(int)": (lambda L: L.tensor([0, 1]).log1p(), "float32", [0.0, np.log(2)]),
    "tanh(bool)": (lambda L: L.tensor([True, False]).tanh(), "float32", [np.tanh(1), 0.0]),
    "sin(bool)": (lambda L: L.tensor([True]).sin(), "float32", [np.sin(1)]),
    "cos(int8)": (lambda L: L.tensor([1], dtype=L.int8).cos(), "float32", [np.cos(1)]),
    "sigmoid(int)": (lambda L: L.tensor([0, 1]).sigmoid(), "float32", [0.5, 1 / (1 + np.exp(-1))]),
    "sigmoid(bool)": (lambda L: L.tensor([True]).sigmoid(), "float32", [1 / (1 + np.exp(-1))]),
    "logsumexp(int)": (lambda L: L.tensor([1, 2]).logsumexp(0), "float32",
                       np.log(np.e + np.e**2)),
    "int.clamp(0.5)": (lambda L: L.tensor([0, 1, 2]).clamp(0.5), "float32", [0.5, 1, 2]),
    "int.clamp(max=1.5)": (lambda L: L.tensor([0, 1, 2]).clamp(max=1.5), "float32", [0, 1, 1.5]),
    "int.clamp(0, 1)": (lambda L: L.tensor([0, 1, 2]).clamp(0, 1), "int64", [0, 1, 1]),
    "where(c, 1., 0.)": (lambda L: L.where(L.tensor([True, False]), 1.0, 0.0), "float32", [1, 0]),
    "where(c, 1, 0.)": (lambda L: L.where(L.tensor([True, False]), 1, 0.0), "float32", [1, 0]),
    "where(c, 1, 0)": (lambda L: L.where(L.tensor([True, False]), 1, 0), "int64", [1, 0]),
    "cat([int, float32])": (lambda L: L.cat([L.tensor([1]), L.tensor([2.0])]), "float32", [1, 2]),
    "cat([int64, float16])": (lambda L: L.cat([L.tensor([1]), L.tensor([2.0], dtype=L.float16)]),
                              "float16", [1, 2]),
    "stack([int, float32])": (lambda L: L.stack([L.tensor([1]), L.tensor([2.0])]), "float32",
                              [[1], [2]]),
    "uint8.sum()": (lambda L: L.tensor([200, 100], dtype=L.uint8).sum(), "int64", 300),
    "int8.sum(0)": (lambda L: L.tensor([100, 100], dtype=L.int8).sum(0), "int64", 200),
    "bool.sum()": (lambda L: L.tensor([True, True]).sum(), "int64", 2),
    "tensor(np.float64(.5))": (lambda L: L.tensor(np.float64(0.5)), "float64", 0.5),
    "tensor([np.float64(.5), 1.])": (lambda L: L.tensor([np.float64(0.5), 1.0]), "float64",
                                     [0.5, 1]),
    "tensor(np.int32(5))": (lambda L: L.tensor(np.int32(5)), "int32", 5),
    "tensor([0.5])": (lambda L: L.tensor([0.5]), "float32", [0.5]),
    "int8 + 200": (lambda L: L.tensor([100], dtype=L.int8) + 200, "int8", [44]),
    "uint8 - 1": (lambda L: L.tensor([0], dtype=L.uint8) - 1, "uint8", [255]),
    "sign(bool)": (lambda L: L.tensor([True, False]).sign(), "bool", [True, False]),
}


def _check(result: tg.Tensor, dtype: str, values: object) -> None:
    assert result.dtype == getattr(tg, dtype), f"{result.dtype} != {dtype}"
    np.testing.assert_allclose(np.asarray(result.tolist(), dtype=np.float64),
                               np.asarray(values, dtype=np.float64), rtol=1e-6)


@pytest.mark.parametrize("name", list(CASES))
def test_result_dtype(name: str) -> None:
    call, dtype, values = CASES[name]
    _check(call(tg), dtype, values)


@pytest.mark.parametrize("name", list(CASES))
def test_result_dtype_matches_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    call, dtype, values = CASES[name]
    assert str(call(torch).dtype) == f"torch.{dtype}"  # the table itself is PyTorch's answer


def test_a_float32_leaf_keeps_a_float32_grad_when_backward_gets_float64() -> None:
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.backward(tg.tensor([1.0, 1.0], dtype=tg.float64))
    assert x.grad.dtype == tg.float32
    x2 = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x2 * 2
    y.retain_grad()
    y.backward(tg.tensor([1.0, 1.0], dtype=tg.float64))
    assert y.grad.dtype == tg.float32 and x2.grad.dtype == tg.float32
    np.testing.assert_array_equal(x2.grad.numpy(), [2.0, 2.0])


def test_an_integer_tensor_set_to_require_grad_is_refused_when_used() -> None:
    x = tg.tensor([1, 2])
    x.requires_grad = True  # a plain attribute: refused as soon as the graph would use it
    with pytest.raises(RuntimeError, match="Only Tensors of floating point dtype can require"):
        x * 2
    with pytest.raises(RuntimeError, match="Only Tensors of floating point dtype can require"):
        x.register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="Only Tensors of floating point dtype can require"):
        tg.tensor([1, 2]).requires_grad_()


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_of_an_integer_tensor_is_refused_as_in_pytorch(op: str) -> None:
    with pytest.raises(NotImplementedError, match=f"{op}\\(\\): not implemented for .*int64"):
        getattr(tg.tensor([1, 2]), op)(0)


def test_sign_of_nan_is_zero() -> None:
    np.testing.assert_array_equal(tg.tensor([float("nan"), -2.0, 0.0]).sign().numpy(),
                                  [0.0, -1.0, 0.0])
