"""Checkpoints: a training run's whole state in one file that loads without pickle.

A checkpoint holds a model's state dict, an optimizer's and a scheduler's, the epoch,
an ``extra`` dict (history, early-stopping state, anything JSON-like or array-like) and
the random generators' states, so a resumed run draws the same numbers as an
uninterrupted one.

The file format, its validation and the atomic write are ``autograd_core.serialization``'s
(the format of ``autograd_core.save``), under the format name ``autograd-core checkpoint``:
every array is its own ``.npy`` member named by its path (``model/0.weight``,
``optimizer/state/0/exp_avg``) and the structure around them is JSON. On load, the saved
optimizer and scheduler state is also checked against the objects it is loaded into
(option types, state arrays) before anything is restored, so a damaged file fails with
``CheckpointError`` naming the file and the key, not later inside a training step.
"""
from __future__ import annotations

import copy
import inspect
import os
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from autograd_core import Tensor
from autograd_core.creation import generator as global_generator
from autograd_core.serialization import OBJECT_FORMAT, CheckpointError, read_archive, write_archive

from .optim.optimizer import Optimizer

FORMAT = "autograd-core checkpoint"
GLOBAL_RNG = "autograd_core"  # the generator behind manual_seed, randn, init, dropout and default shuffling
OWNERS = ("model", "optimizer", "scheduler")


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
    content: dict[str, Any] = {"epoch": epoch}
    for name, owner in zip(OWNERS, (model, optimizer, scheduler)):
        if owner is not None:
            content[name] = owner.state_dict()
    content["extra"] = dict(extra or {})
    states = {name: _generator_state(name, generator) for name, generator in (generators or {}).items()}
    if rng:
        states[GLOBAL_RNG] = global_generator().bit_generator.state
    content["rng"] = states
    write_archive(path, content, FORMAT, "save_checkpoint")
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
    file_format, content = read_archive(path, "load_checkpoint")
    if file_format != FORMAT:
        hint = "load it with autograd_core.load(path)" if file_format == OBJECT_FORMAT else "it cannot be loaded here"
        raise CheckpointError(f"{path}: holds a {file_format!r}, not a checkpoint; {hint}.")
    _check_content(path, content)
    owners = dict(zip(OWNERS, (model, optimizer, scheduler)))
    for name, owner in owners.items():  # everything is checked before anything is restored
        if owner is None:
            continue
        if name not in content:
            raise CheckpointError(
                f"{path}: holds no {name} state (it was saved without {name}=); cannot restore the {name}."
            )
        CHECKS[name](path, content[name], owner)
    states = content.get("rng", {})
    wanted = dict(generators or {})
    if rng:
        wanted[GLOBAL_RNG] = global_generator()
    for name in wanted:
        if name not in states:
            raise CheckpointError(
                f"{path}: holds no state for the random generator {name!r} (saved: {sorted(states) or 'none'})."
            )
    for name, owner in owners.items():
        if owner is None:
            continue
        try:
            if name == "model":
                owner.load_state_dict(content[name], strict=strict)
            else:
                owner.load_state_dict(content[name])
        except Exception as error:  # the state came from an untrusted file: name it
            raise CheckpointError(f"{path}: the saved {name} state does not fit the {name} given: {error}") from error
    for name, generator in wanted.items():
        try:
            generator.bit_generator.state = states[name]
        except Exception as error:
            raise CheckpointError(f"{path}: the saved state of generator {name!r} does not fit it: {error}") from error
    return content


def _generator_state(name: str, generator: Any) -> dict:
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"save_checkpoint: generators[{name!r}] must be a np.random.Generator, got {type(generator).__name__}"
        )
    return generator.bit_generator.state




# -- what a checkpoint's content must look like, checked before anything is restored ---------
def _check_content(path: Path, content: dict[str, Any]) -> None:
    expected = {"epoch": (int, type(None)), "extra": dict, "rng": dict, **{name: dict for name in OWNERS}}
    for key, value in content.items():
        kinds = expected.get(key)
        if kinds is None:
            raise CheckpointError(f"{path}: holds an unknown entry {key!r}; the file was altered.")
        if not isinstance(value, kinds) or isinstance(value, bool):
            raise CheckpointError(f"{path}: its {key!r} entry is a {type(value).__name__}; the file was altered.")
    for name, state in content.get("rng", {}).items():
        if not isinstance(state, dict):
            raise CheckpointError(f"{path}: the saved state of generator {name!r} is {_show(state)}, not a dict.")


