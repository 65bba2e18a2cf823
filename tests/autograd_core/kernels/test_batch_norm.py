"""The channel kernels of BatchNorm (``kernels/batch_norm.py``): the twins give the Numba code's
numbers bit for bit, and the kernels compute what the formulas say.

Each bit-identity test draws x (N, C, S) (S below, at and past the lane count, odd included),
values at mixed magnitudes with NaN, +-inf and -0.0 mixed in (``twins.awkward``), with or without
weight and bias, runs the twin and the compiled kernel on copies of the same arguments and
compares every output.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import batch_norm
from tests.autograd_core.kernels.twins import awkward, both

TWINS_TESTED = {batch_norm.batch_norm_forward, batch_norm.batch_norm_backward}

shapes = st.tuples(st.integers(1, 5), st.integers(1, 4), st.sampled_from([1, 3, 7, 8, 9, 16, 19, 40]))
dtypes = st.sampled_from([np.float32, np.float64])


def _statistics(x: np.ndarray, eps: float) -> tuple:
    """The forward twin's mean and inv_std of x (N, C, S), for the backward's inputs."""
    channels, dtype = x.shape[1], x.dtype
    mean, var, inv_std = np.empty(channels, dtype), np.empty(channels, dtype), np.empty(channels, dtype)
    with np.errstate(all="ignore"):
        batch_norm.batch_norm_forward.numpy(x, x[0, :, 0], x[0, :, 0], np.empty_like(x), mean, var, inv_std,
                                            dtype.type(eps), dtype.type(x.shape[0] * x.shape[2]), False, False)
    return mean, inv_std


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), shapes, dtypes, st.booleans(), st.booleans(), st.booleans())
def test_forward_twin_is_bit_identical(seed, shape, dtype, affine, biased, specials):
    rng = np.random.default_rng(seed)
    x = awkward(rng, shape, dtype, specials)
    weight, bias = awkward(rng, shape[1:2], dtype, specials), awkward(rng, shape[1:2], dtype, specials)
    outputs = [np.empty(shape, dtype)] + [np.empty(shape[1], dtype) for _ in range(3)]
    count = dtype(shape[0] * shape[2])
    both(batch_norm.batch_norm_forward, (x, weight, bias), outputs,
         (dtype(rng.choice([1e-5, 1e-3, 0.0])), count, affine, biased))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), shapes, dtypes, st.booleans(), st.booleans(), st.booleans())
def test_backward_twin_is_bit_identical(seed, shape, dtype, affine, need_x, specials):
    rng = np.random.default_rng(seed)
    x, grad = awkward(rng, shape, dtype, specials), awkward(rng, shape, dtype, specials)
    weight = awkward(rng, shape[1:2], dtype, specials)
    mean, inv_std = _statistics(x, 1e-5)
    outputs = [np.empty(shape if need_x else (0, 0, 0), dtype), np.empty(shape[1], dtype), np.empty(shape[1], dtype)]
    both(batch_norm.batch_norm_backward, (x, grad, weight, mean, inv_std), outputs,
         (dtype(shape[0] * shape[2]), affine, need_x))


def test_kernels_compute_batch_norm_and_its_gradients():
    """Against the textbook formulas in float64, for channels of one, several and many values."""
    rng = np.random.default_rng(0)
    for dtype, tolerance in ((np.float64, 1e-11), (np.float32, 3e-4)):
        for shape in ((2, 3, 1), (5, 4, 7), (8, 3, 130)):
            x = rng.standard_normal(shape) * 3 + 2
            weight, bias = rng.uniform(0.5, 2, shape[1]), rng.standard_normal(shape[1])
            grad = rng.standard_normal(shape)
            mean = x.mean((0, 2), keepdims=True)
            var = ((x - mean) ** 2).mean((0, 2), keepdims=True)
            inv_std = 1 / np.sqrt(var + 1e-5)
            x_hat = (x - mean) * inv_std
            w = weight[:, None]
            expected_out = x_hat * w + bias[:, None]
            g = grad * w
            projection = x_hat * (g * x_hat).mean((0, 2), keepdims=True)
            expected_grad_x = inv_std * (g - g.mean((0, 2), keepdims=True) - projection)
            x, weight, bias, grad = (a.astype(dtype) for a in (x, weight, bias, grad))
            count = dtype(shape[0] * shape[2])
            out, stats = np.empty_like(x), [np.empty(shape[1], dtype) for _ in range(3)]
            batch_norm.batch_norm_forward(x, weight, bias, out, *stats, dtype(1e-5), count, True, True)
            grad_x, grad_weight, grad_bias = np.empty_like(x), np.empty(shape[1], dtype), np.empty(shape[1], dtype)
            batch_norm.batch_norm_backward(x, grad, weight, stats[0], stats[2], grad_x, grad_weight, grad_bias,
                                           count, True, True)
            exact = (expected_out, mean.ravel(), var.ravel(), inv_std.ravel(), expected_grad_x,
                     (grad * x_hat).sum((0, 2)), grad.sum((0, 2)))
            for ours, reference in zip((out, *stats, grad_x, grad_weight, grad_bias), exact):
                assert ours.dtype == dtype
                np.testing.assert_allclose(ours, reference, rtol=tolerance, atol=tolerance * np.sqrt(x.size))
