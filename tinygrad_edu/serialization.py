"""``save`` / ``load``: a state_dict to and from a safetensors file, written by hand.

The safetensors layout (readable by the ``safetensors`` package and so by
PyTorch, TensorFlow, JAX ...):

    8 bytes      N, the header's length, an unsigned little-endian integer
    N bytes      a JSON object: for each tensor name
                 {"dtype": "F32", "shape": [out, in], "data_offsets": [begin, end]},
                 and optionally "__metadata__": {str: str}
    the rest     the tensors' raw little-endian bytes, row-major, back to back;
                 begin and end count from the start of this part

Keys and shapes are the state_dict's, so a ``torch.nn`` model with the same
layers loads our file with ``load_state_dict(strict=True)``, and we load
theirs. Nothing is unpickled: a file can only hold numbers. ``save`` writes a
temporary file beside the target and renames it over the target, so a save
that fails never leaves a partial file and never damages an older one.
"""

from __future__ import annotations

import json
import os
import struct
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor, _wrap

# safetensors dtype codes for the dtypes tinygrad_edu has
DTYPE_CODES = {
    np.dtype(np.float64): "F64",
    np.dtype(np.float32): "F32",
    np.dtype(np.float16): "F16",
    np.dtype(np.int64): "I64",
    np.dtype(np.int32): "I32",
    np.dtype(np.int16): "I16",
    np.dtype(np.int8): "I8",
    np.dtype(np.uint8): "U8",
    np.dtype(np.bool_): "BOOL",
}
NUMPY_DTYPES = {code: np_dtype.newbyteorder("<") for np_dtype, code in DTYPE_CODES.items()}
METADATA_KEY = "__metadata__"
_MAX_HEADER_BYTES = 100_000_000  # the safetensors package's limit


def save(obj: Mapping[str, Tensor], f: str | os.PathLike,
         metadata: Mapping[str, str] | None = None) -> None:
    """Write a state_dict (a dict of name -> Tensor) to the file ``f`` in safetensors format.

    ``metadata`` (str -> str) goes into the header's ``"__metadata__"``.
    Everything is checked before the file is touched; the data goes to a
    temporary file in the same directory, is flushed to disk, and only then
    replaces ``f``.
    """
    header, arrays = _header_and_arrays(obj, metadata)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)  # pad so the data starts 8-byte aligned

    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex[:12]}.tmp")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise type(error)(error.errno, f"tg.save cannot write to {path!r}: "
                                       f"{error.strerror}") from error
    try:
        with os.fdopen(fd, "wb") as out:
            _write_file(out, header_bytes, arrays)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _write_file(out: Any, header_bytes: bytes, arrays: list[np.ndarray]) -> None:
    """The three parts of the file, in order (separate so a test can make it fail midway)."""
    out.write(struct.pack("<Q", len(header_bytes)))
    out.write(header_bytes)
    for array in arrays:
        out.write(array.tobytes())


def _header_and_arrays(obj: Mapping[str, Tensor],
                       metadata: Mapping[str, str] | None) -> tuple[dict, list[np.ndarray]]:
    """The JSON header and each tensor's little-endian row-major array; checks every entry."""
    if not isinstance(obj, Mapping):
        raise TypeError(f"tg.save expects a dict of str -> Tensor (a state_dict), "
                        f"got {type(obj).__name__}")
    header: dict[str, Any] = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise TypeError("tg.save: metadata must be a dict of str -> str")
        header[METADATA_KEY] = dict(metadata)
    arrays, offset = [], 0
    for name, value in obj.items():
        if not isinstance(name, str):
            raise TypeError(f"tg.save: keys must be str, got {name!r} "
                            f"({type(name).__name__})")
        if name == METADATA_KEY:
            raise ValueError(f"tg.save: the key {METADATA_KEY!r} is reserved for metadata")
        if not isinstance(value, Tensor):
            raise TypeError(f"tg.save: the value for key {name!r} is a {type(value).__name__}, "
                            f"not a Tensor; only tensors can be saved")
        array = np.asarray(value.array, dtype=value.array.dtype.newbyteorder("<"), order="C")
        header[name] = {"dtype": DTYPE_CODES[value.array.dtype],
                        "shape": list(array.shape),
                        "data_offsets": [offset, offset + array.nbytes]}
        arrays.append(array)
        offset += array.nbytes
    return header, arrays


