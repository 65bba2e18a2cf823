"""nn.optim.lr_scheduler: learning-rate sequences against torch.optim.lr_scheduler."""
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.optim import SGD
from nn.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, StepLR
from tests.helpers import requires_torch, torch

EPOCHS = 30
SCHEDULES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),  # past T_max the lr climbs back (recursive form)
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
]
CLASSES = {"StepLR": StepLR, "ExponentialLR": ExponentialLR, "CosineAnnealingLR": CosineAnnealingLR}


def two_groups(lrs=(0.1, 0.03)):
    return SGD([{"params": [nn.Parameter(ag.ones(2))], "lr": lr} for lr in lrs], lr=0.5)


def torch_two_groups(lrs=(0.1, 0.03)):
    return torch.optim.SGD([{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs], lr=0.5)


def lr_sequence(scheduler, optimizer, epochs=EPOCHS):
    sequence = [scheduler.get_last_lr()]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        sequence.append(scheduler.get_last_lr())
        assert sequence[-1] == [group["lr"] for group in optimizer.param_groups]
    return np.array(sequence)


@requires_torch
@pytest.mark.parametrize("name, options", SCHEDULES, ids=[f"{n}-{'-'.join(o)}" for n, o in SCHEDULES])
def test_lr_sequence_matches_torch(name, options):
    optimizer, reference = two_groups(), torch_two_groups()
    ours = lr_sequence(CLASSES[name](optimizer, **options), optimizer)
    theirs = lr_sequence(getattr(torch.optim.lr_scheduler, name)(reference, **options), reference)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    assert ours[0].tolist() == [0.1, 0.03]


def test_closed_forms_of_the_schedules():
    optimizer = two_groups((0.1, 0.1))
    steps = lr_sequence(StepLR(optimizer, step_size=3, gamma=0.5), optimizer, 10)[:, 0]
    np.testing.assert_allclose(steps, [0.1 * 0.5 ** (epoch // 3) for epoch in range(11)])
    optimizer = two_groups((0.1, 0.1))
    cosine = lr_sequence(CosineAnnealingLR(optimizer, T_max=8, eta_min=0.02), optimizer, 8)[:, 0]
    expected = [0.02 + 0.08 * (1 + math.cos(math.pi * epoch / 8)) / 2 for epoch in range(9)]
    np.testing.assert_allclose(cosine, expected, rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("name, options", SCHEDULES[::2], ids=[n for n, _ in SCHEDULES[::2]])
def test_state_dict_and_resuming_with_last_epoch_match_torch(name, options):
    optimizer, reference = two_groups(), torch_two_groups()
    scheduler = CLASSES[name](optimizer, **options)
    torch_scheduler = getattr(torch.optim.lr_scheduler, name)(reference, **options)
    lr_sequence(scheduler, optimizer, 12)
    lr_sequence(torch_scheduler, reference, 12)
    saved, saved_groups = scheduler.state_dict(), optimizer.state_dict()["param_groups"]
    assert "optimizer" not in saved and saved["last_epoch"] == 12
    for key, value in torch_scheduler.state_dict().items():
        if not key.startswith("_") or key in ("_step_count", "_last_lr"):
            assert saved[key] == pytest.approx(value), key
    rest = lr_sequence(scheduler, optimizer, 10)

    # resume with load_state_dict: the fresh scheduler continues the same sequence
    fresh = two_groups()
    fresh.load_state_dict({"state": {}, "param_groups": saved_groups})
    resumed = CLASSES[name](fresh, **options)
    resumed.load_state_dict(saved)
    np.testing.assert_allclose(lr_sequence(resumed, fresh, 10), rest, rtol=1e-13)

    # resume with last_epoch, as torch does (the groups need initial_lr)
    fresh, torch_fresh = two_groups(), torch_two_groups()
    fresh.load_state_dict({"state": {}, "param_groups": saved_groups})
    torch_fresh.load_state_dict(reference.state_dict())
    ours = lr_sequence(CLASSES[name](fresh, last_epoch=12, **options), fresh, 10)
    theirs = lr_sequence(getattr(torch.optim.lr_scheduler, name)(torch_fresh, last_epoch=12, **options), torch_fresh, 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)


@requires_torch
@pytest.mark.parametrize("name, options", SCHEDULES[::2], ids=[n for n, _ in SCHEDULES[::2]])
def test_step_with_an_epoch_uses_the_closed_form_as_torch(name, options):
    optimizer, reference = two_groups(), torch_two_groups()
    scheduler = CLASSES[name](optimizer, **options)
    torch_scheduler = getattr(torch.optim.lr_scheduler, name)(reference, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (5, 9, 3):
            with pytest.warns(UserWarning, match="deprecated"):
                scheduler.step(epoch)
            torch_scheduler.step(epoch)
            np.testing.assert_allclose(scheduler.get_last_lr(), torch_scheduler.get_last_lr(), rtol=1e-13)


def test_chained_schedulers_multiply():
    optimizer = two_groups((1.0, 1.0))
    first, second = StepLR(optimizer, step_size=2, gamma=0.5), ExponentialLR(optimizer, gamma=0.9)
    for _ in range(4):
        optimizer.step()
        first.step()
        second.step()
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.25 * 0.9**4)


METRICS = [1.0, 0.9, 0.95, 0.94, 0.96, 0.9, 0.89999, 0.91, 0.92, 0.93, 0.5, 0.6, 0.7, 0.8, 0.81, 0.82,
           0.4, 0.41, 0.42, 0.43, 0.44, 0.45, 0.46, 0.47, 0.48, 0.3, 0.31, 0.32, 0.33, 0.34]
PLATEAUS = [
    dict(),
    dict(patience=2),
    dict(patience=0, factor=0.5),
    dict(patience=1, cooldown=2, factor=0.5),
    dict(patience=1, threshold=0.05, threshold_mode="abs", min_lr=0.02),
    dict(patience=1, threshold=0.01, min_lr=[0.001, 0.02]),
    dict(mode="max", patience=1, factor=0.3),
    dict(mode="max", patience=2, threshold=0.1, threshold_mode="abs", eps=0.05),
]


@requires_torch
@pytest.mark.parametrize("options", PLATEAUS, ids=[str(o) for o in PLATEAUS])
def test_reduce_lr_on_plateau_matches_torch(options):
    optimizer, reference = two_groups(), torch_two_groups()
    scheduler = ReduceLROnPlateau(optimizer, **options)
    torch_scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(reference, **options)
    for epoch, metric in enumerate(METRICS):
        scheduler.step(ag.tensor(metric, dtype=ag.float64) if epoch % 2 else metric)  # numbers or one-element tensors
        torch_scheduler.step(metric)
        assert scheduler.get_last_lr() == pytest.approx(torch_scheduler.get_last_lr(), rel=1e-13), epoch
        assert (scheduler.best, scheduler.num_bad_epochs, scheduler.cooldown_counter) == (
            torch_scheduler.best, torch_scheduler.num_bad_epochs, torch_scheduler.cooldown_counter
        )
    assert scheduler.last_epoch == len(METRICS)


def test_reduce_lr_on_plateau_state_dict_round_trip():
    optimizer = two_groups()
    scheduler = ReduceLROnPlateau(optimizer, mode="max", patience=1, min_lr=[0.001, 0.002])
    for metric in METRICS[:10]:
        scheduler.step(metric)
    saved = scheduler.state_dict()
    assert all(value is not None for value in saved.values()) and "optimizer" not in saved
    expected = []
    for metric in METRICS[10:]:
        scheduler.step(metric)
        expected.append(scheduler.get_last_lr())
    fresh = two_groups(saved["_last_lr"])
    resumed = ReduceLROnPlateau(fresh)
    resumed.load_state_dict(saved)
    assert resumed.mode == "max" and resumed.mode_worse == -math.inf
    got = []
    for metric in METRICS[10:]:
        resumed.step(metric)
        got.append(resumed.get_last_lr())
    assert got == expected


# -- errors -------------------------------------------------------------------------
def test_scheduler_errors():
    optimizer = two_groups()
    with pytest.raises(TypeError, match="StepLR: list is not an Optimizer"):
        StepLR([], step_size=2)
    with pytest.raises(KeyError, match="'initial_lr' is not specified in param_groups\\[0\\].*last_epoch=4"):
        ExponentialLR(optimizer, gamma=0.9, last_epoch=4)
    with pytest.raises(ValueError, match="StepLR: step_size must be a positive integer, got 0"):
        StepLR(optimizer, step_size=0)
    with pytest.raises(ValueError, match="CosineAnnealingLR: T_max must be a positive integer, got 2.5"):
        CosineAnnealingLR(optimizer, T_max=2.5)


def test_reduce_lr_on_plateau_errors():
    optimizer = two_groups()
    with pytest.raises(ValueError, match="Factor should be < 1.0, got factor=1.5"):
        ReduceLROnPlateau(optimizer, factor=1.5)
    with pytest.raises(TypeError, match="dict is not an Optimizer"):
        ReduceLROnPlateau({})
    with pytest.raises(ValueError, match="expected 2 min_lrs \\(one per parameter group\\), got 3"):
        ReduceLROnPlateau(optimizer, min_lr=[0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="mode 'up' is unknown"):
        ReduceLROnPlateau(optimizer, mode="up")
    with pytest.raises(ValueError, match="threshold mode 'pct' is unknown"):
        ReduceLROnPlateau(optimizer, threshold_mode="pct")
    scheduler = ReduceLROnPlateau(optimizer, patience=0, min_lr=[0.0, 0.0])
    optimizer.add_param_group({"params": [nn.Parameter(ag.ones(1))]})
    scheduler.step(1.0)
    with pytest.raises(RuntimeError, match="param groups in the optimizer \\(3\\) differs from .* \\(2\\)"):
        scheduler.step(2.0)
