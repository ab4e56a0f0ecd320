"""Every bad input gets a clear error of PyTorch's type (issue 10, class 9): tensors and tg.*.

One row per bad call (see ``bad_input_table.py``): the call, given the library
(tinygrad_edu or torch), the exception type we raise and a pattern our message
must match, naming what was wrong. Where PyTorch is installed, the same call must
raise there an exception of which ours is the same type or a subclass. The rows for
nn, losses, optim, data, checkpoints and autograd are in test_bad_inputs_nn.py.
For calls that mutate, a last table checks that nothing changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from bad_input_table import Row, check_ours, check_pytorchs, compared

import tinygrad_edu as tg


def _nn(L: Any) -> Any:
    return L.nn


def _x(L: Any, *shape: int, **kwargs: Any) -> Any:
    return L.ones(*shape, **kwargs)


def _add_in_place(t: Any, value: Any) -> Any:
    t += value
    return t


NOT_A_TENSOR = "must be Tensor, not"
OUT_OF_RANGE = "Dimension out of range"

ROWS = {
    "zeros_like(list)": Row(lambda L: L.zeros_like([1, 2]), TypeError,
                            r"zeros_like\(\): argument 'input' must be Tensor, not list"),
    "ones_like(ndarray)": Row(lambda L: L.ones_like(np.ones(2)), TypeError,
                              "argument 'input' must be Tensor, not ndarray"),
    "full_like(int)": Row(lambda L: L.full_like(3, 1.0), TypeError, "must be Tensor, not int"),
    "stack([t, 1])": Row(lambda L: L.stack([L.ones(2), 1]), TypeError,
                         "expected Tensor as element 1 in argument 'tensors', but got int"),
    "cat([t, 1])": Row(lambda L: L.cat([L.ones(2), 1]), TypeError, "element 1"),
    "cat(tensor)": Row(lambda L: L.cat(L.ones(2)), TypeError,
                       "argument 'tensors' must be a tuple or list of Tensors, not Tensor"),
    "cat of 0-d tensors": Row(lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]), RuntimeError,
                              r"zero-dimensional tensor \(at position 0\) cannot be concatenated"),
    "chunk(1.5)": Row(lambda L: L.ones(4).chunk(1.5), TypeError,
                      r"argument 'chunks' must be int, not float \(1.5\)"),
    "split(1.5)": Row(lambda L: L.ones(4).split(1.5), TypeError,
                      "argument 'split_size_or_sections' must be int"),
    "randint(5, 3)": Row(lambda L: L.randint(5, 3), TypeError,
                         "missing the required argument 'size'"),
    "randint(5, 3, (2,))": Row(lambda L: L.randint(5, 3, (2,)), RuntimeError,
                               "expects 'from' to be less than 'to'"),
    "full((2,), 'a')": Row(lambda L: L.full((2,), "a"), TypeError,
                           "argument 'fill_value' must be a number, not str"),
    "argmax of empty": Row(lambda L: L.zeros(0).argmax(), IndexError,
                           "cannot reduce an empty tensor of shape"),
    "clamp('a')": Row(lambda L: L.ones(2).clamp("a"), TypeError, "unsupported operand of type str"),
    "where(int condition)": Row(lambda L: L.where(L.tensor([1, 0]), L.ones(2), L.zeros(2)),
                                RuntimeError, "expected condition to be a bool tensor, got"),
    "where(1, a, b)": Row(lambda L: L.where(1, L.ones(2), L.zeros(2)), TypeError,
                          "argument 'condition' must be Tensor, not int"),
    "int ** -1": Row(lambda L: L.tensor([2]) ** -1, RuntimeError,
                     "Integers to negative integer powers are not allowed"),
    "norm(p='nuc2')": Row(lambda L: L.ones(2).norm("nuc2"), TypeError, "p must be a number",
                          torch="PyTorch's RuntimeError comes from matrix norms, which we lack"),
    "reshape(2.9, 3.1)": Row(lambda L: L.zeros(6).reshape(2.9, 3.1), TypeError,
                             "argument 'shape' must be int"),
    "unsqueeze(1.5)": Row(lambda L: L.ones(2).unsqueeze(1.5), TypeError, "dim must be an int"),
    "unsqueeze(5)": Row(lambda L: L.ones(2).unsqueeze(5), IndexError, "Dimension out of range"),
    "sum(dim=5)": Row(lambda L: L.ones(2).sum(5), IndexError, "Dimension out of range"),
    "softmax(dim=3)": Row(lambda L: L.ones(2).softmax(3), IndexError, "Dimension out of range"),
    "transpose(0, 3)": Row(lambda L: L.ones(2, 2).transpose(0, 3), IndexError,
                           "Dimension out of range"),
    "t + 'a'": Row(lambda L: L.ones(2) + "a", TypeError, "unsupported operand of type str"),
    "matmul shapes": Row(lambda L: L.ones(2, 3) @ L.ones(2, 3), RuntimeError,
                         "cannot be multiplied"),
    "add shapes": Row(lambda L: L.ones(2) + L.ones(3), RuntimeError, "cannot be broadcast"),
    "ones(-1)": Row(lambda L: L.ones(-1), RuntimeError, "negative dimension"),
    "ones(2.5)": Row(lambda L: L.ones(2.5), TypeError, "sizes must be ints"),
    "zeros(True)": Row(lambda L: L.zeros(True), TypeError, "sizes must be ints"),
    "tensor('a')": Row(lambda L: L.tensor("a"), TypeError, "could not make a tensor from str"),
    "tensor([nan], int64)": Row(lambda L: L.tensor([float("nan")], dtype=L.int64), RuntimeError,
                                "cannot be converted to type int64 without overflow"),
    "rand(3, dtype=int64)": Row(lambda L: L.rand(3, dtype=L.int64), RuntimeError,
                                "not implemented for",
                                torch="PyTorch's is NotImplementedError (ops/random.py, #13)"),
    "softmax(int)": Row(lambda L: L.tensor([1, 2]).softmax(0), NotImplementedError,
                        "not implemented for"),
    "mean(int)": Row(lambda L: L.ones(4, dtype=L.int64).mean(), RuntimeError,
                     "could not infer output dtype"),
    "backward of non-scalar": Row(lambda L: (L.ones(2, requires_grad=True) * 2).backward(),
                                  RuntimeError, "grad can be implicitly created only for scalar"),
    "item() of 2 elements": Row(lambda L: L.ones(2).item(), RuntimeError, "cannot be converted"),
    "t[5]": Row(lambda L: L.ones(2)[5], IndexError, "index 5 is out of bounds"),
    "split([3, -1])": Row(lambda L: L.arange(4).split([3, -1]), RuntimeError,
                          "non-negative entries"),
    "Linear(2.5, 3)": Row(lambda L: _nn(L).Linear(2.5, 3), TypeError, "must be int"),
    "Linear on wrong width": Row(lambda L: _nn(L).Linear(2, 3)(L.ones(4)), RuntimeError,
                                 "in_features=2"),
    "MSELoss(reduction='x')": Row(lambda L: _nn(L).MSELoss(reduction="x")(L.ones(2), L.ones(2)),
                                  ValueError, "x is not a valid value for reduction"),
    "CE float class targets": Row(lambda L: _nn(L).functional.cross_entropy(
        L.ones(2, 3), L.tensor([0.5, 1.0])), RuntimeError, "expected target dtype to be Long"),
    "CE weight requires grad": Row(lambda L: _nn(L).functional.cross_entropy(
        L.zeros(2, 3), L.tensor([0, 1]), weight=L.ones(3, requires_grad=True)), RuntimeError,
        "not differentiable with respect to argument 'weight'"),
    "Dropout(p=2)": Row(lambda L: _nn(L).Dropout(2), ValueError, "between 0 and 1"),
    "SGD([])": Row(lambda L: L.optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    "SGD(lr=-1)": Row(lambda L: L.optim.SGD([L.ones(1, requires_grad=True)], lr=-1), ValueError,
                      "Invalid learning rate: -1"),
    "SGD(lr='0.1')": Row(lambda L: L.optim.SGD([L.ones(1, requires_grad=True)], lr="0.1"),
                         TypeError, "argument 'lr' must be a number, not str"),
    "Adam(betas=0.9)": Row(lambda L: L.optim.Adam([L.ones(1, requires_grad=True)], betas=0.9),
                           TypeError, "argument 'betas' must be a pair of numbers, not float"),
    "Adam(betas=(1.0, 0.9))": Row(lambda L: L.optim.Adam([L.ones(1, requires_grad=True)],
                                                         betas=(1.0, 0.9)), ValueError,
                                  "Invalid beta parameter at index 0"),
    "StepLR(step_size=0)": Row(lambda L: L.optim.lr_scheduler.StepLR(
        L.optim.SGD([L.ones(1, requires_grad=True)], lr=0.1), step_size=0), ValueError,
        "step_size", torch="PyTorch accepts it and divides by zero at the first step()"),

    # ----- factories --------------------------------------------------------------------
    "tensor([1, 'a'])": Row(lambda L: L.tensor([1, "a"]), TypeError,
                            "could not make a tensor from list data"),
    "tensor of ragged lists": Row(lambda L: L.tensor([[1, 2], [3]]), ValueError,
                                  "nested lists have different lengths"),
    "tensor(dtype='float32')": Row(lambda L: L.tensor([1.0], dtype="float32"), TypeError,
                                   "not the str 'float32'"),
    "tensor(ints, requires_grad=True)": Row(lambda L: L.tensor([1, 2], requires_grad=True),
                                            RuntimeError, "floating point dtype can require"),
    "tensor(None)": Row(lambda L: L.tensor(None), RuntimeError, "infer the dtype of None"),
    "zeros('a')": Row(lambda L: L.zeros("a"), TypeError,
                      r"zeros\(\): sizes must be ints, got \('a',\)"),
    "zeros((2, 'a'))": Row(lambda L: L.zeros((2, "a")), TypeError,
                           r"sizes must be ints, got \(2, 'a'\)"),
    "zeros(dtype='int32')": Row(lambda L: L.zeros(2, dtype="int32"), TypeError,
                                "not the str 'int32'"),
    "zeros(int64, requires_grad=True)": Row(
        lambda L: L.zeros(2, dtype=L.int64, requires_grad=True), RuntimeError,
        r"floating point dtype can require gradients \(got dtype .*int64\)"),
    "ones(2, -3)": Row(lambda L: L.ones(2, -3), RuntimeError,
                       r"negative dimension: \[2, -3\]"),
    "empty(-1)": Row(lambda L: L.empty(-1), RuntimeError, "negative dimension"),
    "full(2, 1.0)": Row(lambda L: L.full(2, 1.0), TypeError,
                        "argument 'size' must be a tuple of ints, not int"),
    "full((2,), None)": Row(lambda L: L.full((2,), None), TypeError,
                            "argument 'fill_value' must be a number, not NoneType"),
    "arange(0, 10, 0)": Row(lambda L: L.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
    "arange(10, 0)": Row(lambda L: L.arange(10, 0), RuntimeError,
                         r"inconsistent with step sign \(start=10, end=0, step=1\)"),
    "arange(0, 10, -1)": Row(lambda L: L.arange(0, 10, -1), RuntimeError,
                             "inconsistent with step sign"),
    "arange('a')": Row(lambda L: L.arange("a"), TypeError,
                       "argument 'end' must be a number, not str"),
    "linspace(0, 1, -1)": Row(lambda L: L.linspace(0, 1, -1), RuntimeError,
                              "steps must be non-negative, got -1"),
    "linspace(0, 1, 2.5)": Row(lambda L: L.linspace(0, 1, 2.5), TypeError,
                               r"argument 'steps' must be int, not float \(2.5\)"),
    "eye(-1)": Row(lambda L: L.eye(-1), RuntimeError, "n must be greater or equal to 0, got -1"),
    "eye(2.5)": Row(lambda L: L.eye(2.5), TypeError, "argument 'n' must be int, not float"),
    "rand(-1)": Row(lambda L: L.rand(-1), RuntimeError, "negative dimension"),
    "rand('a')": Row(lambda L: L.rand("a"), TypeError, "sizes must be ints"),
    "randint(0, 3, 2)": Row(lambda L: L.randint(0, 3, 2), TypeError,
                            "size must be a tuple of ints, got int"),
    "full_like(t, 'a')": Row(lambda L: L.full_like(_x(L, 2), "a"), TypeError,
                             "argument 'fill_value' must be a number, not str"),
    "from_numpy(list)": Row(lambda L: L.from_numpy([1, 2]), TypeError,
                            r"expected np.ndarray \(got list\)"),
    "from_numpy(object array)": Row(lambda L: L.from_numpy(np.array(["a"], dtype=object)),
                                    TypeError, "numpy dtype object is not supported"),
    "Tensor(2, 'a')": Row(lambda L: L.Tensor(2, "a"), TypeError,
                          "expects data or integer sizes"),
    # ----- matrix products --------------------------------------------------------------
    "t @ 2": Row(lambda L: _x(L, 2) @ 2, TypeError, "argument 'other' " + NOT_A_TENSOR + " int"),
    "2 @ t": Row(lambda L: 2 @ _x(L, 2), TypeError, "argument 'input' " + NOT_A_TENSOR + " int"),
    "matmul(t, 2)": Row(lambda L: L.matmul(_x(L, 2), 2), TypeError, NOT_A_TENSOR + " int"),
    "mm of 1-D tensors": Row(lambda L: L.mm(_x(L, 2), _x(L, 2)), RuntimeError,
                             "expected 2-D tensors, got 1-D and 1-D"),
    "mm shapes": Row(lambda L: L.mm(_x(L, 2, 3), _x(L, 2, 3)), RuntimeError,
                     r"shapes \(2, 3\) and \(2, 3\) cannot be multiplied"),
    "dot of 2-D tensors": Row(lambda L: L.dot(_x(L, 2, 2), _x(L, 2, 2)), RuntimeError,
                              "1D tensors expected, but got 2D and 2D"),
    "dot sizes": Row(lambda L: L.dot(_x(L, 2), _x(L, 3)), RuntimeError,
                     r"tensor \[2\] and src \[3\]"),
    "matmul of float32 and float64": Row(
        lambda L: _x(L, 2, 2) @ _x(L, 2, 2, dtype=L.float64), RuntimeError,
        "same dtype, but got: .*float32 != .*float64"),
    "dot of float32 and float64": Row(lambda L: L.dot(_x(L, 2), _x(L, 2, dtype=L.float64)),
                                      RuntimeError, "same dtype"),
    "matmul of a 0-d tensor": Row(lambda L: L.tensor(1.0) @ _x(L, 2), RuntimeError,
                                  "at least 1D, but they are 0D and 1D"),
    "batched matmul shapes": Row(lambda L: _x(L, 2, 2, 3) @ _x(L, 3, 2, 2), RuntimeError,
                                 "cannot be multiplied"),
    "outer of a 2-D tensor": Row(lambda L: L.outer(_x(L, 2, 2), _x(L, 2)), RuntimeError,
                                 "outer: expected 1-D tensors, got 2-D"),
    # ----- shapes -----------------------------------------------------------------------
    "cat shapes": Row(lambda L: L.cat([_x(L, 2, 3), _x(L, 2, 4)]), RuntimeError,
                      r"Expected sizes \(2, 3\) but got \(2, 4\) for tensor number 1"),
    "cat of 2-D and 1-D": Row(lambda L: L.cat([_x(L, 2, 3), _x(L, 3)]), RuntimeError,
                              r"got \(3,\) for tensor number 1"),
    "cat(dim=2) of 2-D": Row(lambda L: L.cat([_x(L, 2, 3), _x(L, 2, 3)], dim=2), IndexError,
                             OUT_OF_RANGE),
    "cat([])": Row(lambda L: L.cat([]), ValueError, "expected a non-empty list of Tensors"),
    "cat(dim=1.5)": Row(lambda L: L.cat([_x(L, 2), _x(L, 2)], dim=1.5), TypeError,
                        "dim must be an int, got float"),
    "stack shapes": Row(lambda L: L.stack([_x(L, 2), _x(L, 3)]), RuntimeError,
                        r"equal size, but got \(2,\) at entry 0 and \(3,\) at entry 1"),
    "stack([])": Row(lambda L: L.stack([]), RuntimeError, "non-empty TensorList"),
    "stack(dim=3)": Row(lambda L: L.stack([_x(L, 2), _x(L, 2)], dim=3), IndexError,
                        OUT_OF_RANGE),
    "stack(tensor)": Row(lambda L: L.stack(_x(L, 2, 2)), TypeError,
                         "must be a tuple or list of Tensors, not Tensor"),
    "reshape(4) of 6 elements": Row(lambda L: _x(L, 2, 3).reshape(4), RuntimeError,
                                    r"shape '\[4\]' is invalid for input of size 6"),
    "reshape(-1, -1)": Row(lambda L: _x(L, 2, 3).reshape(-1, -1), RuntimeError,
                           "only one dimension can be inferred"),
    "reshape('a')": Row(lambda L: _x(L, 6).reshape("a"), TypeError,
                        "argument 'shape' must be int, not str"),
    "view(-2, 3)": Row(lambda L: _x(L, 6).view(-2, 3), RuntimeError,
                       r"shape '\[-2, 3\]' is invalid"),
    "flatten(2) of 2-D": Row(lambda L: _x(L, 2, 3).flatten(2), IndexError, OUT_OF_RANGE),
    "flatten(1, 0)": Row(lambda L: _x(L, 2, 3, 4).flatten(1, 0), RuntimeError,
                         "start_dim cannot come after end_dim"),
    "squeeze(3) of 2-D": Row(lambda L: _x(L, 2, 1).squeeze(3), IndexError, OUT_OF_RANGE),
    "squeeze('a')": Row(lambda L: _x(L, 2, 1).squeeze("a"), TypeError,
                        "dim must be an int, got str"),
    "permute(0) of 2-D": Row(lambda L: _x(L, 2, 3).permute(0), RuntimeError,
                             "does not match the length of the desired ordering"),
    "permute(0, 0)": Row(lambda L: _x(L, 2, 3).permute(0, 0), RuntimeError,
                         r"dims \(0, 0\) must be each dim of a 2-d tensor exactly once"),
    "transpose(0, 1.5)": Row(lambda L: _x(L, 2, 3).transpose(0, 1.5), TypeError,
                             "dim must be an int, got float"),
    "t() of 3-D": Row(lambda L: _x(L, 2, 3, 4).t(), RuntimeError,
                      "<= 2 dimensions, but self is 3D"),
    "expand(3, 3) of (2,)": Row(lambda L: _x(L, 2).expand(3, 3), RuntimeError,
                                r"expanded size of the tensor \(3\) must match the existing size "
                                r"\(2\)"),
    "expand(2) of 2-D": Row(lambda L: _x(L, 2, 2).expand(2), RuntimeError,
                            r"number of sizes provided \(1\) must be greater or equal"),
    "expand(-2)": Row(lambda L: _x(L, 1).expand(-2), RuntimeError,
                      r"sizes must be non-negative.*got \[-2\]"),
    "split(0)": Row(lambda L: _x(L, 4).split(0), RuntimeError, "split_size be positive, but got 0"),
    "split([1, 1]) of 4": Row(lambda L: _x(L, 4).split([1, 1]), RuntimeError,
                              r"sum exactly to 4 .* but got split_sizes=\[1, 1\]"),
    "chunk(0)": Row(lambda L: _x(L, 4).chunk(0), RuntimeError, "greater than 0, got: 0"),
    "chunk(2, dim=2) of 1-D": Row(lambda L: _x(L, 4).chunk(2, dim=2), IndexError, OUT_OF_RANGE),
    # ----- reductions -------------------------------------------------------------------
    "sum(dim=1.5)": Row(lambda L: _x(L, 2, 2).sum(1.5), TypeError, "dim must be an int, got float"),
    "sum(dim=(0, 0))": Row(lambda L: _x(L, 2, 2).sum((0, 0)), RuntimeError,
                           "appears multiple times in the list of dims"),
    "mean(dim=2) of 2-D": Row(lambda L: _x(L, 2, 2).mean(2), IndexError, OUT_OF_RANGE),
    "max(dim=2) of 2-D": Row(lambda L: _x(L, 2, 2).max(2), IndexError, OUT_OF_RANGE),
    "max() of an empty tensor": Row(lambda L: L.zeros(0).max(), RuntimeError,
                                    "cannot reduce an empty tensor"),
    "min(0) over an empty dim": Row(lambda L: L.zeros(0, 3).min(0), IndexError,
                                    r"min\(\): Expected reduction dim 0 to have non-zero size"),
    "max(t, 1.0)": Row(lambda L: L.max(_x(L, 2), 1.0), TypeError, "dim must be an int, got float"),
    "argmax(dim=3)": Row(lambda L: _x(L, 2).argmax(3), IndexError, OUT_OF_RANGE),
    "std(correction='a')": Row(lambda L: _x(L, 2).std(correction="a"), TypeError,
                               "argument 'correction' must be a number, not str"),
    "logsumexp(dim=3)": Row(lambda L: _x(L, 2).logsumexp(3), IndexError, OUT_OF_RANGE),
    "log_softmax(dim=3)": Row(lambda L: _x(L, 2).log_softmax(3), IndexError, OUT_OF_RANGE),
    "softmax(dim='a')": Row(lambda L: _x(L, 2).softmax("a"), TypeError,
                            "dim must be an int, got str"),
    "norm() of an int tensor": Row(lambda L: L.tensor([1, 2]).norm(), RuntimeError,
                                   "must be a floating point dtype, got .*int64"),
    "cumsum(dim=3)": Row(lambda L: _x(L, 2).cumsum(3), IndexError, OUT_OF_RANGE),
    "sort(dim=3)": Row(lambda L: _x(L, 2).sort(3), IndexError, OUT_OF_RANGE),
    "topk(5) of 2 elements": Row(lambda L: _x(L, 2).topk(5), RuntimeError,
                                 "k=5, but dimension 0 has size 2"),
    # ----- gather, index_select, masked_fill ---------------------------------------------
    "gather with a float index": Row(lambda L: L.gather(_x(L, 2, 2), 1, _x(L, 2, 2)),
                                     RuntimeError, "Expected dtype int32/int64 for index"),
    "gather index out of range": Row(
        lambda L: L.gather(_x(L, 2, 2), 1, L.tensor([[0, 5], [0, 0]])), RuntimeError,
        "index 5 is out of bounds for dimension 1 with size 2"),
    "index_select with a float index": Row(lambda L: L.index_select(_x(L, 2, 2), 0, _x(L, 1)),
                                           RuntimeError, "Expected dtype int32/int64 for index"),
    "masked_fill with an int mask": Row(lambda L: _x(L, 2).masked_fill(L.tensor([1, 0]), 0.0),
                                        RuntimeError, "only supports boolean masks"),
    "masked_fill mask shape": Row(
        lambda L: _x(L, 2).masked_fill(L.tensor([True, False, True]), 0.0), RuntimeError,
        r"mask's shape \(3,\) must be broadcastable to the input's shape \(2,\)"),
    # ----- elementwise ------------------------------------------------------------------
    "maximum(t, 1)": Row(lambda L: L.maximum(_x(L, 2), 1), TypeError,
                         r"maximum\(\): argument 'other' " + NOT_A_TENSOR + " int"),
    "minimum(t, 1.0)": Row(lambda L: L.minimum(_x(L, 2), 1.0), TypeError,
                           "argument 'other' " + NOT_A_TENSOR + " float"),
    "t.maximum(2)": Row(lambda L: _x(L, 2).maximum(2), TypeError, NOT_A_TENSOR + " int"),
    "t * 'a'": Row(lambda L: _x(L, 2) * "a", TypeError, "mul: unsupported operand of type str"),
    "t - None": Row(lambda L: _x(L, 2) - None, TypeError, "unsupported operand of type NoneType"),
    "t / [1, 2]": Row(lambda L: _x(L, 2) / [1, 2], TypeError, "unsupported operand of type list"),
    "t ** 'a'": Row(lambda L: _x(L, 2) ** "a", TypeError, "pow: unsupported operand of type str"),
    "t < 'a'": Row(lambda L: _x(L, 2) < "a", TypeError,
                   "'<' not supported between instances of 'Tensor' and 'str'"),
    "t >= None": Row(lambda L: _x(L, 2) >= None, TypeError, "'>=' not supported between"),
    "eq(t, 'a')": Row(lambda L: L.eq(_x(L, 2), "a"), TypeError, "unsupported operand of type str"),
    "mul shapes": Row(lambda L: _x(L, 2, 3) * _x(L, 3, 2), RuntimeError,
                      r"mul: the shapes \(2, 3\) and \(3, 2\) cannot be broadcast"),
    "bool - bool": Row(lambda L: L.tensor([True]) - L.tensor([False]), RuntimeError,
                       "Subtraction, the `-` operator, with two bool tensors"),
    "-bool": Row(lambda L: -L.tensor([True]), RuntimeError, "Negation, .* on a bool tensor"),
    "float & float": Row(lambda L: _x(L, 2) & _x(L, 2), NotImplementedError,
                         "bitwise_and.* not implemented for .*float32"),
    "~float": Row(lambda L: ~_x(L, 2), TypeError, "only implemented on integer and bool tensors"),
    "clamp()": Row(lambda L: _x(L, 2).clamp(), RuntimeError, "'min' or 'max' must not be None"),
    "clamp(max='a')": Row(lambda L: _x(L, 2).clamp(max="a"), TypeError,
                          "clamp: unsupported operand of type str"),
    "where shapes": Row(lambda L: L.where(L.tensor([True, False, True]), _x(L, 2), _x(L, 2)),
                        RuntimeError, r"condition \(3,\), input \(2,\) and other \(2,\) cannot"),
    "where(c, 'a', b)": Row(lambda L: L.where(L.tensor([True, False]), "a", _x(L, 2)), TypeError,
                            "where: unsupported operand of type str"),
    "exp('a')": Row(lambda L: L.exp("a"), TypeError, r"exp\(\): argument 'input' " + NOT_A_TENSOR),
    "exp([1.0])": Row(lambda L: L.exp([1.0]), TypeError, NOT_A_TENSOR + " list"),
    "sigmoid(2.0)": Row(lambda L: L.sigmoid(2.0), TypeError, NOT_A_TENSOR + " float"),
    "relu(list)": Row(lambda L: L.relu([1.0]), TypeError, r"relu\(\): argument 'input'"),
    "heaviside(t, 1)": Row(lambda L: L.heaviside(_x(L, 2), 1), TypeError,
                           "argument 'values' " + NOT_A_TENSOR + " int"),
    "pow(t, 'a')": Row(lambda L: L.pow(_x(L, 2), "a"), TypeError,
                       "unsupported operand of type str"),
    # ----- indexing ---------------------------------------------------------------------
    "t['a']": Row(lambda L: _x(L, 2)["a"], TypeError, r"cannot be indexed with a str \('a'\)"),
    "t[None, 'a']": Row(lambda L: _x(L, 3)[None, "a"], TypeError, "cannot be indexed with a str"),
    "t[1.5]": Row(lambda L: _x(L, 2)[1.5], IndexError, "only integers, slices"),
    "t[0, 0] of 1-D": Row(lambda L: _x(L, 2)[0, 0], IndexError,
                          r"too many indices .* \(indexing a tensor of shape \(2,\)\)"),
    "t[-3] of 2 elements": Row(lambda L: _x(L, 2)[-3], IndexError, "index -3 is out of bounds"),
    "t[float tensor]": Row(lambda L: _x(L, 3)[L.tensor([0.0, 1.0])], IndexError,
                           "tensors used as indices must be long, int, byte or bool"),
    "t[mask of another length]": Row(lambda L: _x(L, 3)[L.tensor([True, False])], IndexError,
                                     "boolean index did not match"),
    "t[[0, 5]]": Row(lambda L: _x(L, 3)[[0, 5]], IndexError, "index 5 is out of bounds"),
    "t[:2] = 3 values": Row(lambda L: _x(L, 3).__setitem__(slice(0, 2), _x(L, 3)), RuntimeError,
                            r"value tensor of shape \[3\] cannot be broadcast"),
    "t[0] = 'a'": Row(lambda L: _x(L, 3).__setitem__(0, "a"), TypeError,
                      "setitem: unsupported operand of type str"),
    "t[5] = 1.0": Row(lambda L: _x(L, 3).__setitem__(5, 1.0), IndexError,
                      "index 5 is out of bounds"),
    # ----- conversions and attributes ---------------------------------------------------
    "size(3) of 1-D": Row(lambda L: _x(L, 2).size(3), IndexError, OUT_OF_RANGE),
    "size('a')": Row(lambda L: _x(L, 2).size("a"), TypeError, "dim must be an int, got str"),
    "to('a')": Row(lambda L: _x(L, 2).to("a"), RuntimeError, "device string: a"),
    "to(dtype='float')": Row(lambda L: _x(L, 2).to(dtype="float"), TypeError,
                             "not the str 'float'"),
    "to('cuda')": Row(lambda L: _x(L, 2).to("cuda"), RuntimeError, "device 'cuda' is not available",
                      torch="PyTorch's CPU build raises AssertionError"),
    "type_as(list)": Row(lambda L: _x(L, 2).type_as([1]), TypeError,
                         "argument 'other' " + NOT_A_TENSOR + " list"),
    "numpy() of a tensor that requires grad": Row(
        lambda L: L.ones(2, requires_grad=True).numpy(), RuntimeError,
        r"Can't call numpy\(\) on Tensor that requires grad"),
    "float() of 2 elements": Row(lambda L: float(_x(L, 2)), ValueError,
                                 "only one element tensors can be converted"),
    "int() of 2 elements": Row(lambda L: int(_x(L, 2)), ValueError,
                               r"only one element .* shape \(2,\)"),
    "bool() of 2 elements": Row(lambda L: bool(_x(L, 2)), RuntimeError,
                                "Boolean value of Tensor with 2 elements is ambiguous"),
    "len() of 0-d": Row(lambda L: len(L.tensor(1.0)), TypeError, r"len\(\) of a 0-d tensor"),
    "iter() of 0-d": Row(lambda L: iter(L.tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
    "a list indexed by a float tensor": Row(lambda L: [0, 1][L.tensor(1.0)], TypeError,
                                            "only integer tensors of a single element"),
    "equal(t, list)": Row(lambda L: _x(L, 2).equal([1.0, 1.0]), TypeError,
                          "argument 'other' " + NOT_A_TENSOR + " list"),
    "t.data = list": Row(lambda L: setattr(_x(L, 2), "data", [1.0]), TypeError,
                         "must be set to a Tensor, got list"),
    "item() of an empty tensor": Row(lambda L: L.zeros(0).item(), RuntimeError,
                                     "a Tensor with 0 elements cannot be converted"),
    "tensor([inf], dtype=int64)": Row(lambda L: L.tensor([float("inf")], dtype=L.int64),
                                      RuntimeError, "cannot be converted to type int64"),
    "tensor of tensors of different shapes": Row(lambda L: L.tensor([_x(L, 2), _x(L, 3)]),
                                                 ValueError, "different lengths"),
    # ----- more shape ops ---------------------------------------------------------------
    "view of a transpose": Row(lambda L: _x(L, 2, 3).t().view(6), RuntimeError,
                               r"view size is not compatible .* Use .reshape"),
    "unsqueeze('a')": Row(lambda L: _x(L, 2).unsqueeze("a"), TypeError,
                          "dim must be an int, got str"),
    "squeeze((0, 5))": Row(lambda L: _x(L, 1, 2).squeeze((0, 5)), IndexError, OUT_OF_RANGE),
    "repeat(2) of 2-D": Row(lambda L: _x(L, 2, 2).repeat(2), RuntimeError,
                            r"repeat got 1 sizes for a 2-d tensor"),
    "flip(3)": Row(lambda L: _x(L, 2).flip(3), IndexError, OUT_OF_RANGE),
    "roll(1, dims=3)": Row(lambda L: _x(L, 2).roll(1, dims=3), IndexError, OUT_OF_RANGE),
    "narrow(0, 1, 5)": Row(lambda L: _x(L, 2).narrow(0, 1, 5), RuntimeError,
                           r"start \(1\) \+ length \(5\) exceeds dimension size \(2\)"),
    "tril of 1-D": Row(lambda L: _x(L, 2).tril(), RuntimeError, "at least 2 dimensions"),
    "diag of 3-D": Row(lambda L: L.diag(_x(L, 2, 2, 2)), RuntimeError, "1D or 2D tensors. Got 3D"),
    "einsum output subscript not in the inputs": Row(
        lambda L: L.einsum("ij->k", _x(L, 2, 2)), RuntimeError,
        "output subscript k does not appear"),
    "einsum with too few operands": Row(lambda L: L.einsum("ij,jk->ik", _x(L, 2, 2)),
                                        RuntimeError, "fewer operands were provided"),
    # ----- more reductions and lookups ----------------------------------------------------
    "prod(dim=3)": Row(lambda L: _x(L, 2).prod(3), IndexError, OUT_OF_RANGE),
    "cumsum('a')": Row(lambda L: _x(L, 2).cumsum("a"), TypeError, "dim must be an int, got str"),
    "argsort(dim=3)": Row(lambda L: _x(L, 2).argsort(3), IndexError, OUT_OF_RANGE),
    "all(dim=3)": Row(lambda L: _x(L, 2).all(3), IndexError, OUT_OF_RANGE),
    "count_nonzero(dim=3)": Row(lambda L: L.count_nonzero(_x(L, 2), 3), IndexError,
                                OUT_OF_RANGE),
    "var(dim=3)": Row(lambda L: _x(L, 2).var(3), IndexError, OUT_OF_RANGE),
    "std() of an int tensor": Row(lambda L: L.tensor([1, 2]).std(), RuntimeError,
                                  "must be a floating point dtype"),
    "norm(dim='a')": Row(lambda L: _x(L, 2).norm(dim="a"), TypeError,
                         "dim must be an int, got str"),
    "log_softmax() of an int tensor": Row(lambda L: L.tensor([1, 2]).log_softmax(0),
                                          NotImplementedError, "not implemented for .*int64"),
    "scatter with a float index": Row(lambda L: _x(L, 2).scatter(0, _x(L, 2), _x(L, 2)),
                                      RuntimeError, "Expected dtype int32/int64 for index"),
    "masked_select mask shape": Row(
        lambda L: L.masked_select(_x(L, 2), L.tensor([True, False, True])), RuntimeError,
        r"mask's shape \(3,\) and the input's shape \(2,\) cannot be broadcast"),
    "sqrt(list)": Row(lambda L: L.sqrt([4.0]), TypeError, r"sqrt\(\): argument 'input'"),
    "div(rounding_mode='x')": Row(lambda L: L.div(_x(L, 2), 2, rounding_mode="x"), RuntimeError,
                                  "rounding_mode to be one of None, 'trunc', or 'floor'"),
    # ----- more in-place ----------------------------------------------------------------
    "int clamp_(0.5)": Row(lambda L: L.tensor([1, 2]).clamp_(0.5), RuntimeError,
                           "clamp_: result type .*float32 can't be cast to .*int64"),
    "mul_ of a wider shape": Row(lambda L: _x(L, 2).mul_(_x(L, 2, 2)), RuntimeError,
                                 r"doesn't match the broadcast shape"),
    "copy_ of another shape": Row(lambda L: _x(L, 2).copy_(_x(L, 3)), RuntimeError,
                                  r"source of shape \(3,\) cannot be broadcast to .* \(2,\)"),
    "fill_ with a tensor of 2 elements": Row(lambda L: _x(L, 2).fill_(_x(L, 2)), RuntimeError,
                                             "fill_ only supports 0-dimension value tensor"),
    "requires_grad_('a')": Row(lambda L: _x(L, 2).requires_grad_("a"), TypeError,
                               "argument 'requires_grad' must be bool, not str"),
    "zeros(2, requires_grad='a')": Row(lambda L: L.zeros(2, requires_grad="a"), TypeError,
                                       "argument 'requires_grad' must be bool, not str"),
    "tensor(requires_grad='a')": Row(lambda L: L.tensor([1.0], requires_grad="a"), TypeError,
                                     "argument 'requires_grad' must be bool"),
    "expand_as(list)": Row(lambda L: _x(L, 1).expand_as([1, 2]), TypeError,
                           r"expand_as\(\): argument 'other' " + NOT_A_TENSOR + " list"),
    "permute(0, 1, 2) of 2-D": Row(lambda L: _x(L, 2, 2).permute(0, 1, 2), RuntimeError,
                                   "input.dim\\(\\) = 2 is not equal to len\\(dims\\) = 3"),
    "sum(dtype='a')": Row(lambda L: _x(L, 2).sum(dtype="a"), TypeError, "not the str 'a'"),
    "mm(t, 2)": Row(lambda L: L.mm(_x(L, 2, 2), 2), TypeError,
                    r"mm\(\): argument 'mat2' " + NOT_A_TENSOR + " int"),
    "dot(t, 2)": Row(lambda L: L.dot(_x(L, 2), 2), TypeError,
                     r"dot\(\): argument 'tensor' " + NOT_A_TENSOR + " int"),
    "outer(t, 2)": Row(lambda L: L.outer(_x(L, 2), 2), TypeError,
                       r"outer\(\): argument 'vec2' " + NOT_A_TENSOR + " int"),
    "bmm of 2-D": Row(lambda L: L.bmm(_x(L, 2, 2), _x(L, 2, 2)), RuntimeError,
                      "batch1 must be a 3D tensor"),
    "where(c, a) without other": Row(lambda L: L.where(L.tensor([True]), _x(L, 1)), TypeError,
                                     "condition alone, or the condition, input and other"),
    "clamp(min=t of another shape)": Row(lambda L: _x(L, 2).clamp(min=_x(L, 3)), RuntimeError,
                                         r"bounds of shape \(3,\) cannot be broadcast"),
    "int += 0.5": Row(lambda L: _add_in_place(L.tensor([1, 2]), 0.5), RuntimeError,
                      "add_: result type .*float32 can't be cast to .*int64"),
    "int.div_(2)": Row(lambda L: L.tensor([1, 2]).div_(2), RuntimeError,
                       "div_: result type .*float32 can't be cast"),
    "bool.add_(1)": Row(lambda L: L.tensor([True]).add_(1), RuntimeError,
                        "result type .*int64 can't be cast to .*bool"),
    "mean(dtype=int64)": Row(lambda L: _x(L, 2).mean(dtype=L.int64), RuntimeError,
                             "could not infer output dtype"),
    "topk(-1)": Row(lambda L: _x(L, 2).topk(-1), RuntimeError, "selected index k out of range"),
    "zero_ of a leaf that requires grad": Row(lambda L: L.ones(2, requires_grad=True).zero_(),
                                              RuntimeError, "leaf Variable that requires grad"),
}

@pytest.mark.parametrize("name", list(ROWS))
def test_bad_input_gets_a_clear_error(name: str) -> None:
    check_ours(ROWS[name])


@pytest.mark.parametrize("name", compared(ROWS))
def test_the_error_type_is_pytorchs(name: str) -> None:
    torch = pytest.importorskip("torch")
    check_pytorchs(ROWS[name], torch)


def _with_grad() -> tg.Tensor:
    t = tg.ones(2, requires_grad=True)
    t.grad = tg.tensor([1.0, 2.0])
    return t


# Calls that mutate: (setup, call, error, message); after the error the state is unchanged.
MUTATING = {
    "int add_(0.5)": (lambda: tg.tensor([1, 2]), lambda t: t.add_(0.5), RuntimeError,
                      "result type tinygrad_edu.float32 can't be cast"),
    "add_ of a wider shape": (lambda: tg.ones(2), lambda t: t.add_(tg.ones(2, 2)), RuntimeError,
                              "doesn't match the broadcast shape"),
    "fill_('a')": (lambda: tg.ones(2), lambda t: t.fill_("a"), TypeError,
                   "argument 'value' must be a number"),
    "read-only add_(1)": (lambda: tg.from_numpy(_read_only(np.ones(2))), lambda t: t.add_(1),
                          RuntimeError, "memory is read-only"),
    "load_state_dict, wrong shape": (lambda: tg.nn.Linear(2, 2), lambda m: m.load_state_dict(
        {"weight": tg.zeros(3, 3), "bias": tg.zeros(2)}), RuntimeError, "size mismatch"),
    "load_state_dict(list)": (lambda: tg.nn.Linear(2, 2), lambda m: m.load_state_dict([1]),
                              TypeError, "dict-like"),
    "grad = 0.0": (_with_grad, lambda t: setattr(t, "grad", 0.0), TypeError, "assigned grad"),
    "grad of another shape": (_with_grad, lambda t: setattr(t, "grad", tg.ones(3)),
                              RuntimeError, "size"),
    "grad of another dtype": (_with_grad, lambda t: setattr(t, "grad", tg.ones(2).double()),
                              RuntimeError, "dtype"),
    "t[0] = 'a'": (lambda: tg.ones(2), lambda t: t.__setitem__(0, "a"), TypeError, "str"),
}


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _state(obj: Any) -> list:
    if isinstance(obj, tg.Tensor):
        grad = None if obj.grad is None else obj.grad.tolist()
        return [obj.dtype, obj.tolist(), obj._version.value, grad]
    return [(k, v.tolist()) for k, v in obj.state_dict().items()]


@pytest.mark.parametrize("name", list(MUTATING))
def test_a_failed_mutating_call_changes_nothing(name: str) -> None:
    setup, call, error, message = MUTATING[name]
    obj = setup()
    before = _state(obj)
    with pytest.raises(error, match=message):
        call(obj)
    assert _state(obj) == before


def test_valid_calls_on_empty_tensors_give_pytorchs_results() -> None:
    assert tg.zeros(0).softmax(0).shape == (0,)
    assert tg.zeros(0).log_softmax(0).shape == (0,)
    assert tg.zeros(0).logsumexp(0).item() == -np.inf
    assert tg.tensor([0.0, 2.0, -1.0]).norm(0).item() == 2.0


def _equal_to_other_objects(L: Any) -> list:
    t = _x(L, 2)
    return [t == "a", t != "a", t == None, t != [1, 1], t == object()]  # noqa: E711


def test_tensor_equals_a_non_number_is_false_as_in_pytorch() -> None:
    # == with a str, None or a list was a TypeError; PyTorch answers False (!= True).
    assert _equal_to_other_objects(tg) == [False, True, False, True, False]


def test_equality_with_other_objects_against_pytorch() -> None:
    torch = pytest.importorskip("torch")
    assert _equal_to_other_objects(tg) == _equal_to_other_objects(torch)
