"""RMSNorm / F.rms_norm (nn/rms_norm.py): gradients, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, float_arrays, requires_torch, torch
from tests.nn.module_parity import assert_module_matches_torch


@settings(max_examples=20, deadline=None)
@given(
    case=st.sampled_from([((3, 4), (4,)), ((2, 3, 4), (4,)), ((2, 3, 4), (3, 4)), ((3,), (3,)), ((2, 1), (1,))]),
    weighted=st.booleans(),
    eps=st.sampled_from([None, 1e-5, 0.1]),
    data=st.data(),
)
def test_rms_norm_gradients_and_parity(case, weighted, eps, data):
    shape, normalized = case
    x = data.draw(float_arrays(shape))
    params = [data.draw(float_arrays(normalized, low=0.5, high=2.0))] if weighted else []

    def op(x, *params):
        return F.rms_norm(x, normalized, *params, eps=eps)

    def torch_op(x, *params):
        return torch.nn.functional.rms_norm(x, normalized, *params, eps=eps)

    check_op(op, [x] + params, torch_op if torch else None)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("args, kwargs, shape", [
    ((8,), {}, (3, 5, 8)),
    (((3, 4),), {"eps": 1e-3}, (2, 3, 4)),
    ((6,), {"elementwise_affine": False}, (4, 6)),
])
def test_rms_norm_module_matches_pytorch(args, kwargs, shape, dtype):
    assert_module_matches_torch(nn.RMSNorm(*args, **kwargs), torch.nn.RMSNorm(*args, **kwargs), shape, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_default_eps_is_the_dtypes_machine_epsilon(dtype):
    x = ag.tensor(np.zeros((1, 4), dtype))
    x.array[0, 0] = 1e-4
    expected = 1e-4 / np.sqrt(1e-8 / 4 + np.finfo(dtype).eps)
    np.testing.assert_allclose(F.rms_norm(x, (4,)).array[0, 0], expected, rtol=1e-5)


def test_rms_norm_divides_by_the_root_mean_square():
    x = ag.tensor(np.array([[3.0, -4.0], [1.0, 1.0]]))
    np.testing.assert_allclose(nn.RMSNorm(2, eps=0.0).double()(x).array, [[3 / 12.5**0.5, -4 / 12.5**0.5], [1.0, 1.0]])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.RMSNorm((3, 4))(ag.zeros(2, 4, 3)), ag.ShapeError,
         r"RMSNorm\(\(3, 4\)\): expected input of shape \(\*, 3, 4\) to normalise over its last 2 dim\(s\)"),
        (lambda: nn.RMSNorm(()), ValueError, r"RMSNorm: normalized_shape must be a positive int"),
        (lambda: F.rms_norm(ag.zeros(2, 4), (4,), ag.ones(3)), ag.ShapeError,
         r"rms_norm: weight must have shape \(4,\), got \(3,\)"),
        (lambda: F.rms_norm(ag.tensor([[1, 2]]), (2,)), ag.DtypeError, r"rms_norm: needs a float input"),
        (lambda: F.rms_norm(np.ones((2, 2)), (2,)), TypeError, r"rms_norm: input must be a Tensor"),
    ],
)
def test_errors_name_the_layer_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
