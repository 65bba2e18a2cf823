"""nn.optim optimisers: step-by-step parity with torch.optim, state dicts, errors, training."""
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from autograd_core import GraphError, ShapeError
from nn.optim import ASGD, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, Rprop
from nn.optim.optimizer import SCALAR_STATE
from tests.helpers import requires_torch, torch

OPTIMIZERS = {"SGD": SGD, "Adagrad": Adagrad, "RMSprop": RMSprop, "Adam": Adam, "AdamW": AdamW}
OPTIMIZERS.update({"Adadelta": Adadelta, "NAdam": NAdam, "RAdam": RAdam, "Adamax": Adamax})
OPTIMIZERS.update({"Rprop": Rprop, "ASGD": ASGD})

# every option of every optimiser, alone and combined
CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, maximize=True)),  # plain SGD's own kernel (sgd_step), ascending
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.2, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, initial_accumulator_value=0.3, eps=1e-6)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, alpha=0.8, momentum=0.5, centered=True, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.5), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, betas=(0.8, 0.9), weight_decay=0.1, amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.5, 0.7), weight_decay=0.2, maximize=True)),
    ("Adadelta", dict(lr=1.0)),
    ("Adadelta", dict(lr=0.5, rho=0.7, eps=1e-4)),
    ("Adadelta", dict(lr=0.5, weight_decay=0.1, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, betas=(0.8, 0.9), eps=1e-6, momentum_decay=0.05)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RAdam", dict(lr=0.01)),  # rho_t > 5 from step 6 with beta2 = 0.999: both branches within 8 steps
    ("RAdam", dict(lr=0.01, betas=(0.8, 0.5), eps=1e-6)),  # beta2 = 0.5: rho_inf = 3, never rectified
    ("RAdam", dict(lr=0.01, betas=(0.9, 0.99), weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.01, betas=(0.5, 0.7), eps=1e-3)),  # a large eps: the max picks |g| + eps at times
    ("Adamax", dict(lr=0.01, weight_decay=0.1, maximize=True)),
    ("Rprop", dict(lr=0.01)),
    ("Rprop", dict(lr=0.05, etas=(0.3, 1.7), step_sizes=(1e-3, 0.08))),  # clamps at both ends
    ("Rprop", dict(lr=0.01, maximize=True)),
    ("ASGD", dict(lr=0.01)),
    ("ASGD", dict(lr=0.05, lambd=0.01, alpha=0.5, t0=3)),  # averaging starts after step 3
    ("ASGD", dict(lr=0.05, t0=1, weight_decay=0.1, maximize=True)),
]
SHAPES = [(3, 4), (4,), ()]
STEPS = 8
TOLERANCES = {np.float64: dict(rtol=1e-12, atol=1e-14), np.float32: dict(rtol=2e-5, atol=2e-6)}


def make_problem(dtype, seed=0, steps=STEPS):
    """Initial parameters and a fixed sequence of gradients (one list per step)."""
    rng = np.random.default_rng(seed)
    initial = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    grads = [[rng.standard_normal(shape).astype(dtype) for shape in SHAPES] for _ in range(steps)]
    return initial, grads


def run_ours(optimizer, params, grads):
    for step_grads in grads:
        for param, grad in zip(params, step_grads):
            param.grad = ag.tensor(grad.copy())
        optimizer.step()


def run_torch(optimizer, params, grads):
    for step_grads in grads:
        for param, grad in zip(params, step_grads):
            param.grad = torch.tensor(grad.copy())
        optimizer.step()


def assert_same_params(ours, theirs, dtype):
    for mine, reference in zip(ours, theirs):
        assert mine.dtype == dtype
        np.testing.assert_allclose(mine.array, reference.detach().numpy(), **TOLERANCES[dtype])


