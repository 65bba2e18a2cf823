"""nn.optim.LBFGS (nn/optim/lbfgs.py): step-by-step parity with torch.optim.LBFGS, state dicts, errors."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from nn.optim import LBFGS
from nn.optim.lbfgs import cubic_interpolate
from tests.helpers import requires_torch, torch

OPTIONS = [
    dict(),
    dict(line_search_fn="strong_wolfe"),
    dict(lr=0.5, max_iter=5, history_size=3),
    dict(history_size=2, line_search_fn="strong_wolfe", max_iter=7),
    dict(max_iter=10, max_eval=6, tolerance_change=1e-6),
    dict(lr=0.1, max_iter=3, tolerance_grad=1e-3, line_search_fn="strong_wolfe"),
]


def rosenbrock(x):
    """The Rosenbrock valley in 6 dims (minimum 0 at x = 1): written once for both libraries."""
    return (100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2).sum()


def least_squares(A, b):
    return lambda x: ((A @ x - b) ** 2).sum()


A = np.random.default_rng(1).standard_normal((10, 6))
B = np.random.default_rng(2).standard_normal(10)


def make_problem(name, dtype):
    """A start and the objective in this library and in torch (None without torch)."""
    start = np.random.default_rng(0).standard_normal(6).astype(dtype)
    if name == "rosenbrock":
        return start, rosenbrock, rosenbrock
    matrix, target = A.astype(dtype), B.astype(dtype)
    theirs = least_squares(torch.tensor(matrix), torch.tensor(target)) if torch else None
    return start, least_squares(ag.tensor(matrix), ag.tensor(target)), theirs


def closure_for(optimizer, param, objective):
    def closure():
        optimizer.zero_grad()
        loss = objective(param)
        loss.backward()
        return loss
    return closure


def assert_same_state(ours, theirs, rtol):
    assert sorted(ours) == sorted(theirs)
    assert (ours["func_evals"], ours["n_iter"]) == (theirs["func_evals"], theirs["n_iter"])
    for key in ("d", "prev_flat_grad", "t", "H_diag", "prev_loss"):
        np.testing.assert_allclose(np.asarray(ours[key]), np.asarray(theirs[key]), rtol=rtol, atol=1e-12, err_msg=key)
    for key in ("old_dirs", "old_stps", "ro"):  # our state dict stacks torch's lists into arrays
        assert len(ours[key]) == len(theirs[key]), key
        for mine, reference in zip(ours[key], theirs[key]):
            np.testing.assert_allclose(mine, reference.numpy(), rtol=rtol, atol=1e-12, err_msg=key)
    if "al" in theirs:  # the two-loop scratch, once a second iteration ran
        used = np.array([entry is not None for entry in theirs["al"]])
        assert np.isnan(ours["al"][~used]).all()
        expected = [entry.item() for entry in theirs["al"] if entry is not None]
        np.testing.assert_allclose(ours["al"][used], expected, rtol=rtol, atol=1e-12)


@requires_torch
@pytest.mark.parametrize("problem", ["rosenbrock", "least_squares"])
@pytest.mark.parametrize("options", OPTIONS, ids=[str(o) for o in OPTIONS])
def test_every_step_matches_torch_in_float64(options, problem):
    start, ours_objective, torch_objective = make_problem(problem, np.float64)
    ours, theirs = nn.Parameter(ag.tensor(start.copy())), torch.tensor(start.copy(), requires_grad=True)
    optimizer, reference = LBFGS([ours], **options), torch.optim.LBFGS([theirs], **options)
    for _ in range(5):
        loss = optimizer.step(closure_for(optimizer, ours, ours_objective))
        expected = reference.step(closure_for(reference, theirs, torch_objective))
        assert loss.item() == pytest.approx(expected.item(), rel=1e-9, abs=1e-12)
        np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-9, atol=1e-10)
        assert_same_state(optimizer.state_dict()["state"][0], reference.state_dict()["state"][0], rtol=1e-6)


@requires_torch
@pytest.mark.parametrize("options", OPTIONS[:4], ids=[str(o) for o in OPTIONS[:4]])
def test_float32_steps_match_torch(options):
    """Scalars stay in float32 as torch's 0-d tensors do; sums differ in order, so a float32 tolerance."""
    start, objective, _ = make_problem("rosenbrock", np.float32)
    ours, theirs = nn.Parameter(ag.tensor(start.copy())), torch.tensor(start.copy(), requires_grad=True)
    options = {**options, "max_iter": min(options.get("max_iter", 4), 4)}  # stop before float32 noise decides
    optimizer, reference = LBFGS([ours], **options), torch.optim.LBFGS([theirs], **options)
    for _ in range(4):
        optimizer.step(closure_for(optimizer, ours, objective))
        reference.step(closure_for(reference, theirs, objective))
        assert ours.dtype == np.float32
        np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-4, atol=1e-5)
    assert optimizer.state[ours]["ro"][0].dtype == np.float32  # a float32 scalar, as torch's


