"""Devices, honestly CPU, with PyTorch's spelling: checked against PyTorch's CPU build."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.device import DeviceNotAvailableError

torch = pytest.importorskip("torch")

FACTORIES = {
    "tensor": lambda t, **k: t.tensor([1.0, 2.0], **k),
    "as_tensor": lambda t, **k: t.as_tensor([1.0, 2.0], **k),
    "zeros": lambda t, **k: t.zeros(2, 3, **k), "ones": lambda t, **k: t.ones((2,), **k),
    "empty": lambda t, **k: t.empty(2, **k).fill_(0), "full": lambda t, **k: t.full((2,), 7.0, **k),
    "arange": lambda t, **k: t.arange(4, **k), "linspace": lambda t, **k: t.linspace(0, 1, 5, **k),
    "eye": lambda t, **k: t.eye(3, **k),
    "zeros_like": lambda t, **k: t.zeros_like(t.ones(2), **k),
    "ones_like": lambda t, **k: t.ones_like(t.ones(2), **k),
    "empty_like": lambda t, **k: t.empty_like(t.ones(2), **k).fill_(1),
    "full_like": lambda t, **k: t.full_like(t.ones(2), 3.0, **k),
    "rand": lambda t, **k: t.rand(3, **k) * 0, "randn": lambda t, **k: t.randn(3, **k) * 0,
    "randint": lambda t, **k: t.randint(0, 1, (3,), **k),
    "randperm": lambda t, **k: t.randperm(1, **k),
    "rand_like": lambda t, **k: t.rand_like(t.ones(2), **k) * 0,
    "randn_like": lambda t, **k: t.randn_like(t.ones(2), **k) * 0,
}


@pytest.mark.parametrize("name", list(FACTORIES))
@pytest.mark.parametrize("device", ["cpu", "cpu:0", "device"])
def test_every_factory_accepts_the_cpu(name, device):
    ours = FACTORIES[name](tg, device=tg.device("cpu") if device == "device" else device)
    theirs = FACTORIES[name](torch, device=torch.device("cpu") if device == "device" else device)
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    assert ours.device == tg.device("cpu") and str(ours.device) == str(theirs.device) == "cpu"


@pytest.mark.parametrize("name", list(FACTORIES))
def test_every_factory_refuses_cuda_as_pytorchs_cpu_build_does(name):
    with pytest.raises(AssertionError):  # PyTorch: "Torch not compiled with CUDA enabled"
        FACTORIES[name](torch, device="cuda")
    with pytest.raises(AssertionError, match="tinygrad_edu runs on the CPU only"):
        FACTORIES[name](tg, device="cuda")
    with pytest.raises(RuntimeError, match="device 'cuda:1' is not available"):
        FACTORIES[name](tg, device="cuda:1")


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword(name):
    ours, theirs = getattr(tg, name)(size=(2, 3)), getattr(torch, name)(size=(2, 3))
    assert ours.shape == theirs.shape == (2, 3)
    assert getattr(tg, name)(size=[4]).shape == (4,)
    with pytest.raises(TypeError):
        getattr(torch, name)(2, size=(2,))
    with pytest.raises(TypeError, match="size"):  # (the random ones word it their own way)
        getattr(tg, name)(2, size=(2,))


def test_a_refused_random_call_draws_nothing():
    tg.manual_seed(0)
    with pytest.raises(RuntimeError):
        tg.rand(3, device="cuda")
    after_refusal = tg.rand(3)
    tg.manual_seed(0)
    np.testing.assert_array_equal(after_refusal.numpy(), tg.rand(3).numpy())


def test_tensor_device_and_to():
    for lib in (tg, torch):
        t = lib.tensor([1.5, 2.0], requires_grad=True)
        assert str(t.device) == "cpu" and repr(t.device) == "device(type='cpu')"
        assert t.is_cuda is False and t.cpu() is t
        assert t.to("cpu") is t and t.to(lib.device("cpu")) is t and t.to(t) is t
        assert t.to(device="cpu", dtype=lib.float32) is t
        assert t.device != "cpu"  # PyTorch: a device is never equal to a string
        copied = t.to("cpu", copy=True)
        assert copied is not t and copied.tolist() == [1.5, 2.0]
        assert t.to(lib.float64).dtype == lib.float64
        assert t.to("cpu", lib.int64).tolist() == [1, 2]
        assert t.to(lib.ones(1, dtype=lib.int32)).dtype == lib.int32
        assert t.to(dtype=lib.float64).grad_fn.name() == "ToCopyBackward0"
        assert t.to("cpu", lib.float64, False, True) is not t
        with pytest.raises(TypeError):
            t.to("cpu", "cuda")
        with pytest.raises(AssertionError):
            t.cuda()
        with pytest.raises(AssertionError):
            t.to("cuda")
        with pytest.raises(AssertionError):
            t.to("cuda", lib.float64)


def test_a_refused_to_changes_nothing():
    t = tg.ones(2)
    with pytest.raises(RuntimeError, match="CPU only"):
        t.to("cuda", tg.float64)
    assert t.dtype == tg.float32


def test_module_to_cpu_cuda():
    for lib in (tg, torch):
        model = lib.nn.Linear(2, 3)
        assert model.to("cpu") is model and model.cpu() is model
        assert model.to(lib.device("cpu"), lib.float64) is model
        assert model.weight.dtype == lib.float64 and str(model.weight.device) == "cpu"
        with pytest.raises(AssertionError):
            model.cuda()
        with pytest.raises(AssertionError):
            model.to("cuda")


def test_cuda_backends_and_default_device_are_pytorchs_cpu_build():
    for lib in (tg, torch):
        assert lib.cuda.is_available() is False and lib.cuda.device_count() == 0
        assert lib.cuda.manual_seed(0) is None and lib.cuda.manual_seed_all(1) is None
        assert lib.cuda.is_initialized() is False and lib.cuda.empty_cache() is None
        assert lib.backends.mps.is_available() is False and lib.backends.mps.is_built() is False
        assert lib.backends.cudnn.is_available() is False
        assert lib.backends.cudnn.enabled is True and lib.backends.cudnn.benchmark is False
        assert lib.backends.cudnn.deterministic is False
        assert lib.accelerator.is_available() is False and lib.accelerator.device_count() == 0
        assert lib.accelerator.current_accelerator() is None
        with pytest.raises(AssertionError):
            lib.cuda.current_device()
        lib.set_default_device("cpu")
        assert str(lib.get_default_device()) == "cpu"
        lib.set_default_device(None)
    tg.backends.cudnn.benchmark = True  # scripts set these; nothing changes
    tg.backends.cudnn.benchmark = False
    with pytest.raises(DeviceNotAvailableError, match="CPU only"):
        tg.set_default_device("cuda")
    assert str(tg.get_default_device()) == "cpu"


def test_device_agnostic_pattern():
    for lib in (tg, torch):
        device = lib.device("cuda" if lib.cuda.is_available() else "cpu")
        x = lib.randn(4, 2, device=device)
        model = lib.nn.Linear(2, 1).to(device)
        assert model(x.to(device)).shape == (4, 1)
