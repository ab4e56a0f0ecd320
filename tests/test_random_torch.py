"""Random draws against PyTorch: same seed, same numbers, same generator state afterwards.

Each case runs one call in both libraries from the same seed, compares the
values (exactly: float64, integers, and float32 on this machine), then
compares the generators' states byte for byte and the next draw, so a call
that consumed a different number of random bits fails too.
"""

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

SEEDS = (0, 1, 42, 2**32 + 7, 123456789)
SIZES = ((), (0,), (1,), (15,), (16,), (17,), (1000,), (3, 5), (7, 9, 2))


def same_state():
    """Both global generators hold the same bytes, and their next draws agree."""
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())
    np.testing.assert_array_equal(tg.rand(5, dtype=tg.float64).numpy(),
                                  torch.rand(5, dtype=torch.float64).numpy())


def both(seed, ours, theirs):
    tg.manual_seed(seed)
    torch.manual_seed(seed)
    a, b = ours(), theirs()
    a = a.numpy() if isinstance(a, tg.Tensor) else np.asarray(a)
    b = b.numpy() if isinstance(b, torch.Tensor) else np.asarray(b)
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(a, b)
    same_state()
    return a


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rand_and_randn(seed, size, dtype):
    both(seed, lambda: tg.rand(size, dtype=getattr(tg, dtype)),
         lambda: torch.rand(size, dtype=getattr(torch, dtype)))
    both(seed, lambda: tg.randn(size, dtype=getattr(tg, dtype)),
         lambda: torch.randn(size, dtype=getattr(torch, dtype)))
    if size:
        both(seed, lambda: tg.randn(*size, dtype=getattr(tg, dtype)),
             lambda: torch.randn(*size, dtype=getattr(torch, dtype)))


@pytest.mark.parametrize("seed", SEEDS)
def test_large_randn_takes_the_vectorised_path_bit_for_bit(seed):
    # 100 003 float32 normals: 6 250 blocks of 16 plus a redrawn last block
    both(seed, lambda: tg.randn(100_003), lambda: torch.randn(100_003))


BLOCK = 2047 * 16  # Box–Muller's block of rows (tinygrad_edu.random._BLOCK_ROWS)


@pytest.mark.parametrize("size", [BLOCK - 1, BLOCK, BLOCK + 16, 2 * BLOCK + 17, 100_003])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("seed", [0, 2**32 + 7])
def test_normals_across_block_boundaries(size, dtype, seed):
    assert tg.random._BLOCK_ROWS * 16 == BLOCK
    both(seed, lambda: tg.randn(size, dtype=getattr(tg, dtype)),
         lambda: torch.randn(size, dtype=getattr(torch, dtype)))
    both(seed, lambda: tg.normal(-1.5, 3.25, (size,), dtype=getattr(tg, dtype)),
         lambda: torch.normal(-1.5, 3.25, (size,), dtype=getattr(torch, dtype)))
    both(seed, lambda: tg.empty(size, dtype=getattr(tg, dtype)).normal_(0.0, 0.125),
         lambda: torch.empty(size, dtype=getattr(torch, dtype)).normal_(0.0, 0.125))


def test_randn_interleaved_with_other_draws_keeps_the_cached_normal():
    # a 3-element randn leaves r·sin θ cached; the next small randn uses it first
    tg.manual_seed(3)
    torch.manual_seed(3)
    for size in (3, 1, 20, 5, 2, 17):
        np.testing.assert_array_equal(tg.randn(size, dtype=tg.float64).numpy(),
                                      torch.randn(size, dtype=torch.float64).numpy())
        np.testing.assert_array_equal(tg.rand(size).numpy(), torch.rand(size).numpy())
    same_state()


@pytest.mark.parametrize("low, high", [(0, 10), (-5, 7), (0, 2**31), (0, 2**32), (3, 2**40),
                                       (-(2**40), 5)])
@pytest.mark.parametrize("dtype", ["int64", "int32", "float64"])
def test_randint_ranges_and_dtypes(low, high, dtype):
    if dtype != "int64" and high - low >= 2**31:
        pytest.skip("the range does not fit the dtype")
    both(7, lambda: tg.randint(low, high, (33,), dtype=getattr(tg, dtype)),
         lambda: torch.randint(low, high, (33,), dtype=getattr(torch, dtype)))
    both(7, lambda: tg.randint(high, size=(4, 3)), lambda: torch.randint(high, size=(4, 3)))


