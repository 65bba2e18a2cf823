"""Winograd F(2x2, 3x3) convolution (``kernels/winograd.py``): its tile kernels' twins bit for
bit, and the three passes against the plain references, through ``kernels/conv.py``."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import conv, winograd
from tests.autograd_core.kernels.twins import awkward, both

TWINS_TESTED = {winograd._input_tiles, winograd._output_tiles, winograd._output_tiles_adjoint}


@st.composite
def tile_cases(draw: Any) -> dict:
    return {
        "batch": draw(st.integers(1, 3)),
        "channels": draw(st.integers(1, 3)),
        "out": (draw(st.integers(1, 7)), draw(st.integers(1, 7))),
        "dtype": draw(st.sampled_from([np.float32, np.float64])),
        "rng": np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
    }


@settings(max_examples=40)
@given(tile_cases())
def test_tile_kernel_twins(case):
    rng, dtype, batch, channels = case["rng"], case["dtype"], case["batch"], case["channels"]
    tiles = winograd.tile_counts(case["out"])
    count = batch * tiles[0] * tiles[1]
    # x smaller, as large as or larger than the padded plane, padded or cropped on either side
    size = tuple(case["rng"].integers(1, 2 * t + 5) for t in tiles)
    x = awkward(rng, (batch, channels, *size), dtype)
    pads = tuple(int(p) for p in rng.integers(-2, 3, 2))
    both(winograd._input_tiles, (x,), [np.full((16, channels, count), np.nan, dtype)], tiles + pads)
    products = awkward(rng, (16, channels, count), dtype)
    both(winograd._output_tiles, (products,), [np.full((batch, channels, *case["out"]), 7.0, dtype)], tiles)
    grad_out = awkward(rng, (batch, channels, *case["out"]), dtype)
    both(winograd._output_tiles_adjoint, (grad_out,), [np.full((16, channels, count), np.nan, dtype)], tiles)


@st.composite
def winograd_convolutions(draw: Any) -> dict:
    groups = draw(st.integers(1, 2))
    ins, outs = (groups * draw(st.sampled_from([16, 17])) for _ in range(2))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    size = tuple(draw(st.integers(max(1, 3 - 2 * p), 7)) for p in padding)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {
        "x": rng.standard_normal((draw(st.integers(1, 2)), ins, *size)),
        "weight_shape": (outs, ins // groups, 3, 3),
        "padding": padding,
        "groups": groups,
        "out": tuple(s + 2 * p - 2 for s, p in zip(size, padding)),
    }


@settings(max_examples=20, deadline=None)
@given(winograd_convolutions())
def test_winograd_passes_match_the_references(case):
    x, padding, groups, out = case["x"], case["padding"], case["groups"], case["out"]
    rng = np.random.default_rng(1)
    weight = rng.standard_normal(case["weight_shape"])
    args = ((1, 1), padding, (1, 1), groups)
    assert conv.scheme((3, 3), (1, 1), padding, out, weight.shape, (1, 1), groups) == "winograd F(2x2,3x3)"
    close = {"rtol": 1e-11, "atol": 1e-11}
    reference = conv.conv2d_reference(x, weight, *args, out)
    np.testing.assert_allclose(conv.conv2d_forward(x, weight, *args, out), reference, **close)
    grad = rng.standard_normal((x.shape[0], weight.shape[0], *out))
    np.testing.assert_allclose(
        conv.conv2d_input_grad(grad, weight, *args, x.shape[2:]),
        conv.conv2d_input_grad_reference(grad, weight, *args, x.shape[2:]),
        **close,
    )
    expected = conv.conv2d_weight_grad_reference(x, grad, *args, (3, 3))
    np.testing.assert_allclose(conv.conv2d_weight_grad(x, grad, *args, (3, 3)), expected, **close)
    tiles = conv.columns(x, (3, 3), (1, 1), padding, (1, 1), out, False, weight.shape, groups)
    assert isinstance(tiles, winograd.Input) and tiles.nbytes == 0
    np.testing.assert_allclose(conv.conv2d_weight_grad(x, grad, *args, (3, 3), tiles), expected, **close)
    np.testing.assert_allclose(conv.conv2d_forward(x, weight, *args, out, tiles), reference, **close)


def test_float32_is_as_close_to_float64_as_im2col():
    """Winograd's transforms add rounding; on a 64->64 layer it stays within im2col's error."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 64, 12, 12)).astype(np.float32)
    weight = (rng.standard_normal((64, 64, 3, 3)) / 24).astype(np.float32)
    args = ((1, 1), (1, 1), (1, 1), 1)
    exact = conv.conv2d_reference(x.astype(np.float64), weight.astype(np.float64), *args, (12, 12))
    got = conv.conv2d_forward(x, weight, *args, (12, 12))
    assert got.dtype == np.float32
    assert np.abs(got - exact).max() <= 2e-6 * np.abs(exact).max()


@pytest.mark.parametrize(
    "weight_shape, stride, dilation, groups, expected",
    [
        ((64, 64, 3, 3), (1, 1), (1, 1), 1, True),
        ((64, 3, 3, 3), (1, 1), (1, 1), 1, False),  # a first layer: too few input channels
        ((64, 64, 3, 3), (2, 2), (1, 1), 1, False),
        ((64, 64, 3, 3), (1, 1), (2, 2), 1, False),
        ((64, 64, 5, 5), (1, 1), (1, 1), 1, False),
        ((64, 1, 3, 3), (1, 1), (1, 1), 64, False),  # depthwise
    ],
)
def test_which_convolutions_run_as_winograd(weight_shape, stride, dilation, groups, expected):
    assert winograd.applies(weight_shape, stride, dilation, groups) is expected
