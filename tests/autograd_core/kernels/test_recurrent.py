"""The recurrent kernels (``kernels/recurrent.py``): twins bit for bit, float32 exp accuracy.

The LSTM kernels' NumPy twins compute the Numba code's numbers bit for bit.

Each test draws shapes and values (ordinary magnitudes, values around exp's clamp at -87 and
88, huge and subnormal ones, +-inf, NaN, -0.0), runs the twin and the compiled kernel on
copies of the same arguments, and compares every argument afterwards: bits equal, NaN where
NaN (a NaN's sign and payload may differ).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from autograd_core.kernels import jit, recurrent
from tests.helpers import assert_same_bits

TWINS_TESTED = {
    recurrent.exp_float32_value, recurrent.exp_float32, recurrent.add_by_blocks, recurrent.lstm_gates_and_cell,
    recurrent.lstm_hidden, recurrent.lstm_step_backward, recurrent.lstm_step_float32,
}

SPECIAL_VALUES = [
    0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.0, -1.0, 88.0, 88.00001, -87.0, -87.00001, 87.99, -86.99,
    1e30, -1e30, 3.4e38, -3.4e38, 1e-40, -1e-45, 1e-310, 0.5, -0.5,
]


@st.composite
def values(draw: Any, shape: tuple, dtype: Any) -> np.ndarray:
    """Values at mixed magnitudes (10^-3 .. 10^3 times a normal draw) with special values mixed in."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    array = rng.standard_normal(shape) * 10.0 ** rng.uniform(-3, 3, shape)
    special = rng.random(shape) < draw(st.sampled_from([0.0, 0.05, 0.3]))
    array[special] = rng.choice(SPECIAL_VALUES, np.count_nonzero(special))
    return array.astype(dtype)


def _run_both(kernel: Any, *arguments: np.ndarray) -> None:
    """The twin and the Numba code on copies of ``arguments``: every argument compared afterwards."""
    for_twin = [argument.copy(order="K") for argument in arguments]  # K: a column-major argument stays so
    for_numba = [argument.copy(order="K") for argument in arguments]
    with np.errstate(all="ignore"):  # as Kernel.__call__ (inf - inf is NaN without a warning)
        kernel.numpy(*for_twin)
    kernel.compiled(*for_numba)
    for twin_result, numba_result in zip(for_twin, for_numba):
        assert_same_bits(twin_result, numba_result)


sizes = st.tuples(st.integers(1, 5), st.integers(1, 19))  # (N, H); H past a vector width, odd included
dtypes = st.sampled_from([np.float32, np.float64])


@settings(max_examples=40)
@given(st.data(), st.lists(st.integers(1, 9), min_size=1, max_size=3).map(tuple))
def test_exp_float32_twin_is_bit_identical(data, shape):
    x = data.draw(values(shape, np.float32))
    if data.draw(st.booleans()):  # the range exp sees in an LSTM, dense around the clamp
        x = data.draw(st.lists(st.floats(-100, 100, width=32), min_size=x.size, max_size=x.size).map(
            lambda floats: np.array(floats, np.float32).reshape(shape)))
    _run_both(recurrent.exp_float32, x)


@settings(max_examples=20)
@given(st.data(), st.integers(1, 40))
def test_exp_float32_value_twin_is_bit_identical(data, size):
    x = data.draw(values((size,), np.float32))
    twin_array = recurrent.exp_float32_value.numpy(x)  # the twin also takes a whole array
    for value, from_twin in zip(x, twin_array):
        assert_same_bits(np.float32(recurrent.exp_float32_value.compiled(value)), from_twin)
        assert_same_bits(np.float32(recurrent.exp_float32_value.numpy(value)), from_twin)


@settings(max_examples=30)
@given(st.data(), st.integers(1, 5), st.sampled_from([1, 3, 8, 127, 128, 129, 300]), st.booleans(), st.booleans())
def test_add_by_blocks_twin_is_bit_identical(data, rows, width, column_major, in_place):
    first, second = (data.draw(values((rows, width), np.float32)) for _ in range(2))
    second = np.asfortranarray(second) if column_major else second
    if in_place:  # total is first, as the forward's gates += product
        for_twin, for_numba = first.copy(), first.copy()
        with np.errstate(all="ignore"):
            recurrent.add_by_blocks.numpy(for_twin, for_twin, second)
        recurrent.add_by_blocks.compiled(for_numba, for_numba, second)
        assert_same_bits(for_twin, for_numba)
    else:
        _run_both(recurrent.add_by_blocks, np.empty_like(first), first, second)


