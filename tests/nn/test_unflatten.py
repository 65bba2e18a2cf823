"""nn.Unflatten (nn/unflatten.py)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from tests.helpers import check_op, float_arrays, requires_torch, torch

CASES = [((4, 6), 1, (2, 3)), ((4, 6), -1, (3, -1)), ((6,), 0, (1, 6, 1)), ((2, 6, 3), 1, (-1, 2)), ((2, 0), 1, (0, 5))]


@settings(max_examples=20, deadline=None)
@given(case=st.sampled_from(CASES), data=st.data())
def test_unflatten_gradients_and_parity(case, data):
    shape, dim, sizes = case
    x = data.draw(float_arrays(shape))
    ours, theirs = nn.Unflatten(dim, sizes), (torch.nn.Unflatten(dim, sizes) if torch else None)
    check_op(ours, [x], theirs)


@requires_torch
def test_repr_matches_pytorch_and_undoes_flatten():
    assert repr(nn.Unflatten(1, (2, 5))) == repr(torch.nn.Unflatten(1, (2, 5)))
    x = ag.randn(3, 2, 5)
    np.testing.assert_array_equal(nn.Unflatten(1, (2, 5))(nn.Flatten()(x)).array, x.array)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.Unflatten(1, (2, 4))(ag.zeros(3, 10)), ag.ShapeError,
         r"Unflatten: provided sizes \[2, 4\] don't multiply up to the size of dim 1 \(10\)"),
        (lambda: nn.Unflatten(1, (3, -1))(ag.zeros(3, 10)), ag.ShapeError, r"don't multiply up"),
        (lambda: nn.Unflatten(2, (2, 5))(ag.zeros(3, 10)), ag.DimError, r"Unflatten: dim 2 is out of range"),
        (lambda: nn.Unflatten(1, 10), TypeError, r"unflattened_size must be a tuple of ints"),
        (lambda: nn.Unflatten(1, (-1, -1)), ValueError, r"may hold one -1"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
