"""``Tensor``: a numpy array plus what autograd needs to know about it.

``array`` is the numpy array (``.data`` is PyTorch's: a Tensor sharing it,
outside the graph); ``requires_grad`` says whether gradients are wanted;
``grad_fn`` is the graph node (a ``Function``) that made the tensor, None for
leaves; ``grad`` receives the gradient after ``backward()``.

The methods here only check their arguments and delegate to the ops in
``tinygrad_edu/ops/``, where each forward and its derivative live side by side.
"""

from __future__ import annotations

import builtins
import weakref
from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.device import to_arguments
from tinygrad_edu.dtypes import DType, result_type, to_dtype

_SCALAR_TYPES = (builtins.int, builtins.float, builtins.bool, np.number, np.bool_)


class VersionCounter:
    """Counts in-place changes to an array; views of it share the counter (and are
    listed in ``views``, weakly, so that an in-place op can update them: autograd/views.py)."""

    __slots__ = ("value", "views")

    def __init__(self) -> None:
        self.value = 0
        self.views: list | None = None


class RemovableHandle:
    """Returned by ``register_hook``; ``remove()`` takes the hook away again."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks, self._hook = hooks, hook

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)


class Size(tuple):
    """A tensor's shape: a tuple (it compares equal to one) that prints like PyTorch's
    ``torch.Size([2, 3])``."""

    def __repr__(self) -> str:
        return f"{dtypes.DISPLAY_PREFIX}.Size({list(self)})"

    def numel(self) -> int:
        count = 1
        for size in self:
            count *= size
        return count


class MaxResult(NamedTuple):
    """``(values, indices)``, as returned by ``max(dim)`` and ``min(dim)``."""

    values: Tensor
    indices: Tensor


class Tensor:
    """An n-dimensional array that records the ops made from it for backward.

    ``Tensor(data)`` is PyTorch's legacy constructor (always float32);
    prefer ``tinygrad_edu.tensor(data, dtype=None, requires_grad=False)``.
    """

    __slots__ = ("array", "requires_grad", "_grad", "grad_fn", "_version_counter", "_accumulator",
                 "_view", "__weakref__")
    __array_priority__ = 1000  # numpy defers to Tensor's reflected operators

    def __init__(self, *args: Any) -> None:
        if len(args) == 1 and not isinstance(args[0], builtins.int):
            data = np.array(_unwrap_nested(args[0]), dtype=np.float32)
        elif all(isinstance(a, builtins.int) for a in args):
            data = np.empty(args, dtype=np.float32)  # Tensor(2, 3): uninitialised, as PyTorch
        else:
            raise TypeError(f"Tensor() expects data or integer sizes, got {args!r}")
        _init(self, data)

    # ----- attributes ---------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """PyTorch's ``.data``: a tensor sharing this one's memory, outside the graph.

        It never requires grad, and changes made through it (``p.data -= lr * p.grad``)
        are not seen by autograd: it has a version counter of its own, as in PyTorch.
        """
        return _wrap(self.array)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(
                f"Tensor.data must be set to a Tensor, got {type(value).__name__}"
            )
        self.array = value.array

    @property
    def grad(self) -> Tensor | None:
        """The gradient that backward() accumulated here (None before the first one)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:  # the engine writes _grad directly
        self._grad = check_assigned_grad(self, value)

    @property
    def _base(self) -> Tensor | None:
        """The tensor this one is a view of (PyTorch's ``_base``), else None."""
        return None if self._view is None else self._view.base

    @property
    def shape(self) -> Size:
        return Size(self.array.shape)

    @property
    def ndim(self) -> int:
        return self.array.ndim

    @property
    def dtype(self) -> DType:
        return dtypes.from_numpy_dtype(self.array.dtype)

    @property
    def is_leaf(self) -> bool:
        """True for tensors made by the user, not by an op that recorded a graph."""
        return self.grad_fn is None

    @property
    def _version(self) -> VersionCounter:
        """The in-place change counter, made on first use (most tensors never need one)."""
        if self._version_counter is None:
            self._version_counter = VersionCounter()
        return self._version_counter

    @_version.setter
    def _version(self, counter: VersionCounter) -> None:
        self._version_counter = counter

    @property
    def T(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """All dims reversed (for a matrix: its transpose). ``W.T`` runs in every
        ``x @ W.T``, so it goes to the op directly, skipping ``permute``'s checks."""
        n = self.array.ndim
        if n < 2:
            return self
        return movement.Permute.apply(self, (1, 0) if n == 2 else tuple(range(n - 1, -1, -1)))

    @property
    def mT(self) -> Tensor:  # noqa: N802
        if self.array.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices")
        return self.transpose(-2, -1)

    def size(self, dim: int | None = None) -> Size | int:
        if dim is None:
            return Size(self.array.shape)
        return self.array.shape[_dim(dim, self.ndim)]

    def dim(self) -> int:
        return self.array.ndim

    def numel(self) -> int:
        return self.array.size

    nelement = numel

    def is_floating_point(self) -> bool:
        return self.array.dtype.kind == "f"

    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    __hash__ = object.__hash__

    # ----- conversions ---------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        """The array itself (shared, not copied), as PyTorch's ``numpy()``."""
        if self.requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self.array

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.array if dtype is None else self.array.astype(dtype)

    def item(self) -> builtins.float | builtins.int | builtins.bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"a Tensor with {self.array.size} elements cannot be converted to Scalar"
            )
        return note_read(self, self.array.item())  # tg.compile sees values read (recording.py)

    def tolist(self) -> Any:
        return note_read(self, self.array.tolist())

    def __float__(self) -> builtins.float:
        return builtins.float(_one_element(self))

    def __int__(self) -> builtins.int:
        return builtins.int(_one_element(self))

    def __index__(self) -> builtins.int:
        if self.array.dtype.kind not in "iub" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be used as an index")
        return builtins.int(self.item())

    def __bool__(self) -> builtins.bool:
        if self.array.size != 1:
            raise RuntimeError(
                f"Boolean value of Tensor with {self.array.size} elements is ambiguous"
            )
        return note_read(self, builtins.bool(self.array.item()))

    def __repr__(self) -> str:
        from tinygrad_edu.formatting import tensor_repr

        return tensor_repr(self)

    def __format__(self, format_spec: str) -> str:
        from tinygrad_edu.formatting import tensor_format

        return tensor_format(self, format_spec)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor in another dtype (differentiable); itself if nothing changes.

        PyTorch's forms: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
        ``to(other)``, ``copy=True``; the only device is the CPU (``device.py``).
        """
        dtype, copy = to_arguments(args, kwargs)
        if dtype is None or self.array.dtype == to_dtype(dtype).np_dtype:
            return self.clone() if copy else self
        return elementwise.Cast.apply(self, to_dtype(dtype).np_dtype)

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    # ----- autograd ------------------------------------------------------------------
    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: builtins.bool | None = None,
        create_graph: builtins.bool = False,
    ) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        ``gradient`` is d(loss)/d(self); it may be left out only when self has
        one element. The graph's saved values are freed afterwards unless
        ``retain_graph=True``; ``create_graph=True`` records the backward pass
        itself, so the gradients can be differentiated again.
        """
        if not self.requires_grad:
            raise RuntimeError(
                "element 0 of tensors does not require grad and does not have a grad_fn"
            )
        gradient = _initial_gradient(self, gradient, 0)
        if retain_graph is None:
            retain_graph = create_graph
        engine.run_backward([self], [gradient], retain_graph, create_graph)

    def detach(self) -> Tensor:
        """The same data (shared) cut off from the graph."""
        out = _wrap(self.array)
        out._version = self._version
        return out

    def requires_grad_(self, requires_grad: builtins.bool = True) -> Tensor:
        if not isinstance(requires_grad, (builtins.bool, np.bool_)):
            raise TypeError(f"requires_grad_(): argument 'requires_grad' must be bool, not "
                            f"{type(requires_grad).__name__}")
        if requires_grad and self.array.dtype.kind != "f":
            raise RuntimeError(_INT_GRAD_MESSAGE.format(self.dtype))
        if not self.is_leaf and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables; "
                "use detach() to get a tensor without a graph"
            )
        self.requires_grad = requires_grad
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor too after backward."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self.grad_fn._retained = weakref.ref(self)

    @property
    def retains_grad(self) -> builtins.bool:
        return self.grad_fn is not None and self.grad_fn._retained is not None

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one."""
        from tinygrad_edu.autograd.function import gradient_edge

        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = gradient_edge(self)
        if node._hooks is None:
            node._hooks = []
        node._hooks.append(hook)
        return RemovableHandle(node._hooks, hook)

    def clone(self) -> Tensor:
        return elementwise.Clone.apply(self)

    def __deepcopy__(self, memo: dict) -> Tensor:
        """A new leaf with copies of the data and gradient (leaves only, as in PyTorch).

        The default deepcopy would also copy the leaf's gradient node, which
        still points to this tensor: the copy's gradients would land here.
        """
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol; detach() the tensor first"
            )
        if id(self) in memo:
            return memo[id(self)]
        result = _wrap(self.array.copy(), self.requires_grad)
        if self.grad is not None:
            result.grad = _wrap(self.grad.array.copy())
        memo[id(self)] = result
        return result

    def contiguous(self) -> Tensor:  # a copy in C order when it is not (then view works)
        return self if self.array.flags.c_contiguous else self.clone()

    # ----- arithmetic ----------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return _binary(elementwise.Add, self, other, "add")

    def __radd__(self, other: Any) -> Tensor:
        return _binary(elementwise.Add, other, self, "add")

    def __sub__(self, other: Any) -> Tensor:
        return _binary(elementwise.Sub, self, other, "sub")

    def __rsub__(self, other: Any) -> Tensor:
        return _binary(elementwise.Sub, other, self, "sub")

    def __mul__(self, other: Any) -> Tensor:
        return _binary(elementwise.Mul, self, other, "mul")

    def __rmul__(self, other: Any) -> Tensor:
        return _binary(elementwise.Mul, other, self, "mul")

    def __truediv__(self, other: Any) -> Tensor:
        return _binary(elementwise.Div, self, other, "div")

    def __rtruediv__(self, other: Any) -> Tensor:
        return _binary(elementwise.Div, other, self, "div")

    def __pow__(self, exponent: Any) -> Tensor:
        return _binary(elementwise.Pow, self, exponent, "pow")

    def __rpow__(self, base: Any) -> Tensor:
        return _binary(elementwise.Pow, base, self, "pow")

    def __matmul__(self, other: Any) -> Tensor:
        return linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return Tensor.matmul(other, self)  # other @ self; matmul checks other

    def __neg__(self) -> Tensor:
        return elementwise.Neg.apply(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return self.abs()

    def add(self, other: Any, alpha: Any = 1) -> Tensor:
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: Any = 1) -> Tensor:
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def pow(self, exponent: Any) -> Tensor:
        return self**exponent

    def matmul(self, other: Tensor) -> Tensor:
        return linalg.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return linalg.mm(self, other)

    def dot(self, other: Tensor) -> Tensor:
        return linalg.dot(self, other)

    def outer(self, other: Tensor) -> Tensor:
        return linalg.outer(self, other)

    # ----- comparisons: bool tensors, never part of the graph ------------------------
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.equal, self, other, operator=True)

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _compare(np.not_equal, self, other, operator=True)

    def __lt__(self, other: Any) -> Tensor:
        return _compare(np.less, self, other, operator=True)

    def __le__(self, other: Any) -> Tensor:
        return _compare(np.less_equal, self, other, operator=True)

    def __gt__(self, other: Any) -> Tensor:
        return _compare(np.greater, self, other, operator=True)

    def __ge__(self, other: Any) -> Tensor:
        return _compare(np.greater_equal, self, other, operator=True)

    def logical_not(self) -> Tensor:
        return _wrap(np.logical_not(self.array))

    def isnan(self) -> Tensor:
        return _wrap(np.isnan(self.array))

    def isfinite(self) -> Tensor:
        return _wrap(np.isfinite(self.array))

    # ----- elementwise ---------------------------------------------------------------
    def exp(self) -> Tensor:
        return elementwise.Exp.apply(self)

    def log(self) -> Tensor:
        return elementwise.Log.apply(self)

    def log1p(self) -> Tensor:
        return elementwise.Log1p.apply(self)

    def sqrt(self) -> Tensor:
        return elementwise.Sqrt.apply(self)

    def sin(self) -> Tensor:
        return elementwise.Sin.apply(self)

    def cos(self) -> Tensor:
        return elementwise.Cos.apply(self)

    def tanh(self) -> Tensor:
        return elementwise.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return elementwise.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return elementwise.Relu.apply(self)

    def abs(self) -> Tensor:
        return elementwise.Abs.apply(self)

    def sign(self) -> Tensor:
        return elementwise.Sign.apply(self)

    def neg(self) -> Tensor:
        return -self

    def square(self) -> Tensor:
        return self * self

    def reciprocal(self) -> Tensor:
        return 1 / self  # integer tensors give the default float dtype, as in PyTorch

    def rsqrt(self) -> Tensor:
        return self.sqrt().reciprocal()

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        if min is None and max is None:
            raise RuntimeError("clamp: at least one of 'min' or 'max' must not be None")
        return elementwise.Clamp.apply(self, min, max)

    clip = clamp

    def where(self, condition: Tensor, other: Any) -> Tensor:
        from tinygrad_edu.functions import where

        return where(condition, self, other)

    # ----- reductions: sum, mean, max ... are in ops/reduce_methods.py -----------------
    def softmax(self, dim: int) -> Tensor:
        return reduce.Softmax.apply(self, _softmax_dim(dim, self.array.ndim))

    def log_softmax(self, dim: int) -> Tensor:
        return reduce.LogSoftmax.apply(self, _softmax_dim(dim, self.array.ndim))

    # ----- shape ---------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        return movement.Reshape.apply(self, movement.resolve_shape(shape, self))

    def view(self, *shape: Any) -> Tensor:
        return movement.view(self, shape)

    def view_as(self, other: Tensor) -> Tensor:
        return movement.view(self, (other.shape,))

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        return movement.flatten(self, start_dim, end_dim)

    def unsqueeze(self, dim: int) -> Tensor:
        return movement.unsqueeze(self, dim)

    def squeeze(self, dim: Any = None) -> Tensor:
        return movement.squeeze(self, dim)

    def permute(self, *dims: Any) -> Tensor:
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return movement.permute(self, dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        return movement.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(
                f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D"
            )
        return self.T

    def expand(self, *sizes: Any) -> Tensor:
        return movement.expand(self, sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return movement.expand_as(self, other)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
        return movement.split(self, split_size_or_sections, dim)

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        return movement.chunk(self, chunks, dim)

    def __getitem__(self, index: Any) -> Tensor:
        return movement.getitem(self, index)

    def __setitem__(self, index: Any, value: Any) -> None:
        inplace.setitem(self, index, value)

    # ----- in place: the data changes, the version counter counts it -----------------
    def __iadd__(self, other: Any) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Any) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Any) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> Tensor:
        return self.div_(other)

    def add_(self, other: Any, alpha: Any = 1) -> Tensor:
        operand = other if alpha == 1 else other * alpha
        return inplace.update(self, np.add, operand, "add_", lambda old: old + operand)

    def sub_(self, other: Any, alpha: Any = 1) -> Tensor:
        operand = other if alpha == 1 else other * alpha
        return inplace.update(self, np.subtract, operand, "sub_", lambda old: old - operand)

    def mul_(self, other: Any) -> Tensor:
        return inplace.update(self, np.multiply, other, "mul_", lambda old: old * other)

    def div_(self, other: Any) -> Tensor:
        return inplace.update(self, np.divide, other, "div_", lambda old: old / other)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        return inplace.assign(self, lambda old: old.clamp(min, max), "clamp_")

    def zero_(self) -> Tensor:
        return inplace.fill(self, 0, "zero_")

    def fill_(self, value: Any) -> Tensor:
        return inplace.fill_(self, value)

    def copy_(self, src: Any) -> Tensor:
        return inplace.copy(self, src, "copy_")


# ----- helpers shared by the methods above ---------------------------------------------
_INT_GRAD_MESSAGE = (
    "Only Tensors of floating point dtype can require gradients (got dtype {}); "
    "make it a float tensor first, e.g. tensor(data, dtype=tinygrad_edu.float32)"
)


def _init(t: Tensor, data: np.ndarray, requires_grad: builtins.bool = False,
          grad_fn: Any = None) -> None:
    t.array = data
    t.requires_grad = requires_grad
    t._grad = None
    t.grad_fn = grad_fn
    t._version_counter = None
    t._accumulator = None
    t._view = None


def _wrap(data: np.ndarray, requires_grad: builtins.bool = False, grad_fn: Any = None) -> Tensor:
    """A Tensor around an existing array, without copying or checking (internal fast path).

    It runs for every op's output and every gradient, so it sets the slots
    itself rather than calling ``_init``.
    """
    t = _new_tensor(Tensor)
    t.array = data
    t.requires_grad = requires_grad
    t._grad = None
    t.grad_fn = grad_fn
    t._version_counter = None
    t._accumulator = None
    t._view = None
    return t


_new_tensor = Tensor.__new__


def _unwrap_nested(data: Any) -> Any:
    """Lists may hold 0-d tensors (``tensor([a.item(), b])``); numpy needs their arrays."""
    if isinstance(data, Tensor):
        return data.array
    if isinstance(data, (list, tuple)):
        return [_unwrap_nested(d) for d in data]
    return data


def _dim(dim: Any, ndim: int) -> int:
    """A dim index in ``[-ndim, ndim)`` made non-negative; IndexError otherwise."""
    size = builtins.max(ndim, 1)
    if not isinstance(dim, (builtins.int, np.integer)) or isinstance(dim, builtins.bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not -size <= dim < size:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-size}, {size - 1}], "
            f"but got {dim})"
        )
    return builtins.int(dim) % size


def _all_if_empty(dim: Any) -> Any:
    """amax/amin: an empty dim list means every dim (None); dim=0 must stay 0."""
    return None if isinstance(dim, (tuple, list)) and len(dim) == 0 else dim


def _softmax_dim(dim: Any, ndim: int) -> int | None:
    """The checked dim; None for a 0-d tensor (PyTorch accepts dim 0 or -1 there)."""
    checked = _dim(dim, ndim)
    return checked if ndim > 0 else None


def _dims(dim: Any, ndim: int) -> tuple | None:
    """None (all dims) or a sorted tuple of non-negative dims, each checked."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)):
        dims = tuple([_dim(d, ndim) for d in dim])
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {tuple(dim)} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim > 0 else ()
    return (_dim(dim, ndim),) if ndim > 0 else ()