@requires_torch
def test_a_model_with_several_parameters_matches_torch():
    ag.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1)).double()
    twin = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    twin.load_state_dict({key: torch.tensor(value.array.copy()) for key, value in model.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((20, 3))
    y = np.sin(x.sum(1, keepdims=True))
    optimizer = LBFGS(model.parameters(), line_search_fn="strong_wolfe", history_size=5, max_iter=8)
    reference = torch.optim.LBFGS(twin.parameters(), line_search_fn="strong_wolfe", history_size=5, max_iter=8)

    def ours():
        optimizer.zero_grad()
        loss = F.mse_loss(model(ag.tensor(x)), ag.tensor(y))
        loss.backward()
        return loss

    def theirs():
        reference.zero_grad()
        loss = torch.nn.functional.mse_loss(twin(torch.tensor(x)), torch.tensor(y))
        loss.backward()
        return loss

    for _ in range(4):
        optimizer.step(ours)
        reference.step(theirs)
    for (name, mine), (_, expected) in zip(model.named_parameters(), twin.named_parameters()):
        np.testing.assert_allclose(mine.array, expected.detach().numpy(), rtol=1e-8, atol=1e-10, err_msg=name)
    assert ours().item() < 0.05


@pytest.mark.parametrize("options", OPTIONS[:4], ids=[str(o) for o in OPTIONS[:4]])
def test_state_dict_round_trip_continues_as_if_uninterrupted(options, tmp_path):
    start, objective, _ = make_problem("rosenbrock", np.float32)
    uninterrupted = nn.Parameter(ag.tensor(start.copy()))
    optimizer = LBFGS([uninterrupted], **options)
    for _ in range(4):
        optimizer.step(closure_for(optimizer, uninterrupted, objective))

    param = nn.Parameter(ag.tensor(start.copy()))
    first = LBFGS([param], **options)
    for _ in range(2):
        first.step(closure_for(first, param, objective))
    path = nn.save_checkpoint(tmp_path / "lbfgs.npz", optimizer=first)  # lists of vectors and 0-d scalars, no pickle
    resumed_param = nn.Parameter(ag.tensor(param.array.copy()))
    resumed = LBFGS([resumed_param], lr=0.01)
    nn.load_checkpoint(path, optimizer=resumed, rng=False)
    assert resumed.param_groups[0]["lr"] == options.get("lr", 1.0)
    for _ in range(2):
        resumed.step(closure_for(resumed, resumed_param, objective))
    np.testing.assert_array_equal(resumed_param.array, uninterrupted.array)


def as_numpy(value):
    """A torch state value with its tensors as NumPy arrays (lists stay lists)."""
    if isinstance(value, list):
        return [as_numpy(entry) for entry in value]
    return value.numpy() if isinstance(value, torch.Tensor) else value


@requires_torch
def test_a_pytorch_state_dict_in_its_list_layout_loads_and_continues_as_torch():
    start, objective, torch_objective = make_problem("rosenbrock", np.float64)
    options = dict(history_size=4, line_search_fn="strong_wolfe", max_iter=6)
    theirs = torch.tensor(start.copy(), requires_grad=True)
    reference = torch.optim.LBFGS([theirs], **options)
    for _ in range(2):
        reference.step(closure_for(reference, theirs, torch_objective))
    saved = reference.state_dict()
    converted = {"state": {0: {key: as_numpy(value) for key, value in saved["state"][0].items()}},
                 "param_groups": saved["param_groups"]}
    ours = nn.Parameter(ag.tensor(theirs.detach().numpy().copy()))
    optimizer = LBFGS([ours], **options)
    optimizer.load_state_dict(converted)
    assert isinstance(optimizer.state[ours]["old_dirs"], list)
    for _ in range(2):
        optimizer.step(closure_for(optimizer, ours, objective))
        reference.step(closure_for(reference, theirs, torch_objective))
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-9, atol=1e-10)


def test_training_reaches_the_least_squares_solution():
    start, objective, _ = make_problem("least_squares", np.float64)
    param = nn.Parameter(ag.tensor(start.copy()))
    optimizer = LBFGS([param], line_search_fn="strong_wolfe", tolerance_change=1e-14)
    for _ in range(3):
        optimizer.step(closure_for(optimizer, param, objective))
    np.testing.assert_allclose(param.array, np.linalg.lstsq(A, B, rcond=None)[0], rtol=1e-6, atol=1e-8)


def test_an_optimal_start_returns_at_once():
    param = nn.Parameter(ag.tensor(np.ones(6)))
    optimizer = LBFGS([param])
    loss = optimizer.step(closure_for(optimizer, param, rosenbrock))
    assert loss.item() == 0.0 and optimizer.state[param]["func_evals"] == 1 and "d" not in optimizer.state[param]


def test_cubic_interpolation_finds_the_minimum_of_a_cubic():
    # f(x) = (x - 1)^2 (x + 2) has its local minimum at x = 1
    def f(x):
        return (x - 1) ** 2 * (x + 2)

    def slope(x):
        return 2 * (x - 1) * (x + 2) + (x - 1) ** 2

    assert cubic_interpolate(0.0, f(0.0), slope(0.0), 3.0, f(3.0), slope(3.0)) == pytest.approx(1.0)
    assert cubic_interpolate(0.0, f(0.0), slope(0.0), 3.0, f(3.0), slope(3.0), bounds=(1.5, 2.0)) == 1.5


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda p: LBFGS([p]).step(), TypeError, r"LBFGS.step needs a closure"),
        (lambda p: LBFGS([{"params": [p]}, {"params": [nn.Parameter(ag.ones(1))]}]), ValueError,
         r"LBFGS doesn't support per-parameter options"),
        (lambda p: LBFGS([p]).add_param_group({"params": [nn.Parameter(ag.ones(1))]}), ValueError,
         r"doesn't support per-parameter options"),
        (lambda p: LBFGS([p], line_search_fn="backtracking"), ValueError,
         r"line_search_fn must be one of None, 'strong_wolfe', got 'backtracking'"),
        (lambda p: LBFGS([p], lr=-1.0), ValueError, r"Invalid learning rate: -1.0"),
        (lambda p: LBFGS([p], history_size=0), ValueError, r"LBFGS: history_size must be a positive integer, got 0"),
        (lambda p: LBFGS([p]).load_state_dict({"state": {0: {"d": np.ones(3)}}, "param_groups": [
            {**LBFGS([p]).defaults, "params": [0]}]}), ValueError,
         r"state 'd' has shape \(3,\) but the parameters hold 2"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call(nn.Parameter(ag.ones(2)))
