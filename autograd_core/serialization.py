"""``save`` / ``load`` (PyTorch's ``torch.save`` / ``torch.load``) in a safe format: no pickle, ever.

What PyTorch users save round-trips: state dicts of modules and optimisers, and nested
dicts, lists and tuples of Tensors, ndarrays, numbers, strings, bools and None::

    autograd_core.save(model.state_dict(), "model.pt")
    model.load_state_dict(autograd_core.load("model.pt"))

The file is a zip archive of ``.npy`` members (an ``.npz``; ``np.load(path)`` shows plain
arrays): every array is one member named by its path in the structure (``0.weight``,
``state/0/exp_avg``), and the structure around them is JSON, stored as the uint8 member
``__checkpoint__``, each array replaced by ``{"__array__": name}`` (``"__tensor__"`` for a
Tensor), tuples by ``{"__tuple__": [...]}`` and dicts with non-string keys by
``{"__dict__": [[key, value], ...]}``. The JSON's top level names the ``format`` and
``version``; ``nn.save_checkpoint`` writes the same layout with its own format name.

Loading parses the archive itself and trusts nothing in it: every problem -- a truncated
or altered file, duplicate members, metadata that is not what the writer makes, arrays
whose header disagrees with their size, dtypes that are not plain numbers or strings,
structures nested deeper than ``MAX_DEPTH`` -- raises ``CheckpointError`` naming the file.

Writing to a path is atomic (``atomic_write``): a crash mid-write leaves the previous
file intact, and the next save removes the temporary file the crash left behind.
"""
from __future__ import annotations

import io
import json
import math
import os
import zipfile
from pathlib import Path
from typing import Any, BinaryIO, Callable, Mapping, Union

import numpy as np

from .atomic_write import write_atomically
from .devices import check_device, device
from .tensor import Tensor

PathOrFile = Union[str, os.PathLike, BinaryIO]

META_KEY = "__checkpoint__"
VERSION = 1
OBJECT_FORMAT = "autograd-core saved object"
MAX_DEPTH = 100  # nesting levels of dicts/lists/tuples (a state dict needs 3)
STORABLE_KINDS = "biufcSU"  # bool, ints, floats, complex, bytes and unicode strings: no objects or records
TENSOR_KINDS = "biuf"
_ZIP_SIGNATURE = b"PK\x03\x04"
_EMPTY_ZIP_SIGNATURE = b"PK\x05\x06"
_MARKERS = {"__array__", "__tensor__", "__tuple__", "__dict__"}
_ARRAY_FIELDS = {"scalar", "requires_grad"}


class CheckpointError(ValueError):
    """A saved file that cannot be read, or a value or state that cannot be saved or restored."""


# -- public API ---------------------------------------------------------------------------
def save(obj: Any, f: PathOrFile) -> None:
    """Save ``obj`` to the path or binary file ``f``, as ``torch.save`` (without pickle).

    ``obj``: dicts (str or int keys), lists and tuples of Tensors, ndarrays, NumPy
    scalars, Python numbers, strings, bools and None, nested up to ``MAX_DEPTH`` levels;
    a module or optimiser is saved through its ``state_dict()``. Anything else raises
    ``CheckpointError`` before the file is touched. A path is written atomically.
    """
    write_archive(f, {"object": obj}, OBJECT_FORMAT, "save")


def load(f: PathOrFile, map_location: Any = None, *, weights_only: bool = True) -> Any:
    """Load what ``save`` wrote (or ``nn.save_checkpoint``: its dict of contents), as ``torch.load``.

    ``map_location``: None, ``"cpu"``, a CPU device, a dict mapping saved locations to
    ``"cpu"``, or a callable ``fn(tensor, "cpu")`` applied to each loaded Tensor (its
    result is used when it returns a Tensor). Everything loads on the CPU, the only
    device of this build; asking for another raises ``DeviceError``. ``weights_only`` is accepted for
    PyTorch compatibility: this format holds only data, so both values load the same.
    Raises ``CheckpointError`` naming the file for anything that is not a valid file.
    """
    if not isinstance(weights_only, bool):
        raise TypeError(f"load: weights_only must be True or False, got {weights_only!r}")
    remap = _tensor_mapper(map_location)
    source = _name_of(f)
    file_format, content = read_archive(f, "load")
    if file_format == OBJECT_FORMAT:
        if set(content) != {"object"}:
            raise CheckpointError(f"{source}: its metadata holds {sorted(content)} where a saved object has 'object'.")
        content = content["object"]
    return _map_tensors(content, remap) if remap is not None else content


