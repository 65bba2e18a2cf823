"""nn.optim.lr_scheduler: learning-rate sequences against torch.optim.lr_scheduler."""
import math
import warnings

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.optim import SGD, lr_scheduler
from nn.optim.lr_scheduler import CosineAnnealingLR, ExponentialLR, ReduceLROnPlateau, StepLR
from tests.helpers import requires_torch, torch

EPOCHS = 30
SCHEDULES = [
    ("StepLR", dict(step_size=7, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10)),  # past T_max the lr climbs back (recursive form)
    ("CosineAnnealingLR", dict(T_max=7, eta_min=0.01)),
    ("MultiStepLR", dict(milestones=[3, 7, 7, 20], gamma=0.5)),  # 7 twice: gamma^2 there
    ("ConstantLR", dict()),
    ("ConstantLR", dict(factor=0.5, total_iters=4)),
    ("LinearLR", dict(start_factor=0.25, total_iters=6)),
    ("LinearLR", dict(start_factor=1.0, end_factor=0.1, total_iters=10)),
    ("PolynomialLR", dict()),
    ("PolynomialLR", dict(total_iters=12, power=2.0)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.9**epoch)),
    ("LambdaLR", dict(lr_lambda=[lambda epoch: 1 / (1 + epoch), lambda epoch: 0.5 if epoch % 4 else 1.0])),
    ("MultiplicativeLR", dict(lr_lambda=lambda epoch: 0.95)),
    ("OneCycleLR", dict(max_lr=1.0, total_steps=30)),
    ("OneCycleLR", dict(max_lr=[1.0, 0.5], total_steps=40, anneal_strategy="linear", three_phase=True)),
    ("OneCycleLR", dict(max_lr=0.3, epochs=3, steps_per_epoch=10, pct_start=0.25, cycle_momentum=False)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4)),
    ("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=3, step_size_down=5, mode="triangular2")),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=4, mode="exp_range", gamma=0.9)),
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1, step_size_up=2, scale_fn=lambda x: 0.5**x, scale_mode="iterations")),
]
CLASSES = {name: getattr(lr_scheduler, name) for name, _ in SCHEDULES}


def two_groups(lrs=(0.1, 0.03)):
    return SGD([{"params": [nn.Parameter(ag.ones(2))], "lr": lr} for lr in lrs], lr=0.5)


def torch_two_groups(lrs=(0.1, 0.03)):
    return torch.optim.SGD([{"params": [torch.ones(2, requires_grad=True)], "lr": lr} for lr in lrs], lr=0.5)


def momenta(optimizer):
    return [group["betas"][0] if "betas" in group else group.get("momentum", 0.0) for group in optimizer.param_groups]


def lr_sequence(scheduler, optimizer, epochs=EPOCHS, with_momentum=False):
    """The learning rates after construction and after each step (and the momenta, if asked)."""
    sequence = [scheduler.get_last_lr() + (momenta(optimizer) if with_momentum else [])]
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
        assert scheduler.get_last_lr() == [group["lr"] for group in optimizer.param_groups]
        sequence.append(scheduler.get_last_lr() + (momenta(optimizer) if with_momentum else []))
    return np.array(sequence)


