"""GELU's float32 normal CDF (``kernels/gelu.py``): the twin gives the Numba kernel's numbers bit
for bit, the rational erf is within its stated error of the C library's, and GELU in float32
(values and gradients) agrees with PyTorch's as closely as PyTorch agrees with float64."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.kernels import gelu
from tests.helpers import assert_same_bits, requires_torch, torch

TWINS_TESTED = {gelu._normal_cdf_float32}

SPECIAL_VALUES = [0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-45, 5.65, -5.66, 5.7, 30.0, -1e30]


@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1), st.integers(0, 300))
def test_normal_cdf_twin_is_bit_identical(seed, size):
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(size) * 10.0 ** rng.uniform(-4, 1.2, size)
    special_values = rng.random(size) < 0.1
    values[special_values] = rng.choice(SPECIAL_VALUES, np.count_nonzero(special_values))
    values = values.astype(np.float32)
    twin, numba = np.empty_like(values), np.empty_like(values)
    with np.errstate(all="ignore"):
        gelu._normal_cdf_float32.numpy(values, twin)
    gelu._normal_cdf_float32.compiled(values, numba)
    assert_same_bits(twin, numba)


def test_normal_cdf_is_within_its_stated_error_and_saturates():
    values = np.concatenate([np.linspace(-9, 9, 100001), np.geomspace(1e-30, 1, 200)]).astype(np.float32)
    cdf = gelu.normal_cdf(values)
    error = np.abs(cdf - gelu.normal_cdf_reference(values.astype(np.float64)))
    assert cdf.dtype == np.float32 and error.max() < 2.5e-7  # erf within 3.9e-7, halved, plus rounding
    assert gelu.normal_cdf(np.array([-6.0, 6.0, np.inf, -np.inf], np.float32)).tolist() == [0.0, 1.0, 1.0, 0.0]
    assert np.isnan(gelu.normal_cdf(np.array([np.nan], np.float32))).all()
    exact = gelu.normal_cdf(np.array([0.3, -2.0]))  # float64: the C library's erf
    np.testing.assert_allclose(exact, [0.5 * (1 + math.erf(x / math.sqrt(2))) for x in (0.3, -2.0)], rtol=1e-15)


@requires_torch
@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_float32_gelu_agrees_with_pytorch_as_closely_as_pytorch_with_float64(approximate):
    values = (np.random.default_rng(0).standard_normal(200_000) * 3).astype(np.float32)
    upstream = np.random.default_rng(1).standard_normal(values.shape).astype(np.float32)
    x = ag.tensor(values, requires_grad=True)
    out = ag.gelu(x, approximate=approximate)
    out.backward(ag.tensor(upstream))
    exact = torch.tensor(values.astype(np.float64), requires_grad=True)
    exact_out = torch.nn.functional.gelu(exact, approximate=approximate)
    exact_out.backward(torch.tensor(upstream.astype(np.float64)))
    theirs = torch.tensor(values, requires_grad=True)
    theirs_out = torch.nn.functional.gelu(theirs, approximate=approximate)
    theirs_out.backward(torch.tensor(upstream))
    pairs = ((out.array, theirs_out, exact_out), (x.grad.array, theirs.grad, exact.grad))
    for ours_value, their_value, exact_value in pairs:
        their_error = np.abs(their_value.detach().numpy() - exact_value.detach().numpy()).max()
        our_error = np.abs(ours_value - exact_value.detach().numpy()).max()
        assert ours_value.dtype == np.float32 and our_error <= 2 * their_error + 1e-7
