"""The Tensor API: creation, dtypes and promotion, conversions, shape ops, indexing, errors."""

import numpy as np
import pytest

import tinygrad_edu as tg

# ----- creation and dtypes ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "dtype"),
    [(1.5, tg.float32), ([1, 2], tg.int64), ([True, False], tg.bool), ([[1.0, 2]], tg.float32)],
)
def test_tensor_infers_pytorch_dtypes(data, dtype):
    assert tg.tensor(data).dtype is dtype


def test_numpy_arrays_keep_their_dtype_and_are_copied():
    a = np.arange(3, dtype=np.float64)
    t = tg.tensor(a)
    a[0] = 99
    assert t.dtype is tg.float64 and t[0].item() == 0.0


def test_from_numpy_shares_memory():
    a = np.zeros(3)
    t = tg.from_numpy(a)
    a[1] = 5
    assert t[1].item() == 5.0


def test_legacy_constructor_is_float32():
    assert tg.Tensor([1, 2]).dtype is tg.float32
    assert tg.Tensor(2, 3).shape == (2, 3)


def test_default_dtype_can_be_float64():
    tg.set_default_dtype(tg.float64)
    try:
        assert tg.tensor(1.0).dtype is tg.float64
        assert tg.zeros(2).dtype is tg.float64
    finally:
        tg.set_default_dtype(tg.float32)
    assert tg.get_default_dtype() is tg.float32
    with pytest.raises(TypeError, match="only float32 or float64"):
        tg.set_default_dtype(tg.int64)


def test_creation_functions():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.ones((4,)).numpy().sum() == 4
    assert tg.full((2,), 7).dtype is tg.int64 and tg.full((2,), 7.0).dtype is tg.float32
    assert tg.arange(5).tolist() == [0, 1, 2, 3, 4] and tg.arange(5).dtype is tg.int64
    assert tg.arange(0, 1, 0.25).tolist() == [0.0, 0.25, 0.5, 0.75]
    assert tg.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert tg.eye(3).numpy().trace() == 3
    assert tg.zeros_like(tg.ones(2, dtype=tg.float64)).dtype is tg.float64
    r = tg.randint(0, 10, (100,))
    assert r.dtype is tg.int64 and 0 <= r.min().item() and r.max().item() < 10


def test_manual_seed_makes_random_tensors_reproducible():
    tg.manual_seed(3)
    a = tg.randn(5)
    tg.manual_seed(3)
    b = tg.randn(5)
    tg.manual_seed(4)
    c = tg.randn(5)
    assert a.equal(b) and not a.equal(c)
    assert tg.rand(1000).numpy().min() >= 0 and tg.rand(1000).numpy().max() < 1


def test_only_floating_tensors_may_require_grad():
    with pytest.raises(RuntimeError, match="Only Tensors of floating point dtype"):
        tg.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        tg.arange(3).requires_grad_()


def test_negative_size_is_rejected():
    with pytest.raises(RuntimeError, match="negative dimension"):
        tg.zeros(2, -1)


# ----- promotion ---------------------------------------------------------------------


def test_python_scalars_never_promote():
    x = tg.tensor([1.0, 2.0])
    assert (x * 2.5).dtype is tg.float32
    assert (x + 1).dtype is tg.float32
    assert (2.0 ** x).dtype is tg.float32
    assert (tg.tensor([1, 2]) * 2).dtype is tg.int64
    assert (tg.tensor([1, 2]) * 2.5).dtype is tg.float32


def test_scalar_operands_keep_the_sign_of_zero_and_nan():
    x = tg.tensor([1.0])
    assert str((x * 0.0).item()) == "0.0" and str((x * -0.0).item()) == "-0.0"
    assert str((x * -0.0).item()) == "-0.0" and str((x * 0.0).item()) == "0.0"
    assert np.isnan((x * float("nan")).item())


def test_float32_with_float64_gives_float64():
    a, b = tg.tensor([1.0]), tg.tensor([1.0], dtype=tg.float64)
    assert (a + b).dtype is tg.float64


def test_integer_true_division_gives_default_float():
    assert (tg.tensor([1, 2]) / tg.tensor([2, 2])).tolist() == [0.5, 1.0]
    assert (tg.tensor([1, 2]) / 2).dtype is tg.float32


def test_zero_dim_tensors_do_not_promote_dimensioned_ones():
    a = tg.tensor([1.0, 2.0])
    assert (a * tg.tensor(2.0, dtype=tg.float64)).dtype is tg.float32
    assert (tg.tensor([1, 2]) * tg.tensor(2.0, dtype=tg.float64)).dtype is tg.float64


def test_promotion_table_matches_pytorch():
    torch = pytest.importorskip("torch")
    names = ["bool", "int32", "int64", "float32", "float64"]
    for left in names:
        for right in names:
            for left_shape, right_shape in [((2,), (2,)), ((2,), ()), ((), (2,))]:
                a = tg.ones(left_shape, dtype=getattr(tg, left))
                b = tg.ones(right_shape, dtype=getattr(tg, right))
                ta = torch.ones(left_shape, dtype=getattr(torch, left))
                tb = torch.ones(right_shape, dtype=getattr(torch, right))
                expected = str((ta * tb).dtype).replace("torch.", "")
                assert (a * b).dtype.name == expected, (left, right, left_shape, right_shape)


