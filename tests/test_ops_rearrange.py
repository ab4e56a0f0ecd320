"""Property tests of repeat, flip, roll, narrow, unbind, ravel, tril/triu, diag and trace
(ops/rearrange.py). PyTorch comparison: test_ops_torch_everyday.py."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients, shapes

SHAPES = shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)
MATRICES = shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)


def test_repeat():
    def sizes(s):
        return {"sizes": st.lists(st.integers(0, 3), min_size=len(s[0]),
                                  max_size=len(s[0]) + 2).map(tuple)}

    assert_op_gradients(lambda x, sizes: x.repeat(*sizes),
                        reference=lambda x, sizes: np.tile(x, sizes), shapes=SHAPES, kwargs=sizes)
    assert tg.ones(2, 3).repeat((2, 1, 2)).shape == (2, 2, 6)


def test_flip():
    def dims(s):
        return {"dims": st.sets(st.integers(0, len(s[0]) - 1)).map(tuple)}

    assert_op_gradients(lambda x, dims: x.flip(dims),
                        reference=lambda x, dims: np.flip(x, dims) if dims else x,
                        shapes=SHAPES, kwargs=dims)
    x = tg.arange(6.0).reshape(2, 3)
    assert x.flip(1, 0).tolist() == tg.flip(x, [0, 1]).tolist() == [[5, 4, 3], [2, 1, 0]]
    assert tg.fliplr(x).tolist() == [[2, 1, 0], [5, 4, 3]]
    assert tg.flipud(x).tolist() == [[3, 4, 5], [0, 1, 2]]


def test_roll():
    def case(s):
        return {"shift": st.integers(-4, 4), "dim": st.integers(0, len(s[0]) - 1)}

    assert_op_gradients(lambda x, shift, dim: x.roll(shift, dim),
                        reference=lambda x, shift, dim: np.roll(x, shift, dim), shapes=SHAPES,
                        kwargs=case)
    x = tg.arange(6.0).reshape(2, 3)
    assert tg.roll(x, 1).tolist() == [[5, 0, 1], [2, 3, 4]]
    assert x.roll((1, -1), (0, 1)).tolist() == [[4, 5, 3], [1, 2, 0]]


def test_narrow_and_unbind():
    assert_op_gradients(lambda x: x.narrow(-1, 1, 2) * x.narrow(-1, 0, 2),
                        reference=lambda x: x[..., 1:3] * x[..., 0:2],
                        shapes=shapes(min_dims=1, max_dims=3, min_side=3, max_side=3))
    assert_op_gradients(lambda x: tg.stack(x.unbind(-1)[::-1], -1),
                        reference=lambda x: x[..., ::-1], shapes=SHAPES)
    x = tg.arange(6.0).reshape(2, 3)
    assert [t.tolist() for t in tg.unbind(x, 1)] == [[0, 3], [1, 4], [2, 5]]
    assert x.narrow(1, -2, 2).tolist() == [[1, 2], [4, 5]]
    with pytest.raises(RuntimeError, match=r"start \(2\) \+ length \(2\) exceeds dimension size"):
        x.narrow(1, 2, 2)
    assert x.ravel().tolist() == [0, 1, 2, 3, 4, 5]


def test_tril_and_triu():
    def diagonal(s):
        return {"k": st.integers(-3, 3)}

    assert_op_gradients(lambda x, k: x.tril(k), reference=lambda x, k: np.tril(x, k),
                        shapes=MATRICES, kwargs=diagonal)
    assert_op_gradients(lambda x, k: tg.triu(x, diagonal=k), reference=lambda x, k: np.triu(x, k),
                        shapes=MATRICES, kwargs=diagonal)
    assert tg.tril(tg.ones(2, 2, dtype=tg.int64)).tolist() == [[1, 0], [1, 1]]
    with pytest.raises(RuntimeError, match="tril: input tensor must have at least 2 dimensions"):
        tg.ones(3).tril()


def test_diag_and_trace():
    def offset(s):
        return {"k": st.integers(-3, 3)}

    assert_op_gradients(lambda v, k: tg.diag(v, k), reference=lambda v, k: np.diag(v, k),
                        shapes=shapes(min_dims=1, max_dims=1), kwargs=offset)
    assert_op_gradients(lambda m, k: m.diag(k), reference=lambda m, k: np.diag(m, k),
                        shapes=shapes(min_dims=2, max_dims=2), kwargs=offset)
    assert_op_gradients(lambda m: m.trace(), reference=np.trace,
                        shapes=shapes(min_dims=2, max_dims=2))
    with pytest.raises(RuntimeError, match="diag\\(\\): Supports 1D or 2D tensors. Got 3D"):
        tg.ones(2, 2, 2).diag()


ERRORS = [
    (lambda: tg.ones(2, 3).repeat(2), RuntimeError, "can not be smaller than number of dim"),
    (lambda: tg.ones(2, 3).flip(0, 0), RuntimeError, "has duplicates"),
    (lambda: tg.ones(2, 3).flip(2), IndexError, "Dimension out of range"),
    (lambda: tg.ones(2, 3).roll((1, 2), 0), RuntimeError, "shifts and dimensions must align"),
    (lambda: tg.ones(2, 3).trace().backward(), RuntimeError, "does not require grad"),
    (lambda: tg.ones(3).trace(), RuntimeError, "trace: expected a matrix"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    fn, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        fn()


def test_tile_and_repeat_interleave():
    assert_op_gradients(lambda x: tg.tile(x, (2,)), reference=lambda x: np.tile(x, 2),
                        shapes=SHAPES)
    assert_op_gradients(lambda x, dim: x.repeat_interleave(2, dim=dim),
                        reference=lambda x, dim: np.repeat(x, 2, axis=dim), shapes=SHAPES,
                        kwargs=lambda s: {"dim": st.integers(-len(s[0]), len(s[0]) - 1)})
    assert_op_gradients(lambda x: tg.repeat_interleave(x, tg.tensor([2, 0, 1]), dim=-1),
                        reference=lambda x: np.repeat(x, [2, 0, 1], axis=-1),
                        shapes=shapes(min_dims=1, max_dims=2, min_side=3, max_side=3))
    assert tg.repeat_interleave(tg.tensor([[1, 2], [3, 4]]), 2).tolist() == [1, 1, 2, 2, 3, 3, 4, 4]


def test_movedim_swapaxes_broadcast_to_diagonal():
    x = tg.ones(2, 3, 4)
    assert tg.movedim(x, 0, -1).shape == (3, 4, 2)
    assert x.movedim((0, 1), (2, 0)).shape == (3, 4, 2)
    assert tg.swapaxes(x, 0, 2).shape == x.swapdims(2, 0).shape == (4, 3, 2)
    assert tg.broadcast_to(tg.ones(3, 1), (2, 3, 4)).shape == (2, 3, 4)
    assert_op_gradients(lambda m, k: m.diagonal(k, -2, -1),
                        reference=lambda m, k: np.diagonal(m, k, -2, -1),
                        shapes=MATRICES, kwargs={"k": st.integers(-2, 2)})


def test_meshgrid():
    x, y = tg.arange(3.0), tg.arange(2.0)
    for indexing in ("ij", "xy"):
        ours = tg.meshgrid(x, y, indexing=indexing)
        expected = np.meshgrid(x.numpy(), y.numpy(), indexing=indexing)
        assert [g.tolist() for g in ours] == [e.tolist() for e in expected]
    gx, gy = tg.meshgrid([x.requires_grad_(), y], indexing="xy")
    (gx * gy).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="indexing must be one of"):
        tg.meshgrid(x, y, indexing="yx")