def assert_same_state(our_state, torch_state, dtype):
    assert sorted(our_state) == sorted(torch_state)
    for index, entries in torch_state.items():
        assert sorted(our_state[index]) == sorted(entries)
        for key, value in entries.items():
            if key in SCALAR_STATE:  # step, and NAdam's mu_product (float32 in torch, and here)
                assert our_state[index][key] == value.item(), key
                assert isinstance(our_state[index][key], SCALAR_STATE[key])
            else:
                assert our_state[index][key].dtype == dtype
                np.testing.assert_allclose(our_state[index][key], value.numpy(), **TOLERANCES[dtype])


@requires_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{'-'.join(o)}" for n, o in CASES])
def test_steps_match_torch(name, options, dtype):
    initial, grads = make_problem(dtype)
    ours = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    theirs = [torch.tensor(array.copy(), requires_grad=True) for array in initial]
    optimizer = OPTIMIZERS[name](ours, **options)
    reference = getattr(torch.optim, name)(theirs, **options)
    for step_grads in grads:  # compare after every step, not only at the end
        run_ours(optimizer, ours, [step_grads])
        run_torch(reference, theirs, [step_grads])
        assert_same_params(ours, theirs, dtype)
    assert_same_state(optimizer.state_dict()["state"], reference.state_dict()["state"], dtype)


@requires_torch
@pytest.mark.parametrize("name, options", CASES[1::3], ids=[n for n, _ in CASES[1::3]])
def test_param_groups_with_their_own_options_match_torch(name, options):
    initial, grads = make_problem(np.float64, seed=1)
    ours = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    theirs = [torch.tensor(array.copy(), requires_grad=True) for array in initial]
    optimizer = OPTIMIZERS[name]([{"params": ours[:1]}, {"params": ours[1:], "lr": 0.003}], **options)
    reference = getattr(torch.optim, name)([{"params": theirs[:1]}, {"params": theirs[1:], "lr": 0.003}], **options)
    run_ours(optimizer, ours, grads)
    run_torch(reference, theirs, grads)
    assert_same_params(ours, theirs, np.float64)
    assert [group["lr"] for group in optimizer.param_groups] == [options["lr"], 0.003]
    ours_groups = optimizer.state_dict()["param_groups"]
    torch_groups = reference.state_dict()["param_groups"]
    assert [group["params"] for group in ours_groups] == [group["params"] for group in torch_groups] == [[0], [1, 2]]
    for mine, reference_group in zip(ours_groups, torch_groups):
        for key, value in mine.items():
            assert reference_group[key] == value, key


@requires_torch
def test_add_param_group_later_matches_torch():
    initial, grads = make_problem(np.float64, seed=2)
    ours = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    theirs = [torch.tensor(array.copy(), requires_grad=True) for array in initial]
    optimizer, reference = Adam(ours[:2], lr=0.01), torch.optim.Adam(theirs[:2], lr=0.01)
    run_ours(optimizer, ours, grads[:2])
    run_torch(reference, theirs, grads[:2])
    optimizer.add_param_group({"params": ours[2], "lr": 0.1, "amsgrad": True})
    reference.add_param_group({"params": theirs[2], "lr": 0.1, "amsgrad": True})
    run_ours(optimizer, ours, grads[2:])
    run_torch(reference, theirs, grads[2:])
    assert_same_params(ours, theirs, np.float64)


@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{'-'.join(o)}" for n, o in CASES])
def test_state_dict_round_trip_continues_as_if_uninterrupted(name, options):
    initial, grads = make_problem(np.float32, seed=3, steps=6)
    uninterrupted = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    run_ours(OPTIMIZERS[name](uninterrupted, **options), uninterrupted, grads)

    params = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    first = OPTIMIZERS[name](params, **options)
    run_ours(first, params, grads[:3])
    saved = first.state_dict()
    run_ours(first, params, grads[3:4])  # the saved arrays are copies: later steps leave them alone
    resumed_params = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    run_ours(OPTIMIZERS[name](resumed_params, **options), resumed_params, grads[:3])  # same weights as at save
    resumed = OPTIMIZERS[name](resumed_params, lr=0.5)  # options come back from the state dict
    resumed.load_state_dict(saved)
    assert resumed.param_groups[0]["lr"] == options["lr"]
    run_ours(resumed, resumed_params, grads[3:])
    for mine, reference in zip(resumed_params, uninterrupted):
        np.testing.assert_array_equal(mine.array, reference.array)


