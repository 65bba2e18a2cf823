"""Pooling kernels (``kernels/pool.py``) against their plain NumPy references."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import pool as kernels
from autograd_core.ops.arguments import window_count
from tests.autograd_core.kernels.twins import awkward, both

TWINS_TESTED = {
    kernels._max_pool_forward, kernels._scatter_add_planes, kernels._avg_pool_forward, kernels._avg_pool_backward,
    kernels._max_pool_2x2, kernels._max_pool_2x2_backward,
}


@st.composite
def plane_cases(draw: Any, dilated: bool = True) -> dict:
    """Planes (P, H, W) with a window that fits: kernel, stride, padding, dilation, out size."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    padding = tuple(draw(st.integers(0, span // 2)) for span in (spans if dilated else kernel))
    sizes = tuple(draw(st.integers(max(1, span - 2 * p), span - 2 * p + 6)) for span, p in zip(spans, padding))
    ceil_mode = draw(st.booleans())
    out_size = tuple(
        window_count(n, k, s, p, p, d, ceil_mode) for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation)
    )
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    x = rng.standard_normal((draw(st.integers(1, 5)),) + sizes).astype(dtype)
    if draw(st.booleans()):  # a few repeated values, so ties occur
        x = np.round(x).astype(dtype)
    return dict(x=x, kernel=kernel, stride=stride, padding=padding, dilation=dilation, out_size=out_size, rng=rng)


@settings(max_examples=40)
@given(plane_cases())
def test_max_pool_values_and_indices_match_the_reference(case):
    x, geometry = case["x"], [case[k] for k in ("kernel", "stride", "padding", "dilation", "out_size")]
    values, indices = kernels.max_pool(x, *geometry)
    expected_values, expected_indices = kernels.max_pool_reference(x, *geometry)
    assert values.dtype == x.dtype and indices.dtype == np.int64
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(indices, expected_indices)
    # the index really points at the value inside the plane (-1 and -inf: a window wholly in the padding)
    flat = x.reshape(x.shape[0], -1)
    picked = np.take_along_axis(flat, np.maximum(indices, 0).reshape(x.shape[0], -1), 1).reshape(values.shape)
    np.testing.assert_array_equal(np.where(indices >= 0, picked, -np.inf), values)


@settings(max_examples=30)
@given(plane_cases())
def test_scatter_add_matches_the_reference(case):
    x = case["x"]
    _, indices = kernels.max_pool(x, *[case[k] for k in ("kernel", "stride", "padding", "dilation", "out_size")])
    flat_indices = indices.reshape(x.shape[0], -1)
    values = case["rng"].standard_normal(flat_indices.shape).astype(x.dtype)
    plane_size = x.shape[1] * x.shape[2]
    got = kernels.scatter_add_planes(values, flat_indices, plane_size)
    np.testing.assert_allclose(got, kernels.scatter_add_planes_reference(values, flat_indices, plane_size), rtol=1e-6)


@settings(max_examples=40)
@given(plane_cases(dilated=False), st.booleans(), st.sampled_from([None, 3]))
def test_avg_pool_forward_and_backward_match_the_reference(case, count_include_pad, divisor_override):
    x, kernel, stride, padding = case["x"], case["kernel"], case["stride"], case["padding"]
    divisors = kernels.avg_pool_divisors(
        x.shape[1:], kernel, stride, padding, case["out_size"], count_include_pad, divisor_override
    )
    assert divisors.min() >= 1
    tolerance = 1e-5 if x.dtype == np.float32 else 1e-12
    out = kernels.avg_pool(x, kernel, stride, padding, divisors)
    assert out.dtype == x.dtype
    np.testing.assert_allclose(
        out, kernels.avg_pool_reference(x, kernel, stride, padding, divisors), rtol=tolerance, atol=tolerance
    )
    grad_out = case["rng"].standard_normal(out.shape).astype(x.dtype)
    grad_in = kernels.avg_pool_backward(grad_out, kernel, stride, padding, divisors, x.shape[1:])
    expected = kernels.avg_pool_backward_reference(grad_out, kernel, stride, padding, divisors, x.shape[1:])
    np.testing.assert_allclose(grad_in, expected, rtol=tolerance, atol=tolerance)


def test_ties_go_to_the_first_maximum_in_scan_order():
    x = np.zeros((1, 4, 4))
    x[0, 1, 1] = x[0, 1, 0] = x[0, 0, 1] = 1.0  # three tied maxima in the first 2x2 window
    _, indices = kernels.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    assert indices[0].tolist() == [[1, 2], [8, 10]]  # (0,1) is first; the all-zero windows pick their first


def test_nan_wins_and_the_last_nan_is_reported():
    x = np.array([[[1.0, np.nan, 2.0, np.nan]]])
    values, indices = kernels.max_pool(x, (1, 4), (1, 4), (0, 0), (1, 1), (1, 1))
    assert np.isnan(values[0, 0, 0]) and indices[0, 0, 0] == 3


def test_all_minus_infinity_window_picks_its_first_element():
    x = np.full((1, 1, 3), -np.inf)
    values, indices = kernels.max_pool(x, (1, 2), (1, 1), (0, 1), (1, 1), (1, 4))
    assert indices.tolist() == [[[0, 0, 1, 2]]] and np.all(values == -np.inf)


