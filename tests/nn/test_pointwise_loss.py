"""smooth_l1_loss, huber_loss and kl_div (nn/pointwise_loss.py): gradients, PyTorch parity, errors."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

REDUCTIONS = ["mean", "sum", "none"]
LOOSE = {"value_rtol": 1e-5, "value_atol": 1e-6, "grad_rtol": 1e-4, "grad_atol": 1e-5}  # float32 parity


def torch_functional(name):
    return getattr(torch.nn.functional, name) if torch else None


@st.composite
def input_and_target(draw, knee):
    """An input of a drawn shape (any layout) and a target whose differences avoid +-knee (the kinks)."""
    input = draw(float_arrays(draw(shapes())))
    difference = draw(
        float_arrays(input.shape, low=-2.5 * knee, high=2.5 * knee, away_from=(-knee, knee), margin=0.05 * knee)
    )
    return input, input - difference


@settings(max_examples=20, deadline=None)
@given(
    data=st.data(),
    loss=st.sampled_from(["smooth_l1_loss", "huber_loss"]),
    knee=st.sampled_from([1.0, 0.3, 2.0]),
    reduction=st.sampled_from(REDUCTIONS),
    target_grad=st.booleans(),
)
def test_smooth_l1_and_huber_gradients_and_parity(data, loss, knee, reduction, target_grad):
    input, target = data.draw(input_and_target(knee))
    option = {"smooth_l1_loss": "beta", "huber_loss": "delta"}[loss]
    kwargs = {"reduction": reduction, option: knee}
    reference = torch_functional(loss)
    check_op(
        lambda x, t: getattr(F, loss)(x, t, **kwargs),
        [input, target],
        (lambda x, t: reference(x, t, **kwargs)) if torch else None,
        differentiable=[True, target_grad],
    )


def test_huber_is_delta_times_smooth_l1_and_beta_zero_is_l1():
    rng = np.random.default_rng(0)
    input, target = ag.tensor(rng.standard_normal(20) * 3), ag.tensor(rng.standard_normal(20))
    for delta in (0.5, 1.0, 2.5):
        np.testing.assert_allclose(
            F.huber_loss(input, target, delta=delta).item(), delta * F.smooth_l1_loss(input, target, beta=delta).item()
        )
    np.testing.assert_allclose(F.smooth_l1_loss(input, target, beta=0.0).item(), F.l1_loss(input, target).item())
    difference = np.array([0.5, -2.0, 1.0])  # inside, outside, and at the knee (linear side, continuous)
    loss = F.smooth_l1_loss(ag.tensor(difference), np.zeros(3), reduction="none")
    np.testing.assert_allclose(loss.array, [0.125, 1.5, 0.5])


@settings(max_examples=15, deadline=None)
@given(
    data=st.data(),
    reduction=st.sampled_from(REDUCTIONS + ["batchmean"]),
    log_target=st.booleans(),
    target_grad=st.booleans(),
)
def test_kl_div_gradients_and_parity(data, reduction, log_target, target_grad):
    shape = data.draw(shapes(min_dims=1))
    input = data.draw(float_arrays(shape, low=-3.0, high=-0.1))  # log-probabilities
    target = data.draw(float_arrays(shape, low=0.05, high=1.0))
    if log_target:
        target = np.log(target)
    kwargs = {"reduction": reduction, "log_target": log_target}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'mean' warns, in both libraries
        check_op(
            lambda x, t: F.kl_div(x, t, **kwargs),
            [input, target],
            (lambda x, t: torch.nn.functional.kl_div(x, t, **kwargs)) if torch else None,
            differentiable=[True, target_grad],
        )


@requires_torch
def test_kl_div_of_zero_targets_and_zero_dim_match_pytorch():
    input = np.log(np.array([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]]))
    target = np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    for reduction in ("batchmean", "sum", "none"):
        compare_with_torch(
            lambda x: F.kl_div(x, target, reduction=reduction),
            lambda x: torch.nn.functional.kl_div(x, torch.tensor(target), reduction=reduction),
            [input], [True],
        )
    compare_with_torch(  # a 0-d input: 'batchmean' is the sum
        lambda x: F.kl_div(x, np.array(0.4), reduction="batchmean"),
        lambda x: torch.nn.functional.kl_div(x, torch.tensor(0.4, dtype=torch.float64), reduction="batchmean"),
        [np.array(-0.7)], [True],
    )


def test_kl_div_mean_warns_as_pytorch_and_batchmean_does_not():
    input, target = ag.tensor(np.log([[0.5, 0.5]])), np.array([[0.9, 0.1]])
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(input, target)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(input, target, reduction="batchmean")


def test_first_order_backward_does_not_record_and_matches_create_graph():
    rng = np.random.default_rng(3)
    losses = [
        lambda x, t: F.huber_loss(x, t, delta=0.5),
        lambda x, t: F.kl_div(x, t.exp(), reduction="sum", log_target=True),
    ]
    for loss in losses:
        x = ag.tensor(rng.standard_normal(6), requires_grad=True)
        t = ag.tensor(rng.standard_normal(6), requires_grad=True)
        out = loss(x, t)
        fast = ag.grad(out, [x, t], retain_graph=True)
        recorded = ag.grad(out, [x, t], create_graph=True)
        assert not fast[0].requires_grad and recorded[0].requires_grad
        for a, b in zip(fast, recorded):
            np.testing.assert_allclose(a.array, b.array, rtol=1e-12)


# -- modules against PyTorch's, float32 and float64 -------------------------------------------
MODULE_CASES = [
    ("SmoothL1Loss", {}),
    ("SmoothL1Loss", {"beta": 0.5, "reduction": "sum"}),
    ("HuberLoss", {"delta": 0.7, "reduction": "none"}),
    ("KLDivLoss", {"reduction": "batchmean"}),
    ("KLDivLoss", {"reduction": "sum", "log_target": True}),
]


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name, kwargs", MODULE_CASES)
def test_loss_modules_match_pytorch(name, kwargs, dtype):
    rng = np.random.default_rng(len(name))
    if name == "KLDivLoss":
        prediction = np.log(rng.dirichlet(np.ones(4), 6)).astype(dtype)
        target = rng.dirichlet(np.ones(4), 6).astype(dtype)
        target = np.log(target) if kwargs.get("log_target") else target
    else:
        prediction, target = (rng.standard_normal((6, 4)).astype(dtype) for _ in range(2))
    ours, theirs = getattr(nn, name)(**kwargs), getattr(torch.nn, name)(**kwargs)
    assert repr(ours) == repr(theirs)
    tolerance = LOOSE if dtype == np.float32 else {}
    compare_with_torch(
        lambda x: ours(x, target), lambda x: theirs(x, torch.tensor(target)), [prediction], [True], **tolerance
    )


# -- errors ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.smooth_l1_loss(ag.zeros(3), np.zeros(4)), ag.ShapeError,
         r"smooth_l1_loss: input has shape \(3,\) but target has shape \(4,\)"),
        (lambda: F.huber_loss(ag.zeros(2, 3), ag.zeros(3, 2)), ag.ShapeError, r"huber_loss: input has shape \(2, 3\)"),
        (lambda: F.kl_div(ag.zeros(2, 3), np.zeros(4)), ag.ShapeError,
         r"kl_div: input has shape \(2, 3\) but target has shape \(4,\), which do not broadcast"),
        (lambda: F.smooth_l1_loss(ag.zeros(3), np.zeros(3), beta=-1.0), ValueError,
         r"smooth_l1_loss does not support negative values for beta \(got beta=-1.0\)"),
        (lambda: F.huber_loss(ag.zeros(3), np.zeros(3), delta=0.0), ValueError,
         r"huber_loss does not support non-positive values for delta"),
        (lambda: F.huber_loss(ag.zeros(3), np.zeros(3), reduction="avg"), ValueError,
         r"huber_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
        (lambda: F.kl_div(ag.zeros(3), np.zeros(3), reduction="avg"), ValueError,
         r"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got 'avg'"),
        (lambda: F.smooth_l1_loss(ag.zeros(3), ag.tensor([1, 2, 3])), ag.DtypeError,
         r"smooth_l1_loss: target must be a float"),
        (lambda: F.kl_div(ag.tensor([1, 2]), np.zeros(2)), ag.DtypeError,
         r"kl_div: input must hold float log-probabilities"),
        (lambda: nn.KLDivLoss(reduction="avg"), ValueError,
         r"KLDivLoss: reduction must be 'mean', 'batchmean', 'sum' or 'none', got 'avg'"),
        (lambda: nn.HuberLoss(reduction="batchmean"), ValueError,
         r"HuberLoss: reduction must be 'mean', 'sum' or 'none'"),
    ],
)
def test_errors_name_the_loss_and_the_values(call, error, message):
    with pytest.raises(error, match=message):
        call()


@requires_torch
@pytest.mark.parametrize("name", ["smooth_l1_loss", "huber_loss", "kl_div"])
@pytest.mark.parametrize("target_shape", [(3,), (4, 1)])
def test_a_target_that_broadcasts_is_broadcast_as_pytorch_with_its_warning(name, target_shape):
    """PyTorch broadcasts the target of these losses; it warns for the first two (kl_div is silent)."""
    rng = np.random.default_rng(1)
    prediction, target = rng.standard_normal((4, 3)), rng.random(target_shape)
    options = {"reduction": "batchmean"} if name == "kl_div" else {}

    def ours(x, y):
        return getattr(F, name)(x, y, **options)

    def theirs(x, y):
        return getattr(torch.nn.functional, name)(x, y, **options)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare_with_torch(ours, theirs, [prediction, target], [True, True])
    messages = [str(warning.message) for warning in caught if name in str(warning.message)]
    assert bool(messages) == (name != "kl_div"), messages
