"""The row kernels of LayerNorm and RMSNorm (``kernels/layer_norm.py``): the twins give the Numba
code's numbers bit for bit, and the kernels compute what the formulas say.

Each bit-identity test draws (M, D) (D below, at and past the lane count, odd included), values
at mixed magnitudes with NaN, +-inf and -0.0 mixed in (``twins.awkward``), centred or not, with
or without weight and bias, runs the twin and the compiled kernel on copies of the same
arguments and compares every output.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.kernels import layer_norm
from tests.autograd_core.kernels.twins import awkward, both
from tests.helpers import assert_same_bits

TWINS_TESTED = {layer_norm.lane_sum, layer_norm.layer_norm_forward, layer_norm.layer_norm_backward}

shapes = st.tuples(st.integers(0, 6), st.sampled_from([1, 3, 7, 8, 9, 16, 19, 40]))
# many rows and few columns: the twin's sums of the parameter gradients over the rows (``_add_rows_in_order``)
tall_shapes = st.tuples(st.integers(100, 400), st.sampled_from([1, 2, 3, 9]))
dtypes = st.sampled_from([np.float32, np.float64])


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(0, 70), dtypes, st.booleans())
def test_lane_sum_twin_is_bit_identical(seed, size, dtype, specials):
    values = awkward(np.random.default_rng(seed), (size,), dtype, specials)
    lanes = np.empty(layer_norm.LANES, dtype)
    with np.errstate(all="ignore"):
        twin = layer_norm.lane_sum.numpy(values, lanes, dtype(0))
    compiled = layer_norm.lane_sum.compiled(values, lanes, dtype(0))  # Numba boxes a float32 as a Python float
    assert np.asarray(twin).dtype == dtype
    assert np.isnan(compiled) or dtype(compiled) == compiled  # a value of the dtype
    assert_same_bits(np.asarray(twin), np.asarray(compiled, dtype))


def _forward_inputs(rng: np.random.Generator, shape: tuple, dtype: type, specials: bool) -> tuple:
    x = awkward(rng, shape, dtype, specials)
    weight, bias = awkward(rng, shape[1:], dtype, specials), awkward(rng, shape[1:], dtype, specials)
    return x, weight, bias


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), shapes, dtypes, st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_forward_twin_is_bit_identical(seed, shape, dtype, centered, affine, biased, specials):
    rng = np.random.default_rng(seed)
    x, weight, bias = _forward_inputs(rng, shape, dtype, specials)
    outputs = [np.empty(shape, dtype), np.empty(shape[0], dtype), np.empty(shape[0], dtype)]
    both(layer_norm.layer_norm_forward, (x, weight, bias), outputs,
         (dtype(rng.choice([1e-5, 1e-3, 0.0])), dtype(shape[1]), centered, affine, biased))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.one_of(shapes, tall_shapes), dtypes, st.booleans(), st.booleans(), st.booleans(),
       st.booleans())
def test_backward_twin_is_bit_identical(seed, shape, dtype, centered, affine, specials, wide_sums):
    rng = np.random.default_rng(seed)
    x, weight, _ = _forward_inputs(rng, shape, dtype, specials)
    grad = awkward(rng, shape, dtype, specials)
    mean, inv_std = np.empty(shape[0], dtype), np.empty(shape[0], dtype)
    with np.errstate(all="ignore"):
        layer_norm.layer_norm_forward.numpy(
            x, weight, weight, np.empty(shape, dtype), mean, inv_std, dtype(1e-5), dtype(shape[1]), centered, True, True
        )
    sums = np.float64 if wide_sums else dtype  # the parameter gradients may be summed in a wider dtype
    outputs = [np.empty(shape, dtype), awkward(rng, shape[1:], sums, False), awkward(rng, shape[1:], sums, False)]
    both(layer_norm.layer_norm_backward, (x, grad, weight, mean, inv_std), outputs,
         (dtype(shape[1]), centered, affine))


def _reference(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, grad: np.ndarray, eps: float, centered: bool):
    """LayerNorm (RMSNorm if not centred) and its gradients in float64 from the textbook formulas."""
    mean = x.mean(1, keepdims=True) if centered else np.zeros((len(x), 1))
    inv_std = 1 / np.sqrt(((x - mean) ** 2).mean(1, keepdims=True) + eps)
    normalized = (x - mean) * inv_std
    g = grad * weight
    shift = g.mean(1, keepdims=True) if centered else 0
    grad_x = inv_std * (g - shift - normalized * (g * normalized).mean(1, keepdims=True))
    return normalized * weight + bias, mean[:, 0], inv_std[:, 0], grad_x, (grad * normalized).sum(0), grad.sum(0)


def test_kernels_compute_layer_norm_and_rms_norm_and_their_gradients():
    rng = np.random.default_rng(0)
    for dtype, tolerance in ((np.float64, 1e-11), (np.float32, 2e-4)):
        for size in (5, 8, 128, 203):
            for centered in (True, False):
                x = rng.standard_normal((9, size)) * 3 + (2 if centered else 0)
                weight, bias = rng.uniform(0.5, 2, size), rng.standard_normal(size)
                grad = rng.standard_normal((9, size))
                expected = _reference(x, weight, bias, grad, 1e-5, centered)
                x, weight, bias, grad = (a.astype(dtype) for a in (x, weight, bias, grad))
                out, mean, inv_std = np.empty_like(x), np.empty(9, dtype), np.empty(9, dtype)
                layer_norm.layer_norm_forward(x, weight, bias, out, mean, inv_std, dtype(1e-5), dtype(size),
                                              centered, True, True)
                grad_x, grad_weight, grad_bias = np.empty_like(x), np.zeros(size, dtype), np.zeros(size, dtype)
                layer_norm.layer_norm_backward(x, grad, weight, mean, inv_std, grad_x, grad_weight, grad_bias,
                                               dtype(size), centered, True)
                for ours, exact in zip((out, mean, inv_std, grad_x, grad_weight, grad_bias), expected):
                    assert ours.dtype == dtype
                    np.testing.assert_allclose(ours, exact, rtol=tolerance, atol=tolerance)