# -- nested values <-> (JSON skeleton, named arrays) ----------------------------------------
def encode(value: Any, key: str, arrays: dict[str, np.ndarray], where: str, depth: int = 0) -> Any:
    """``value`` as JSON-ready data; its arrays go into ``arrays`` under their path ``key``.

    ``where`` (``"save_checkpoint run.npz"``) starts every error message.
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, (np.integer, np.floating)):
        return value
    label = key or "the value"
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        array = value.array if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.hasobject:
            raise CheckpointError(f"{where}: {label} is an object array, which cannot be saved without pickle.")
        if array.dtype.kind not in STORABLE_KINDS:
            raise CheckpointError(
                f"{where}: {label} has dtype {array.dtype}; arrays of numbers, bools or strings can be saved."
            )
        name = _unique(key or "value", arrays)
        arrays[name] = array
        marker: dict[str, Any] = {"__tensor__" if isinstance(value, Tensor) else "__array__": name}
        if isinstance(value, np.generic):
            marker["scalar"] = True
        if isinstance(value, Tensor) and value.requires_grad:
            marker["requires_grad"] = True
        return marker
    if depth >= MAX_DEPTH:
        raise CheckpointError(f"{where}: {label} is nested deeper than {MAX_DEPTH} levels (or contains itself).")
    if isinstance(value, Mapping):
        items = [
            (name, encode(item, f"{key}/{name}" if key else str(name), arrays, where, depth + 1))
            for name, item in value.items()
        ]
        if all(isinstance(name, str) and not name.startswith("__") for name, _ in items):
            return dict(items)
        for name, _ in items:
            if not isinstance(name, (str, int)) or isinstance(name, bool):
                raise CheckpointError(f"{where}: {key or 'a dict'} has a key {name!r}; keys must be str or int.")
        return {"__dict__": [[name, item] for name, item in items]}
    if isinstance(value, (list, tuple)):
        items = [encode(item, f"{key}/{position}", arrays, where, depth + 1) for position, item in enumerate(value)]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    hint = (
        " Save its state_dict() instead (this format stores data, not code) and restore it with "
        "load_state_dict()." if hasattr(value, "state_dict") else ""
    )
    raise CheckpointError(
        f"{where}: cannot store {label} of type {type(value).__name__}; this format holds dicts, lists, "
        f"tuples, numbers, strings, None, ndarrays and Tensors.{hint}"
    )


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    candidate, number = name, 1
    while candidate in taken or candidate == META_KEY:
        candidate, number = f"{name}#{number}", number + 1
    return candidate


def decode(value: Any, arrays: dict[str, np.ndarray], used: set[str], source: str, depth: int = 0) -> Any:
    """The value a skeleton describes, its arrays taken from ``arrays`` (each at most once)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if depth >= MAX_DEPTH:
        raise CheckpointError(f"{source}: its metadata is nested deeper than {MAX_DEPTH} levels; the file was altered.")
    if isinstance(value, list):
        return [decode(item, arrays, used, source, depth + 1) for item in value]
    if not isinstance(value, dict):
        raise CheckpointError(f"{source}: its metadata holds a {type(value).__name__}; the file was altered.")
    markers = _MARKERS & value.keys()
    if not markers:
        for key in value:
            if key.startswith("__"):
                raise CheckpointError(f"{source}: its metadata holds an unknown entry {key!r}; the file was altered.")
        return {key: decode(item, arrays, used, source, depth + 1) for key, item in value.items()}
    kind = markers.pop()
    extra = set(value) - {kind} - (_ARRAY_FIELDS if kind in ("__array__", "__tensor__") else set())
    if markers or extra:
        raise CheckpointError(f"{source}: a malformed {kind} entry {_short(value)}; the file was altered.")
    body = value[kind]
    if kind == "__tuple__":
        if not isinstance(body, list):
            raise CheckpointError(f"{source}: a malformed __tuple__ entry {_short(value)}; the file was altered.")
        return tuple(decode(item, arrays, used, source, depth + 1) for item in body)
    if kind == "__dict__":
        if not isinstance(body, list) or not all(_is_pair(pair) for pair in body):
            raise CheckpointError(
                f"{source}: a malformed __dict__ entry {_short(value)} (it must list [key, value] pairs with "
                "str or int keys); the file was altered."
            )
        return {key: decode(item, arrays, used, source, depth + 1) for key, item in body}
    return _decode_array(kind, value, arrays, used, source)


def _is_pair(pair: Any) -> bool:
    return (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (str, int))
            and not isinstance(pair[0], bool))


