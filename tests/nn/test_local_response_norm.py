"""LocalResponseNorm / F.local_response_norm (nn/local_response_norm.py): gradients, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch


@settings(max_examples=20, deadline=None)
@given(
    data=st.data(),
    size=st.integers(1, 5),
    spatial=st.sampled_from([(3,), (2, 3), (2, 1, 2)]),
    alpha=st.sampled_from([1e-4, 0.5]),
    beta=st.sampled_from([0.75, 1.5]),
    k=st.sampled_from([1.0, 2.0]),
)
def test_local_response_norm_gradients_and_parity(data, size, spatial, alpha, beta, k):
    x = data.draw(float_arrays((data.draw(st.integers(1, 2)), data.draw(st.integers(1, 5))) + spatial))
    check_op(
        lambda t: F.local_response_norm(t, size, alpha, beta, k),
        [x],
        (lambda t: torch.nn.functional.local_response_norm(t, size, alpha, beta, k)) if torch else None,
    )


@requires_torch
def test_local_response_norm_module_matches_pytorch_in_float32():
    x = np.random.default_rng(0).standard_normal((2, 6, 4, 4)).astype(np.float32)
    ours, theirs = nn.LocalResponseNorm(3, alpha=0.1), torch.nn.LocalResponseNorm(3, alpha=0.1)
    assert repr(ours) == repr(theirs)
    compare_with_torch(ours, theirs, [x], [True], value_rtol=1e-5, value_atol=1e-6, grad_rtol=1e-4, grad_atol=1e-5)


def test_local_response_norm_errors():
    with pytest.raises(ag.ShapeError, match=r"local_response_norm: expected 3D or higher dimensionality input"):
        F.local_response_norm(ag.zeros(2, 3), 2)
    with pytest.raises(ValueError, match=r"local_response_norm: size must be a positive int, got 0"):
        F.local_response_norm(ag.zeros(2, 3, 4), 0)
