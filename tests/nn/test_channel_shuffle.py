"""ChannelShuffle / F.channel_shuffle (nn/channel_shuffle.py): the permutation, gradients, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, torch


@settings(max_examples=15, deadline=None)
@given(data=st.data(), groups=st.integers(1, 3), per_group=st.integers(1, 3),
       spatial=st.sampled_from([(2,), (2, 3), (1, 2, 2)]))
def test_channel_shuffle_gradients_and_parity(data, groups, per_group, spatial):
    x = data.draw(float_arrays((2, groups * per_group) + spatial))
    check_op(lambda t: F.channel_shuffle(t, groups), [x],
             (lambda t: torch.nn.functional.channel_shuffle(t, groups)) if torch else None, gradgrad=False)


def test_channel_shuffle_interleaves_the_groups():
    x = ag.tensor(np.arange(6.0).reshape(1, 6, 1))
    np.testing.assert_array_equal(F.channel_shuffle(x, 2).array.ravel(), [0, 3, 1, 4, 2, 5])
    np.testing.assert_array_equal(F.channel_shuffle(x, 3).array.ravel(), [0, 2, 4, 1, 3, 5])


@requires_torch
def test_channel_shuffle_module_matches_pytorch():
    ours, theirs = nn.ChannelShuffle(2), torch.nn.ChannelShuffle(2)
    assert repr(ours) == repr(theirs)
    compare_with_torch(ours, theirs, [np.random.default_rng(0).standard_normal((2, 4, 3, 3))], [True])


def test_channel_shuffle_errors():
    with pytest.raises(ag.ShapeError, match=r"number of channels must be divisible by groups. Got 5 channels and 2"):
        F.channel_shuffle(ag.zeros(2, 5, 3), 2)
    with pytest.raises(ValueError, match=r"channel_shuffle: number of groups .* must be positive, got 0"):
        F.channel_shuffle(ag.zeros(2, 4, 3), 0)
    with pytest.raises(ag.ShapeError, match=r"channel_shuffle: expected input \(N, C, \*\)"):
        F.channel_shuffle(ag.zeros(2, 4), 2)
