"""Hypothesis strategies for tensors, shapes, dims, indices and small random programs.

Built on ``hypothesis.extra.numpy``; use them with ``@given`` in your own tests::

    from hypothesis import given
    from tinygrad_edu.testing import strategies as tst

    @given(tst.tensors(shape=tst.shapes(max_dims=2), requires_grad=True))
    def test_my_op(x): ...

Every strategy checks its arguments when it is defined: an impossible request
(a negative size, ``min > max``, an empty dtype list) raises ``ValueError``
at once, not in the middle of a test run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import dtypes
from tinygrad_edu.dtypes import DType
from tinygrad_edu.tensor import Tensor, _wrap

DEFAULT_DOMAIN = (-3.0, 3.0)


def _check_range(low: int, high: int, what: str) -> None:
    for name, value in ((f"min_{what}", low), (f"max_{what}", high)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
            raise ValueError(f"{name} must be an int, got {value!r}")
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if low > high:
        raise ValueError(f"min_{what}={low} is larger than max_{what}={high}; nothing fits")


def _check_shape(shape: Any) -> tuple:
    if not isinstance(shape, (tuple, list)) or not all(
        isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in shape
    ):
        raise ValueError(f"shape must be a tuple of ints, got {shape!r}")
    if any(s < 0 for s in shape):
        raise ValueError(f"shape {tuple(shape)} has a negative size")
    return tuple(int(s) for s in shape)


def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 3
) -> st.SearchStrategy[tuple]:
    """Array shapes with ``min_dims..max_dims`` dims, each of size ``min_side..max_side``.

    The defaults keep tensors small (at most 27 elements), so that finite
    differences (two evaluations per element) stay fast.
    """
    _check_range(min_dims, max_dims, "dims")
    _check_range(min_side, max_side, "side")
    return hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )


def _numpy_dtypes(dtype: Any) -> list:
    """A list of numpy dtypes from one dtype (ours or numpy's) or a sequence of them."""
    choices = list(dtype) if isinstance(dtype, (list, tuple)) else [dtype]
    if not choices:
        raise ValueError("dtype: an empty list of dtypes gives nothing to draw from")
    return [d.np_dtype if isinstance(d, DType) else np.dtype(d) for d in choices]


def default_elements(np_dtype: np.dtype, domain: tuple = DEFAULT_DOMAIN) -> st.SearchStrategy:
    """Finite values for ``np_dtype``: floats in ``domain``, small ints, or bools."""
    if np_dtype.kind == "f":
        low, high = domain
        return st.floats(low, high, allow_nan=False, allow_infinity=False,
                         allow_subnormal=False, width=8 * np_dtype.itemsize)
    if np_dtype.kind == "b":
        return st.booleans()
    if np_dtype.kind == "u":
        return st.integers(0, 5)
    return st.integers(-5, 5)


def _as_tensor(array: np.ndarray, requires_grad: bool) -> Tensor:
    return _wrap(np.array(array), requires_grad)  # a fresh, writeable copy


def tensors(
    shape: tuple | st.SearchStrategy[tuple] | None = None,
    *,
    dtype: Any = dtypes.float64,
    elements: st.SearchStrategy | None = None,
    requires_grad: bool = False,
) -> st.SearchStrategy[Tensor]:
    """Tensors of ``shape`` (a tuple or a strategy; default ``shapes()``).

    ``dtype`` is one dtype or a list to draw from (default float64, the one
    finite differences need); ``elements`` a strategy for the values (default:
    floats in [-3, 3], small ints, bools). Every element is drawn on its own,
    so values rarely repeat. ``requires_grad=True`` needs floating dtypes.
    """
    np_dtypes = _numpy_dtypes(dtype)
    if requires_grad and any(d.kind != "f" for d in np_dtypes):
        raise ValueError(
            f"requires_grad=True needs floating dtypes, got {[str(d) for d in np_dtypes]}"
        )
    shape_strategy = shapes() if shape is None else shape
    if not isinstance(shape_strategy, st.SearchStrategy):
        shape_strategy = st.just(_check_shape(shape_strategy))

    @st.composite
    def draw_tensor(draw: Callable) -> Tensor:
        np_dtype = draw(st.sampled_from(np_dtypes))
        values = default_elements(np_dtype) if elements is None else elements
        array = draw(hnp.arrays(np_dtype, draw(shape_strategy), elements=values,
                                fill=st.nothing()))
        return _as_tensor(array, requires_grad)

    return draw_tensor()


def broadcastable_tensors(
    n: int = 2,
    *,
    min_dims: int = 0,
    max_dims: int = 3,
    min_side: int = 1,
    max_side: int = 3,
    dtype: Any = dtypes.float64,
    elements: st.SearchStrategy | None = None,
    requires_grad: bool = False,
) -> st.SearchStrategy[tuple]:
    """Tuples of ``n`` tensors whose shapes broadcast together (sizes 1 and missing dims)."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    _check_range(min_dims, max_dims, "dims")
    _check_range(min_side, max_side, "side")
    tensors(shape=(), dtype=dtype, elements=elements, requires_grad=requires_grad)  # checks
    shape_sets = hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side
    )
    return shape_sets.flatmap(
        lambda shapes_: st.tuples(*[
            tensors(s, dtype=dtype, elements=elements, requires_grad=requires_grad)
            for s in shapes_.input_shapes
        ])
    )


def dims(
    ndim: int, *, allow_tuple: bool = True, allow_negative: bool = True
) -> st.SearchStrategy[int | tuple]:
    """A ``dim`` argument for a tensor with ``ndim`` dims: an int, or a tuple of distinct dims.

    Negative dims (``-1`` is the last) are drawn too unless
    ``allow_negative=False``. A 0-d tensor accepts ``0`` and ``-1``, as in PyTorch.
    """
    if not isinstance(ndim, int) or ndim < 0:
        raise ValueError(f"ndim must be an int >= 0, got {ndim!r}")
    size = max(ndim, 1)
    single = st.integers(-size if allow_negative else 0, size - 1)
    if not allow_tuple:
        return single
    distinct = st.lists(st.integers(0, size - 1), min_size=1, max_size=size, unique=True)
    if allow_negative:
        distinct = distinct.flatmap(lambda ds: st.tuples(*[
            st.sampled_from([d, d - size]) for d in ds
        ]))
    return st.one_of(single, distinct.map(tuple))


def indices(
    shape: tuple, *, allow_advanced: bool = True, allow_bool: bool = True
) -> st.SearchStrategy[Any]:
    """Indexes for a tensor of ``shape``, as numpy and PyTorch understand them.

    Basic indexes (ints, slices, None, Ellipsis) always; with
    ``allow_advanced``, integer arrays (negative and repeated entries included:
    repeated ones must sum their gradients) alone, mixed with a slice, or one
    per dim; with ``allow_bool``, boolean masks over the leading dims.
    """
    shape = _check_shape(shape)
    choices = [hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True)]
    if shape and all(shape):
        first = shape[0]
        int_array = hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=3),
                               elements=st.integers(-first, first - 1))
        if allow_advanced:
            choices.append(int_array)
            choices.append(hnp.integer_array_indices(
                shape, result_shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=3)))
            if len(shape) >= 2:
                column = hnp.arrays(np.int64, st.integers(1, 4),
                                    elements=st.integers(-shape[1], shape[1] - 1))
                choices.append(column.map(lambda c: (slice(None), c)))
        if allow_bool:
            choices.append(st.integers(1, len(shape)).flatmap(
                lambda k: hnp.arrays(np.bool_, shape[:k])))
    return st.one_of(*choices)


# ----- random programs: small graphs over the library's ops ---------------------------
# Every op here is written with Tensor methods only, so a program runs on PyTorch
# tensors too. They are smooth and keep values moderate, so finite differences apply.
DEFAULT_UNARY_OPS: dict = {
    "neg": lambda a: -a,
    "half": lambda a: a * 0.5,
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "center": lambda a: a - a.mean(),
    "softmax": lambda a: a.reshape(-1).softmax(0).reshape(a.shape),
}
DEFAULT_BINARY_OPS: dict = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
}


class Program:
    """A straight-line program: ``v_k = op(v_i[, v_j])``, the inputs being ``v0 .. v{n-1}``.

    Call it on tensors (``program(x0, x1)``) to get the last value. Values may
    be used many times (diamonds and longer shared paths), which is what makes
    programs good at finding dependency-counting bugs. ``repr`` is the listing.
    """

    def __init__(self, num_inputs: int, steps: Sequence[tuple]) -> None:
        self.num_inputs = num_inputs
        self.steps = tuple(steps)  # (op name, function, operand positions)

    def __call__(self, *inputs: Any) -> Any:
        if len(inputs) != self.num_inputs:
            raise TypeError(f"this program takes {self.num_inputs} inputs, got {len(inputs)}")
        values = list(inputs)
        for _, fn, operands in self.steps:
            values.append(fn(*[values[i] for i in operands]))
        return values[-1]

    @property
    def description(self) -> str:
        lines = [f"program({', '.join(f'v{i}' for i in range(self.num_inputs))}):"]
        for k, (name, _, operands) in enumerate(self.steps):
            args = ", ".join(f"v{i}" for i in operands)
            lines.append(f"    v{self.num_inputs + k} = {name}({args})")
        lines.append(f"    return v{self.num_inputs + len(self.steps) - 1}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.description


def programs(
    num_inputs: int = 1,
    *,
    min_ops: int = 1,
    max_ops: int = 6,
    unary_ops: Mapping[str, Callable] | None = None,
    binary_ops: Mapping[str, Callable] | None = None,
) -> st.SearchStrategy[Program]:
    """Random ``Program``s of ``min_ops..max_ops`` steps over ``num_inputs`` inputs.

    The ops are ``DEFAULT_UNARY_OPS`` and ``DEFAULT_BINARY_OPS``; pass your own
    mappings (name -> function) to fuzz your op inside larger graphs, e.g.
    ``programs(unary_ops={**DEFAULT_UNARY_OPS, "softplus": softplus})``.
    Every op must keep its input's shape (binary ops broadcast).
    """
    if not isinstance(num_inputs, int) or num_inputs < 1:
        raise ValueError(f"num_inputs must be a positive int, got {num_inputs!r}")
    if max_ops < 1:
        raise ValueError("max_ops must be at least 1: a program needs an op")
    _check_range(min_ops, max_ops, "ops")
    unary = dict(DEFAULT_UNARY_OPS if unary_ops is None else unary_ops)
    binary = dict(DEFAULT_BINARY_OPS if binary_ops is None else binary_ops)
    if not unary and not binary:
        raise ValueError("programs need at least one op: both op mappings are empty")
    kinds = ([("unary", sorted(unary))] if unary else []) + (
        [("binary", sorted(binary))] if binary else [])

    @st.composite
    def draw_program(draw: Callable) -> Program:
        steps = []
        for k in range(draw(st.integers(max(min_ops, 1), max_ops))):
            available = num_inputs + k
            kind, names = draw(st.sampled_from(kinds))
            name = draw(st.sampled_from(names))
            arity = 1 if kind == "unary" else 2
            operands = tuple(draw(st.integers(0, available - 1)) for _ in range(arity))
            steps.append((name, (unary if kind == "unary" else binary)[name], operands))
        return Program(num_inputs, steps)

    return draw_program()


AUTOGRAD_STEP_KINDS = ("unary", "binary", "view", "inplace", "setitem", "hook")


def autograd_programs(
    max_leaves: int = 3, max_steps: int = 10, shape: tuple = (2, 3)
) -> st.SearchStrategy[tuple]:
    """``(program, leaves)`` for fuzzing autograd's state: in-place ops, views, hooks.

    ``leaves`` are float64 arrays of ``shape``; ``program`` is a dict with
    ``steps`` — tuples ``(kind, i, j, variant, constant, flag)`` where ``kind``
    is one of ``AUTOGRAD_STEP_KINDS``, ``i`` and ``j`` pick operands from the
    pool of tensors made so far (modulo its size), ``variant`` picks the op of
    that kind, ``flag`` runs an in-place op under ``no_grad`` — and the flags
    ``twice`` (backward with ``retain_graph``, then again) and ``create_graph``
    (then a second derivative). The interpreter that gives the steps meaning is
    yours (see tests/test_fuzz_programs_torch.py, which runs each program in
    tinygrad_edu and in PyTorch); the values avoid 0 so that kinks are not hit.
    """
    _check_range(1, max_leaves, "leaves")
    _check_range(1, max_steps, "steps")
    shape = _check_shape(shape)
    magnitudes = st.floats(0.25, 2.0, allow_nan=False)
    value = st.builds(lambda m, s: m * s, magnitudes, st.sampled_from((-1.0, 1.0)))
    leaf = hnp.arrays(np.float64, shape, elements=value)
    step = st.tuples(st.sampled_from(AUTOGRAD_STEP_KINDS), st.integers(0, 15),
                     st.integers(0, 15), st.integers(0, 6), value, st.booleans())
    program = st.fixed_dictionaries({
        "steps": st.lists(step, min_size=1, max_size=max_steps),
        "twice": st.booleans(),
        "create_graph": st.booleans(),
    })
    return st.tuples(program, st.lists(leaf, min_size=1, max_size=max_leaves))
