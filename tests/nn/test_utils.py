"""``nn.utils.parameters_to_vector`` / ``vector_to_parameters`` against PyTorch's (clipping is in test_clip_grad.py)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.utils import parameters_to_vector, vector_to_parameters
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
