"""``Optimizer``: the parameter groups, per-parameter state and state dicts every optimiser shares.

A subclass supplies ``_update(param, grad, state, group)``, which changes the NumPy
array ``param`` in place from the gradient array ``grad``; the base class runs it for
every parameter that has a gradient, under ``no_grad``, and bumps the parameter's
version counter, so a graph recorded before the step and used after it raises
instead of silently using the new values (as in PyTorch).

``state_dict()`` uses PyTorch's layout::

    {"state": {0: {"step": 3, "exp_avg": ndarray, ...}, 1: {...}},
     "param_groups": [{"lr": 0.001, "betas": (0.9, 0.999), ..., "params": [0, 1]}]}

Parameters are numbered 0, 1, 2, ... across the groups in order. Every value is a
Python number, bool, tuple of numbers or a NumPy array (copies, not views of the
live state), so a state dict can be flattened into an ``.npz`` file and read back
with ``allow_pickle=False``: nothing in it needs pickle.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Any, Callable, Iterable, Union

import numpy as np

import autograd_core as ag
from autograd_core import ShapeError, Tensor

from .checks import check_group_options, check_non_negative, check_params_argument, declared_defaults

__all__ = ["Optimizer", "check_non_negative", "decayed_gradient"]

ParamGroup = dict[str, Any]
# state entries that are numbers, and their type; all others are arrays shaped like the parameter
# (ASGD's eta and mu are numbers here, where PyTorch keeps 0-d float32 tensors)
SCALAR_STATE: dict[str, type] = {"step": int, "mu_product": float, "eta": float, "mu": float}
Params = Union[Iterable[Tensor], Iterable[ParamGroup]]


def decayed_gradient(param: np.ndarray, grad: np.ndarray, group: ParamGroup, decoupled: bool = False) -> np.ndarray:
    """The gradient a step follows: negated for ``maximize``, plus ``weight_decay * param`` (L2), or
    with ``decoupled`` the parameter shrunk in place by ``1 - lr * weight_decay`` instead (AdamW's)."""
    if group["maximize"]:
        grad = -grad
    weight_decay = group["weight_decay"]
    if weight_decay != 0:
        if decoupled:
            param *= 1 - group["lr"] * weight_decay
        else:
            grad = grad + weight_decay * param  # d(wd/2 * p^2)/dp = wd * p
    return grad


class Optimizer:
    """Base class of the optimisers.

    Args:
        params: an iterable of tensors (one group), or of dicts each with a ``"params"``
            entry and per-group options that override ``defaults``
            (e.g. ``[{"params": body}, {"params": head, "lr": 1e-2}]``).
        defaults: the options of a group that does not set them.
    """

    def __init__(self, params: Params, defaults: dict[str, Any]) -> None:
        name = type(self).__name__
        check_params_argument(name, params)
        self.defaults = defaults
        self.state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)  # optimizer.state[p], as in PyTorch
        self.param_groups: list[ParamGroup] = []
        groups = list(params)
        if not groups:
            raise ValueError(
                f"{name}: optimizer got an empty parameter list; pass model.parameters() of a model "
                "that has parameters (check that the layers were assigned as attributes)."
            )
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- groups ----------------------------------------------------------------------
    def add_param_group(self, param_group: ParamGroup) -> None:
        """Add a group of parameters with its own options (e.g. to unfreeze layers later)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry; got keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{name}: optimizer parameters need to be organized in ordered collections, but "
                "the ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        for position, param in enumerate(params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"{name}: optimizer can only optimize Tensors, but param {position} of the group "
                    f"is {type(param).__name__}."
                )
            if not param.is_leaf:
                raise ValueError(
                    f"{name}: can't optimize a non-leaf Tensor (param {position} of the group, shape "
                    f"{param.shape}, made by {param.grad_fn!r}); optimise the leaf it was computed "
                    "from, or pass x.detach().requires_grad_() as a new leaf."
                )
        group = {key: value for key, value in param_group.items() if key != "params"}
        for key, default in self.defaults.items():
            group.setdefault(key, default)
        check_group_options(name, group, declared_defaults(type(self)))
        group["lr"] = check_non_negative(name, "lr", group["lr"], "learning rate")
        seen = {id(param) for existing in self.param_groups for param in existing["params"]}
        for position, param in enumerate(params):
            if id(param) in seen:
                raise ValueError(
                    f"{name}: some parameters appear in more than one parameter group (or twice in one "
                    f"group): param {position} of the new group, shape {param.shape}. Give each "
                    "parameter once."
                )
            seen.add(id(param))
        group["params"] = params
        self.param_groups.append(group)

    # -- the step ----------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``.grad = None`` (default) or fill them with zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                grad = param.grad
                if grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                elif grad.requires_grad or not grad.array.flags.writeable:
                    param.grad = ag.zeros_like(param.detach())
                else:
                    grad.array[...] = 0
                    grad._version.value += 1

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient; returns ``closure()``'s loss if given.

        ``closure`` re-evaluates the model and returns the loss (it runs with grad enabled).
        """
        loss = None
        if closure is not None:
            with ag.enable_grad():
                loss = closure()
        with ag.no_grad():
            for group in self.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    if grad.shape != param.shape:
                        raise ShapeError(
                            f"{type(self).__name__}.step: a parameter of shape {param.shape} has a "
                            f".grad of shape {grad.shape}; gradients must have their parameter's shape."
                        )
                    state = self.state.get(param)
                    if not state:
                        state = self._init_state(param.array, group)
                    self._update(param.array, grad.array, state, group)
                    if state:  # plain SGD keeps no state, as in PyTorch
                        self.state[param] = state
                    param._version.value += 1
        return loss

    def _init_state(self, param: np.ndarray, group: ParamGroup) -> dict[str, Any]:
        """The state of a parameter before its first update (buffers shaped like ``param``)."""
        raise TypeError(f"{type(self).__name__} must define _init_state(param, group)")

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: ParamGroup) -> None:
        """Change ``param`` in place from ``grad``, updating ``state``."""
        raise TypeError(f"{type(self).__name__} must define _update(param, grad, state, group)")

    # -- state dicts ----------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}`` (copies)."""
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            indices = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                indices.append(index_of[id(param)])
            packed = {key: value for key, value in group.items() if key != "params"}
            packed["params"] = indices
            groups.append(packed)
        state = {
            index_of[id(param)]: {key: _copy(value) for key, value in param_state.items()}
            for param, param_state in self.state.items()
            if id(param) in index_of
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore options and state saved by ``state_dict()`` (params matched by position).

        Arrays are copied and cast to their parameter's dtype; group options (lr, betas, ...)
        are taken from the saved groups.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            got = sorted(state_dict) if isinstance(state_dict, dict) else type(state_dict).__name__
            raise ValueError(
                f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups' (as made by "
                f"state_dict()), got {got}."
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)}) than this optimizer ({len(self.param_groups)})."
            )
        index_to_param: dict[int, Tensor] = {}
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: loaded state dict contains a parameter group that doesn't "
                    f"match the size of optimizer's group: group {number} has {len(saved['params'])} "
                    f"saved params but {len(group['params'])} here. Build the optimizer over the same "
                    "parameters, in the same order, as the one that was saved."
                )
            index_to_param.update(zip((int(index) for index in saved["params"]), group["params"]))
        new_state: defaultdict[Tensor, dict[str, Any]] = defaultdict(dict)
        for index, saved_state in state_dict["state"].items():
            param = index_to_param.get(int(index))
            if param is None:
                raise ValueError(
                    f"{name}.load_state_dict: the state names parameter index {index}, which no saved "
                    f"group lists (known indices: {sorted(index_to_param)})."
                )
            new_state[param] = {
                key: self._load_state_entry(index, key, value, param) for key, value in saved_state.items()
            }
        self.state = new_state
        for group, saved in zip(self.param_groups, saved_groups):
            for key, value in saved.items():
                if key != "params":
                    group[key] = value

    def _load_state_entry(self, index: Any, key: str, value: Any, param: Tensor) -> Any:
        """One loaded state entry of parameter ``index``: numbers as ``SCALAR_STATE`` says, arrays
        checked against the parameter's shape and copied in its dtype."""
        return _cast_like(type(self).__name__, index, key, value, param)

    def __repr__(self) -> str:
        lines = [type(self).__name__ + " ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines += [f"    {key}: {group[key]}" for key in sorted(group) if key != "params"]
        return "\n".join(lines + [")"])


def _copy(value: Any) -> Any:
    return value.copy() if isinstance(value, np.ndarray) else value


def _cast_like(optimizer: str, index: Any, key: str, value: Any, param: Tensor) -> Any:
    """A loaded state entry: ``step`` as an int (``SCALAR_STATE``), arrays copied in the parameter's dtype."""
    if isinstance(value, Tensor):
        value = value.array
    if key in SCALAR_STATE:
        return SCALAR_STATE[key](np.asarray(value).item())
    value = np.asarray(value)
    if value.shape != param.shape:
        raise ShapeError(
            f"{optimizer}.load_state_dict: state {key!r} of parameter {index} has shape {value.shape} "
            f"but the parameter has shape {param.shape}; the state dict belongs to another model."
        )
    return value.astype(param.dtype, copy=True)
