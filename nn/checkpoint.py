"""Checkpoints as one ``.npz`` file that loads with ``allow_pickle=False``: no code runs on load.

A checkpoint holds a model's state dict, an optimizer's and a scheduler's, the epoch,
an ``extra`` dict (history, early-stopping state, anything JSON-like or array-like) and
the random generators' states, so a resumed run draws the same numbers as an
uninterrupted one.

Layout: every array is its own ``.npy`` member named by its path (``model/0.weight``,
``optimizer/state/0/exp_avg``); the nested structure around them (dicts, lists, numbers,
strings) is JSON, stored as the uint8 array ``__checkpoint__``, with each array replaced
by ``{"__array__": "<member name>"}``. ``np.load(path)`` on it shows plain arrays.

The file is written atomically: to a temporary file in the same folder, flushed to disk,
then renamed over ``path``, so a crash leaves the previous checkpoint intact.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograd_core import Tensor
from autograd_core.creation import generator as global_generator

FORMAT = "autograd-core checkpoint"
VERSION = 1
META_KEY = "__checkpoint__"
ZIP_SIGNATURE = b"PK\x03\x04"
GLOBAL_RNG = "autograd_core"  # the generator behind manual_seed, randn, init, dropout and default shuffling


class CheckpointError(ValueError):
    """A checkpoint file that cannot be read or does not fit what it is loaded into."""


def save_checkpoint(
    path: str | os.PathLike,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    *,
    epoch: int | None = None,
    extra: Mapping[str, Any] | None = None,
    rng: bool = True,
    generators: Mapping[str, np.random.Generator] | None = None,
) -> Path:
    """Write a checkpoint to ``path`` (atomically) and return its path.

    Args:
        model / optimizer / scheduler: anything with ``state_dict()``; None leaves it out.
        epoch: the number of epochs completed.
        extra: more state: nested dicts/lists of numbers, strings, None, ndarrays, Tensors.
        rng: also save the state of ``autograd_core``'s generator (``manual_seed``'s).
        generators: more ``np.random.Generator``s by name (e.g. a DataLoader's shuffling
            generator), restored in place by ``load_checkpoint(..., generators=)``.
    """
    path = Path(path)
    content: dict[str, Any] = {"format": FORMAT, "version": VERSION, "epoch": epoch}
    for name, owner in (("model", model), ("optimizer", optimizer), ("scheduler", scheduler)):
        if owner is not None:
            content[name] = owner.state_dict()
    content["extra"] = dict(extra or {})
    states = {name: _generator_state(name, generator) for name, generator in (generators or {}).items()}
    if rng:
        states[GLOBAL_RNG] = global_generator().bit_generator.state
    content["rng"] = states
    arrays: dict[str, np.ndarray] = {}
    skeleton = _encode(content, "", arrays, path)
    arrays[META_KEY] = np.frombuffer(json.dumps(skeleton).encode("utf-8"), dtype=np.uint8)
    _write_atomically(path, arrays)
    return path


def load_checkpoint(
    path: str | os.PathLike,
    model: Any = None,
    optimizer: Any = None,
    scheduler: Any = None,
    *,
    rng: bool = True,
    generators: Mapping[str, np.random.Generator] | None = None,
    strict: bool = True,
) -> dict[str, Any]:
    """Read a checkpoint, restore it into the objects given, and return its content.

    ``model``/``optimizer``/``scheduler`` get ``load_state_dict(...)`` (``strict`` goes to
    the model's); ``rng`` restores ``autograd_core``'s generator and ``generators`` the
    named ones, in place. The returned dict has ``epoch``, ``extra``, ``model``,
    ``optimizer``, ``scheduler`` (those saved) and ``rng``.

    Raises ``CheckpointError`` naming the file and the problem: not a checkpoint, a
    truncated or corrupt file, object (pickled) arrays, missing entries, a state that
    does not fit (wrong keys or shapes).
    """
    path = Path(path)
    content = _decode(_read_arrays(path), path)
    for name, owner in (("model", model), ("optimizer", optimizer), ("scheduler", scheduler)):
        if owner is None:
            continue
        if name not in content:
            raise CheckpointError(f"{path}: holds no {name} state (it was saved without {name}=); cannot restore the {name}.")
        try:
            if name == "model":
                owner.load_state_dict(content[name], strict=strict)
            else:
                owner.load_state_dict(content[name])
        except (ValueError, KeyError, TypeError, IndexError, RuntimeError) as error:
            raise CheckpointError(f"{path}: the saved {name} state does not fit the {name} given: {error}") from error
    states = content.get("rng", {})
    wanted = dict(generators or {})
    if rng:
        wanted[GLOBAL_RNG] = global_generator()
    for name, generator in wanted.items():
        if name not in states:
            raise CheckpointError(
                f"{path}: holds no state for the random generator {name!r} (saved: {sorted(states) or 'none'})."
            )
        try:
            generator.bit_generator.state = states[name]
        except (ValueError, TypeError, KeyError) as error:
            raise CheckpointError(f"{path}: the saved state of generator {name!r} does not fit it: {error}") from error
    return content


def _generator_state(name: str, generator: Any) -> dict:
    if not isinstance(generator, np.random.Generator):
        raise TypeError(f"save_checkpoint: generators[{name!r}] must be a np.random.Generator, got {type(generator).__name__}")
    return generator.bit_generator.state


# -- nested state <-> (JSON skeleton, named arrays) ------------------------------------------
def _encode(value: Any, key: str, arrays: dict[str, np.ndarray], path: Path) -> Any:
    """``value`` as JSON-ready data; arrays go into ``arrays`` under their path ``key``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, (np.integer, np.floating)):
        return value
    if isinstance(value, (Tensor, np.ndarray, np.generic)):
        array = value.array if isinstance(value, Tensor) else np.asarray(value)
        if array.dtype.hasobject:
            raise CheckpointError(f"save_checkpoint {path}: {key} is an object array, which cannot be saved without pickle.")
        name = _unique(key or "value", arrays)
        arrays[name] = array
        kind = "__tensor__" if isinstance(value, Tensor) else "__array__"
        marker: dict[str, Any] = {kind: name}
        if isinstance(value, np.generic):
            marker["scalar"] = True
        if isinstance(value, Tensor) and value.requires_grad:
            marker["requires_grad"] = True
        return marker
    if isinstance(value, Mapping):
        items = [(name, _encode(item, f"{key}/{name}" if key else str(name), arrays, path)) for name, item in value.items()]
        if all(isinstance(name, str) and not name.startswith("__") for name, _ in items):
            return dict(items)
        for name, _ in items:
            if not isinstance(name, (str, int)) or isinstance(name, bool):
                raise CheckpointError(f"save_checkpoint {path}: {key or 'a dict'} has a key {name!r}; keys must be str or int.")
        return {"__dict__": [[name, item] for name, item in items]}
    if isinstance(value, (list, tuple)):
        items = [_encode(item, f"{key}/{position}", arrays, path) for position, item in enumerate(value)]
        return {"__tuple__": items} if isinstance(value, tuple) else items
    raise CheckpointError(
        f"save_checkpoint {path}: cannot store {key or 'a value'} of type {type(value).__name__}; a checkpoint "
        "holds dicts, lists, tuples, numbers, strings, None, ndarrays and Tensors."
    )