# ----- conversions and repr -------------------------------------------------------------


def test_item_tolist_len_iter_bool():
    t = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]] and len(t) == 2
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    assert t[1, 0].item() == 3.0 and isinstance(t[1, 0].item(), float)
    assert t.numel() == 4 and t.size() == (2, 2) and t.size(-1) == 2 and t.ndim == 2
    with pytest.raises(RuntimeError, match="a Tensor with 4 elements cannot be converted"):
        t.item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(t)
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(tg.tensor(1.0))


def test_numpy_of_tensor_requiring_grad_raises_like_pytorch():
    t = tg.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach\\(\\).numpy\\(\\)"):
        t.numpy()
    assert t.detach().numpy().tolist() == [1.0]


@pytest.mark.parametrize(
    "make",
    [
        lambda m: m.tensor([1.0, 2.5, -3.0]),
        lambda m: m.tensor([1.0, 2.0]),
        lambda m: m.tensor(3.5),
        lambda m: m.tensor([1, 2, 3]),
        lambda m: m.tensor([True, False]),
        lambda m: m.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True),
        lambda m: m.tensor([1e-7, 1.0]),
        lambda m: m.tensor([0.5], dtype=m.float64),
    ],
)
def test_repr_matches_pytorch(make):
    torch = pytest.importorskip("torch")
    ours = repr(make(tg)).replace("tinygrad_edu.", "torch.")
    assert ours == repr(make(torch))


def test_repr_shows_grad_fn():
    x = tg.tensor([1.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2.], grad_fn=<MulBackward0>)"


# ----- shape ops ---------------------------------------------------------------------


def test_reshape_view_flatten_squeeze_unsqueeze_permute():
    t = tg.arange(24).reshape(2, 3, 4)
    assert t.view(6, -1).shape == (6, 4) and t.reshape((4, 6)).shape == (4, 6)
    assert t.flatten().shape == (24,) and t.flatten(1).shape == (2, 12)
    assert t.unsqueeze(0).shape == (1, 2, 3, 4) and t.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert tg.zeros(1, 3, 1).squeeze().shape == (3,)
    assert tg.zeros(1, 3, 1).squeeze(0).shape == (3, 1)
    assert t.permute(2, 0, 1).shape == (4, 2, 3) and t.transpose(0, 2).shape == (4, 3, 2)
    assert t.T.shape == (4, 3, 2) and tg.zeros(2, 5).t().shape == (5, 2)
    assert tg.zeros(3, 1).expand(3, 4).shape == (3, 4)
    assert tg.zeros(3, 1).expand(2, -1, 4).shape == (2, 3, 4)


def test_split_and_chunk_sizes_are_pytorchs():
    torch = pytest.importorskip("torch")
    for n, chunks in [(10, 3), (5, 4), (6, 4), (7, 7), (3, 5)]:
        ours = [c.shape[0] for c in tg.arange(n).chunk(chunks)]
        theirs = [c.shape[0] for c in torch.arange(n).chunk(chunks)]
        assert ours == theirs, (n, chunks)
    assert [s.tolist() for s in tg.arange(5).split(2)] == [[0, 1], [2, 3], [4]]
    assert [s.tolist() for s in tg.arange(5).split([1, 4])] == [[0], [1, 2, 3, 4]]


def test_chunk_sizes_without_torch():
    assert [c.shape[0] for c in tg.arange(10).chunk(3)] == [4, 4, 2]
    assert [c.shape[0] for c in tg.arange(6).chunk(4)] == [2, 2, 2]


def test_cat_and_stack():
    a, b = tg.ones(2, 3), tg.zeros(1, 3)
    assert tg.cat([a, b]).shape == (3, 3) and tg.cat([a, a], dim=1).shape == (2, 6)
    assert tg.stack([a, a]).shape == (2, 2, 3) and tg.stack([a, a], dim=-1).shape == (2, 3, 2)


@pytest.mark.parametrize(
    "index",
    [
        (0,), (slice(1, 3),), (None, 0), (Ellipsis, 1), ([0, 2, 2],), ((slice(None), [1, 0]),),
        (0, [0, 2]), ([0, 1], slice(None), [1, 2]), (slice(None), None, 1), (1, slice(None), 2),
    ],
)
def test_indexing_result_shapes_match_pytorch(index):
    torch = pytest.importorskip("torch")
    ours = tg.arange(60).reshape(3, 4, 5)
    theirs = torch.arange(60).reshape(3, 4, 5)
    idx = index[0] if len(index) == 1 else index
    assert ours[idx].tolist() == theirs[idx].tolist()


def test_boolean_mask_and_tensor_indices():
    t = tg.tensor([1.0, -2.0, 3.0, -4.0])
    assert t[t > 0].tolist() == [1.0, 3.0]
    assert t[tg.tensor([3, 0])].tolist() == [-4.0, 1.0]


