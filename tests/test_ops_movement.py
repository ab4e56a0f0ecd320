"""Property tests of the shape ops and indexing: reshape, view, flatten, (un)squeeze,
permute, transpose, expand, T, getitem (basic, integer arrays, masks), cat, stack,
split, chunk."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, indices, shapes

SMALL = shapes(min_dims=1, max_dims=3, max_side=3)


def _permuted_shape(shapes_):
    return {"new_shape": st.permutations(shapes_[0]).map(tuple)}


def test_reshape():
    assert_op_gradients(lambda x, new_shape: x.reshape(new_shape),
                        reference=lambda x, new_shape: x.reshape(new_shape),
                        kwargs=_permuted_shape)
    assert_op_gradients(lambda x: x.reshape(-1), reference=lambda x: x.reshape(-1))


def test_view():
    assert_op_gradients(lambda x, new_shape: x.view(*new_shape),
                        reference=lambda x, new_shape: x.reshape(new_shape),
                        kwargs=_permuted_shape)
    assert_op_gradients(lambda x: x.view(1, -1), reference=lambda x: x.reshape(1, -1))


def _start_end(shapes_):
    ndim = len(shapes_[0])
    return {"start": st.integers(0, ndim - 1),
            "length": st.integers(0, ndim - 1)}


def test_flatten():
    def op(x, start, length):
        return x.flatten(start, min(start + length, x.ndim - 1))

    def reference(x, start, length):
        end = min(start + length, x.ndim - 1)
        return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])

    assert_op_gradients(op, reference=reference, kwargs=_start_end, shapes=SMALL)
    assert_op_gradients(tg.flatten, reference=lambda x: x.reshape(-1))


def test_unsqueeze():
    assert_op_gradients(lambda x, dim: x.unsqueeze(dim),
                        reference=lambda x, dim: np.expand_dims(x, dim),
                        kwargs=lambda s: {"dim": st.integers(-len(s[0]) - 1, len(s[0]))})


def test_squeeze():
    with_ones = shapes(min_dims=1, max_dims=3, min_side=1, max_side=2)
    assert_op_gradients(lambda x: x.squeeze(), reference=np.squeeze, shapes=with_ones)

    def reference(x, dim):
        return np.squeeze(x, dim) if x.shape[dim] == 1 else x  # PyTorch: a no-op otherwise

    assert_op_gradients(lambda x, dim: x.squeeze(dim), reference=reference, shapes=with_ones,
                        kwargs=lambda s: {"dim": st.integers(-len(s[0]), len(s[0]) - 1)})


def test_permute():
    assert_op_gradients(lambda x, order: x.permute(*order),
                        reference=lambda x, order: np.transpose(x, order),
                        kwargs=lambda s: {"order": st.permutations(range(len(s[0])))})


def test_transpose():
    def dims_pair(shapes_):
        ndim = len(shapes_[0])
        return {"d0": st.integers(-ndim, ndim - 1), "d1": st.integers(-ndim, ndim - 1)}

    assert_op_gradients(lambda x, d0, d1: x.transpose(d0, d1),
                        reference=lambda x, d0, d1: np.swapaxes(x, d0, d1),
                        kwargs=dims_pair, shapes=SMALL)


def test_T():  # noqa: N802
    assert_op_gradients(lambda x: x.T, reference=lambda x: x.T)
    assert_op_gradients(lambda x: x.t(), reference=lambda x: x.T, shapes=shapes(max_dims=2))


def test_expand():
    def target(shapes_):
        shape = shapes_[0]
        sizes = [st.integers(1, 3) if side == 1 else st.just(side) for side in shape]
        lead = st.lists(st.integers(1, 3), max_size=2)
        return {"sizes": st.tuples(lead, st.tuples(*sizes)).map(lambda t: tuple(t[0]) + t[1])}

    assert_op_gradients(lambda x, sizes: x.expand(*sizes),
                        reference=lambda x, sizes: np.broadcast_to(x, sizes),
                        shapes=shapes(max_side=2), kwargs=target)


def test_expand_with_minus_one_keeps_a_size():
    x = tg.tensor([[1.0], [2.0]], requires_grad=True)
    out = x.expand(2, -1, 3)
    assert out.shape == (2, 2, 3)
    out.sum().backward()
    assert x.grad.tolist() == [[6.0], [6.0]]


def test_getitem():
    assert_op_gradients(lambda x, index: x[index], reference=lambda x, index: x[index],
                        kwargs=lambda s: {"index": indices(s[0])})


def test_getitem_with_tensor_indices():
    def index_tensor(shapes_):
        first = shapes_[0][0]
        return {"rows": st.lists(st.integers(-first, first - 1), min_size=1, max_size=5)}

    assert_op_gradients(lambda x, rows: x[tg.tensor(rows)], reference=lambda x, rows: x[rows],
                        kwargs=index_tensor, shapes=SMALL)
    assert_op_gradients(lambda x, rows: x[rows], reference=lambda x, rows: x[rows],
                        kwargs=index_tensor, shapes=SMALL)


def test_getitem_with_a_mask_tensor():
    assert_op_gradients(lambda x: x[x > 0], reference=lambda x: x[x > 0], avoid=[0.0])


def test_repeated_indices_accumulate_their_gradients():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]
    y = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (y[[1, 1], [0, 0]] * tg.tensor([2.0, 5.0])).sum().backward()
    assert y.grad.tolist() == [[0.0, 0.0], [7.0, 0.0]]


def _cat_shapes(count, dim):
    """Shapes that agree except along ``dim`` (2-D or 3-D)."""
    @st.composite
    def draw(draw_):
        base = list(draw_(shapes(min_dims=2, max_dims=3, max_side=3)))
        result = []
        for _ in range(count):
            shape = list(base)
            shape[dim] = draw_(st.integers(1, 3))
            result.append(tuple(shape))
        return tuple(result)
    return draw()


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("count", [2, 3])
def test_cat(count, dim):
    assert_op_gradients(lambda *xs: tg.cat(list(xs), dim), num_inputs=count,
                        reference=lambda *xs: np.concatenate(xs, axis=dim),
                        input_shapes=_cat_shapes(count, dim))


def test_stack():
    def dim_for(shapes_):
        ndim = len(shapes_[0])
        return {"dim": st.integers(-ndim - 1, ndim)}

    assert_op_gradients(lambda a, b, dim: tg.stack([a, b], dim), num_inputs=2, broadcast=False,
                        reference=lambda a, b, dim: np.stack([a, b], axis=dim), kwargs=dim_for)


def _scaled_pieces(pieces, dim):
    """Join the pieces again with piece i multiplied by i + 1, so each piece's gradient differs."""
    return tg.cat([p * (i + 1) for i, p in enumerate(pieces)], dim)


