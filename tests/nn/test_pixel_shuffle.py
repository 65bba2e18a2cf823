"""pixel_shuffle / pixel_unshuffle and their modules (nn/pixel_shuffle.py)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, float_arrays, requires_torch, torch


@st.composite
def shuffle_inputs(draw):
    """(*, C r^2, H, W) for pixel_shuffle and (*, C, H r, W r) for pixel_unshuffle, any layout."""
    factor = draw(st.integers(1, 3))
    batch = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    channels, height, width = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    shuffle = draw(st.booleans())
    if shuffle:
        shape = batch + (channels * factor * factor, height, width)
    else:
        shape = batch + (channels, height * factor, width * factor)
    return draw(float_arrays(shape)), factor, shuffle


@settings(max_examples=30, deadline=None)
@given(case=shuffle_inputs())
def test_gradients_and_parity(case):
    x, factor, shuffle = case
    name = "pixel_shuffle" if shuffle else "pixel_unshuffle"
    check_op(
        lambda t: getattr(F, name)(t, factor),
        [x],
        (lambda t: getattr(torch.nn.functional, name)(t, factor)) if torch else None,
    )


def test_unshuffle_inverts_shuffle_and_channels_become_blocks():
    x = ag.tensor(np.arange(2 * 8 * 3 * 2, dtype=np.float64).reshape(2, 8, 3, 2))
    shuffled = F.pixel_shuffle(x, 2)
    assert shuffled.shape == (2, 2, 6, 4)
    np.testing.assert_array_equal(F.pixel_unshuffle(shuffled, 2).array, x.array)
    # channel c r^2 + i r + j is pixel (i, j) of each 2x2 block of channel c
    np.testing.assert_array_equal(shuffled.array[0, 1, 0:2, 0:2], x.array[0, 4:8, 0, 0].reshape(2, 2))


@requires_torch
def test_modules_match_pytorch_and_print_the_same():
    x = np.random.default_rng(0).standard_normal((2, 9, 4, 5)).astype(np.float32)
    pairs = [(nn.PixelShuffle(3), torch.nn.PixelShuffle(3)), (nn.PixelUnshuffle(1), torch.nn.PixelUnshuffle(1))]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
        np.testing.assert_array_equal(ours(ag.tensor(x)).array, theirs(torch.tensor(x)).numpy())
    assert repr(nn.PixelUnshuffle(2)) == repr(torch.nn.PixelUnshuffle(2))


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.pixel_shuffle(ag.zeros(7, 3, 3), 2), ag.ShapeError,
         r"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
         r"but input.size\(-3\)=7 is not divisible by 4"),
        (lambda: F.pixel_shuffle(ag.zeros(4, 3), 2), ag.ShapeError,
         r"pixel_shuffle expects input to have at least 3 dim"),
        (lambda: F.pixel_shuffle(ag.zeros(4, 3, 3), 0), ValueError,
         r"pixel_shuffle expects a positive int upscale_factor"),
        (lambda: F.pixel_unshuffle(ag.zeros(1, 5, 4), 2), ag.ShapeError,
         r"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size\(-2\)=5"),
        (lambda: F.pixel_unshuffle(ag.zeros(1, 4, 3), 2), ag.ShapeError, r"expects width to be divisible"),
        (lambda: nn.PixelShuffle(2)(np.zeros((4, 2, 2))), TypeError, r"pixel_shuffle: input must be a Tensor"),
    ],
)
def test_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