def load(f: str | os.PathLike, map_location: Any = None) -> dict[str, Tensor]:
    """Read a safetensors file: a dict of name -> Tensor (new arrays, in the file's order).

    ``map_location`` is accepted for PyTorch compatibility and ignored (there
    is only the CPU). A file that is not valid safetensors raises ValueError
    saying what is wrong with it.
    """
    path = os.fspath(f)
    with open(path, "rb") as file:
        content = file.read()
    header = _read_header(content, path)
    data = memoryview(content)[8 + struct.unpack("<Q", content[:8])[0]:]
    _check_offsets(header, len(data), path)
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[begin:end], dtype=NUMPY_DTYPES[entry["dtype"]])
        array = array.reshape(entry["shape"]).astype(array.dtype.newbyteorder("="), copy=True)
        tensors[name] = _wrap(array)
    return tensors


def _read_header(content: bytes, path: str) -> dict:
    """The header's tensor entries (metadata dropped), each checked for dtype, shape, offsets."""
    if len(content) < 8:
        raise ValueError(f"{path!r} is not a safetensors file: it has {len(content)} bytes, "
                         f"fewer than the 8-byte header length")
    (header_length,) = struct.unpack("<Q", content[:8])
    if header_length > len(content) - 8 or header_length > _MAX_HEADER_BYTES:
        raise ValueError(f"{path!r} is not a safetensors file: its header length "
                         f"{header_length} is larger than the file ({len(content)} bytes)")
    try:
        header = json.loads(content[8:8 + header_length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path!r} is not a safetensors file: its header is not valid "
                         f"JSON ({error})") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path!r} is not a safetensors file: its header is not a JSON object")
    metadata = header.pop(METADATA_KEY, {})
    if not isinstance(metadata, dict):
        raise ValueError(f"{path!r}: '__metadata__' must be an object of strings")
    for name, entry in header.items():
        _check_entry(name, entry, path)
    return header


def _check_entry(name: str, entry: Any, path: str) -> None:
    if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"{path!r}: the header entry for {name!r} must have exactly "
                         f"'dtype', 'shape' and 'data_offsets'")
    if entry["dtype"] not in NUMPY_DTYPES:
        raise ValueError(f"{path!r}: tensor {name!r} has dtype {entry['dtype']!r}, which "
                         f"tinygrad_edu does not support (known: {', '.join(NUMPY_DTYPES)})")
    shape, offsets = entry["shape"], entry["data_offsets"]
    if not isinstance(shape, list) or not all(_is_count(s) for s in shape):
        raise ValueError(f"{path!r}: tensor {name!r} has an invalid shape {shape!r}")
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(map(_is_count, offsets))
            and offsets[0] <= offsets[1]):
        raise ValueError(f"{path!r}: tensor {name!r} has invalid data_offsets {offsets!r}")
    expected = int(np.prod(shape, dtype=np.int64)) * NUMPY_DTYPES[entry["dtype"]].itemsize
    if offsets[1] - offsets[0] != expected:
        raise ValueError(f"{path!r}: tensor {name!r} of shape {shape} and dtype "
                         f"{entry['dtype']} needs {expected} bytes, but its data_offsets "
                         f"{offsets} span {offsets[1] - offsets[0]}")


def _check_offsets(header: dict, data_length: int, path: str) -> None:
    """The tensors' bytes must tile the data part exactly: no gap, no overlap, nothing past it."""
    position = 0
    for name, entry in sorted(header.items(), key=lambda item: item[1]["data_offsets"]):
        begin, end = entry["data_offsets"]
        if begin != position or end > data_length:
            raise ValueError(f"{path!r}: tensor {name!r}'s data_offsets {[begin, end]} are out "
                             f"of range or overlap (expected to start at byte {position} of "
                             f"{data_length})")
        position = end
    if position != data_length:
        raise ValueError(f"{path!r}: the data part has {data_length} bytes but the tensors "
                         f"use {position}")


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
