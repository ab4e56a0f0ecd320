"""float32 Box–Muller exactly as PyTorch's AVX2 CPU kernel computes it, with numpy.

``torch.randn`` of 16 or more float32 values runs ``normal_fill_16_AVX2``: eight
pairs at a time, ln by a polynomial (Cephes' ``logf``) and sin/cos by two
polynomials after reducing the angle by π/4 (Cephes' ``sinf``/``cosf``), as
written in ATen's ``avx_mathfun.h``. numpy's own ``np.log``/``np.sin`` round
differently, so the same steps are written out here. The compiler fuses many of
PyTorch's multiply-adds into one FMA (one rounding instead of two); ``_fma``
does that in float64, where the product of two float32 numbers is exact.

PyTorch uses this kernel on every x86 CPU with AVX2 (AVX-512 machines run the
AVX2 kernel too). Elsewhere (ARM, old x86) it computes with the C library's
float functions; there we round float64 results, which can differ by 1 ulp.
"""

from __future__ import annotations

import platform

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


def _fma(a: np.ndarray, b: np.ndarray | float, c: np.ndarray | float) -> np.ndarray:
    """a · b + c rounded once to float32 (a·b of two float32 values is exact in float64)."""
    exact = np.multiply(a, b, dtype=np.float64)
    exact += c
    return exact.astype(f32)


# Cephes' logf: ln x = e·ln 2 + ln m, m in [√½, √2), ln(1 + x) by a degree-9 polynomial.
_LOG_POLY = [f32(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                              -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                              2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LN2_HIGH, _LN2_LOW = f32(0.693359375), f32(-2.12194440e-4)  # ln 2 = high + low


def log(x: np.ndarray) -> np.ndarray:
    """ln x for float32 x > 0, as ``log256_ps``."""
    x = np.maximum(x, f32(1.17549435e-38))  # no subnormals
    bits = x.view(np.int32)
    exponent = ((bits >> 23) - 0x7F).astype(f32) + f32(1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(f32)  # the mantissa as a number in [½, 1)
    small = m < f32(0.707106781186547524)
    exponent = exponent - small.astype(f32)  # m < √½: use 2m and one less in the exponent
    x = (m - f32(1)) + np.where(small, m, f32(0))
    z = x * x
    y = _fma(x, _LOG_POLY[0], _LOG_POLY[1])
    for coefficient in _LOG_POLY[2:]:
        y = _fma(y, x, coefficient)
    y = y * x
    y = _fma(y, z, exponent * _LN2_LOW)
    y = _fma(z, f32(-0.5), y)
    return _fma(exponent, _LN2_HIGH, x + y)


_FOUR_OVER_PI = f32(1.27323954473516)
_PI_OVER_4 = (f32(-0.78515625), f32(-2.4187564849853515625e-4), f32(-3.77489497744594108e-8))
_COS_POLY = (f32(2.443315711809948e-5), f32(-1.388731625493765e-3), f32(4.166664568298827e-2))
_SIN_POLY = (f32(-1.9515295891e-4), f32(8.3321608736e-3), f32(-1.6666654611e-1))


def sincos(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sin x, cos x) for float32 x ≥ 0 (Box–Muller's angles), as ``sincos256_ps``."""
    octant = (x * _FOUR_OVER_PI).astype(np.int32)
    octant += 1
    octant &= ~1  # even: the nearest multiple of π/4 at or above
    y = octant.astype(f32)
    negate_sin = (octant & 4) != 0
    negate_cos = ((octant - 2) & 4) == 0
    sine_first = (octant & 2) == 0  # which polynomial gives the sine
    for part in _PI_OVER_4:  # x - y·π/4 in three parts, for precision
        x = _fma(y, part, x)
    z = x * x
    cos_poly = _fma(_fma(z, _COS_POLY[0], _COS_POLY[1]), z, _COS_POLY[2])
    cos_poly = _fma(cos_poly * z, z, -(z * f32(0.5)).astype(np.float64))
    cos_poly += f32(1)
    sin_poly = _fma(_fma(z, _SIN_POLY[0], _SIN_POLY[1]), z, _SIN_POLY[2])
    sin_poly = _fma(sin_poly * z, x, x)
    sin = np.where(sine_first, sin_poly, cos_poly)
    cos = np.where(sine_first, cos_poly, sin_poly)
    np.negative(sin, out=sin, where=negate_sin)
    np.negative(cos, out=cos, where=negate_cos)
    return sin, cos


def box_muller_blocks(u1: np.ndarray, u2: np.ndarray, mean: np.float32,
                      std: np.float32) -> np.ndarray:
    """Rows of 16 normals from (n, 8) arrays u1 ∈ (0, 1] and u2 ∈ [0, 1): r cos θ | r sin θ."""
    radius = np.sqrt(f32(-2) * log(u1))
    sin, cos = sincos(f32(2 * np.pi) * u2)
    return np.concatenate([_fma(radius * cos, std, mean), _fma(radius * sin, std, mean)],
                          axis=1)


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
    from fractions import Fraction

    if not all(np.isfinite((x, y, z))):
        return x * y + z
    return float(Fraction(x) * Fraction(y) + Fraction(z))
