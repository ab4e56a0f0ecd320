"""``.data`` with PyTorch's meaning: a Tensor sharing the memory, outside the graph.

Each behaviour is run the same way with tinygrad_edu and (where installed) PyTorch.
"""

import numpy as np
import pytest

import tinygrad_edu as tg

try:
    import torch
except ImportError:  # the oracle half of each test is skipped
    torch = None

LIBRARIES = [pytest.param(tg, id="tinygrad_edu"),
             pytest.param(torch, id="torch",
                          marks=pytest.mark.skipif(torch is None, reason="torch not installed"))]


def values(t):
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def test_data_is_a_tensor_sharing_the_array():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    d = p.data
    assert type(d) is tg.Tensor and not d.requires_grad and d.grad_fn is None
    assert d.array is p.array  # the same memory, not a copy
    d[0] = 5.0
    assert p.tolist() == [5.0, 2.0]


@pytest.mark.parametrize("lib", LIBRARIES)
def test_manual_sgd_through_data(lib):
    p = lib.tensor([1.0, -2.0], requires_grad=True, dtype=lib.float64)
    (p * p).sum().backward()
    p.data += -0.25 * p.grad  # the tutorials' update: not recorded
    assert p.is_leaf and p.requires_grad and p.grad_fn is None
    np.testing.assert_allclose(values(p), [0.5, -1.0])
    p.data.add_(p.grad, alpha=-0.25)
    np.testing.assert_allclose(values(p), [0.0, 0.0])


@pytest.mark.parametrize("lib", LIBRARIES)
def test_initialisers_and_readers_through_data(lib):
    w = lib.zeros(3, 2, requires_grad=True)
    w.data.fill_(0.5)
    b = lib.ones(3, requires_grad=True)
    b.data.zero_()
    w.data.mul_(2)
    assert w.data.numpy().tolist() == [[1.0, 1.0]] * 3 and b.data.numpy().tolist() == [0.0] * 3
    loss = (w.sum(1) + b).sum()
    assert loss.data.item() == 6.0 and not loss.data.requires_grad
    assert loss.data.grad_fn is None and loss.grad_fn is not None


@pytest.mark.parametrize("lib", LIBRARIES)
def test_changes_through_data_are_not_seen_by_autograd(lib):
    """The version counter of .data is its own: no error, the old graph's arithmetic."""
    x = lib.tensor([1.0, 2.0], requires_grad=True, dtype=lib.float64)
    y = x.exp()  # saves its output
    y.data.mul_(2)  # bypasses the version check, as PyTorch's .data does
    y.sum().backward()
    np.testing.assert_allclose(values(x.grad), 2 * np.exp([1.0, 2.0]))


@pytest.mark.parametrize("lib", LIBRARIES)
def test_data_of_a_parameter_and_assignment(lib):
    layer = lib.nn.Linear(2, 1)
    layer.weight.data = lib.tensor([[3.0, 4.0]])
    layer.bias.data.fill_(1.0)
    out = layer(lib.tensor([[1.0, 1.0]]))
    assert out.item() == 8.0
    assert isinstance(layer.weight, lib.nn.Parameter) and layer.weight.requires_grad


def test_data_setter_rejects_non_tensors():
    p = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="Tensor.data must be set to a Tensor, got list"):
        p.data = [2.0]
    assert p.tolist() == [1.0]
