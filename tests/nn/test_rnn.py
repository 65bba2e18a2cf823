import contextlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
from nn.recurrence import run_sequence
from tests.helpers import check_op, requires_torch, torch

try:  # small matmuls on a machine shared by many processes: extra BLAS threads only contend
    from threadpoolctl import threadpool_limits
except ImportError:
    threadpool_limits = None

LAYERS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
MODES = ["RNN_TANH", "RNN_RELU", "LSTM", "GRU"]
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def one_blas_thread():
    return threadpool_limits(1) if threadpool_limits is not None else contextlib.nullcontext()


# -- parity with PyTorch: outputs, final states and every gradient -----------------------------
def _run_both(kind, fused, sizes, options, rng, unbatched=False):
    steps, batch, input_size, hidden = sizes
    reference = getattr(torch.nn, kind)(input_size, hidden, **options).double()
    layer = LAYERS[kind](input_size, hidden, **options).double()
    layer.fused = fused
    layer.load_state_dict({name: value.detach().numpy() for name, value in reference.state_dict().items()})
    states = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    if unbatched:
        x_shape, state_shape = (steps, input_size), (states, hidden)
    else:
        x_shape = (batch, steps, input_size) if options.get("batch_first") else (steps, batch, input_size)
        state_shape = (states, batch, hidden)
    arrays = [rng.standard_normal(x_shape), rng.standard_normal(state_shape), rng.standard_normal(state_shape)]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    ours = [ag.tensor(a, requires_grad=True) for a in arrays]
    if kind == "LSTM":
        out_t, (h_t, c_t) = reference(theirs[0], (theirs[1], theirs[2]))
        out_o, (h_o, c_o) = layer(ours[0], (ours[1], ours[2]))
        results = [(out_o, out_t), (h_o, h_t), (c_o, c_t)]
    else:
        out_t, h_t = reference(theirs[0], theirs[1])
        out_o, h_o = layer(ours[0], ours[1])
        results = [(out_o, out_t), (h_o, h_t)]
        ours, theirs = ours[:2], theirs[:2]
    loss_o, loss_t = 0, 0
    for mine, reference_value in results:
        assert mine.shape == tuple(reference_value.shape)
        np.testing.assert_allclose(mine.array, reference_value.detach().numpy(), rtol=1e-9, atol=1e-10)
        upstream = rng.standard_normal(mine.shape)
        loss_o = loss_o + (mine * ag.tensor(upstream)).sum()
        loss_t = loss_t + (reference_value * torch.tensor(upstream)).sum()
    loss_o.backward()
    loss_t.backward()
    for position, (mine, reference_value) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(mine.grad.array, reference_value.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=f"input {position}")
    for name, parameter in reference.named_parameters():
        np.testing.assert_allclose(getattr(layer, name).grad.array, parameter.grad.numpy(), rtol=1e-8, atol=1e-10, err_msg=name)


@requires_torch
@settings(max_examples=12, deadline=None)
@given(
    kind=st.sampled_from(["RNN", "LSTM", "GRU"]),
    fused=st.booleans(),
    sizes=st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(1, 4), st.integers(1, 5)),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    batch_first=st.booleans(),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_layers_match_pytorch(kind, fused, sizes, num_layers, bidirectional, batch_first, bias, seed):
    options = dict(num_layers=num_layers, bidirectional=bidirectional, batch_first=batch_first, bias=bias)
    _run_both(kind, fused, sizes, options, np.random.default_rng(seed))


@requires_torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("fused", [True, False])
def test_layers_match_pytorch_fixed_cases(kind, fused):
    rng = np.random.default_rng(7)
    _run_both(kind, fused, (6, 3, 4, 5), dict(num_layers=2, bidirectional=True, batch_first=True), rng)
    _run_both(kind, fused, (4, 1, 3, 2), dict(num_layers=2), rng, unbatched=True)


@requires_torch
@pytest.mark.parametrize("fused", [True, False])
def test_relu_rnn_matches_pytorch(fused):
    _run_both("RNN", fused, (5, 2, 3, 4), dict(nonlinearity="relu", num_layers=2, bidirectional=True), np.random.default_rng(3))


