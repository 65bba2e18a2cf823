"""Recurrent layers: ``RNNCell``, ``LSTMCell``, ``GRUCell`` and multi-layer ``RNN``, ``LSTM``, ``GRU``.

How one layer (one direction) runs a sequence of T steps:

1. The whole layer-direction is ONE graph node (``RNNTanhSequence``, ``LSTMSequence``,
   ``GRUSequence``). Its forward first projects every step's input in one matmul,
   ``gates_x = x W_ih^T + b_ih`` (T, N, G), into a buffer it owns, then loops over the steps
   in NumPy (and small Numba kernels); its backward is backpropagation through time written
   out by hand, with the weight gradients as one GEMM over all steps. Python overhead per
   step and fresh large arrays are what cost time in an RNN, so this keeps both few.
2. Under ``create_graph=True`` (higher-order gradients) the backward instead
   differentiates the step-by-step composition of elementary Tensor ops (``rnn_step``,
   ``lstm_step``, ``gru_step``), so the fused node stays differentiable any number of times.

Setting ``layer.fused = False`` runs that composition in the forward pass too: one small
graph per step, the reference the fused nodes are tested against.

Gate order and parameter names follow PyTorch, so ``state_dict``s are interchangeable:
LSTM (i, f, g, o); GRU (r, z, n) with ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``.
"""
from __future__ import annotations

import math
from typing import Any, ClassVar, Iterable

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.creation import generator
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.kernels.jit import lazy_njit

from . import init
from .linear import LinearFunction
from .module import Module, Parameter

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# -- one step from elementary ops (the reference composition) -----------------------------
def rnn_step(gates_x: Tensor, hidden: Tensor, weight_hh: Tensor, bias_hh: Tensor | None, nonlinearity: str = "tanh") -> Tensor:
    """``h' = act(gates_x + h W_hh^T + b_hh)``; gates_x (N, H) already holds ``x W_ih^T + b_ih``."""
    pre = gates_x + hidden @ weight_hh.T
    if bias_hh is not None:
        pre = pre + bias_hh
    return pre.tanh() if nonlinearity == "tanh" else pre.relu()


