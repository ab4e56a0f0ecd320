"""Random tensors with PyTorch's values: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal``,
``multinomial``, ``bernoulli``, the ``*_like`` forms and the in-place ``uniform_`` family.

Each function is PyTorch's recipe on top of ``tinygrad_edu.random``: the same
draws, from the same generator, in the same order, so that after
``manual_seed(s)`` every result equals PyTorch's. Where PyTorch's CPU kernels
take different paths (16 or more normals at once; 64-bit draws for ranges of
2²⁸ or more), the docstring says which. Random results are constants: they
record no graph (their gradient is zero, as in PyTorch).
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu import random as rng
from tinygrad_edu import random_permutation as permutation
from tinygrad_edu.creation import _size as _shape  # zeros(2, 3), zeros((2, 3)), size=(2, 3)
from tinygrad_edu.device import check_device
from tinygrad_edu.dtypes import get_default_dtype, to_dtype
from tinygrad_edu.ops import inplace
from tinygrad_edu.tensor import _INT_GRAD_MESSAGE, Tensor, _wrap

_TORCH_NAMES = {np.dtype(np.float16): "Half", np.dtype(np.float32): "Float",
                np.dtype(np.float64): "Double", np.dtype(np.int8): "Char",
                np.dtype(np.int16): "Short", np.dtype(np.int32): "Int",
                np.dtype(np.int64): "Long", np.dtype(np.uint8): "Byte",
                np.dtype(np.bool_): "Bool"}


# ----- helpers -------------------------------------------------------------------------------
def _float_dtype(dtype: Any, name: str) -> np.dtype:
    np_dtype = (get_default_dtype() if dtype is None else to_dtype(dtype)).np_dtype
    if np_dtype.kind != "f":
        raise RuntimeError(f"\"{name}\" not implemented for '{_TORCH_NAMES[np_dtype]}'")
    return np_dtype


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    if requires_grad and array.dtype.kind != "f":
        raise RuntimeError(_INT_GRAD_MESSAGE.format(dtypes.from_numpy_dtype(array.dtype)))
    return _wrap(array, requires_grad)


def _memory_order(array: np.ndarray) -> np.ndarray:
    """A view of ``array`` whose C order is its memory order (PyTorch fills in memory order)."""
    if array.flags.c_contiguous or array.ndim < 2:
        return array
    axes = sorted(range(array.ndim), key=lambda axis: -abs(array.strides[axis]))
    return array.transpose(axes)


def _fill(t: Tensor, flat: np.ndarray, op_name: str) -> Tensor:
    """Write ``flat`` (one value per element, in the order PyTorch draws them) into ``t``."""
    order = _memory_order(t.array)
    if order is t.array:
        values = flat.reshape(t.array.shape)
    else:  # lay the values out the way t's memory is laid out
        values = np.empty_like(t.array)
        _memory_order(values)[...] = flat.reshape(order.shape)
    return inplace.fill(t, _wrap(values), op_name)


def _dtype_name(t: Tensor) -> str:
    return _TORCH_NAMES[t.array.dtype]


# ----- in-place draws (PyTorch's Tensor methods) --------------------------------------------
def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *,
             generator: rng.Generator | None = None, **kwargs: Any) -> Tensor:
    """Fill with U(from, to): ``x · (to - from) + from`` for uniform x in [0, 1) (one draw each)."""
    from_ = kwargs.pop("from", from_)  # PyTorch's keyword is ``from``, a Python keyword
    if kwargs:
        raise TypeError(f"uniform_() got unexpected keyword arguments {sorted(kwargs)}")
    if self.array.dtype.kind != "f":
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{_dtype_name(self)}'")
    if not from_ <= to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={from_} > to={to}")
    values = rng.uniform(rng.resolve(generator), self.array.size, self.array.dtype, from_, to)
    return _fill(self, values, "uniform_")


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *,
            generator: rng.Generator | None = None) -> Tensor:
    """Fill with N(mean, std²) by Box–Muller: 16 at a time for ≥ 16 contiguous elements."""
    if self.array.dtype.kind != "f":
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{_dtype_name(self)}'")
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    values = rng.normal(rng.resolve(generator), self.array.size, self.array.dtype, mean, std,
                        contiguous=self.array.flags.c_contiguous)
    return _fill(self, values, "normal_")


def exponential_(self: Tensor, lambd: float = 1.0, *,
                 generator: rng.Generator | None = None) -> Tensor:
    """Fill with Exp(λ): -ln(1 - u) / λ for uniform u (float64 draws, then rounded)."""
    if self.array.dtype.kind != "f":
        raise RuntimeError(f"\"exponential_cpu\" not implemented for '{_dtype_name(self)}'")
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    u = rng.uniform(rng.resolve(generator), self.array.size, np.float64)
    log1p = np.fromiter(map(math.log1p, (-u).tolist()), np.float64, u.size)  # the C library's
    return _fill(self, ((-1.0 / lambd) * log1p).astype(self.array.dtype), "exponential_")


def _largest_draw(np_dtype: np.dtype) -> int:
    """The largest value ``random_()`` gives for a dtype: its max, or 2^mantissa for floats."""
    if np_dtype.kind == "f":
        return 2 ** (np.finfo(np_dtype).nmant + 1)
    if np_dtype.kind == "b":
        return 1
    return builtins.int(np.iinfo(np_dtype).max)


def _integers(generator: rng.Generator, count: int, low: int, high: int,
              np_dtype: np.dtype) -> np.ndarray:
    """``count`` integers in [low, high): ``bits % (high - low) + low``.

    A 64-bit draw when the range is 2²⁸ or more, a 32-bit draw otherwise (PyTorch
    2.13's ``random_from_to``; measured against it, since older sources say 2³²).
    """
    span = high - low
    wide = span >= 2**28
    bits = generator.random64(count) if wide else generator.random32(count)
    values = (bits % bits.dtype.type(span)).astype(np.int64)
    return (values + np.int64(low)).astype(np_dtype)


def random_(self: Tensor, *bounds: int | None, generator: rng.Generator | None = None,
            **keywords: int | None) -> Tensor:
    """Fill with integers: ``random_()`` in [0, max], ``random_(to)``, ``random_(from, to)``.

    Without bounds: a 64-bit draw modulo 2⁶³ (int64) or 2⁵³ + 1 (float64), a 32-bit
    draw modulo max + 1 for the smaller types (2²⁴ + 1 for float32). ``to=None``
    with a ``from`` means up to the dtype's largest value.
    """
    low, high, bounded = _bounds(bounds, keywords)
    generator = rng.resolve(generator)
    np_dtype, count = self.array.dtype, self.array.size
    if not bounded:
        largest = _largest_draw(np_dtype)
        wide = np_dtype in (np.dtype(np.int64), np.dtype(np.float64))
        bits = generator.random64(count) if wide else generator.random32(count)
        return _fill(self, (bits % np.uint64(largest + 1)).astype(np_dtype), "random_")
    if high is None and np_dtype == np.int64 and low == -(2**63):  # the full 64-bit range
        return _fill(self, generator.random64(count).view(np.int64), "random_")
    if high is None:
        high = _largest_draw(np_dtype) + 1
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    return _fill(self, _integers(generator, count, low, high, np_dtype), "random_")


def _bounds(bounds: tuple, keywords: dict) -> tuple[int, int | None, bool]:
    """PyTorch's three forms: ``()``, ``(to)``, ``(from, to)`` (``from``/``to`` as keywords too)."""
    unknown = set(keywords) - {"from", "to"}
    if unknown or len(bounds) > 2:
        raise TypeError(f"random_() takes (), (to) or (from, to); got {len(bounds)} positional "
                        f"arguments and keywords {sorted(keywords)}")
    if len(bounds) == 2:
        return bounds[0], bounds[1], True
    if len(bounds) == 1:
        if "to" in keywords:
            return bounds[0], keywords["to"], True
        return 0, bounds[0], True
    if "from" in keywords:
        return keywords["from"], keywords.get("to"), True
    if keywords.get("to") is not None:
        return 0, keywords["to"], True
    return 0, None, False


def bernoulli_(self: Tensor, p: Any = 0.5, *, generator: rng.Generator | None = None) -> Tensor:
    """Fill with 1 where a uniform draw is < p, else 0.

    A float p compares float64 draws; a tensor p (broadcast to ``self``) compares
    float32 draws for float32 p and float64 draws for float64 p.
    """
    generator = rng.resolve(generator)
    count = self.array.size
    if isinstance(p, Tensor):
        if p.array.dtype.kind != "f":
            raise RuntimeError(f"\"bernoulli_tensor_cpu_p_\" not implemented for "
                               f"'{_dtype_name(p)}'")
        try:
            probs = np.broadcast_to(p.array, self.array.shape)
        except ValueError:
            raise RuntimeError(f"bernoulli_: p of shape {tuple(p.shape)} cannot be expanded to "
                               f"the tensor's shape {tuple(self.shape)}") from None
        probs = _memory_order(probs).ravel() if not self.array.flags.c_contiguous else \
            probs.ravel()
        draw_dtype = np.float64 if p.array.dtype == np.float64 else np.float32
        draws = rng.uniform(generator, count, draw_dtype)
        return _fill(self, (draws < probs.astype(draw_dtype)).astype(self.array.dtype),
                     "bernoulli_")
    if not 0.0 <= p <= 1.0:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    draws = rng.uniform(generator, count, np.float64)
    return _fill(self, (draws < p).astype(self.array.dtype), "bernoulli_")


# ----- new tensors ----------------------------------------------------------------------------
def rand(*size: Any, generator: rng.Generator | None = None, dtype: Any = None,
         device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Uniform on [0, 1): 24 random bits · 2⁻²⁴ per float32 (53 bits · 2⁻⁵³ per float64)."""
    check_device(device)
    shape = _shape(size, kwargs.pop("size", None))
    _no_more(kwargs, "rand")
    np_dtype = _float_dtype(dtype, "check_uniform_bounds")
    values = rng.uniform(rng.resolve(generator), math.prod(shape), np_dtype)
    return _new(values.reshape(shape), requires_grad)


def randn(*size: Any, generator: rng.Generator | None = None, dtype: Any = None,
          device: Any = None, requires_grad: bool = False, **kwargs: Any) -> Tensor:
    """Standard normal, by Box–Muller (16 at a time for 16 elements or more, else one at a time)."""
    check_device(device)
    shape = _shape(size, kwargs.pop("size", None))
    _no_more(kwargs, "randn")
    np_dtype = _float_dtype(dtype, "normal_kernel_cpu")
    values = rng.normal(rng.resolve(generator), math.prod(shape), np_dtype)
    return _new(values.reshape(shape), requires_grad)


def _no_more(kwargs: dict, name: str) -> None:
    if kwargs:
        raise TypeError(f"{name}() got unexpected keyword arguments {sorted(kwargs)}")


def randint(low: Any = None, high: Any = None, size: Any = None, *,
            generator: rng.Generator | None = None, dtype: Any = None, device: Any = None,
            requires_grad: bool = False) -> Tensor:
    """Integers in [low, high); ``randint(high, size)`` starts at 0. int64 unless ``dtype``."""
    check_device(device)
    if size is None:
        if high is None or not isinstance(high, (tuple, list)):
            raise TypeError("randint() missing the required argument 'size' (a tuple)")
        low, high, size = 0, low, high
    elif high is None:  # randint(high, size=...)
        low, high = 0, low
    elif low is None:  # randint(high=..., size=...)
        low = 0
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): size must be a tuple of ints, got {type(size).__name__}")
    shape = _shape(tuple(size))
    np_dtype = to_dtype(dtype or dtypes.int64).np_dtype
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    values = _integers(rng.resolve(generator), math.prod(shape), builtins.int(low),
                       builtins.int(high), np_dtype)
    return _new(values.reshape(shape), requires_grad)


def randperm(n: int, *, generator: rng.Generator | None = None, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:
    """A random permutation of 0 … n-1, by PyTorch's Fisher–Yates shuffle.

    Start from 0, 1, …, n-1; for i = 0 … n-2 swap place i with place i + (bits % (n - i)),
    one 32-bit draw per step. From n = 214,748,364 on, PyTorch's "inside-out"
    shuffle with one 64-bit draw per place (``tinygrad_edu/random_permutation.py``).
    """
    check_device(device)
    if isinstance(n, bool) or not isinstance(n, (builtins.int, np.integer)):
        raise TypeError(f"randperm(): argument 'n' (position 1) must be int, not "
                        f"{type(n).__name__}")
    n = builtins.int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    np_dtype = to_dtype(dtype or dtypes.int64).np_dtype
    _check_permutation_fits(n, np_dtype)
    generator = rng.resolve(generator)
    if n == 0:
        order = np.empty(0, dtype=np.int64)
    elif n < permutation.SMALL_N_LIMIT:
        steps = np.arange(n - 1, dtype=np.uint64)
        order = permutation.swap_forward(generator.random32(len(steps)) % (np.uint64(n) - steps))
    else:
        sources = generator.random64(n)
        sources %= np.arange(1, n + 1, dtype=np.uint64)  # in place: n is 2·10⁸ or more here
        order = permutation.inside_out(sources.view(np.int64))
    return _new(order.astype(np_dtype), requires_grad)


def _check_permutation_fits(n: int, np_dtype: np.dtype) -> None:
    """PyTorch's checks: n - 1 must fit an integer dtype, and be exact in a float one."""
    if np_dtype.kind == "b":
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if np_dtype.kind in "iu" and n - 1 > np.iinfo(np_dtype).max:
        raise RuntimeError(f"randperm: n={n} does not fit {np_dtype} (value cannot be converted "
                           f"to type {np_dtype}_t without overflow)")
    if np_dtype.kind == "f":
        digits = np.finfo(np_dtype).nmant + 1
        if n > 2**digits + 1:
            limit = 2049 if digits == 11 else f"2^{digits}+1"
            raise RuntimeError(f"n cannot be greater than {limit} for "
                               f"{_TORCH_NAMES[np_dtype]} type.")


def _like_dtype(input: Tensor, dtype: Any) -> np.dtype:  # noqa: A002
    return input.array.dtype if dtype is None else to_dtype(dtype).np_dtype


def rand_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
              requires_grad: bool = False, generator: rng.Generator | None = None) -> Tensor:
    """``rand`` of ``input``'s shape and dtype."""
    out = _wrap(np.empty(input.shape, _like_dtype(input, dtype)))
    check_device(device)
    uniform_(out, generator=generator)
    return _new(out.array, requires_grad)


def randn_like(input: Tensor, *, dtype: Any = None, device: Any = None,  # noqa: A002
               requires_grad: bool = False, generator: rng.Generator | None = None) -> Tensor:
    """``randn`` of ``input``'s shape and dtype."""
    out = _wrap(np.empty(input.shape, _like_dtype(input, dtype)))
    check_device(device)
    normal_(out, generator=generator)
    return _new(out.array, requires_grad)


def randint_like(input: Tensor, low: int = 0, high: int | None = None, *,  # noqa: A002
                 dtype: Any = None, device: Any = None, requires_grad: bool = False,
                 generator: rng.Generator | None = None) -> Tensor:
    """``randint`` of ``input``'s shape and dtype: ``(x, high)`` or ``(x, low, high)``."""
    if high is None:
        low, high = 0, low
    check_device(device)
    out = _wrap(np.empty(input.shape, _like_dtype(input, dtype)))
    random_(out, low, high, generator=generator)
    return _new(out.array, requires_grad)


def normal(mean: Any, std: Any = 1.0, size: Any = None, *,
           generator: rng.Generator | None = None, dtype: Any = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """N(mean, std²) draws; ``mean`` and ``std`` are numbers or tensors (broadcast together).

    Two numbers need ``size``. With a tensor, PyTorch draws standard normals (or
    N(0, std²) for a number std) for the output's shape, then multiplies by a
    tensor std and adds the mean — the same float operations are done here.
    """
    check_device(device)
    generator = rng.resolve(generator)
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        if size is None:
            raise TypeError("normal() with a float mean and std needs a size")
        out = _wrap(np.empty(_shape((size,) if not isinstance(size, (tuple, list))
                                    else (tuple(size),)), _float_dtype(dtype, "normal")))
        normal_(out, mean, std, generator=generator)
        return _new(out.array, requires_grad)
    if std_is_tensor and std.array.size and np.min(std.array) < 0:
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_is_tensor and not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    arrays = [t.array for t in (mean, std) if isinstance(t, Tensor)]
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
    except ValueError:
        raise RuntimeError(f"normal: the shapes of mean {tuple(np.shape(arrays[0]))} and std "
                           f"{tuple(np.shape(arrays[-1]))} cannot be broadcast") from None
    out_dtype = (mean if mean_is_tensor else std).array.dtype
    if out_dtype.kind != "f":
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{_TORCH_NAMES[out_dtype]}'")
    out = _wrap(np.empty(shape, out_dtype))
    if mean_is_tensor and not std_is_tensor:  # N(0, std²), then + mean
        normal_(out, 0.0, std, generator=generator)
        values = out.array + mean.array
    else:  # N(0, 1), then · std + mean
        normal_(out, 0.0, 1.0, generator=generator)
        values = out.array * std.array.astype(out_dtype, copy=False)
        values = values + (mean.array if mean_is_tensor else out_dtype.type(mean))
    return _new(np.ascontiguousarray(values.astype(out_dtype, copy=False)), requires_grad)


def bernoulli(input: Tensor, p: float | None = None, *,  # noqa: A002
              generator: rng.Generator | None = None) -> Tensor:
    """0/1 draws with P(1) = ``input`` (element-wise), or = ``p`` for every element if given."""
    out = _wrap(np.empty(input.shape, input.array.dtype))
    bernoulli_(out, input if p is None else p, generator=generator)
    return out


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,  # noqa: A002
                generator: rng.Generator | None = None) -> Tensor:
    """Indices drawn from the rows of ``input`` (weights, not necessarily summing to 1).

    Without replacement, or for one sample: PyTorch's exponential trick — draw
    q ~ Exp(1) per weight and take the indices of the largest w / q (which picks
    index i with probability w_i / Σw, then the next among the rest ...).
    With replacement: a float64 uniform per sample, looked up in the normalised
    cumulative sums of the row (a binary search).
    """
    generator = rng.resolve(generator)
    weights = input.array
    if weights.ndim not in (1, 2):
        raise RuntimeError(f"prob_dist must be 1 or 2 dim, got {weights.ndim}")
    if weights.dtype.kind != "f":
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_TORCH_NAMES[weights.dtype]}")
    categories = weights.shape[-1]
    if isinstance(num_samples, bool) or not isinstance(num_samples, (builtins.int, np.integer)) \
            or num_samples <= 0:
        raise RuntimeError(f"cannot sample n_sample <= 0 samples (got {num_samples})")
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           f"replacement (n_sample={num_samples}, categories={categories})")
    rows = weights.reshape(-1, categories)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    if np.any(rows.sum(axis=1) == 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    if not replacement or num_samples == 1:
        noise = _wrap(np.empty(rows.shape, weights.dtype))
        exponential_(noise, 1.0, generator=generator)
        keys = rows / noise.array
        if num_samples == 1:
            picks = np.argmax(keys, axis=1)[:, None]
        else:
            picks = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        picks = np.empty((len(rows), num_samples), dtype=np.int64)
        for r, row in enumerate(rows):
            cumulative = np.cumsum(row)  # sequential sums in the row's dtype, as PyTorch
            cumulative = cumulative / cumulative[-1]
            cumulative[-1] = 1
            draws = rng.uniform(generator, num_samples, np.float64)
            picks[r] = np.searchsorted(cumulative.astype(np.float64), draws, side="left")
    shape = (num_samples,) if weights.ndim == 1 else (weights.shape[0], num_samples)
    return _wrap(picks.astype(np.int64).reshape(shape))


# The family's Tensor methods (PyTorch's in-place draws and two samplers).
Tensor.uniform_ = uniform_
Tensor.normal_ = normal_
Tensor.exponential_ = exponential_
Tensor.random_ = random_
Tensor.bernoulli_ = bernoulli_
Tensor.bernoulli = bernoulli
Tensor.multinomial = multinomial
