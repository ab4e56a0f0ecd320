"""Legacy names of old tutorials (torch.FloatTensor & co., t.type(), autograd.Variable),
as current PyTorch treats them; every case checked against PyTorch itself."""

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")

NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor", "ShortTensor",
         "CharTensor", "ByteTensor", "BoolTensor"]
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def same(ours, theirs):
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert ours.shape == theirs.shape
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("name", NAMES)
def test_constructors_from_data_and_sizes(name):
    ours, theirs = getattr(tg, name), getattr(torch, name)
    same(ours([1, 0, 2]), theirs([1, 0, 2]))
    same(ours([[1.7, 2.0]]), theirs([[1.7, 2.0]]))
    signed = [0.0] if name == "ByteTensor" else [-1.5, 0.0]
    same(ours(signed), theirs(signed))
    same(ours(np.array([1.0, 2.0])), theirs(np.array([1.0, 2.0])))
    same(ours(), theirs())
    assert ours(2, 3).shape == theirs(2, 3).shape == (2, 3)
    assert ours(2, 3).dtype == getattr(tg, DTYPES[NAMES.index(name)])
    with pytest.raises(TypeError):
        theirs("x")
    with pytest.raises(TypeError, match=f"{name}\\(\\): expected data"):
        ours("x")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_isinstance_is_true_exactly_for_the_dtype(name, dtype):
    ours = isinstance(tg.zeros(2, dtype=getattr(tg, dtype)), getattr(tg, name))
    theirs = isinstance(torch.zeros(2, dtype=getattr(torch, dtype)), getattr(torch, name))
    assert ours == theirs == (DTYPES.index(dtype) == NAMES.index(name))
    assert not isinstance(3.0, getattr(tg, name)) and not isinstance([1], getattr(tg, name))


def test_a_float_tensor_from_a_tensor():
    t = tg.ones(2)
    assert tg.FloatTensor(t).tolist() == torch.FloatTensor(torch.ones(2)).tolist()
    with pytest.raises(TypeError):
        torch.FloatTensor(torch.ones(2).long())
    with pytest.raises(TypeError, match="expected a tensor of dtype tinygrad_edu.float32"):
        tg.FloatTensor(t.long())


@pytest.mark.parametrize("dtype", DTYPES)
def test_type_without_argument_is_pytorchs_string(dtype):
    ours = tg.zeros(2, dtype=getattr(tg, dtype)).type()
    assert ours == torch.zeros(2, dtype=getattr(torch, dtype)).type()
    assert ours == f"torch.{NAMES[DTYPES.index(dtype)]}"


def test_type_converts():
    for lib in (tg, torch):
        a = lib.tensor([1.5, 2.5], requires_grad=True)
        assert a.type(lib.FloatTensor) is a and a.type("torch.FloatTensor") is a
        b = a.type(lib.DoubleTensor)
        assert b.dtype == lib.float64 and b.grad_fn.name() == "ToCopyBackward0"
        assert a.type("torch.LongTensor").tolist() == [1, 2]
        assert a.type(lib.float64).dtype == lib.float64
        b.sum().backward()
        assert a.grad.tolist() == [1.0, 1.0]
        with pytest.raises(ValueError, match="invalid type: 'torch.Foo'"):
            a.type("torch.Foo")


def test_variable_returns_a_tensor_as_pytorch_does():
    for lib in (tg, torch):
        from_lib = lib.autograd.Variable
        t = lib.ones(2)
        v = from_lib(t, requires_grad=True)
        assert v is not t and isinstance(v, lib.Tensor) and type(v) is lib.Tensor
        assert v.requires_grad and v.is_leaf and not t.requires_grad
        assert isinstance(t, from_lib) and not isinstance(3, from_lib)
        v.data.add_(1)  # shares memory with t
        assert t.tolist() == [2.0, 2.0]
        y = v * 2
        w = from_lib(y)
        assert w.grad_fn is None and not w.requires_grad and w.tolist() == [4.0, 4.0]
        assert from_lib(lib.ones(1)).requires_grad is False
        (v * v).sum().backward()
        assert v.grad.tolist() == [4.0, 4.0]
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        tg.autograd.Variable([1.0])
    with pytest.raises(RuntimeError, match="Only Tensors of floating point dtype"):
        tg.autograd.Variable(tg.ones(2).long(), requires_grad=True)


def test_legacy_types_print_as_pytorchs_under_the_alias_prefix():
    assert repr(tg.FloatTensor) == "<class 'tinygrad_edu.FloatTensor'>"
    assert repr(torch.FloatTensor) == "<class 'torch.FloatTensor'>"