@requires_torch
@pytest.mark.parametrize(
    "ours, theirs, state",
    [(nn.RNNCell, "RNNCell", 1), (nn.LSTMCell, "LSTMCell", 2), (nn.GRUCell, "GRUCell", 1)],
)
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_pytorch(ours, theirs, state, batched):
    reference = getattr(torch.nn, theirs)(3, 4).double()
    cell = ours(3, 4).double()
    cell.load_state_dict({name: value.detach().numpy() for name, value in reference.state_dict().items()})
    rng = np.random.default_rng(0)
    shape = (2,) if batched else ()
    x, h, c = rng.standard_normal(shape + (3,)), rng.standard_normal(shape + (4,)), rng.standard_normal(shape + (4,))
    hx_o = (ag.tensor(h), ag.tensor(c)) if state == 2 else ag.tensor(h)
    hx_t = (torch.tensor(h), torch.tensor(c)) if state == 2 else torch.tensor(h)
    out_o, out_t = cell(ag.tensor(x), hx_o), reference(torch.tensor(x), hx_t)
    for mine, expected in zip(out_o if state == 2 else [out_o], out_t if state == 2 else [out_t]):
        np.testing.assert_allclose(mine.array, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    default_o, default_t = cell(ag.tensor(x)), reference(torch.tensor(x))  # zero initial state
    np.testing.assert_allclose((default_o[0] if state == 2 else default_o).array, (default_t[0] if state == 2 else default_t).detach().numpy(), atol=1e-12)


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


# -- PyTorch's names, init, shapes ----------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_state_dict_keys_and_shapes_are_pytorchs(kind):
    options = dict(num_layers=2, bidirectional=True)
    ours, theirs = LAYERS[kind](3, 5, **options).state_dict(), getattr(torch.nn, kind)(3, 5, **options).state_dict()
    assert list(ours) == list(theirs)
    assert [tuple(v.shape) for v in ours.values()] == [tuple(v.shape) for v in theirs.values()]


def test_init_is_uniform_in_one_over_sqrt_hidden():
    ag.manual_seed(0)
    layer = nn.GRU(10, 64)
    bound = 1 / np.sqrt(64)
    for parameter in layer.parameters():
        assert parameter.dtype == np.float32
        assert np.abs(parameter.array).max() <= bound
        assert np.abs(parameter.array).max() > 0.9 * bound


def test_float32_layers_keep_float32():
    output, (h_n, c_n) = nn.LSTM(3, 4)(ag.randn(5, 2, 3))
    assert output.dtype == h_n.dtype == c_n.dtype == np.float32
    assert output.shape == (5, 2, 4) and h_n.shape == c_n.shape == (1, 2, 4)


@requires_torch
@pytest.mark.parametrize("bidirectional", [False, True])
def test_float32_lstm_matches_pytorch(bidirectional):
    """The float32 forward runs its own exp kernel: outputs and gradients stay at float32 accuracy."""
    rng = np.random.default_rng(6)
    reference = torch.nn.LSTM(7, 16, num_layers=2, bidirectional=bidirectional)
    layer = nn.LSTM(7, 16, num_layers=2, bidirectional=bidirectional)
    layer.load_state_dict({name: value.detach().numpy() for name, value in reference.state_dict().items()})
    x = (3 * rng.standard_normal((9, 4, 7))).astype(np.float32)  # large enough to saturate some gates
    weights = rng.standard_normal((9, 4, 32 if bidirectional else 16)).astype(np.float32)
    ours_x, theirs_x = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    with one_blas_thread():
        output, (_, c_n) = layer(ours_x)
        ((output * ag.tensor(weights)).sum() + c_n.sum()).backward()
    theirs, (_, theirs_c) = reference(theirs_x)
    ((theirs * torch.tensor(weights)).sum() + theirs_c.sum()).backward()
    np.testing.assert_allclose(output.array, theirs.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(c_n.array, theirs_c.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours_x.grad.array, theirs_x.grad.numpy(), rtol=1e-4, atol=1e-4)
    for name, parameter in reference.named_parameters():
        np.testing.assert_allclose(getattr(layer, name).grad.array, parameter.grad.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)


def test_dropout_applies_between_layers_only_in_training():
    ag.manual_seed(0)
    layer = nn.RNN(3, 8, num_layers=2, dropout=0.5)
    x = ag.randn(4, 2, 3)
    train_out, _ = layer(x)
    layer.eval()
    eval_out, _ = layer(x)
    layer.dropout = 0.0
    plain_out, _ = layer(x)
    assert not np.allclose(train_out.array, eval_out.array)
    np.testing.assert_array_equal(eval_out.array, plain_out.array)
    single = nn.RNN(3, 8, num_layers=1, dropout=0.5)  # no dropout after the last layer
    np.testing.assert_array_equal(single(x)[0].array, single.eval()(x)[0].array)


def test_truncated_bptt_by_detaching_the_carried_state():
    layer = nn.LSTM(2, 3)
    state = None
    for _ in range(3):
        output, state = layer(ag.randn(4, 1, 2), state)
        output.sum().backward()  # would fail with "backward through the graph a second time" without detach
        state = tuple(s.detach() for s in state)
    assert layer.weight_hh_l0.grad is not None


def test_repr_reads_like_pytorchs():
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == "LSTM(10, 20, num_layers=2, batch_first=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"


# -- errors ----------------------------------------------------------------------------------------
def test_wrong_input_size_names_the_layer_and_the_expected_size():
    with pytest.raises(ag.ShapeError, match=r"LSTM\(input_size=4, hidden_size=3\): expected input of shape \(L, N, 4\).*got \(5, 2, 6\)"):
        nn.LSTM(4, 3)(ag.zeros(5, 2, 6))
    with pytest.raises(ag.ShapeError, match=r"\(N, L, 4\)"):
        nn.GRU(4, 3, batch_first=True)(ag.zeros(2, 5, 6))
    with pytest.raises(ag.ShapeError, match=r"GRUCell\(input_size=4, hidden_size=3\): expected input of shape \(N, 4\)"):
        nn.GRUCell(4, 3)(ag.zeros(2, 5))
    with pytest.raises(ag.ShapeError, match=r"RNN\(input_size=4, hidden_size=3\)"):
        nn.RNN(4, 3)(ag.zeros(4))


def test_wrong_initial_state_shapes_are_named():
    with pytest.raises(ag.ShapeError, match=r"RNN\(input_size=4, hidden_size=3\): expected hx of shape \(2, 5, 3\).*got \(1, 5, 3\)"):
        nn.RNN(4, 3, num_layers=2)(ag.zeros(7, 5, 4), ag.zeros(1, 5, 3))
    with pytest.raises(ag.ShapeError, match=r"expected c_0 of shape \(2, 2, 3\)"):
        nn.LSTM(4, 3, bidirectional=True)(ag.zeros(7, 2, 4), (ag.zeros(2, 2, 3), ag.zeros(2, 3)))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\)"):
        nn.LSTM(4, 3)(ag.zeros(7, 2, 4), ag.zeros(1, 2, 3))
    with pytest.raises(ag.ShapeError, match=r"LSTMCell\(input_size=4, hidden_size=3\): expected h_0 of shape \(2, 3\)"):
        nn.LSTMCell(4, 3)(ag.zeros(2, 4), (ag.zeros(3), ag.zeros(2, 3)))


def test_bad_arguments_and_dtypes_are_named():
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        nn.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\]"):
        nn.GRU(2, 3, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size must be a positive integer"):
        nn.LSTM(2, 0)
    with pytest.raises(ag.DtypeError, match="the input is float64 but the parameters are float32"):
        nn.RNN(2, 3)(ag.zeros(4, 1, 2, dtype=ag.float64))


# -- the many-to-one example ------------------------------------------------------------------------
def _load_example():
    path = Path(__file__).resolve().parents[2] / "examples" / "rnn_sequence_classification.py"
    spec = importlib.util.spec_from_file_location("rnn_sequence_classification", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_many_to_one_example_learns_the_sign_of_a_sum_in_quick_mode(capsys):
    with one_blas_thread():
        accuracy = _load_example().main(["--quick"])
    assert accuracy > 0.85  # about 0.94; always answering "positive" scores under 0.5
    assert "accuracy" in capsys.readouterr().out


def test_many_to_one_example_labels_are_right():
    example = _load_example()
    symbols, labels = example.make_batch(50, 5, np.random.default_rng(0))
    assert symbols.shape == (5, 50) and set(np.unique(labels)) <= {0, 1, 2}
    for column, label in zip(symbols.T, labels):
        assert label == {-1: 0, 0: 1, 1: 2}[int(np.sign(sum(int(digit) - 4 for digit in column)))]


def test_flatten_parameters_is_accepted_and_changes_nothing():
    model = nn.LSTM(3, 4, num_layers=2)
    before = {name: p.array.copy() for name, p in model.named_parameters()}
    assert model.flatten_parameters() is None
    assert all(np.array_equal(p.array, before[name]) for name, p in model.named_parameters())
    nn.GRU(2, 2).flatten_parameters()
    nn.RNN(2, 2).flatten_parameters()
