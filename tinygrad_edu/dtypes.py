"""Data types, the default floating dtype, and PyTorch's type-promotion rules.

A ``DType`` is a thin, printable wrapper around a numpy dtype. Tensors store
numpy arrays; ``tensor.dtype`` looks the wrapper up from the array's dtype.
"""

from __future__ import annotations

import builtins

import numpy as np

# What reprs call the library: "torch" once the torch alias is on (torch_alias.py), so that
# a PyTorch script prints torch.float32 and torch.Size([2, 3]) as it does under PyTorch.
DISPLAY_PREFIX = "tinygrad_edu"


class DType:
    """A tensor element type, printed as ``tinygrad_edu.float32`` (``torch.float32`` under
    the torch alias)."""

    __slots__ = ("name", "np_dtype", "is_floating_point", "itemsize")

    def __init__(self, name: str, np_dtype: np.dtype) -> None:
        self.name = name
        self.np_dtype = np.dtype(np_dtype)
        self.is_floating_point = self.np_dtype.kind == "f"
        self.itemsize = self.np_dtype.itemsize

    def __repr__(self) -> str:
        return f"{DISPLAY_PREFIX}.{self.name}"

    def __reduce__(self) -> str:
        return self.name


float16 = DType("float16", np.float16)
float32 = DType("float32", np.float32)
float64 = DType("float64", np.float64)
int8 = DType("int8", np.int8)
int16 = DType("int16", np.int16)
int32 = DType("int32", np.int32)
int64 = DType("int64", np.int64)
uint8 = DType("uint8", np.uint8)
bool = DType("bool", np.bool_)  # noqa: A001 - PyTorch's name

half, float, double = float16, float32, float64  # noqa: A001 - PyTorch's aliases
short, int, long = int16, int32, int64  # noqa: A001

ALL_DTYPES = (float16, float32, float64, int8, int16, int32, int64, uint8, bool)
_BY_NUMPY = {d.np_dtype: d for d in ALL_DTYPES}

_default_float = float32


def get_default_dtype() -> DType:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(d: DType) -> None:
    """Set the dtype of tensors made from Python floats; only float32 or float64."""
    global _default_float
    d = to_dtype(d)
    if d not in (float32, float64):
        raise TypeError(f"set_default_dtype: only float32 or float64 can be the default, got {d}")
    _default_float = d


def from_numpy_dtype(np_dtype: np.dtype) -> DType:
    """The DType for a numpy dtype; a clear TypeError for unsupported ones."""
    try:
        return _BY_NUMPY[np_dtype]
    except KeyError:
        raise TypeError(
            f"numpy dtype {np_dtype} is not supported; expected one of "
            f"{', '.join(d.name for d in ALL_DTYPES)}"
        ) from None


def to_dtype(d: object) -> DType:
    """Accept a DType, a numpy dtype or a Python type (float, int, bool); not a name."""
    if isinstance(d, DType):
        return d
    if d is builtins.float:
        return _default_float
    if d is builtins.int:
        return int64
    if d is builtins.bool:
        return bool
    if isinstance(d, str):  # PyTorch takes no names here: torch.zeros(2, dtype="int32") fails
        hint = f"; write tinygrad_edu.{d}" if isinstance(globals().get(d), DType) else ""
        raise TypeError(f"expected a dtype such as tinygrad_edu.float32, not the str {d!r}{hint}")
    try:
        return from_numpy_dtype(np.dtype(d))
    except TypeError:
        raise TypeError(f"expected a dtype such as tinygrad_edu.float32, got {d!r}") from None


def _category(np_dtype: np.dtype) -> builtins.int:
    """0 for bool, 1 for integers, 2 for floating point."""
    return 2 if np_dtype.kind == "f" else (0 if np_dtype.kind == "b" else 1)


def default_for_category(category: builtins.int) -> np.dtype:
    """The dtype a Python scalar of this category becomes on its own."""
    if category == 2:
        return _default_float.np_dtype
    return np.dtype(np.int64) if category == 1 else np.dtype(np.bool_)


def result_type(a: np.ndarray, b: np.ndarray) -> np.dtype:
    """PyTorch's promotion for two tensors' arrays.

    Dimensioned tensors outrank 0-d tensors of the same category (bool < int <
    float): ``float32 tensor + float64 0-d tensor`` stays float32. A higher
    category coming only from a 0-d operand gives that operand's dtype:
    ``int64 tensor + 0-d float64`` is float64. (Python scalars are different:
    they become the category's default dtype, see ``tensor._as_tensor``.)
    """
    da, db = a.dtype, b.dtype
    if da == db:
        return da
    ca, cb = _category(da), _category(db)
    a_dim, b_dim = a.ndim > 0, b.ndim > 0
    if a_dim != b_dim:
        dim_dtype, zero_dtype = (da, db) if a_dim else (db, da)
        c_dim, c_zero = _category(dim_dtype), _category(zero_dtype)
        return dim_dtype if c_zero <= c_dim else zero_dtype
    if ca != cb:
        return da if ca > cb else db
    return np.promote_types(da, db)


def promote_types(*np_dtypes: np.dtype) -> np.dtype:
    """PyTorch's promotion for several dimensioned tensors (``cat``, ``stack``): the
    highest category wins (``int64`` with ``float16`` is ``float16``, where numpy
    would give ``float64``); within a category, the wider dtype."""
    result = np_dtypes[0]
    for other in np_dtypes[1:]:
        ca, cb = _category(result), _category(other)
        if ca != cb:
            result = result if ca > cb else other
        else:
            result = np.promote_types(result, other)
    return result
