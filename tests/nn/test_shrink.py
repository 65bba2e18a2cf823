"""hardshrink and softshrink (nn/shrink.py): gradcheck over drawn shapes, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch


@settings(max_examples=15, deadline=None)
@given(data=st.data(), name=st.sampled_from(["hardshrink", "softshrink"]), lambd=st.sampled_from([0.0, 0.5, 1.3]))
def test_shrink_gradients_and_parity(data, name, lambd):
    x = data.draw(float_arrays(away_from=(-lambd, lambd)))
    check_op(
        lambda t: getattr(F, name)(t, lambd),
        [x],
        (lambda t: getattr(torch.nn.functional, name)(t, lambd)) if torch else None,
    )


@requires_torch
@pytest.mark.parametrize("name", ["hardshrink", "softshrink"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_shrink_on_the_interval_ends_matches_pytorch(name, dtype):
    x = np.array([-0.5, 0.5, 0.0, -0.7, 0.7, 3.0], dtype=dtype)  # on the ends: zero value and zero gradient
    compare_with_torch(lambda t: getattr(F, name)(t), lambda t: getattr(torch.nn.functional, name)(t), [x], [True])


def test_softshrink_refuses_a_negative_lambda():
    with pytest.raises(ValueError, match=r"softshrink: lambda must be greater or equal to 0, but found to be -1.0"):
        F.softshrink(ag.zeros(3), -1.0)