def _decode_array(kind: str, marker: dict, arrays: dict[str, np.ndarray], used: set[str], source: str) -> Any:
    name = marker[kind]
    flags = {field: marker.get(field, False) for field in _ARRAY_FIELDS}
    if not isinstance(name, str) or not all(isinstance(flag, bool) for flag in flags.values()):
        raise CheckpointError(f"{source}: a malformed {kind} entry {_short(marker)}; the file was altered.")
    if name not in arrays:
        raise CheckpointError(f"{source}: the array {name!r} its metadata names is missing; the file is incomplete.")
    if name in used:
        raise CheckpointError(f"{source}: its metadata names the array {name!r} twice; the file was altered.")
    used.add(name)
    array = arrays[name]
    if kind == "__array__":
        return array[()] if flags["scalar"] else array
    if array.dtype.kind not in TENSOR_KINDS or (flags["requires_grad"] and array.dtype.kind != "f"):
        raise CheckpointError(
            f"{source}: the tensor {name!r} has dtype {array.dtype}"
            f"{' and requires grad' if flags['requires_grad'] else ''}, which no Tensor can hold; the file was altered."
        )
    try:
        return Tensor(array, requires_grad=flags["requires_grad"])
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{source}: the tensor {name!r} cannot be restored: {error}") from None