def _as_tensor(value: Any, like: Tensor, op_name: str) -> Tensor:
    """A Tensor for an operand: Python/numpy scalars take ``like``'s dtype when they fit."""
    if type(value) is Tensor:
        return value
    if type(value) is builtins.float and like.array.dtype.kind == "f":  # the common case
        return _scalar_constant(value, like.array.dtype)
    if type(value) is builtins.int and like.array.dtype.kind == "f" and -2**24 <= value <= 2**24:
        return _scalar_constant(builtins.float(value), like.array.dtype)  # x ** 2, 1 - y: exact
    if isinstance(value, _SCALAR_TYPES):
        kind = np.asarray(value).dtype.kind
        category = 2 if kind in "fc" else (0 if kind == "b" else 1)
        if dtypes._category(like.array.dtype) >= category:  # int8 + 200 wraps, as in PyTorch
            return _wrap(np.asarray(value).astype(like.array.dtype))
        return _wrap(np.asarray(value, dtype=dtypes.default_for_category(category)))
    if isinstance(value, np.ndarray):
        return _wrap(value)
    if isinstance(value, Tensor):  # a subclass such as nn.Parameter
        return value
    raise TypeError(
        f"{op_name}: unsupported operand of type {type(value).__name__}; "
        f"expected a Tensor, a Python number or a numpy array"
    )


