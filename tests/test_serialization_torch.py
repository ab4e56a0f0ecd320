"""tg.save files load into the equivalent torch.nn model, and torch's weights load into ours."""

import numpy as np
import pytest
from test_serialization import read_safetensors

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.serialization import load, save

torch = pytest.importorskip("torch")


def our_mlp():
    return nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))


def torch_mlp():
    return torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1))


def torch_state_from_file(path):
    """Read our file with the safetensors package (the real consumer), else a minimal reader."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        _, arrays = read_safetensors(path)
        return {name: torch.from_numpy(array.copy()) for name, array in arrays.items()}
    return load_file(str(path))


def test_our_file_loads_into_torch_nn_with_strict_keys(tmp_path):
    tg.manual_seed(0)
    ours = our_mlp()
    path = tmp_path / "mlp.safetensors"
    save(ours.state_dict(), path)

    theirs = torch_mlp()
    theirs.load_state_dict(torch_state_from_file(path), strict=True)
    x = np.random.default_rng(0).standard_normal((7, 2)).astype(np.float32)
    with torch.no_grad():
        their_out = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(tg.from_numpy(x)).array, their_out, rtol=1e-6, atol=1e-6)


def test_torch_weights_saved_with_safetensors_load_into_ours(tmp_path):
    safetensors_torch = pytest.importorskip("safetensors.torch")
    torch.manual_seed(0)
    theirs = torch_mlp()
    path = tmp_path / "from_torch.safetensors"
    safetensors_torch.save_file(theirs.state_dict(), str(path), metadata={"format": "pt"})

    ours = our_mlp()
    ours.load_state_dict(load(path), strict=True)
    for name, value in theirs.state_dict().items():
        np.testing.assert_array_equal(ours.state_dict()[name].array, value.numpy())
    x = np.random.default_rng(1).standard_normal((4, 2)).astype(np.float32)
    with torch.no_grad():
        their_out = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(tg.from_numpy(x)).array, their_out, rtol=1e-6, atol=1e-6)


def test_every_dtype_reads_back_identically_in_the_safetensors_package(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    rng = np.random.default_rng(2)
    arrays = {str(dtype): (rng.standard_normal((2, 3)) * 9).astype(dtype)
              for dtype in [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16,
                            np.int8, np.uint8, np.bool_]}
    arrays["scalar"] = np.array(3.5, dtype=np.float32)
    arrays["empty"] = np.zeros((0, 4), dtype=np.int64)
    path = tmp_path / "all.safetensors"
    save({k: tg.from_numpy(v) for k, v in arrays.items()}, path)
    theirs = safetensors_numpy.load_file(str(path))
    assert theirs.keys() == arrays.keys()
    for key, array in arrays.items():
        assert theirs[key].dtype == array.dtype and theirs[key].shape == array.shape
        np.testing.assert_array_equal(theirs[key], array)

    safetensors_numpy.save_file(arrays, str(path))  # and the other way round
    ours = load(path)
    for key, array in arrays.items():
        assert ours[key].array.dtype == array.dtype
        np.testing.assert_array_equal(ours[key].array, array)
