"""Per-batch schedules that also cycle the momentum, as PyTorch's: ``OneCycleLR`` and ``CyclicLR``.

Call ``step()`` after every optimiser step (every batch). With ``cycle_momentum`` the
momentum moves opposite to the learning rate: ``group["momentum"]`` for SGD/RMSprop, or
the first of ``group["betas"]`` for the Adam family.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from .checks import check_choice, check_flag, check_int, check_number, per_group
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer


def _momentum_key(owner: str, optimizer: Optimizer) -> str:
    """'betas' for the Adam family, 'momentum' for SGD and RMSprop."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            f"{owner}: optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
            f"({type(optimizer).__name__} has neither); pass cycle_momentum=False."
        )
    return "betas" if "betas" in optimizer.defaults else "momentum"


def _set_momentum(group: dict[str, Any], key: str, momentum: float) -> None:
    if key == "betas":
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _start_momentum_cycle(owner: str, optimizer: Optimizer, base_momentum: Any, max_momentum: Any) -> tuple:
    """Record each group's ``base_momentum``/``max_momentum`` and start it at the maximum."""
    key = _momentum_key(owner, optimizer)
    groups = len(optimizer.param_groups)
    bases = per_group(owner, "base_momentum", base_momentum, groups)
    maxima = per_group(owner, "max_momentum", max_momentum, groups)
    for group, base, maximum in zip(optimizer.param_groups, bases, maxima):
        _set_momentum(group, key, maximum)
        group["max_momentum"], group["base_momentum"] = maximum, base
    return key, bases, maxima


