"""PyTorch's CPU random numbers, reproduced: one Mersenne Twister and the recipes on top of it.

Every random draw of the library (``rand``, ``randn``, ``nn.init``, dropout
masks, shuffling) comes from a ``Generator``, and gives the numbers PyTorch
gives after the same ``manual_seed``. Three layers, each a few lines:

1. **32 random bits.** The generator is mt19937, the Mersenne Twister, as in
   PyTorch. ``manual_seed(s)`` fills its 624-word state from the low 32 bits
   of ``s`` by the standard recurrence ``x[j] = 1812433253 · (x[j-1] ^
   (x[j-1] >> 30)) + j``. numpy ships the same twister (``np.random.MT19937``),
   so we write that state into it and let it make the bits, many at a time.
   A 64-bit draw is two 32-bit draws, the first one the high half.
2. **A uniform float from the bits.** Keep as many bits as the float has
   mantissa bits (24 for float32, 53 for float64) and scale by 2⁻²⁴ (2⁻⁵³):
   ``(bits & 0xFFFFFF) · 2⁻²⁴`` is one of the 2²⁴ evenly spaced floats in
   [0, 1), each equally likely. ``uniform(a, b)`` is then ``x · (b - a) + a``.
3. **Normals from uniforms: Box–Muller.** For two independent uniforms u1, u2,
   with r = √(-2 ln(1 - u2)) and θ = 2π u1, both r cos θ and r sin θ are
   independent standard normals. PyTorch draws them two ways:

   - one at a time (tensors of fewer than 16 elements, non-contiguous ones,
     ``normal`` with tensor arguments' small cases): in float64, returning
     r cos θ and keeping r sin θ for the next call (``_next_double_normal``,
     part of the generator's state);
   - 16 at a time (16 elements or more): all the uniforms first, then for
     each block of 16 the pairs (j, j+8) give ``data[j] = r cos θ`` and
     ``data[j+8] = r sin θ``, with r from u = 1 - data[j] and θ from data[j+8].
     When the size is not a multiple of 16, the last 16 places are drawn
     again and recomputed. In float32 PyTorch computes ln, sin and cos with
     the polynomials of its AVX2 kernel; ``random_avx2`` does the same
     arithmetic with numpy, so the bits agree.

``tg.manual_seed``, ``tg.seed``, ``tg.initial_seed``, ``tg.get_rng_state`` and
``tg.set_rng_state`` act on ``default_generator``, as in PyTorch.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from tinygrad_edu import random_avx2
from tinygrad_edu.autograd.recording import note_draw
from tinygrad_edu.device import check_device
from tinygrad_edu.tensor import Tensor, _wrap

STATE_WORDS = 624  # mt19937's state: 624 words of 32 bits
DEFAULT_SEED = 67280421310721  # the seed of a new torch.Generator()
_STATE_BYTES = 5056  # PyTorch's CPU generator state, as get_state() returns it


def _seeded_state(seed: int) -> np.ndarray:
    """mt19937's initial state for ``seed``: the standard init_genrand recurrence on 32 bits."""
    key = np.empty(STATE_WORDS, dtype=np.uint32)
    word = seed & 0xFFFFFFFF  # PyTorch seeds the twister with the low 32 bits
    key[0] = word
    for j in range(1, STATE_WORDS):
        word = (1812433253 * (word ^ (word >> 30)) + j) & 0xFFFFFFFF
        key[j] = word
    return key


def _seed_in_range(seed: int) -> int:
    """A seed in [-2⁶³, 2⁶⁴) as PyTorch stores it: a negative one is its 64-bit two's complement."""
    if not -(2**63) <= seed < 2**64:
        raise ValueError(f"Overflow when unpacking long long: a seed must be in "
                         f"[-2**63, 2**64), got {seed}")
    return seed % 2**64