@requires_torch
@pytest.mark.parametrize("name, options", SCHEDULES, ids=[f"{n}-{'-'.join(o)}" for n, o in SCHEDULES])
def test_lr_sequence_matches_torch(name, options):
    optimizer, reference = two_groups(), torch_two_groups()
    ours = lr_sequence(CLASSES[name](optimizer, **options), optimizer, with_momentum=True)
    theirs = lr_sequence(getattr(torch.optim.lr_scheduler, name)(reference, **options), reference, with_momentum=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    if name not in ("OneCycleLR", "CyclicLR", "ConstantLR", "LinearLR"):  # those start below the optimiser's lr
        assert ours[0, :2].tolist() == [0.1, 0.03]


def test_closed_forms_of_the_schedules():
    optimizer = two_groups((0.1, 0.1))
    steps = lr_sequence(StepLR(optimizer, step_size=3, gamma=0.5), optimizer, 10)[:, 0]
    np.testing.assert_allclose(steps, [0.1 * 0.5 ** (epoch // 3) for epoch in range(11)])
    optimizer = two_groups((0.1, 0.1))
    cosine = lr_sequence(CosineAnnealingLR(optimizer, T_max=8, eta_min=0.02), optimizer, 8)[:, 0]
    expected = [0.02 + 0.08 * (1 + math.cos(math.pi * epoch / 8)) / 2 for epoch in range(9)]
    np.testing.assert_allclose(cosine, expected, rtol=1e-12)


@requires_torch
@pytest.mark.parametrize("name, options", SCHEDULES[:5:2], ids=[n for n, _ in SCHEDULES[:5:2]])
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
    torch_scheduler = getattr(torch.optim.lr_scheduler, name)(torch_fresh, last_epoch=12, **options)
    theirs = lr_sequence(torch_scheduler, torch_fresh, 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13)


@pytest.mark.parametrize("name, options", SCHEDULES[5:], ids=[n for n, _ in SCHEDULES[5:]])
def test_resuming_from_state_dicts_continues_the_sequence(name, options, tmp_path):
    """PyTorch's protocol: build the optimiser and the scheduler, then load the optimiser's state, then
    the scheduler's (here through a pickle-free checkpoint file)."""
    optimizer = two_groups()
    scheduler = CLASSES[name](optimizer, **options)
    lr_sequence(scheduler, optimizer, 12)
    path = nn.save_checkpoint(tmp_path / "run.npz", optimizer=optimizer, scheduler=scheduler)
    rest = lr_sequence(scheduler, optimizer, 10, with_momentum=True)
    fresh = two_groups()
    resumed = CLASSES[name](fresh, **options)
    nn.load_checkpoint(path, optimizer=fresh, scheduler=resumed, rng=False)
    np.testing.assert_allclose(lr_sequence(resumed, fresh, 10, with_momentum=True), rest, rtol=1e-13)


@requires_torch
@pytest.mark.parametrize("name, options", SCHEDULES[5:], ids=[n for n, _ in SCHEDULES[5:]])
def test_state_dict_holds_torchs_entries(name, options):
    optimizer, reference = two_groups(), torch_two_groups()
    ours = CLASSES[name](optimizer, **options).state_dict()
    theirs = getattr(torch.optim.lr_scheduler, name)(reference, **options).state_dict()
    private = {"_get_lr_called_within_step", "_is_initial", "_scale_fn_ref"}  # torch's implementation details
    assert set(theirs) - private <= set(ours) | {"_scale_fn_custom"}
    for key in ("last_epoch", "_step_count", "_last_lr", "base_lrs"):
        if key in theirs:
            assert ours[key] == pytest.approx(theirs[key]), key


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
    assert resumed.default_min_lr is None and resumed.min_lrs == [0.001, 0.002]
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
    with pytest.raises(TypeError, match="CosineAnnealingLR: T_max must be an int .*got float 2.5"):
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


# -- momentum cycling with Adam's betas, and the composite schedulers ---------------------------------
def adam_two_groups(library):
    if library is nn:
        params = [nn.Parameter(ag.ones(2)) for _ in range(2)]
    else:
        params = [torch.ones(2, requires_grad=True) for _ in range(2)]
    optim = nn.optim if library is nn else torch.optim
    return optim.Adam([{"params": [params[0]], "lr": 0.1}, {"params": [params[1]], "lr": 0.03}], betas=(0.9, 0.99))


@requires_torch
@pytest.mark.parametrize("name, options", [
    ("OneCycleLR", dict(max_lr=0.5, total_steps=25, base_momentum=[0.8, 0.7], max_momentum=0.95)),
    ("CyclicLR", dict(base_lr=0.001, max_lr=0.01, step_size_up=3, base_momentum=0.8, max_momentum=0.9)),
])
def test_cycling_beta1_of_adam_matches_torch(name, options):
    optimizer, reference = adam_two_groups(nn), adam_two_groups(torch)
    ours = lr_sequence(CLASSES[name](optimizer, **options), optimizer, 25, with_momentum=True)
    torch_scheduler = getattr(torch.optim.lr_scheduler, name)(reference, **options)
    theirs = lr_sequence(torch_scheduler, reference, 25, with_momentum=True)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    assert [group["betas"][1] for group in optimizer.param_groups] == [0.99, 0.99]


def warmup_then_cosine(library, optimizer):
    schedulers = library.optim.lr_scheduler if library is nn else torch.optim.lr_scheduler
    warmup = schedulers.LinearLR(optimizer, start_factor=0.1, total_iters=4)
    decay = schedulers.CosineAnnealingLR(optimizer, T_max=10, eta_min=0.001)
    steps = schedulers.MultiStepLR(optimizer, milestones=[3, 5], gamma=0.5)
    return schedulers.SequentialLR(optimizer, [warmup, decay, steps], milestones=[5, 15])


def chained(library, optimizer):
    schedulers = library.optim.lr_scheduler if library is nn else torch.optim.lr_scheduler
    return schedulers.ChainedScheduler(
        [schedulers.ConstantLR(optimizer, factor=0.5, total_iters=6), schedulers.ExponentialLR(optimizer, gamma=0.9)]
    )


def nested(library, optimizer):
    schedulers = library.optim.lr_scheduler if library is nn else torch.optim.lr_scheduler
    inner = schedulers.SequentialLR(
        optimizer, [schedulers.ConstantLR(optimizer, 0.5, 3), schedulers.StepLR(optimizer, 4)], milestones=[3]
    )
    return schedulers.SequentialLR(optimizer, [inner, schedulers.ExponentialLR(optimizer, 0.8)], milestones=[10])


@requires_torch
@pytest.mark.parametrize("build", [warmup_then_cosine, chained, nested])
def test_composite_schedulers_match_torch(build, tmp_path):
    optimizer, reference = two_groups(), torch_two_groups()
    ours = lr_sequence(build(nn, optimizer), optimizer)
    theirs = lr_sequence(build(torch, reference), reference)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=1e-15)
    # a checkpoint mid-way resumes the same sequence (members' states nested in the composite's)
    optimizer = two_groups()
    scheduler = build(nn, optimizer)
    lr_sequence(scheduler, optimizer, 8)
    path = nn.save_checkpoint(tmp_path / "run.npz", optimizer=optimizer, scheduler=scheduler)
    rest = lr_sequence(scheduler, optimizer, 12)
    fresh = two_groups()
    resumed = build(nn, fresh)
    nn.load_checkpoint(path, optimizer=fresh, scheduler=resumed, rng=False)
    np.testing.assert_allclose(lr_sequence(resumed, fresh, 12), rest, rtol=1e-13)


def test_one_cycle_refuses_to_step_past_its_total():
    optimizer = two_groups()
    scheduler = lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=3)
    for _ in range(3):
        scheduler.step()
    with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
        scheduler.step()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda o: lr_scheduler.LambdaLR(o, lr_lambda=[lambda e: 1.0]), ValueError, r"Expected 2 lr_lambdas"),
        (lambda o: lr_scheduler.LambdaLR(o, lr_lambda=0.5), TypeError, r"lr_lambda should be a function of the epoch"),
        (lambda o: lr_scheduler.MultiStepLR(o, milestones=10), TypeError, r"milestones must be a list of epochs"),
        (lambda o: lr_scheduler.MultiStepLR(o, milestones=[2.5]), TypeError, r"MultiStepLR: milestones must be an int"),
        (lambda o: lr_scheduler.ConstantLR(o, factor=1.5), ValueError, r"factor expected to be between 0 and 1"),
        (lambda o: lr_scheduler.LinearLR(o, start_factor=0.0), ValueError, r"Starting multiplicative factor expected"),
        (lambda o: lr_scheduler.LinearLR(o, end_factor=2.0), ValueError, r"Ending multiplicative factor expected"),
        (lambda o: lr_scheduler.PolynomialLR(o, total_iters=0), ValueError, r"total_iters must be a positive integer"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1), ValueError, r"define either total_steps OR"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"), ValueError,
         r"anneal_strategy must be one of 'cos', 'linear', got 'exp'"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.5), ValueError,
         r"Expected float between 0 and 1 pct_start"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=[0.1, 0.2, 0.3], total_steps=10), ValueError,
         r"expected 2 values for max_lr \(one per parameter group\), got 3"),
        (lambda o: lr_scheduler.OneCycleLR(nn.optim.Adagrad([nn.Parameter(ag.ones(1))]), max_lr=0.1, total_steps=9),
         ValueError, r"optimizer must support momentum or beta1 with `cycle_momentum` option enabled"),
        (lambda o: lr_scheduler.CyclicLR(o, 0.01, 0.1, mode="square"), ValueError,
         r"mode is invalid and scale_fn is None"),
        (lambda o: lr_scheduler.SequentialLR(o, [lr_scheduler.StepLR(o, 2)], milestones=[3]), ValueError,
         r"expects number of schedulers provided to be one more than the number of milestone points"),
        (lambda o: lr_scheduler.SequentialLR(o, [], milestones=[]), ValueError, r"SequentialLR expects at least one"),
        (lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.StepLR(o, 2), lr_scheduler.ReduceLROnPlateau(o)]),
         ValueError, r"does not support `ReduceLROnPlateau`"),
        (lambda o: lr_scheduler.ChainedScheduler([lr_scheduler.StepLR(o, 2), lr_scheduler.StepLR(two_groups(), 2)]),
         ValueError, r"expects all schedulers to belong to the same optimizer"),
    ],
)
def test_new_scheduler_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(two_groups())


