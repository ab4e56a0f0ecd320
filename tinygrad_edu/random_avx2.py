"""float32 Box–Muller exactly as PyTorch's AVX2 CPU kernel computes it, with numpy.

``torch.randn`` of 16 or more float32 values runs ``normal_fill_16_AVX2``: eight
pairs at a time, ln by a polynomial (Cephes' ``logf``) and sin/cos by two
polynomials after reducing the angle by π/4 (Cephes' ``sinf``/``cosf``), as
written in ATen's ``avx_mathfun.h``. numpy's own ``np.log``/``np.sin`` round
differently, so the same steps are written out here. The compiler fuses many of
PyTorch's multiply-adds into one FMA (one rounding instead of two); ``_fma``
does that in float64, where the product of two float32 numbers is exact. Where
a product is exact in float32 already (a small integer times a constant with
few bits), the FMA is a plain add, and numpy does it in float32.

Every step was checked against the straightforward version on all 2²⁴ inputs
Box–Muller can give them (tests/test_random_avx2.py holds both to PyTorch).

PyTorch uses this kernel on every x86 CPU with AVX2 (AVX-512 machines run the
AVX2 kernel too). Elsewhere (ARM, old x86) it computes with the C library's
float functions; there we round float64 results, which can differ by a few ulp.
"""

from __future__ import annotations

import platform
from fractions import Fraction

import numpy as np

f32 = np.float32


def _pytorch_uses_avx2() -> bool:
    """Whether this CPU has AVX2 and FMA (then PyTorch runs its AVX2 normal kernel)."""
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as features
    except ImportError:  # pragma: no cover - older numpy
        return platform.machine().lower() in ("x86_64", "amd64")
    return bool(features.get("AVX2") and features.get("FMA3"))


AVAILABLE = _pytorch_uses_avx2()


def _fma(a: np.ndarray, b: np.ndarray | float, c: np.ndarray | float,
         out: np.ndarray | None = None, exact: np.ndarray | None = None) -> np.ndarray:
    """a · b + c rounded to float32, for the polynomials below (a is an array).

    The product of two float32 numbers is exact in float64 (24 + 24 bits < 53),
    so the sum rounds once in float64 and once more to float32. In general that
    second rounding can miss by one ulp when the first lands exactly halfway
    between two float32 numbers (``fma32`` checks for that); on the inputs
    Box–Muller gives these polynomials it never does — tests/test_random_avx2.py
    compares all 2²⁴ of them with PyTorch. ``exact`` (float64, a's shape) holds
    the sum; ``out`` (float32) may be ``a`` or ``c``. About 0.9 ns per value: the
    16 FMAs are half of ``randn``'s time.
    """
    if exact is None:
        exact = np.empty(a.shape, np.float64)
    if a.dtype == np.float64:
        np.multiply(a, b, out=exact)
    else:  # a to float64 first: numpy's float32·float64 loop casts as it goes, 20 % slower
        np.copyto(exact, a)
        np.multiply(exact, b, out=exact)
    np.add(exact, c, out=exact)
    if out is None:
        return exact.astype(f32)
    np.copyto(out, exact, casting="unsafe")
    return out


def fma32(a: np.ndarray, b: np.ndarray | float, c: np.ndarray | float,
          out: np.ndarray | None = None) -> np.ndarray:
    """a · b + c rounded once to float32 for any float32 a, b, c, as the FMA instruction.

    ``_fma``'s float64 sum, except for the rare values where it landed exactly
    halfway between two float32 numbers, or below float32's normal range: those
    are computed exactly with fractions and rounded once.
    """
    exact = np.multiply(a, b, dtype=np.float64)
    exact += c
    low_bits = exact.view(np.uint64) & np.uint64(0x1FFFFFFF)  # the 29 bits float32 drops
    doubtful = (low_bits == 0x10000000) | ((np.abs(exact) < 2.0**-126) & (exact != 0))
    result = exact.astype(f32) if out is None else out
    if out is not None:
        np.copyto(out, exact, casting="unsafe")
    if doubtful.any():
        a_, b_, c_ = np.broadcast_arrays(a, b, c)
        for i in np.flatnonzero(doubtful).tolist():
            index = np.unravel_index(i, exact.shape)
            result[index] = _round_to_float32(
                Fraction(float(a_[index])) * Fraction(float(b_[index]))
                + Fraction(float(c_[index])))
    return result


def _round_to_float32(value: Fraction) -> np.float32:
    """The float32 nearest to ``value`` (ties to even), without a rounding on the way."""
    guess = f32(float(value))
    if not np.isfinite(guess):
        return guess
    other = np.nextafter(guess, f32(np.inf) if Fraction(float(guess)) < value else f32(-np.inf))
    error, other_error = abs(Fraction(float(guess)) - value), abs(Fraction(float(other)) - value)
    if other_error < error or (other_error == error and not other.view(np.int32) & 1):
        return other
    return guess


