"""DataLoader with worker processes, samplers and PyTorch's options.

The batches with workers are those of num_workers=0, in the same order; every
way out of an epoch (its end, an exception in the user's loop, an abandoned
iterator, an error in a worker, a timeout, a dead worker) leaves no process.
"""

import gc
import multiprocessing
import os
import time

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.utils.data import DataLoader, Dataset, TensorDataset, get_worker_info


class Numbers(Dataset):
    """Example i is (tensor [i, i²], i, a dict); ``fail_at`` raises, ``sleep_at`` sleeps."""

    def __init__(self, n, fail_at=None, sleep_at=None, exit_at=None):
        self.n, self.fail_at, self.sleep_at, self.exit_at = n, fail_at, sleep_at, exit_at

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if i == self.fail_at:
            raise ValueError(f"example {i} is broken")
        if i == self.sleep_at:
            time.sleep(3)
        if i == self.exit_at:
            os._exit(3)
        return tg.tensor([float(i), float(i * i)]), i, {"name": f"n{i}"}


def as_lists(batches):
    out = []
    for batch in batches:
        x, i, d = batch
        out.append((x.array.tolist(), i.array.tolist(), d["name"]))
    return out


def no_children():
    gc.collect()
    deadline = time.time() + 10
    while multiprocessing.active_children() and time.time() < deadline:
        time.sleep(0.05)
    return multiprocessing.active_children() == []


@pytest.mark.parametrize("options, num_workers", [
    (dict(batch_size=4), 1),
    (dict(batch_size=3, shuffle=True, drop_last=True), 3),
    (dict(batch_size=2, sampler=[5, 3, 3, 0, 9, 1, 2]), 2),
    (dict(batch_sampler=[[1, 2], [9], [0, 4, 8, 3], [7]]), 3),
])
def test_workers_give_the_batches_of_num_workers_zero_in_the_same_order(options, num_workers):
    tg.manual_seed(0)
    expected = [as_lists(DataLoader(Numbers(10), **options)) for _ in range(2)]
    tg.manual_seed(0)
    loader = DataLoader(Numbers(10), num_workers=num_workers, **options)
    assert [as_lists(loader) for _ in range(2)] == expected
    assert len(loader) == len(expected[0])
    assert no_children()


def test_a_tensor_dataset_with_workers_and_prefetch():
    X, y = tg.randn(37, 3), tg.arange(37)
    tg.manual_seed(1)
    expected = [(a.array, b.array) for a, b in DataLoader(TensorDataset(X, y), 8, shuffle=True)]
    tg.manual_seed(1)
    loader = DataLoader(TensorDataset(X, y), 8, shuffle=True, num_workers=2, prefetch_factor=4,
                        pin_memory=True)
    got = [(a.array, b.array) for a, b in loader]
    assert len(got) == len(expected) == 5
    for (a, b), (c, d) in zip(got, expected):
        np.testing.assert_array_equal(a, c)
        np.testing.assert_array_equal(b, d)
    assert no_children()


def collate_sum(examples):
    return sum(x.array.sum() for x, _, _ in examples)


def test_a_custom_collate_fn_runs_in_the_workers():
    loader = DataLoader(Numbers(6), batch_size=3, num_workers=2, collate_fn=collate_sum)
    assert list(loader) == [0 + 1 + 2 + 0 + 1 + 4, 3 + 4 + 5 + 9 + 16 + 25]


