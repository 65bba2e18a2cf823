"""How one recurrent layer-direction runs (``nn/recurrence.py``): the fused nodes against
central differences, PyTorch's cell functions and the step-by-step composition."""
import numpy as np
import pytest

import autograd_core as ag
import nn
from autograd_core import blas
from nn.recurrence import run_sequence
from tests.helpers import check_op, torch

LAYERS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
MODES = ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- gradcheck and gradgradcheck in float64, fused and unfused ----------------------------------
def _step_op(mode, fused, steps=1, reverse=False):
    """op(x, h0, [c0], w_ih, w_hh, b_ih, b_hh): the layer-direction over ``steps`` steps."""

    def op(*tensors):
        if mode == "LSTM":
            x, h0, c0, w_ih, w_hh, b_ih, b_hh = tensors
        else:
            (x, h0, w_ih, w_hh, b_ih, b_hh), c0 = tensors, None
        return run_sequence(mode, x, w_ih, b_ih, h0, c0, w_hh, b_hh, reverse, fused)

    return op


def _torch_cell(mode):
    def op(*tensors):
        if mode == "LSTM":
            x, h0, c0, *weights = tensors
            return torch.stack(torch.lstm_cell(x[0], (h0, c0), *weights))
        x, h0, *weights = tensors
        function = {"RNN_TANH": torch.rnn_tanh_cell, "RNN_RELU": torch.rnn_relu_cell, "GRU": torch.gru_cell}[mode]
        return function(x[0], h0, *weights)[None]

    return op


def _arrays(mode, steps, rng, batch=2, input_size=3, hidden=2):
    gates = GATES[mode] * hidden
    arrays = [rng.uniform(-1, 1, (steps, batch, input_size)), rng.uniform(-1, 1, (batch, hidden))]
    if mode == "LSTM":
        arrays.append(rng.uniform(-1, 1, (batch, hidden)))
    arrays += [rng.uniform(-1, 1, (gates, input_size)), rng.uniform(-1, 1, (gates, hidden))]
    arrays += [rng.uniform(-1, 1, (gates,)), rng.uniform(-1, 1, (gates,))]
    return arrays


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fused", [True, False])
def test_cell_step_gradcheck_gradgradcheck_and_pytorch(mode, fused):
    arrays = _arrays(mode, 1, np.random.default_rng(1))
    if mode == "RNN_RELU":  # keep pre-activations away from relu's kink
        arrays[1] = np.abs(arrays[1]) + 0.1
        arrays[-1] = np.abs(arrays[-1]) + 0.5
    check_op(_step_op(mode, fused), arrays, _torch_cell(mode) if torch is not None else None)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("reverse", [False, True])
def test_fused_sequence_gradcheck_over_several_steps(mode, reverse):
    arrays = _arrays(mode, 3, np.random.default_rng(2))
    if mode == "RNN_RELU":
        arrays[-1] = np.abs(arrays[-1]) + 0.5
    check_op(_step_op(mode, True, 3, reverse), arrays, gradgrad=reverse)  # gradgrad: the recomputed path


@pytest.mark.parametrize("mode", MODES)
def test_fused_and_unfused_give_the_same_values_and_gradients(mode):
    arrays = _arrays(mode, 4, np.random.default_rng(3), batch=3, input_size=5, hidden=4)
    results = []
    for fused in (True, False):
        tensors = [ag.tensor(a, requires_grad=True) for a in arrays]
        out = _step_op(mode, fused, reverse=True)(*tensors)
        (out * ag.tensor(np.random.default_rng(4).standard_normal(out.shape))).sum().backward()
        results.append([out.array] + [t.grad.array for t in tensors])
    for fused_value, unfused_value in zip(*results):
        np.testing.assert_allclose(fused_value, unfused_value, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lstm_with_the_column_major_step_product_matches_the_unfused_composition(dtype, monkeypatch):
    """From hidden size 256 on, the fused LSTM writes each step's h W_hh^T column-major (on NumPy's BLAS:
    with MKL the products are row-major, tested in tests/autograd_core/test_blas.py)."""
    monkeypatch.setenv(blas.ENVIRONMENT_VARIABLE, "numpy")
    arrays = [a.astype(dtype) for a in _arrays("LSTM", 3, np.random.default_rng(5), batch=2, hidden=256)]
    results = []
    for fused in (True, False):
        tensors = [ag.tensor(a, requires_grad=True) for a in arrays]
        out = _step_op("LSTM", fused)(*tensors)
        (out * ag.tensor(np.random.default_rng(6).standard_normal(out.shape).astype(dtype))).sum().backward()
        results.append([out.array] + [t.grad.array for t in tensors])
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-5}
    for fused_value, unfused_value in zip(*results):
        np.testing.assert_allclose(fused_value, unfused_value, **tolerance)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_a_second_backward_with_retain_graph_gives_the_same_gradients(kind):
    """The LSTM backward overwrites its saved gate activations; a second backward recomputes them."""
    layer = LAYERS[kind](3, 4, bidirectional=True).double()
    x = ag.tensor(np.random.default_rng(7).standard_normal((5, 2, 3)), requires_grad=True)
    output, _ = layer(x)
    loss = (output * output).sum()
    loss.backward(retain_graph=True)
    first = [x.grad.array.copy()] + [p.grad.array.copy() for p in layer.parameters()]
    layer.zero_grad()
    x.grad = None
    loss.backward()
    second = [x.grad.array] + [p.grad.array for p in layer.parameters()]
    for a, b in zip(first, second):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_fused_layer_is_one_node_per_layer_direction():
    layer = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    output, _ = layer(ag.randn(5, 2, 3))
    names, seen, stack = [], set(), [output.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen or node.name() == "AccumulateGrad":
            continue
        seen.add(id(node))
        names.append(node.name())
        stack.extend(child for child, _ in node.next_functions)
    assert names.count("LSTMSequenceBackward") == 4
    assert "TanhBackward" not in names and "SigmoidBackward" not in names