class OneCycleLR(LRScheduler):
    """The 1cycle policy (Smith & Topin, 2018), as ``torch.optim.lr_scheduler.OneCycleLR``.

    The lr rises from ``max_lr / div_factor`` to ``max_lr`` over the first ``pct_start`` of
    ``total_steps``, then falls to ``initial_lr / final_div_factor``, along a cosine
    (``anneal_strategy='cos'``) or a line ('linear'); ``three_phase`` comes back down to the
    initial lr symmetrically first, then anneals to the minimum. The momentum moves
    between ``max_momentum`` and ``base_momentum`` the opposite way.

    Args:
        optimizer: the optimiser to schedule.
        max_lr: the peak learning rate (one for all groups, or one per group).
        total_steps: the number of batches, or give ``epochs`` and ``steps_per_epoch``.
        pct_start: the fraction of steps spent rising (default 0.3).
        anneal_strategy: 'cos' (default) or 'linear'.
        cycle_momentum: cycle the momentum / beta1 (default True).
        base_momentum, max_momentum: its range (defaults 0.85, 0.95).
        div_factor: initial_lr = max_lr / div_factor (default 25).
        final_div_factor: min_lr = initial_lr / final_div_factor (default 1e4).
        three_phase: the three-phase variant (default False).
        last_epoch: the last batch done (-1 starts the schedule).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        name = "OneCycleLR"
        self.optimizer = check_optimizer(name, optimizer)
        if total_steps is not None:
            self.total_steps = check_int(name, "total_steps", total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            self.total_steps = check_int(name, "epochs", epochs) * check_int(name, "steps_per_epoch", steps_per_epoch)
        else:
            raise ValueError(f"{name}: You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not 0 <= check_number(name, "pct_start", pct_start, "0.3") <= 1:
            raise ValueError(f"{name}: Expected float between 0 and 1 pct_start, but got {pct_start}")
        self._anneal_func_type = check_choice(name, "anneal_strategy", anneal_strategy, ("cos", "linear"))
        rise_end = float(pct_start * self.total_steps) - 1
        if check_flag(name, "three_phase", three_phase):
            self._schedule_phases = [
                _phase(rise_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(2 * rise_end, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                _phase(self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._schedule_phases = [
                _phase(rise_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                _phase(self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        check_number(name, "div_factor", div_factor, "25.0")
        check_number(name, "final_div_factor", final_div_factor, "1e4")
        if last_epoch == -1:
            peaks = per_group(name, "max_lr", max_lr, len(optimizer.param_groups))
            for group, peak in zip(optimizer.param_groups, peaks):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = check_flag(name, "cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            key = _momentum_key(name, optimizer)
            self.use_beta1 = key == "betas"
            if last_epoch == -1:
                _start_momentum_cycle(name, optimizer, base_momentum, max_momentum)
        super().__init__(optimizer, last_epoch)

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self._anneal_func_type == "cos":  # from start to end along half a cosine
            return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)
        return (end - start) * pct + start

    def get_lr(self) -> list[float]:
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(
                f"OneCycleLR: Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}; give total_steps (or epochs and steps_per_epoch) for the whole run."
            )
        lrs = []
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for index, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step <= end_step or index == len(self._schedule_phases) - 1:
                    pct = (step - start_step) / (end_step - start_step)
                    lrs.append(self._anneal(group[phase["start_lr"]], group[phase["end_lr"]], pct))
                    if self.cycle_momentum:
                        momentum = self._anneal(group[phase["start_momentum"]], group[phase["end_momentum"]], pct)
                        _set_momentum(group, "betas" if self.use_beta1 else "momentum", momentum)
                    break
                start_step = phase["end_step"]
        return lrs


def _phase(end_step: float, start_lr: str, end_lr: str, start_momentum: str, end_momentum: str) -> dict[str, Any]:
    """One phase of ``OneCycleLR``: up to ``end_step``, between the named entries of each group."""
    return {"end_step": end_step, "start_lr": start_lr, "end_lr": end_lr,
            "start_momentum": start_momentum, "end_momentum": end_momentum}


class CyclicLR(LRScheduler):
    """The cyclical learning rate policy (Smith, 2017), as ``torch.optim.lr_scheduler.CyclicLR``.

    The lr goes from ``base_lr`` up to ``max_lr`` in ``step_size_up`` batches and back down in
    ``step_size_down`` (default the same), the amplitude scaled per cycle by ``mode``:
    'triangular' (constant), 'triangular2' (halved each cycle), 'exp_range' (``gamma**batch``),
    or a custom ``scale_fn`` of the cycle (``scale_mode='cycle'``) or the batch ('iterations').
    The momentum moves between ``max_momentum`` and ``base_momentum`` the opposite way.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ) -> None:
        name = "CyclicLR"
        self.optimizer = check_optimizer(name, optimizer)
        groups = len(optimizer.param_groups)
        base_lrs = per_group(name, "base_lr", base_lr, groups)
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                group["lr"] = lr
        self.max_lrs = per_group(name, "max_lr", max_lr, groups)
        up = float(check_int(name, "step_size_up", step_size_up))
        down = float(check_int(name, "step_size_down", step_size_down)) if step_size_down is not None else up
        self.total_size = up + down
        self.step_ratio = up / self.total_size
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(
                f"CyclicLR: mode is invalid and scale_fn is None (got mode={mode!r}); use 'triangular', "
                "'triangular2' or 'exp_range', or give a scale_fn"
            )
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"CyclicLR: scale_fn must be a function of the cycle or batch, got {scale_fn!r}")
        self.mode, self.gamma = mode, check_number(name, "gamma", gamma, "0.99")
        self._scale_fn_custom = scale_fn
        self.scale_mode = check_choice(name, "scale_mode", scale_mode, ("cycle", "iterations"))
        if scale_fn is None:  # the built-in modes fix their scale mode, as in PyTorch
            self.scale_mode = "iterations" if mode == "exp_range" else "cycle"
        self.cycle_momentum = check_flag(name, "cycle_momentum", cycle_momentum)
        if self.cycle_momentum:
            key = _momentum_key(name, optimizer)
            self.use_beta1 = key == "betas"
            self.base_momentums = per_group(name, "base_momentum", base_momentum, groups)
            self.max_momentums = per_group(name, "max_momentum", max_momentum, groups)
            if last_epoch == -1:
                _start_momentum_cycle(name, optimizer, base_momentum, max_momentum)
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def scale_fn(self, x: float) -> float:
        """The amplitude's scale at cycle (or batch) x."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle  # the position in the cycle, in [0, 1)
        scale_factor = x / self.step_ratio if x <= self.step_ratio else (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [low + (high - low) * scale_factor * scale for low, high in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:  # the momentum falls as the lr rises
            key = "betas" if self.use_beta1 else "momentum"
            for group, low, high in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                _set_momentum(group, key, high - (high - low) * scale_factor * scale)
        return lrs

    def state_dict(self) -> dict[str, Any]:
        """As the base's; a custom scale_fn is code and is left out, unless it is a callable object
        (its attributes are saved), as in PyTorch."""
        saved = {key: value for key, value in super().state_dict().items() if key != "_scale_fn_custom"}
        function = self._scale_fn_custom
        saved["_scale_fn_custom"] = None
        if function is not None and not hasattr(function, "__code__"):
            saved["_scale_fn_custom"] = dict(function.__dict__)
        return saved

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        attributes = state_dict.pop("_scale_fn_custom", None)
        super().load_state_dict(state_dict)
        if attributes is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(attributes)
