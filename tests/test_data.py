"""utils.data: TensorDataset, DataLoader (epochs, batch sizes, seeding, collation), random_split."""

from collections import namedtuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def numbered_dataset(n, features=3):
    """Row i of X holds i, i + 0.5, ...; y[i] = i: each batch says which examples it holds."""
    X = tg.tensor(np.arange(n)[:, None] + 0.5 * np.arange(features), dtype=tg.float32)
    return TensorDataset(X, tg.arange(n))


class SquaresDataset(Dataset):
    """A plain map-style data set, batched through the default collate (no fast path)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, index):
        return tg.tensor([float(index), float(index) ** 2]), index

    def __len__(self):
        return self.n


def test_tensor_dataset_pairs_rows():
    X, y = tg.randn(5, 2), tg.arange(5)
    dataset = TensorDataset(X, y)
    assert len(dataset) == 5
    x3, y3 = dataset[3]
    assert x3.array.tolist() == X.array[3].tolist() and y3.item() == 3


def test_tensor_dataset_of_different_lengths_is_refused():
    with pytest.raises(ValueError, match="Size mismatch between tensors: .*tensor 0 has 4, "
                                         "tensor 1 has 3"):
        TensorDataset(tg.zeros(4, 2), tg.zeros(3))
    with pytest.raises(TypeError, match="argument 1 is a list, not a Tensor"):
        TensorDataset(tg.zeros(4, 2), [1, 2, 3, 4])


@given(n=st.integers(1, 40), batch_size=st.integers(1, 12), shuffle=st.booleans(),
       drop_last=st.booleans(), fast=st.booleans())
def test_one_epoch_sees_every_example_once(n, batch_size, shuffle, drop_last, fast):
    dataset = numbered_dataset(n) if fast else SquaresDataset(n)
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=shuffle, drop_last=drop_last)
    batches = list(loader)
    assert len(batches) == len(loader)
    sizes = [len(b[1]) for b in batches]
    full, rest = divmod(n, batch_size)
    assert sizes == [batch_size] * full + ([rest] if rest and not drop_last else [])
    seen = np.concatenate([b[1].array for b in batches]) if batches else np.array([])
    if drop_last:
        assert len(set(seen.tolist())) == len(seen) == full * batch_size
    else:
        assert sorted(seen.tolist()) == list(range(n))
    if not shuffle:
        assert seen.tolist() == list(range(len(seen)))
    for X, y in batches:  # rows stay paired with their labels
        first_column = X.array[:, 0]
        np.testing.assert_array_equal(first_column, y.array)


def test_batches_have_the_right_shapes_and_dtypes():
    X, y = next(iter(DataLoader(numbered_dataset(10), batch_size=4)))
    assert X.shape == (4, 3) and X.dtype == tg.float32
    assert y.shape == (4,) and y.dtype == tg.int64
    xs, ys = next(iter(DataLoader(SquaresDataset(10), batch_size=4)))
    assert xs.shape == (4, 2) and xs.dtype == tg.float32
    assert ys.array.tolist() == [0, 1, 2, 3] and ys.dtype == tg.int64


def test_same_seed_same_order_other_seed_other_order():
    def epoch_order(seed):
        tg.manual_seed(seed)
        loader = DataLoader(numbered_dataset(50), batch_size=8, shuffle=True)
        return [int(i) for _, y in loader for i in y.array]

    assert epoch_order(3) == epoch_order(3)
    assert epoch_order(3) != epoch_order(4)
    assert sorted(epoch_order(3)) == list(range(50))


def test_each_epoch_is_reshuffled_and_a_generator_argument_is_used():
    loader = DataLoader(numbered_dataset(30), batch_size=30, shuffle=True,
                        generator=tg.Generator().manual_seed(7))
    first, second = (next(iter(loader))[1].array.tolist() for _ in range(2))
    assert first != second
    # the loader draws its base seed from the generator, then the permutation
    generator = tg.Generator().manual_seed(7)
    generator.random64(1)
    assert first == tg.randperm(30, generator=generator).tolist()


def test_fast_path_gives_the_same_batches_as_stacking_examples():
    dataset = numbered_dataset(23)
    fast = DataLoader(dataset, batch_size=5, shuffle=True, generator=tg.Generator().manual_seed(1))
    slow = DataLoader(dataset, batch_size=5, shuffle=True, generator=tg.Generator().manual_seed(1),
                      collate_fn=lambda batch: default_collate(batch))
    for (fast_X, fast_y), (slow_X, slow_y) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(fast_X.array, slow_X.array)
        np.testing.assert_array_equal(fast_y.array, slow_y.array)
        assert fast_X.dtype == slow_X.dtype and fast_y.dtype == slow_y.dtype


def test_tensors_that_require_grad_keep_their_graph_in_a_batch():
    X = tg.randn(6, 2, requires_grad=True)
    (batch,) = next(iter(DataLoader(TensorDataset(X), batch_size=6)))
    assert batch.requires_grad
    (batch * 2).sum().backward()
    assert X.grad.array.tolist() == [[2.0, 2.0]] * 6


@pytest.mark.parametrize("batch_size", [0, -3, 2.5, True])
def test_batch_size_below_one_or_not_an_int_is_refused(batch_size):
    with pytest.raises(ValueError, match=f"batch_size should be a positive integer value, "
                                         f"but got batch_size={batch_size}"):
        DataLoader(numbered_dataset(4), batch_size=batch_size)


def test_default_collate_numbers_tuples_dicts_and_namedtuples():
    assert default_collate([1.5, 2.0]).dtype == tg.float64
    assert default_collate([1, 2]).dtype == tg.int64
    assert default_collate([True, False]).dtype == tg.bool
    collated = default_collate([(np.zeros(2, np.float32), 1), (np.ones(2, np.float32), 0)])
    assert isinstance(collated, tuple) and collated[0].shape == (2, 2)
    assert collated[1].array.tolist() == [1, 0]
    as_dict = default_collate([{"x": 1.0, "name": "a"}, {"x": 2.0, "name": "b"}])
    assert as_dict["x"].array.tolist() == [1.0, 2.0] and as_dict["name"] == ["a", "b"]
    Pair = namedtuple("Pair", "x y")
    pair = default_collate([Pair(1, 2.0), Pair(3, 4.0)])
    assert type(pair) is Pair and pair.x.array.tolist() == [1, 3]
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        default_collate([(1, 2), (3,)])
    with pytest.raises(TypeError, match="found object"):
        default_collate([object()])


def test_random_split_partitions_the_data_and_is_seeded():
    dataset = numbered_dataset(10)
    tg.manual_seed(0)
    train, test = random_split(dataset, [7, 3])
    assert isinstance(train, Subset) and (len(train), len(test)) == (7, 3)
    assert sorted(train.indices + test.indices) == list(range(10))
    tg.manual_seed(0)
    assert random_split(dataset, [7, 3])[0].indices == train.indices
    thirds = random_split(dataset, [1 / 3, 1 / 3, 1 / 3])
    assert [len(s) for s in thirds] == [4, 3, 3]  # PyTorch gives the remainder to the first
    X, y = next(iter(DataLoader(test, batch_size=3)))  # a Subset of a TensorDataset
    assert y.array.tolist() == test.indices and X.array[:, 0].tolist() == test.indices
    with pytest.raises(ValueError, match=r"Sum of input lengths \(9\) does not equal the "
                                         r"length of the input dataset \(10\)"):
        random_split(dataset, [5, 4])
