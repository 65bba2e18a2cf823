"""Recurrent modules (``nn/rnn.py``): ``RNN``/``LSTM``/``GRU`` and their cells against
PyTorch's, their names, init, dropout, zero sizes and errors. How a layer-direction runs
(the fused nodes) is ``tests/nn/test_recurrence.py``."""
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import compare_module_with_torch, one_blas_thread, requires_torch, torch

LAYERS = {"RNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
CELLS = {"RNNCell": nn.RNNCell, "LSTMCell": nn.LSTMCell, "GRUCell": nn.GRUCell}
FLOAT64 = dict(rtol=1e-9, atol=1e-10, grad_rtol=1e-8, grad_atol=1e-10)


# -- parity with PyTorch: outputs, final states and every gradient -----------------------------
def _compare_layers(kind, fused, sizes, options, rng, unbatched=False, **tolerances):
    steps, batch, input_size, hidden = sizes
    layer = LAYERS[kind](input_size, hidden, **options).double()
    layer.fused = fused
    states = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    if unbatched:
        x_shape, state_shape = (steps, input_size), (states, hidden)
    else:
        x_shape = (batch, steps, input_size) if options.get("batch_first") else (steps, batch, input_size)
        state_shape = (states, batch, hidden)
    x, h0, c0 = rng.standard_normal(x_shape), rng.standard_normal(state_shape), rng.standard_normal(state_shape)
    state = (h0, c0) if kind == "LSTM" else h0
    reference = getattr(torch.nn, kind)(input_size, hidden, **options).double()
    return compare_module_with_torch(layer, reference, [x, state], **(tolerances or FLOAT64))


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
    _compare_layers(kind, fused, sizes, options, np.random.default_rng(seed))


@requires_torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("fused", [True, False])
def test_layers_match_pytorch_fixed_cases(kind, fused):
    rng = np.random.default_rng(7)
    _compare_layers(kind, fused, (6, 3, 4, 5), dict(num_layers=2, bidirectional=True, batch_first=True), rng)
    _compare_layers(kind, fused, (4, 1, 3, 2), dict(num_layers=2), rng, unbatched=True)


@requires_torch
@pytest.mark.parametrize("fused", [True, False])
def test_relu_rnn_matches_pytorch(fused):
    options = dict(nonlinearity="relu", num_layers=2, bidirectional=True)
    _compare_layers("RNN", fused, (5, 2, 3, 4), options, np.random.default_rng(3))


@requires_torch
@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("batched", [True, False])
def test_cells_match_pytorch(kind, batched):
    rng = np.random.default_rng(0)
    shape = (2,) if batched else ()
    x, h, c = rng.standard_normal(shape + (3,)), rng.standard_normal(shape + (4,)), rng.standard_normal(shape + (4,))
    cell, reference = CELLS[kind](3, 4).double(), getattr(torch.nn, kind)(3, 4).double()
    compare_module_with_torch(cell, reference, [x, (h, c) if kind == "LSTMCell" else h], **FLOAT64)
    compare_module_with_torch(cell, reference, [x], **FLOAT64)  # zero initial state


@requires_torch
@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_float32_lstm_and_gru_match_pytorch(kind, bidirectional):
    """The float32 forward runs its own exp kernel: outputs and gradients stay at float32 accuracy."""
    rng = np.random.default_rng(6)
    x = (3 * rng.standard_normal((9, 4, 7))).astype(np.float32)  # large enough to saturate some gates
    options = dict(num_layers=2, bidirectional=bidirectional)
    with one_blas_thread():
        compare_module_with_torch(
            getattr(nn, kind)(7, 16, **options), getattr(torch.nn, kind)(7, 16, **options), [x], rtol=1e-5,
            atol=1e-5, grad_atol=1e-4,
        )


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


def test_repr_reads_like_pytorchs():
    assert repr(nn.LSTM(10, 20, num_layers=2, batch_first=True)) == "LSTM(10, 20, num_layers=2, batch_first=True)"
    assert repr(nn.RNNCell(3, 4, nonlinearity="relu")) == "RNNCell(3, 4, nonlinearity='relu')"


# -- dropout between layers ------------------------------------------------------------------------
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


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("dtype", [ag.float32, ag.float64])
def test_dropout_between_layers_draws_the_mask_of_nn_functional_dropout(kind, dtype):
    """Layer 0, F.dropout, layer 1 by hand (same seed) gives the two-layer module's output exactly."""
    layer = LAYERS[kind](3, 5, num_layers=2, dropout=0.4).to(dtype)
    first, second = LAYERS[kind](3, 5).to(dtype), LAYERS[kind](5, 5).to(dtype)
    for name, parameter in layer.named_parameters():
        target = first if name.endswith("_l0") else second
        getattr(target, name[:-1] + "0").array[...] = parameter.array
    x = ag.randn(6, 2, 3, dtype=dtype)
    ag.manual_seed(11)
    expected = second(F.dropout(first(x)[0], 0.4))[0]
    ag.manual_seed(11)
    np.testing.assert_array_equal(layer(x)[0].array, expected.array)


def test_truncated_bptt_by_detaching_the_carried_state():
    layer = nn.LSTM(2, 3)
    state = None
    for _ in range(3):
        output, state = layer(ag.randn(4, 1, 2), state)
        output.sum().backward()  # would fail with "backward through the graph a second time" without detach
        state = tuple(s.detach() for s in state)
    assert layer.weight_hh_l0.grad is not None


# -- zero sizes, as in PyTorch ----------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("batch_first", [False, True])
def test_an_empty_batch_runs_forward_and_backward_like_pytorch(kind, fused, batch_first):
    options = dict(num_layers=2, bidirectional=True, batch_first=batch_first)
    output = _compare_layers(kind, fused, (4, 0, 3, 5), options, np.random.default_rng(0))[0]
    assert output.shape == ((0, 4, 10) if batch_first else (4, 0, 10))


@requires_torch
@pytest.mark.parametrize("kind", ["RNNCell", "LSTMCell", "GRUCell"])
@pytest.mark.parametrize("sizes, batch", [((3, 4), 0), ((0, 4), 2), ((0, 4), 0)])
def test_cells_take_an_empty_batch_and_zero_sizes_like_pytorch(kind, sizes, batch):
    x = np.random.default_rng(1).standard_normal((batch, sizes[0]))
    compare_module_with_torch(CELLS[kind](*sizes).double(), getattr(torch.nn, kind)(*sizes).double(), [x])


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("shape, batch_first", [((0, 2, 3), False), ((2, 0, 3), True), ((0, 3), False)])
def test_a_sequence_of_no_steps_is_refused_as_in_pytorch(kind, shape, batch_first):
    with pytest.raises(
        ag.ShapeError, match=rf"^{kind}\(input_size=3, hidden_size=4\): expected a sequence of at least one step, got"
    ):
        LAYERS[kind](3, 4, batch_first=batch_first)(ag.zeros(*shape))


def test_layers_need_positive_sizes_and_cells_may_have_no_input_as_in_pytorch():
    with pytest.raises(ValueError, match="^LSTM: hidden_size must be a positive integer, got 0$"):
        nn.LSTM(2, 0)
    with pytest.raises(ValueError, match="^GRU: input_size must be a positive integer, got 0$"):
        nn.GRU(0, 2)
    with pytest.raises(ValueError, match="^RNNCell: input_size must be a non-negative integer, got -1$"):
        nn.RNNCell(-1, 2)
    with pytest.raises(ValueError, match="^GRUCell: hidden_size must be a positive integer, got 0$"):
        nn.GRUCell(2, 0)  # PyTorch builds it; its state would be empty
    assert nn.LSTMCell(0, 4).weight_ih.shape == (16, 0)


# -- errors ----------------------------------------------------------------------------------------
def test_wrong_input_size_names_the_layer_and_the_expected_size():
    with pytest.raises(
        ag.ShapeError,
        match=r"^LSTM\(input_size=4, hidden_size=3\): expected input of shape \(L, N, 4\).*got \(5, 2, 6\)",
    ):
        nn.LSTM(4, 3)(ag.zeros(5, 2, 6))
    with pytest.raises(ag.ShapeError, match=r"\(N, L, 4\)"):
        nn.GRU(4, 3, batch_first=True)(ag.zeros(2, 5, 6))
    with pytest.raises(ag.ShapeError, match=r"^GRUCell\(input_size=4, hidden_size=3\): expected input of shape \(N, 4"):
        nn.GRUCell(4, 3)(ag.zeros(2, 5))
    with pytest.raises(ag.ShapeError, match=r"^RNN\(input_size=4, hidden_size=3\)"):
        nn.RNN(4, 3)(ag.zeros(4))


def test_wrong_initial_state_shapes_are_named():
    with pytest.raises(
        ag.ShapeError, match=r"^RNN\(input_size=4, hidden_size=3\): expected hx of shape \(2, 5, 3\).*got \(1, 5, 3\)"
    ):
        nn.RNN(4, 3, num_layers=2)(ag.zeros(7, 5, 4), ag.zeros(1, 5, 3))
    with pytest.raises(ag.ShapeError, match=r"expected c_0 of shape \(2, 2, 3\)"):
        nn.LSTM(4, 3, bidirectional=True)(ag.zeros(7, 2, 4), (ag.zeros(2, 2, 3), ag.zeros(2, 3)))
    with pytest.raises(TypeError, match=r"hx must be a tuple \(h_0, c_0\)"):
        nn.LSTM(4, 3)(ag.zeros(7, 2, 4), ag.zeros(1, 2, 3))
    with pytest.raises(ag.ShapeError, match=r"^LSTMCell\(input_size=4, hidden_size=3\): expected h_0 of shape \(2, 3"):
        nn.LSTMCell(4, 3)(ag.zeros(2, 4), (ag.zeros(3), ag.zeros(2, 3)))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu'"):
        nn.RNN(2, 3, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\]"):
        nn.GRU(2, 3, dropout=1.5)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_a_float64_input_or_state_to_a_float32_layer_is_refused_naming_both_dtypes_and_the_fix(kind):
    layer = {**LAYERS, **CELLS}[kind](2, 3)
    x = ag.zeros(4, 1, 2) if kind in LAYERS else ag.zeros(1, 2)
    weight = "weight_ih_l0" if kind in LAYERS else "weight_ih"
    with pytest.raises(
        ag.DtypeError,
        match=rf"^{kind}\(input_size=2, hidden_size=3\): input is float64 but {weight} is float32; convert the "
        r"input with x.float\(\) or the model with model.double\(\)$",
    ):
        layer(x.double())
    h = ag.zeros(1, 1, 3, dtype=ag.float64) if kind in LAYERS else ag.zeros(1, 3, dtype=ag.float64)
    state = (h, h) if kind.startswith("LSTM") else h
    with pytest.raises(ag.DtypeError, match=rf"^{kind}\(.*\): (hx|h_0) is float64 but {weight} is float32"):
        layer(x, state)
    assert layer.double()(x.double())[0].dtype == np.float64


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_arrays_are_refused_with_a_type_error_saying_how_to_wrap_them(kind):
    layer = {**LAYERS, **CELLS}[kind](2, 3)
    x = np.zeros((4, 1, 2) if kind in LAYERS else (1, 2), dtype=np.float32)
    with pytest.raises(TypeError, match=rf"^{kind}\(input_size=2, hidden_size=3\): input must be a Tensor, got numpy"):
        layer(x)
    state = np.zeros((1, 1, 3) if kind in LAYERS else (1, 3), dtype=np.float32)
    with pytest.raises(TypeError, match=r"(hx|h_0) must be a Tensor, got numpy.ndarray; wrap it with autograd_core"):
        layer(ag.tensor(x), (state, state) if kind.startswith("LSTM") else state)


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