def _numpy_scaled_pieces(x, sizes, dim):
    bounds = np.cumsum(sizes)[:-1]
    return np.concatenate([p * (i + 1) for i, p in enumerate(np.split(x, bounds, axis=dim))],
                          axis=dim)


def _split_kwargs(shapes_):
    ndim = len(shapes_[0])
    return {"size": st.integers(1, 3), "dim": st.integers(-ndim, ndim - 1)}


def _torch_sizes(length, size):
    return [size] * (length // size) + ([length % size] if length % size else [])


def test_split():
    def reference(x, size, dim):
        return _numpy_scaled_pieces(x, _torch_sizes(x.shape[dim], size), dim)

    assert_op_gradients(lambda x, size, dim: _scaled_pieces(x.split(size, dim), dim),
                        reference=reference, kwargs=_split_kwargs, shapes=SMALL)


def test_split_with_sizes():
    x = tg.tensor(np.arange(6.0), requires_grad=True)
    pieces = x.split([1, 3, 2])
    assert [p.tolist() for p in pieces] == [[0.0], [1.0, 2.0, 3.0], [4.0, 5.0]]
    _scaled_pieces(pieces, 0).sum().backward()
    assert x.grad.tolist() == [1.0, 2.0, 2.0, 2.0, 3.0, 3.0]


def test_chunk():
    def reference(x, size, dim):
        length = x.shape[dim]
        return _numpy_scaled_pieces(x, _torch_sizes(length, -(-length // size)), dim)

    assert_op_gradients(lambda x, size, dim: _scaled_pieces(x.chunk(size, dim), dim),
                        reference=reference, kwargs=_split_kwargs, shapes=SMALL)


def test_chunk_sizes_are_pytorchs():
    x = tg.arange(0, 6)
    assert [p.tolist() for p in x.chunk(4)] == [[0, 1], [2, 3], [4, 5]]  # 3 chunks, not 4
    assert [len(p) for p in tg.arange(0, 5).chunk(3)] == [2, 2, 1]


def _view_programs(L) -> list:
    x = L.arange(6.0).reshape(2, 3)
    v = x.view(3, 2)  # shares x's memory: an in-place change shows in x
    v.mul_(10)
    t = x.t()
    c = t.contiguous()  # a transpose is not contiguous: a copy in C order, then view works
    w = L.ones(2, 3, requires_grad=True)
    (w.t().contiguous().view(6) * L.arange(6.0)).sum().backward()
    return [x.tolist(), c.view(6).tolist(), t.contiguous() is t, x.contiguous() is x,
            w.grad.tolist()]


def test_view_shares_memory_and_contiguous_copies_only_when_needed():
    x_after, flat, t_same, x_same, grad = _view_programs(tg)
    assert x_after == [[0.0, 10.0, 20.0], [30.0, 40.0, 50.0]]
    assert flat == [0.0, 30.0, 10.0, 40.0, 20.0, 50.0]
    assert (t_same, x_same) == (False, True)
    assert grad == [[0.0, 2.0, 4.0], [1.0, 3.0, 5.0]]
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        tg.arange(6.0).reshape(2, 3).t().view(6)  # it used to return a copy


def test_view_and_contiguous_against_pytorch():
    torch = pytest.importorskip("torch")
    assert _view_programs(tg) == _view_programs(torch)