def flatten_for_npz(state_dict):
    """A flat ``{name: array}`` view of an optimiser state dict (what a checkpoint stores)."""
    flat = {}
    for index, entries in state_dict["state"].items():
        for key, value in entries.items():
            flat[f"state/{index}/{key}"] = np.asarray(value)
    for number, group in enumerate(state_dict["param_groups"]):
        for key, value in group.items():
            flat[f"group/{number}/{key}"] = np.asarray(value)
    return flat


def unflatten_from_npz(flat):
    state, groups = {}, {}
    for name in flat.files:
        kind, index, key = name.split("/")
        target = state if kind == "state" else groups
        target.setdefault(int(index), {})[key] = flat[name]
    for group in groups.values():
        group["params"] = group["params"].tolist()
        group["betas"] = tuple(group["betas"].tolist()) if "betas" in group else None
        for key, value in list(group.items()):
            if isinstance(value, np.ndarray):
                group[key] = value.item()
    return {"state": state, "param_groups": [groups[number] for number in sorted(groups)]}


def test_state_dict_holds_only_numbers_and_arrays_and_survives_npz_without_pickle():
    initial, grads = make_problem(np.float32)
    params = [nn.Parameter(ag.tensor(array.copy())) for array in initial]
    optimizer = Adam(params, lr=0.01, amsgrad=True)
    run_ours(optimizer, params, grads[:2])
    state_dict = optimizer.state_dict()
    for entries in state_dict["state"].values():
        assert isinstance(entries["step"], int)
        assert all(isinstance(value, np.ndarray) for key, value in entries.items() if key != "step")
    buffer = io.BytesIO()
    np.savez(buffer, **flatten_for_npz(state_dict))
    buffer.seek(0)
    loaded = unflatten_from_npz(np.load(buffer, allow_pickle=False))
    copies = [nn.Parameter(ag.tensor(param.array.copy())) for param in params]
    restored = Adam(copies, lr=0.01, amsgrad=True)
    restored.load_state_dict(loaded)
    run_ours(optimizer, params, grads[2:])
    run_ours(restored, copies, grads[2:])
    for mine, reference in zip(copies, params):
        np.testing.assert_array_equal(mine.array, reference.array)
    assert isinstance(restored.state[copies[0]]["step"], int) and restored.state[copies[0]]["step"] == STEPS


def test_load_state_dict_casts_arrays_to_the_parameter_dtype():
    params = [nn.Parameter(ag.zeros(3, dtype=ag.float32))]
    optimizer = SGD(params, lr=0.1, momentum=0.9)
    optimizer.load_state_dict({"state": {0: {"momentum_buffer": np.ones(3)}}, "param_groups": [
        {"lr": 0.2, "momentum": 0.9, "dampening": 0, "weight_decay": 0, "nesterov": False, "maximize": False,
         "params": [0]}]})
    assert optimizer.state[params[0]]["momentum_buffer"].dtype == np.float32


def test_parameters_without_grad_are_skipped_and_get_no_state():
    first, second = nn.Parameter(ag.ones(2)), nn.Parameter(ag.ones(2))
    optimizer = Adam([first, second], lr=0.1)
    first.grad = ag.ones(2)
    optimizer.step()
    np.testing.assert_array_equal(second.array, np.ones(2, np.float32))
    assert second not in optimizer.state
    assert list(optimizer.state_dict()["state"]) == [0]
    assert first.dtype == np.float32 and optimizer.state[first]["exp_avg"].dtype == np.float32


def test_zero_grad_sets_none_or_zeros_in_place():
    param = nn.Parameter(ag.ones(3))
    optimizer = SGD([param], lr=0.1)
    param.grad = ag.ones(3)
    grad = param.grad
    optimizer.zero_grad(set_to_none=False)
    assert param.grad is grad
    np.testing.assert_array_equal(grad.array, np.zeros(3))
    optimizer.zero_grad()
    assert param.grad is None