_scalar_constants: dict = {}


def _scalar_constant(value: builtins.float, dtype: np.dtype) -> Tensor:
    """A 0-d tensor for a Python float, reused: ``x * 0.5`` in a loop makes it once.

    Constants never require grad and are never handed to the user (a gradient
    given as a number is copied: ``_initial_gradient``); their arrays are
    read-only, so that an in-place change to one fails loudly. The cache is
    emptied when it grows past 4096 entries.
    """
    if value == 0.0 or value != value:  # 0.0 == -0.0 and nan != nan: no safe key
        return _wrap(np.array(value, dtype))
    key = (value, dtype)
    constant = _scalar_constants.get(key)
    if constant is None:
        if len(_scalar_constants) >= 4096:
            _scalar_constants.clear()
        array = np.array(value, dtype)
        array.flags.writeable = False
        constant = _scalar_constants[key] = _wrap(array)
    return constant


def _binary(op: Any, a: Any, b: Any, op_name: str) -> Tensor:
    """Convert the operands, apply PyTorch's type promotion, and run ``op``."""
    if not isinstance(a, Tensor):
        a = _as_tensor(a, b, op_name)
    elif not isinstance(b, Tensor):
        b = _as_tensor(b, a, op_name)
    if a.array.dtype != b.array.dtype:
        common = result_type(a.array, b.array)
        a, b = a.to(common), b.to(common)
    try:
        return op.apply(a, b)
    except ValueError as error:
        if a.shape != b.shape and not _broadcastable(a.shape, b.shape):
            raise RuntimeError(
                f"{op_name}: the shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
                f"broadcast together; expected equal sizes or size 1 in every dimension, "
                f"counted from the right"
            ) from None
        raise RuntimeError(f"{op_name}: {error}") from None  # e.g. int ** -1, as PyTorch