def test_non_contiguous_and_integer_inputs_are_made_float_planes():
    x = np.arange(2 * 6 * 4, dtype=np.float64).reshape(2, 4, 6).transpose(0, 2, 1)  # (2, 6, 4), transposed
    values, _ = kernels.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), (3, 2))
    np.testing.assert_array_equal(values, kernels.max_pool_reference(x, (2, 2), (2, 2), (0, 0), (1, 1), (3, 2))[0])
    values, _ = kernels.max_pool(np.arange(4).reshape(1, 1, 4), (1, 2), (1, 2), (0, 0), (1, 1), (1, 2))
    assert values.dtype == np.float64 and values.tolist() == [[[1.0, 3.0]]]


@pytest.mark.parametrize(
    "count_include_pad, expected", [(True, [[4 / 9, 6 / 9], [6 / 9, 9 / 9]]), (False, [[1.0, 1.0], [1.0, 1.0]])]
)
def test_avg_divisors_with_and_without_padding(count_include_pad, expected):
    x = np.ones((1, 4, 4))
    divisors = kernels.avg_pool_divisors((4, 4), (3, 3), (2, 2), (1, 1), (2, 2), count_include_pad, None)
    np.testing.assert_allclose(kernels.avg_pool(x, (3, 3), (2, 2), (1, 1), divisors)[0], expected)


@settings(max_examples=30)
@given(
    st.integers(1, 4),
    st.integers(2, 9),
    st.integers(2, 9),
    st.sampled_from([np.float32, np.float64]),
    st.booleans(),
    st.integers(0, 2**32 - 1),
)
def test_2x2_fast_path_matches_the_general_kernel_and_the_reference(planes, height, width, dtype, ties, seed):
    """Values, offsets (as flat indices) and the backward, with NaNs, infinities and odd sizes."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((planes, height, width)).astype(dtype)
    if ties:
        x = np.round(x).astype(dtype)
    x[rng.random(x.shape) < 0.05] = np.nan
    x[rng.random(x.shape) < 0.05] = np.inf
    x[rng.random(x.shape) < 0.05] = -np.inf
    out_size = (height // 2, width // 2)
    values, offsets = kernels.max_pool_2x2(x)
    expected_values, expected_indices = kernels.max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), out_size)
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(kernels.offsets_to_indices(offsets, width), expected_indices)
    np.testing.assert_array_equal(
        kernels.max_pool_2x2_backward(np.nan_to_num(expected_values), offsets, (height, width)).reshape(planes, -1),
        kernels.scatter_add_planes_reference(
            np.nan_to_num(expected_values).reshape(planes, -1), expected_indices.reshape(planes, -1), height * width
        ),
    )
    assert kernels.is_2x2((2, 2), (2, 2), (0, 0), (1, 1)) and not kernels.is_2x2((2, 2), (1, 1), (0, 0), (1, 1))


# -- twins: the Numba code and its NumPy twin agree bit for bit ------------------------------
@st.composite
def pool_cases(draw: Any, dilated: bool = True) -> dict:
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilated else (1, 1)
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    size = (draw(st.integers(1, 9)), draw(st.integers(1, 9)))
    span = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    # at least one window; one more than floor mode gives sometimes (ceil mode)
    out = tuple(
        max(1, (n + 2 * p - w) // s + 1) + draw(st.integers(0, 1)) for n, p, w, s in zip(size, padding, span, stride)
    )
    return {
        "planes": draw(st.integers(1, 4)),
        "size": size,
        "window": (*kernel, *stride, *padding, *dilation),
        "out": out,
        "dtype": draw(st.sampled_from([np.float32, np.float64])),
        "rng": np.random.default_rng(draw(st.integers(0, 2**32 - 1))),
    }


@settings(max_examples=40)
@given(pool_cases())
def test_max_pool_and_scatter_add_twins(case):
    rng, dtype, planes, out = case["rng"], case["dtype"], case["planes"], case["out"]
    x = awkward(rng, (planes, *case["size"]), dtype)
    both(
        kernels._max_pool_forward,
        (x, *case["window"]),
        [np.full((planes, *out), 5.0, dtype), np.full((planes, *out), 9, np.int64)],
    )
    plane_size = case["size"][0] * case["size"][1]
    values = awkward(rng, (planes, out[0] * out[1]), dtype)
    indices = rng.integers(-1, plane_size, values.shape).astype(np.int64)  # repeats, and -1 (no input)
    both(kernels._scatter_add_planes, (values, indices), [np.zeros((planes, plane_size), dtype)])


@settings(max_examples=40)
@given(pool_cases(dilated=False))
def test_avg_pool_twins(case):
    rng, dtype, planes, out = case["rng"], case["dtype"], case["planes"], case["out"]
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w = case["window"][:6]
    x = awkward(rng, (planes, *case["size"]), dtype)
    divisors = rng.integers(1, 10, out).astype(dtype)
    window = (kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w)
    both(kernels._avg_pool_forward, (x, *window, divisors), [np.full((planes, *out), 3.0, dtype)])
    grad_out = awkward(rng, (planes, *out), dtype)
    both(kernels._avg_pool_backward, (grad_out, *window, divisors), [np.zeros((planes, *case["size"]), dtype)])


@settings(max_examples=30)
@given(
    st.integers(1, 4), st.integers(2, 9), st.integers(2, 9), st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**32 - 1),
)
def test_2x2_max_pool_twins(planes, height, width, dtype, seed):
    rng = np.random.default_rng(seed)
    x = awkward(rng, (planes, height, width), dtype)
    out = (planes, height // 2, width // 2)
    both(kernels._max_pool_2x2, (x,), [np.full(out, 4.0, dtype), np.full(out, 9, np.int8)])
    grad_out, offsets = awkward(rng, out, dtype), rng.integers(0, 4, out).astype(np.int8)
    both(kernels._max_pool_2x2_backward, (grad_out, offsets), [np.full((planes, height, width), 7.0, dtype)])