# -- CosineAnnealingWarmRestarts: its own step (fractional epochs), so its own tests ------------
WARM_RESTARTS = [dict(T_0=5), dict(T_0=3, T_mult=2, eta_min=0.01), dict(T_0=1, T_mult=3), dict(T_0=4, eta_min=0.05)]


@requires_torch
@pytest.mark.parametrize("options", WARM_RESTARTS, ids=lambda o: "-".join(f"{k}{v}" for k, v in o.items()))
def test_warm_restarts_sequence_and_state_dict_match_torch(options):
    optimizer, reference = two_groups(), torch_two_groups()
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **options)
    torch_scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(reference, **options)
    np.testing.assert_allclose(
        lr_sequence(scheduler, optimizer), lr_sequence(torch_scheduler, reference), rtol=1e-13, atol=1e-15
    )
    ours, theirs = scheduler.state_dict(), torch_scheduler.state_dict()
    for key in ("T_0", "T_i", "T_mult", "T_cur", "eta_min", "last_epoch", "_step_count", "_last_lr", "base_lrs"):
        assert ours[key] == pytest.approx(theirs[key]), key


@requires_torch
@pytest.mark.parametrize("options", WARM_RESTARTS[:2], ids=["T_mult1", "T_mult2"])
def test_warm_restarts_fractional_and_interleaved_epochs_match_torch(options):
    optimizer, reference = two_groups(), torch_two_groups()
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **options)
    torch_scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(reference, **options)
    batches = 4
    for epoch in range(12):  # per batch, as PyTorch's docs show
        for batch in range(batches):
            scheduler.step(epoch + batch / batches)
            torch_scheduler.step(epoch + batch / batches)
            np.testing.assert_allclose(scheduler.get_last_lr(), torch_scheduler.get_last_lr(), rtol=1e-13)
    for epoch in (26, None, None, 2.5, None):
        scheduler.step(epoch)
        torch_scheduler.step(epoch)
        np.testing.assert_allclose(scheduler.get_last_lr(), torch_scheduler.get_last_lr(), rtol=1e-13)
        assert scheduler.last_epoch == torch_scheduler.last_epoch


