"""``assert_op_gradients``: one call that property-tests a differentiable op.

Call it inside a test function; it runs a hypothesis test there and then and
raises ``AssertionError`` (with hypothesis' minimal failing example) if any
drawn case fails::

    def test_softplus():
        assert_op_gradients(softplus, num_inputs=1, reference=np.logaddexp.outer ...)

For every drawn case (shapes, values, extra keyword arguments) it checks:

1. the op returns a Tensor, and matches ``reference`` (a numpy function) if given;
2. the gradients from ``backward`` agree with central finite differences in
   float64 (the message names the input, the index, both values);
3. every gradient has its input's shape and dtype (also for float32 inputs);
4. the inputs and the upstream gradient are not changed, and no two gradients
   (nor a gradient and an input or the upstream gradient) share memory;
5. the graph is released after backward: once the output is dropped, its
   ``grad_fn`` is freed by reference counting alone (no cycle keeps it);
6. if ``smooth``, second derivatives agree too (``gradgradcheck`` for small
   cases; for larger ones, ``check_random_direction`` on the gradient).

Values are kept off kinks and singularities by construction: each input is
drawn from its ``domain``, values within ``margin`` of an ``avoid`` point are
moved ``margin`` away from it, and ``distinct=True`` draws values that are
all at least a grid step apart (for max, min, maximum: no ties).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinygrad_edu.autograd import grad as autograd_grad
from tinygrad_edu.autograd.gradcheck import GradcheckError, gradgradcheck
from tinygrad_edu.ops.movement import cat
from tinygrad_edu.tensor import Tensor, _wrap
from tinygrad_edu.testing import strategies as tst
from tinygrad_edu.testing.numerical import check_random_direction, numerical_grad

Domain = tuple
# Above this many input, output-gradient elements, second derivatives are checked along
# one random direction instead of with the full (quadratic-cost) gradgradcheck.
SMALL_FOR_GRADGRADCHECK = 24


def assert_op_gradients(
    op: Callable[..., Tensor],
    *,
    num_inputs: int = 1,
    domain: Domain | Sequence[Domain] = tst.DEFAULT_DOMAIN,
    reference: Callable[..., np.ndarray] | None = None,
    shapes: st.SearchStrategy[tuple] | None = None,
    input_shapes: st.SearchStrategy[tuple] | None = None,
    broadcast: bool = True,
    kwargs: Mapping[str, Any] | Callable[[tuple], Mapping[str, Any]] | None = None,
    smooth: bool = True,
    avoid: Sequence[float] | Sequence[Sequence[float]] = (),
    margin: float = 0.1,
    distinct: bool = False,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    check_float32: bool = True,
    max_examples: int | None = None,
    hypothesis_settings: settings | None = None,
) -> None:
    """Property-test ``op`` (a function of ``num_inputs`` tensors returning a Tensor).

    - ``domain``: ``(low, high)`` for every input, or a list of them, one per input.
    - ``reference``: a numpy function of the input arrays (and ``kwargs``)
      that the op's values must match.
    - ``shapes``: a strategy for the input shape (default
      ``strategies.shapes()``); with several inputs and ``broadcast=True``
      each input drops leading dims or has size-1 dims at random, so the
      inputs broadcast. ``input_shapes``: a strategy for a tuple of shapes,
      one per input, for ops whose inputs must fit together (matmul).
    - ``kwargs``: extra keyword arguments for the op: a dict of values or
      strategies, or a function of the input shapes returning one (e.g.
      ``lambda shapes: {"dim": dims(len(shapes[0]))}``).
    - ``smooth``: also check second derivatives (``gradgradcheck``).
    - ``avoid``: points to keep values ``margin`` away from (kinks,
      singularities), for every input, or a list of lists, one per input.
    - ``distinct``: all values at least a grid step apart (no ties).
    - ``eps``, ``atol``, ``rtol``: the finite-difference step and tolerance.
    - ``max_examples``: override the hypothesis profile's number of cases;
      ``hypothesis_settings``: any other hypothesis ``settings`` for the run.

    Raises ``AssertionError`` describing the first failing case (hypothesis
    shrinks it to a minimal one first), ``TypeError`` if the op does not
    return a Tensor.
    """
    if not isinstance(num_inputs, int) or num_inputs < 1:
        raise ValueError(f"num_inputs must be a positive int, got {num_inputs!r}")
    domains = _per_input(domain, num_inputs, "domain", _is_domain)
    avoids = _per_input(tuple(avoid), num_inputs, "avoid", _is_point_list)
    for low, high in domains:
        if not low < high:
            raise ValueError(f"domain ({low}, {high}) is empty: low must be less than high")
    case = _Case(op, reference, kwargs, eps, atol, rtol)

    @given(st.data())
    def run(data: st.DataObject) -> None:
        shape_list = _draw_shapes(data, num_inputs, shapes, input_shapes, broadcast)
        arrays = _draw_values(data, shape_list, domains, avoids, margin, distinct)
        keywords = _draw_kwargs(data, kwargs, shape_list)
        seed = data.draw(st.integers(0, 2**32 - 1), label="upstream gradient seed")
        case.check(arrays, keywords, seed, smooth, check_float32)

    if hypothesis_settings is not None:
        run = hypothesis_settings(run)
    if max_examples is not None:
        run = settings(max_examples=max_examples)(run)
    run()


# ----- drawing a case -------------------------------------------------------------------
def _is_domain(value: Any) -> bool:
    return (isinstance(value, (tuple, list)) and len(value) == 2
            and all(isinstance(v, (int, float)) for v in value))


def _is_point_list(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value)


def _per_input(value: Any, n: int, name: str, is_single: Callable[[Any], bool]) -> list:
    """One ``value`` for every input, or a list with one per input."""
    if is_single(value):
        return [tuple(value)] * n
    values = list(value)
    if len(values) != n or not all(is_single(v) for v in values):
        raise ValueError(
            f"{name} must be one setting or a list of {n}, one per input; got {value!r}")
    return [tuple(v) for v in values]


def _draw_shapes(data: st.DataObject, n: int, shapes: Any, input_shapes: Any,
                 broadcast: bool) -> list:
    if input_shapes is not None:
        shape_list = [tuple(s) for s in data.draw(input_shapes, label="input shapes")]
        if len(shape_list) != n:
            raise ValueError(f"input_shapes drew {len(shape_list)} shapes for {n} inputs")
        return shape_list
    base = data.draw(tst.shapes() if shapes is None else shapes, label="shape")
    if n == 1 or not broadcast:
        return [base] * n
    shape_list = []
    for _ in range(n):  # broadcastable variants: fewer leading dims, some sizes 1
        kept = base[data.draw(st.integers(0, len(base)), label="leading dims dropped"):]
        ones = data.draw(st.lists(st.booleans(), min_size=len(kept), max_size=len(kept)))
        shape_list.append(tuple(1 if one else side for one, side in zip(ones, kept)))
    return shape_list


def _keep_away(array: np.ndarray, points: Sequence[float], margin: float) -> np.ndarray:
    """Move values within ``margin`` of a point to ``margin`` away from it (same side)."""
    for p in points:
        close = np.abs(array - p) < margin
        array[close] = p + np.where(array[close] >= p, margin, -margin)
    return array


def _draw_values(data: st.DataObject, shape_list: list, domains: list, avoids: list,
                 margin: float, distinct: bool) -> list:
    sizes = [int(np.prod(s)) for s in shape_list]
    if distinct:
        # One cell of a grid per element, in a random order, jittered inside its cell.
        total = max(sum(sizes), 1)
        cells = np.array(data.draw(st.permutations(range(total)), label="grid cells"), float)
        jitter = np.array(data.draw(st.lists(st.floats(0.25, 0.75), min_size=total,
                                             max_size=total), label="jitter"))
        fractions = (cells + jitter) / total
    arrays, start = [], 0
    for shape, size, (low, high), points in zip(shape_list, sizes, domains, avoids):
        if distinct:
            values = low + (high - low) * fractions[start:start + size]
        else:
            values = np.array(data.draw(st.lists(
                st.floats(low, high, allow_nan=False, allow_subnormal=False),
                min_size=size, max_size=size), label="values"), dtype=np.float64)
        start += size
        arrays.append(_keep_away(values.reshape(shape), points, margin))
    return arrays


def _draw_kwargs(data: st.DataObject, kwargs: Any, shape_list: list) -> dict:
    if kwargs is None:
        return {}
    spec = kwargs(tuple(shape_list)) if callable(kwargs) else kwargs
    return {
        name: data.draw(value, label=name) if isinstance(value, st.SearchStrategy) else value
        for name, value in spec.items()
    }


# ----- checking a case ------------------------------------------------------------------
class _Case:
    """The checks for one drawn case; the messages say what failed and for which values."""

    def __init__(self, op: Callable, reference: Callable | None, kwargs: Any,
                 eps: float, atol: float, rtol: float) -> None:
        self.op, self.reference = op, reference
        owner = getattr(op, "__self__", None)  # Function.apply is bound to its class
        self.name = (f"{owner.__name__}.apply" if isinstance(owner, type)
                     else getattr(op, "__qualname__", None) or repr(op))
        self.eps, self.atol, self.rtol = eps, atol, rtol

    def call(self, inputs: Sequence[Any], keywords: dict) -> Tensor:
        out = self.op(*inputs, **keywords)
        if not isinstance(out, Tensor):
            raise TypeError(
                f"assert_op_gradients: the op {self.name} returned a {type(out).__name__}, "
                f"not a Tensor; an op must return a Tensor (wrap numpy results with "
                f"tinygrad_edu.tensor(...) or return them from Function.forward)"
            )
        return out

    def describe(self, arrays: list, keywords: dict, upstream: np.ndarray | None) -> str:
        lines = [f"  input {i}: {np.array_repr(a, precision=17)}" for i, a in enumerate(arrays)]
        if keywords:
            lines.append(f"  keyword arguments: {keywords!r}")
        if upstream is not None:
            lines.append(f"  upstream gradient: {np.array_repr(upstream, precision=17)}")
        return "\n".join(lines)

    def fail(self, what: str, arrays: list, keywords: dict, upstream: Any = None) -> None:
        raise AssertionError(
            f"assert_op_gradients({self.name}): {what}\n"
            f"{self.describe(arrays, keywords, upstream)}"
        )

    def check(self, arrays: list, keywords: dict, seed: int, smooth: bool,
              check_float32: bool) -> None:
        leaves = [_wrap(a.copy(), True) for a in arrays]
        out = self.call(leaves, keywords)
        if self.reference is not None:
            expected = np.asarray(self.reference(*[a.copy() for a in arrays], **keywords))
            if expected.shape != out.shape or not np.allclose(
                out.array, expected, rtol=1e-7, atol=1e-10, equal_nan=True
            ):
                self.fail(f"values differ from the reference:\n  op:        "
                          f"{np.array_repr(out.array)}\n  reference: {np.array_repr(expected)}",
                          arrays, keywords)
        if not out.requires_grad:
            self.fail("the output does not require grad: it is not connected to the inputs",
                      arrays, keywords)
        upstream = _upstream(out.shape, seed)
        upstream_tensor = _wrap(upstream.copy())
        node = None if out.grad_fn is None else weakref.ref(out.grad_fn)
        out.backward(upstream_tensor)
        del out
        if node is not None and node() is not None:
            self.fail("the graph is not released after backward: something (a reference "
                      "cycle? a global?) keeps the output's grad_fn alive", arrays, keywords)
        grads = [leaf.grad for leaf in leaves]
        self.check_gradient_arrays(leaves, grads, upstream_tensor, upstream, arrays, keywords)
        self.check_values(arrays, keywords, grads, upstream)
        if check_float32:
            self.check_float32(arrays, keywords, upstream)
        if smooth:
            self.check_second_order(arrays, keywords, upstream)

    def check_gradient_arrays(self, leaves: list, grads: list, upstream_tensor: Tensor,
                              upstream: np.ndarray, arrays: list, keywords: dict) -> None:
        for i, (leaf, original) in enumerate(zip(leaves, arrays)):
            if not np.array_equal(leaf.array, original, equal_nan=True):
                self.fail(f"input {i} was changed by the op or its backward", arrays, keywords)
        if not np.array_equal(upstream_tensor.array, upstream, equal_nan=True):
            self.fail("the upstream gradient was changed by backward", arrays, keywords, upstream)
        for i, (g, leaf) in enumerate(zip(grads, leaves)):
            if g is None:
                continue
            if g.shape != leaf.shape or g.dtype != leaf.dtype:
                self.fail(f"the gradient of input {i} has shape {tuple(g.shape)} and dtype "
                          f"{g.dtype}; expected the input's {tuple(leaf.shape)} and "
                          f"{leaf.dtype}", arrays, keywords, upstream)
            others = [("the upstream gradient", upstream_tensor.array)] + [
                (f"input {j}", other.array) for j, other in enumerate(leaves)] + [
                (f"the gradient of input {j}", other.array)
                for j, other in enumerate(grads) if other is not None and j > i]
            for what, array in others:
                if np.shares_memory(g.array, array):
                    self.fail(f"the gradient of input {i} shares memory with {what}; each "
                              f"gradient must be an array of its own", arrays, keywords, upstream)

    def check_values(self, arrays: list, keywords: dict, grads: list,
                     upstream: np.ndarray) -> None:
        numerical = numerical_grad(lambda *xs: self.call(xs, keywords), arrays, self.eps,
                                   grad_output=upstream)
        for i, (g, num) in enumerate(zip(grads, numerical)):
            analytical = np.zeros_like(num) if g is None else g.array.astype(np.float64)
            bad = ~np.isclose(analytical, num, rtol=self.rtol, atol=self.atol)
            if bad.any():
                missing = "" if g is not None else "; backward gave no gradient"
                index = tuple(int(k) for k in np.argwhere(bad)[0])
                self.fail(
                    f"the gradient of input {i} (shape {num.shape}) disagrees with finite "
                    f"differences at index {index}:\n"
                    f"  analytical: {float(analytical[index])!r}\n"
                    f"  numerical:  {float(num[index])!r}\n"
                    f"  ({int(bad.sum())} of {bad.size} elements differ beyond "
                    f"atol={self.atol}, rtol={self.rtol}{missing})",
                    arrays, keywords, upstream)

    def check_float32(self, arrays: list, keywords: dict, upstream: np.ndarray) -> None:
        leaves = [_wrap(a.astype(np.float32), True) for a in arrays]
        out = self.call(leaves, keywords)
        out.backward(_wrap(upstream.astype(out.array.dtype)))
        for i, leaf in enumerate(leaves):
            g = leaf.grad
            if g is not None and (g.shape != leaf.shape or g.array.dtype != np.float32):
                self.fail(f"with float32 inputs, the gradient of input {i} has shape "
                          f"{tuple(g.shape)} and dtype {g.dtype}; expected "
                          f"{tuple(leaf.shape)} and float32", arrays, keywords, upstream)

    def check_second_order(self, arrays: list, keywords: dict, upstream: np.ndarray) -> None:
        leaves = [_wrap(a.copy(), True) for a in arrays]
        upstream_leaf = _wrap(upstream.copy(), True)
        try:
            if sum(a.size for a in arrays) + upstream.size <= SMALL_FOR_GRADGRADCHECK:
                gradgradcheck(lambda *xs: self.call(xs, keywords), leaves,
                              grad_outputs=(upstream_leaf,),
                              eps=self.eps, atol=self.atol, rtol=self.rtol)
            else:  # the full second-order Jacobian would be slow: check one random direction
                check_random_direction(self.first_derivative(keywords, len(leaves)),
                                       leaves + [upstream_leaf],
                                       eps=self.eps, atol=self.atol, rtol=self.rtol)
        except GradcheckError as error:
            self.fail(f"second derivatives disagree with finite differences of the "
                      f"gradient (gradgradcheck):\n{error}", arrays, keywords, upstream)


    def first_derivative(self, keywords: dict, n: int) -> Callable:
        """(inputs..., upstream) -> all input gradients, flattened and joined, as a graph."""
        def gradients(*args: Tensor) -> Tensor:
            wanted = list(args[:n])
            grads = autograd_grad(self.call(wanted, keywords), wanted, args[n],
                                  create_graph=True, allow_unused=True)
            return cat([(w * 0 if g is None else g).reshape(-1) for g, w in zip(grads, wanted)])
        return gradients


def _upstream(shape: tuple, seed: int) -> np.ndarray:
    """A random upstream gradient with no zeros (magnitudes in [0.5, 1.5], random signs)."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape))