def _check_model(path: Path, state: dict[str, Any], model: Any) -> None:
    for key, value in state.items():
        if not _is_numeric_array(value):
            raise CheckpointError(
                f"{path}: the saved model state has {key!r} = {_show(value)}, not an array of numbers; "
                "the file was altered."
            )


def _check_optimizer(path: Path, state: dict[str, Any], optimizer: Any) -> None:
    where = f"{path}: the saved optimizer state"
    if set(state) != {"state", "param_groups"} or not isinstance(state["param_groups"], list):
        raise CheckpointError(f"{where} has entries {sorted(state)}; expected 'state' and 'param_groups' (a list).")
    kind = type(optimizer).__name__
    current_groups = getattr(optimizer, "param_groups", [])
    for number, group in enumerate(state["param_groups"]):
        if not isinstance(group, dict):
            raise CheckpointError(f"{where} has param_groups[{number}] = {_show(group)}, not a dict.")
        params = group.get("params")
        if not isinstance(params, list) or not all(_is_int(index) for index in params):
            raise CheckpointError(
                f"{where} has param_groups[{number}]['params'] = {_show(params)}, not a list of ints."
            )
        current = current_groups[number] if number < len(current_groups) else {}
        for key, value in group.items():
            if key != "params":
                _check_like(f"{where} has param_groups[{number}][{key!r}]", value, current.get(key), kind)
        _check_options(f"{where} has param_groups[{number}] options", group, optimizer)
    if not isinstance(state["state"], dict):
        raise CheckpointError(f"{where} has 'state' = {_show(state['state'])}, not a dict.")
    for index, entries in state["state"].items():
        if not _is_int(index) or not isinstance(entries, dict):
            raise CheckpointError(f"{where} has state[{index!r}] = {_show(entries)}, not a dict of state entries.")
        for key, value in entries.items():
            if not _is_state_value(value):
                raise CheckpointError(
                    f"{where} has state[{index}][{key!r}] = {_show(value)}, not a number, an array or a list of "
                    "them (LBFGS keeps its history as lists)."
                )
    _check_state_entries(where, state, optimizer)


def _check_options(label: str, group: dict[str, Any], optimizer: Any) -> None:
    """Values of the right type can still be out of range (betas of -1 divide by zero later):
    the optimiser's own constructor checks them, on a stand-in parameter."""
    kind = type(optimizer)
    accepted = inspect.signature(kind.__init__).parameters
    options = {key: value for key, value in group.items() if key in accepted and key not in ("self", "params")}
    try:
        kind([Tensor(np.zeros(1, np.float32), requires_grad=True)], **options)
    except Exception as error:
        raise CheckpointError(f"{label} that {kind.__name__}() refuses: {error}") from None


def _check_state_entries(where: str, state: dict[str, Any], optimizer: Any) -> None:
    """Options and state must agree: a parameter's saved state holds every entry a fresh
    state would have under the saved options (Adam with amsgrad=True needs max_exp_avg_sq)."""
    if type(optimizer)._init_state is Optimizer._init_state:
        return  # no per-parameter state to compare with (LBFGS keeps one state of its own)
    kind, current_groups = type(optimizer).__name__, optimizer.param_groups
    group_of = {int(index): number for number, group in enumerate(state["param_groups"]) for index in group["params"]}
    for index, entries in state["state"].items():
        number = group_of.get(int(index))
        if number is None or number >= len(current_groups):
            continue  # load_state_dict names this mismatch
        options = {**current_groups[number], **state["param_groups"][number]}
        try:
            needed = optimizer._init_state(np.zeros(1, np.float32), options)
        except Exception as error:
            raise CheckpointError(
                f"{where} has param_groups[{number}] options that {kind} cannot work with "
                f"({type(error).__name__}: {error})."
            ) from None
        missing = sorted(set(needed) - set(entries))
        if missing:
            raise CheckpointError(
                f"{where} has state[{index}] without {missing}, which {kind} needs with the saved options; "
                "the file was altered."
            )
        for key, initial in needed.items():  # counts (``step``) start at an int: they stay ints >= 0
            value = entries[key]
            count = np.asarray(value.array if isinstance(value, Tensor) else value)
            if isinstance(initial, int) and not (count.ndim == 0 and count.dtype.kind in "iu" and count >= 0):
                raise CheckpointError(f"{where} has state[{index}][{key!r}] = {_show(value)}, not a count (int >= 0).")


