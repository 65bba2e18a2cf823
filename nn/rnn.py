"""Recurrent layers: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and multi-layer ``RNN``, ``LSTM``, ``GRU``.

The modules hold the parameters (PyTorch's names, shapes and initialisation, so
``state_dict``s are interchangeable), check their inputs, and run each layer-direction
through ``nn.recurrence.run_sequence``: one fused graph node per layer-direction with a
hand-written backward through time (see ``nn/recurrence.py``), or, with
``layer.fused = False``, the step-by-step composition of elementary ops.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.ops.arguments import require_same_dtype, require_tensor

from . import init
from .dropout import dropout
from .module import Module, Parameter
from .recurrence import run_sequence

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- modules -----------------------------------------------------------------------------------
def _init_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's recurrent init: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
    bound = 1.0 / math.sqrt(hidden_size)
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


def _check_sizes(name: str, input_size: int, hidden_size: int, smallest_input: int) -> None:
    """hidden_size >= 1; input_size >= 1 for layers, >= 0 for cells (PyTorch builds an
    ``LSTMCell(0, 4)``; it also builds cells of hidden_size 0, which we refuse)."""
    for label, value, minimum in (("input_size", input_size, smallest_input), ("hidden_size", hidden_size, 1)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
            kind = "a positive" if minimum else "a non-negative"
            raise ValueError(f"{name}: {label} must be {kind} integer, got {value!r}")


class _Recurrent(Module):
    """What cells and layers share: parameter creation, PyTorch's init, the name in errors,
    and the one check of inputs and states (``_check_input``, ``_check_state``)."""

    input_size: int
    hidden_size: int

    def _add_weights(self, names: tuple[str, ...], gates: int, input_size: int, bias: bool, dtype: Any) -> None:
        """Register weight_ih (gates, input_size), weight_hh (gates, hidden), biases (gates,) as ``names``."""
        setattr(self, names[0], Parameter(ag.zeros(gates, input_size, dtype=dtype)))
        setattr(self, names[1], Parameter(ag.zeros(gates, self.hidden_size, dtype=dtype)))
        for name in names[2:]:
            if bias:
                setattr(self, name, Parameter(ag.zeros(gates, dtype=dtype)))
            else:
                self.register_parameter(name, None)

    def reset_parameters(self) -> None:
        _init_uniform(self, self.hidden_size)

    def _describe(self) -> str:
        return f"{type(self).__name__}(input_size={self.input_size}, hidden_size={self.hidden_size})"

    def _first_weight(self) -> tuple[str, Tensor]:
        name = self._weights[0][0]
        return name, self._parameters[name]

    def _check_input(self, input: Any, ndims: tuple[int, int], layout: str) -> None:
        """``input`` is a Tensor of ``ndims`` dims whose last is input_size, in the parameters' dtype."""
        name = self._describe()
        require_tensor(name, input)
        if input.ndim not in ndims or input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{name}: expected input of shape {layout}, got {tuple(input.shape)}. The last dim must be "
                f"input_size={self.input_size}; build the layer with the input's feature size or reshape the input."
            )
        weight_name, weight = self._first_weight()
        require_same_dtype(name, input, weight, reference_what=weight_name)

    def _check_state(self, state: Any, expected: tuple, dtype: Any, what: str, layout: str) -> Tensor:
        """An initial state of shape ``expected`` (``layout`` says what its dims are); zeros if None."""
        if state is None:
            return ag.zeros(*expected, dtype=dtype)
        name = self._describe()
        require_tensor(name, state, what)
        if tuple(state.shape) != expected:
            raise ShapeError(f"{name}: expected {what} of shape {expected} {layout}, got {tuple(state.shape)}.")
        weight_name, weight = self._first_weight()
        require_same_dtype(name, state, weight, what, weight_name)
        return state


class _CellBase(_Recurrent):
    _weights = (("weight_ih", "weight_hh", "bias_ih", "bias_hh"),)

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool, dtype: Any) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, input_size, hidden_size, 0)
        self.mode = mode
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._add_weights(self._weights[0], _GATES[mode] * hidden_size, input_size, bias, dtype)
        self.fused = True  # False: run the step as a composition of elementary ops
        self.reset_parameters()

    def _checked(self, input: Any, state: Any, what: str, cell: Any = None) -> tuple[Tensor, Tensor, Any]:
        """The checked input and its states (zeros where None): h (and c for LSTM)."""
        self._check_input(input, (1, 2), f"(N, {self.input_size}) or ({self.input_size},)")
        expected = input.shape[:-1] + (self.hidden_size,)
        layout = f"for an input of shape {tuple(input.shape)}"
        hidden = self._check_state(state, expected, input.dtype, what, layout)
        if self.mode == "LSTM":
            cell = self._check_state(cell, expected, input.dtype, "c_0", layout)
        return input, hidden, cell

    def _run(self, input: Tensor, hidden: Tensor, cell: Tensor | None) -> Tensor:
        """The (1 or 2, N, H) result of one step: h' (and c' for LSTM)."""
        batched = input.ndim == 2
        if not batched:
            input, hidden = input.unsqueeze(0), hidden.unsqueeze(0)
            cell = None if cell is None else cell.unsqueeze(0)
        result = run_sequence(
            self.mode, input.unsqueeze(0), self.weight_ih, self.bias_ih, hidden, cell, self.weight_hh, self.bias_hh,
            False, self.fused,
        )
        return result if batched else result.squeeze(1)

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            text += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        return text


