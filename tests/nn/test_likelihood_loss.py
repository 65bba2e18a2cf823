"""poisson_nll_loss and gaussian_nll_loss (nn/likelihood_loss.py): gradcheck, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

REDUCTIONS = ["mean", "sum", "none"]


@settings(max_examples=20, deadline=None)
@given(
    data=st.data(),
    reduction=st.sampled_from(REDUCTIONS),
    log_input=st.booleans(),
    full=st.booleans(),
    target_grad=st.booleans(),
)
def test_poisson_nll_loss(data, reduction, log_input, full, target_grad):
    shape = data.draw(shapes())
    input = data.draw(float_arrays(shape, low=-1.0, high=1.5) if log_input else float_arrays(shape, low=0.2, high=3.0))
    target = data.draw(float_arrays(shape, low=0.0, high=4.0, away_from=(1.0,), margin=0.1))  # Stirling's mask edge
    target = np.abs(target) + 0.05  # the Stirling term's log(target)
    kwargs = {"log_input": log_input, "full": full, "reduction": reduction}
    check_op(
        lambda x, t: F.poisson_nll_loss(x, t, **kwargs),
        [input, target],
        (lambda x, t: torch.nn.functional.poisson_nll_loss(x, t, **kwargs)) if torch else None,
        differentiable=[True, target_grad],
    )


VAR_SHAPES = [  # (input shape, var shape): heteroscedastic, one dim short, one dim of 1
    ((4, 3), (4, 3)), ((4, 3), (4,)), ((4, 3), (4, 1)), ((2, 3, 2), (2, 1, 2)), ((5,), (5,)),
]


@settings(max_examples=20, deadline=None)
@given(
    data=st.data(),
    shapes_pair=st.sampled_from(VAR_SHAPES),
    reduction=st.sampled_from(REDUCTIONS),
    full=st.booleans(),
)
def test_gaussian_nll_loss(data, shapes_pair, reduction, full):
    input_shape, var_shape = shapes_pair
    input, target = data.draw(float_arrays(input_shape)), data.draw(float_arrays(input_shape))
    var = data.draw(float_arrays(var_shape, low=0.1, high=2.0))
    kwargs = {"full": full, "reduction": reduction}
    check_op(
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, **kwargs),
        [input, target, var],
        (lambda x, t, v: torch.nn.functional.gaussian_nll_loss(x, t, v, **kwargs)) if torch else None,
    )


@requires_torch
def test_gaussian_nll_loss_floors_var_in_value_only_and_takes_a_float():
    input, target = np.array([0.3, -1.0, 2.0]), np.array([0.0, 0.5, 1.0])
    var = np.array([1e-9, 0.5, 2.0])  # the first under eps: floored, its gradient passes as PyTorch's
    compare_with_torch(
        lambda x, t, v: F.gaussian_nll_loss(x, t, v, eps=1e-3),
        lambda x, t, v: torch.nn.functional.gaussian_nll_loss(x, t, v, eps=1e-3),
        [input, target, var], [True, True, True], grad_rtol=1e-9,
    )
    compare_with_torch(
        lambda x: F.gaussian_nll_loss(x, target, 0.7, reduction="none"),
        lambda x: torch.nn.functional.gaussian_nll_loss(x, torch.tensor(target), 0.7, reduction="none"),
        [input], [True],
    )


def test_poisson_legacy_size_average_and_reduce_map_to_a_reduction():
    input, target = ag.tensor([0.1, 0.5]), np.array([1.0, 2.0])
    with pytest.warns(UserWarning, match="size_average and reduce"):
        summed = F.poisson_nll_loss(input, target, True, False, False)  # size_average=False: 'sum'
    np.testing.assert_allclose(summed.item(), F.poisson_nll_loss(input, target, reduction="sum").item())


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.gaussian_nll_loss(ag.zeros(4, 3), ag.zeros(4, 3), ag.ones(3, 4)), ag.ShapeError,
         r"gaussian_nll_loss: var is of incorrect size \(3, 4\) for input \(4, 3\)"),
        (lambda: F.gaussian_nll_loss(ag.zeros(3), ag.zeros(3), -1.0), ValueError, r"var has negative entry"),
        (lambda: F.gaussian_nll_loss(ag.zeros(3), ag.zeros(3), ag.tensor([1.0, -1.0, 1.0])), ValueError,
         r"var has negative entry"),
        (lambda: F.gaussian_nll_loss(ag.zeros(3), ag.zeros(3), 1.0, reduction="avg"), ValueError,
         r"gaussian_nll_loss: reduction must be"),
        (lambda: F.poisson_nll_loss(ag.zeros(3), ag.zeros(3), reduction="avg"), ValueError,
         r"poisson_nll_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    ],
)
def test_errors_name_the_loss_and_the_values(call, error, message):
    with pytest.raises(error, match=message):
        call()
