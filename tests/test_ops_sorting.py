"""Property tests of sort, argsort and topk (ops/sorting.py). PyTorch comparison:
test_ops_torch_everyday.py."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, shapes

SHAPES = shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _dim_of(s):
    return st.integers(-len(s[0]), len(s[0]) - 1)


def test_sort_values_and_gradient():
    assert_op_gradients(lambda x, dim, descending: x.sort(dim, descending).values,
                        reference=lambda x, dim, descending: (
                            -np.sort(-x, axis=dim) if descending else np.sort(x, axis=dim)),
                        shapes=SHAPES, distinct=True,
                        kwargs=lambda s: {"dim": _dim_of(s), "descending": st.booleans()})


def test_topk_values_and_gradient():
    def case(s):
        return st.integers(0, len(s[0]) - 1).flatmap(
            lambda dim: st.fixed_dictionaries({"dim": st.just(dim),
                                               "k": st.integers(0, s[0][dim]),
                                               "largest": st.booleans()}))

    def reference(x, case):
        ordered = -np.sort(-x, axis=case["dim"]) if case["largest"] else np.sort(x, case["dim"])
        return np.take(ordered, np.arange(case["k"]), axis=case["dim"])

    assert_op_gradients(lambda x, case: tg.topk(x, **case).values, reference=reference,
                        shapes=SHAPES, distinct=True, kwargs=lambda s: {"case": case(s)})


def test_indices_are_int64_and_sort_is_stable():
    x = tg.tensor([[3.0, 1.0, 2.0, 1.0], [0.0, 5.0, 5.0, -1.0]])
    values, indices = x.sort()
    assert indices.dtype == tg.int64 and indices.tolist() == [[1, 3, 2, 0], [3, 0, 1, 2]]
    assert x.sort(descending=True, stable=True).indices.tolist() == [[0, 2, 1, 3], [1, 2, 0, 3]]
    assert tg.argsort(x, dim=0).tolist() == [[1, 0, 0, 1], [0, 1, 1, 0]]
    assert x.topk(2).indices.tolist() == [[0, 2], [1, 2]]
    assert x.sort(0).values.equal(tg.sort(x, dim=0)[0])


def test_sort_gradient_goes_back_to_where_each_value_came_from():
    x = tg.tensor([3.0, 1.0, 2.0], requires_grad=True)
    (x.sort().values * tg.tensor([1.0, 10.0, 100.0])).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_sort_integers_and_bools():
    assert tg.tensor([3, -1, 2]).sort(descending=True).values.tolist() == [3, 2, -1]
    assert tg.tensor([True, False, True]).argsort().tolist() == [1, 0, 2]


def test_topk_out_of_range():
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        tg.ones(2, 3).topk(4)
    assert tg.ones(2, 3).topk(0).values.shape == (2, 0)


def test_0d_inputs():
    x = tg.tensor(2.0)
    assert x.sort().values.item() == 2.0 and x.argsort().item() == 0
