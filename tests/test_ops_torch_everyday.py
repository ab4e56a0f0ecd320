"""PyTorch as the oracle for the everyday tensor API of tutorials (issue 12): the same
calls give the same values, dtypes, gradients and error types. Skipped without torch."""

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(12)
POS = RNG.uniform(0.3, 2.0, (3, 4))
SIGNED = RNG.uniform(-2.0, 2.0, (2, 3, 4))
WITH_ZEROS = np.array([[2.0, 0.0, 3.0, -1.5], [0.0, 0.0, 5.0, 2.0], [1.5, -2.0, 0.5, 3.0]])


def run_both(fn, *arrays, rtol=1e-10):
    """fn on our tensors and on torch's (float64): values, dtypes and gradients agree."""
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = fn(tg, *ours), fn(torch, *theirs)
    assert str(out.dtype).split(".")[-1] == str(expected.dtype).split(".")[-1]
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=rtol,
                               atol=1e-12)
    if not expected.requires_grad:
        return
    upstream = RNG.standard_normal(tuple(expected.shape))
    out.backward(tg.tensor(upstream))
    expected.backward(torch.tensor(upstream))
    for x, t in zip(ours, theirs):
        if t.grad is None:
            assert x.grad is None or not x.grad.numpy().any()
            continue
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-12)


def same_values(fn, *arrays):
    """fn on our tensors and torch's (no grad): values and dtype agree exactly."""
    out = fn(tg, *[tg.tensor(a) for a in arrays])
    expected = fn(torch, *[torch.tensor(a) for a in arrays])
    outs, expecteds = (out, expected) if isinstance(out, tuple) else ((out,), (expected,))
    for o, e in zip(outs, expecteds):
        assert str(o.dtype).split(".")[-1] == str(e.dtype).split(".")[-1], (o.dtype, e.dtype)
        assert o.shape == tuple(e.shape)
        np.testing.assert_allclose(o.numpy(), e.numpy(), rtol=1e-6, atol=1e-12)


def same_error(fn, *arrays):
    """fn raises the same exception type in both; returns our message."""
    with pytest.raises(Exception) as theirs:
        fn(torch, *[torch.tensor(a) for a in arrays])
    with pytest.raises(theirs.type) as ours:
        fn(tg, *[tg.tensor(a) for a in arrays])
    return str(ours.value)


POINTWISE = {
    "log10_log2": (lambda m, a: a.log10() + m.log2(a), POS),
    "exp2_expm1": (lambda m, x: x.exp2() * m.expm1(x), SIGNED),
    "tan_atan": (lambda m, a: m.tan(a * 0.5) + a.atan() + m.arctan(a), POS),
    "rounding": (lambda m, x: x.floor() + m.ceil(x) + x.trunc() + m.round(x) + x.frac(), SIGNED),
    "round_decimals": (lambda m, x: m.round(x, decimals=2) + x.round(decimals=-1), SIGNED * 50),
    "remainder_fmod": (lambda m, x, d: x % d + m.remainder(x, 1.3) + m.fmod(x, d),
                       SIGNED * 3, SIGNED[1] + 2.7),
    "div_rounding": (lambda m, x, d: m.div(x, d, rounding_mode="floor")
                     + x.div(d, rounding_mode="trunc"), SIGNED * 3, POS + 0.1),
    "clamp_min_max": (lambda m, x: x.clamp_min(-0.5) + m.clamp_max(x, 0.7), SIGNED),
}

REDUCTIONS = {
    "aliases": (lambda m, x: x.sum(axis=(0, 2), keepdims=True).sum() + m.mean(x, axis=1)
                + x.amax(axis=1) + m.amin(x, axis=1, keepdims=False)
                + x.logsumexp(axis=1) + x.max(axis=1).values + m.min(x, axis=1)[0], SIGNED),
    "var_std_unbiased": (lambda m, x: x.std(1, True) + x.std(1, False) + m.var(x, 1, True, False)
                         + x.var(True) + x.std(unbiased=False) + x.var(axis=1, unbiased=False),
                         SIGNED),
    "prod": (lambda m, x: x.prod() + x.prod(1).sum() + m.prod(x, 0, keepdim=True).sum(),
             WITH_ZEROS),
    "prod_no_zeros": (lambda m, x: x.prod(-1) + m.prod(x, axis=-1), SIGNED),
}


@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_like_torch(name):
    fn, *arrays = POINTWISE[name]
    run_both(fn, *arrays)


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reductions_like_torch(name):
    fn, *arrays = REDUCTIONS[name]
    run_both(fn, *arrays)


