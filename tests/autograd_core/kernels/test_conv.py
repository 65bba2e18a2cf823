"""Convolution kernels (``kernels/conv.py``) against their plain NumPy references."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import conv as kernels
from autograd_core.kernels.scratch import Scratch
from tests.autograd_core.kernels.twins import awkward, both

TWINS_TESTED = {kernels._im2col, kernels._col2im, kernels._im2col_wide, kernels._col2im_wide}


@st.composite
def geometries(draw: Any) -> dict:
    """A convolution that fits: sizes, kernel, stride, leading padding, dilation, groups;
    the output size is drawn too (the kernels take it explicitly, so asymmetric padding
    and transposed-convolution sizes are covered)."""
    groups = draw(st.integers(1, 3))
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    size = tuple(draw(st.integers(1, 8)) for _ in range(2))
    largest = [
        (s + 2 * p - d * (k - 1) - 1) // st_ + 1 for s, p, d, k, st_ in zip(size, padding, dilation, kernel, stride)
    ]
    out = tuple(draw(st.integers(1, max(1, largest_) + 1)) for largest_ in largest)  # may read past the end: zeros
    return {
        "batch": draw(st.integers(1, 3)),
        "in_channels": groups * draw(st.integers(1, 2)),
        "out_channels": groups * draw(st.integers(1, 2)),
        "groups": groups,
        "kernel": kernel,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "size": size,
        "out": out,
        "dtype": draw(st.sampled_from([np.float32, np.float64])),
        "seed": draw(st.integers(0, 2**31)),
    }


def arrays(geometry: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(geometry["seed"])
    dtype = geometry["dtype"]
    x = rng.standard_normal((geometry["batch"], geometry["in_channels"], *geometry["size"])).astype(dtype)
    weight = rng.standard_normal(
        (geometry["out_channels"], geometry["in_channels"] // geometry["groups"], *geometry["kernel"])
    ).astype(dtype)
    grad = rng.standard_normal((geometry["batch"], geometry["out_channels"], *geometry["out"])).astype(dtype)
    return x, weight, grad


def tolerance(dtype: Any) -> dict:
    return {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@contextlib.contextmanager
def wide_max_pixels(value: int):
    """Run the kernels with ``kernels.WIDE_MAX_PIXELS`` set to ``value`` (0: every convolution
    takes the per-image scheme; a large value: every one the wide scheme)."""
    saved, kernels.WIDE_MAX_PIXELS = kernels.WIDE_MAX_PIXELS, value
    try:
        yield
    finally:
        kernels.WIDE_MAX_PIXELS = saved


@pytest.mark.parametrize("work", [0, 10**12], ids=["per-image", "wide"])
@settings(max_examples=20)
@given(geometry=geometries())
def test_kernels_match_the_references(work, geometry):
    with wide_max_pixels(work):
        check_against_references(geometry)


def check_against_references(geometry: dict) -> None:
    x, weight, grad = arrays(geometry)
    args = (geometry["stride"], geometry["padding"], geometry["dilation"], geometry["groups"])
    pairs = [
        (
            kernels.conv2d_forward(x, weight, *args, geometry["out"]),
            kernels.conv2d_reference(x, weight, *args, geometry["out"]),
        ),
        (
            kernels.conv2d_input_grad(grad, weight, *args, geometry["size"]),
            kernels.conv2d_input_grad_reference(grad, weight, *args, geometry["size"]),
        ),
        (
            kernels.conv2d_weight_grad(x, grad, *args, geometry["kernel"]),
            kernels.conv2d_weight_grad_reference(x, grad, *args, geometry["kernel"]),
        ),
    ]
    for got, expected in pairs:
        assert got.dtype == geometry["dtype"] and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, **tolerance(geometry["dtype"]))


@pytest.mark.parametrize("work", [0, 10**12], ids=["per-image", "wide"])
@settings(max_examples=8)
@given(geometry=geometries())
def test_the_gradient_kernels_are_the_adjoints_of_the_forward(work, geometry):
    """<conv(x, w), g> = <x, input_grad(g, w)> = <w, weight_grad(x, g)>: what backprop needs."""
    with wide_max_pixels(work):
        check_adjoints(geometry)


def check_adjoints(geometry: dict) -> None:
    geometry["dtype"] = np.float64
    x, weight, grad = arrays(geometry)
    args = (geometry["stride"], geometry["padding"], geometry["dilation"], geometry["groups"])
    forward = np.vdot(kernels.conv2d_forward(x, weight, *args, geometry["out"]), grad)
    np.testing.assert_allclose(
        np.vdot(x, kernels.conv2d_input_grad(grad, weight, *args, geometry["size"])), forward, rtol=1e-10, atol=1e-10
    )
    np.testing.assert_allclose(
        np.vdot(weight, kernels.conv2d_weight_grad(x, grad, *args, geometry["kernel"])), forward, rtol=1e-10, atol=1e-10
    )


def test_non_contiguous_inputs():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2, 6, 5)).transpose(0, 1, 3, 2)[::2]
    weight = rng.standard_normal((4, 2, 3, 3))[:, :, ::-1]
    args = ((1, 1), (1, 1), (1, 1), 1)
    np.testing.assert_allclose(
        kernels.conv2d_forward(x, weight, *args, (5, 6)), kernels.conv2d_reference(x, weight, *args, (5, 6)), rtol=1e-12
    )


@pytest.mark.parametrize(
    "kernel_size, stride, padding, out_size, expected",
    [
        ((1, 1), (1, 1), (0, 0), (16, 16), "pointwise"),
        ((1, 1), (2, 2), (0, 0), (8, 8), "im2col+gemm (wide)"),
        ((3, 3), (1, 1), (1, 1), (32, 32), "im2col+gemm"),
        ((5, 5), (1, 1), (0, 0), (10, 10), "im2col+gemm (wide)"),
    ],
)
def test_scheme_names(kernel_size, stride, padding, out_size, expected):
    assert kernels.scheme(kernel_size, stride, padding, out_size) == expected


def test_pointwise_scheme_matches_the_reference():
    rng = np.random.default_rng(1)
    x, weight, grad = (
        rng.standard_normal((2, 4, 3, 5)),
        rng.standard_normal((6, 2, 1, 1)),
        rng.standard_normal((2, 6, 3, 5)),
    )
    args = ((1, 1), (0, 0), (1, 1), 2)
    np.testing.assert_allclose(
        kernels.conv2d_forward(x, weight, *args, (3, 5)), kernels.conv2d_reference(x, weight, *args, (3, 5)), rtol=1e-12
    )
    np.testing.assert_allclose(
        kernels.conv2d_input_grad(grad, weight, *args, (3, 5)),
        kernels.conv2d_input_grad_reference(grad, weight, *args, (3, 5)),
        rtol=1e-12,
    )
    np.testing.assert_allclose(
        kernels.conv2d_weight_grad(x, grad, *args, (1, 1)),
        kernels.conv2d_weight_grad_reference(x, grad, *args, (1, 1)),
        rtol=1e-12,
    )


def test_scratch_arrays_are_reused_only_when_nothing_refers_to_them():
    pool = Scratch(max_bytes=1000)
    first = pool.empty((10,), np.float32)
    second = pool.empty((10,), np.float32)
    assert second is not first  # ``first`` is still held here
    view = first.reshape(2, 5)
    del first
    assert pool.empty((10,), np.float32) is not view.base  # a view keeps it in use
    del view
    reused = pool.empty((10,), np.float32)
    assert reused is pool.arrays[0]  # the oldest, now unused, comes back
    del reused, second
    pool.empty((300,), np.float32)  # over the budget: the unused small arrays are dropped
    assert [array.shape for array in pool.arrays] == [(300,)]


def test_columns_kept_for_a_pending_backward_are_not_overwritten():
    rng = np.random.default_rng(0)
    args = ((1, 1), (1, 1), (1, 1))
    x1, x2 = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((2, 3, 6, 6))
    kept = kernels.columns(x1, (3, 3), *args, (6, 6))
    expected = kept.copy()
    kernels.columns(x2, (3, 3), *args, (6, 6))  # same shape: must take another array
    np.testing.assert_array_equal(kept, expected)


# -- twins: the Numba code and its NumPy twin agree bit for bit ------------------------------
@st.composite
def conv_cases(draw: Any) -> dict:
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    out = (draw(st.integers(1, 6)), draw(st.integers(1, 6)))
    extra = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))  # padded inputs may be larger than the windows need
    size = tuple((o - 1) * s + d * (k - 1) + 1 + e for o, s, d, k, e in zip(out, stride, dilation, kernel, extra))
    return {
        "batch": draw(st.integers(1, 3)),
        "channels": draw(st.integers(1, 3)),
        "size": size,
        "geometry": (*kernel, *stride, *dilation, *out),
        "dtype": draw(st.sampled_from([np.float32, np.float64])),
        "rng": np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
    }


@settings(max_examples=40)
@given(conv_cases(), st.booleans())
def test_im2col_and_col2im_twins(case, wide):
    batch, channels, dtype, rng = case["batch"], case["channels"], case["dtype"], case["rng"]
    kernel_h, kernel_w, *_, out_h, out_w = case["geometry"]
    rows, length = channels * kernel_h * kernel_w, out_h * out_w
    cols_shape = (rows, batch, length) if wide else (batch, rows, length)
    padded = awkward(rng, (batch, channels, *case["size"]), dtype)
    im2col, col2im = (kernels._im2col_wide, kernels._col2im_wide) if wide else (kernels._im2col, kernels._col2im)
    both(im2col, (padded,), [np.full(cols_shape, np.nan, dtype)], case["geometry"])
    cols = awkward(rng, cols_shape, dtype)
    both(col2im, (cols,), [np.full(padded.shape, 7.0, dtype)], case["geometry"])
