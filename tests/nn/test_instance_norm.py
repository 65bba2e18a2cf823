"""InstanceNorm1d/2d and F.instance_norm (nn/instance_norm.py): gradients, PyTorch parity
with and without affine parameters and running statistics, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_module_with_torch, float_arrays, requires_torch, torch
from tests.nn.module_parity import assert_module_matches_torch


@settings(max_examples=20, deadline=None)
@given(data=st.data(), affine=st.booleans(), spatial=st.sampled_from([(3,), (2, 3), (4, 1)]))
def test_instance_norm_gradients_and_parity(data, affine, spatial):
    batch, channels = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    x = data.draw(float_arrays((batch, channels) + spatial))
    params = [data.draw(float_arrays((channels,), low=0.5, high=2.0)), data.draw(float_arrays((channels,)))]

    def op(x, *affine_params):
        return F.instance_norm(x, None, None, *affine_params)

    def torch_op(x, *affine_params):
        return torch.nn.functional.instance_norm(x, None, None, *affine_params)

    check_op(op, [x] + (params if affine else []), torch_op if torch else None)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layer, kwargs, shape", [
    ("InstanceNorm1d", {}, (3, 4, 5)),
    ("InstanceNorm1d", {"affine": True}, (4, 6)),  # unbatched (C, L)
    ("InstanceNorm2d", {"affine": True, "eps": 1e-3}, (2, 3, 4, 5)),
    ("InstanceNorm2d", {"affine": True, "bias": False}, (3, 4, 4)),
])
def test_instance_norm_modules_match_pytorch(layer, kwargs, shape, dtype):
    channels = shape[-2] if layer == "InstanceNorm1d" else shape[-3]
    ours, theirs = getattr(nn, layer)(channels, **kwargs), getattr(torch.nn, layer)(channels, **kwargs)
    assert_module_matches_torch(ours, theirs, shape, dtype)


@requires_torch
@pytest.mark.parametrize("momentum", [0.1, None])
def test_running_statistics_follow_pytorch_in_training_and_are_used_in_eval(momentum):
    ours = nn.InstanceNorm2d(3, momentum=momentum, affine=True, track_running_stats=True).double()
    theirs = torch.nn.InstanceNorm2d(3, momentum=momentum, affine=True, track_running_stats=True).double()
    assert repr(ours) == repr(theirs)
    rng = np.random.default_rng(0)
    for step in range(3):
        x = rng.standard_normal((4, 3, 3, 5)) * 2 + step
        compare_module_with_torch(ours, theirs, [x], load="theirs_into_ours" if step == 0 else None,
                                  rtol=1e-10, atol=1e-12, grad_rtol=1e-9, grad_atol=1e-11)
    ours.eval(), theirs.eval()
    compare_module_with_torch(ours, theirs, [rng.standard_normal((2, 3, 3, 5))], load=None,
                              rtol=1e-10, atol=1e-12, grad_rtol=1e-9, grad_atol=1e-11)


def test_instance_norm_defaults_are_pytorchs_and_normalise_each_instance():
    layer = nn.InstanceNorm1d(4)
    assert repr(layer) == ("InstanceNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
                           "track_running_stats=False)")
    assert list(layer.state_dict()) == []
    x = ag.tensor(np.random.default_rng(1).standard_normal((2, 4, 7)) * 3 + 1)
    out = layer(x).array
    np.testing.assert_allclose(out.mean(-1), 0, atol=1e-12)
    np.testing.assert_allclose(out.var(-1), 1, atol=1e-5)
    np.testing.assert_array_equal(layer.eval()(x).array, out)  # no running stats: eval uses the instance's


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.InstanceNorm1d(3)(ag.zeros(2, 3, 4, 5)), ag.ShapeError,
         r"InstanceNorm1d\(3\): expected 2D or 3D input \(got 4D input\)"),
        (lambda: nn.InstanceNorm2d(3, affine=True)(ag.zeros(2, 4, 5, 5)), ag.ShapeError,
         r"expected input's size at dim=1 to match num_features \(3\), but got: 4"),
        (lambda: F.instance_norm(ag.zeros(2, 3, 1)), ValueError,
         r"instance_norm: expected more than 1 spatial element when training, got input size \(2, 3, 1\)"),
        (lambda: F.instance_norm(ag.zeros(2, 3)), ag.ShapeError, r"instance_norm: expected input \(N, C, L\)"),
        (lambda: nn.InstanceNorm1d(0), ValueError, r"InstanceNorm1d: num_features must be a positive int"),
    ],
)
def test_errors_name_the_layer_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_channel_count_other_than_num_features_warns_without_affine():
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(3)(ag.zeros(2, 4, 5))