INTEGER_VALUES = {
    "floor_divide": (lambda m, a, b: (a // b, m.floor_divide(a, 3), 7 // b, a // 2.5),
                     np.array([-7, 7, -8, 8]), np.array([2, -2, 3, -3])),
    "remainder": (lambda m, a, b: (a % b, m.remainder(a, -3), 7 % b, m.fmod(a, b)),
                  np.array([-7, 7, -8, 8]), np.array([2, -2, 3, -3])),
    "div_rounding": (lambda m, a, b: (m.div(a, b, rounding_mode="trunc"),
                                      a.div(b, rounding_mode="floor"), m.div(a, b)),
                     np.array([-7, 7, -8, 8]), np.array([2, -2, 3, -3])),
    "float_functions_of_ints": (lambda m, a: (a.log10(), m.exp2(a), a.expm1(), m.log2(a),
                                              a.floor(), m.round(a), a.trunc()),
                                np.array([1, 2, 30])),
    "all_any": (lambda m, a: (a.all(), m.any(a, 0), a.all(dim=1, keepdim=True), a.any(axis=1)),
                np.array([[1, 0, 2], [3, 4, 5]])),
    "prod_int": (lambda m, a: (a.prod(), a.prod(0), m.prod(a, 1, keepdim=True)),
                 np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)),
    "argmax_alias": (lambda m, x: (x.argmax(axis=1), m.argmin(x, axis=0, keepdims=True)),
                     SIGNED),
    "sum_dtype": (lambda m, a: (a.sum(dtype=m.float64), a.mean(dtype=m.float32)),
                  np.array([[1, 2], [3, 4]])),
}


@pytest.mark.parametrize("name", sorted(INTEGER_VALUES))
def test_values_and_dtypes_like_torch(name):
    fn, *arrays = INTEGER_VALUES[name]
    same_values(fn, *arrays)


def test_format_like_torch():
    for value in (0.123456, 3.0, -2.5e-7):
        assert f"{tg.tensor(value):.4f}" == f"{torch.tensor(value):.4f}"
        assert f"{tg.tensor(value):>10.2e}" == f"{torch.tensor(value):>10.2e}"
    assert f"{tg.tensor(7):04d}" == f"{torch.tensor(7):04d}"
    with pytest.raises(TypeError):
        format(torch.tensor([1.5]), ".4f")
    assert tg.ones(2, 3).nelement() == torch.ones(2, 3).nelement()