class WhoAmI(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = get_worker_info()
        return tg.tensor([info.id, info.num_workers, os.getpid(), tg.rand(1).item() * 1e6,
                          getattr(info.dataset, "marker", -1)])


def test_worker_info_seeds_init_fn_and_persistent_workers():
    assert get_worker_info() is None
    dataset = WhoAmI()
    dataset.marker = 7.0

    def init(worker_id):
        assert get_worker_info().id == worker_id

    def run():
        tg.manual_seed(3)
        loader = DataLoader(dataset, batch_size=2, num_workers=2, worker_init_fn=init,
                            persistent_workers=True)
        epochs = [np.concatenate([b.array for b in loader]) for _ in range(2)]
        del loader
        return epochs

    first, second = run()
    assert first[:, 0].tolist() == [0, 0, 1, 1, 0, 0, 1, 1]  # batch k comes from worker k % 2
    assert set(first[:, 1]) == {2} and set(first[:, 4]) == {7}
    assert set(first[:, 2]) == set(second[:, 2])  # persistent: the same two processes
    assert len(set(first[:, 2])) == 2 and os.getpid() not in set(first[:, 2])
    assert first[0, 3] != first[2, 3]  # each worker is seeded differently
    np.testing.assert_array_equal(run()[0][:, 3], first[:, 3])  # and reproducibly
    assert no_children()


def test_an_error_in_a_worker_is_raised_in_the_main_process_and_stops_the_workers():
    loader = DataLoader(Numbers(10, fail_at=5), batch_size=2, num_workers=2)
    seen = []
    with pytest.raises(ValueError, match=r"Caught ValueError in DataLoader worker process 0\."
                                         r"(.|\n)*example 5 is broken"):
        for batch in loader:
            seen.append(batch[1].array.tolist())
    assert seen == [[0, 1], [2, 3]]
    assert no_children()


def test_an_exception_in_the_users_loop_leaves_no_process():
    def train():
        for batch in DataLoader(Numbers(40), batch_size=2, num_workers=3):
            if batch[1].array[0] == 4:
                raise KeyboardInterrupt("stop")

    with pytest.raises(KeyboardInterrupt):
        train()
    assert no_children()


def test_an_abandoned_iterator_and_a_deleted_persistent_loader_leave_no_process():
    iterator = iter(DataLoader(Numbers(40), batch_size=2, num_workers=2))
    next(iterator)
    del iterator
    assert no_children()
    loader = DataLoader(Numbers(40), batch_size=2, num_workers=2, persistent_workers=True)
    for _ in zip(range(3), loader):
        pass
    del loader
    assert no_children()


def test_a_timeout_and_a_dead_worker_are_clear_errors():
    loader = DataLoader(Numbers(4, sleep_at=0), batch_size=2, num_workers=1, timeout=0.5)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.5 seconds"):
        list(loader)
    assert no_children()
    loader = DataLoader(Numbers(4, exit_at=2), batch_size=2, num_workers=2)
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+\) exited "
                                           r"unexpectedly"):
        list(loader)
    assert no_children()


def failing_init(worker_id):
    raise OSError("no data directory")


def test_a_failing_worker_init_fn_is_raised():
    with pytest.raises(OSError, match="Caught OSError in DataLoader worker process"):
        list(DataLoader(Numbers(4), num_workers=1, worker_init_fn=failing_init))
    assert no_children()


@pytest.mark.parametrize("kwargs, message", [
    (dict(num_workers=-1), "num_workers option should be non-negative"),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in "
                              "multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
    (dict(sampler=[0, 1], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive "
                                              "with batch_size, shuffle, sampler, and "
                                              "drop_last"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_size=0), "batch_size should be a positive integer value"),
])
def test_invalid_options_are_refused_as_pytorch_refuses_them(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Numbers(3), **kwargs)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DataLoader(list(range(3)), **kwargs)


class TorchNumbers:
    def __init__(self, torch, n):
        self.torch, self.n = torch, n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return self.torch.tensor([float(i), float(i * i)]), i


@pytest.mark.parametrize("options", [
    dict(batch_size=3, sampler=[4, 1, 1, 7, 0]),
    dict(batch_sampler=[[2, 3], [0], [1, 5, 4]]),
    dict(batch_size=4, drop_last=True),
])
def test_batches_and_lengths_match_torchs_with_workers(options):
    torch = pytest.importorskip("torch")
    ours = DataLoader(Numbers(9), num_workers=2, **options)
    theirs = torch.utils.data.DataLoader(TorchNumbers(torch, 9), num_workers=2, **options)
    assert len(ours) == len(theirs)
    got = [(x.array.tolist(), i.array.tolist()) for x, i, _ in ours]
    expected = [(x.tolist(), i.tolist()) for x, i in theirs]
    assert got == expected
    assert no_children()
