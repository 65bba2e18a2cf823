"""Argument checks shared by every optimiser and scheduler.

Each names the class, the argument and what it must be, and raises what PyTorch users
catch: TypeError for a value of the wrong kind (``SGD(lr='0.1')``), ValueError for one out
of range (with PyTorch's own wording first, e.g. "Invalid learning rate: -0.1").
A one-element Tensor counts as its number, as PyTorch accepts a tensor learning rate.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Sequence

import numpy as np

from autograd_core import Tensor


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}" if not isinstance(value, Tensor) else f"a Tensor of shape {value.shape}"


def is_real(value: Any) -> bool:
    """An int or float (Python or NumPy), not a bool."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def check_number(owner: str, name: str, value: Any, example: str = "0.1") -> Any:
    """``value`` as a real number (a one-element Tensor gives its value), else a TypeError that says so."""
    if isinstance(value, Tensor) and value.numel() == 1 and value.dtype.kind in "iuf":
        return value.item()
    if not is_real(value):
        hint = f"; convert it first: float({value!r})" if isinstance(value, str) else ""
        raise TypeError(f"{owner}: {name} must be a real number (e.g. {name}={example}), got {_describe(value)}{hint}")
    return value


def check_non_negative(owner: str, name: str, value: Any, what: str | None = None) -> Any:
    """A real number >= 0; a negative one raises ValueError with PyTorch's wording first."""
    value = check_number(owner, name, value)
    if not value >= 0.0:
        raise ValueError(f"Invalid {what or name + ' value'}: {value} ({owner}: {name} must be >= 0).")
    return value


def check_int(owner: str, name: str, value: Any, minimum: int = 1) -> int:
    """An int (not a bool) >= ``minimum``: TypeError for another kind, ValueError below the minimum."""
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be an int (e.g. {name}={max(minimum, 1) * 10}), got {_describe(value)}")
    if value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ValueError(f"{owner}: {name} must be {wanted}, got {value!r}.")
    return int(value)


def check_flag(owner: str, name: str, value: Any) -> bool:
    """True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {_describe(value)}")
    return bool(value)


def check_pair(owner: str, name: str, value: Any) -> tuple[float, float]:
    """Two real numbers, e.g. ``betas=(0.9, 0.999)``."""
    if not isinstance(value, (tuple, list)) or len(value) != 2 or not all(is_real(v) for v in value):
        raise TypeError(f"{owner}: {name} must be a pair of numbers (e.g. {name}=(0.9, 0.999)), got {_describe(value)}")
    return tuple(value)


def check_choice(owner: str, name: str, value: Any, choices: Sequence[Any]) -> Any:
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ValueError(f"{owner}: {name} must be one of {allowed}, got {value!r}")
    return value


def per_group(owner: str, name: str, value: Any, groups: int, check: Any = check_number) -> list[Any]:
    """One value per parameter group: a list or tuple of ``groups`` values, or one value for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != groups:
            raise ValueError(
                f"{owner}: expected {groups} values for {name} (one per parameter group), got {len(value)}"
            )
        return [check(owner, name, entry) for entry in value]
    return [check(owner, name, value)] * groups


def check_params_argument(owner: str, params: Any) -> None:
    """What an optimiser's ``params`` must be before it is iterated: not a method, not a single Tensor."""
    if isinstance(params, Tensor):
        raise TypeError(
            f"{owner}: params argument given to the optimizer should be an iterable of Tensors "
            f"or dicts, but got a single Tensor of shape {params.shape}; wrap it in a list "
            "([x]) or pass model.parameters()."
        )
    if callable(params) and not hasattr(params, "__iter__"):
        method = getattr(params, "__qualname__", getattr(params, "__name__", repr(params)))
        raise TypeError(
            f"{owner}: params is the method {method} itself, not the parameters it returns; call it: "
            f"{owner}(model.parameters(), ...) with the parentheses."
        )
    if not hasattr(params, "__iter__"):
        raise TypeError(
            f"{owner}: params must be an iterable of Tensors or of dicts (parameter groups), got {_describe(params)}; "
            "pass model.parameters()."
        )


@functools.lru_cache(maxsize=None)
def declared_defaults(optimizer_class: type) -> dict[str, Any]:
    """The defaults in an optimiser's constructor signature (``lr=1e-3``, ``nesterov=False``, ...):
    what kind of value each option takes."""
    parameters = inspect.signature(optimizer_class.__init__).parameters.values()
    return {p.name: p.default for p in parameters if p.default is not inspect.Parameter.empty}


def check_group_options(owner: str, group: dict[str, Any], kinds: dict[str, Any]) -> None:
    """Every option of a parameter group has the kind of its declared default (numbers, flags,
    pairs; options declared None may be anything), converted in place (a Tensor lr to a float)."""
    for key, default in kinds.items():
        if key not in group or default is None:
            continue
        value = group[key]
        if isinstance(default, bool):
            group[key] = check_flag(owner, key, value)
        elif is_real(default):
            group[key] = check_number(owner, key, value)
        elif isinstance(default, tuple) and len(default) == 2:
            group[key] = check_pair(owner, key, value)
