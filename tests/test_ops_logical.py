"""Comparisons and logic as functions, positions, masked_select (ops/logical.py)."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, shapes

X = tg.tensor([[0.0, 1.5], [2.0, float("-inf")]])


def test_comparison_functions_are_the_operators():
    for name, op in [("eq", np.equal), ("ne", np.not_equal), ("lt", np.less), ("le", np.less_equal),
                     ("gt", np.greater), ("ge", np.greater_equal), ("less", np.less),
                     ("greater_equal", np.greater_equal), ("not_equal", np.not_equal)]:
        assert getattr(tg, name)(X, 1.5).tolist() == op(X.numpy(), 1.5).tolist(), name
    assert X.less(2.0).dtype == tg.bool


def test_logic():
    a, b = X > 0, X < 2
    assert tg.logical_and(a, b).tolist() == [[False, True], [False, False]]
    assert a.logical_or(b).tolist() == [[True, True], [True, True]]
    assert tg.logical_xor(a, b).tolist() == [[True, False], [True, True]]
    assert tg.logical_not(X).tolist() == [[True, False], [False, False]]


def test_inf_and_sign_tests():
    assert tg.isinf(X).tolist() == [[False, False], [False, True]]
    assert X.isneginf().tolist() == [[False, False], [False, True]]
    assert not tg.isposinf(X).any().item()
    assert tg.signbit(tg.tensor([-0.0, 0.0, -1.0])).tolist() == [True, False, True]


def test_nonzero_argwhere_count_nonzero():
    assert tg.nonzero(X).tolist() == [[0, 1], [1, 0], [1, 1]]
    assert tg.nonzero(X).dtype == tg.int64
    rows, cols = X.nonzero(as_tuple=True)
    assert rows.tolist() == [0, 1, 1] and cols.tolist() == [1, 0, 1]
    assert tg.argwhere(X).equal(tg.nonzero(X))
    assert tg.nonzero(tg.tensor(3.0)).shape == (1, 0)
    assert tg.count_nonzero(X).item() == 3 and X.count_nonzero(dim=0).tolist() == [1, 2]


def test_masked_select():
    def mask_of(shape):
        from hypothesis import strategies as st

        return st.lists(st.booleans(), min_size=int(np.prod(shape)),
                        max_size=int(np.prod(shape))).map(lambda m: np.array(m).reshape(shape))

    assert_op_gradients(lambda x, mask: tg.masked_select(x, tg.tensor(mask)),
                        reference=lambda x, mask: x[mask], shapes=shapes(min_dims=1),
                        kwargs=lambda s: {"mask": mask_of(s[0])})
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    picked = x.masked_select(tg.tensor([True, False]))  # the mask broadcasts over rows
    assert picked.tolist() == [1.0, 3.0]
    picked.sum().backward()
    assert x.grad.tolist() == [[1.0, 0.0], [1.0, 0.0]]
    with pytest.raises(RuntimeError, match="expected BoolTensor for mask"):
        tg.masked_select(x, tg.tensor([1, 0]))


def _bitwise_results(L):
    a, b = L.tensor([3, 12, -5]), L.tensor([1, 10, 6])
    m, n = L.tensor([True, False, True]), L.tensor([True, True, False])
    return [a & b, a | b, a ^ b, ~a, a & 1, m & n, m | n, m ^ n, ~m,
            L.bitwise_and(a, b), a.bitwise_or(b), L.tensor([3], dtype=L.int32) & 1]


def test_and_or_xor_invert_are_bitwise_on_integers():
    # int & int used numpy's logical_and: tensor([3]) & tensor([1]) gave True (PyTorch: 1).
    got = _bitwise_results(tg)
    assert [t.tolist() for t in got[:5]] == [[1, 8, 2], [3, 14, -1], [2, 6, -3], [-4, -13, 4],
                                             [1, 0, 1]]
    assert got[0].dtype == tg.int64 and got[5].dtype == tg.bool and got[-1].dtype == tg.int32
    assert [t.tolist() for t in got[5:9]] == [[True, False, False], [True, True, True],
                                              [False, True, True], [False, True, False]]


def test_bitwise_results_and_dtypes_match_pytorch():
    torch = pytest.importorskip("torch")
    for ours, theirs in zip(_bitwise_results(tg), _bitwise_results(torch)):
        assert ours.tolist() == theirs.tolist()
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
