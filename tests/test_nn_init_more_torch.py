"""nn.init's orthogonal_, sparse_, eye_ and dirac_ against PyTorch.

orthogonal_ draws PyTorch's normals (bit for bit, and the generators end in the
same state) and then takes a QR factorisation with numpy's LAPACK instead of
PyTorch's: its values agree to rounding. The others agree exactly.
"""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.nn import init

torch = pytest.importorskip("torch")

# measured max |ours - PyTorch's| over these shapes and gains: float32 6.3e-7, float64 9e-16
TOLERANCE = {"float32": 2e-6, "float64": 1e-14}


def same_generators():
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), torch.get_rng_state().numpy())
    np.testing.assert_array_equal(tg.randn(20).numpy(), torch.randn(20).numpy())


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (2, 3, 4), (1, 7), (7, 1),
                                   (20, 30), (16, 8, 3, 3)])
@pytest.mark.parametrize("gain", [1, 0.5, 2.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_orthogonal(shape, gain, dtype):
    tg.manual_seed(0)
    torch.manual_seed(0)
    ours = init.orthogonal_(tg.empty(*shape, dtype=getattr(tg, dtype)), gain).numpy()
    theirs = torch.nn.init.orthogonal_(torch.empty(*shape, dtype=getattr(torch, dtype)),
                                       gain).numpy()
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=TOLERANCE[dtype] * gain)
    same_generators()
    # (semi-)orthogonal: the shorter side's rows or columns are orthonormal, times gain
    flat = ours.reshape(shape[0], -1).astype(np.float64) / gain
    small = flat @ flat.T if flat.shape[0] <= flat.shape[1] else flat.T @ flat
    np.testing.assert_allclose(small, np.eye(len(small)), atol=1e-5 if dtype == "float32"
                               else 1e-13)


def test_orthogonal_with_a_generator_leaves_the_global_stream_alone():
    tg.manual_seed(4)
    torch.manual_seed(4)
    ours = init.orthogonal_(tg.empty(6, 9), generator=tg.Generator().manual_seed(2)).numpy()
    theirs = torch.nn.init.orthogonal_(torch.empty(6, 9),
                                       generator=torch.Generator().manual_seed(2)).numpy()
    np.testing.assert_allclose(ours, theirs, atol=TOLERANCE["float32"])
    same_generators()


def test_orthogonal_on_a_parameter_and_edge_cases():
    w = tg.nn.Parameter(tg.zeros(3, 4))
    version = w._version.value
    assert init.orthogonal_(w) is w and w._version.value > version and w.grad_fn is None
    empty = tg.empty(0, 3)
    assert init.orthogonal_(empty) is empty
    state = tg.get_rng_state().numpy()
    for bad in (tg.empty(3), tg.empty(2, 2, dtype=tg.float16)):
        theirs = torch.empty(bad.shape, dtype=getattr(torch, str(bad.dtype).split(".")[-1]))
        with pytest.raises(Exception) as raised:
            torch.nn.init.orthogonal_(theirs)
        with pytest.raises(type(raised.value), match=str(raised.value)[:20]):
            init.orthogonal_(bad)
    np.testing.assert_array_equal(tg.get_rng_state().numpy(), state)  # ours drew nothing


@pytest.mark.parametrize("shape, sparsity", [((10, 5), 0.3), ((3, 7), 0.9), ((17, 4), 0.0),
                                             ((6, 6), 1.5), ((6, 6), -0.5), ((40, 3), 0.1)])
def test_sparse(shape, sparsity):
    # PyTorch 2.13 draws the values from generator= and the zeroed rows from the global one
    tg.manual_seed(1)
    torch.manual_seed(1)
    ours = init.sparse_(tg.empty(*shape), sparsity, 0.5, generator=tg.Generator().manual_seed(9))
    theirs = torch.nn.init.sparse_(torch.empty(*shape), sparsity, 0.5,
                                   generator=torch.Generator().manual_seed(9))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    same_generators()
    tg.manual_seed(2)
    torch.manual_seed(2)
    np.testing.assert_array_equal(init.sparse_(tg.empty(*shape), sparsity).numpy(),
                                  torch.nn.init.sparse_(torch.empty(*shape), sparsity).numpy())
    same_generators()


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (1, 1)])
def test_eye(shape):
    np.testing.assert_array_equal(init.eye_(tg.full(shape, 7.0)).numpy(),
                                  torch.nn.init.eye_(torch.full(shape, 7.0)).numpy())


@pytest.mark.parametrize("shape, groups", [((4, 2, 3), 1), ((6, 4, 3, 3), 2),
                                           ((4, 4, 3, 3, 3), 4), ((2, 5, 4), 1),
                                           ((6, 3, 2, 2), 3)])
def test_dirac(shape, groups):
    np.testing.assert_array_equal(init.dirac_(tg.full(shape, 7.0), groups).numpy(),
                                  torch.nn.init.dirac_(torch.full(shape, 7.0), groups).numpy())


@pytest.mark.parametrize("call", [
    lambda lib, t: lib.nn.init.eye_(t.empty(2, 2, 2)),
    lambda lib, t: lib.nn.init.dirac_(t.empty(2, 2)),
    lambda lib, t: lib.nn.init.dirac_(t.empty(5, 2, 3), groups=2),
    lambda lib, t: lib.nn.init.sparse_(t.empty(2, 2, 2), 0.5),
])
def test_shape_errors_are_pytorchs(call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch)
    with pytest.raises(type(theirs.value), match=str(theirs.value)):
        call(tg, tg)