def _unique(name: str, taken: Mapping[str, Any]) -> str:
    candidate, number = name, 1
    while candidate in taken or candidate == META_KEY:
        candidate, number = f"{name}#{number}", number + 1
    return candidate


def _decode(arrays: dict[str, np.ndarray], path: Path) -> dict[str, Any]:
    if META_KEY not in arrays:
        raise CheckpointError(
            f"{path}: not a checkpoint written by save_checkpoint: no {META_KEY} entry "
            f"(it holds {sorted(arrays)[:8]})."
        )
    meta = arrays[META_KEY]
    try:
        if meta.dtype != np.uint8 or meta.ndim != 1:
            raise ValueError(f"dtype {meta.dtype}, shape {meta.shape} (expected uint8 bytes)")
        skeleton = json.loads(meta.tobytes().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path}: its {META_KEY} metadata is corrupt ({error}).") from None
    if not isinstance(skeleton, dict) or skeleton.get("format") != FORMAT:
        raise CheckpointError(f"{path}: its metadata does not describe an {FORMAT} (format={skeleton.get('format')!r}).")
    if skeleton.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {skeleton.get('version')!r}; this library reads version {VERSION}."
        )
    used: set[str] = set()
    content = _rebuild(skeleton, arrays, used, path)
    unused = sorted(set(arrays) - used - {META_KEY})
    if unused:
        raise CheckpointError(f"{path}: holds arrays its metadata does not mention: {unused[:8]}; the file was altered.")
    return content


def _rebuild(value: Any, arrays: dict[str, np.ndarray], used: set[str], path: Path) -> Any:
    if isinstance(value, list):
        return [_rebuild(item, arrays, used, path) for item in value]
    if not isinstance(value, dict):
        return value
    for kind in ("__array__", "__tensor__"):
        if kind in value:
            name = value[kind]
            if name not in arrays:
                raise CheckpointError(f"{path}: the array {name!r} its metadata names is missing; the file is incomplete.")
            used.add(name)
            array = arrays[name]
            if kind == "__tensor__":
                return Tensor(array, requires_grad=bool(value.get("requires_grad", False)))
            return array[()] if value.get("scalar") else array
    if "__tuple__" in value:
        return tuple(_rebuild(item, arrays, used, path) for item in value["__tuple__"])
    if "__dict__" in value:
        return {key: _rebuild(item, arrays, used, path) for key, item in value["__dict__"]}
    return {key: _rebuild(item, arrays, used, path) for key, item in value.items()}


# -- the file ------------------------------------------------------------------------------
def _write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False)
    try:
        with handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, _file_mode(path))  # temporary files are private (0600); keep the usual mode
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        directory = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _file_mode(path: Path) -> int:
    """The mode ``path`` has, or a new file's mode under the current umask."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _read_arrays(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise FileNotFoundError(f"load_checkpoint: {path} does not exist (or is not a file).")
    with open(path, "rb") as handle:
        start = handle.read(4)
    if start != ZIP_SIGNATURE:
        raise CheckpointError(
            f"{path}: not an .npz checkpoint (an .npz is a zip archive starting with PK\\x03\\x04; "
            f"this file starts with {start!r}). Was it written by save_checkpoint?"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "allow_pickle" in str(error) or "pickled" in str(error):
            raise CheckpointError(
                f"{path}: holds an object (pickled) array; checkpoints are refused such arrays because "
                "loading them could run code. Re-save it with save_checkpoint."
            ) from None
        raise CheckpointError(f"{path}: a corrupt array inside ({error}); the file is damaged or truncated.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError) as error:
        raise CheckpointError(f"{path}: truncated or corrupt ({type(error).__name__}: {error}); it cannot be read.") from None