def _check_scheduler(path: Path, state: dict[str, Any], scheduler: Any) -> None:
    current = getattr(scheduler, "__dict__", {})
    kind = type(scheduler).__name__
    for key, value in state.items():
        _check_like(f"{path}: the saved scheduler state has {key!r}", value, current.get(key), kind)
    # values of the right type can still break the schedule (a step_size of 0): take one
    # step on a deep copy in which the optimiser (wherever it is referred to, e.g. by
    # chained schedulers) is a stand-in holding copies of its param groups
    optimizer = scheduler.optimizer
    probe = copy.deepcopy(scheduler, {id(optimizer): _LearningRatesOnly(optimizer)})
    try:
        probe.load_state_dict(state)
        needs_metric = any(
            parameter.default is parameter.empty for parameter in inspect.signature(probe.step).parameters.values()
        )
        probe.step(*([0.0] if needs_metric else []))  # ReduceLROnPlateau.step(metric)
    except Exception as error:
        raise CheckpointError(
            f"{path}: the saved scheduler state breaks {kind}.step() ({type(error).__name__}: {error}); "
            "the file was altered or comes from another scheduler."
        ) from None


class _LearningRatesOnly:
    """Stands in for an optimiser during the scheduler probe: copies of its param groups."""

    def __init__(self, optimizer: Any) -> None:
        self.param_groups = [dict(group) for group in optimizer.param_groups]


CHECKS = {"model": _check_model, "optimizer": _check_optimizer, "scheduler": _check_scheduler}


def _check_like(label: str, value: Any, reference: Any, owner: str) -> None:
    """``value`` (from the file) must have the kind of ``reference`` (the live object's value):
    a number for a number, a bool for a bool, a string for a string, sequences alike."""
    if reference is None:  # nothing to compare with: plain data only
        if not _is_plain(value):
            raise CheckpointError(f"{label} = {_show(value)}, which no {owner} option holds; the file was altered.")
        return
    if isinstance(reference, bool) or isinstance(reference, str):
        fits = type(value) is type(reference)
    elif isinstance(reference, (int, float, np.number)):
        fits = isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and _fits_float(value)
    elif isinstance(reference, (list, tuple)):
        fits = isinstance(value, (list, tuple)) and len(value) == len(reference)
        if fits:
            for position, (item, reference_item) in enumerate(zip(value, reference)):
                _check_like(f"{label}[{position}]", item, reference_item, owner)
    else:
        fits = True  # a kind this check does not know: load_state_dict decides
    if not fits:
        raise CheckpointError(
            f"{label} = {_show(value)} where this {owner} has {_show(reference)}; the file was altered "
            "or comes from another kind of optimizer/scheduler."
        )


def _is_plain(value: Any) -> bool:
    if value is None or isinstance(value, (bool, int, float, str, np.number)):
        return True
    return isinstance(value, (list, tuple)) and all(_is_plain(item) for item in value)


def _fits_float(value: Any) -> bool:
    try:
        float(value)
    except OverflowError:  # an int of hundreds of digits: would fail inside a training step
        return False
    return True


def _is_numeric_array(value: Any) -> bool:
    if isinstance(value, int) and not isinstance(value, bool):
        return -(2**63) <= value < 2**63
    if isinstance(value, (float, np.number)):
        return True
    array = value.array if isinstance(value, Tensor) else value
    return isinstance(array, (np.ndarray, np.generic)) and array.dtype.kind in "biuf"


def _is_state_value(value: Any) -> bool:
    """What an optimiser keeps per parameter: numbers and arrays, or (LBFGS's history) a
    list of them in which not-yet-filled slots are None."""
    if isinstance(value, (list, tuple)):
        return all(item is None or _is_numeric_array(item) for item in value)
    return value is None or _is_numeric_array(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _show(value: Any) -> str:
    if isinstance(value, (Tensor, np.ndarray)):
        return f"an array of dtype {value.dtype}, shape {tuple(value.shape)}"
    text = f"{value!r} (a {type(value).__name__})"
    return text if len(text) <= 80 else text[:77] + "..."