def test_exp_float32_twin_refuses_a_strided_view_whose_exps_would_be_lost():
    values = np.zeros((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"in place on a C-contiguous array, got a strided \(3, 2\) view"):
        recurrent.exp_float32.numpy(values[:, ::2])


def test_exp_float32_twin_refuses_float64():
    with pytest.raises(TypeError, match="float32"):
        recurrent.exp_float32.numpy(np.zeros(3))


@settings(max_examples=30)
@given(st.data(), sizes, dtypes)
def test_lstm_gates_and_cell_twin_is_bit_identical(data, size, dtype):
    batch, hidden = size
    gates = data.draw(values((batch, 4 * hidden), dtype))
    if data.draw(st.booleans()):  # what the forward passes: exp of a pre-activation, >= 0
        gates = np.exp(np.clip(gates, -88, 88)).astype(dtype)
    cell_prev = data.draw(values((batch, hidden), dtype))
    _run_both(recurrent.lstm_gates_and_cell, gates, cell_prev, np.empty_like(cell_prev), np.empty_like(cell_prev))


@settings(max_examples=30)
@given(st.data(), sizes, dtypes)
def test_lstm_hidden_twin_is_bit_identical(data, size, dtype):
    batch, hidden = size
    gates, tanh_c = data.draw(values((batch, 4 * hidden), dtype)), data.draw(values((batch, hidden), dtype))
    _run_both(recurrent.lstm_hidden, gates, tanh_c, np.empty_like(tanh_c))


@settings(max_examples=30)
@given(st.data(), sizes)
def test_lstm_step_float32_twin_is_bit_identical(data, size):
    batch, hidden = size
    gates, product = (data.draw(values((batch, 4 * hidden), np.float32)) for _ in range(2))
    if data.draw(st.booleans()):  # what the forward passes: -x and -2x pre-activations of ordinary size
        gates, product = (np.clip(array, -20, 20) for array in (gates, product))
    cell_prev = data.draw(values((batch, hidden), np.float32))
    outputs = [np.zeros_like(cell_prev) for _ in range(3)]  # cell, tanh_c, hidden
    if data.draw(st.booleans()):  # column-major, as the forward's product from H = 256 on
        product = np.asfortranarray(product)
    bias = data.draw(values((4 * hidden,), np.float32))
    _run_both(recurrent.lstm_step_float32, gates, product, bias, cell_prev, *outputs)


@settings(max_examples=30)
@given(st.data(), sizes, dtypes)
def test_lstm_step_backward_twin_is_bit_identical(data, size, dtype):
    batch, hidden = size
    grad_out, grad_h, grad_c, cell_prev, tanh_c = (data.draw(values((batch, hidden), dtype)) for _ in range(5))
    gates = data.draw(values((batch, 4 * hidden), dtype))
    if data.draw(st.booleans()):  # activations as the forward leaves them: sigmoid in [0, 1], tanh in [-1, 1]
        gates = np.tanh(gates).astype(dtype)
        gates[:, : 2 * hidden] = np.abs(gates[:, : 2 * hidden])
        gates[:, 3 * hidden :] = np.abs(gates[:, 3 * hidden :])
        tanh_c = np.tanh(tanh_c).astype(dtype)
    if data.draw(st.booleans()):  # column-major, as the backward's dL/dh from H = 256 on
        grad_h = np.asfortranarray(grad_h)
    _run_both(recurrent.lstm_step_backward, grad_out, grad_h, grad_c, gates, cell_prev, tanh_c, np.zeros_like(grad_c))


@pytest.fixture
def restore_mode():
    previous = jit.get_mode()
    yield
    jit.set_mode(previous)


def _lstm_forward_backward(mode: str, dtype: Any, hidden: int) -> list[np.ndarray]:
    """Output, final states and every gradient of a 2-layer bidirectional LSTM under ``mode``."""
    jit.set_mode(mode)
    ag.manual_seed(0)
    layer = nn.LSTM(3, hidden, num_layers=2, bidirectional=True, dtype=dtype)
    rng = np.random.default_rng(1)
    x = ag.tensor((rng.standard_normal((4, 2, 3)) * 3).astype(dtype), requires_grad=True)
    h0, c0 = (ag.tensor(rng.standard_normal((4, 2, hidden)).astype(dtype), requires_grad=True) for _ in range(2))
    output, (h_n, c_n) = layer(x, (h0, c0))
    loss = (output * output).sum() + (h_n * c_n).sum() + c_n.sum()
    loss.backward()
    results = [output.array, h_n.array, c_n.array, x.grad.array, h0.grad.array, c0.grad.array]
    return results + [p.grad.array for p in layer.parameters()]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("hidden", [5, 256])  # 256: the step's product is column-major (nn/recurrence.py)
def test_lstm_forward_and_backward_are_bit_identical_with_twins_and_with_numba(dtype, hidden, restore_mode):
    with_twins = _lstm_forward_backward("numpy", dtype, hidden)
    with_numba = _lstm_forward_backward("wait", dtype, hidden)
    assert len(with_twins) == len(with_numba) == 6 + 16
    for twin_result, numba_result in zip(with_twins, with_numba):
        assert_same_bits(twin_result, numba_result)


def test_float32_exp_kernel_is_within_two_ulp_and_keeps_nan():
    rng = np.random.default_rng(5)
    edges = [0.0, -0.0, 1e-30, -1e-30, 87.9, -86.9]
    values = np.concatenate([rng.uniform(-87, 88, 4000), rng.standard_normal(1000), edges])
    values = values.astype(np.float32).reshape(2, -1)
    result = values.copy()
    recurrent.exp_float32(result)
    reference = np.exp(values.astype(np.float64))
    assert np.all(np.abs(result - reference) <= 2 * np.spacing(reference.astype(np.float32)))
    edges = np.array([np.nan, np.inf, -np.inf, 200.0, -200.0, 88.0, -87.0, 5.0], dtype=np.float32)
    out = edges.copy()
    recurrent.exp_float32(out)
    assert np.isnan(out[0]) and np.all(np.isfinite(out[1:]))  # saturates: 1 / (1 + exp) still gives 0 and 1
    assert out[1] > 1e38 and 0 < out[2] < 1e-37 and out[3] == out[5] and out[4] == out[6]
