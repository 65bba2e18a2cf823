"""Every kernel's NumPy twin computes the Numba code's numbers bit for bit.

This is what lets the engine run a twin while Numba loads in the background
(``kernels/jit.py``): which of the two ran never shows in a result. Inputs mix
magnitudes from 1e-3 to 1e3 (so the order of a sum matters), ties, NaN, +-inf and -0.0.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import conv, pool
from tests.helpers import assert_same_bits

TWINS_TESTED = {
    conv._im2col, conv._col2im, conv._im2col_wide, conv._col2im_wide,
    pool._max_pool_forward, pool._scatter_add_planes, pool._avg_pool_forward, pool._avg_pool_backward,
    pool._max_pool_2x2, pool._max_pool_2x2_backward,
}


def awkward(rng: np.random.Generator, shape: tuple, dtype: Any, specials: bool = True) -> np.ndarray:
    """Values whose sums depend on their order, with ties, and (``specials``) NaN, +-inf, -0.0."""
    x = rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape)
    if specials:
        u = rng.random(shape)
        x[u < 0.1] = np.round(x[u < 0.1])  # ties
        x[(u >= 0.1) & (u < 0.14)] = -0.0
        x[(u >= 0.14) & (u < 0.16)] = np.nan
        x[(u >= 0.16) & (u < 0.18)] = np.inf
        x[(u >= 0.18) & (u < 0.2)] = -np.inf
    return x.astype(dtype)


def both(kernel: Any, inputs: tuple, outputs: list[np.ndarray], scalars: tuple = ()) -> None:
    """Run the Numba code and the twin on copies of ``outputs`` (pre-filled, since some
    kernels accumulate into them) and assert the same bits in every output."""
    compiled, twin = [o.copy() for o in outputs], [o.copy() for o in outputs]
    kernel.compiled(*inputs, *compiled, *scalars)
    with np.errstate(all="ignore"):  # as Kernel.__call__ runs twins: inf - inf is NaN without a warning
        kernel.numpy(*inputs, *twin, *scalars)
    for a, b in zip(twin, compiled):
        assert_same_bits(a, b)


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
    im2col, col2im = (conv._im2col_wide, conv._col2im_wide) if wide else (conv._im2col, conv._col2im)
    both(im2col, (padded,), [np.full(cols_shape, np.nan, dtype)], case["geometry"])
    cols = awkward(rng, cols_shape, dtype)
    both(col2im, (cols,), [np.full(padded.shape, 7.0, dtype)], case["geometry"])


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
        pool._max_pool_forward,
        (x, *case["window"]),
        [np.full((planes, *out), 5.0, dtype), np.full((planes, *out), 9, np.int64)],
    )
    plane_size = case["size"][0] * case["size"][1]
    values = awkward(rng, (planes, out[0] * out[1]), dtype)
    indices = rng.integers(-1, plane_size, values.shape).astype(np.int64)  # repeats, and -1 (no input)
    both(pool._scatter_add_planes, (values, indices), [np.zeros((planes, plane_size), dtype)])


@settings(max_examples=40)
@given(pool_cases(dilated=False))
def test_avg_pool_twins(case):
    rng, dtype, planes, out = case["rng"], case["dtype"], case["planes"], case["out"]
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w = case["window"][:6]
    x = awkward(rng, (planes, *case["size"]), dtype)
    divisors = rng.integers(1, 10, out).astype(dtype)
    window = (kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w)
    both(pool._avg_pool_forward, (x, *window, divisors), [np.full((planes, *out), 3.0, dtype)])
    grad_out = awkward(rng, (planes, *out), dtype)
    both(pool._avg_pool_backward, (grad_out, *window, divisors), [np.zeros((planes, *case["size"]), dtype)])


@settings(max_examples=30)
@given(
    st.integers(1, 4), st.integers(2, 9), st.integers(2, 9), st.sampled_from([np.float32, np.float64]),
    st.integers(0, 2**32 - 1),
)
def test_2x2_max_pool_twins(planes, height, width, dtype, seed):
    rng = np.random.default_rng(seed)
    x = awkward(rng, (planes, height, width), dtype)
    out = (planes, height // 2, width // 2)
    both(pool._max_pool_2x2, (x,), [np.full(out, 4.0, dtype), np.full(out, 9, np.int8)])
    grad_out, offsets = awkward(rng, out, dtype), rng.integers(0, 4, out).astype(np.int8)
    both(pool._max_pool_2x2_backward, (grad_out, offsets), [np.full((planes, height, width), 7.0, dtype)])
