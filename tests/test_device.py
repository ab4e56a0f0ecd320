"""device: PyTorch's spelling of devices; only the CPU exists."""

import importlib

import pytest

# tinygrad_edu.device is the class (PyTorch's torch.device); the module is reached by its name.
dev = importlib.import_module("tinygrad_edu.device")


def test_cpu_device_spellings_are_accepted_and_equal():
    assert dev.check_device(None) == dev.device("cpu") == dev.device("cpu:0".split(":")[0])
    assert dev.device("cpu") != "cpu"  # as in PyTorch: a device is not equal to a string
    assert dev.check_device("cpu") is dev.CPU
    assert dev.check_device(dev.device("cpu")) is dev.CPU
    assert repr(dev.device("cuda:1")) == "device(type='cuda', index=1)"
    assert str(dev.device("cuda", 1)) == "cuda:1" and dev.device("cuda", 1).index == 1


@pytest.mark.parametrize("name", ["cuda", "cuda:0", "mps"])
def test_other_devices_are_refused_with_a_clear_message(name):
    with pytest.raises(RuntimeError, match="runs on the CPU only"):
        dev.check_device(name)


def test_malformed_device_strings_are_refused():
    with pytest.raises(RuntimeError, match="Expected one of"):
        dev.device("gpu")
    with pytest.raises(RuntimeError, match="Invalid device string"):
        dev.device("cuda:x")
    with pytest.raises(TypeError, match="expects a string"):
        dev.device(3.5)