ERRORS = {
    "integer_floor_divide_by_zero": (lambda m, a: a // m.tensor([1, 0]), np.array([1, 2])),
    "integer_remainder_by_zero": (lambda m, a: a % 0, np.array([1, 2])),
    "frac_of_long": (lambda m, a: a.frac(), np.array([1, 2])),
    "round_decimals_of_long": (lambda m, a: a.round(decimals=1), np.array([1, 2])),
    "bad_rounding_mode": (lambda m, a: a.div(2, rounding_mode="up"), np.array([1.0])),
    "prod_of_a_tuple_of_dims": (lambda m, a: a.prod((0, 1)), POS),
    "dim_and_axis": (lambda m, a: a.sum(dim=0, axis=0), POS),
    "unbiased_and_correction": (lambda m, a: a.var(0, unbiased=True, correction=1), POS),
    "format_of_a_vector": (lambda m, a: format(a, ".2f"), POS),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_like_torch(name):
    fn, *arrays = ERRORS[name]
    same_error(fn, *arrays)


def test_floor_divide_backward_raises_like_torch():
    for m in (tg, torch):
        a = m.tensor([1.5, 2.5], requires_grad=True)
        with pytest.raises(RuntimeError, match="derivative for aten::floor_divide"):
            (a // 2).sum().backward()


INDEX = np.array([[0, 3], [2, 2], [1, 0]])
MASK = np.array([[True, False, False, True], [False, False, True, False],
                 [True, True, False, False]])


def _index(m, array=INDEX):
    return m.tensor(array)


INDEXING = {
    "gather": (lambda m, a: a.gather(1, _index(m)).sum()
               + m.gather(a, 0, _index(m, np.array([[0, 2, 1, 2], [2, 0, 0, 1]]))), POS),
    "scatter": (lambda m, a, s: a.scatter(1, _index(m, np.array([[0, 3], [2, 1], [1, 0]])), s)
                + m.scatter(a, 0, _index(m, np.array([[2, 0, 1, 1]])), 1.5), POS, POS[:, :2]),
    "scatter_add": (lambda m, a, s, t: a.scatter_add(1, _index(m), s)
                    + m.scatter_add(a, 0, _index(m, np.array([[2, 2, 0, 1]])), t),
                    POS, SIGNED[0, :, :2], SIGNED[1, :1]),
    "index_select": (lambda m, a: a.index_select(1, m.tensor([3, 0, 3]))
                     + m.index_select(a, 0, m.tensor([2, 2, 1])).sum(0)[:3], POS),
    "take_along_dim": (lambda m, a: m.take_along_dim(a, a.argmax(1, keepdim=True), 1)
                       + a.take_along_dim(m.tensor([[1], [0], [2]]), dim=1), POS),
    "masked_fill": (lambda m, a: a.masked_fill(m.tensor(MASK), -2.0)
                    + m.masked_fill(a, m.tensor(MASK[0]), 0.5), POS),
}


@pytest.mark.parametrize("name", sorted(INDEXING))
def test_indexing_like_torch(name):
    fn, *arrays = INDEXING[name]
    run_both(fn, *arrays)


def test_masked_fill_value_gradient_and_in_place_ops_like_torch():
    results = []
    for m in (tg, torch):
        value = m.tensor(0.5, dtype=m.float64, requires_grad=True)
        base = m.tensor(POS, requires_grad=True)
        h = base * 2
        h.masked_fill_(m.tensor(MASK), value)
        h.scatter_add_(1, m.tensor(INDEX), m.ones(3, 2, dtype=m.float64))
        h.scatter_(0, m.tensor([[1, 2, 0, 1]]), 7.0)
        (h * m.tensor(SIGNED[0])).sum().backward()
        results.append((h.detach().numpy().copy(), value.grad.numpy(), base.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


INDEX_ERRORS = {
    "gather_float_index": (lambda m, a: a.gather(1, m.tensor([[0.0]])), POS),
    "gather_out_of_bounds": (lambda m, a: a.gather(1, m.tensor([[0, 9]])), POS),
    "gather_wrong_ndim": (lambda m, a: a.gather(1, m.tensor([0])), POS),
    "gather_bad_dim": (lambda m, a: a.gather(2, m.tensor([[0]])), POS),
    "scatter_small_src": (lambda m, a: a.scatter(1, m.tensor([[0, 1]]), m.ones(1, 1)), POS),
    "index_select_matrix": (lambda m, a: a.index_select(0, m.tensor([[0]])), POS),
    "index_select_out_of_range": (lambda m, a: a.index_select(0, m.tensor([3])), POS),
    "masked_fill_long_mask": (lambda m, a: a.masked_fill(m.tensor([1, 0, 1, 0]), 0.0), POS),
    "masked_fill_vector_value": (lambda m, a: a.masked_fill(m.tensor(MASK), m.ones(2)), POS),
}


@pytest.mark.parametrize("name", sorted(INDEX_ERRORS))
def test_indexing_errors_like_torch(name):
    fn, *arrays = INDEX_ERRORS[name]
    same_error(fn, *arrays)


DISTINCT = RNG.permutation(24).reshape(2, 3, 4) / 7.0 - 1.5  # no ties: one sorted order
SHAPE_OPS = {
    "sort": (lambda m, x: x.sort(-1).values + m.sort(x, dim=0, descending=True)[0].sum(0),
             DISTINCT),
    "topk": (lambda m, x: x.topk(2).values.sum(-1) + m.topk(x, 2, dim=1, largest=False)[0].sum(),
             DISTINCT),
    "cumsum_cumprod": (lambda m, x: x.cumsum(1) + m.cumprod(x, -1) + x.cumprod(dim=0), WITH_ZEROS),
    "repeat": (lambda m, x: x.repeat(2, 1, 3).sum(0) * 1.0, SIGNED),
    "flip_roll": (lambda m, x: x.flip(0, 2) + m.roll(x, (1, -2), (1, 2)) + m.roll(x, 3), SIGNED),
    "narrow_unbind": (lambda m, x: x.narrow(2, 1, 2).sum(-1) + m.stack(x.unbind(1), 1)[..., :3]
                      .sum(-1), SIGNED),
    "tril_triu": (lambda m, x: x.tril() + m.triu(x, diagonal=1) * 2 + x.tril(-1) + m.tril(x, 2),
                  SIGNED),
    "diag_trace": (lambda m, a, r: m.diag(a, 1).sum() + a.diag(-1) * 2 + m.trace(a)
                   + m.diag(r, -1).sum(0)[:2], POS, POS[0]),
    "ravel": (lambda m, x: x.ravel() * 1.0, SIGNED),
}


@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
def test_sorting_scans_and_shape_ops_like_torch(name):
    fn, *arrays = SHAPE_OPS[name]
    run_both(fn, *arrays)


SORT_VALUES = {
    "sort_ties": (lambda m, x: tuple(x.sort(stable=True))
                  + tuple(x.sort(dim=0, descending=True, stable=True)),
                  np.array([[3.0, 1.0, 2.0, 1.0], [0.0, 5.0, 5.0, -1.0]])),
    "argsort": (lambda m, x: (x.argsort(), m.argsort(x, dim=0, descending=True, stable=True)),
                np.array([[3, 1, 2, 1], [0, 5, 5, -1]])),
    "topk_ties": (lambda m, x: tuple(x.topk(2)) + tuple(m.topk(x, 2, largest=False)),
                  np.array([[3.0, 1.0, 2.0, 1.0], [0.0, 5.0, 5.0, -1.0]])),
    "scans_of_ints": (lambda m, x: (x.cumsum(0), m.cumprod(x, 1), x.cumsum(1, dtype=m.float64)),
                      np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)),
    "tril_of_ints": (lambda m, x: (x.tril(), m.triu(x, -1), x.repeat(2, 1), m.flip(x, [1])),
                     np.array([[1, 2, 3], [4, 5, 6]])),
}


@pytest.mark.parametrize("name", sorted(SORT_VALUES))
def test_sort_and_shape_values_like_torch(name):
    fn, *arrays = SORT_VALUES[name]
    same_values(fn, *arrays)


SHAPE_ERRORS = {
    "topk_too_many": (lambda m, x: x.topk(5), POS),
    "repeat_too_few": (lambda m, x: x.repeat(2), POS),
    "narrow_too_long": (lambda m, x: x.narrow(1, 3, 2), POS),
    "tril_of_vector": (lambda m, x: x[0].tril(), POS),
    "diag_of_3d": (lambda m, x: m.diag(x), SIGNED),
    "cumsum_bad_dim": (lambda m, x: x.cumsum(3), SIGNED),
    "flip_bad_dim": (lambda m, x: x.flip(3), SIGNED),
}


@pytest.mark.parametrize("name", sorted(SHAPE_ERRORS))
def test_sort_and_shape_errors_like_torch(name):
    fn, *arrays = SHAPE_ERRORS[name]
    same_error(fn, *arrays)


DATA = RNG.standard_normal(50)
COUNTING = {
    "isclose": (lambda m, a, b: (m.isclose(a, b), a.isclose(b, rtol=0.3, atol=0.1),
                                 m.isclose(a, a + 1e-9)), POS, POS * 1.2),
    "unique": (lambda m, a: m.unique(a, return_inverse=True, return_counts=True),
               np.array([3, 1, 3, 2, 1, 1])),
    "unique_rows": (lambda m, a: a.unique(dim=0), np.array([[1, 2], [0, 5], [1, 2]])),
    "bincount": (lambda m, a, w: (m.bincount(a), a.bincount(minlength=9), m.bincount(a, w)),
                 np.array([1, 1, 3, 0, 6]), np.array([0.5, 1.0, 2.0, 3.0, 4.0])),
    "histc": (lambda m, x: (m.histc(x), x.histc(bins=7, min=-1, max=1), m.histc(x, 5, 0, 0)),
              DATA),
    "histogram": (lambda m, x: tuple(m.histogram(x, bins=6)) + tuple(
        x.histogram(5, range=(-1.0, 1.0), density=True)), DATA),
    "histogram_edges_weights": (lambda m, x, e: tuple(m.histogram(x, e, weight=x.abs())),
                                DATA, np.array([-3.0, -0.5, 0.0, 0.25, 3.0])),
}


@pytest.mark.parametrize("name", sorted(COUNTING))
def test_counting_like_torch(name):
    fn, *arrays = COUNTING[name]
    same_values(fn, *arrays)


COUNTING_ERRORS = {
    "isclose_dtypes": (lambda m, a: m.isclose(a, a.float()), POS),
    "bincount_negative": (lambda m, a: m.bincount(a - 5), np.array([1, 2])),
    "bincount_float": (lambda m, a: m.bincount(a), np.array([1.0])),
    "histc_long": (lambda m, a: m.histc(a), np.array([1, 2])),
    "histc_no_bins": (lambda m, a: m.histc(a, bins=0), POS),
}


@pytest.mark.parametrize("name", sorted(COUNTING_ERRORS))
def test_counting_errors_like_torch(name):
    fn, *arrays = COUNTING_ERRORS[name]
    same_error(fn, *arrays)


EINSUM = {
    "matmul_and_batched": (lambda m, x, w: m.einsum("bij,jk->bik", x, w)
                           + m.einsum("...j,jk", x, w), SIGNED, POS.T),
    "attention_scores": (lambda m, x: m.einsum("bqd,bkd->bqk", x, x * 2), SIGNED),
    "diagonal_trace_outer": (lambda m, a, r: m.einsum("ii->i", a[:, :3]).sum()
                             + m.einsum("ii", a[:, :3]) + m.einsum("i,j->ij", r, r), POS, POS[0]),
    "sum_away": (lambda m, x: m.einsum("bij->j", x) + m.einsum("bij,bij->j", x, x), SIGNED),
}


@pytest.mark.parametrize("name", sorted(EINSUM))
def test_einsum_like_torch(name):
    fn, *arrays = EINSUM[name]
    run_both(fn, *arrays)


def test_einsum_errors_like_torch():
    same_error(lambda m, a: m.einsum("ij,jk->ik", a, a), POS)
    same_error(lambda m, a: m.einsum("ij,jk->ik", a), POS)
    same_error(lambda m, a: m.einsum("i,i->", a, a.float()), POS[0])
    same_error(lambda m, a: m.einsum("ij->i", a[0]), POS)


def test_out_and_keyword_names_like_torch():
    results = []
    for m in (tg, torch):
        a, b = m.tensor(POS), m.tensor(POS.T.copy())
        outs = [m.empty(0, dtype=m.float64) for _ in range(4)]
        m.add(a, a, alpha=0.5, out=outs[0])
        m.matmul(input=a, other=b, out=outs[1])
        m.mul(a, 2, out=outs[2])
        m.bmm(a.unsqueeze(0), b.unsqueeze(0), out=outs[3])
        results.append([o.numpy().copy() for o in outs] + [m.mm(input=a, mat2=b).numpy()])
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    same_error(lambda m, a: m.mul(a, 2.5, out=m.zeros(2, dtype=m.int64)), np.array([1, 2]))
    same_error(lambda m, a: m.add(a.requires_grad_(), 1, out=m.empty(2)), np.array([1.0, 2.0]))
    same_error(lambda m, a: m.bmm(a, a), POS)


MORE = {
    "logical": (lambda m, x: (m.eq(x, 0.5), m.less(x, 0), x.greater_equal(1), m.logical_and(
        x > 0, x < 1), m.logical_xor(x > 0, x < 1), m.isinf(x / 0), m.signbit(x),
        m.nonzero(x > 0.5), m.argwhere(x < 0), m.count_nonzero(x > 0, dim=1)), SIGNED[0]),
    "shape_extras": (lambda m, x: (m.tile(x, (2, 1)), x.repeat_interleave(2, dim=0),
                                   m.repeat_interleave(x, m.tensor([1, 0, 2]), dim=0),
                                   m.movedim(x, 0, 1), x.swapaxes(0, 1), x.diagonal(1),
                                   m.broadcast_to(x[0], (2, 4))) + m.meshgrid(
        x[0], x[1], indexing="xy") + m.meshgrid(x[0], x[1, :2], indexing="ij"), SIGNED[0]),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_logical_and_shape_extras_like_torch(name):
    fn, *arrays = MORE[name]
    same_values(fn, *arrays)


def test_masked_select_and_repeat_interleave_gradients_like_torch():
    run_both(lambda m, x: m.masked_select(x, m.tensor(MASK)) * 2.0, POS)
    run_both(lambda m, x: x.repeat_interleave(m.tensor([2, 0, 1]), dim=0)
             + m.repeat_interleave(x, 3, dim=0)[:3], POS)


def test_median_and_moments_like_torch():
    run_both(lambda m, x: x.median() + m.median(x, 1).values.sum() + x.median(0, True)[0].sum(),
             DISTINCT[0])
    run_both(lambda m, x: m.std_mean(x, 1)[0] + m.var_mean(x, dim=1, unbiased=False)[1]
             + m.nansum(x) + m.nanmean(x, dim=1), SIGNED[0])
    same_values(lambda m, x: m.median(x, dim=0), np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 5.0]]))
