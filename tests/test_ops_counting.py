"""isclose, unique, bincount, histc, histogram (ops/counting.py): values, dtypes, errors.
PyTorch comparison: test_ops_torch_everyday.py."""

import numpy as np
import pytest

import tinygrad_edu as tg


def test_isclose():
    a = tg.tensor([1.0, float("nan"), 2.0, 1e-9])
    b = tg.tensor([1.0 + 1e-7, float("nan"), 2.1, 0.0])
    assert tg.isclose(a, b).tolist() == [True, False, False, True]
    assert a.isclose(b, equal_nan=True).tolist() == [True, True, False, True]
    assert a.isclose(b, rtol=0.1).tolist() == [True, False, True, True]
    assert tg.isclose(a, 1.0).dtype == tg.bool
    with pytest.raises(RuntimeError, match="Long did not match Float"):
        tg.isclose(tg.tensor([1]), tg.tensor([1.0]))


def test_unique():
    x = tg.tensor([3, 1, 3, 2])
    assert tg.unique(x).tolist() == [1, 2, 3]
    values, inverse, counts = x.unique(return_inverse=True, return_counts=True)
    assert inverse.tolist() == [2, 0, 2, 1] and counts.tolist() == [1, 1, 2]
    assert inverse.dtype == counts.dtype == tg.int64
    rows = tg.tensor([[1, 2], [0, 5], [1, 2]]).unique(dim=0)
    assert rows.tolist() == [[0, 5], [1, 2]]


def test_bincount():
    x = tg.tensor([1, 1, 3])
    assert tg.bincount(x).tolist() == [0, 2, 0, 1] and tg.bincount(x).dtype == tg.int64
    assert x.bincount(minlength=6).tolist() == [0, 2, 0, 1, 0, 0]
    weighted = tg.bincount(x, weights=tg.tensor([0.5, 1.0, 2.0]))
    assert weighted.tolist() == [0.0, 1.5, 0.0, 2.0] and weighted.dtype == tg.float32
    assert tg.bincount(tg.tensor([], dtype=tg.int64)).shape == (0,)


def test_histc():
    x = tg.tensor([1.0, 2.0, 1.0, 3.0, -1.0])
    assert tg.histc(x, bins=4, min=0, max=3).tolist() == [0, 2, 1, 1]  # 3 is in the last bin
    assert x.histc(bins=4).tolist() == [1, 0, 2, 2]  # min = max = 0: the data's own range
    assert tg.histc(tg.tensor([5.0, 5.0]), bins=2).tolist() == [0, 2]  # widened to [4, 6]
    assert tg.histc(x.double(), 3).dtype == tg.float64
    assert np.sum(tg.histc(tg.randn(1000)).numpy()) == 1000


def test_histogram():
    x = tg.tensor([1.0, 2.0, 1.0])
    hist, edges = tg.histogram(x, bins=4, range=(0.0, 3.0))
    assert hist.tolist() == [0, 2, 1, 0] and edges.tolist() == [0, 0.75, 1.5, 2.25, 3]
    assert x.histogram(tg.tensor([0.0, 1.0, 2.5, 3.0])).hist.tolist() == [0, 3, 0]
    density = tg.histogram(x, 4, range=(0.0, 3.0), density=True).hist
    assert np.isclose((density * 0.75).sum().item(), 1.0)
    weighted = tg.histogram(x, 4, weight=tg.tensor([1.0, 2.0, 4.0])).hist
    assert weighted.tolist() == [5, 0, 0, 2]


ERRORS = [
    (lambda: tg.bincount(tg.tensor([-1])), RuntimeError, "1-d non-negative integral inputs"),
    (lambda: tg.bincount(tg.tensor([[1]])), RuntimeError, "1-d non-negative integral inputs"),
    (lambda: tg.bincount(tg.tensor([1.0])), NotImplementedError, "bincount_cpu.*Float"),
    (lambda: tg.bincount(tg.tensor([1, 2]), weights=tg.ones(3)), RuntimeError,
     "same length as input"),
    (lambda: tg.histc(tg.tensor([1, 2]), bins=4), NotImplementedError, "histogram_cpu.*Long"),
    (lambda: tg.histc(tg.tensor([1.0]), bins=0), RuntimeError, "bins must be > 0"),
    (lambda: tg.histc(tg.tensor([1.0]), min=2, max=1), RuntimeError, "max must be larger than min"),
    (lambda: tg.histogram(tg.tensor([1]), bins=2), NotImplementedError, "histogram_cpu.*Long"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    fn, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        fn()