def lstm_step(gates_x: Tensor, hidden: Tensor, cell: Tensor, weight_hh: Tensor, bias_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    """``c' = f c + i g``, ``h' = o tanh(c')`` with gates (i, f, g, o) from (N, 4H) pre-activations."""
    gates = gates_x + hidden @ weight_hh.T
    if bias_hh is not None:
        gates = gates + bias_hh
    i, f, g, o = gates.chunk(4, 1)
    i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
    cell = f * cell + i * g
    return o * cell.tanh(), cell


def gru_step(gates_x: Tensor, hidden: Tensor, weight_hh: Tensor, bias_hh: Tensor | None) -> Tensor:
    """``h' = (1 - z) n + z h`` with r, z = sigmoid(x-part + h-part), n = tanh(x_n + r (W_hn h + b_hn))."""
    gates_h = hidden @ weight_hh.T
    if bias_hh is not None:
        gates_h = gates_h + bias_hh
    x_r, x_z, x_n = gates_x.chunk(3, 1)
    h_r, h_z, h_n = gates_h.chunk(3, 1)
    r, z = (x_r + h_r).sigmoid(), (x_z + h_z).sigmoid()
    n = (x_n + r * h_n).tanh()
    return n + z * (hidden - n)


def _order(steps: int, reverse: bool) -> Iterable[int]:
    return range(steps - 1, -1, -1) if reverse else range(steps)


def unfused_sequence(mode: str, gates_x: Tensor, h0: Tensor, c0: Tensor | None, weight_hh: Tensor, bias_hh: Tensor | None, reverse: bool) -> Tensor:
    """The same result as the fused ``*Sequence`` node, one step at a time from elementary ops.

    Returns the hidden states (T, N, H) at their time positions; for LSTM one more row
    holds the last cell state: (T + 1, N, H).
    """
    steps = gates_x.shape[0]
    hidden, cell = h0, c0
    outputs: list[Any] = [None] * steps
    for t in _order(steps, reverse):
        if mode == "LSTM":
            hidden, cell = lstm_step(gates_x[t], hidden, cell, weight_hh, bias_hh)
        elif mode == "GRU":
            hidden = gru_step(gates_x[t], hidden, weight_hh, bias_hh)
        else:
            hidden = rnn_step(gates_x[t], hidden, weight_hh, bias_hh, "tanh" if mode == "RNN_TANH" else "relu")
        outputs[t] = hidden
    if mode == "LSTM":
        outputs.append(cell)
    return ag.stack(outputs)


# -- the whole recurrence as one node --------------------------------------------------------
def _sigmoid(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``1 / (1 + exp(-x))`` into ``out`` (exp overflowing to inf gives the right 0)."""
    np.negative(x, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _previous(states: np.ndarray, first: np.ndarray, reverse: bool) -> np.ndarray:
    """The state each step started from, at that step's time position (T, N, H)."""
    if reverse:
        return np.concatenate([states[1:], first[None]])
    return np.concatenate([first[None], states[:-1]])


def _flat(array: np.ndarray) -> np.ndarray:
    return array.reshape(-1, array.shape[-1])


def _recurrent_weight_grad(grad_pre: np.ndarray, states: np.ndarray, first: np.ndarray, reverse: bool) -> np.ndarray:
    """dL/dW_hh = sum over steps of grad_pre[t]^T h_prev(t): one GEMM over the steps whose
    previous state is in ``states`` (a view, no (T, N, H) copy) plus the step that started from ``first``."""
    if reverse:  # step t started from states[t + 1]; the last position from ``first``
        inner, previous, start = grad_pre[:-1], states[1:], grad_pre[-1]
    else:
        inner, previous, start = grad_pre[1:], states[:-1], grad_pre[0]
    return _flat(inner).T @ _flat(previous) + start.T @ first


class _Sequence(Function):
    """One layer-direction over T steps: ``apply(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh, reverse)``.

    x (T, N, I); weight_ih (G, I), weight_hh (G, H), biases (G,) or None; h0, c0 (N, H) (c0
    None except for LSTM). Output: hidden states (T, N, H) at their time positions, plus for
    LSTM a last row with the final cell state. ``run_forward`` gets the input projection
    ``x W_ih^T + b_ih`` (T, N, G) as a fresh array it may overwrite.
    """

    saves_output = True
    mode: ClassVar[str]
    consumes_arrays: ClassVar[bool] = False  # run_backward overwrites ctx.arrays (recomputed if needed again)

    @staticmethod
    def forward(
        ctx: Function, x: Tensor, weight_ih: Tensor, bias_ih: Any, h0: Tensor, c0: Any, weight_hh: Tensor, bias_hh: Any, reverse: bool
    ) -> np.ndarray:
        ctx.save_for_backward(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh)
        ctx.reverse = reverse
        output, ctx.arrays = type(ctx).project_and_run(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh, reverse)
        ctx.consumed = False
        return output

    @classmethod
    def project_and_run(
        cls, x: Tensor, weight_ih: Tensor, bias_ih: Any, h0: Tensor, c0: Any, weight_hh: Tensor, bias_hh: Any, reverse: bool
    ) -> tuple:
        """``run_forward`` on the input projection: (output, arrays kept for the backward)."""
        steps, batch = x.shape[0], x.shape[1]
        gates_x = np.matmul(_flat(x.array), weight_ih.array.T)  # one 2-D GEMM (a 3-D matmul is slower)
        if bias_ih is not None:
            gates_x += bias_ih.array
        cell = None if c0 is None else c0.array
        bias = None if bias_hh is None else bias_hh.array
        with np.errstate(over="ignore"):
            return cls.run_forward(gates_x.reshape(steps, batch, -1), h0.array, cell, weight_hh.array, bias, reverse)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        inputs = ctx.saved_tensors
        if ag.is_grad_enabled():  # create_graph=True: differentiate the step-by-step composition
            return _differentiable_backward(ctx, inputs, grad_output)
        x, weight_ih, _, h0, _, weight_hh, _ = inputs
        if ctx.consumed:  # a second backward (retain_graph=True) after one that overwrote ctx.arrays
            ctx.arrays = type(ctx).project_and_run(*inputs, ctx.reverse)[1]
        grad_gates_x, *grads = type(ctx).run_backward(ctx, grad_output.array, ctx.output.array, h0.array, weight_hh.array)
        ctx.consumed = type(ctx).consumes_arrays
        flat_grad, need_x, need_weight, need_bias = _flat(grad_gates_x), *ctx.needs_input_grad[:3]
        # gates_x = x W_ih^T + b_ih: d/dx = G W_ih, d/dW_ih = G^T x, d/db_ih = sum of G over steps and batch
        grads_ih = (
            (flat_grad @ weight_ih.array).reshape(x.shape) if need_x else None,
            flat_grad.T @ _flat(x.array) if need_weight else None,
            flat_grad.sum(0) if need_bias else None,
        )
        return grads_ih + tuple(grad if need else None for grad, need in zip(grads, ctx.needs_input_grad[3:])) + (None,)


def _differentiable_backward(ctx: Function, inputs: tuple, grad_output: Tensor) -> tuple:
    """The vector-Jacobian product through ``unfused_sequence``, recorded for higher orders."""
    x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh = inputs
    with ag.enable_grad():
        output = unfused_sequence(ctx.mode, _input_projection(x, weight_ih, bias_ih), h0, c0, weight_hh, bias_hh, ctx.reverse)
    needs = ctx.needs_input_grad[:7]
    wanted = [tensor for tensor, need in zip(inputs, needs) if need]
    grads = iter(ag.grad(output, wanted, grad_output, create_graph=True, allow_unused=True))
    return tuple(next(grads) if need else None for need in needs) + (None,)


class RNNTanhSequence(_Sequence):
    """``h_t = tanh(gates_x[t] + h_{t-1} W_hh^T + b_hh)`` for every step (see ``_Sequence``)."""

    mode = "RNN_TANH"

    @classmethod
    def run_forward(cls, pre: np.ndarray, h0: np.ndarray, c0: Any, weight_hh: np.ndarray, bias_hh: Any, reverse: bool) -> tuple:
        hidden = np.empty(pre.shape[:2] + h0.shape[-1:], dtype=pre.dtype)
        state, weight_t = h0, weight_hh.T
        for t in _order(pre.shape[0], reverse):
            state = state @ weight_t
            state += pre[t]
            if bias_hh is not None:
                state += bias_hh
            state = cls.activate(state, hidden[t])
        return hidden, None

    @staticmethod
    def activate(pre: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.tanh(pre, out=out)

    @staticmethod
    def derivative(hidden: np.ndarray) -> np.ndarray:
        return 1 - hidden * hidden  # d tanh(a)/da = 1 - tanh(a)^2

    @classmethod
    def run_backward(cls, ctx: Function, grad: np.ndarray, hidden: np.ndarray, h0: np.ndarray, weight_hh: np.ndarray) -> tuple:
        local = cls.derivative(hidden)
        grad_pre = np.empty_like(hidden)
        grad_h = np.zeros_like(h0)
        for t in _order(hidden.shape[0], not ctx.reverse):
            # dL/dpre_t = (dL/dh_t from the output + from step t+1) * act'(pre_t); dL/dh_{t-1} = dL/dpre_t W_hh
            np.multiply(grad[t] + grad_h, local[t], out=grad_pre[t])
            grad_h = grad_pre[t] @ weight_hh
        grad_weight = _recurrent_weight_grad(grad_pre, hidden, h0, ctx.reverse)
        return grad_pre, grad_h, None, grad_weight, grad_pre.sum((0, 1))


class RNNReluSequence(RNNTanhSequence):
    """``h_t = relu(gates_x[t] + h_{t-1} W_hh^T + b_hh)`` for every step (see ``_Sequence``)."""

    mode = "RNN_RELU"

    @staticmethod
    def activate(pre: np.ndarray, out: np.ndarray) -> np.ndarray:
        return np.maximum(pre, 0, out=out)

    @staticmethod
    def derivative(hidden: np.ndarray) -> np.ndarray:
        return (hidden > 0).astype(hidden.dtype)  # d relu(a)/da = [a > 0]


@lazy_njit()
def _exp_float32(values: np.ndarray, scratch: np.ndarray) -> None:
    """``exp`` in place on a contiguous float32 array, within about 1 ulp, in loops that vectorise.

    This machine's Numba has no vector library, so ``math.exp`` in a loop is a scalar call, and
    NumPy's exp was the largest part of an LSTM step. exp(x) = 2^n e^r with n = round(x / ln 2)
    and |r| <= ln(2) / 2: e^r from a degree-7 polynomial (the Cephes expf coefficients), 2^n
    written as float32 bits (exponent field n + 127) into ``scratch`` (same shape). x is clamped
    to [-87, 88], where float32 2^n is normal; NaN stays NaN.
    """
    flat, power = values.reshape(values.size), scratch.reshape(scratch.size)
    exponent_bits = power.view(np.int32)
    for k in range(flat.size):
        x = flat[k]
        x = np.float32(88.0) if x > 88 else x
        x = np.float32(-87.0) if x < -87 else x
        n = np.floor(x * np.float32(1.4426950408889634) + np.float32(0.5))  # round(x / ln 2)
        r = x - n * np.float32(0.693359375) + n * np.float32(2.12194440e-4)  # x - n ln 2 in two parts
        p = np.float32(1.9875691500e-4)
        p = p * r + np.float32(1.3981999507e-3)
        p = p * r + np.float32(8.3334519073e-3)
        p = p * r + np.float32(4.1665795894e-2)
        p = p * r + np.float32(1.6666665459e-1)
        p = p * r + np.float32(5.0000001201e-1)
        flat[k] = p * r * r + r + 1  # e^r
        exponent_bits[k] = (np.int32(n) + 127) << 23  # the float32 2^n
    for k in range(flat.size):
        flat[k] *= power[k]


@_exp_float32.twin
def _exp_float32_numpy(values: np.ndarray, scratch: np.ndarray) -> None:
    """``_exp_float32`` in whole-array float32 steps, the kernel's operations in its order.
    Numba types ``... + 1`` (float32 + int) as float64, rounded to float32 on the store, so
    that add is done in float64 here too. float32 only, as the kernel's exponent bits."""
    if values.dtype != np.float32 or scratch.dtype != np.float32:
        raise TypeError(f"_exp_float32 works on float32 arrays, got {values.dtype} and {scratch.dtype}; use np.exp for other dtypes.")
    flat, power = values.reshape(values.size), scratch.reshape(scratch.size)
    f32 = np.float32
    x = np.clip(flat, f32(-87.0), f32(88.0))  # NaN stays NaN
    n = np.multiply(x, f32(1.4426950408889634))
    n += f32(0.5)
    np.floor(n, out=n)
    r = np.multiply(n, f32(0.693359375))
    np.subtract(x, r, out=r)
    r += np.multiply(n, f32(2.12194440e-4), out=x)  # x is free from here: it holds the polynomial
    p = np.multiply(r, f32(1.9875691500e-4), out=x)
    for coefficient in (1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1):
        p += f32(coefficient)
        p *= r
    p *= r
    p += r
    np.add(p, 1, out=flat, dtype=np.float64)  # float64 then rounded to float32, as Numba
    bits = power.view(np.int32)
    with np.errstate(invalid="ignore"):  # NaN -> int32 gives INT_MIN, as the kernel's conversion
        np.copyto(bits, n, casting="unsafe")
    np.add(bits, 127, out=bits, dtype=np.int64)  # int64 in Numba (int32 + int literal), then stored as int32
    np.left_shift(bits, 23, out=bits, dtype=np.int64)
    flat *= power


def _exp(values: np.ndarray, scratch: np.ndarray) -> None:
    """``exp`` in place: the vectorised kernel for float32, NumPy's for float64."""
    if values.dtype == np.float32:
        _exp_float32(values, scratch)
    else:
        np.exp(values, out=values)


@lazy_njit(error_model="numpy")  # numpy: 1/0 gives inf instead of a check per division, so the loop vectorises
def _lstm_gates_and_cell(gates: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray, minus_2c: np.ndarray) -> None:
    """One LSTM step's pointwise part up to the cell, in place. gates (N, 4H) holds exp(-x) for
    i, f, o and exp(-2x) for g on entry, the activations on exit; writes ``c_t = f c_{t-1} + i g``
    and -2 c_t (N, H), whose exp ``_lstm_hidden`` turns into tanh(c_t)."""
    size = cell.shape[1]
    for n in range(cell.shape[0]):  # row slices: the inner loop is contiguous and vectorises
        row, c_prev, c_new, arg = gates[n], cell_prev[n], cell[n], minus_2c[n]
        i, f, g, o = row[:size], row[size : 2 * size], row[2 * size : 3 * size], row[3 * size :]
        for k in range(size):
            i[k] = 1 / (1 + i[k])  # sigmoid(x) = 1 / (1 + exp(-x)); exp overflowing to inf gives 0
            f[k] = 1 / (1 + f[k])
            g[k] = 2 / (1 + g[k]) - 1  # tanh(x) = 2 sigmoid(2x) - 1
            o[k] = 1 / (1 + o[k])
            c_new[k] = f[k] * c_prev[k] + i[k] * g[k]
            arg[k] = -2 * c_new[k]


@_lstm_gates_and_cell.twin
def _lstm_gates_and_cell_numpy(gates: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray, minus_2c: np.ndarray) -> None:
    """``_lstm_gates_and_cell`` with whole-array operations. Numba computes ``1 / (1 + e)``,
    ``2 / (1 + e) - 1`` and ``-2 * c`` in float64 (an int literal with a float32 is float64)
    and rounds on the store; the cell comes from the stored gates, in their own precision."""
    size = cell.shape[1]
    denominator = 1 + gates[:, : 4 * size].astype(np.float64)
    activations = 1 / denominator
    activations[:, 2 * size : 3 * size] = 2 / denominator[:, 2 * size : 3 * size] - 1
    gates[:, : 4 * size] = activations
    i, f, g = (gates[:, k * size : (k + 1) * size] for k in range(3))
    cell[...] = f * cell_prev + i * g
    minus_2c[...] = -2 * cell.astype(np.float64)


@lazy_njit(error_model="numpy")
def _lstm_hidden(gates: np.ndarray, tanh_c: np.ndarray, hidden: np.ndarray) -> None:
    """``h_t = o tanh(c_t)`` (N, H); tanh_c holds exp(-2 c_t) on entry, tanh(c_t) on exit."""
    size = hidden.shape[1]
    for n in range(hidden.shape[0]):
        o, tc, h = gates[n, 3 * size :], tanh_c[n], hidden[n]
        for k in range(size):
            tc[k] = 2 / (1 + tc[k]) - 1
            h[k] = o[k] * tc[k]


@_lstm_hidden.twin
def _lstm_hidden_numpy(gates: np.ndarray, tanh_c: np.ndarray, hidden: np.ndarray) -> None:
    """``_lstm_hidden`` with whole-array operations (``2 / (1 + e) - 1`` in float64, as Numba)."""
    size = hidden.shape[1]
    tanh_c[...] = 2 / (1 + tanh_c.astype(np.float64)) - 1
    hidden[...] = gates[:, 3 * size : 4 * size] * tanh_c


@lazy_njit()
def _lstm_step_backward(grad_out: np.ndarray, grad_h: np.ndarray, grad_c: np.ndarray, gates: np.ndarray, cell_prev: np.ndarray, tanh_c: np.ndarray) -> None:
    """One LSTM step backwards. dL/dh_t = grad_out (from the output at t) + grad_h (from step
    t+1); grad_c: dL/dc_t from later steps in, dL/dc_{t-1} out; gates (N, 4H): the activations
    in, dL/d(pre-activations) out (no fresh (T, N, 4H) array: fresh large arrays page-fault)."""
    size = grad_h.shape[1]
    for n in range(grad_h.shape[0]):  # row slices: the inner loop is contiguous and vectorises
        row = gates[n]
        i, f, g, o = row[:size], row[size : 2 * size], row[2 * size : 3 * size], row[3 * size :]
        d_out, d_next, d_c, c_prev, tc = grad_out[n], grad_h[n], grad_c[n], cell_prev[n], tanh_c[n]
        for k in range(size):
            i_k, f_k, g_k, o_k = i[k], f[k], g[k], o[k]
            dh = d_out[k] + d_next[k]
            dc = d_c[k] + dh * o_k * (1 - tc[k] * tc[k])  # h = o tanh(c)
            i[k] = dc * g_k * i_k * (1 - i_k)  # c = f c_prev + i g; sigmoid' = s (1 - s)
            f[k] = dc * c_prev[k] * f_k * (1 - f_k)
            g[k] = dc * i_k * (1 - g_k * g_k)  # tanh' = 1 - tanh^2
            o[k] = dh * tc[k] * o_k * (1 - o_k)
            d_c[k] = dc * f_k


@_lstm_step_backward.twin
def _lstm_step_backward_numpy(
    grad_out: np.ndarray, grad_h: np.ndarray, grad_c: np.ndarray, gates: np.ndarray, cell_prev: np.ndarray, tanh_c: np.ndarray
) -> None:
    """``_lstm_step_backward`` with whole-array operations in the kernel's order and types.
    Numba types ``1 - s`` (int literal minus float32) as float64, which makes dc and every
    product it enters float64; dh and the products before a ``1 - s`` stay in the arrays'
    precision. Every gate is overwritten only after the last use of its old value."""
    size = grad_h.shape[1]
    i, f, g, o = (gates[:, k * size : (k + 1) * size] for k in range(4))
    wide = np.float64
    dh = grad_out + grad_h
    dc = grad_c + dh * o * (1 - (tanh_c * tanh_c).astype(wide))
    grad_i = dc * g * i * (1 - i.astype(wide))
    g[...] = dc * i * (1 - (g * g).astype(wide))
    i[...] = grad_i
    o[...] = dh * tanh_c * o * (1 - o.astype(wide))
    grad_c[...] = dc * f
    f[...] = dc * cell_prev * f * (1 - f.astype(wide))


def _state_before(states: np.ndarray, first: np.ndarray, t: int, reverse: bool) -> np.ndarray:
    """The state step t started from: its predecessor in processing order, or the initial one."""
    before = t + 1 if reverse else t - 1
    return first if before < 0 or before == len(states) else states[before]


class LSTMSequence(_Sequence):
    """LSTM over every step (see ``_Sequence``); output (T + 1, N, H), the last row c_T.

    Forward, per step: one matmul, then one exp over all four gates (N, 4H), since
    ``tanh(x) = 2 sigmoid(2x) - 1``: the pre-activations are scaled by -1 (i, f, o) and -2 (g)
    (folded into W_hh once; powers of two, so exact) and ``1 / (1 + exp(.))`` gives every gate;
    tanh(c) likewise from exp(-2c). The exps run in ``_exp`` and the rest in two small Numba
    kernels, with no per-step allocation. Backward: each step's pointwise part in one Numba
    kernel that turns the saved activations into dL/d(pre-activations) in place (a fresh
    (T, N, 4H) array costs page faults; a second backward recomputes the forward), the
    per-step matmul writes into one buffer, and dL/dW_hh is one GEMM over all steps.
    """

    mode = "LSTM"
    consumes_arrays = True

    @staticmethod
    def run_forward(pre: np.ndarray, h0: np.ndarray, c0: np.ndarray, weight_hh: np.ndarray, bias_hh: Any, reverse: bool) -> tuple:
        steps, size = pre.shape[0], h0.shape[-1]
        scale = np.full(4 * size, -1, dtype=pre.dtype)
        scale[2 * size : 3 * size] = -2
        weight_t = weight_hh.T * scale  # (H, 4H)
        bias = 0 if bias_hh is None else bias_hh * scale
        gates = np.multiply(pre, scale, out=pre)  # -x for i, f, o and -2x for g; overwritten step by step with the activations
        cells = np.empty(pre.shape[:2] + (size,), dtype=pre.dtype)
        tanh_cells = np.empty_like(cells)
        output = np.empty((steps + 1,) + cells.shape[1:], dtype=pre.dtype)
        scratch, cell_scratch = np.empty(pre.shape[1:], dtype=pre.dtype), np.empty(cells.shape[1:], dtype=pre.dtype)  # for _exp
        hidden, cell = h0, c0
        for t in _order(steps, reverse):
            act, cell_prev = gates[t], cell
            act += hidden @ weight_t
            act += bias
            _exp(act, scratch)
            cell, hidden = cells[t], output[t]
            _lstm_gates_and_cell(act, cell_prev, cell, tanh_cells[t])
            _exp(tanh_cells[t], cell_scratch)
            _lstm_hidden(act, tanh_cells[t], hidden)
        output[steps] = cell
        return output, (gates, cells, tanh_cells, c0)

    @staticmethod
    def run_backward(ctx: Function, grad: np.ndarray, output: np.ndarray, h0: np.ndarray, weight_hh: np.ndarray) -> tuple:
        grad_pre, cells, tanh_cells, c0 = ctx.arrays  # the gate activations, overwritten step by step
        c0 = np.ascontiguousarray(c0)
        grad = np.ascontiguousarray(grad)
        grad_h = np.zeros_like(h0)  # dL/dh_t from step t+1
        grad_c = grad[-1].copy()
        for t in _order(grad_pre.shape[0], not ctx.reverse):
            _lstm_step_backward(grad[t], grad_h, grad_c, grad_pre[t], _state_before(cells, c0, t, ctx.reverse), tanh_cells[t])
            np.matmul(grad_pre[t], weight_hh, out=grad_h)
        grad_weight = _recurrent_weight_grad(grad_pre, output[:-1], h0, ctx.reverse)
        return grad_pre, grad_h, grad_c, grad_weight, grad_pre.sum((0, 1))


class GRUSequence(_Sequence):
    """GRU over every step (see ``_Sequence``); b_hh stays inside ``r * (W_hn h + b_hn)``."""

    mode = "GRU"

    @staticmethod
    def run_forward(pre: np.ndarray, h0: np.ndarray, c0: Any, weight_hh: np.ndarray, bias_hh: Any, reverse: bool) -> tuple:
        size = h0.shape[-1]
        gates = np.empty(pre.shape, dtype=pre.dtype)  # activations r, z, n
        hidden_n = np.empty(pre.shape[:2] + (size,), dtype=pre.dtype)  # W_hn h + b_hn
        output = np.empty_like(hidden_n)
        hidden, weight_t = h0, weight_hh.T
        rz, n_part = slice(0, 2 * size), slice(2 * size, 3 * size)
        for t in _order(pre.shape[0], reverse):
            act = gates[t]
            gates_h = hidden @ weight_t
            if bias_hh is not None:
                gates_h += bias_hh
            np.add(pre[t][:, rz], gates_h[:, rz], out=act[:, rz])
            _sigmoid(act[:, rz], out=act[:, rz])
            hidden_n[t] = gates_h[:, n_part]
            n = np.multiply(act[:, :size], gates_h[:, n_part], out=act[:, n_part])
            n += pre[t][:, n_part]
            np.tanh(n, out=n)
            new = np.subtract(hidden, n, out=output[t])
            new *= act[:, size : 2 * size]
            new += n
            hidden = new
        return output, (gates, hidden_n)

    @staticmethod
    def run_backward(ctx: Function, grad: np.ndarray, output: np.ndarray, h0: np.ndarray, weight_hh: np.ndarray) -> tuple:
        gates, hidden_n = ctx.arrays
        size = h0.shape[-1]
        r, z, n = (gates[..., k * size : (k + 1) * size] for k in range(3))
        to_n = (1 - z) * (1 - n * n)  # dL/dn_pre = dL/dh_t * (1 - z) * (1 - n^2)
        to_z = (_previous(output, h0, ctx.reverse) - n) * z * (1 - z)  # dL/dz_pre = dL/dh_t (h_{t-1} - n) z (1 - z)
        n_to_r = hidden_n * r * (1 - r)  # dL/dr_pre = dL/dn_pre (W_hn h + b_hn) r (1 - r)
        grad_x = np.empty_like(gates)
        grad_hidden = np.empty_like(gates)
        grad_h = np.zeros_like(h0)
        for t in _order(gates.shape[0], not ctx.reverse):
            dh = grad[t] + grad_h
            gx, gh = grad_x[t], grad_hidden[t]
            grad_n = np.multiply(dh, to_n[t], out=gx[:, 2 * size :])
            np.multiply(dh, to_z[t], out=gx[:, size : 2 * size])
            np.multiply(grad_n, n_to_r[t], out=gx[:, :size])
            gh[:, : 2 * size] = gx[:, : 2 * size]
            np.multiply(grad_n, r[t], out=gh[:, 2 * size :])  # the hidden side of n is scaled by r
            grad_h = dh * z[t] + gh @ weight_hh
        grad_weight = _recurrent_weight_grad(grad_hidden, output, h0, ctx.reverse)
        return grad_x, grad_h, None, grad_weight, grad_hidden.sum((0, 1))


_SEQUENCES = {cls.mode: cls for cls in (RNNTanhSequence, RNNReluSequence, LSTMSequence, GRUSequence)}


def _input_projection(x: Tensor, weight_ih: Tensor, bias_ih: Tensor | None) -> Tensor:
    """``x W_ih^T + b_ih`` for every step as graph ops: (T, N, I) -> (T, N, G)."""
    return LinearFunction.apply(x.reshape(-1, x.shape[-1]), weight_ih, bias_ih).reshape(x.shape[0], x.shape[1], -1)


def run_sequence(
    mode: str, x: Tensor, weight_ih: Tensor, bias_ih: Tensor | None, h0: Tensor, c0: Tensor | None, weight_hh: Tensor,
    bias_hh: Tensor | None, reverse: bool = False, fused: bool = True,
) -> Tensor:
    """One layer-direction over all steps of x (T, N, I): the fused node, or the step-by-step composition."""
    if fused:
        return _SEQUENCES[mode].apply(x, weight_ih, bias_ih, h0, c0, weight_hh, bias_hh, reverse)
    return unfused_sequence(mode, _input_projection(x, weight_ih, bias_ih), h0, c0, weight_hh, bias_hh, reverse)


# -- modules -----------------------------------------------------------------------------------
def _init_uniform(module: Module, hidden_size: int) -> None:
    """PyTorch's recurrent init: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
    bound = 1.0 / math.sqrt(hidden_size) if hidden_size > 0 else 0.0
    for parameter in module.parameters():
        init.uniform_(parameter, -bound, bound)


def _check_sizes(name: str, input_size: int, hidden_size: int) -> None:
    for label, value in (("input_size", input_size), ("hidden_size", hidden_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{name}: {label} must be a positive integer, got {value!r}")


def _check_dtype(layer: Any, tensor: Tensor, what: str) -> None:
    expected = layer._parameters[layer._weights[0][1]].dtype
    if tensor.dtype != expected:
        raise DtypeError(
            f"{layer._describe()}: {what} is {tensor.dtype} but the parameters are {expected}; convert "
            f"it with .to({expected.name}) or the layer with .to(...)."
        )


class _Recurrent(Module):
    """What cells and layers share: parameter creation, PyTorch's init, the name in errors."""

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


class _CellBase(_Recurrent):
    _weights = (("weight_ih", "weight_hh", "bias_ih", "bias_hh"),)

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool, dtype: Any) -> None:
        super().__init__()
        _check_sizes(type(self).__name__, input_size, hidden_size)
        self.mode = mode
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self._add_weights(self._weights[0], _GATES[mode] * hidden_size, input_size, bias, dtype)
        self.fused = True  # False: run the step as a composition of elementary ops
        self.reset_parameters()

    def _check_input(self, input: Tensor) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._describe()}: input must be a Tensor, got {type(input).__name__}")
        if input.ndim not in (1, 2) or input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{self._describe()}: expected input of shape (N, {self.input_size}) or ({self.input_size},), "
                f"got {tuple(input.shape)}. Build the cell with input_size={input.shape[-1] if input.ndim else '?'} "
                "or reshape the input."
            )
        _check_dtype(self, input, "the input")

    def _state(self, state: Tensor | None, input: Tensor, what: str) -> Tensor:
        expected = input.shape[:-1] + (self.hidden_size,)
        if state is None:
            return ag.zeros(*expected, dtype=input.dtype)
        if not isinstance(state, Tensor) or tuple(state.shape) != expected:
            got = tuple(state.shape) if isinstance(state, Tensor) else type(state).__name__
            raise ShapeError(
                f"{self._describe()}: expected {what} of shape {expected} for an input of shape "
                f"{tuple(input.shape)}, got {got}."
            )
        _check_dtype(self, state, what)
        return state

    def _run(self, input: Tensor, hidden: Tensor, cell: Tensor | None) -> Tensor:
        """The (1 or 2, N, H) result of one step: h' (and c' for LSTM)."""
        batched = input.ndim == 2
        if not batched:
            input, hidden = input.unsqueeze(0), hidden.unsqueeze(0)
            cell = None if cell is None else cell.unsqueeze(0)
        result = run_sequence(
            self.mode, input.unsqueeze(0), self.weight_ih, self.bias_ih, hidden, cell, self.weight_hh, self.bias_hh, False, self.fused
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

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        self._check_input(input)
        return self._run(input, self._state(hx, input, "hx"), None)[0]


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
        self._check_input(input)
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"{self._describe()}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        hidden, cell = (None, None) if hx is None else hx
        result = self._run(input, self._state(hidden, input, "h_0"), self._state(cell, input, "c_0"))
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
        self._check_input(input)
        return self._run(input, self._state(hx, input, "hx"), None)[0]


def _dropout(x: Tensor, p: float) -> Tensor:
    """Inverted dropout between layers: zero each value with probability p, scale the rest by 1/(1-p)."""
    keep = generator().random(x.shape) >= p
    scale = 0.0 if p >= 1 else 1.0 / (1.0 - p)
    return x * (keep * scale).astype(x.dtype)


class _RNNBase(_Recurrent):
    mode: ClassVar[str]  # RNN_TANH, RNN_RELU, LSTM or GRU

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True, batch_first: bool = False,
        dropout: float = 0.0, bidirectional: bool = False, dtype: Any = None,
    ) -> None:
        super().__init__()
        name, mode = type(self).__name__, self.mode
        _check_sizes(name, input_size, hidden_size)
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

    def _check_input(self, input: Tensor) -> None:
        if not isinstance(input, Tensor):
            raise TypeError(f"{self._describe()}: input must be a Tensor, got {type(input).__name__}")
        layout = "(N, L, H_in)" if self.batch_first else "(L, N, H_in)"
        if input.ndim not in (2, 3) or input.shape[-1] != self.input_size:
            raise ShapeError(
                f"{self._describe()}: expected input of shape {layout.replace('H_in', str(self.input_size))} or "
                f"(L, {self.input_size}) unbatched, got {tuple(input.shape)}. The last dim must be "
                f"input_size={self.input_size}; build the layer with the input's feature size or reshape the input."
            )
        _check_dtype(self, input, "the input")

    def _state(self, state: Tensor | None, batch: int | None, dtype: Any, what: str) -> Tensor:
        layers = self.num_layers * (2 if self.bidirectional else 1)
        expected = (layers, self.hidden_size) if batch is None else (layers, batch, self.hidden_size)
        if state is None:
            return ag.zeros(*expected, dtype=dtype)
        if not isinstance(state, Tensor) or tuple(state.shape) != expected:
            got = tuple(state.shape) if isinstance(state, Tensor) else type(state).__name__
            raise ShapeError(
                f"{self._describe()}: expected {what} of shape {expected} (num_layers * num_directions, "
                f"{'' if batch is None else 'batch, '}hidden_size), got {got}."
            )
        _check_dtype(self, state, what)
        return state

    def _run(self, input: Tensor, h0: Tensor | None, c0: Tensor | None) -> tuple[Tensor, Tensor, Tensor | None]:
        """(output, h_n, c_n) for a checked input; states None mean zeros."""
        self._check_input(input)
        batched = input.ndim == 3
        batch = (input.shape[0] if self.batch_first else input.shape[1]) if batched else None
        h0 = self._state(h0, batch, input.dtype, "h_0" if self.mode == "LSTM" else "hx")
        c0 = self._state(c0, batch, input.dtype, "c_0") if self.mode == "LSTM" else None
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
                result = run_sequence(self.mode, input, w_ih, b_ih, h0[index], cell, w_hh, b_hh, direction == 1, self.fused)
                hidden = result[:steps] if self.mode == "LSTM" else result
                last_hidden.append(hidden[0] if direction else hidden[steps - 1])
                if self.mode == "LSTM":
                    last_cell.append(result[steps])
                outputs.append(hidden)
            input = outputs[0] if directions == 1 else ag.cat(outputs, 2)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                input = _dropout(input, self.dropout)
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
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError(f"{self._describe()}: hx must be a tuple (h_0, c_0), got {type(hx).__name__}")
        h0, c0 = (None, None) if hx is None else hx
        output, h_n, c_n = self._run(input, h0, c0)
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
