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


def test_the_bytes_of_a_small_file(tmp_path):
    path = tmp_path / "w.safetensors"
    save({"w": tg.tensor([1.0, 2.0])}, path)
    header = b'{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'
    header += b" " * (-len(header) % 8)
    expected = struct.pack("<Q", len(header)) + header + struct.pack("<2f", 1.0, 2.0)
    assert path.read_bytes() == expected


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


def test_metadata_is_written_into_the_header(tmp_path):
    path = tmp_path / "m.safetensors"
    save({"x": tg.zeros(1)}, path, metadata={"format": "pt", "epoch": "3"})
    header, _ = read_safetensors(path)
    assert header["__metadata__"] == {"format": "pt", "epoch": "3"}
    assert list(load(path)) == ["x"]


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


def test_a_non_tensor_value_is_refused_before_anything_is_written(tmp_path):
    path = tmp_path / "model.safetensors"
    save({"w": tg.ones(2)}, path)
    old = path.read_bytes()
    with pytest.raises(TypeError, match="the value for key 'b' is a list, not a Tensor"):
        save({"w": tg.zeros(2), "b": [1.0]}, path)
    assert path.read_bytes() == old and files_in(tmp_path) == ["model.safetensors"]
    with pytest.raises(TypeError, match="expects a dict of str -> Tensor"):
        save([tg.zeros(2)], path)
    with pytest.raises(TypeError, match="keys must be str, got 3"):
        save({3: tg.zeros(2)}, path)
    with pytest.raises(ValueError, match="'__metadata__' is reserved"):
        save({"__metadata__": tg.zeros(2)}, path)


def test_a_write_failing_midway_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    save({"w": tg.ones(1000)}, path)
    old = path.read_bytes()

    def write_half_then_fail(out, header_bytes, arrays):
        out.write(struct.pack("<Q", len(header_bytes)) + header_bytes)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(serialization, "_write_file", write_half_then_fail)
    with pytest.raises(OSError, match="No space left on device"):
        save({"w": tg.zeros(1000)}, path)
    assert path.read_bytes() == old
    assert files_in(tmp_path) == ["model.safetensors"]
    monkeypatch.undo()
    with pytest.raises(OSError):
        save({"w": tg.zeros(3)}, tmp_path)  # a directory: the rename fails
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


@pytest.mark.parametrize("header, data, header_length, message", [
    (b"", b"", None, None),  # replaced below: a 3-byte file
    (b"{}", b"", 10**6, "header length 1000000 is larger than the file"),
    (b"{not json", b"", None, "header is not valid JSON"),
    (b"[1, 2]", b"", None, "header is not a JSON object"),
    ({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4, None,
     "tensor 'w' has dtype 'BF16', which tinygrad_edu does not support"),
    ({"w": {"dtype": "F32", "shape": [2]}}, b"\0" * 8, None,
     "must have exactly 'dtype', 'shape' and 'data_offsets'"),
    ({"w": {**F32_ENTRY, "shape": [-2]}}, b"\0" * 8, None, r"invalid shape \[-2\]"),
    ({"w": {**F32_ENTRY, "data_offsets": [8, 0]}}, b"\0" * 8, None,
     r"invalid data_offsets \[8, 0\]"),
    ({"w": {**F32_ENTRY, "data_offsets": [0, 12]}}, b"\0" * 12, None,
     r"needs 8 bytes, but its data_offsets \[0, 12\] span 12"),
    ({"w": {**F32_ENTRY, "data_offsets": [8, 16]}}, b"\0" * 8, None, "out of range or overlap"),
    ({"w": F32_ENTRY, "v": F32_ENTRY}, b"\0" * 8, None, "out of range or overlap"),
    ({"w": F32_ENTRY}, b"\0" * 12, None, "the data part has 12 bytes but the tensors use 8"),
    ({"__metadata__": [1], "w": F32_ENTRY}, b"\0" * 8, None, "'__metadata__' must be"),
])
def test_invalid_files_raise_value_error(tmp_path, header, data, header_length, message):
    path = tmp_path / "bad.safetensors"
    if message is None:
        path.write_bytes(b"abc")
        message = "has 3 bytes, fewer than the 8-byte header length"
    else:
        write_raw(path, header, data, header_length)
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_pickle_is_not_unpickled(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, ("echo unpickled > " + str(tmp_path / "pwned"),))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(ValueError, match="is not a safetensors file"):
        load(path)
    assert not (tmp_path / "pwned").exists()
