"""tg.save / tg.load: the safetensors bytes, round trips, atomic writes, invalid files."""

import json
import os
import struct

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import nn, serialization
from tinygrad_edu.serialization import load, save

DTYPES = [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8,
          np.bool_]


def read_safetensors(path):
    """An independent minimal reader: the format as its specification states it."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    codes = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4",
             "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(raw[8 + n + begin:8 + n + end], dtype=codes[entry["dtype"]])
        out[name] = array.reshape(entry["shape"])
    return header, out


def test_a_flat_state_dict_is_plain_safetensors_with_its_own_keys(tmp_path):
    path = tmp_path / "w.safetensors"
    save({"w": tg.tensor([1.0, 2.0]), "b": tg.tensor([3], dtype=tg.int64)}, path)
    header, arrays = read_safetensors(path)
    assert set(arrays) == {"w", "b"}
    assert header["w"]["dtype"] == "F32" and header["w"]["shape"] == [2]
    np.testing.assert_array_equal(arrays["w"], [1.0, 2.0])
    assert header["__metadata__"]["format"] == "pt"
    structure = json.loads(header["__metadata__"]["tinygrad_edu"])
    assert structure["version"] == 1
    assert structure["structure"] == {"dict": [["w", {"tensor": "w"}], ["b", {"tensor": "b"}]]}


@pytest.mark.parametrize("dtype", DTYPES)
def test_round_trip_keeps_dtype_shape_and_values(tmp_path, dtype):
    rng = np.random.default_rng(0)
    arrays = {
        "matrix": (rng.standard_normal((3, 4)) * 50).astype(dtype),
        "scalar": np.array(7, dtype=dtype),
        "empty": np.zeros((0, 5), dtype=dtype),
        "cube.weight": (rng.standard_normal((2, 3, 2)) * 50).astype(dtype),
    }
    path = tmp_path / "t.safetensors"
    save({k: tg.from_numpy(v) for k, v in arrays.items()}, path)
    loaded = load(path)
    assert list(loaded) == list(arrays)
    for key, array in arrays.items():
        assert loaded[key].array.dtype == array.dtype and loaded[key].shape == array.shape
        np.testing.assert_array_equal(loaded[key].array, array)
    header, independent = read_safetensors(path)
    for key, array in arrays.items():
        np.testing.assert_array_equal(independent[key], array)
    assert (8 + struct.unpack("<Q", path.read_bytes()[:8])[0]) % 8 == 0  # data aligned


@given(hnp.arrays(dtype=st.sampled_from([np.float32, np.float64, np.int64]),
                  shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))
def test_round_trip_property(tmp_path_factory, array):
    path = tmp_path_factory.mktemp("prop") / "a.safetensors"
    save({"a": tg.from_numpy(array)}, path)
    loaded = load(path)["a"].array
    assert loaded.dtype == array.dtype and loaded.shape == array.shape
    np.testing.assert_array_equal(loaded, array)


def test_non_contiguous_views_and_loaded_arrays_are_owned_and_writable(tmp_path):
    base = tg.arange(12.0).reshape(3, 4)
    path = tmp_path / "v.safetensors"
    save({"t": base.t(), "row": base[1]}, path)
    loaded = load(path, map_location="cpu")
    np.testing.assert_array_equal(loaded["t"].array, base.array.T)
    np.testing.assert_array_equal(loaded["row"].array, base.array[1])
    assert loaded["t"].array.flags.owndata and loaded["t"].array.flags.writeable
    loaded["t"].array[0, 0] = 99.0  # writable, and independent of other entries
    assert loaded["row"].array[0] == 4.0


def test_state_dict_round_trip_restores_a_model(tmp_path):
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    path = tmp_path / "model.safetensors"
    save(model.state_dict(), path)
    tg.manual_seed(1)
    other = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    other.load_state_dict(load(path), strict=True)
    x = tg.randn(5, 2)
    assert other(x).equal(model(x))
    assert list(load(path)) == ["0.weight", "0.bias", "2.weight", "2.bias"]


# ----- bad input: a clear error, no partial file, the old file untouched -------------------
def files_in(directory):
    return sorted(p.name for p in directory.iterdir())


def test_an_unsupported_value_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "model.safetensors"
    save({"w": tg.ones(2)}, path)
    old = path.read_bytes()
    with pytest.raises(TypeError, match=r"the object at 'b.1' is a set, which cannot be saved"):
        save({"w": tg.zeros(2), "b": [1.0, {2}]}, path)
    with pytest.raises(TypeError, match="the object is a function, which cannot be saved"):
        save(lambda: 0, path)
    assert path.read_bytes() == old and files_in(tmp_path) == ["model.safetensors"]


def test_a_write_failing_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    save({"w": tg.ones(1000)}, path)
    old = path.read_bytes()

    def write_half_then_fail(fd, data):
        os.write(fd, data[:len(data) // 2])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialization, "_write_all", write_half_then_fail)
    with pytest.raises(OSError, match="No space left on device"):
        save({"w": tg.zeros(1000)}, path)
    assert path.read_bytes() == old
    assert files_in(tmp_path) == ["model.safetensors"]
    monkeypatch.undo()
    with pytest.raises(OSError):
        save({"w": tg.zeros(3)}, tmp_path)  # a directory: the rename fails
    assert files_in(tmp_path) == ["model.safetensors"]


def test_without_o_tmpfile_a_failing_write_removes_its_named_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    save({"w": tg.ones(10)}, path)
    old = path.read_bytes()
    monkeypatch.delattr(os, "O_TMPFILE")
    written = []

    def write_then_fail(fd, data):
        written.append(files_in(tmp_path))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialization, "_write_all", write_then_fail)
    with pytest.raises(OSError, match="No space left on device"):
        save({"w": tg.zeros(10)}, path)
    assert len(written[0]) == 2  # the fallback really wrote to a named temporary
    assert path.read_bytes() == old and files_in(tmp_path) == ["model.safetensors"]
    monkeypatch.undo()
    monkeypatch.delattr(os, "O_TMPFILE")
    save({"w": tg.zeros(10)}, path)
    np.testing.assert_array_equal(load(path)["w"].array, np.zeros(10))
    assert files_in(tmp_path) == ["model.safetensors"]


def test_an_unwritable_path_raises_and_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError, match="tg.save cannot write to .*no_such_dir"):
        save({"w": tg.ones(2)}, tmp_path / "no_such_dir" / "w.safetensors")
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(NotADirectoryError, match="tg.save cannot write to"):
        save({"w": tg.ones(2)}, tmp_path / "a_file" / "w.safetensors")
    assert files_in(tmp_path) == ["a_file"]


def test_a_saved_file_gets_ordinary_permissions(tmp_path):
    path = tmp_path / "p.safetensors"
    save({"w": tg.ones(2)}, path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


def write_raw(path, header, data=b"", header_length=None):
    header_bytes = header if isinstance(header, bytes) else json.dumps(header).encode()
    n = len(header_bytes) if header_length is None else header_length
    path.write_bytes(struct.pack("<Q", n) + header_bytes + data)
    return path


F32_ENTRY = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize("header, data, header_length", [
    (None, b"", None),  # a 3-byte file
    (b"{}", b"", 10**6),
    (b"{not json", b"", None),
    (b"[1, 2]", b"", None),
    ({"w": {"dtype": "F32", "shape": [2]}}, b"\0" * 8, None),
    ({"w": {**F32_ENTRY, "shape": [-2]}}, b"\0" * 8, None),
    ({"w": {**F32_ENTRY, "data_offsets": [8, 0]}}, b"\0" * 8, None),
    ({"w": {**F32_ENTRY, "data_offsets": [0, 12]}}, b"\0" * 12, None),
    ({"w": {**F32_ENTRY, "data_offsets": [8, 16]}}, b"\0" * 8, None),
    ({"w": F32_ENTRY, "v": F32_ENTRY}, b"\0" * 8, None),
    ({"w": F32_ENTRY}, b"\0" * 12, None),
    ({"__metadata__": [1], "w": F32_ENTRY}, b"\0" * 8, None),
])
def test_invalid_files_raise_value_error_naming_the_file(tmp_path, header, data, header_length):
    path = tmp_path / "bad.safetensors"
    if header is None:
        path.write_bytes(b"abc")
    else:
        write_raw(path, header, data, header_length)
    with pytest.raises(ValueError, match=r"'.*bad\.safetensors' is not a safetensors file: "):
        load(path)


def test_a_dtype_tinygrad_edu_lacks_is_refused_naming_file_and_tensor(tmp_path):
    path = write_raw(tmp_path / "u16.safetensors",
                     {"w": {"dtype": "U16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4)
    with pytest.raises(ValueError, match=r"u16\.safetensors'.*tensor 'w' has dtype uint16"):
        load(path)


def test_a_pickle_is_not_unpickled(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, ("echo unpickled > " + str(tmp_path / "pwned"),))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ValueError, match="evil.pt' is not a safetensors file .*never unpickles"):
        load(path)
    assert not (tmp_path / "pwned").exists()
