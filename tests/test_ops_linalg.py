"""Property tests of matmul (1-D, 2-D, batched with broadcasting), mm, dot and outer."""

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu.testing import assert_op_gradients

# numpy's own matmul signature: '?' marks the dims a 1-D operand does not have.
MATMUL_SHAPES = hnp.mutually_broadcastable_shapes(
    signature="(m?,n),(n,p?)->(m?,p?)", max_dims=4, max_side=3
).map(lambda shapes: shapes.input_shapes)


def test_matmul():
    assert_op_gradients(lambda a, b: a @ b, num_inputs=2, reference=np.matmul,
                        input_shapes=MATMUL_SHAPES)


def test_matmul_function_and_method():
    assert_op_gradients(tg.matmul, num_inputs=2, reference=np.matmul,
                        input_shapes=MATMUL_SHAPES)
    assert_op_gradients(lambda a, b: a.matmul(b), num_inputs=2, reference=np.matmul,
                        input_shapes=MATMUL_SHAPES)


def _matrices(draw):
    m, n, p = (draw(st.integers(1, 4)) for _ in range(3))
    return ((m, n), (n, p))


def test_mm():
    assert_op_gradients(tg.mm, num_inputs=2, reference=np.matmul,
                        input_shapes=st.composite(_matrices)())


def _vectors(draw, same=True):
    n = draw(st.integers(1, 5))
    return ((n,), (n if same else draw(st.integers(1, 5)),))


def test_dot():
    assert_op_gradients(lambda a, b: a.dot(b), num_inputs=2, reference=np.dot,
                        input_shapes=st.composite(_vectors)())


def test_outer():
    assert_op_gradients(tg.outer, num_inputs=2, reference=np.outer,
                        input_shapes=st.composite(_vectors)(same=False))


def test_matmul_is_the_seeds_matrix_form():
    """d/dX of sum(G * (X Wᵀ)) is G W and d/dW is Gᵀ X (seed 002's ∂ℓ/∂X = Δ W, ∂ℓ/∂W = Δᵀ X)."""
    rng = np.random.default_rng(0)
    X, W, G = rng.standard_normal((4, 3)), rng.standard_normal((2, 3)), rng.standard_normal((4, 2))
    x, w = tg.tensor(X, requires_grad=True), tg.tensor(W, requires_grad=True)
    (x @ w.T).backward(tg.tensor(G))
    np.testing.assert_allclose(x.grad.numpy(), G @ W)
    np.testing.assert_allclose(w.grad.numpy(), G.T @ X)


@pytest.mark.parametrize("shapes", [((2, 3), (4, 2)), ((3,), (2,)), ((2, 2, 3), (2, 4, 1))])
def test_matmul_shape_mismatch_names_both_shapes(shapes):
    a, b = tg.zeros(*shapes[0]), tg.zeros(*shapes[1])
    with pytest.raises(RuntimeError, match=r"\(.*\).*\(.*\)") as error:
        a @ b
    message = str(error.value)
    assert str(tuple(shapes[0])) in message and str(tuple(shapes[1])) in message
