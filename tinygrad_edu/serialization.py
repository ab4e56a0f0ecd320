"""``save`` / ``load``: checkpoints as safetensors files, never pickled.

What ``tg.save(obj, f)`` accepts is what training scripts save: a tensor, a
state_dict, an optimizer's state_dict, a checkpoint such as
``{"epoch": 5, "model_state": ..., "optim_state": ...}`` — any nesting of
dicts, lists and tuples holding tensors, Python numbers, strings, bools and
None. ``tg.load(f)`` returns the same structure: tuples stay tuples, int keys
(an optimizer's parameter indices) stay ints, shared tensors stay shared.

The file is a safetensors file (written and read by the ``safetensors``
package). Its tensors are the file's entries, named by where they sit in the
structure (``"model_state.fc1.weight"``, ``"optim_state.state.0.exp_avg"``);
the structure itself is JSON in the header's metadata, under
``"tinygrad_edu"``. A flat state_dict keeps its own keys as entry names, so
``safetensors.torch.load_file(path)`` gives PyTorch the state_dict as it is.
Nothing is unpickled: a file can only hold numbers, strings and the JSON
that arranges them.

A save never leaves a partial file where ``f`` was: the bytes go to an
unnamed temporary file in the target's directory (``O_TMPFILE``), which is
linked in and renamed over the target only once complete, so even a killed
process leaves the old file and no temporary behind. Where ``O_TMPFILE`` is
not available, a named temporary file is used and removed on any error.
The target's permissions are kept; a symlink is written through.
"""

from __future__ import annotations

import ctypes
import errno
import io
import json
import math
import os
import stat
import struct
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from typing import IO, Any

import numpy as np
import safetensors
import safetensors.numpy

from tinygrad_edu.device import check_device
from tinygrad_edu.tensor import Tensor, _wrap

STRUCTURE_KEY = "tinygrad_edu"  # the header metadata entry that holds the structure
FORMAT_VERSION = 1
_DTYPES = {np.dtype(t) for t in (np.float64, np.float32, np.float16, np.int64, np.int32,
                                 np.int16, np.int8, np.uint8, np.bool_)}

FileLike = str | os.PathLike | IO[bytes]


# ----- the structure as JSON ---------------------------------------------------------------
#
# None, bools, ints, finite floats and strings are themselves; everything else is a one-key
# object: {"tensor": name} (and "requires_grad" / "parameter" when set), {"ndarray": name},
# {"float": "nan" | "inf" | "-inf"}, {"tuple": [...]}, {"list": [...]},
# {"dict": [[key, value], ...]} and {"odict": ...} (keys encoded the same way, so an int
# key stays an int).