# Cephes' logf: ln x = e·ln 2 + ln m, m in [√½, √2), ln(1 + x) by a degree-9 polynomial.
_LOG_POLY = [f32(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                              -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                              2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LN2_HIGH, _LN2_LOW = f32(0.693359375), f32(-2.12194440e-4)  # ln 2 = high + low
_SQRT_HALF_BITS = 0x3F3504F3  # the bits of float32 √½ (Cephes' SQRTHF)


def log(u: np.ndarray) -> np.ndarray:
    """ln u for float32 u in (0, 1] (Box–Muller's 1 - uniform), as ``log256_ps``.

    Cephes writes u = m·2^e with m in [½, 1), then uses 2m and e - 1 when
    m < √½. Both steps at once, on the bits: subtracting √½'s bits makes the
    exponent field e exactly (u ≥ 2⁻²⁴, so no subnormals and no clamp needed),
    and u's bits minus e·2²³ are m's. x = m - 1 is exact.
    """
    bits = u.view(np.int32)
    e = bits - _SQRT_HALF_BITS
    e >>= 23  # arithmetic shift: floor, so m = u·2⁻ᵉ lands in [√½, √2)
    x = (bits - (e << 23)).view(f32)
    x -= f32(1)
    e = e.astype(f32)
    z = x * x
    # Horner's rule, one FMA per coefficient; x in float64 once for all of them
    x64 = x.astype(np.float64)
    exact = np.empty_like(x64)  # every FMA's float64 sum, in one reused array
    y = _fma(x64, _LOG_POLY[0], _LOG_POLY[1], exact=exact)
    for coefficient in _LOG_POLY[2:]:
        _fma(y, x64, coefficient, out=y, exact=exact)
    y *= x
    _fma(y, z, e * _LN2_LOW, out=y, exact=exact)
    z *= f32(-0.5)
    y += z  # = fma(z, -½, y): z·½ is exact
    y += x
    e *= _LN2_HIGH  # exact: |e| ≤ 24 and _LN2_HIGH has 9 significant bits
    y += e  # so this add is PyTorch's fma(e, _LN2_HIGH, x + y)
    return y


_FOUR_OVER_PI = f32(1.27323954473516)
_PI_OVER_4 = (f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8))
_COS_POLY = (f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2))
_SIN_POLY = (f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1))
_SIGN_BIT = 31


def sincos(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sin θ, cos θ) for float32 θ in [0, 2π) (Box–Muller's angles), as ``sincos256_ps``.

    Reduce θ by the nearest multiple of π/4 at or above it (an even octant 0 … 8),
    evaluate the sine and the cosine polynomial on the remainder x, then swap
    them in octants 2 and 6 and flip signs by the octant. The swap and the signs
    are bit operations (np.where cost 5 ns a value, these 0.7 ns).
    """
    octant = (theta * _FOUR_OVER_PI).astype(np.int32)
    octant += 1
    octant &= ~1
    y = octant.astype(f32)
    # x = θ - y·π/4 in three parts. y ≤ 8, and the first two parts have 8 and 11
    # significant bits, so their products are exact: two plain adds, one FMA.
    x = y * _PI_OVER_4[0]
    x += theta
    x += y * _PI_OVER_4[1]
    exact = np.empty(x.shape, np.float64)  # every FMA's float64 sum, in one reused array
    _fma(y, _PI_OVER_4[2], x, out=x, exact=exact)
    z = x * x
    z64 = z.astype(np.float64)
    cos = _fma(z64, _COS_POLY[0], _COS_POLY[1], exact=exact)
    _fma(cos, z64, _COS_POLY[2], out=cos, exact=exact)
    cos *= z
    _fma(cos, z64, z * f32(-0.5), out=cos, exact=exact)
    cos += f32(1)
    sin = _fma(z64, _SIN_POLY[0], _SIN_POLY[1], exact=exact)
    _fma(sin, z64, _SIN_POLY[2], out=sin, exact=exact)
    sin *= z
    _fma(sin, x, x, out=sin, exact=exact)
    sin_bits, cos_bits = sin.view(np.int32), cos.view(np.int32)
    swap = octant << 30
    swap >>= 31  # all 32 bits set where octant & 2: there the polynomials trade places
    swap &= sin_bits ^ cos_bits
    sin_bits ^= swap
    cos_bits ^= swap
    sin_bits ^= (octant & 4) << (_SIGN_BIT - 2)  # negative in octants 4 and 6
    octant += 2
    cos_bits ^= (octant & 4) << (_SIGN_BIT - 2)  # negative in octants 2 and 4
    return sin, cos


# ----- float64: x · y + z with one rounding -----------------------------------------------
def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """s, e with s = RN(a + b) and a + b = s + e exactly (Knuth)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p, e with p = RN(a · b) and a · b = p + e exactly (Dekker's splitting)."""
    def split(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        c = 134217729.0 * x  # 2^27 + 1
        high = c - (c - x)
        return high, x - high

    p = a * b
    a_high, a_low = split(a)
    b_high, b_low = split(b)
    return p, ((a_high * b_high - p) + a_high * b_low + a_low * b_high) + a_low * b_low


def fma64(x: np.ndarray, y: float, z: float) -> np.ndarray:
    """x · y + z in float64, rounded once, as the FMA instruction PyTorch's compiler emits.

    x·y + z = r + e4 + e3 exactly, with r = RN(s + w); r is the answer unless the
    tiny remainder e3 could tip r - e4 across a rounding boundary — those rare
    elements are computed exactly with fractions.
    """
    x = np.asarray(x, np.float64)
    y_, z_ = np.full_like(x, y), np.full_like(x, z)
    p, e1 = _two_product(x, y_)
    s, e2 = _two_sum(p, z_)
    w, e3 = _two_sum(e2, e1)
    r, e4 = _two_sum(s, w)
    near_boundary = (e3 != 0) & (
        (np.abs(np.abs(e4) - np.spacing(np.abs(r)) / 2) <= 2 * np.abs(e3))
        | (np.frexp(np.abs(r))[0] == 0.5))
    for i in np.flatnonzero(near_boundary | ~np.isfinite(r)).tolist():
        r[i] = _exact_fma(float(x[i]), float(y), float(z))
    return r


def _exact_fma(x: float, y: float, z: float) -> float:
    if not all(np.isfinite((x, y, z))):
        return x * y + z
    return float(Fraction(x) * Fraction(y) + Fraction(z))
