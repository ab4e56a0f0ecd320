"""Property tests of indexing along a dim (ops/indexing.py): gather, scatter, scatter_add,
index_select, take_along_dim, masked_fill, and their in-place forms. The PyTorch
comparison is in test_ops_torch_everyday.py."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, shapes

SHAPES = shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def _index_along(shape, draw_sizes=True):
    """A strategy for (dim, index): an index no larger than ``shape`` apart from dim."""
    @st.composite
    def draw(draw_value):
        dim = draw_value(st.integers(0, len(shape) - 1))
        sizes = [draw_value(st.integers(1, 4)) if d == dim else draw_value(st.integers(1, side))
                 for d, side in enumerate(shape)] if draw_sizes else list(shape)
        values = draw_value(st.lists(st.integers(0, shape[dim] - 1), min_size=int(np.prod(sizes)),
                                    max_size=int(np.prod(sizes))))
        return dim, np.array(values, dtype=np.int64).reshape(sizes)
    return draw()


def _gather_reference(x, dim_index):
    dim, index = dim_index
    out = np.empty(index.shape)
    for position in np.ndindex(index.shape):
        source = list(position)
        source[dim] = index[position]
        out[position] = x[tuple(source)]
    return out


def test_gather():
    assert_op_gradients(lambda x, dim_index: x.gather(dim_index[0], tg.tensor(dim_index[1])),
                        reference=_gather_reference, shapes=SHAPES,
                        kwargs=lambda s: {"dim_index": _index_along(s[0])})


def test_gather_gradient_adds_up_repeated_indices():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tg.gather(x, 0, tg.tensor([2, 2, 0])).sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 2.0]


def _scatter_add_reference(x, src, case):
    dim, index = case
    out = x.copy()
    for position in np.ndindex(index.shape):
        target = list(position)
        target[dim] = index[position]
        out[tuple(target)] += src[position]
    return out


def test_scatter_add():
    @st.composite
    def input_and_src_shapes(draw):  # src (= index's shape) may exceed input only along one dim
        shape = draw(SHAPES)
        longer = draw(st.integers(0, len(shape) - 1))
        src = tuple(draw(st.integers(1, 4 if d == longer else side))
                    for d, side in enumerate(shape))
        return shape, src

    @st.composite
    def dim_index(draw, shape, src_shape):
        fitting = [d for d in range(len(shape))
                   if all(src_shape[k] <= shape[k] for k in range(len(shape)) if k != d)]
        dim = draw(st.sampled_from(fitting))
        values = draw(st.lists(st.integers(0, shape[dim] - 1), min_size=int(np.prod(src_shape)),
                               max_size=int(np.prod(src_shape))))
        return dim, np.array(values, dtype=np.int64).reshape(src_shape)

    assert_op_gradients(lambda x, src, case: x.scatter_add(case[0], tg.tensor(case[1]), src),
                        num_inputs=2, reference=_scatter_add_reference,
                        input_shapes=input_and_src_shapes(),
                        kwargs=lambda s: {"case": dim_index(s[0], s[1])})


def test_scatter_writes_and_gives_the_overwritten_places_no_gradient():
    x = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=tg.float64, requires_grad=True)
    src = tg.tensor([[10.0, 20.0], [30.0, 40.0]], dtype=tg.float64, requires_grad=True)
    index = tg.tensor([[2, 0], [1, 1]])
    out = x.scatter(1, index, src)
    assert out.tolist() == [[20.0, 2.0, 10.0], [4.0, 40.0, 6.0]]  # repeated index: last wins
    weights = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], dtype=tg.float64)
    (out * weights).sum().backward()
    assert x.grad.tolist() == [[0.0, 2.0, 0.0], [4.0, 0.0, 6.0]]
    assert src.grad.tolist() == [[3.0, 1.0], [5.0, 5.0]]  # every src element: its place's g
    distinct = tg.tensor([[2, 0], [1, 0]])  # finite differences agree where no write is lost
    assert tg.testing.gradcheck(lambda a, b: a.scatter(1, distinct, b), (x, src))


def test_scatter_a_number_and_reduce_add():
    index = tg.tensor([[0, 1], [2, 2]])
    assert tg.zeros(2, 3).scatter(1, index, 5.0).tolist() == [[5, 5, 0], [0, 0, 5]]
    assert tg.zeros(2, 3).scatter(1, index, value=2.0).tolist() == [[2, 2, 0], [0, 0, 2]]
    added = tg.zeros(2, 3).scatter(1, index, tg.ones(2, 2), reduce="add")
    assert added.tolist() == [[1, 1, 0], [0, 0, 2]]
    with pytest.raises(RuntimeError, match="reduce='max' is not supported"):
        tg.zeros(2, 3).scatter(1, index, 1.0, reduce="max")


def test_scatter_uses_only_the_part_of_src_that_index_covers():
    out = tg.zeros(2, 3).scatter(1, tg.tensor([[0], [2]]), tg.tensor([[1.0, 2, 3], [4, 5, 6]]))
    assert out.tolist() == [[1, 0, 0], [0, 0, 4]]


def test_one_hot_by_scatter_as_tutorials_write_it():
    labels = tg.tensor([2, 0, 1])
    one_hot = tg.zeros(3, 4).scatter_(1, labels.unsqueeze(1), 1.0)
    assert one_hot.tolist() == np.eye(4)[[2, 0, 1]].tolist()


def test_in_place_scatter_and_masked_fill():
    x = tg.zeros(3)
    version = x._version.value
    assert x.scatter_add_(0, tg.tensor([0, 0, 2]), tg.tensor([1.0, 2.0, 3.0])) is x
    assert x.tolist() == [3.0, 0.0, 3.0] and x._version.value > version
    x.masked_fill_(x > 2, -1.0)
    assert x.tolist() == [-1.0, 0.0, -1.0]
    leaf = tg.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.masked_fill_(tg.tensor([True, False]), 1.0)
    assert leaf.tolist() == [0.0, 0.0]


def test_in_place_on_a_non_leaf_is_recorded():
    w = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = w * 2
    h.masked_fill_(tg.tensor([False, True, False]), 0.0)
    h.sum().backward()
    assert w.grad.tolist() == [2.0, 0.0, 2.0]


def test_index_select():
    @st.composite
    def dim_positions(draw, shape):
        dim = draw(st.integers(-len(shape), len(shape) - 1))
        return dim, draw(st.lists(st.integers(0, shape[dim] - 1), min_size=1, max_size=4))

    assert_op_gradients(
        lambda x, case: x.index_select(case[0], tg.tensor(case[1])),
        reference=lambda x, case: np.take(x, case[1], axis=case[0]), shapes=SHAPES,
        kwargs=lambda s: {"case": dim_positions(s[0])})


def test_index_select_with_a_0d_index_keeps_the_dim():
    x = tg.arange(6.0).reshape(2, 3)
    assert x.index_select(1, tg.tensor(2)).tolist() == [[2.0], [5.0]]


def test_take_along_dim():
    x = tg.tensor([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]], requires_grad=True)
    order = x.argsort(dim=1) if hasattr(x, "argsort") else tg.tensor([[0, 2, 1], [1, 2, 0]])
    assert tg.take_along_dim(x, order, dim=1).tolist() == [[10, 20, 30], [40, 50, 60]]
    assert x.take_along_dim(tg.tensor([[1], [0]]), 1).tolist() == [[30.0], [60.0]]
    assert tg.take_along_dim(x, tg.tensor([5, 0])).tolist() == [50.0, 10.0]
    broadcast = tg.take_along_dim(x, tg.tensor([[0, 1]]), dim=1)  # index broadcast over rows
    assert broadcast.tolist() == [[10.0, 30.0], [60.0, 40.0]]
    broadcast.sum().backward()
    assert x.grad.tolist() == [[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]


def test_masked_fill():
    def mask_of(shape):
        return st.lists(st.booleans(), min_size=int(np.prod(shape)),
                        max_size=int(np.prod(shape))).map(lambda m: np.array(m).reshape(shape))

    assert_op_gradients(lambda x, mask: x.masked_fill(tg.tensor(mask), -0.5),
                        reference=lambda x, mask: np.where(mask, -0.5, x),
                        kwargs=lambda s: {"mask": mask_of(s[0][1:])},
                        shapes=shapes(min_dims=1, max_dims=3))


def test_masked_fill_with_a_tensor_value_is_differentiable_in_it():
    value = tg.tensor(2.0, requires_grad=True)
    x = tg.tensor([[1.0, -1.0], [-2.0, 3.0]])
    out = tg.masked_fill(x, x < 0, value)
    assert out.tolist() == [[1.0, 2.0], [2.0, 3.0]]
    out.sum().backward()
    assert value.grad.item() == 2.0


def test_masked_fill_for_causal_attention_masks():
    scores = tg.zeros(3, 3)
    causal = tg.tensor(np.triu(np.ones((3, 3), dtype=bool), 1))
    weights = scores.masked_fill(causal, float("-inf")).softmax(-1)
    assert np.allclose(weights.numpy(), np.tril(np.ones((3, 3))) / [[1], [2], [3]])


def test_masked_fill_casts_the_value_to_the_input_dtype():
    out = tg.tensor([1, 2, 3]).masked_fill(tg.tensor([True, False, True]), 2.5)
    assert out.dtype == tg.int64 and out.tolist() == [2, 2, 2]


ERRORS = [
    (lambda: tg.ones(2, 3).gather(1, tg.tensor([[0.0]])), RuntimeError,
     "Expected dtype int32/int64 for index"),
    (lambda: tg.ones(2, 3).gather(1, tg.tensor([[0, 5]])), RuntimeError,
     "index 5 is out of bounds for dimension 1 with size 3"),
    (lambda: tg.ones(2, 3).gather(1, tg.tensor([[-1]])), RuntimeError, "out of bounds"),
    (lambda: tg.ones(2, 3).gather(1, tg.tensor([0, 1])), RuntimeError,
     "Index tensor must have the same number of dimensions as input tensor"),
    (lambda: tg.ones(2, 3).gather(1, tg.zeros(3, 1, dtype=tg.int64)), RuntimeError,
     "Size does not match at dimension 0"),
    (lambda: tg.ones(2, 3).gather(2, tg.zeros(1, 1, dtype=tg.int64)), IndexError,
     "Dimension out of range"),
    (lambda: tg.zeros(2, 3).scatter(1, tg.tensor([[0, 1]]), tg.ones(1, 1)), RuntimeError,
     "no larger size than src"),
    (lambda: tg.zeros(2, 3).scatter(1, tg.tensor([[0]]), tg.ones(1, 1, dtype=tg.float64)),
     RuntimeError, "Expected self.dtype to be equal to src.dtype"),
    (lambda: tg.zeros(2, 3).index_select(0, tg.tensor([[0]])), IndexError,
     "Index is supposed to be a vector"),
    (lambda: tg.zeros(2, 3).index_select(0, tg.tensor([2])), IndexError,
     "index out of range in self"),
    (lambda: tg.zeros(2, 3).masked_fill(tg.tensor([1, 0, 1]), 0.0), RuntimeError,
     "only supports boolean masks"),
    (lambda: tg.zeros(2, 3).masked_fill(tg.tensor([True]), tg.tensor([1.0, 2.0])),
     RuntimeError, "only supports a 0-dimensional value tensor"),
    (lambda: tg.zeros(2, 3).masked_fill(tg.ones(3, 3, dtype=tg.bool), 0.0), RuntimeError,
     "must be broadcastable to the input's shape"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    fn, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        fn()


def test_a_failed_in_place_scatter_changes_nothing():
    x = tg.ones(2, 3)
    with pytest.raises(RuntimeError):
        x.scatter_(1, tg.tensor([[0, 9]]), 5.0)
    assert x.tolist() == [[1.0] * 3] * 2 and x._version.value == 0