class _Encoder:
    """Turns an object into JSON-able structure plus the arrays it holds, by entry name."""

    def __init__(self, flat: bool) -> None:
        self.flat = flat
        self.arrays: dict[str, np.ndarray] = {}
        self.names: dict[int, str] = {}  # id(tensor) -> its entry: a shared tensor is stored once

    def encode(self, value: Any, path: str) -> Any:
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (np.bool_,)):
            return bool(value)
        if isinstance(value, (int, np.integer)):
            return int(value)
        if isinstance(value, (float, np.floating)):
            value = float(value)
            return value if math.isfinite(value) else {"float": repr(value)}
        if isinstance(value, Tensor):
            return self._tensor(value, path)
        if isinstance(value, np.ndarray):
            return {"ndarray": self._entry(value, value, path)}
        if isinstance(value, tuple) and not hasattr(value, "_fields"):
            return {"tuple": [self.encode(v, f"{path}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, list):
            return {"list": [self.encode(v, f"{path}.{i}") for i, v in enumerate(value)]}
        if isinstance(value, dict):  # a defaultdict or other dict subclass comes back a dict
            items = [[self.encode(k, path), self.encode(v, _join(path, k))]
                     for k, v in value.items()]
            return {"odict" if isinstance(value, OrderedDict) else "dict": items}
        raise TypeError(_unsupported(value, path))

    def _tensor(self, value: Tensor, path: str) -> dict:
        from tinygrad_edu.nn.parameter import Parameter

        code: dict[str, Any] = {"tensor": self._entry(value, value.array, path)}
        if value.requires_grad:
            code["requires_grad"] = True
        if isinstance(value, Parameter):
            code["parameter"] = True
        return code

    def _entry(self, owner: Any, array: np.ndarray, path: str) -> str:
        if id(owner) in self.names:
            return self.names[id(owner)]
        if array.dtype not in _DTYPES:
            raise TypeError(f"tg.save: {_where(path)} has dtype {array.dtype}, which cannot be "
                            f"saved (supported: {', '.join(sorted(str(d) for d in _DTYPES))})")
        name = path if self.flat else (path.lstrip(".") or "tensor")
        while name in self.arrays or name == "__metadata__":
            name += "'"
        self.arrays[name] = np.asarray(array, dtype=array.dtype.newbyteorder("<"), order="C")
        self.names[id(owner)] = name
        return name


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


def _where(path: str) -> str:
    return f"the object at {path!r}" if path else "the object"


def _unsupported(value: Any, path: str) -> str:
    from tinygrad_edu.nn.module import Module
    from tinygrad_edu.optim.optimizer import Optimizer

    kind = type(value).__name__
    if isinstance(value, Module):
        where = f" at {path!r}" if path else ""
        return (f"tg.save cannot save a whole nn.Module ({kind}{where}): save its state_dict "
                f"instead, tg.save(model.state_dict(), f), and load it "
                f"with model.load_state_dict(tg.load(f)). Files are never pickled, so objects "
                f"and their code cannot be stored.")
    if isinstance(value, Optimizer):
        return (f"tg.save cannot save an optimizer object ({kind}): save "
                f"optimizer.state_dict() instead and restore it with load_state_dict")
    return (f"tg.save: {_where(path)} is a {kind}, which cannot be saved; a checkpoint may "
            f"hold tensors, numpy arrays, Python numbers, strings, bools, None, and dicts, "
            f"lists and tuples of them")


def _is_flat_state_dict(obj: Any) -> bool:
    return (isinstance(obj, Mapping) and type(obj) in (dict, OrderedDict)
            and all(isinstance(k, str) and k != "__metadata__" for k in obj)
            and all(isinstance(v, Tensor) and not v.requires_grad for v in obj.values()))


def _to_bytes(obj: Any) -> bytes:
    flat = _is_flat_state_dict(obj)
    encoder = _Encoder(flat)
    structure = encoder.encode(obj, "")
    metadata = {"format": "pt", STRUCTURE_KEY: json.dumps(
        {"version": FORMAT_VERSION, "structure": structure}, separators=(",", ":"),
        allow_nan=False)}
    return safetensors.numpy.save(encoder.arrays, metadata=metadata)


# ----- writing ------------------------------------------------------------------------------


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True) -> None:
    """Write ``obj`` (a tensor, a state_dict, a checkpoint dict ...) to a path or binary file.

    Everything is encoded before the file is touched, so an object that
    cannot be saved (a whole Module: save its ``state_dict()``) raises and
    changes nothing. To a path the write is atomic (see the module docstring).
    ``pickle_module`` and the other PyTorch arguments are accepted and ignored:
    nothing is pickled.
    """
    data = _to_bytes(obj)
    if hasattr(f, "write"):
        if isinstance(f, io.TextIOBase):
            raise TypeError("tg.save: the file must be opened in binary mode ('wb'), not as text")
        f.write(data)
        return
    path = _path(f, "save")
    if not isinstance(path, str):
        path = os.fsdecode(path)
    _write_atomically(os.path.realpath(path), data, path)


def _path(f: Any, op: str) -> str | bytes:
    """``f`` as a path; TypeError naming the argument for anything that is neither a path
    nor a file object."""
    if not isinstance(f, (str, bytes, os.PathLike)):
        raise TypeError(f"tg.{op}: argument 'f' must be a path (str or os.PathLike) or a binary "
                        f"file object, not {type(f).__name__}")
    return os.fspath(f)


def _write_atomically(target: str, data: bytes, shown: str) -> None:
    """Put ``data`` at ``target`` all at once: the old content or the new, never a mix."""
    directory = os.path.dirname(target) or "."
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    except OSError as error:
        raise _cannot_write(error, shown) from error
    try:
        fd = os.open(directory, os.O_TMPFILE | os.O_WRONLY, 0o666)
    except AttributeError:  # no O_TMPFILE on this system
        fd = None
    except OSError as error:
        if error.errno not in _NO_TMPFILE:
            raise _cannot_write(error, shown) from error
        fd = None  # not on this filesystem
    linked = False
    if fd is not None:
        try:
            _fill(fd, data, mode)
            temporary = _temporary_name(target)
            linked = _link_unnamed(fd, temporary)
        finally:
            os.close(fd)
    if linked:
        _rename_into_place(temporary, target)
    else:
        _write_named_temporary(target, data, mode, shown)


def _link_unnamed(fd: int, name: str) -> bool:
    """Give the finished unnamed file ``fd`` the name ``name``; False if this system can't.

    Linux offers two ways: ``linkat(fd, "", ..., AT_EMPTY_PATH)`` (needs a
    capability some users lack) and linking ``/proc/self/fd/N`` (needs a
    /proc that allows it; some sandboxes refuse with EXDEV).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.linkat(fd, b"", _AT_FDCWD, os.fsencode(name), _AT_EMPTY_PATH) == 0:
            return True
    except (OSError, AttributeError):
        pass
    try:
        os.link(f"/proc/self/fd/{fd}", name, follow_symlinks=True)
        return True
    except OSError:
        return False


_AT_FDCWD, _AT_EMPTY_PATH = -100, 0x1000  # from Linux's <fcntl.h>

# errors that mean "no unnamed temporary files here", not "cannot write"
_NO_TMPFILE = {errno.EOPNOTSUPP, errno.EISDIR, errno.EINVAL, errno.ENOSYS}


def _write_named_temporary(target: str, data: bytes, mode: int | None, shown: str) -> None:
    """The fallback: a named temporary file beside the target, removed on any error."""
    temporary = _temporary_name(target)
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise _cannot_write(error, shown) from error
    try:
        try:
            _fill(fd, data, mode)
        finally:
            os.close(fd)
        _rename_into_place(temporary, target)
    except BaseException:
        if os.path.lexists(temporary):
            os.remove(temporary)
        raise


def _fill(fd: int, data: bytes, mode: int | None) -> None:
    """Write all of ``data`` to ``fd``, give it the old file's mode, flush it to disk."""
    _write_all(fd, data)
    if mode is not None:
        os.fchmod(fd, mode)
    os.fsync(fd)


def _write_all(fd: int, data: bytes) -> None:
    """os.write until everything is written (separate so a test can interrupt it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view[:1 << 24]):]


def _rename_into_place(temporary: str, target: str) -> None:
    try:
        os.replace(temporary, target)
    except BaseException:
        if os.path.lexists(temporary):
            os.remove(temporary)
        raise


def _temporary_name(target: str) -> str:
    directory, base = os.path.split(target)
    return os.path.join(directory, f".{base}.{uuid.uuid4().hex[:12]}.tmp")


def _cannot_write(error: OSError, shown: str) -> OSError:
    return type(error)(error.errno, f"tg.save cannot write to {shown!r}: {error.strerror}")


# ----- reading ------------------------------------------------------------------------------


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None,
         **pickle_load_args: Any) -> Any:
    """Read what ``save`` wrote (or any safetensors file) back into the same structure.

    A safetensors file from elsewhere (no structure in its metadata) gives a
    dict of name -> Tensor. ``map_location`` may name the CPU (or map devices
    to it); there is no other device. ``weights_only`` is accepted: loading
    never runs code, whatever it says. A file that is not a valid checkpoint
    raises ValueError naming the file.
    """
    _check_map_location(map_location)
    if hasattr(f, "read"):
        name, content = getattr(f, "name", None) or repr(f), f.read()
    else:
        name = _path(f, "load")
        with open(name, "rb") as file:
            content = file.read()
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError(f"tg.load: {name!r} must be opened in binary mode ('rb')")
    content = bytes(content)
    try:
        arrays = safetensors.numpy.load(content)
    except (safetensors.SafetensorError, ValueError, TypeError, KeyError) as error:
        raise ValueError(f"{name!r} is not a safetensors file{_guess(content)}: "
                         f"{error}") from None
    tensors = {}
    for key, array in arrays.items():
        if array.dtype not in _DTYPES:
            raise ValueError(f"{name!r}: tensor {key!r} has dtype {array.dtype}, which "
                             f"tinygrad_edu does not support")
        tensors[key] = np.array(array, dtype=array.dtype.newbyteorder("="))
    structure = _read_structure(content, name)
    if structure is None:
        return {key: _wrap(array) for key, array in _in_file_order(content, tensors)}
    return _Decoder(tensors, name).decode(structure)


def _check_map_location(map_location: Any) -> None:
    if map_location is None or callable(map_location):
        return  # a function maps storages; there is only the CPU's
    if isinstance(map_location, Mapping):
        for device in map_location.values():
            check_device(device)
        return
    check_device(map_location)


def _guess(content: bytes) -> str:
    if content[:4] == b"PK\x03\x04" or content[:1] == b"\x80":
        return (" (it looks like a pickle-based PyTorch file; tinygrad_edu never unpickles. "
                "In PyTorch, save the state_dict with safetensors.torch.save_file)")
    return ""


def _header(content: bytes) -> dict:
    """The JSON header (already validated by the safetensors package)."""
    (length,) = struct.unpack("<Q", content[:8])
    return json.loads(content[8:8 + length])


def _in_file_order(content: bytes, tensors: dict) -> list:
    offsets = {k: v["data_offsets"] for k, v in _header(content).items() if k != "__metadata__"}
    return sorted(tensors.items(), key=lambda item: offsets[item[0]])


def _read_structure(content: bytes, name: str) -> Any:
    metadata = _header(content).get("__metadata__") or {}
    if STRUCTURE_KEY not in metadata:
        return None
    try:
        document = json.loads(metadata[STRUCTURE_KEY])
        version, structure = document["version"], document["structure"]
    except (json.JSONDecodeError, TypeError, KeyError) as error:
        raise ValueError(f"{name!r}: the checkpoint structure in its metadata is not valid "
                         f"({error!r})") from None
    if version != FORMAT_VERSION:
        raise ValueError(f"{name!r} was written by a newer tinygrad_edu (checkpoint format "
                         f"{version}; this version reads format {FORMAT_VERSION})")
    return structure


class _Decoder:
    """The inverse of _Encoder: JSON structure plus entries back into Python objects."""

    def __init__(self, arrays: dict[str, np.ndarray], file_name: str) -> None:
        self.arrays, self.file_name = arrays, file_name
        self.made: dict[str, Any] = {}  # entry -> object, so shared tensors stay shared

    def decode(self, code: Any) -> Any:
        if code is None or isinstance(code, (bool, int, float, str)):
            return code
        if isinstance(code, dict) and len(code) >= 1:
            tag = next(iter(code))
            body = code[tag]
            if tag == "tensor":
                return self._tensor(body, code)
            if tag == "ndarray":
                return self._array(body)
            if tag == "float" and body in ("nan", "inf", "-inf"):
                return float(body)
            if tag in ("tuple", "list") and isinstance(body, list):
                items = [self.decode(item) for item in body]
                return tuple(items) if tag == "tuple" else items
            if tag in ("dict", "odict") and isinstance(body, list) and \
                    all(isinstance(item, list) and len(item) == 2 for item in body):
                pairs = [(self._key(k), self.decode(v)) for k, v in body]
                return OrderedDict(pairs) if tag == "odict" else dict(pairs)
        raise self._invalid(f"unknown entry {json.dumps(code)[:80]}")

    def _key(self, code: Any) -> Any:
        key = self.decode(code)
        try:
            hash(key)
        except TypeError:
            raise self._invalid(f"a dict key is a {type(key).__name__}") from None
        return key

    def _array(self, name: Any) -> np.ndarray:
        if not isinstance(name, str) or name not in self.arrays:
            raise self._invalid(f"it refers to a tensor {name!r} the file does not hold")
        return self.arrays[name]

    def _tensor(self, name: Any, code: dict) -> Tensor:
        from tinygrad_edu.nn.parameter import Parameter

        if name in self.made:
            return self.made[name]
        tensor = _wrap(self._array(name))
        if code.get("parameter"):
            tensor = Parameter(tensor, requires_grad=bool(code.get("requires_grad")))
        elif code.get("requires_grad"):
            tensor.requires_grad_(True)
        self.made[name] = tensor
        return tensor

    def _invalid(self, what: str) -> ValueError:
        return ValueError(f"{self.file_name!r}: the checkpoint structure in its metadata is "
                          f"not valid: {what}")


__all__ = ["load", "save"]