def test_step_runs_the_closure_with_grad_enabled_and_returns_its_loss():
    param = nn.Parameter(ag.tensor([1.0, -2.0]))
    optimizer = SGD([param], lr=0.5)

    def closure():
        optimizer.zero_grad()
        loss = (param * param).sum()
        loss.backward()
        return loss

    with ag.no_grad():
        loss = optimizer.step(closure)
    assert loss.item() == pytest.approx(5.0)
    np.testing.assert_allclose(param.array, [0.0, 0.0])  # p - 0.5 * 2p


def test_step_bumps_the_version_so_a_stale_graph_raises():
    param = nn.Parameter(ag.tensor([1.0, 2.0]))
    optimizer = SGD([param], lr=0.1)
    loss = (param * param).sum()  # saves param for backward
    (param * 3).sum().backward()
    optimizer.step()
    with pytest.raises(GraphError):
        loss.backward()


def test_repr_lists_the_groups_and_their_options():
    optimizer = SGD([nn.Parameter(ag.ones(1))], lr=0.1, momentum=0.9)
    text = repr(optimizer)
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# -- errors -------------------------------------------------------------------------
def valid_params():
    return [nn.Parameter(ag.ones(2))]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_negative_learning_rate_is_refused(name):
    with pytest.raises(ValueError, match=f"Invalid learning rate: -0.1 \\({name}: lr must be >= 0"):
        OPTIMIZERS[name](valid_params(), lr=-0.1)


