"""tg.save / tg.load of whole checkpoints: every structure, paths and file objects,
a killed save, permissions, symlinks, refused objects and malformed structures."""

import io
import json
import math
import os
import signal
import stat
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn, optim, serialization
from tinygrad_edu.device import device

ROOT = Path(__file__).resolve().parents[1]


def same(a, b):
    """Equal structure, types (tuple vs list, int vs float keys) and values."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, tg.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.array, b.array)
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b) and [type(k) for k in a] == [type(k) for k in b]
        for key in a:
            same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


def trained_model_and_optimizer(steps=3):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    x, y = tg.randn(8, 3), tg.randn(8, 2)
    for _ in range(steps):
        opt.zero_grad()
        nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    return model, opt, x, y


STRUCTURES = {
    "tensor": lambda: tg.arange(6.0).reshape(2, 3),
    "int tensor": lambda: tg.tensor([[1, 2], [3, 4]]),
    "0-d and empty": lambda: [tg.tensor(3.5), tg.zeros(0, 4)],
    "tuple and list": lambda: (tg.ones(2), [tg.zeros(1), (1, 2.5)], ()),
    "scalars": lambda: {"epoch": 5, "lr": 0.001, "name": "mlp", "best": True, "note": None,
                        "big": 2**70, "inf": math.inf, "-inf": -math.inf, "nan": math.nan},
    "int and mixed keys": lambda: {0: tg.ones(1), 7: "a", "2": 2, 2.5: [], (1, 2): {}, None: 0,
                                   True: "t"},
    "ordered dict": lambda: OrderedDict([("b", tg.ones(1)), ("a", tg.zeros(1))]),
    "numpy array and numbers": lambda: {"a": np.arange(3, dtype=np.int16), "f": np.float32(1.5)},
    "empty containers": lambda: {"d": {}, "l": [], "t": ()},
    "requires grad and parameter": lambda: [tg.ones(2, requires_grad=True),
                                            nn.Parameter(tg.zeros(3))],
}


@pytest.mark.parametrize("name", list(STRUCTURES))
@pytest.mark.parametrize("target", ["path", "bytesio", "open file"])
def test_round_trip_of_every_supported_structure(tmp_path, name, target):
    obj = STRUCTURES[name]()
    if target == "path":
        tg.save(obj, tmp_path / "c.pt")
        loaded = tg.load(tmp_path / "c.pt")
    elif target == "bytesio":
        buffer = io.BytesIO()
        tg.save(obj, buffer)
        buffer.seek(0)
        loaded = tg.load(buffer)
    else:
        with open(tmp_path / "c.pt", "wb") as f:
            tg.save(obj, f)
        with open(tmp_path / "c.pt", "rb") as f:
            loaded = tg.load(f)
    if name == "numpy array and numbers":
        obj["f"] = 1.5  # a numpy scalar comes back as the Python number
    same(loaded, obj)


def test_parameter_type_and_shared_tensors_survive(tmp_path):
    shared = tg.ones(3)
    p = nn.Parameter(tg.zeros(2))
    tg.save({"a": shared, "b": [shared], "p": p}, tmp_path / "s.pt")
    loaded = tg.load(tmp_path / "s.pt")
    assert loaded["a"] is loaded["b"][0]
    assert isinstance(loaded["p"], nn.Parameter) and loaded["p"].requires_grad
    assert loaded["a"].array.flags.writeable and loaded["a"].array.flags.owndata


def test_a_checkpoint_resumes_training_exactly(tmp_path):
    model, opt, x, y = trained_model_and_optimizer()
    path = tmp_path / "ckpt.pt"
    tg.save({"epoch": 5, "model_state": model.state_dict(), "optim_state": opt.state_dict(),
             "losses": [0.5, 0.25]}, path)
    checkpoint = tg.load(path, map_location="cpu", weights_only=True)
    assert checkpoint["epoch"] == 5 and checkpoint["losses"] == [0.5, 0.25]
    assert list(checkpoint["optim_state"]["state"]) == [0, 1, 2, 3, 4, 5]  # int keys stay ints
    assert checkpoint["optim_state"]["param_groups"][0]["betas"] == (0.8, 0.9)
    same(checkpoint["optim_state"], opt.state_dict())
    same(checkpoint["model_state"], model.state_dict())

    tg.manual_seed(123)
    resumed = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    resumed_opt = optim.Adam(resumed.parameters(), lr=0.5)
    resumed.load_state_dict(checkpoint["model_state"])
    resumed_opt.load_state_dict(checkpoint["optim_state"])
    for m, o in ((model, opt), (resumed, resumed_opt)):
        for _ in range(2):
            o.zero_grad()
            nn.functional.mse_loss(m(x), y).backward()
            o.step()
    for a, b in zip(model.parameters(), resumed.parameters()):
        np.testing.assert_array_equal(a.array, b.array)


def test_a_whole_module_or_optimizer_is_refused_with_a_pointer_to_state_dict(tmp_path):
    model, opt, _, _ = trained_model_and_optimizer(1)
    with pytest.raises(TypeError, match=r"cannot save a whole nn.Module \(Sequential\): save its "
                                        r"state_dict instead"):
        tg.save(model, tmp_path / "m.pt")
    with pytest.raises(TypeError, match=r"nn.Module \(Linear at 'head'\)"):
        tg.save({"head": model[0]}, tmp_path / "m.pt")
    with pytest.raises(TypeError, match=r"cannot save an optimizer object \(Adam\): save "
                                        r"optimizer.state_dict\(\)"):
        tg.save({"opt": opt}, tmp_path / "m.pt")
    assert list(tmp_path.iterdir()) == []


def test_map_location_names_the_cpu_or_nothing(tmp_path):
    tg.save(tg.ones(1), tmp_path / "t.pt")
    for location in (None, "cpu", device("cpu"), {"cuda:0": "cpu"}, lambda s, loc: s):
        same(tg.load(tmp_path / "t.pt", map_location=location), tg.ones(1))
    with pytest.raises(RuntimeError, match="device 'cuda' is not available"):
        tg.load(tmp_path / "t.pt", map_location="cuda")


# ----- the file: atomic, permissions, symlinks ---------------------------------------------


KILLED_SAVE = """
import os, signal, sys
import tinygrad_edu as tg
from tinygrad_edu import serialization

