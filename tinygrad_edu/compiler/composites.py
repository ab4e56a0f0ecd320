"""Kernels for two library functions recorded as one step: batch norm and cross-entropy.

They compute with numpy outside any op (batch statistics, running averages, the
target's class weights), which is why they are recorded as one unit; replayed
by calling them again, they cost a makemore-style step more than half its time.
Here each is written out as the same numpy calls, in the same order, into
buffers made once — for their common settings only (checked when the program
is built; the guard keeps them). Anything else is replayed by calling them.

Each kernel also keeps on the node what the backward reads: batch norm's
``normed`` and ``inv_std`` (its backward is replayed as ops, steps.py), and a
``CrossEntropy`` node whose own backward is called.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import Any

import numpy as np

from tinygrad_edu.compiler.kernels import Dyn, positional
from tinygrad_edu.nn import functional as F  # noqa: N812
from tinygrad_edu.nn.fused import CrossEntropy
from tinygrad_edu.nn.normalization import BatchNorm1d
from tinygrad_edu.tensor import _wrap

Call = tuple


def _get(operand: Any) -> Callable[[Any], np.ndarray]:
    return operand.get if isinstance(operand, Dyn) else (lambda state: operand)


def batch_norm_1d(module: Any, x: Any, recorded_in: np.ndarray, out: np.ndarray,
                  kept: set) -> tuple[list, dict] | None:
    """``BatchNorm1d.forward`` in training mode on an (N, C) float input, with running
    statistics, a momentum and γ, β: numpy calls as ``normalization.batch_norm`` and
    ``fused.BatchNorm.forward`` make them. Returns (calls, what the node keeps)."""
    if (type(module) is not BatchNorm1d or not module.training or module.momentum is None
            or not module.track_running_stats or module.weight is None or module.bias is None
            or recorded_in.ndim != 2 or recorded_in.dtype.kind != "f"
            or not kept <= {"normed", "inv_std"}):
        return None
    n, c = recorded_in.shape
    momentum, eps, dtype = module.momentum, module.eps, recorded_in.dtype
    mean, var, inv_std = (np.empty((1, c), dtype) for _ in range(3))
    centred, squares, normed = (np.empty((n, c), dtype) for _ in range(3))
    new, unbiased = np.empty(c, dtype), np.empty(c, dtype)
    running_mean, running_var = module.running_mean.array, module.running_var.array
    weight, bias = module.weight.array.reshape(1, c), module.bias.array.reshape(1, c)
    counted = module.num_batches_tracked.array
    into = lambda array: {"out": array}  # noqa: E731
    calls = [
        (np.add, (counted, 1), into(counted)),  # num_batches_tracked += 1
        # normalization._mean: np.add.reduce, then np.true_divide by the count (an int)
        (np.add.reduce, (x,), {"axis": (0,), "keepdims": True, "out": mean}),
        (np.true_divide, (mean, n), into(mean)),
        (np.subtract, (x, mean), into(centred)),  # centred = x - mean
        (np.multiply, (centred, centred), into(squares)),
        (np.add.reduce, (squares,), {"axis": (0,), "keepdims": True, "out": var}),  # biased
        (np.true_divide, (var, n), into(var)),
        # running ← (1 − momentum) running + momentum · new (normalization._update_running)
        (np.multiply, (running_mean, 1 - momentum), {"out": running_mean, "casting": "unsafe"}),
        (np.multiply, (momentum, mean.reshape(c)), into(new)),
        (np.add, (running_mean, new), {"out": running_mean, "casting": "unsafe"}),
        (np.multiply, (var.reshape(c), n / (n - 1)), into(unbiased)),  # the unbiased variance
        (np.multiply, (running_var, 1 - momentum), {"out": running_var, "casting": "unsafe"}),
        (np.multiply, (momentum, unbiased), into(new)),
        (np.add, (running_var, new), {"out": running_var, "casting": "unsafe"}),
        # fused.BatchNorm.forward: inv_std = 1 / √(var + eps); centred inv_std γ + β
        (np.add, (var, eps), into(inv_std)), (np.sqrt, (inv_std,), into(inv_std)),
        (np.true_divide, (1.0, inv_std), into(inv_std)),
        (np.multiply, (centred, inv_std), into(normed)),
        (np.multiply, (normed, weight), into(out)), (np.add, (out, bias), into(out)),
    ]
    counters = [module.num_batches_tracked._version, module.running_mean._version,
                module.running_var._version]
    return calls, {"normed": normed, "inv_std": inv_std, "counters": counters,
                   "bound": [module.running_mean, module.running_var, module.weight,
                             module.bias, module.num_batches_tracked]}


_EMBEDDING_DEFAULTS = {"padding_idx": None, "max_norm": None, "norm_type": 2.0,
                       "scale_grad_by_freq": False, "sparse": False}


def embedding(args: tuple, kwargs: dict, indices: Any, weight: Any,
              recorded_indices: np.ndarray, out: np.ndarray) -> Callable | None:
    """``F.embedding(input, weight)`` with its defaults: the rows of the weight picked by the
    indices (``weight.array[indices]``, a copy: ``np.take`` into the buffer), after the
    same range check. Its backward (an IndexAdd) is replayed as an op (steps.py)."""
    bound = inspect.signature(F.embedding).bind(*args, **kwargs)
    bound.apply_defaults()
    given = {k: v for k, v in bound.arguments.items() if k not in ("input", "weight")}
    if given != _EMBEDDING_DEFAULTS or recorded_indices.dtype not in (np.int64, np.int32) \
            or isinstance(weight, Dyn):
        return None
    get_indices, rows = _get(indices), weight.shape[0]

    def run(state: Any) -> None:
        picked = get_indices(state)
        # (np.minimum.reduce is picked.min() without numpy's Python wrapper: ~1 µs less)
        if picked.size and (np.minimum.reduce(picked, None) < 0
                            or np.maximum.reduce(picked, None) >= rows):
            bad = picked[(picked < 0) | (picked >= rows)].flat[0]
            raise IndexError(f"index out of range in self: embedding id {int(bad)} is not in "
                             f"[0, {rows - 1}]")
        np.take(weight, picked, axis=0, out=out)

    return run


_CROSS_ENTROPY_DEFAULTS = {"weight": None, "size_average": None, "ignore_index": -100,
                           "reduce": None, "reduction": "mean", "label_smoothing": 0.0}


def cross_entropy(args: tuple, kwargs: dict, x: Any, labels: Any, recorded_x: np.ndarray,
                  recorded_labels: np.ndarray, out: np.ndarray,
                  needs: tuple) -> tuple[Callable, Any] | None:
    """``F.cross_entropy(x, target)`` with its defaults on (N, C) float logits and int64
    class indices: ``_target_weights`` and ``CrossEntropy.forward`` as numpy calls.
    Returns (run, the CrossEntropy node its backward is called on)."""
    bound = inspect.signature(F.cross_entropy).bind(*args, **kwargs)
    bound.apply_defaults()
    given = {k: v for k, v in bound.arguments.items() if k not in ("input", "target")}
    if (given != _CROSS_ENTROPY_DEFAULTS or recorded_x.ndim != 2
            or recorded_x.dtype.kind != "f" or recorded_labels.dtype != np.int64
            or recorded_labels.shape != recorded_x.shape[:1]):
        return None
    n, c = recorded_x.shape
    dtype = recorded_x.dtype
    keep, is_target = np.empty(n, bool), np.empty((n, c), bool)
    safe = np.empty(n, np.int64)
    classes, class_weights = np.arange(c).reshape(1, c), np.ones(c, dtype).reshape(1, c)
    picked, scale = np.empty((n, c), dtype), np.empty((n, c), dtype)
    total = np.empty((), dtype)
    largest, sums, logs = (np.empty((n, 1), dtype) for _ in range(3))
    shifted, exp, weighted, negated, probs = (np.empty((n, c), dtype) for _ in range(5))
    count = np.asarray(n, dtype)  # = picked.sum() when every target is kept: n ones
    get_x, get_labels = _get(x), _get(labels)

    def general_weights(target: np.ndarray) -> None:
        """_target_weights and the 'mean' scale with ignored targets (or out of range)."""
        np.not_equal(target, -100, out=keep)
        if n and not (target.min() >= 0 and target.max() < c):  # the exact check, as eager
            out_of_range = keep & ((target < 0) | (target >= c))
            if out_of_range.any():
                raise IndexError(f"Target {int(target[out_of_range].flat[0])} is out of "
                                 f"bounds: class indices must be in [0, {c - 1}] (or equal "
                                 f"ignore_index=-100)")
        np.copyto(safe, 0)
        np.copyto(safe, target, where=keep)  # np.where(keep, labels, 0)
        np.equal(safe.reshape(n, 1), classes, out=is_target)
        np.logical_and(is_target, keep.reshape(n, 1), out=is_target)
        np.multiply(is_target, class_weights, out=picked)  # (is_target & keep).astype(dtype)
        np.add.reduce(picked, axis=None, out=total)
        if total == 0:  # eager mode would return nan through another node
            raise RuntimeError("tg.compile: every target of this batch is ignore_index; the "
                               "compiled step cannot replay it (call the function itself)")
        np.true_divide(picked, total, out=scale)  # 'mean'

    node = CrossEntropy()
    node.needs_input_grad, node._saved_versions = needs, (0,)
    node.probs, node.scale, node.class_dim, node.per_example = probs, scale, 1, False
    fixed_x = None if isinstance(x, Dyn) else (_wrap(x),)

    def run(state: Any) -> None:
        logits, target = get_x(state), get_labels(state)
        if n and 0 <= np.minimum.reduce(target) and np.maximum.reduce(target) < c:  # all kept
            # _target_weights when all are kept: picked = (labels[:, None] == classes) as
            # floats; total = picked.sum() = n; scale = picked / total
            np.equal(target.reshape(n, 1), classes, is_target)
            np.true_divide(is_target, count, scale)
        else:
            general_weights(target)
        # CrossEntropy.forward; each output given by position (quicker: kernels.positional),
        # a reduction's arguments as (array, axis, dtype, out, keepdims)
        np.maximum.reduce(logits, 1, None, largest, True)  # shifted = x - x.max(1, keepdims)
        np.subtract(logits, largest, shifted)
        np.exp(shifted, exp)
        np.add.reduce(exp, 1, None, sums, True)  # total = exp.sum(1, keepdims)
        np.log(sums, logs)
        np.subtract(shifted, logs, weighted)  # weighted = (shifted - log(total)) * -scale
        np.negative(scale, negated)
        np.multiply(weighted, negated, weighted)
        np.true_divide(exp, sums, probs)  # ctx.probs = exp / total
        np.add.reduce(weighted, None, None, out)  # weighted.sum()
        node._saved = fixed_x or (_wrap(logits),)

    return run, node


def cross_entropy_backward(node: CrossEntropy, g: Any, out: np.ndarray) -> list[Call]:
    """``CrossEntropy.backward`` without create_graph: g · (softmax(x) s − scale), with
    s = Σ_c scale_c: ``probs * row_total - scale``, then ``g * slope`` (a Mul op)."""
    row_total = np.empty(node.scale.shape[:1] + (1,), node.scale.dtype)
    slope = np.empty_like(node.scale)
    return [(np.add.reduce, (node.scale,), {"axis": 1, "keepdims": True, "out": row_total}),
            (np.multiply, (node.probs, row_total), {"out": slope}),
            (np.subtract, (slope, node.scale), {"out": slope}),
            (np.multiply, (g, slope), {"out": out})]


def composite_kernel(fn: Any, args: tuple, kwargs: dict, operands: dict, recorded: dict,
                     out: np.ndarray, kept: set, needs: tuple) -> tuple | None:
    """The kernel of ``fn`` (a function recorded as one), or None: (steps, node, extra)."""
    if fn is BatchNorm1d.forward.__wrapped__ and len(args) == 2 and not kwargs:
        made = batch_norm_1d(args[0], operands["first"], recorded["first"], out, kept)
        if made is None:
            return None
        calls, node = made
        calls = [positional(*call) for call in calls]
        return [partial(f, *a, **k) if not any(isinstance(v, Dyn) for v in (*a, *k.values()))
                else _late(f, a, k) for f, a, k in calls], SimpleNamespace(**node)
    if fn is F.embedding.__wrapped__ and "second" in operands and not kept:
        run = embedding(args, kwargs, operands["first"], operands["second"], recorded["first"],
                        out)
        return None if run is None else ([run], SimpleNamespace())
    if fn is F.cross_entropy.__wrapped__ and "second" in operands:
        made = cross_entropy(args, kwargs, operands["first"], operands["second"],
                             recorded["first"], recorded["second"], out, needs)
        if made is None:
            return None
        run, node = made
        return [run], node
    return None


def _late(fn: Callable, args: tuple, kwargs: dict) -> Callable:
    def run(state: Any) -> None:
        fn(*[a.get(state) if isinstance(a, Dyn) else a for a in args],
           **{k: v.get(state) if isinstance(v, Dyn) else v for k, v in kwargs.items()})

    run.kernel = fn  # a numpy call, with an operand read at replay (Program.describe)
    return run

