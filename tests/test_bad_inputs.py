"""Every bad input gets a clear error of PyTorch's type (issue 10, class 9).

One row per bad call: the call (given the library, tinygrad_edu or torch), the
exception type, a pattern its message must match (naming what was wrong), and
for calls that mutate, a check that nothing changed. Where PyTorch is installed,
the same call must raise an exception of the same type there (rows marked
``torch=False`` are ones where PyTorch has no such call or gives a result).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest

import tinygrad_edu as tg


class Row(NamedTuple):
    call: Callable[[Any], Any]
    error: type
    message: str
    torch: bool = True  # compare the exception type with PyTorch's


def _nn(L: Any) -> Any:
    return L.nn


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
                          torch=False),
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
                                "not implemented for"),
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
        "step_size", torch=False),  # PyTorch accepts it and divides by zero later
}


@pytest.mark.parametrize("name", list(ROWS))
def test_bad_input_gets_a_clear_error(name: str) -> None:
    row = ROWS[name]
    with pytest.raises(row.error, match=row.message):
        row.call(tg)


@pytest.mark.parametrize("name", [n for n, row in ROWS.items() if row.torch])
def test_the_error_type_is_pytorchs(name: str) -> None:
    torch = pytest.importorskip("torch")
    row = ROWS[name]
    with pytest.raises(Exception) as raised:  # noqa: PT011 - any type: compared below
        row.call(torch)
    assert issubclass(raised.type, row.error) or issubclass(row.error, raised.type), (
        f"PyTorch raises {raised.type.__name__}, we raise {row.error.__name__}"
    )


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
}


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _state(obj: Any) -> list:
    if isinstance(obj, tg.Tensor):
        return [obj.dtype, obj.tolist(), obj._version.value]
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