def _short(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


# -- the archive --------------------------------------------------------------------------
def write_archive(target: PathOrFile, content: Mapping[str, Any], file_format: str, caller: str) -> None:
    """Encode ``content`` (a dict; ``format`` and ``version`` are added) and write it to ``target``.

    A path is written atomically, and the orphaned temporary files of earlier saves to it
    that were killed mid-write are removed first (``atomic_write.write_atomically`` gives
    the rules).
    """
    where = f"{caller} {_name_of(target)}"
    arrays: dict[str, np.ndarray] = {}
    skeleton = {"format": file_format, "version": VERSION}
    for key, value in content.items():
        skeleton[key] = encode(value, key if file_format != OBJECT_FORMAT else "", arrays, where, 1)
    arrays[META_KEY] = np.frombuffer(json.dumps(skeleton).encode("utf-8"), dtype=np.uint8)
    if not isinstance(target, (str, os.PathLike)):
        np.savez(target, **arrays)
        return
    path = Path(target)
    if path.is_dir():
        raise CheckpointError(f"{where}: {path} is a folder; give the path of a file to write.")
    write_atomically(path, lambda handle: np.savez(handle, **arrays))


def read_archive(source: PathOrFile, caller: str) -> tuple[str, dict[str, Any]]:
    """The format name and the decoded content of a file ``write_archive`` wrote.

    Raises ``CheckpointError`` naming the file for anything else (``FileNotFoundError``
    when a path does not exist).
    """
    name = _name_of(source)
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.is_dir():
            raise CheckpointError(f"{caller}: {path} is a folder, not a saved file.")
        if not path.is_file():
            raise FileNotFoundError(f"{caller}: {path} does not exist (or is not a file).")
        with open(path, "rb") as handle:
            arrays = _read_members(handle, name)
    else:
        arrays = _read_members(source, name)
    if META_KEY not in arrays:
        raise CheckpointError(
            f"{name}: not a file written by autograd_core.save or save_checkpoint: no {META_KEY} entry "
            f"(it holds {sorted(arrays)[:8]})."
        )
    meta = arrays[META_KEY]
    try:
        if meta.dtype != np.uint8 or meta.ndim != 1:
            raise ValueError(f"dtype {meta.dtype}, shape {meta.shape} (expected uint8 bytes)")
        skeleton = json.loads(meta.tobytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as error:
        raise CheckpointError(
            f"{name}: its {META_KEY} metadata is corrupt ({type(error).__name__}: {error})."
        ) from None
    if not isinstance(skeleton, dict):
        raise CheckpointError(
            f"{name}: its metadata is a JSON {type(skeleton).__name__}, not the object the writer makes."
        )
    file_format, version = skeleton.pop("format", None), skeleton.pop("version", None)
    if not isinstance(file_format, str) or not file_format.startswith("autograd-core"):
        raise CheckpointError(f"{name}: its metadata does not describe an autograd-core file (format={file_format!r}).")
    if version != VERSION:
        raise CheckpointError(f"{name}: format version {version!r}; this library reads version {VERSION}.")
    used: set[str] = set()
    content = {key: decode(value, arrays, used, name, 1) for key, value in skeleton.items()}
    unused = sorted(set(arrays) - used - {META_KEY})
    if unused:
        raise CheckpointError(
            f"{name}: holds arrays its metadata does not mention: {unused[:8]}; the file was altered."
        )
    return file_format, content


def _read_members(handle: BinaryIO, name: str) -> dict[str, np.ndarray]:
    """Every ``.npy`` member of the zip in ``handle``, parsed and checked without pickle."""
    if not handle.seekable():  # a zip is read from its end
        handle = io.BytesIO(handle.read())
    start = handle.read(4)
    handle.seek(-len(start), io.SEEK_CUR)
    if start not in (_ZIP_SIGNATURE, _EMPTY_ZIP_SIGNATURE):
        raise CheckpointError(
            f"{name}: not a file written by autograd_core.save or save_checkpoint (those are .npz zip archives, "
            f"starting with PK\\x03\\x04; this file starts with {start!r})."
        )
    try:
        with zipfile.ZipFile(handle) as archive:
            members = archive.infolist()
            names = [member.filename for member in members]
            if any(entry.endswith("data.pkl") for entry in names):
                raise CheckpointError(
                    f"{name}: written by torch.save (a pickle inside a zip), which cannot be loaded without running "
                    "its code. In PyTorch, save plain arrays instead, e.g. numpy.savez(path, **{k: v.numpy() for k, "
                    "v in model.state_dict().items()}), and load those into the model here."
                )
            duplicates = sorted({entry for entry in names if names.count(entry) > 1})
            if duplicates:
                raise CheckpointError(f"{name}: holds several members named {duplicates[:4]}; the file was altered.")
            return {member.filename[:-4]: _read_npy(archive, member, name) for member in members}
    except CheckpointError:
        raise
    except Exception as error:  # an untrusted file: any parser failure is a damaged file
        raise CheckpointError(
            f"{name}: truncated or corrupt ({type(error).__name__}: {error}); it cannot be read."
        ) from None


def _read_npy(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> np.ndarray:
    if not member.filename.endswith(".npy"):
        raise CheckpointError(f"{name}: holds the member {member.filename!r}, which is not an .npy array.")
    with archive.open(member) as stream:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            raise CheckpointError(f"{name}: the member {member.filename!r} has .npy format version {version}.")
        if dtype.hasobject:
            raise CheckpointError(
                f"{name}: holds an object (pickled) array {member.filename!r}; such arrays are refused because "
                "loading them could run code."
            )
        if dtype.kind not in STORABLE_KINDS:
            raise CheckpointError(f"{name}: the member {member.filename!r} has dtype {dtype}, never stored here.")
        size = math.prod(shape) * dtype.itemsize
        header_size = stream.tell()
        if header_size + size != member.file_size:
            raise CheckpointError(
                f"{name}: the member {member.filename!r} announces {shape} {dtype} ({size} bytes) but holds "
                f"{member.file_size - header_size}; the file was altered."
            )
        data = stream.read(size)
        stream.read()  # to the end, so the zip's CRC check runs
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran_order else "C").copy()


def _name_of(target: Any) -> str:
    if isinstance(target, (str, os.PathLike)):
        return str(target)
    return str(getattr(target, "name", None) or f"<{type(target).__name__}>")


# -- map_location -------------------------------------------------------------------------
def _tensor_mapper(map_location: Any) -> Callable[[Tensor], Any] | None:
    """What ``map_location`` does to each loaded Tensor (None: nothing), after checking it."""
    if map_location is None:
        return None
    if callable(map_location):
        return lambda tensor: map_location(tensor, "cpu")
    if isinstance(map_location, Mapping):
        if "cpu" in map_location:  # what this library saves is on the CPU; other keys match nothing
            _require_cpu(map_location["cpu"])
        return None
    _require_cpu(map_location)
    return None


def _is_device(value: Any) -> bool:
    return type(value).__name__ == "device" and hasattr(value, "type")


def _require_cpu(location: Any) -> None:
    if _is_device(location) and not isinstance(location, device):  # another library's device (torch.device)
        location = str(location)
    if isinstance(location, (str, device)):
        check_device(location, "load(map_location=...)")  # DeviceError for anything but the CPU
        return
    raise TypeError(
        f"load: map_location must be None, a device name such as 'cpu', a device, a dict or a callable, "
        f"got {type(location).__name__}"
    )


def _map_tensors(value: Any, remap: Callable[[Tensor], Any]) -> Any:
    if isinstance(value, Tensor):
        mapped = remap(value)
        if mapped is None:
            return value
        if not isinstance(mapped, Tensor):
            raise TypeError(
                f"load: the map_location callable returned a {type(mapped).__name__}; return a Tensor or None."
            )
        return mapped
    if isinstance(value, dict):
        return {key: _map_tensors(item, remap) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_map_tensors(item, remap) for item in value]
        return tuple(items) if isinstance(value, tuple) else items
    return value