class RNNCell(_CellBase):
    """One Elman step: ``h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)`` (or relu).

    Args:
        input_size, hidden_size: feature sizes of x and h.
        bias: learn b_ih and b_hh (default True).
        nonlinearity: 'tanh' (default) or 'relu'.

    Shape:
        input (N, input_size) or (input_size,), hx (N, hidden_size) or (hidden_size,), zeros
        if None -> h' of hx's shape.
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", dtype: Any = None
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(*self._checked(input, hx, "hx"))[0]


class LSTMCell(_CellBase):
    """One LSTM step: gates (i, f, g, o) = x W_ih^T + b_ih + h W_hh^T + b_hh;
    ``c' = sigmoid(f) c + sigmoid(i) tanh(g)``, ``h' = sigmoid(o) tanh(c')``.

    Shape:
        input (N, input_size) or (input_size,), hx = (h, c) each (N, hidden_size), zeros if
        None -> (h', c') each (N, hidden_size). Parameters: weight_ih (4H, input_size), ...
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        hidden, cell = _state_pair(self, hx)
        result = self._run(*self._checked(input, hidden, "h_0", cell))
        return result[0], result[1]


class GRUCell(_CellBase):
    """One GRU step: r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z),
    n = tanh(x_n + r (W_hn h + b_hn)), ``h' = (1 - z) n + z h`` (x_* include b_i*, h_* include b_h*).

    Shape:
        input (N, input_size) or (input_size,), hx (N, hidden_size), zeros if None -> h'.
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, dtype)

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._run(*self._checked(input, hx, "hx"))[0]


def _state_pair(module: _Recurrent, hx: Any) -> tuple[Any, Any]:
    """An LSTM's ``hx``: None or a pair (h_0, c_0)."""
    if hx is None:
        return None, None
    if not isinstance(hx, (tuple, list)) or len(hx) != 2:
        raise TypeError(f"{module._describe()}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
    return hx[0], hx[1]


class _RNNBase(_Recurrent):
    mode: ClassVar[str]  # RNN_TANH, RNN_RELU, LSTM or GRU

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True, batch_first: bool = False,
        dropout: float = 0.0, bidirectional: bool = False, dtype: Any = None,
    ) -> None:
        super().__init__()
        name, mode = type(self).__name__, self.mode
        _check_sizes(name, input_size, hidden_size, 1)
        if not isinstance(num_layers, (int, np.integer)) or num_layers < 1:
            raise ValueError(f"{name}: num_layers must be a positive integer, got {num_layers!r}")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not 0 <= dropout <= 1:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout, self.bidirectional = bias, batch_first, float(dropout), bidirectional
        self.fused = True  # False: run every step as a composition of elementary ops
        gates = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        self._weights: list[tuple[str, ...]] = []  # per (layer, direction): parameter names
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * directions
            for direction in range(directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                names = (f"weight_ih{suffix}", f"weight_hh{suffix}", f"bias_ih{suffix}", f"bias_hh{suffix}")
                self._add_weights(names, gates, layer_input, bias, dtype)
                self._weights.append(names)
        self.reset_parameters()

    def _checked(self, input: Any, h0: Any, c0: Any) -> tuple[Tensor, Tensor, Any]:
        """The checked input (at least one step, as PyTorch) and its states (zeros where None)."""
        layout = "(N, L, {0})" if self.batch_first else "(L, N, {0})"
        self._check_input(input, (2, 3), f"{layout} or (L, {{0}}) unbatched".format(self.input_size))
        batched = input.ndim == 3
        if input.shape[1 if batched and self.batch_first else 0] == 0:
            raise ShapeError(
                f"{self._describe()}: expected a sequence of at least one step, got an input of shape "
                f"{tuple(input.shape)} (length 0), as PyTorch"
            )
        batch = (input.shape[0] if self.batch_first else input.shape[1]) if batched else None
        layers = self.num_layers * (2 if self.bidirectional else 1)
        expected = (layers, self.hidden_size) if batch is None else (layers, batch, self.hidden_size)
        layout = f"(num_layers * num_directions, {'' if batch is None else 'batch, '}hidden_size)"
        h0 = self._check_state(h0, expected, input.dtype, "h_0" if self.mode == "LSTM" else "hx", layout)
        c0 = self._check_state(c0, expected, input.dtype, "c_0", layout) if self.mode == "LSTM" else None
        return input, h0, c0

    def _run(self, input: Any, h0: Any, c0: Any) -> tuple[Tensor, Tensor, Tensor | None]:
        """(output, h_n, c_n); states None mean zeros."""
        input, h0, c0 = self._checked(input, h0, c0)
        batched = input.ndim == 3
        if not batched:  # (L, H_in) -> (L, 1, H_in)
            input, h0 = input.unsqueeze(1), h0.unsqueeze(1)
            c0 = None if c0 is None else c0.unsqueeze(1)
        elif self.batch_first:
            input = input.transpose(0, 1)
        steps = input.shape[0]
        directions = 2 if self.bidirectional else 1
        last_hidden, last_cell = [], []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(directions):
                index = layer * directions + direction
                w_ih, w_hh, b_ih, b_hh = (getattr(self, name) for name in self._weights[index])
                cell = None if c0 is None else c0[index]
                reverse = direction == 1
                result = run_sequence(self.mode, input, w_ih, b_ih, h0[index], cell, w_hh, b_hh, reverse, self.fused)
                hidden = result[:steps] if self.mode == "LSTM" else result
                last_hidden.append(hidden[0] if direction else hidden[steps - 1])
                if self.mode == "LSTM":
                    last_cell.append(result[steps])
                outputs.append(hidden)
            input = outputs[0] if directions == 1 else ag.cat(outputs, 2)
            if self.dropout > 0 and layer < self.num_layers - 1:
                input = dropout(input, self.dropout, self.training)
        h_n = ag.stack(last_hidden)
        c_n = ag.stack(last_cell) if last_cell else None
        if not batched:
            return input.squeeze(1), h_n.squeeze(1), None if c_n is None else c_n.squeeze(1)
        return (input.transpose(0, 1) if self.batch_first else input), h_n, c_n

    def flatten_parameters(self) -> None:
        """Does nothing: PyTorch compacts the weights for cuDNN here, which the CPU does not need."""

    def extra_repr(self) -> str:
        text = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            text += f", num_layers={self.num_layers}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            text += f", nonlinearity={self.nonlinearity!r}"
        for name, default in (("bias", True), ("batch_first", False), ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


_LAYER_DOC = """{summary}

    Args:
        input_size: features of each input step.
        hidden_size: features of the hidden state.
        num_layers: stacked layers; layer k > 0 reads layer k-1's output (default 1).{extra}
        bias: learn b_ih and b_hh (default True).
        batch_first: input and output are (N, L, *) instead of (L, N, *) (default False).
        dropout: dropout probability on each layer's output except the last (default 0).
        bidirectional: add a second direction running backwards in time (default False).
        dtype: parameter dtype (float32 by default).

    Shape (D = 2 if bidirectional else 1):
        input (L, N, input_size), (N, L, input_size) if batch_first, or (L, input_size) unbatched;
        {states}
        -> output (L, N, D * hidden_size) (batch_first: (N, L, D * hidden_size)), the last
        layer's hidden state at every step; {finals}

    Parameters (PyTorch's names, all ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))):
        weight_ih_l{{k}} ({gates} * hidden_size, input_size or D * hidden_size),
        weight_hh_l{{k}} ({gates} * hidden_size, hidden_size), bias_ih_l{{k}}, bias_hh_l{{k}}
        ({gates} * hidden_size,); the backward direction's carry the suffix _reverse.
"""


class RNN(_RNNBase):
    __doc__ = _LAYER_DOC.format(
        summary="Multi-layer Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu).",
        extra="\n        nonlinearity: 'tanh' (default) or 'relu'.", gates=1,
        states="hx (num_layers * D, N, hidden_size), zeros if None",
        finals="h_n (num_layers * D, N, hidden_size), the final hidden state of every layer and direction.",
    )
    mode = "RNN_TANH"

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh", bias: bool = True,
        batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNN: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype)
        self.nonlinearity = nonlinearity
        self.mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n


class LSTM(_RNNBase):
    __doc__ = _LAYER_DOC.format(
        summary="Multi-layer LSTM: gates (i, f, g, o), ``c_t = f c_{t-1} + i g``, ``h_t = o tanh(c_t)``.",
        extra="", gates=4, states="hx = (h_0, c_0), each (num_layers * D, N, hidden_size), zeros if None",
        finals="(h_n, c_n), each (num_layers * D, N, hidden_size).",
    )
    mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, tuple[Tensor, Tensor]]:
        output, h_n, c_n = self._run(input, *_state_pair(self, hx))
        return output, (h_n, c_n)


class GRU(_RNNBase):
    __doc__ = _LAYER_DOC.format(
        summary="Multi-layer GRU: r, z gates, ``n_t = tanh(W_in x_t + b_in + r (W_hn h + b_hn))``, "
        "``h_t = (1 - z) n_t + z h_{t-1}``.",
        extra="", gates=3, states="hx (num_layers * D, N, hidden_size), zeros if None",
        finals="h_n (num_layers * D, N, hidden_size).",
    )
    mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> tuple[Tensor, Tensor]:
        output, h_n, _ = self._run(input, hx, None)
        return output, h_n
