"""``nn.utils`` against ``torch.nn.utils``: ``clip_grad_norm_`` / ``clip_grad_value_`` and
``parameters_to_vector`` / ``vector_to_parameters``."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters
from tests.helpers import requires_torch, torch


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


@requires_torch
def test_round_trip_matches_pytorch():
    ours = _model()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.tensor(v.array) for k, v in ours.state_dict().items()})
    vector = parameters_to_vector(ours.parameters())
    expected = torch.nn.utils.parameters_to_vector(theirs.parameters())
    np.testing.assert_array_equal(vector.array, expected.detach().numpy())
    new = np.linspace(-1, 1, vector.numel()).astype(np.float32)
    vector_to_parameters(ag.tensor(new), ours.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs.parameters())
    for (name, ours_p), theirs_p in zip(ours.named_parameters(), theirs.parameters()):
        np.testing.assert_array_equal(ours_p.array, theirs_p.detach().numpy(), err_msg=name)
    assert all(p.requires_grad for p in ours.parameters())


def test_parameters_to_vector_is_differentiable():
    model = _model()
    (parameters_to_vector(model.parameters()) ** 2).sum().backward()
    for parameter in model.parameters():
        np.testing.assert_allclose(parameter.grad.array, 2 * parameter.array, rtol=1e-6)


def test_vector_to_parameters_shares_the_vectors_memory_as_pytorch():
    model = nn.Linear(2, 2)
    vector = ag.zeros(6)
    vector_to_parameters(vector, model.parameters())
    vector.array[0] = 5.0
    assert model.weight.array[0, 0] == 5.0


def test_bad_arguments_are_named():
    model = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="expected a Tensor for vec, got list"):
        vector_to_parameters([1.0] * 6, model.parameters())
    with pytest.raises(ag.ShapeError, match=r"vec has shape \(5,\) but the parameters hold 6 values"):
        vector_to_parameters(ag.zeros(5), model.parameters())
    with pytest.raises(TypeError, match="got a Tensor; use a list"):
        parameters_to_vector(model.weight)
    with pytest.raises(AttributeError, match=r"nn.utils.rnn \(PyTorch's torch.nn.utils.rnn\) is not part of"):
        nn.utils.rnn


# -- clipping ---------------------------------------------------------------------------------
SHAPES = [(3, 4), (5,), ()]


def pairs(dtype, scale=1.0, seed=0, with_none=False):
    """Our parameters and torch's, with the same gradients (the last without one if ``with_none``)."""
    rng = np.random.default_rng(seed)
    ours, theirs = [], []
    for position, shape in enumerate(SHAPES):
        ours.append(nn.Parameter(ag.tensor(np.zeros(shape, dtype))))
        theirs.append(torch.zeros(shape, dtype=getattr(torch, np.dtype(dtype).name), requires_grad=True))
        if with_none and position == len(SHAPES) - 1:
            continue
        grad = (scale * rng.standard_normal(shape)).astype(dtype)
        ours[-1].grad, theirs[-1].grad = ag.tensor(grad.copy()), torch.tensor(grad.copy())
    return ours, theirs


def assert_same_grads(ours, theirs, **tolerance):
    for mine, reference in zip(ours, theirs):
        if reference.grad is None:
            assert mine.grad is None
        else:
            assert mine.grad.dtype == mine.dtype
            np.testing.assert_allclose(mine.grad.array, reference.grad.numpy(), **tolerance)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf, "inf", -math.inf, 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])  # clipping, and a no-op scale of 1
def test_clip_grad_norm_matches_torch(dtype, norm_type, max_norm):
    ours, theirs = pairs(dtype, with_none=norm_type == 2.0)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    tolerance = dict(rtol=1e-12) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-7)
    assert isinstance(total, ag.Tensor) and total.shape == () and total.dtype == dtype
    np.testing.assert_allclose(total.item(), expected.item(), **tolerance)
    assert_same_grads(ours, theirs, **tolerance)


def test_clip_grad_norm_scales_to_the_max_norm():
    params = [nn.Parameter(ag.zeros(2)), nn.Parameter(ag.zeros(1))]
    params[0].grad, params[1].grad = ag.tensor([3.0, 0.0]), ag.tensor([4.0])
    version = params[0].grad._version.value
    assert clip_grad_norm_(params, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(params[0].grad.array, [0.6, 0.0], rtol=1e-5)
    np.testing.assert_allclose(params[1].grad.array, [0.8], rtol=1e-5)
    assert params[0].grad._version.value == version + 1
    assert clip_grad_norm_(params[0], 10.0).item() == pytest.approx(0.6)  # a single tensor works too


def test_clip_grad_norm_with_no_gradients_returns_zero():
    total = clip_grad_norm_([nn.Parameter(ag.ones(2))], 1.0)
    assert total.item() == 0.0


@requires_torch
def test_non_finite_norm():
    ours, theirs = pairs(np.float64)
    ours[0].grad.array[0, 0] = theirs[0].grad[0, 0] = math.inf
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-finite"):
        clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        torch.nn.utils.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    total = clip_grad_norm_(ours, 1.0)  # without the flag: scaled by the infinite norm, as torch
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.item() == expected.item() == math.inf
    assert_same_grads(ours, theirs)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("clip_value", [0.3, 5.0])
def test_clip_grad_value_matches_torch(dtype, clip_value):
    ours, theirs = pairs(dtype, scale=2.0, with_none=True)
    assert clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_same_grads(ours, theirs, rtol=0, atol=0)
    assert max(np.abs(param.grad.array).max() for param in ours if param.grad is not None) <= clip_value


def test_clipping_a_read_only_gradient_replaces_its_array():
    param = nn.Parameter(ag.zeros(3))
    param.grad = ag.tensor([5.0, -5.0, 0.5])
    param.grad.array.flags.writeable = False
    clip_grad_value_([param], 1.0)
    np.testing.assert_array_equal(param.grad.array, np.array([1.0, -1.0, 0.5], np.float32))
