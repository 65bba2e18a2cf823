"""The GRU kernels (``kernels/gru.py``): twins bit for bit, and the fused GRU node gives the same
bits whether the twins or the Numba code ran.

Each twin test draws shapes and values (ordinary magnitudes, values around exp's clamp, huge and
subnormal ones, +-inf, NaN, -0.0; see ``test_recurrent``), runs the twin and the compiled kernel on
copies of the same arguments, and compares every argument afterwards.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.kernels import gru, jit
from tests.autograd_core.kernels.test_recurrent import _run_both, dtypes, sizes, values
from tests.helpers import assert_same_bits

TWINS_TESTED = {gru.gru_step_float32, gru.gru_step_backward}


@settings(max_examples=40)
@given(st.data(), sizes, st.booleans())
def test_gru_step_float32_twin_is_bit_identical(data, size, with_bias):
    batch, hidden = size
    gates, product = (data.draw(values((batch, 3 * hidden), np.float32)) for _ in range(2))
    if data.draw(st.booleans()):  # pre-activations of ordinary size, as in training
        gates, product = (np.clip(array, -20, 20) for array in (gates, product))
    bias = data.draw(values((3 * hidden,), np.float32)) if with_bias else np.full(3 * hidden, -0.0, np.float32)
    hidden_prev = data.draw(values((batch, hidden), np.float32))
    outputs = [np.zeros_like(hidden_prev) for _ in range(2)]  # hidden_n, hidden
    _run_both(gru.gru_step_float32, gates, product, bias, hidden_prev, *outputs)


@settings(max_examples=40)
@given(st.data(), sizes, dtypes)
def test_gru_step_backward_twin_is_bit_identical(data, size, dtype):
    batch, hidden = size
    grad_out, carry, product, hidden_n, hidden_prev = (data.draw(values((batch, hidden), dtype)) for _ in range(5))
    gates = data.draw(values((batch, 3 * hidden), dtype))
    if data.draw(st.booleans()):  # activations as the forward leaves them: sigmoid in [0, 1], tanh in [-1, 1]
        gates = np.tanh(gates).astype(dtype)
        gates[:, : 2 * hidden] = np.abs(gates[:, : 2 * hidden])
    _run_both(gru.gru_step_backward, grad_out, carry, product, gates, hidden_n, hidden_prev,
              np.zeros_like(gates))


def test_the_float64_step_matches_numpys_tanh_and_sigmoid():
    """Other dtypes than float32 take NumPy's exp and tanh in the same whole-array steps."""
    rng = np.random.default_rng(2)
    gates, product, bias = rng.standard_normal((3, 6)), rng.standard_normal((3, 6)), rng.standard_normal(6)
    hidden_prev, hidden_n, hidden = rng.standard_normal((3, 2)), np.empty((3, 2)), np.empty((3, 2))
    expected_r_z = 1 / (1 + np.exp(-(gates[:, :4] + (product[:, :4] + bias[:4]))))
    expected_n = np.tanh(gates[:, 4:] + expected_r_z[:, :2] * (product[:, 4:] + bias[4:]))
    step = gru.gru_step_pointwise(gates, product, bias, hidden_prev, hidden_n, hidden)
    step(gates, product, bias, hidden_prev, hidden_n, hidden)
    assert_same_bits(gates, np.concatenate([expected_r_z, expected_n], axis=1))
    assert_same_bits(hidden, (hidden_prev - expected_n) * expected_r_z[:, 2:] + expected_n)


@pytest.fixture
def restore_mode():
    previous = jit.get_mode()
    yield
    jit.set_mode(previous)


def _gru_forward_backward(mode: str, dtype: Any, hidden: int, bias: bool) -> list[np.ndarray]:
    """Output, final state and every gradient of a 2-layer bidirectional GRU under ``mode``."""
    jit.set_mode(mode)
    ag.manual_seed(0)
    layer = nn.GRU(3, hidden, num_layers=2, bidirectional=True, bias=bias, dtype=dtype)
    rng = np.random.default_rng(1)
    x = ag.tensor((rng.standard_normal((4, 2, 3)) * 3).astype(dtype), requires_grad=True)
    h0 = ag.tensor(rng.standard_normal((4, 2, hidden)).astype(dtype), requires_grad=True)
    output, h_n = layer(x, h0)
    loss = (output * output).sum() + (h_n * h_n).sum() + h_n.sum()
    loss.backward()
    return [output.array, h_n.array, x.grad.array, h0.grad.array] + [p.grad.array for p in layer.parameters()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("hidden", "bias"), [(5, True), (5, False), (256, True)])
def test_gru_forward_and_backward_are_bit_identical_with_twins_and_with_numba(dtype, hidden, bias, restore_mode):
    with_twins = _gru_forward_backward("numpy", dtype, hidden, bias)
    with_numba = _gru_forward_backward("wait", dtype, hidden, bias)
    assert len(with_twins) == len(with_numba) == 4 + (16 if bias else 8)
    for twin_result, numba_result in zip(with_twins, with_numba):
        assert_same_bits(twin_result, numba_result)
