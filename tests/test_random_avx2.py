"""The float32 Box–Muller kernel on every input it can get, against PyTorch and a plain version.

``random_avx2`` takes shortcuts for speed (bit tricks for the exponent, the
octant and the signs; plain float32 adds where a product is exact). Box–Muller
only ever gives ``log`` the 2²⁴ values 1 - k·2⁻²⁴ and ``sincos`` the 2²⁴ angles
2π·k·2⁻²⁴, so both are checked on every one of them against the step-by-step
transcription of PyTorch's AVX2 code below, bit for bit.

PyTorch itself is asked too: its generator state can be set so that its next
623 draws are any words we like (the twister's outputs are its state words,
"tempered" by an invertible bit mix), so ``torch.randn`` can be made to run its
kernel on chosen uniforms. A sample of every 127th input runs by default;
``TG_RANDN_EVERY_INPUT=1`` runs all 2²⁴ (about 15 s; it passes).
"""

import os

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import random_avx2

f32 = np.float32


def fma(a, b, c):
    """a · b + c rounded once to float32: the product is exact in float64."""
    return (np.multiply(a, b, dtype=np.float64) + c).astype(f32)


def plain_log(x):
    """``log256_ps`` step by step: frexp, the √½ adjustment, Horner, e·ln 2 in two parts."""
    x = np.maximum(x, f32(1.17549435e-38))
    bits = x.view(np.int32)
    e = ((bits >> 23) - 0x7F).astype(f32) + f32(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(f32)
    small = m < f32(0.707106781186547524)
    e = e - small.astype(f32)
    x = (m - f32(1)) + np.where(small, m, f32(0))
    z = x * x
    y = fma(x, random_avx2._LOG_POLY[0], random_avx2._LOG_POLY[1])
    for c in random_avx2._LOG_POLY[2:]:
        y = fma(y, x, c)
    y = y * x
    y = fma(y, z, e * random_avx2._LN2_LOW)
    y = fma(z, f32(-0.5), y)
    return fma(e, random_avx2._LN2_HIGH, x + y)


def plain_sincos(x):
    """``sincos256_ps`` step by step: octant, three FMAs to reduce, two polynomials, select."""
    octant = (x * random_avx2._FOUR_OVER_PI).astype(np.int32)
    octant = (octant + 1) & ~1
    y = octant.astype(f32)
    for part in random_avx2._PI_OVER_4:
        x = fma(y, part, x)
    z = x * x
    c = fma(fma(z, random_avx2._COS_POLY[0], random_avx2._COS_POLY[1]), z,
            random_avx2._COS_POLY[2])
    c = fma(c * z, z, -(z * f32(0.5))) + f32(1)
    s = fma(fma(z, random_avx2._SIN_POLY[0], random_avx2._SIN_POLY[1]), z,
            random_avx2._SIN_POLY[2])
    s = fma(s * z, x, x)
    sine_first = (octant & 2) == 0
    sin = np.where(sine_first, s, c)
    cos = np.where(sine_first, c, s)
    sin = np.where((octant & 4) != 0, -sin, sin)
    cos = np.where(((octant - 2) & 4) == 0, -cos, cos)
    return sin, cos


CHUNK = 2**20


@pytest.mark.parametrize("start", range(0, 2**24, CHUNK))
def test_log_and_sincos_on_every_input_box_muller_can_give(start):
    k = np.arange(start, start + CHUNK)
    u1 = ((2**24 - k) * 2.0**-24).astype(f32)  # 1 - uniform: (0, 1]
    np.testing.assert_array_equal(random_avx2.log(u1).view(np.int32),
                                  plain_log(u1).view(np.int32))
    theta = f32(2 * np.pi) * (k * 2.0**-24).astype(f32)
    for fast, plain in zip(random_avx2.sincos(theta), plain_sincos(theta)):
        np.testing.assert_array_equal(fast.view(np.int32), plain.view(np.int32))


def test_fma32_rounds_once():
    # (1 + 2⁻¹²)² = 1 + 2⁻¹¹ + 2⁻²⁴ is a tie between two float32s. Rounded once, the tiny
    # c tips it up; through float64 (_fma) c is lost there and the tie goes to the even one.
    a, c = np.array([1 + 2.0**-12, 3.0], f32), f32(2.0**-60)
    np.testing.assert_array_equal(random_avx2.fma32(a, a, c), [f32(1 + 2.0**-11 + 2.0**-23), 9])
    assert random_avx2._fma(a, a, c)[0] == f32(1 + 2.0**-11)
    assert random_avx2.fma32(a, a, -c)[0] == f32(1 + 2.0**-11)
    # below float32's normal range the grid is 2⁻¹⁴⁹: 1.5 steps is a tie (to 2 steps),
    # 1.25 steps rounds to 1
    tiny = np.array([2.0**-75, 2.0**-76], f32)
    np.testing.assert_array_equal(random_avx2.fma32(tiny, tiny, f32(2.0**-149)),
                                  [f32(2.0**-148), f32(2.0**-149)])
    out = np.zeros((2, 2), f32)[:, :1]  # a strided out=
    random_avx2.fma32(a.reshape(2, 1), a.reshape(2, 1), c, out=out)
    np.testing.assert_array_equal(out.ravel(), [f32(1 + 2.0**-11 + 2.0**-23), 9])


# ----- against PyTorch, on chosen uniforms ---------------------------------------------------
def untemper(outputs):
    """The state words whose tempered values are ``outputs`` (mt19937's tempering, inverted)."""
    y = outputs.astype(np.uint32)
    y = y ^ (y >> np.uint32(18))
    y = y ^ ((y << np.uint32(15)) & np.uint32(0xEFC60000))
    t = y
    for _ in range(5):  # y ^= (y << 7) & mask, undone 7 bits at a time
        t = y ^ ((t << np.uint32(7)) & np.uint32(0x9D2C5680))
    y = t
    for _ in range(3):  # y ^= y >> 11, undone 11 bits at a time
        t = y ^ (t >> np.uint32(11))
    return t


ROWS_PER_CALL = 38  # 38 rows of 16 = 608 draws, within the 623 words one state can hold


def state_that_draws(words, template):
    """A generator state (PyTorch's bytes) whose next draws are ``words``, in order."""
    state = bytearray(template)
    state[8:12] = np.int32(624).tobytes()  # left: no twist for the next 623 draws
    state[16:24] = np.uint64(1).tobytes()  # next: the word to read first
    state[32:32 + 8 * len(words)] = untemper(words).astype(np.uint64).tobytes()
    return bytes(state)


def test_randn_kernel_matches_pytorch_on_chosen_uniforms():
    torch = pytest.importorskip("torch")
    every = 1 if os.environ.get("TG_RANDN_EVERY_INPUT") else 127
    inputs = np.arange(0, 2**24, every, dtype=np.uint32)
    edges = np.array([0, 1, 2, 2**23, 2**24 - 1] + [m * 2**21 + d for m in range(1, 8)
                                                    for d in (-1, 0, 1)], np.uint32)
    inputs = np.concatenate([edges, inputs])
    per_call = ROWS_PER_CALL * 8
    inputs = np.resize(inputs, -(-len(inputs) // per_call) * per_call)  # whole calls
    template = torch.get_rng_state().numpy().tobytes()
    ours = tg.Generator()
    for k in inputs.reshape(-1, ROWS_PER_CALL, 8):
        # in each row of 16 draws, the first 8 make u1 = 1 - k·2⁻²⁴, the last 8 θ = 2π·k·2⁻²⁴
        words = np.concatenate([k, k[::-1]], axis=1).ravel()
        state = state_that_draws(words, template)
        torch.set_rng_state(torch.tensor(np.frombuffer(state, np.uint8)))
        ours.set_state(tg.tensor(np.frombuffer(state, np.uint8).copy()))
        theirs = torch.randn(len(words)).numpy()
        mine = tg.randn(len(words), generator=ours).numpy()
        assert np.array_equal(mine.view(np.int32), theirs.view(np.int32)), k


def test_chosen_words_are_the_draws():
    # the state trick above does what it says: rand gives k·2⁻²⁴ for the chosen words
    words = np.array([0, 1, 2**24 - 1, 12345], np.uint32)
    template = tg.Generator().get_state().numpy().tobytes()
    g = tg.Generator().set_state(tg.tensor(np.frombuffer(state_that_draws(words, template),
                                                        np.uint8).copy()))
    assert tg.rand(4, generator=g).tolist() == (words * 2.0**-24).tolist()


def test_without_avx2_float32_normals_come_from_the_c_library_and_stay_close(monkeypatch):
    # PyTorch without AVX2 (ARM, old x86) uses the C library's float functions; this
    # library then rounds float64 results, so values agree closely, not bit for bit
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(random_avx2, "AVAILABLE", False)
    tg.manual_seed(1)
    torch.manual_seed(1)
    np.testing.assert_allclose(tg.randn(10_000).numpy(), torch.randn(10_000).numpy(),
                               rtol=0, atol=4e-6)
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())
