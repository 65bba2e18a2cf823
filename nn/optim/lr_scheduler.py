"""Learning-rate schedulers with PyTorch's names, arguments and learning-rate sequences.

Per epoch: ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``CosineAnnealingLR``,
``CosineAnnealingWarmRestarts`` (also per batch, with fractional epochs), ``ConstantLR``, ``LinearLR``,
``PolynomialLR``, ``LambdaLR``, ``MultiplicativeLR`` and
``ReduceLROnPlateau`` (``step(metric)``); per batch: ``OneCycleLR`` and ``CyclicLR`` (which
also cycle the momentum); combined: ``SequentialLR`` (one after another, at milestones)
and ``ChainedScheduler`` (all at once). The base class ``LRScheduler`` lives in
``nn/optim/scheduler.py``; call ``scheduler.step()`` after the optimiser's steps.
"""
from __future__ import annotations

import math
from typing import Any, SupportsFloat

import numpy as np

from .checks import check_int, check_number, per_group
from .cyclic_schedulers import CyclicLR, OneCycleLR
from .factor_schedulers import ConstantLR, LambdaLR, LinearLR, MultiplicativeLR, MultiStepLR, PolynomialLR
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer
from .scheduler_chains import ChainedScheduler, SequentialLR

__all__ = [
    "LRScheduler", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "ConstantLR", "LinearLR",
    "PolynomialLR", "LambdaLR", "MultiplicativeLR", "ReduceLROnPlateau", "OneCycleLR", "CyclicLR", "SequentialLR",
    "ChainedScheduler", "CosineAnnealingWarmRestarts",
]


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    lr at epoch e = initial_lr * gamma ** (e // step_size).
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = check_int("StepLR", "step_size", step_size)
        self.gamma = check_number("StepLR", "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every epoch: lr at epoch e = initial_lr * gamma ** e."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = check_number("ExponentialLR", "gamma", gamma, "0.9")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    """Anneal each group's lr along a cosine from ``initial_lr`` to ``eta_min`` over ``T_max`` epochs.

    lr at epoch e = eta_min + (initial_lr - eta_min) * (1 + cos(pi * e / T_max)) / 2,
    computed recursively from the current lr (as PyTorch does), so past ``T_max`` the
    lr rises again along the same cosine.
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = check_int("CosineAnnealingLR", "T_max", T_max)
        self.eta_min = check_number("CosineAnnealingLR", "eta_min", eta_min, "0.0")
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        epoch, period, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (epoch - 1 - period) % (2 * period) == 0:
            # at the bottom of the cosine the ratio below is 0/0: step up from eta_min instead
            rise = (1 - math.cos(math.pi / period)) / 2
            return [lr + (base_lr - eta_min) * rise for base_lr, lr in zip(self.base_lrs, self._current_lrs())]
        ratio = (1 + math.cos(math.pi * epoch / period)) / (1 + math.cos(math.pi * (epoch - 1) / period))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _closed_form_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing from ``initial_lr`` to ``eta_min`` that restarts (SGDR, Loshchilov & Hutter).

    lr = eta_min + (initial_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2, where ``T_cur`` counts
    the epochs since the last restart and ``T_i`` is the length of the current cycle: ``T_0`` at
    first, then ``T_mult`` times longer after each restart.

    ``step()`` advances one epoch; ``step(epoch)`` jumps to ``epoch``, which may be fractional
    (``scheduler.step(epoch + i / batches)`` per batch), as in PyTorch.

    Args:
        optimizer: the optimiser whose learning rates are scheduled.
        T_0: epochs in the first cycle (a positive int).
        T_mult: factor by which each cycle is longer than the one before (an int >= 1, default 1).
        eta_min: the lowest learning rate (default 0).
        last_epoch: the index of the last epoch, to resume (default -1: start).
    """

    def __init__(
        self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        name = "CosineAnnealingWarmRestarts"
        if not _is_int(T_0) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0!r} ({name}: T_0 must be an int >= 1)")
        if not _is_int(T_mult) or T_mult < 1:
            raise ValueError(
                f"Expected integer T_mult >= 1, but got {T_mult!r} ({name}: T_mult must be an int >= 1)"
            )
        self.eta_min = check_number(name, "eta_min", eta_min, "0.0")
        self.T_0, self.T_i, self.T_mult = int(T_0), int(T_0), int(T_mult)
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        cosine = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        return [self.eta_min + (base_lr - self.eta_min) * cosine for base_lr in self.base_lrs]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (an int or a fraction), and set each group's ``lr``.

        ``step(epoch)`` is not deprecated here, and ``_step_count`` stays 0, as in PyTorch.
        """
        self._update_lr(epoch)

    def _update_lr(self, epoch: float | None = None) -> None:
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur += 1
            if self.T_cur >= self.T_i:  # a restart: the next cycle is T_mult times longer
                self.T_cur %= self.T_i
                self.T_i *= self.T_mult
        else:
            epoch = check_number("CosineAnnealingWarmRestarts", "epoch", epoch, "3")
            if epoch < 0:
                raise ValueError(f"Expected non-negative epoch, but got {epoch} (CosineAnnealingWarmRestarts.step)")
            if epoch < self.T_0:
                self.T_i, self.T_cur = self.T_0, epoch
            elif self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:  # cycle n starts at T_0 (T_mult^n - 1) / (T_mult - 1)
                cycle = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**cycle - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**cycle
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` when a monitored metric stops improving.

    Call ``step(metric)`` once per epoch. A metric is an improvement when it beats the
    best so far by the threshold (``mode="min"``: below ``best * (1 - threshold)`` in
    ``"rel"`` mode or ``best - threshold`` in ``"abs"`` mode; ``"max"`` mirrors this).
    After more than ``patience`` epochs without improvement each group's lr becomes
    ``max(lr * factor, min_lr)`` (changes smaller than ``eps`` are skipped), then
    ``cooldown`` epochs pass before bad epochs are counted again.

    Args:
        optimizer: the optimiser whose learning rates are reduced.
        mode: "min" (default) or "max".
        factor: multiplier of the lr, < 1 (default 0.1).
        patience: bad epochs tolerated before a reduction (default 10).
        threshold: margin of a real improvement (default 1e-4).
        threshold_mode: "rel" (default) or "abs".
        cooldown: epochs to wait after a reduction (default 0).
        min_lr: a floor for every group, or a list with one per group (default 0).
        eps: smallest lr change applied (default 1e-8).
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        name = "ReduceLROnPlateau"
        if check_number(name, "factor", factor) >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: Factor should be < 1.0, got factor={factor}.")
        self.optimizer = check_optimizer(name, optimizer)
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(
                    f"ReduceLROnPlateau: expected {groups} min_lrs (one per parameter group), got {len(min_lr)}."
                )
            self.default_min_lr = None
            self.min_lrs = per_group(name, "min_lr", min_lr, groups)
        else:
            self.default_min_lr = check_number(name, "min_lr", min_lr, "0.0")
            self.min_lrs = [min_lr] * groups
        self.factor = factor
        self.patience = check_int(name, "patience", patience, minimum=0)
        self.cooldown = check_int(name, "cooldown", cooldown, minimum=0)
        self.eps = check_number(name, "eps", eps, "1e-8")
        check_number(name, "threshold", threshold, "1e-4")
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._set_mode(mode, threshold, threshold_mode)
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def _set_mode(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode {mode!r} is unknown! Use 'min' or 'max'.")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold mode {threshold_mode!r} is unknown! Use 'rel' or 'abs'."
            )
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def is_better(self, current: float, best: float) -> bool:
        """Whether ``current`` improves on ``best`` by more than the threshold."""
        if self.mode == "min":
            bound = best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold
            return current < bound
        bound = best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold
        return current > bound

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def step(self, metrics: SupportsFloat, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record one epoch's metric (a number or one-element tensor) and reduce the lr if due."""
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the number of param groups in the optimizer ({len(groups)}) "
                    f"differs from when ReduceLROnPlateau was initialized ({len(self.min_lrs)}), "
                    "usually because a param group was added; set scheduler.min_lrs to one value per group."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        self.default_min_lr = state_dict.get("default_min_lr")  # left out of the state dict when None
        self._set_mode(self.mode, self.threshold, self.threshold_mode)