def _generator_seed(seed: Any) -> int:
    """``Generator.manual_seed``'s check: a Python int only, as PyTorch's."""
    if isinstance(seed, np.integer):
        raise TypeError(f"an integer is required: Generator.manual_seed takes a Python int, "
                        f"got {type(seed).__module__}.{type(seed).__name__} (use int(seed))")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    return _seed_in_range(seed)


def _module_seed(seed: Any) -> int:
    """``tg.manual_seed``'s check: PyTorch's calls ``int(seed)`` first ('7' and 7.9 give 7)."""
    try:
        as_int = int(seed)
    except ValueError as error:
        raise ValueError(f"manual_seed expected an integer seed, got {seed!r} ({error})") from None
    except TypeError:
        raise TypeError(f"manual_seed expected an integer seed, got "
                        f"{type(seed).__name__}") from None
    return _seed_in_range(as_int)


def _numpy_pairs_high_first() -> bool:
    """Whether numpy's 64-bit draws from mt19937 are two 32-bit draws, the first the high half.

    They are in numpy's C source (``next32() << 32 | next32()``), but C leaves the
    order of those two calls to the compiler; so it is checked once here.
    """
    first, second = np.random.MT19937(0), np.random.MT19937(0)
    wide = np.random.Generator(first).integers(0, 2**64, 4, dtype=np.uint64)
    halves = np.random.Generator(second).integers(0, 2**32, 8, dtype=np.uint32)
    halves = halves.astype(np.uint64).reshape(4, 2)
    return bool(np.array_equal(wide, (halves[:, 0] << np.uint64(32)) | halves[:, 1]))


_NUMPY_PAIRS_HIGH_FIRST = _numpy_pairs_high_first()


