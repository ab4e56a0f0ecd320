"""randperm: PyTorch's two Fisher–Yates shuffles, vectorised, against their loops and PyTorch.

The loops (``loop_forward``, ``loop_inside_out``) are PyTorch's as written; the
numpy versions must give the same permutation for any draws. PyTorch switches
to the inside-out shuffle with 64-bit draws at n = 214,748,364 (too big for a
test): the switch is tested with the limit lowered.
"""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import random_permutation as permutation


def forward_draws(rng, n):
    return np.array([rng.integers(0, n - i) for i in range(n - 1)], dtype=np.int64)


def inside_out_draws(rng, n):
    return np.array([rng.integers(0, i + 1) for i in range(n)], dtype=np.int64)


@pytest.mark.parametrize("n", [*range(1, 25), 100, 1000, 4099])
def test_vectorised_shuffles_equal_the_loops(n):
    rng = np.random.default_rng(n)
    cases = [forward_draws(rng, n) for _ in range(20 if n < 100 else 2)]
    cases += [np.zeros(n - 1, np.int64), n - 1 - np.arange(n - 1)]  # all stay / all to the end
    for offsets in cases:
        assert permutation.swap_forward(offsets).tolist() == \
            permutation.loop_forward(offsets.tolist())
    cases = [inside_out_draws(rng, n) for _ in range(20 if n < 100 else 2)]
    cases += [np.arange(n), np.zeros(n, np.int64)]  # each place itself / always place 0
    for sources in cases:
        assert permutation.inside_out(sources).tolist() == \
            permutation.loop_inside_out(sources.tolist())


def test_the_switch_to_64_bit_draws(monkeypatch):
    monkeypatch.setattr(permutation, "SMALL_N_LIMIT", 50)
    for n in (48, 49, 50, 51, 300):
        g = tg.Generator().manual_seed(n)
        copy = tg.Generator().manual_seed(n)
        result = tg.randperm(n, generator=g).tolist()
        if n < 50:  # n - 1 draws of 32 bits
            offsets = copy.random32(n - 1).astype(np.int64) % (n - np.arange(n - 1))
            assert result == permutation.loop_forward(offsets.tolist())
        else:  # n draws of 64 bits
            draws = copy.random64(n) % (np.arange(n, dtype=np.uint64) + np.uint64(1))
            assert result == permutation.loop_inside_out(draws.astype(np.int64).tolist())
        assert sorted(result) == list(range(n))
        np.testing.assert_array_equal(g.get_state().numpy(), copy.get_state().numpy())


# ----- against PyTorch ---------------------------------------------------------------------
@pytest.mark.parametrize("n", [0, 1, 2, 3, 15, 16, 17, 100, 1000, 60_000, 100_003])
@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 + 7])
def test_randperm_is_pytorchs(n, seed):
    torch = pytest.importorskip("torch")
    tg.manual_seed(seed)
    torch.manual_seed(seed)
    np.testing.assert_array_equal(tg.randperm(n).numpy(), torch.randperm(n).numpy())
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())
    assert tg.rand(1).item() == torch.rand(1).item()  # the next draw agrees too


@pytest.mark.parametrize("dtype, n", [("int32", 1000), ("int16", 32768), ("int8", 128),
                                      ("uint8", 256), ("float16", 2049), ("float32", 500),
                                      ("float64", 500)])
def test_randperm_dtypes_and_generator(dtype, n):
    torch = pytest.importorskip("torch")
    ours, theirs = tg.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a = tg.randperm(n, dtype=getattr(tg, dtype), generator=ours).numpy()
    b = torch.randperm(n, dtype=getattr(torch, dtype), generator=theirs).numpy()
    assert a.dtype == b.dtype
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ours.get_state().numpy(), theirs.get_state().numpy())


@pytest.mark.parametrize("n, dtype, message", [
    (-1, "int64", r"negative dimension -1"), (2.5, "int64", "must be int, not float"),
    (True, "int64", "must be int, not bool"), (3, "bool", "not implemented for 'Bool'"),
    (129, "int8", "int8_t without overflow"), (257, "uint8", "uint8_t without overflow"),
    (32769, "int16", "int16_t without overflow"), (2050, "float16", "greater than 2049"),
    (2**24 + 2, "float32", r"greater than 2\^24\+1 for Float")])
def test_randperm_errors_are_pytorchs_and_draw_nothing(n, dtype, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as theirs:
        torch.randperm(n, dtype=getattr(torch, dtype))
    state = tg.get_rng_state().numpy()
    with pytest.raises(type(theirs.value), match=message):
        tg.randperm(n, dtype=getattr(tg, dtype))
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), state)
