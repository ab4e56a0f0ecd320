"""Property tests of einsum (ops/einsum.py): its gradient is an einsum too, checked here
against finite differences, second derivatives included. PyTorch comparison:
test_ops_torch_everyday.py."""

import numpy as np
import pytest
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients


def _sized(*letters_per_input):
    """input_shapes for the given subscripts, with one size drawn per letter."""
    letters = sorted(set("".join(letters_per_input)))
    return st.lists(st.integers(1, 3), min_size=len(letters), max_size=len(letters)).map(
        lambda sizes: tuple(tuple(dict(zip(letters, sizes))[c] for c in s)
                            for s in letters_per_input))


CASES = [
    ("ij,jk->ik", ("ij", "jk")),        # matmul
    ("bij,bjk->bik", ("bij", "bjk")),   # batched matmul
    ("i,j->ij", ("i", "j")),            # outer product
    ("ij->ji", ("ij",)),                # transpose
    ("ij->j", ("ij",)),                 # sum over a letter only one operand has
    ("ii->i", ("ii",)),                 # a diagonal
    ("ii", ("ii",)),                    # the trace (implicit output)
    ("ij,ij->", ("ij", "ij")),          # a full contraction
    ("ij,jk", ("ij", "jk")),            # implicit output: ik
    ("bhqd,bhkd->bhqk", ("bhqd", "bhkd")),  # attention scores
]


@pytest.mark.parametrize("equation,subscripts", CASES, ids=[c[0] for c in CASES])
def test_einsum(equation, subscripts):
    assert_op_gradients(lambda *xs: tg.einsum(equation, *xs), num_inputs=len(subscripts),
                        reference=lambda *xs: np.einsum(equation, *xs),
                        input_shapes=_sized(*subscripts), max_examples=10)


def test_ellipsis_and_a_list_of_operands():
    assert_op_gradients(lambda x, w: tg.einsum("...i,ij->...j", [x, w]),
                        num_inputs=2, reference=lambda x, w: np.einsum("...i,ij->...j", x, w),
                        input_shapes=st.just(((2, 3, 4), (4, 2))), max_examples=3)
    assert tg.einsum("...ij->...ji", tg.ones(2, 3, 4)).shape == (2, 4, 3)


def test_the_same_operand_twice():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    tg.einsum("i,i->", x, x).backward()
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_operands_of_different_dtypes_are_refused_as_pytorch_does():
    with pytest.raises(RuntimeError, match="expected all operands to have one dtype"):
        tg.einsum("i,i->", tg.tensor([1, 2]), tg.tensor([0.5, 0.5]))


ERRORS = [
    (lambda: tg.einsum("ij,jk->ik", tg.ones(2, 3)), RuntimeError, "fewer operands"),
    (lambda: tg.einsum("ij->ij", tg.ones(2, 3), tg.ones(2)), RuntimeError, "more operands"),
    (lambda: tg.einsum("ij->i", tg.ones(2)), RuntimeError, "number of subscripts"),
    (lambda: tg.einsum("ij,jk->ik", tg.ones(2, 3), tg.ones(4, 2)), RuntimeError,
     "subscript j has size 3 in one operand which does not broadcast with size 4"),
    (lambda: tg.einsum("i1->i", tg.ones(2, 3)), RuntimeError, "subscripts must be in"),
]


@pytest.mark.parametrize("case", range(len(ERRORS)))
def test_errors(case):
    fn, error, message = ERRORS[case]
    with pytest.raises(error, match=message):
        fn()