class Generator:
    """PyTorch's CPU generator: mt19937 plus the one cached normal of Box–Muller.

    ``Generator()`` starts from PyTorch's default seed 67280421310721; pass it
    as ``generator=`` to any random function to draw from it instead of the
    global ``default_generator``.
    """

    __slots__ = ("_bits", "_draw", "_initial_seed", "_next_double_normal",
                 "_next_float_normal", "_untouched", "device")

    def __init__(self, device: Any = "cpu") -> None:
        self.device = check_device(device)
        self._bits = np.random.MT19937()
        # numpy's integers() over the full 32-bit range returns the twister's raw
        # outputs, in order, without rejection: the fastest way to many raw draws.
        self._draw = np.random.Generator(self._bits).integers
        self.manual_seed(DEFAULT_SEED)

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed`` (an int in [-2⁶³, 2⁶⁴)); returns the generator."""
        seed = _generator_seed(seed)
        # pos 624: the next draw first "twists" the whole state, as mt19937 does.
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": _seeded_state(seed), "pos": STATE_WORDS}}
        self._initial_seed = seed
        self._next_double_normal: float | None = None
        self._next_float_normal: float | None = None
        self._untouched = True
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed (53 bits, as PyTorch)."""
        seed = int.from_bytes(os.urandom(8), "little") & (2**53 - 1)
        self.manual_seed(seed)
        return seed

    def initial_seed(self) -> int:
        """The seed the stream last started from."""
        return self._initial_seed

    # ----- raw bits ----------------------------------------------------------------------
    def random32(self, count: int) -> np.ndarray:
        """``count`` draws of 32 random bits (a uint32 array)."""
        if count:
            self._untouched = False
            note_draw()  # tg.compile: a draw outside a recorded op is not replayed (recording.py)
        return self._draw(0, 2**32, count, dtype=np.uint32)

    def random64(self, count: int) -> np.ndarray:
        """``count`` draws of 64 random bits: two 32-bit draws each, the first the high half."""
        if _NUMPY_PAIRS_HIGH_FIRST:  # numpy's own 64-bit draws are made so: 2.4x faster
            if count:
                self._untouched = False
            return self._draw(0, 2**64, count, dtype=np.uint64)
        pairs = self.random32(2 * count).astype(np.uint64).reshape(-1, 2)
        return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]

    # ----- state ---------------------------------------------------------------------------
    def get_state(self) -> Tensor:
        """The whole state as a uint8 tensor, in PyTorch's byte layout (5056 bytes)."""
        state = self._bits.state["state"]
        pos = int(state["pos"])
        buffer = bytearray(_STATE_BYTES)
        header = np.array([self._initial_seed], np.uint64).tobytes()
        header += np.array([STATE_WORDS + 1 - pos, 1], np.int32).tobytes()  # left, seeded
        header += np.array([0 if self._untouched else pos], np.uint64).tobytes()  # next
        buffer[:24] = header
        buffer[24:24 + 8 * STATE_WORDS] = state["key"].astype(np.uint64).tobytes()
        tail = 24 + 8 * STATE_WORDS  # then normal_x, normal_y, normal_rho, normal_is_valid
        if self._next_double_normal is not None:
            buffer[tail + 8:tail + 16] = np.float64(self._next_double_normal).tobytes()
            buffer[tail + 24:tail + 28] = np.int32(1).tobytes()
        if self._next_float_normal is not None:
            buffer[tail + 32:tail + 36] = np.float32(self._next_float_normal).tobytes()
            buffer[tail + 36] = 1
        return _wrap(np.frombuffer(bytes(buffer), dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from ``get_state()`` (this library's or PyTorch's)."""
        if not isinstance(new_state, Tensor) or new_state.array.dtype != np.uint8:
            raise TypeError("set_state expects a torch.ByteTensor (a uint8 tensor) from "
                            "get_state()")
        raw = new_state.array.tobytes()
        if len(raw) != _STATE_BYTES:
            raise RuntimeError(f"Expected either a THGeneratorState of size 5048 or a "
                               f"CPUGeneratorImplState of size {_STATE_BYTES} but found the "
                               f"input RNG state size to be {len(raw)}")
        seed = int(np.frombuffer(raw[:8], np.uint64)[0])
        left = int(np.frombuffer(raw[8:12], np.int32)[0])
        next_index = int(np.frombuffer(raw[16:24], np.uint64)[0])
        key = np.frombuffer(raw[24:24 + 8 * STATE_WORDS], np.uint64)
        if not 1 <= left <= STATE_WORDS or np.any(key >> np.uint64(32)):
            raise RuntimeError("set_state: the state is corrupt (its position or its words "
                               "are out of range)")
        tail = 24 + 8 * STATE_WORDS
        double_valid = np.frombuffer(raw[tail + 24:tail + 28], np.int32)[0] != 0
        self._bits.state = {"bit_generator": "MT19937",
                            "state": {"key": key.astype(np.uint32), "pos": STATE_WORDS + 1 - left}}
        self._initial_seed = seed
        self._next_double_normal = (float(np.frombuffer(raw[tail + 8:tail + 16], np.float64)[0])
                                    if double_valid else None)
        self._next_float_normal = (float(np.frombuffer(raw[tail + 32:tail + 36], np.float32)[0])
                                   if raw[tail + 36] else None)
        self._untouched = left == 1 and next_index == 0
        return self

    def __repr__(self) -> str:
        return f"<tinygrad_edu.Generator seeded with {self._initial_seed}>"


# ----- layer 2: uniform floats from random bits -------------------------------------------
_MANTISSA_BITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def uniform(generator: Generator, count: int, dtype: np.dtype, low: float = 0.0,
            high: float = 1.0) -> np.ndarray:
    """``count`` draws from U(low, high): x = (bits & (2ᵈ - 1)) · 2⁻ᵈ, then x · (high - low) + low.

    d is the number of mantissa bits of ``dtype``. float64 takes 64-bit draws, the
    others 32-bit draws; float16 computes in float32, as PyTorch does. PyTorch's
    compiler turns x · (high - low) + low into one fused multiply-add (one
    rounding), so that is what is computed here.
    """
    dtype = np.dtype(dtype)
    digits = _MANTISSA_BITS[dtype]
    bits = generator.random64(count) if digits > 32 else generator.random32(count)
    compute = np.float64 if digits > 32 else np.float32
    bits &= bits.dtype.type(2**digits - 1)
    # The kept bits fit the signed integer of the same width, whose conversion to a
    # float is one SIMD instruction, and converting in place reuses the bits' memory
    # instead of touching fresh pages: rand(10⁶) float32 4.8 ms -> 2.9 ms (the draws
    # alone 2.3 ms).
    x = bits.view(compute)
    np.copyto(x, bits.view(f"i{bits.itemsize}"), casting="unsafe")
    x *= compute(2.0**-digits)  # exact: a power of two
    if low == 0.0 and high == 1.0:
        return x.astype(dtype, copy=False)
    low_, high_ = compute(dtype.type(low)), compute(dtype.type(high))  # cast like PyTorch
    if compute is np.float64:
        return random_avx2.fma64(x, float(high_ - low_), float(low_))
    return random_avx2.fma32(x, high_ - low_, low_).astype(dtype, copy=False)


# ----- layer 3: normals by Box–Muller -------------------------------------------------------
def normal_one_at_a_time(generator: Generator, count: int, mean: float = 0.0,
                         std: float = 1.0) -> np.ndarray:
    """``count`` normals in float64, one at a time, two per pair of uniforms.

    r = √(-2 ln(1 - u2)), θ = 2π u1; return r cos θ, keep r sin θ for the next
    call. Python's ``math`` is the C library's, so the bits are PyTorch's.
    """
    out = np.empty(count, dtype=np.float64)
    for i in range(count):
        if generator._next_double_normal is not None:
            value, generator._next_double_normal = generator._next_double_normal, None
        else:
            u1, u2 = uniform(generator, 2, np.float64).tolist()
            radius = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            generator._next_double_normal = radius * math.sin(theta)
            value = radius * math.cos(theta)
        out[i] = value
    if mean == 0.0 and std == 1.0:
        return out
    return random_avx2.fma64(out, std, mean)  # value · std + mean, rounded once as in PyTorch


def _c_log(u: np.ndarray) -> np.ndarray:
    """ln u in float64 by the C library's ``log``, as PyTorch's float64 kernel calls it.

    ``math.log`` is that function; numpy's ``np.log`` is its own SIMD code, which
    rounds 0.35 % of these values differently, so it cannot be used here.
    """
    return np.fromiter(map(math.log, u.ravel().tolist()), np.float64, u.size).reshape(u.shape)


def _box_muller_rows(rows: np.ndarray, mean: np.floating, std: np.floating) -> None:
    """In place: each row of 16 uniforms becomes 16 normals; columns j and j+8 are a pair.

    u1 = 1 - rows[:, j] is in (0, 1], so its logarithm is finite; u2 = rows[:, j+8].
    r = √(-2 ln u1), θ = 2π u2, then rows[:, j] = r cos θ · std + mean and
    rows[:, j+8] = r sin θ · std + mean, the last step one fused multiply-add.
    """
    # Columns 0-7 and 8-15 of all rows gathered into two contiguous arrays, so that
    # numpy works on long runs, not 8 values at a time: each row's 8 values are viewed
    # as one 32-byte item (64 for float64), one copy in and one out (randn(10⁶)
    # float32 18.1 -> 17.3 ms).
    pairs = rows.view(np.dtype((np.void, 8 * rows.itemsize)))  # shape (len(rows), 2)
    halves = np.empty((2, len(rows)), pairs.dtype)
    np.copyto(halves, pairs.T)
    first, second = halves.view(rows.dtype).reshape(2, -1)  # columns j, columns j + 8
    u1, u2 = 1 - first, second
    if rows.dtype == np.float32 and random_avx2.AVAILABLE:  # PyTorch's AVX2 kernel, bit for bit
        radius = np.sqrt(np.float32(-2) * random_avx2.log(u1))
        sin, cos = random_avx2.sincos(np.float32(2 * math.pi) * u2)
    else:  # the C library's log, sin and cos in float64 (rounded for float32)
        radius = np.sqrt(-2 * _c_log(u1)).astype(rows.dtype)
        theta = (2.0 * math.pi * u2.astype(np.float64)).astype(rows.dtype)
        sin, cos = np.sin(theta), np.cos(theta)
    for normals, place in ((cos, first), (sin, second)):
        normals *= radius
        if std == 1:  # n · 1 + mean: one rounding either way
            np.add(normals, mean, out=place)
        elif rows.dtype == np.float64:
            place[...] = random_avx2.fma64(normals, float(std), float(mean))
        else:
            random_avx2.fma32(normals, std, mean, out=place)
    np.copyto(pairs.T, halves)


# Box–Muller runs on blocks of this many rows of 16. Each of a block's ~110 numpy
# passes then works on arrays of 16,376 values that stay in the CPU's L2 cache, the
# float64 ones (131,008 bytes) just under malloc's 128 KiB threshold, above which
# every new array is fresh memory from the kernel (2,048 rows: 113 page faults a
# block). Fewer rows cost numpy's ~0.6 µs a call more often. randn(10⁶) float32,
# thread time, medians of 21 interleaved runs on a busy machine: 1,024 rows
# 21.7-22.1 ms, 2,047 rows 19.4-20.5 ms (numpy's own standard_normal 11.5-11.7 ms).
_BLOCK_ROWS = 2047


def normal_sixteen_at_a_time(generator: Generator, count: int, dtype: np.dtype,
                             mean: float = 0.0, std: float = 1.0) -> np.ndarray:
    """``count`` (≥ 16) normals the way PyTorch fills a contiguous tensor of 16 or more.

    All uniforms first; Box–Muller on each full row of 16; if ``count`` is not a
    multiple of 16, 16 fresh uniforms for the last 16 places, recomputed.
    """
    dtype = np.dtype(dtype)
    mean_, std_ = dtype.type(mean), dtype.type(std)
    data = uniform(generator, count, dtype)
    rows = data[:count // 16 * 16].reshape(-1, 16)
    for start in range(0, len(rows), _BLOCK_ROWS):  # the only place that blocks
        _box_muller_rows(rows[start:start + _BLOCK_ROWS], mean_, std_)
    if count % 16:
        last = uniform(generator, 16, dtype).reshape(1, 16)
        _box_muller_rows(last, mean_, std_)
        data[count - 16:] = last.ravel()
    return data


def normal(generator: Generator, count: int, dtype: np.dtype, mean: float = 0.0,
           std: float = 1.0, contiguous: bool = True) -> np.ndarray:
    """``count`` draws from N(mean, std²) of ``dtype``, by the path PyTorch takes for them."""
    dtype = np.dtype(dtype)
    if count >= 16 and contiguous and dtype != np.float16:
        return normal_sixteen_at_a_time(generator, count, dtype, mean, std)
    return normal_one_at_a_time(generator, count, mean, std).astype(dtype)


# ----- the global generator and PyTorch's module-level functions ---------------------------
default_generator = Generator()
default_generator.seed()  # PyTorch seeds its default generator from entropy at start


def manual_seed(seed: int) -> Generator:
    """Seed the global generator (``default_generator``); returns it.

    As PyTorch's, this takes anything ``int()`` takes (``'7'``, ``7.9`` and a
    one-element tensor seed 7); ``Generator.manual_seed`` takes Python ints only.
    """
    return default_generator.manual_seed(_module_seed(seed))


def seed() -> int:
    """Seed the global generator from the operating system's entropy; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the global generator last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The global generator's state (a uint8 tensor, PyTorch's layout)."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the global generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


def resolve(generator: Generator | None) -> Generator:
    """``generator`` itself, or the global one for None; anything else is an error."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"generator must be a tinygrad_edu.Generator, got "
                        f"{type(generator).__name__}")
    return generator