@requires_torch
def test_warm_restarts_resume_as_torch(tmp_path):
    options = dict(T_0=3, T_mult=2, eta_min=0.01)
    optimizer, reference = two_groups(), torch_two_groups()
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(optimizer, **options)
    torch_scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(reference, **options)
    lr_sequence(scheduler, optimizer, 8)
    lr_sequence(torch_scheduler, reference, 8)
    path = nn.save_checkpoint(tmp_path / "run.npz", optimizer=optimizer, scheduler=scheduler)
    rest = lr_sequence(scheduler, optimizer, 10)
    fresh = two_groups()
    resumed = lr_scheduler.CosineAnnealingWarmRestarts(fresh, **options)
    nn.load_checkpoint(path, optimizer=fresh, scheduler=resumed, rng=False)
    np.testing.assert_allclose(lr_sequence(resumed, fresh, 10), rest, rtol=1e-13)
    # resuming with last_epoch (the groups hold initial_lr) follows PyTorch's
    ours_fresh, torch_fresh = two_groups(), torch_two_groups()
    ours_fresh.load_state_dict(optimizer.state_dict())
    torch_fresh.load_state_dict(reference.state_dict())
    ours = lr_sequence(lr_scheduler.CosineAnnealingWarmRestarts(ours_fresh, last_epoch=8, **options), ours_fresh, 6)
    theirs_scheduler = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(torch_fresh, last_epoch=8, **options)
    np.testing.assert_allclose(ours, lr_sequence(theirs_scheduler, torch_fresh, 6), rtol=1e-13)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(T_0=0), "Expected positive integer T_0, but got 0"),
        (dict(T_0=2.5), "Expected positive integer T_0, but got 2.5"),
        (dict(T_0=3, T_mult=0), "Expected integer T_mult >= 1, but got 0"),
        (dict(T_0=3, T_mult=1.5), "Expected integer T_mult >= 1, but got 1.5"),
    ],
)
def test_warm_restarts_errors(options, message):
    with pytest.raises(ValueError, match=message):
        lr_scheduler.CosineAnnealingWarmRestarts(two_groups(), **options)


def test_warm_restarts_refuses_negative_epochs_and_odd_eta_min():
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(two_groups(), T_0=3)
    with pytest.raises(ValueError, match="Expected non-negative epoch, but got -1"):
        scheduler.step(-1)
    with pytest.raises(TypeError, match="CosineAnnealingWarmRestarts: eta_min must be a real number"):
        lr_scheduler.CosineAnnealingWarmRestarts(two_groups(), T_0=3, eta_min="0")


@requires_torch
def test_warm_restarts_inside_sequential_lr_match_torch():
    optimizer, reference = two_groups(), torch_two_groups()

    def build(module, optimizer):
        warmup = module.LinearLR(optimizer, start_factor=0.1, total_iters=3)
        restarts = module.CosineAnnealingWarmRestarts(optimizer, T_0=4, T_mult=2, eta_min=0.001)
        return module.SequentialLR(optimizer, [warmup, restarts], milestones=[3])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about its own step(0) call
        theirs = lr_sequence(build(torch.optim.lr_scheduler, reference), reference, 20)
    np.testing.assert_allclose(lr_sequence(build(lr_scheduler, optimizer), optimizer, 20), theirs, rtol=1e-13)
