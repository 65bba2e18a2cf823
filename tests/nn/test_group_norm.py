"""GroupNorm / F.group_norm (nn/group_norm.py): gradients, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, float_arrays, requires_torch, torch
from tests.nn.module_parity import assert_module_matches_torch


@st.composite
def grouped_inputs(draw):
    """(N, C, *) with C a multiple of the drawn number of groups, any layout."""
    groups = draw(st.integers(1, 3))
    channels = groups * draw(st.integers(1, 3))
    spatial = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    return draw(float_arrays((draw(st.integers(1, 3)), channels) + spatial)), groups


@settings(max_examples=20, deadline=None)
@given(case=grouped_inputs(), affine=st.sampled_from(["both", "weight", "none"]), data=st.data())
def test_group_norm_gradients_and_parity(case, affine, data):
    x, groups = case
    channels = x.shape[1]
    assume(x[0].size // groups > 1)  # one value per group has variance 0: an eps-dominated output
    params = []
    if affine in ("both", "weight"):
        params.append(data.draw(float_arrays((channels,), low=0.5, high=2.0)))
    if affine == "both":
        params.append(data.draw(float_arrays((channels,))))

    def op(x, *params):
        return F.group_norm(x, groups, *params)

    def torch_op(x, *params):
        return torch.nn.functional.group_norm(x, groups, *params)

    check_op(op, [x] + params, torch_op if torch else None)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("args, kwargs, shape", [
    ((2, 4), {}, (3, 4, 5, 5)),
    ((1, 6), {"eps": 1e-3}, (2, 6, 7)),
    ((3, 3), {"affine": False}, (2, 3, 4, 4)),
    ((2, 8), {}, (4, 8)),
    ((2, 4), {"bias": False}, (2, 4, 3)),
])
def test_group_norm_module_matches_pytorch(args, kwargs, shape, dtype):
    assert_module_matches_torch(nn.GroupNorm(*args, **kwargs), torch.nn.GroupNorm(*args, **kwargs), shape, dtype)


def test_group_norm_normalises_each_group_and_is_the_same_in_eval():
    x = ag.tensor(np.random.default_rng(0).standard_normal((2, 6, 3, 3)) * 4 + 2)
    layer = nn.GroupNorm(3, 6).double()
    out = layer(x).array.reshape(2, 3, -1)
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-6)
    np.testing.assert_allclose(out.var(-1), 1, atol=1e-4)
    np.testing.assert_array_equal(layer.eval()(x).array, layer.train()(x).array)
    assert layer(x).grad_fn.name() == "ReshapeBackward"


@requires_torch
def test_without_affine_parameters_any_divisible_channel_count_is_normalised_as_in_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 6, 3))
    ours = nn.GroupNorm(2, 4, affine=False)(ag.tensor(x)).array
    theirs = torch.nn.GroupNorm(2, 4, affine=False)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.GroupNorm(4, 6), ValueError, r"GroupNorm: num_channels must be divisible by num_groups"),
        (lambda: nn.GroupNorm(0, 6), ValueError, r"GroupNorm: num_groups must be a positive int, got 0"),
        (lambda: nn.GroupNorm(2, 4)(ag.zeros(2, 6, 3)), ag.ShapeError,
         r"GroupNorm\(2, 4\): expected input of shape \(N, 4, \*\), as weight has 4 values \(one per channel\), "
         r"got \(2, 6, 3\) with 6 channels in dim 1"),
        (lambda: F.group_norm(ag.zeros(2, 6, 4), 4), ag.ShapeError,
         r"group_norm: expected the number of channels in the input to be divisible by num_groups, .*\(2, 6, 4\)"),
        (lambda: F.group_norm(ag.zeros(6), 2), ag.ShapeError, r"group_norm: expected input \(N, C\) or \(N, C, \*\)"),
        (lambda: F.group_norm(ag.zeros(2, 4), 2, ag.ones(3)), ag.ShapeError,
         r"group_norm: expected input of shape \(N, 3, \*\), as weight has 3 values"),
        (lambda: F.group_norm(ag.zeros(2, 4), 2, None, ag.ones(2, 2)), ag.ShapeError,
         r"group_norm: bias must have shape \(4,\), got \(2, 2\)"),
        (lambda: F.group_norm(ag.zeros(2, 4), 0), ValueError, r"group_norm: num_groups must be positive, got 0"),
        (lambda: F.group_norm(ag.zeros(2, 4), 2.0), TypeError, r"group_norm: num_groups must be an int, got 2.0"),
        (lambda: F.group_norm(ag.tensor([[1, 2]]), 1), ag.DtypeError, r"group_norm: needs a float input"),
    ],
)
def test_errors_name_the_layer_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