@pytest.mark.parametrize(
    "name, options, message",
    [
        ("SGD", dict(momentum=-0.5), "Invalid momentum value: -0.5"),
        ("SGD", dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
        ("SGD", dict(nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), "dampening=0.1"),
        ("Adagrad", dict(lr_decay=-1.0), "Invalid lr_decay value: -1.0"),
        ("Adagrad", dict(weight_decay=-1.0), "Invalid weight_decay value"),
        ("Adagrad", dict(initial_accumulator_value=-1.0), "Invalid initial_accumulator_value value"),
        ("Adagrad", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
        ("RMSprop", dict(eps=-1.0), "Invalid epsilon value"),
        ("RMSprop", dict(momentum=-1.0), "Invalid momentum value"),
        ("RMSprop", dict(weight_decay=-1.0), "Invalid weight_decay value"),
        ("RMSprop", dict(alpha=-1.0), "Invalid alpha value: -1.0"),
        ("Adam", dict(eps=-1.0), "Invalid epsilon value"),
        ("Adam", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        ("AdamW", dict(betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        ("AdamW", dict(weight_decay=-0.1), "Invalid weight_decay value"),
        ("Adadelta", dict(rho=1.5), "Invalid rho value: 1.5"),
        ("Adadelta", dict(eps=-1.0), "Invalid epsilon value"),
        ("NAdam", dict(momentum_decay=-1.0), "Invalid momentum_decay value: -1.0"),
        ("NAdam", dict(betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
        ("RAdam", dict(betas=(-0.1, 0.9)), "Invalid beta parameter at index 0: -0.1"),
        ("RAdam", dict(weight_decay=-1.0), "Invalid weight_decay value"),
        ("Adamax", dict(betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        ("Adamax", dict(eps=-1.0), "Invalid epsilon value: -1.0"),
        ("Adamax", dict(weight_decay=-1.0), "Invalid weight_decay value"),
        ("Rprop", dict(lr=-1.0), "Invalid learning rate: -1.0"),
        ("Rprop", dict(etas=(1.5, 2.0)), "Invalid eta values: 1.5, 2.0"),
        ("ASGD", dict(lr=-1.0), "Invalid learning rate: -1.0"),
        ("ASGD", dict(weight_decay=-1.0), "Invalid weight_decay value: -1.0"),
    ],
)
def test_invalid_options_are_refused_with_torchs_message(name, options, message):
    with pytest.raises(ValueError, match=message.replace("(", "\\(")):
        OPTIMIZERS[name](valid_params(), **options)


def test_empty_parameter_list():
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        Adam(nn.Sequential().parameters())


def test_a_single_tensor_instead_of_an_iterable():
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got a single Tensor of shape \\(2,\\)"):
        SGD(nn.Parameter(ag.ones(2)), lr=0.1)


def test_non_tensor_param_and_set_of_params():
    with pytest.raises(TypeError, match="can only optimize Tensors, but param 1 of the group is ndarray"):
        SGD([nn.Parameter(ag.ones(2)), np.ones(2)], lr=0.1)
    with pytest.raises(TypeError, match="ordered collections"):
        SGD([{"params": {nn.Parameter(ag.ones(2))}}], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict, but got list"):
        SGD(valid_params(), lr=0.1).add_param_group([nn.Parameter(ag.ones(2))])
    with pytest.raises(ValueError, match="needs a 'params' entry"):
        SGD(valid_params(), lr=0.1).add_param_group({"lr": 0.1})


def test_non_leaf_tensor():
    leaf = ag.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor \\(param 0 of the group, shape \\(2,\\)"):
        SGD([leaf * 2], lr=0.1)


def test_a_parameter_given_twice():
    param = nn.Parameter(ag.ones(2))
    with pytest.raises(ValueError, match="appear in more than one parameter group"):
        SGD([param, param], lr=0.1)
    optimizer = SGD([param], lr=0.1)
    with pytest.raises(ValueError, match="param 0 of the new group, shape \\(2,\\)"):
        optimizer.add_param_group({"params": [param]})
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optimizer.add_param_group({"params": [nn.Parameter(ag.ones(1))], "lr": -1})


def test_a_gradient_of_the_wrong_shape():
    param = nn.Parameter(ag.ones(2, 3))
    optimizer = SGD([param], lr=0.1)
    param.grad = ag.ones(3)
    with pytest.raises(ShapeError, match="parameter of shape \\(2, 3\\) has a .grad of shape \\(3,\\)"):
        optimizer.step()


def test_load_state_dict_that_does_not_fit():
    params = [nn.Parameter(ag.ones(2)), nn.Parameter(ag.ones(3))]
    saved = SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1, momentum=0.9)
    for param in params:
        param.grad = ag.ones_like(param.detach())
    saved.step()
    state_dict = saved.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups \\(2\\) than this optimizer \\(1\\)"):
        SGD(params, lr=0.1).load_state_dict(state_dict)
    mismatch = "doesn't match the size of optimizer's group: group 1 has 1 saved params but 2"
    with pytest.raises(ValueError, match=mismatch):
        SGD([{"params": params[:1]}, {"params": params[1:] + [nn.Parameter(ag.ones(1))]}], lr=0.1).load_state_dict(
            state_dict
        )
    swapped = [nn.Parameter(ag.ones(3)), nn.Parameter(ag.ones(2))]
    wrong_shape = "'momentum_buffer' of parameter 0 has shape \\(2,\\) but the parameter has shape \\(3,\\)"
    with pytest.raises(ShapeError, match=wrong_shape):
        SGD([{"params": swapped[:1]}, {"params": swapped[1:]}], lr=0.1).load_state_dict(state_dict)
    with pytest.raises(ValueError, match="expected a dict with 'state' and 'param_groups'"):
        SGD(params, lr=0.1).load_state_dict({"state": {}})
    broken = {"state": {7: {}}, "param_groups": state_dict["param_groups"]}
    with pytest.raises(ValueError, match="parameter index 7, which no saved group lists"):
        SGD([{"params": params[:1]}, {"params": params[1:]}], lr=0.1).load_state_dict(broken)


# -- training a tiny model ---------------------------------------------------------------
TRAINING = [
    (SGD, dict(lr=0.1, momentum=0.9, weight_decay=1e-4)),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True)),
    (Adagrad, dict(lr=0.3)),
    (RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (Adam, dict(lr=0.05, amsgrad=True)),
    (AdamW, dict(lr=0.05)),
    (Adadelta, dict(lr=10.0)),
    (NAdam, dict(lr=0.05)),
    (RAdam, dict(lr=0.1)),
]


@pytest.mark.parametrize("optimizer_class, options", TRAINING, ids=[c.__name__ for c, _ in TRAINING])
def test_training_a_linear_model_reduces_the_loss(optimizer_class, options):
    ag.manual_seed(0)
    x = ag.randn(64, 3)
    y = x @ ag.tensor([[1.5], [-2.0], [0.5]]) + 0.3
    model = nn.Linear(3, 1)
    optimizer = optimizer_class(model.parameters(), **options)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), y)  # forward after the previous step: no version error
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.05 * losses[0]
    assert model.weight.dtype == np.float32 and model.weight.is_leaf and model.weight.grad_fn is None


# -- the fused SGD kernel against its NumPy reference ----------------------------------
SGD_CASES = [options for name, options in CASES if name == "SGD"]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("options", SGD_CASES, ids=["-".join(o) for o in SGD_CASES])
def test_fused_sgd_kernel_matches_the_numpy_reference(options, dtype):
    from nn.optim.sgd import sgd_reference

    group = {**SGD([nn.Parameter(ag.ones(1))]).defaults, **options}
    initial, grads = make_problem(dtype, seed=4)
    fused = [array.copy() for array in initial]
    reference = [array.copy() for array in initial]
    fused_states, reference_states = [{} for _ in initial], [{} for _ in initial]
    for step_grads in grads:
        for position, grad in enumerate(step_grads):
            SGD._update_fused(fused[position], grad, fused_states[position], group)
            sgd_reference(reference[position], grad, reference_states[position], group)
    tolerance = dict(rtol=1e-15, atol=1e-15) if dtype == np.float64 else dict(rtol=1e-6, atol=1e-7)
    for mine, expected, state, expected_state in zip(fused, reference, fused_states, reference_states):
        np.testing.assert_allclose(mine, expected, **tolerance)
        assert sorted(state) == sorted(expected_state)


def test_non_contiguous_parameters_take_the_numpy_path_with_the_same_result():
    rng = np.random.default_rng(5)
    weight, grads = rng.standard_normal((4, 3)), [rng.standard_normal((4, 3)) for _ in range(3)]
    contiguous = nn.Parameter(ag.tensor(weight.copy()))
    transposed = nn.Parameter(ag.tensor(np.asfortranarray(weight)))
    assert not transposed.array.flags.c_contiguous
    optimizers = [SGD([param], lr=0.1, momentum=0.9, weight_decay=0.1) for param in (contiguous, transposed)]
    for grad in grads:
        contiguous.grad, transposed.grad = ag.tensor(grad.copy()), ag.tensor(grad.T.copy().T)
        for optimizer in optimizers:
            optimizer.step()
    np.testing.assert_allclose(transposed.array, contiguous.array, rtol=1e-15)


def test_state_reads_as_an_empty_dict_for_a_parameter_not_yet_stepped():
    param = nn.Parameter(ag.ones(2))
    optimizer = Adam([param], lr=0.1)
    assert optimizer.state[param] == {}  # as torch's defaultdict
    param.grad = ag.ones(2)
    optimizer.step()
    assert optimizer.state[param]["step"] == 1


@requires_torch
@settings(max_examples=15)
@given(
    case=st.sampled_from(CASES),
    shape=st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple),
    fortran=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_any_shape_and_layout_matches_torch(case, shape, fortran, seed):
    name, options = case
    rng = np.random.default_rng(seed)
    initial = rng.standard_normal(shape)
    ours = nn.Parameter(ag.tensor(np.asfortranarray(initial) if fortran and shape else initial.copy()))
    theirs = torch.tensor(initial.copy(), requires_grad=True)
    optimizer, reference = OPTIMIZERS[name]([ours], **options), getattr(torch.optim, name)([theirs], **options)
    grads = [[rng.standard_normal(shape)] for _ in range(3)]
    run_ours(optimizer, [ours], grads)
    run_torch(reference, [theirs], grads)
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
