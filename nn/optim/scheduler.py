"""``LRScheduler``: the base of the learning-rate schedulers in ``nn.optim.lr_scheduler``.

As in PyTorch, creating a scheduler records each group's ``initial_lr`` and counts as
epoch 0; ``step()`` then advances one epoch (or one batch, for the per-batch schedules)
and sets every group's ``lr``. Most schedulers compute the new rate from the *current*
one (PyTorch's recursive form), so several can act on one optimiser.

``state_dict()`` holds every attribute but the optimiser: numbers, strings, lists and
dicts of them, so a checkpoint stores it without pickle.
"""
from __future__ import annotations

import warnings
from typing import Any

from .checks import check_int
from .optimizer import Optimizer


def check_optimizer(owner: str, optimizer: Any) -> Optimizer:
    if not isinstance(optimizer, Optimizer):
        what = f"the class {optimizer.__name__}" if isinstance(optimizer, type) else type(optimizer).__name__
        raise TypeError(
            f"{owner}: {what} is not an Optimizer; pass an nn.optim optimiser "
            "(e.g. nn.optim.SGD(model.parameters(), lr=0.1))."
        )
    return optimizer


class LRScheduler:
    """Base class: subclasses define ``get_lr()``, the next learning rate of each group.

    Args:
        optimizer: the optimiser whose ``param_groups[i]["lr"]`` are scheduled.
        last_epoch: index of the last epoch done; -1 (default) starts a schedule, a
            larger value resumes one (the groups must then hold ``initial_lr``).
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        self.optimizer = check_optimizer(name, optimizer)
        last_epoch = check_int(name, "last_epoch", last_epoch, minimum=-1)
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}: param 'initial_lr' is not specified in "
                        f"param_groups[{index}] when resuming scheduler with last_epoch >= 0 "
                        f"(last_epoch={last_epoch}); load the optimiser's state dict first, or use "
                        "last_epoch=-1 for a fresh run."
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """The constructor's step: epoch 0 (or the resumed epoch), counted as step 1."""
        self._step_count = 0
        self._is_initial = True  # the constructor's step keeps the current learning rates
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for ``last_epoch`` (already advanced by ``step``)."""
        raise TypeError(f"{type(self).__name__} must define get_lr()")

    def _closed_form_lr(self) -> list[float]:
        """The learning rates at ``last_epoch`` straight from ``base_lrs`` (for ``step(epoch)``)."""
        return self.get_lr()

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch and set each group's ``lr``.

        ``epoch`` (deprecated in PyTorch, kept for compatibility) jumps to that epoch,
        using the closed-form learning rate.
        """
        self._step_count += 1
        if epoch is not None:
            warnings.warn(
                f"{type(self).__name__}.step(epoch) is deprecated (as in PyTorch); call step() "
                "once per epoch instead.",
                UserWarning,
                stacklevel=2,
            )
        self._update_lr(epoch)

    def _update_lr(self, epoch: int | None = None) -> None:
        """Set the groups' ``lr`` for the next epoch, or for ``epoch`` by the closed form."""
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = check_int(type(self).__name__, "epoch", epoch, minimum=0)
            values = self._closed_form_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def get_last_lr(self) -> list[float]:
        """The learning rates set by the last ``step()``, one per parameter group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimiser (numbers, strings, lists of numbers)."""
        return {
            key: list(value) if isinstance(value, list) else value
            for key, value in self.__dict__.items()
            if key != "optimizer" and value is not None
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the attributes saved by ``state_dict()``."""
        self.__dict__.update(
            {key: list(value) if isinstance(value, (list, tuple)) else value for key, value in state_dict.items()}
        )

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]