def write_half_then_die(fd, data):
    os.write(fd, data[:len(data) // 2])
    os.kill(os.getpid(), signal.SIGKILL)

serialization._write_all = write_half_then_die
tg.save({"w": tg.zeros(200_000)}, sys.argv[1])
"""


def test_a_killed_save_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "model.pt"
    tg.save({"w": tg.ones(200_000)}, path)
    old = path.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", KILLED_SAVE, str(path)], env=env, timeout=60)
    assert done.returncode == -signal.SIGKILL
    assert path.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.pt"]


def test_the_unnamed_temporary_is_invisible_while_writing(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    seen = []
    real_write_all = serialization._write_all

    def look_then_write(fd, data):
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        real_write_all(fd, data)

    monkeypatch.setattr(serialization, "_write_all", look_then_write)
    tg.save(tg.ones(3), path)
    assert seen == [[]]
    same(tg.load(path), tg.ones(3))


def test_overwriting_keeps_the_file_permissions(tmp_path):
    path = tmp_path / "model.pt"
    tg.save(tg.ones(1), path)
    os.chmod(path, 0o640)
    tg.save(tg.zeros(1), path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    same(tg.load(path), tg.zeros(1))
    umask = os.umask(0)
    os.umask(umask)
    tg.save(tg.zeros(1), tmp_path / "new.pt")
    assert stat.S_IMODE(os.stat(tmp_path / "new.pt").st_mode) == 0o666 & ~umask


def test_a_symlink_is_written_through(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "weights.pt"
    tg.save(tg.ones(2), target)
    link = tmp_path / "latest.pt"
    link.symlink_to(Path("real") / "weights.pt")
    tg.save(tg.full((2,), 7.0), link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "weights.pt")
    same(tg.load(target), tg.full((2,), 7.0))
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["weights.pt"]


# ----- malformed structure metadata ---------------------------------------------------------


def with_structure(path, structure, tensors=None):
    import safetensors.numpy

    metadata = {"tinygrad_edu": structure if isinstance(structure, str) else json.dumps(
        {"version": 1, "structure": structure})}
    path.write_bytes(safetensors.numpy.save(tensors or {"x": np.zeros(2)}, metadata=metadata))
    return path


@pytest.mark.parametrize("structure, message", [
    ("{not json", "the checkpoint structure in its metadata is not valid"),
    (json.dumps({"structure": 1}), "the checkpoint structure in its metadata is not valid"),
    ({"tensor": "y"}, "refers to a tensor 'y' the file does not hold"),
    ({"mystery": 1}, "unknown entry"),
    ({"dict": [[{"list": []}, 1]]}, "a dict key is a list"),
    ({"dict": [[1]]}, "unknown entry"),
])
def test_a_malformed_structure_is_refused_naming_the_file(tmp_path, structure, message):
    path = with_structure(tmp_path / "bad.pt", structure)
    with pytest.raises(ValueError, match=rf"bad\.pt'.*{message}"):
        tg.load(path)


def test_a_newer_format_version_is_refused(tmp_path):
    path = with_structure(tmp_path / "new.pt", json.dumps({"version": 2, "structure": None}))
    with pytest.raises(ValueError, match="new.pt' was written by a newer tinygrad_edu"):
        tg.load(path)


def test_a_plain_safetensors_file_loads_as_a_dict_in_file_order(tmp_path):
    import safetensors.numpy

    path = tmp_path / "plain.safetensors"
    safetensors.numpy.save_file({"b": np.ones(1), "a": np.zeros((2, 2), np.float32)}, str(path))
    loaded = tg.load(path)
    assert isinstance(loaded, dict) and sorted(loaded) == ["a", "b"]
    assert loaded["a"].dtype == tg.float32 and loaded["a"].shape == (2, 2)


def test_a_text_mode_file_is_a_clear_error(tmp_path):
    tg.save(tg.ones(1), tmp_path / "t.pt")
    with open(tmp_path / "t.pt", encoding="latin-1") as f, pytest.raises(
            TypeError, match="must be opened in binary mode"):
        tg.load(f)


# ----- PyTorch as the oracle --------------------------------------------------------------


def to_torch(torch, obj):
    if isinstance(obj, tg.Tensor):
        return torch.tensor(obj.array)
    if isinstance(obj, dict):
        return type(obj)((k, to_torch(torch, v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_torch(torch, v) for v in obj)
    return obj


def same_as_torch(torch, ours, theirs):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, tg.Tensor)
        np.testing.assert_array_equal(ours.array, theirs.numpy())
    elif isinstance(theirs, dict):
        assert type(ours) is type(theirs) and list(ours) == list(theirs)
        for key in theirs:
            same_as_torch(torch, ours[key], theirs[key])
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            same_as_torch(torch, a, b)
    elif isinstance(theirs, float) and math.isnan(theirs):
        assert math.isnan(ours)
    else:
        assert type(ours) is type(theirs) and ours == theirs


def test_the_structure_comes_back_as_torch_load_returns_it(tmp_path):
    torch = pytest.importorskip("torch")
    model, opt, _, _ = trained_model_and_optimizer()
    checkpoint = {"epoch": 5, "model_state": model.state_dict(), "optim_state": opt.state_dict(),
                  "pair": (1, 2.0), "nested": [{"k": None, 3: "x"}]}
    tg.save(checkpoint, tmp_path / "ours.pt")
    torch.save(to_torch(torch, checkpoint), tmp_path / "theirs.pt")
    same_as_torch(torch, tg.load(tmp_path / "ours.pt"),
                  torch.load(tmp_path / "theirs.pt", weights_only=True))


def test_a_flat_state_dict_loads_into_torch_with_strict_keys(tmp_path):
    torch = pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    model, _, x, _ = trained_model_and_optimizer()
    model.eval()
    path = tmp_path / "weights.safetensors"
    tg.save(model.state_dict(), path)
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                 torch.nn.ReLU(), torch.nn.Linear(4, 2)).eval()
    theirs.load_state_dict(safetensors_torch.load_file(str(path)), strict=True)
    with torch.no_grad():
        expected = theirs(torch.tensor(x.array)).numpy()
    np.testing.assert_allclose(model(x).array, expected, rtol=1e-5, atol=1e-6)
