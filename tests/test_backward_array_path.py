"""The hot ops' backward runs its formula on numpy arrays when no graph is wanted.

``loss.backward()`` (create_graph=False) takes the array path; ``autograd.grad(...,
create_graph=True)`` runs the same formulas on Tensors. Both must give the same
gradients, bit for bit where the arithmetic is the same, for every shape case the
formulas branch on (1-D and batched matmul, transposed operands, broadcasting).
"""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn import functional as F  # noqa: N812
from tinygrad_edu.ops.elementwise import _select

RNG = np.random.default_rng(7)


def _leaf(*shape, dtype=np.float64):
    return tg.tensor(RNG.standard_normal(shape).astype(dtype), requires_grad=True)


CASES = {
    "matmul 2-D": (lambda a, b: a @ b, ((4, 3), (3, 5))),
    "matmul x @ W.T": (lambda a, b: a @ b.T, ((4, 3), (5, 3))),
    "matmul W.T @ x": (lambda a, b: a.T @ b, ((3, 4), (3, 5))),
    "matmul vector @ matrix": (lambda a, b: a @ b, ((3,), (3, 5))),
    "matmul matrix @ vector": (lambda a, b: a @ b, ((4, 3), (3,))),
    "matmul vector @ vector": (lambda a, b: a @ b, ((3,), (3,))),
    "matmul batched, broadcast": (lambda a, b: a @ b, ((2, 4, 3), (3, 5))),
    "mul broadcast": (lambda a, b: a * b, ((4, 3), (3,))),
    "mul 0-d": (lambda a, b: a * b, ((), ())),
    "tanh": (lambda a, b: a.tanh() * b, ((4, 3), (4, 3))),
    "sigmoid": (lambda a, b: a.sigmoid() * b, ((4, 3), (4, 3))),
    "sigmoid 0-d": (lambda a, b: a.sigmoid() * b, ((), ())),
    "pow": (lambda a, b: (a ** 3) * b, ((4, 3), (4, 3))),
    "relu": (lambda a, b: a.relu() * b, ((4, 3), (4, 3))),
    "where": (lambda a, b: tg.where(a > 0, a * b, b * b), ((4, 3), (4, 3))),
    "sum over dims": (lambda a, b: a.sum(1, keepdim=True) * b, ((4, 3), (4, 1))),
    "mean": (lambda a, b: a.mean(0) * b, ((4, 3), (3,))),
    "reshape": (lambda a, b: a.reshape(3, 4) @ b, ((4, 3), (4, 2))),
    "permute": (lambda a, b: a.permute(2, 0, 1) * b, ((2, 3, 4), (4, 2, 3))),
    "add broadcast (1, n)": (lambda a, b: (a + b) * (a + b), ((4, 3), (1, 3))),
    "linear 3-D": (lambda a, b: F.linear(a, b, b[:, 0]), ((2, 4, 3), (5, 3))),
    "batch_norm": (lambda a, b: F.batch_norm(a, None, None, b[0], b[1], training=True),
                   ((6, 3), (2, 3))),
    "cross_entropy": (lambda a, b: F.cross_entropy(a * b, tg.tensor([0, 2, 1, 2])),
                      ((4, 3), (4, 3))),
    "pow 2": (lambda a, b: (a - b) ** 2, ((4, 3), (4, 3))),
    "sum all": (lambda a, b: (a * b).sum() * b, ((4, 3), (4, 3))),
    "mean all": (lambda a, b: (a * b).mean() * b, ((4, 3), ())),
    "log_softmax": (lambda a, b: a.log_softmax(1) * b, ((4, 3), (4, 3))),
    "log_softmax dim 0": (lambda a, b: a.log_softmax(0) * b, ((4, 3), (3,))),
    "exp, sqrt": (lambda a, b: a.exp().sqrt() * b, ((4, 3), (4, 3))),
    "index pairs": (lambda a, b: a[tg.arange(4), tg.tensor([0, 2, 1, 2])] * b, ((4, 3), (4,))),
    "index repeated rows": (lambda a, b: a[tg.tensor([0, 0, 3])] * b, ((4, 3), (3, 3))),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_array_path_gives_the_graph_paths_gradients(name, dtype):
    fn, shapes = CASES[name]
    a, b = (_leaf(*shape, dtype=dtype) for shape in shapes)
    out = fn(a, b)
    weights = tg.tensor(RNG.standard_normal(out.shape).astype(dtype))
    # the graph path: create_graph=True records the gradients' own graph
    graph_a, graph_b = tg.autograd.grad((out * weights).sum(), (a, b), create_graph=True)
    assert graph_a.requires_grad and graph_b.requires_grad
    # the array path: a plain backward()
    (fn(a, b) * weights).sum().backward()
    for leaf, graph_grad in ((a, graph_a), (b, graph_b)):
        assert leaf.grad.grad_fn is None and not leaf.grad.requires_grad
        assert leaf.grad.dtype == graph_grad.dtype and leaf.grad.shape == graph_grad.shape
        np.testing.assert_allclose(leaf.grad.array, graph_grad.array,
                                   rtol=1e-6 if dtype == np.float32 else 1e-13, atol=1e-7)


def test_array_path_matches_finite_differences():
    for name, (fn, shapes) in CASES.items():
        inputs = tuple(_leaf(*shape) for shape in shapes)
        assert tg.autograd.gradcheck(fn, inputs), name


def test_select_is_np_where_including_signed_zeros_and_non_finite_values():
    g = RNG.standard_normal((5, 7)).astype(np.float32)
    mask = RNG.random((5, 7)) > 0.5
    expected = np.where(mask, g, np.float32(0))
    got = _select(mask, g)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))  # no -0.0
    g[0, :3] = [np.nan, np.inf, -np.inf]
    mask[0, :3] = False  # g · 0 would be nan there; np.where gives 0
    np.testing.assert_array_equal(_select(mask, g), np.where(mask, g, np.float32(0)))


def test_relu_gradient_is_zero_not_nan_where_the_incoming_gradient_is_infinite():
    x = tg.tensor([-1.0, 2.0, -3.0], requires_grad=True)
    x.relu().backward(tg.tensor([np.inf, 1.0, np.nan]))
    np.testing.assert_array_equal(x.grad.array, [0.0, 1.0, 0.0])
    assert not np.signbit(x.grad.array).any()