def test_repeated_indices_accumulate_their_gradients():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_setitem_outside_the_graph():
    t = tg.zeros(3)
    t[1] = 5.0
    t[t == 0] = -1.0
    assert t.tolist() == [-1.0, 5.0, -1.0]
    w = tg.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        w[0] = 1.0  # PyTorch's error: a leaf that requires grad is changed outside no_grad
    assert w.tolist() == [0.0, 0.0]
    with tg.no_grad():
        w[0] = 1.0
    assert w.array[0] == 1.0


# ----- reductions --------------------------------------------------------------------


def test_max_and_min_with_dim_return_values_and_indices():
    t = tg.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = t.max(dim=1)
    assert values.tolist() == [5.0, 7.0] and indices.tolist() == [1, 0]
    result = t.min(0, keepdim=True)
    assert result.values.tolist() == [[1.0, 0.0, 2.0]] and result.indices.tolist() == [[0, 1, 0]]
    assert t.max().item() == 7.0 and t.argmax().item() == 3 and t.argmin(1).tolist() == [0, 1]


def test_reductions_over_tuples_of_dims():
    t = tg.arange(24, dtype=tg.float64).reshape(2, 3, 4)
    np.testing.assert_allclose(t.sum((0, 2)).numpy(), t.array.sum((0, 2)))
    np.testing.assert_allclose(t.mean(-1, keepdim=True).numpy(), t.array.mean(-1, keepdims=True))
    np.testing.assert_allclose(t.var(1).numpy(), t.array.var(1, ddof=1))
    np.testing.assert_allclose(t.std(correction=0).numpy(), t.array.std())
    np.testing.assert_allclose(t.amax((1, 2)).numpy(), t.array.max((1, 2)))


def test_mean_of_integers_is_an_error_like_pytorch():
    with pytest.raises(RuntimeError, match="floating point"):
        tg.arange(3).mean()


def test_logsumexp_and_softmax_are_stable_for_large_values():
    x = tg.tensor([1000.0, 1000.0, -1000.0])
    assert abs(x.logsumexp(0).item() - (1000 + np.log(2))) < 1e-3
    np.testing.assert_allclose(x.softmax(0).numpy(), [0.5, 0.5, 0.0])
    assert np.isfinite(x.log_softmax(0).numpy()).all()


# ----- matmul --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
     ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (6, 3, 4)), ((3,), (5, 3, 4))],
)
def test_matmul_shapes_values_and_gradients(a_shape, b_shape):
    rng = np.random.default_rng(0)
    a = tg.tensor(rng.standard_normal(a_shape), requires_grad=True)
    b = tg.tensor(rng.standard_normal(b_shape), requires_grad=True)
    np.testing.assert_allclose((a @ b).array, a.array @ b.array)
    assert tg.autograd.gradcheck(lambda x, y: x @ y, (a, b))


def test_mm_dot_outer():
    a = tg.tensor([1.0, 2.0])
    assert a.dot(a).item() == 5.0
    assert tg.outer(a, a).tolist() == [[1.0, 2.0], [2.0, 4.0]]
    assert tg.mm(tg.eye(2), tg.ones(2, 3)).shape == (2, 3)


# ----- bad input: a clear error that names the problem ----------------------------------


def test_binary_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"\(2, 3\) and \(4,\) cannot be broadcast"):
        tg.ones(2, 3) + tg.ones(4)


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"shapes \(2, 3\) and \(4, 5\) cannot be multiplied"):
        tg.ones(2, 3) @ tg.ones(4, 5)
    with pytest.raises(RuntimeError, match="at least 1D"):
        tg.tensor(1.0) @ tg.ones(2)


def test_reshape_to_incompatible_size():
    with pytest.raises(RuntimeError, match=r"shape '\[4, 4\]' is invalid for input of size 6"):
        tg.ones(2, 3).reshape(4, 4)


def test_dim_out_of_range():
    expected = r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 2\)"
    with pytest.raises(IndexError, match=expected):
        tg.ones(2, 3).sum(2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        tg.ones(2, 3).softmax(-3)


def test_index_out_of_bounds_names_the_shape():
    with pytest.raises(IndexError, match=r"out of bounds.*shape \(3,\)"):
        tg.ones(3)[5]
    with pytest.raises(IndexError, match="out of bounds"):
        tg.ones(3)[tg.tensor([0, 7])]


def test_unsupported_operand_type():
    with pytest.raises(TypeError, match="unsupported operand of type str; expected a Tensor"):
        tg.ones(2) + "a"
    with pytest.raises(TypeError, match="unsupported operand of type list"):
        tg.ones(2) * [1, 2]


def test_failed_inplace_op_changes_nothing():
    t = tg.ones(2, 3)
    before = t.numpy().copy()
    with pytest.raises(RuntimeError, match=r"output with shape \(2, 3\)"):
        t.add_(tg.ones(4))
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.arange(3).add_(0.5)
    np.testing.assert_array_equal(t.numpy(), before)


def test_float_index_tensor_is_rejected():
    with pytest.raises(IndexError, match="tensors used as indices must be long"):
        tg.ones(3)[tg.tensor([0.0])]