@pytest.mark.parametrize("n", [0, 1, 2, 15, 16, 17, 1000])
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_randperm(n, seed):
    both(seed, lambda: tg.randperm(n), lambda: torch.randperm(n))


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8", "bool",
                                   "float32", "float64"])
def test_random_without_and_with_bounds(dtype):
    def run(lib, *bounds):
        return lambda: lib.empty(40, dtype=getattr(lib, dtype)).random_(*bounds)

    both(5, run(tg), run(torch))
    if dtype != "bool":
        both(5, run(tg, 100), run(torch, 100))
        both(5, run(tg, 3, 100), run(torch, 3, 100))
    both(5, lambda: tg.empty(9, dtype=tg.int64).random_(-(2**63), None),
         lambda: torch.empty(9, dtype=torch.int64).random_(-(2**63), None))


@pytest.mark.parametrize("size", [(1,), (15,), (16,), (17,), (1000,), (7, 9)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_uniform_normal_exponential(size, dtype):
    def run(lib, method, *args):
        return lambda: getattr(lib.empty(size, dtype=getattr(lib, dtype)), method)(*args)

    both(11, run(tg, "uniform_", -0.3, 0.7), run(torch, "uniform_", -0.3, 0.7))
    both(11, run(tg, "normal_", 2.5, 0.1), run(torch, "normal_", 2.5, 0.1))
    both(11, run(tg, "exponential_", 2.5), run(torch, "exponential_", 2.5))
    both(11, run(tg, "bernoulli_", 0.3), run(torch, "bernoulli_", 0.3))


def test_inplace_draws_on_a_transposed_view_fill_in_memory_order():
    def run(lib):
        def go():
            base = lib.zeros(6, 20)
            base.t().uniform_()
            view = lib.zeros(40, 6).t()
            view.normal_()  # not contiguous: the one-at-a-time path, even for 240 elements
            return lib.cat([base.reshape(-1), view.reshape(-1)])
        return go

    both(2, run(tg), run(torch))


@pytest.mark.parametrize("shape", [(1,), (16,), (17,), (4, 5)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_all_four_overloads(shape, dtype):
    def args(lib):
        gen = lib.Generator().manual_seed(9)
        count = int(np.prod(shape))
        mean = lib.tensor(np.linspace(-1, 1, count).reshape(shape), dtype=getattr(lib, dtype))
        std = lib.tensor(np.linspace(0.1, 2, count).reshape(shape), dtype=getattr(lib, dtype))
        return gen, mean, std

    for form in range(4):
        def run(lib, form=form):
            def go():
                gen, mean, std = args(lib)
                if form == 0:
                    return lib.normal(mean, std)
                if form == 1:
                    return lib.normal(mean, 0.5)
                if form == 2:
                    return lib.normal(0.5, std)
                return lib.normal(0.5, 2.0, size=shape, dtype=getattr(lib, dtype))
            return go
        both(4, run(tg), run(torch))


def test_normal_broadcasts_mean_and_std():
    both(4, lambda: tg.normal(tg.zeros(3, 1), tg.ones(1, 17)),
         lambda: torch.normal(torch.zeros(3, 1), torch.ones(1, 17)))


@pytest.mark.parametrize("rows", [None, 3])
@pytest.mark.parametrize("num_samples, replacement", [(1, False), (1, True), (4, False),
                                                      (7, False), (5, True), (40, True)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_multinomial(rows, num_samples, replacement, dtype):
    def run(lib):
        def go():
            shape = (7,) if rows is None else (rows, 7)
            weights = lib.rand(shape, generator=lib.Generator().manual_seed(5),
                               dtype=getattr(lib, dtype))
            return lib.multinomial(weights, num_samples, replacement)
        return go

    both(8, run(tg), run(torch))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli_with_tensor_and_float_p(dtype):
    def run(lib, p=None):
        def go():
            probs = lib.rand(6, 9, generator=lib.Generator().manual_seed(1),
                             dtype=getattr(lib, dtype))
            return lib.bernoulli(probs) if p is None else lib.bernoulli(probs, p)
        return go

    both(3, run(tg), run(torch))
    both(3, run(tg, 0.25), run(torch, 0.25))
    both(3, lambda: tg.zeros(4, 5).bernoulli_(tg.full((5,), 0.6)),
         lambda: torch.zeros(4, 5).bernoulli_(torch.full((5,), 0.6)))


def test_like_forms():
    x32, x64 = np.zeros((4, 5), np.float32), np.zeros(17, np.float64)
    for x in (x32, x64):
        both(6, lambda x=x: tg.rand_like(tg.tensor(x)), lambda x=x: torch.rand_like(
            torch.tensor(x)))
        both(6, lambda x=x: tg.randn_like(tg.tensor(x)), lambda x=x: torch.randn_like(
            torch.tensor(x)))
        both(6, lambda x=x: tg.randint_like(tg.tensor(x), 3, 9),
             lambda x=x: torch.randint_like(torch.tensor(x), 3, 9))
    both(6, lambda: tg.randint_like(tg.zeros(5, dtype=tg.int64), 10),
         lambda: torch.randint_like(torch.zeros(5, dtype=torch.int64), 10))


def test_generator_argument_leaves_the_global_stream_alone():
    tg.manual_seed(0)
    torch.manual_seed(0)
    ours, theirs = tg.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    calls = [
        (lambda g: tg.rand(20, generator=g), lambda g: torch.rand(20, generator=g)),
        (lambda g: tg.randn(3, 3, generator=g), lambda g: torch.randn(3, 3, generator=g)),
        (lambda g: tg.randint(0, 9, (4,), generator=g),
         lambda g: torch.randint(0, 9, (4,), generator=g)),
        (lambda g: tg.randperm(12, generator=g), lambda g: torch.randperm(12, generator=g)),
        (lambda g: tg.normal(0.0, 1.0, (18,), generator=g),
         lambda g: torch.normal(0.0, 1.0, (18,), generator=g)),
        (lambda g: tg.multinomial(tg.ones(5), 3, generator=g),
         lambda g: torch.multinomial(torch.ones(5), 3, generator=g)),
        (lambda g: tg.bernoulli(tg.full((8,), 0.5), generator=g),
         lambda g: torch.bernoulli(torch.full((8,), 0.5), generator=g)),
        (lambda g: tg.empty(5).uniform_(generator=g),
         lambda g: torch.empty(5).uniform_(generator=g)),
        (lambda g: tg.empty(5).normal_(generator=g),
         lambda g: torch.empty(5).normal_(generator=g)),
        (lambda g: tg.empty(5).exponential_(generator=g),
         lambda g: torch.empty(5).exponential_(generator=g)),
        (lambda g: tg.empty(5).bernoulli_(0.5, generator=g),
         lambda g: torch.empty(5).bernoulli_(0.5, generator=g)),
        (lambda g: tg.empty(5, dtype=tg.int64).random_(generator=g),
         lambda g: torch.empty(5, dtype=torch.int64).random_(generator=g)),
        (lambda g: tg.rand_like(tg.zeros(3), generator=g),
         lambda g: torch.rand_like(torch.zeros(3), generator=g)),
    ]
    for mine, reference in calls:
        np.testing.assert_array_equal(mine(ours).numpy(), reference(theirs).numpy())
    np.testing.assert_array_equal(ours.get_state().numpy(), theirs.get_state().numpy())
    same_state()  # the global generators were not touched


def test_generator_api_and_state_round_trip():
    ours, theirs = tg.Generator(), torch.Generator()
    assert ours.initial_seed() == theirs.initial_seed() == 67280421310721
    np.testing.assert_array_equal(ours.get_state().numpy(), theirs.get_state().numpy())
    assert tg.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert tg.initial_seed() == torch.initial_seed() == 2**64 - 1
    tg.randn(3, dtype=tg.float64)  # leaves a cached normal in the state
    state = tg.get_rng_state()
    first = tg.randn(5, dtype=tg.float64).numpy()
    tg.set_rng_state(state)
    np.testing.assert_array_equal(tg.randn(5, dtype=tg.float64).numpy(), first)
    # a state from PyTorch restores PyTorch's stream here, and the other way round
    torch.manual_seed(8)
    torch.randn(1, dtype=torch.float64)
    tg.set_rng_state(tg.tensor(torch.get_rng_state().numpy()))
    np.testing.assert_array_equal(tg.randn(40).numpy(), torch.randn(40).numpy())
    torch.set_rng_state(torch.from_numpy(tg.get_rng_state().numpy()))
    same_state()
    assert 0 <= tg.seed() < 2**53 and tg.initial_seed() == tg.default_generator.initial_seed()


BAD_SEEDS = ["a", None, [1], 2**64, -(2**63) - 1, 1.5, True, np.int64(5)]


@pytest.mark.parametrize("seed", BAD_SEEDS, ids=repr)
def test_bad_seeds_raise_pytorchs_exception_and_change_nothing(seed):
    # tg.manual_seed, like torch.manual_seed, takes what int() takes (1.5 and True seed 1);
    # Generator.manual_seed takes Python ints only. Out of range is a ValueError in both.
    for ours, theirs in ((tg.manual_seed, torch.manual_seed),
                         (tg.Generator().manual_seed, torch.Generator().manual_seed)):
        try:
            expected = theirs(seed).initial_seed()
        except Exception as error:  # noqa: BLE001 - the type is what is compared
            state = tg.get_rng_state().numpy()
            with pytest.raises(type(error)) as raised:
                ours(seed)
            assert "seed" in str(raised.value) or "long" in str(raised.value)
            np.testing.assert_array_equal(tg.get_rng_state().numpy(), state)
        else:
            assert ours(seed).initial_seed() == expected


def test_seed_error_messages():
    with pytest.raises(ValueError, match=r"expected an integer seed, got 'a' \(invalid literal"):
        tg.manual_seed("a")
    with pytest.raises(TypeError, match="expected an integer seed, got NoneType"):
        tg.manual_seed(None)
    with pytest.raises(ValueError, match=r"Overflow.*2\*\*64\), got 18446744073709551616"):
        tg.manual_seed(2**64)
    with pytest.raises(RuntimeError, match="manual_seed expected a long, but got float"):
        tg.Generator().manual_seed(1.5)
    with pytest.raises(TypeError, match="Python int, got numpy.int64"):
        tg.Generator().manual_seed(np.int64(5))
    assert tg.manual_seed("7").initial_seed() == torch.manual_seed("7").initial_seed() == 7
    assert tg.manual_seed(tg.tensor(3)).initial_seed() == 3


def test_generator_errors():
    with pytest.raises(RuntimeError, match="size to be 10"):
        tg.set_rng_state(tg.zeros(10, dtype=tg.uint8))
    with pytest.raises(TypeError, match="uint8"):
        tg.set_rng_state(tg.zeros(5056))
    with pytest.raises(TypeError, match="tinygrad_edu.Generator"):
        tg.rand(3, generator=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="not available"):
        tg.Generator("cuda")
    before = tg.get_rng_state().numpy()
    with pytest.raises(RuntimeError, match="from=5 > to=1"):
        tg.empty(3).uniform_(5, 1)
    with pytest.raises(RuntimeError, match="std >= 0.0"):
        tg.empty(3).normal_(0, -1)
    with pytest.raises(RuntimeError, match=r"p to be in \[0, 1\]"):
        tg.empty(3).bernoulli_(1.5)
    with pytest.raises(RuntimeError, match="lambda > 0.0"):
        tg.empty(3).exponential_(0)
    with pytest.raises(RuntimeError, match="from=4 >= to=4"):
        tg.randint(4, 4, (2,))
    with pytest.raises(RuntimeError, match="not implemented for 'Long'"):
        tg.empty(3, dtype=tg.int64).uniform_()
    with pytest.raises(RuntimeError, match="without replacement"):
        tg.multinomial(tg.ones(3), 4)
    with pytest.raises(RuntimeError, match="element < 0"):
        tg.multinomial(tg.tensor([1.0, -1.0]), 1)
    with pytest.raises(RuntimeError, match="sum of probabilities"):
        tg.multinomial(tg.zeros(3), 1)
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), before)  # nothing drawn


def test_inplace_draw_bumps_the_version_and_refuses_a_leaf_that_requires_grad():
    t = tg.zeros(4)
    version = t._version.value
    t.uniform_()
    assert t._version.value == version + 1
    w = tg.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.normal_()


def test_random64_by_numpy_or_by_pairs_of_32_bit_draws(monkeypatch):
    # numpy's 64-bit draws are taken when they are two 32-bit draws, high half first
    fast, slow = tg.Generator().manual_seed(5), tg.Generator().manual_seed(5)
    wide = fast.random64(1001)
    monkeypatch.setattr(tg.random, "_NUMPY_PAIRS_HIGH_FIRST", False)
    np.testing.assert_array_equal(slow.random64(1001), wide)
    np.testing.assert_array_equal(fast.get_state().numpy(), slow.get_state().numpy())
    theirs = torch.Generator().manual_seed(5)
    drawn = torch.empty(1001, dtype=torch.int64).random_(-(2**63), None, generator=theirs)
    np.testing.assert_array_equal(wide.view(np.int64), drawn.numpy())  # the raw 64-bit draws
    np.testing.assert_array_equal(fast.get_state().numpy(), theirs.get_state().numpy())
