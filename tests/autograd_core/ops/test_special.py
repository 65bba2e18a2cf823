"""``erfc`` and ``erfinv`` (autograd_core/ops/special.py): values against PyTorch (in the tails
too), gradients through ``check_op``, and the edges (±1, outside [-1, 1], integer input)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import autograd_core as ag
from tests.helpers import check_op, float_arrays, requires_torch, shapes, torch


@settings(max_examples=10)
@given(array=shapes(max_dims=3, max_side=3).flatmap(lambda shape: float_arrays(shape, low=-3.0, high=3.0)))
def test_erfc_gradients(array):
    check_op(ag.erfc, [array], lambda x: torch.erfc(x))


@settings(max_examples=10)
@given(array=shapes(max_dims=3, max_side=3).flatmap(lambda shape: float_arrays(shape, low=-0.95, high=0.95)))
def test_erfinv_gradients(array):
    check_op(ag.erfinv, [array], lambda x: torch.erfinv(x))


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfc_stays_accurate_where_one_minus_erf_rounds_to_zero(dtype):
    values = np.linspace(-6.0, 9.0, 151).astype(dtype)
    expected = torch.erfc(torch.tensor(values)).numpy()
    ours = ag.erfc(ag.tensor(values))
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.array, expected, rtol=1e-6 if dtype == np.float32 else 1e-13, atol=0)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erfinv_matches_pytorch_up_to_the_ends(dtype):
    values = np.concatenate([np.linspace(-1.0, 1.0, 2001), [1 - 1e-7, -1 + 1e-7, 1.5, -2.0, np.nan]]).astype(dtype)
    expected = torch.erfinv(torch.tensor(values)).numpy()
    ours = ag.erfinv(ag.tensor(values))
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.array, expected, rtol=2e-6 if dtype == np.float32 else 1e-11, atol=1e-6)
    assert ours.array[0] == -np.inf and ours.array[2000] == np.inf


def test_erfc_and_erfinv_of_integers_are_float32_and_have_method_and_in_place_forms():
    assert ag.erfc(ag.tensor([0, 1])).dtype == np.float32
    assert ag.tensor([True, False]).erfinv().dtype == np.float32
    x = ag.tensor([0.5, -0.25])
    expected = x.erfinv().array.copy()
    assert x.erfinv_() is x
    np.testing.assert_array_equal(x.array, expected)
    np.testing.assert_allclose(ag.erf(ag.tensor([0.3])).array, ag.tensor([0.3]).erf().array)