def _broadcastable(*shapes: tuple) -> builtins.bool:
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return False
    return True


def _compare(ufunc: Any, a: Tensor, b: Any, operator: builtins.bool = False) -> Any:
    if not isinstance(b, Tensor):
        if operator and not isinstance(b, (*_SCALAR_TYPES, np.ndarray)):
            return NotImplemented  # Python's answer, as PyTorch's: == is False, < a TypeError
        b = _as_tensor(b, a, ufunc.__name__)
    try:
        return _wrap(np.asarray(ufunc(a.array, b.array)))
    except ValueError:
        if _broadcastable(a.shape, b.shape):
            raise
        raise RuntimeError(
            f"{ufunc.__name__}: the shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be "
            f"broadcast together"
        ) from None


def _one_element(t: Tensor) -> Any:
    """``float(t)``, ``int(t)``: PyTorch's ValueError for more than one element."""
    if t.array.size != 1:
        raise ValueError(f"only one element tensors can be converted to Python scalars (this "
                         f"one has shape {tuple(t.shape)})")
    return t.array.item()


def _initial_gradient(output: Tensor, gradient: Any, index: int) -> Tensor:
    """The gradient that starts backward: ones for a one-element output, else checked."""
    if gradient is None:
        if output.array.size != 1:
            raise RuntimeError(
                f"grad can be implicitly created only for scalar outputs; this output has "
                f"shape {tuple(output.shape)}: pass gradient= (a tensor of that shape)"
            )
        one = np.array(1, output.array.dtype)  # (np.ones is a Python function: 1 µs more)
        return _wrap(one.reshape(output.array.shape) if output.array.ndim else one)
    if not isinstance(gradient, Tensor):
        raise TypeError(
            f"gradients can be either Tensors or None, but got {type(gradient).__name__}"
        )
    if gradient.shape != output.shape:
        raise RuntimeError(
            f"Mismatch in shape: grad_output[{index}] has a shape of {tuple(gradient.shape)} "
            f"and output[{index}] has a shape of {tuple(output.shape)}."
        )
    return gradient.to(output.array.dtype)  # a float32 output's gradient is float32

# The ops import Tensor from this module, so they are imported after it is defined.
from tinygrad_edu.argcheck import check_assigned_grad  # noqa: E402
from tinygrad_edu.autograd import engine  # noqa: E402
from tinygrad_edu.autograd.recording import note_read  # noqa: E402
from tinygrad_edu.ops import elementwise, inplace, linalg, movement, reduce  # noqa: E402
