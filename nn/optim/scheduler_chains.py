"""Schedulers made of schedulers, as PyTorch's: ``SequentialLR`` (one after another) and
``ChainedScheduler`` (all of them every step)."""
from __future__ import annotations

from bisect import bisect_right
from typing import Any, Sequence

from .checks import check_int
from .optimizer import Optimizer
from .scheduler import LRScheduler, check_optimizer


def _check_members(owner: str, schedulers: Any, optimizer: Optimizer) -> list[LRScheduler]:
    from .lr_scheduler import ReduceLROnPlateau  # here: lr_scheduler imports this module

    if not isinstance(schedulers, (list, tuple)) or not schedulers:
        raise ValueError(f"{owner} expects at least one scheduler (a list of them), but got {schedulers!r}.")
    for index, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, LRScheduler):
            raise TypeError(
                f"{owner}: the scheduler at index {index} is a {type(scheduler).__name__}, not a scheduler."
            )
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{owner} does not support `ReduceLROnPlateau` scheduler as it requires additional kwargs to be "
                f"specified when calling `step`, but got one at index {index} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{owner} expects all schedulers to belong to the same optimizer, but got scheduler "
                f"{type(scheduler).__name__} at index {index} with another {type(scheduler.optimizer).__name__}."
            )
    return list(schedulers)


class _Composite(LRScheduler):
    """State dicts of a composite: its own attributes, and each member's state dict."""

    _schedulers: list[LRScheduler]

    def state_dict(self) -> dict[str, Any]:
        saved = {key: value for key, value in super().state_dict().items() if key != "_schedulers"}
        saved["_schedulers"] = [scheduler.state_dict() for scheduler in self._schedulers]
        return saved

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state_dict = dict(state_dict)
        members = state_dict.pop("_schedulers")
        if len(members) != len(self._schedulers):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state holds {len(members)} schedulers, this one has "
                f"{len(self._schedulers)}"
            )
        super().load_state_dict(state_dict)
        for scheduler, saved in zip(self._schedulers, members):
            scheduler.load_state_dict(saved)


def _leaves(schedulers: list[LRScheduler]) -> list[LRScheduler]:
    """The schedulers inside, nested composites opened (their own counters are left alone, as in PyTorch)."""
    leaves = []
    for scheduler in schedulers:
        leaves += _leaves(scheduler._schedulers) if isinstance(scheduler, _Composite) else [scheduler]
    return leaves


class SequentialLR(_Composite):
    """Run ``schedulers[0]`` until ``milestones[0]``, then ``schedulers[1]`` from its start, and so
    on, as ``torch.optim.lr_scheduler.SequentialLR`` (e.g. a LinearLR warm-up, then cosine decay).

    Args:
        optimizer: the optimiser all the schedulers belong to.
        schedulers: the schedulers, in order.
        milestones: the epochs at which the next one takes over (one fewer than schedulers).
        last_epoch: the last epoch done (-1 starts the schedule).
    """

    def __init__(
        self, optimizer: Optimizer, schedulers: Sequence[LRScheduler], milestones: Sequence[int], last_epoch: int = -1
    ) -> None:
        name = "SequentialLR"
        self.optimizer = check_optimizer(name, optimizer)
        self._schedulers = _check_members(name, schedulers, optimizer)
        if not isinstance(milestones, (list, tuple)) or len(milestones) != len(schedulers) - 1:
            count = len(milestones) if isinstance(milestones, (list, tuple)) else milestones
            raise ValueError(
                "SequentialLR: Sequential Schedulers expects number of schedulers provided to be one more than the "
                f"number of milestone points, but got number of schedulers {len(schedulers)} and the number of "
                f"milestones {count}"
            )
        self._milestones = [check_int(name, "milestones", milestone) for milestone in milestones]
        self.last_epoch = check_int(name, "last_epoch", last_epoch, minimum=-1) + 1
        # undo the members' constructor steps, then start the first (as PyTorch does)
        for group in optimizer.param_groups:
            group["lr"] = group["initial_lr"]
        for scheduler in _leaves(self._schedulers):
            scheduler.last_epoch -= 1
        first = self._schedulers[bisect_right(self._milestones, 0)]
        first._initial_step()
        self._last_lr = first.get_last_lr()

    def step(self) -> None:  # type: ignore[override]
        self.last_epoch += 1
        index = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[index]
        if index > 0 and self._milestones[index - 1] == self.last_epoch:
            scheduler._update_lr(0)  # the next scheduler starts from its epoch 0
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()


class ChainedScheduler(_Composite):
    """Step every scheduler each time, in order, so their factors multiply, as
    ``torch.optim.lr_scheduler.ChainedScheduler``.

    Args:
        schedulers: the schedulers (of one optimiser).
        optimizer: that optimiser (default: the first scheduler's).
    """

    def __init__(self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None) -> None:
        name = "ChainedScheduler"
        if isinstance(schedulers, (list, tuple)) and schedulers and optimizer is None:
            optimizer = getattr(schedulers[0], "optimizer", None)
        self.optimizer = check_optimizer(name, optimizer)
        self._schedulers = _check_members(name, schedulers, self.optimizer)
        self._last_lr = self._current_lrs()

    def step(self) -> None:  # type: ignore[override]
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = self._current_lrs()
