"""Schedules that scale the learning rate by a factor per epoch, as PyTorch's: ``LambdaLR``,
``MultiplicativeLR``, ``MultiStepLR``, ``ConstantLR``, ``LinearLR`` and ``PolynomialLR``.

Each ``get_lr`` is PyTorch's recursive form (the new rate from the current one, so they
can be chained), and ``_closed_form_lr`` the rate at an epoch from ``base_lrs``.
"""
from __future__ import annotations

import types
from bisect import bisect_right
from typing import Any, Callable, Iterable

from .checks import check_int, check_number
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer

Lambda = Callable[[int], float]


def _lambdas(owner: str, optimizer: Optimizer, lr_lambda: Any) -> list[Lambda]:
    """One callable per parameter group (a single one is shared)."""
    groups = len(check_optimizer(owner, optimizer).param_groups)
    if isinstance(lr_lambda, (list, tuple)):
        if len(lr_lambda) != groups:
            raise ValueError(
                f"{owner}: Expected {groups} lr_lambdas (one per parameter group), but got {len(lr_lambda)}"
            )
        functions = list(lr_lambda)
    else:
        functions = [lr_lambda] * groups
    for function in functions:
        if not callable(function):
            raise TypeError(
                f"{owner}: lr_lambda should be a function of the epoch (e.g. lambda epoch: 0.95 ** epoch), "
                f"but got {type(function).__name__}"
            )
    return functions


class _LambdaScheduler(LRScheduler):
    """State dicts of the lambda schedulers: a plain function is code and is left out (None), as in
    PyTorch; a callable object saves its attributes."""

    lr_lambdas: list[Lambda]

    def state_dict(self) -> dict[str, Any]:
        saved = {key: value for key, value in super().state_dict().items() if key != "lr_lambdas"}
        saved["lr_lambdas"] = [
            None if isinstance(function, types.FunctionType) else dict(function.__dict__)
            for function in self.lr_lambdas
        ]
        return saved

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        saved_lambdas = state_dict.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state_dict)
        for function, attributes in zip(self.lr_lambdas, saved_lambdas):
            if attributes is not None:
                function.__dict__.update(attributes)


class LambdaLR(_LambdaScheduler):
    """lr at epoch e = initial_lr * lr_lambda(e), as ``torch.optim.lr_scheduler.LambdaLR``.

    Args:
        optimizer: the optimiser to schedule.
        lr_lambda: a function of the epoch, or a list with one per parameter group.
        last_epoch: the last epoch done (-1 starts the schedule).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda: Lambda | list[Lambda], last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("LambdaLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * function(self.last_epoch) for function, base_lr in zip(self.lr_lambdas, self.base_lrs)]


class MultiplicativeLR(_LambdaScheduler):
    """Multiply each group's lr by lr_lambda(e) at every epoch e >= 1, as
    ``torch.optim.lr_scheduler.MultiplicativeLR``."""

    def __init__(self, optimizer: Optimizer, lr_lambda: Lambda | list[Lambda], last_epoch: int = -1) -> None:
        self.lr_lambdas = _lambdas("MultiplicativeLR", optimizer, lr_lambda)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * function(self.last_epoch) for function, lr in zip(self.lr_lambdas, self._current_lrs())]


class MultiStepLR(LRScheduler):
    """Multiply the lr by ``gamma`` at each milestone epoch, as ``torch.optim.lr_scheduler.MultiStepLR``.

    lr at epoch e = initial_lr * gamma ** (number of milestones <= e); a milestone given twice
    counts twice, as in PyTorch (which keeps them in a Counter; here a sorted list).
    """

    def __init__(
        self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        if isinstance(milestones, (int, str)) or not hasattr(milestones, "__iter__"):
            raise TypeError(f"MultiStepLR: milestones must be a list of epochs (e.g. [30, 80]), got {milestones!r}")
        self.milestones = sorted(check_int("MultiStepLR", "milestones", m, minimum=0) for m in milestones)
        self.gamma = check_number("MultiStepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        hits = self.milestones.count(self.last_epoch)
        if not hits:
            return self._current_lrs()
        return [lr * self.gamma**hits for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** bisect_right(self.milestones, self.last_epoch) for base_lr in self.base_lrs]


class ConstantLR(LRScheduler):
    """lr = initial_lr * factor for the first ``total_iters`` epochs, then initial_lr, as
    ``torch.optim.lr_scheduler.ConstantLR`` (a warm-up)."""

    def __init__(
        self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5, last_epoch: int = -1
    ) -> None:
        if not 0 <= check_number("ConstantLR", "factor", factor) <= 1.0:
            raise ValueError(
                f"ConstantLR: Constant multiplicative factor expected to be between 0 and 1, got {factor}."
            )
        self.factor = factor
        self.total_iters = check_int("ConstantLR", "total_iters", total_iters, minimum=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.factor for lr in self._current_lrs()]
        if self.last_epoch != self.total_iters:
            return self._current_lrs()
        return [lr * (1.0 / self.factor) for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        scale = self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor)
        return [base_lr * scale for base_lr in self.base_lrs]


class LinearLR(LRScheduler):
    """The lr factor goes linearly from ``start_factor`` to ``end_factor`` over ``total_iters``
    epochs, then stays, as ``torch.optim.lr_scheduler.LinearLR`` (a warm-up or a decay)."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        if not 0 < check_number("LinearLR", "start_factor", start_factor) <= 1.0:
            raise ValueError(
                "LinearLR: Starting multiplicative factor expected to be greater than 0 and less or equal to 1, "
                f"got {start_factor}."
            )
        if not 0 <= check_number("LinearLR", "end_factor", end_factor) <= 1.0:
            raise ValueError(
                f"LinearLR: Ending multiplicative factor expected to be between 0 and 1, got {end_factor}."
            )
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = check_int("LinearLR", "total_iters", total_iters)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0:
            return [lr * self.start_factor for lr in self._current_lrs()]
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        change = self.end_factor - self.start_factor
        ratio = 1.0 + change / (self.total_iters * self.start_factor + (self.last_epoch - 1) * change)
        return [lr * ratio for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        progress = min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor) * progress)
                for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    """lr at epoch e = initial_lr * (1 - min(e, total_iters) / total_iters) ** power, as
    ``torch.optim.lr_scheduler.PolynomialLR`` (0 from ``total_iters`` on)."""

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = check_int("PolynomialLR", "total_iters", total_iters)
        self.power = check_number("PolynomialLR", "power", power, "1.0")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._current_lrs()
        epoch, total = self.last_epoch, self.total_iters
        decay = ((1.0 - epoch / total) / (1.0 - (epoch - 1) / total)) ** self.power
        return [lr * decay for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        remaining = 1.0 - min(self.total_iters, self.last_epoch) / self.total_iters
        return [base_lr * remaining**self.power for base_lr in self.base_lrs]
