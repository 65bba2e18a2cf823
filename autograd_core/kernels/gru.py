"""GRU kernels: one float32 step forward and one step backward, each one call per step.

``nn/recurrence.py``'s fused GRU node (``GRUSequence``) drives them, gate order (r, z, n) as
PyTorch's: r = sigmoid(x_r + h_r + b_hr), z = sigmoid(x_z + h_z + b_hz), n = tanh(x_n + r (W_hn h +
b_hn)), h' = (1 - z) n + z h, computed as (h - n) z + n. Each kernel's NumPy twin computes the same
numbers bit for bit (``jit``'s contract: the same IEEE operations in the same order, float32
constants). Forward, a float32 step after its matmul is one pass over each row with
``exp_float32_value`` inlined (sigmoid(x) = 1 / (1 + exp(-x)), tanh(x) = 2 / (1 + exp(-2x)) - 1, as
the LSTM kernel); other dtypes run the twin's whole-array steps with NumPy's exp and tanh
(``gru_step_pointwise`` picks). Backward, ``gru_step_backward`` turns the saved activations into
dL/d(gates_x) in place and writes dL/d(h W_hh^T + b_hh) for the step's product, the local
derivatives computed per element (no (T, N, H) temporaries); other dtypes run its twin.

Rows are processed as contiguous slices indexed from 0 so the inner loops vectorise;
``error_model="numpy"`` lets ``1 / (1 + e)`` give inf instead of a check per division.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .jit import lazy_njit
from .recurrent import exp_float32_value


@lazy_njit(error_model="numpy")
def gru_step_float32(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, hidden_prev: np.ndarray, hidden_n: np.ndarray,
    hidden: np.ndarray,
) -> None:
    """One float32 GRU step after its matmul, per row while it is in L1. gates (N, 3H): x W_ih^T + b_ih
    in, the activations r, z, n out; product (N, 3H): h_{t-1} W_hh^T (C-contiguous, read only); bias
    (3H,): b_hh (-0.0 for none: x + -0.0 is x exactly); hidden_prev (N, H): h_{t-1}; writes hidden_n
    (N, H) = W_hn h_{t-1} + b_hn (the backward's) and hidden (N, H) = h_t."""
    size, one, two = hidden.shape[1], np.float32(1), np.float32(2)
    for n in range(hidden.shape[0]):
        row, extra = gates[n], product[n]
        part, added, shift = row[: 2 * size], extra[: 2 * size], bias[: 2 * size]  # r, z
        for k in range(part.size):
            part[k] = one / (one + exp_float32_value(-(part[k] + (added[k] + shift[k]))))
        r, z, new = row[:size], row[size : 2 * size], row[2 * size :]
        added, shift = extra[2 * size :], bias[2 * size :]
        h_n, h_prev, h = hidden_n[n], hidden_prev[n], hidden[n]
        for k in range(size):
            from_hidden = added[k] + shift[k]
            h_n[k] = from_hidden
            candidate = two / (one + exp_float32_value(-two * (new[k] + r[k] * from_hidden))) - one
            new[k] = candidate
            h[k] = (h_prev[k] - candidate) * z[k] + candidate


def _sigmoid_float32(values: np.ndarray) -> None:
    """``1 / (1 + exp_float32_value(-x))`` in place (any layout), whole-array float32 steps."""
    values[...] = exp_float32_value.numpy(-values)  # a new array: a column slice has no flat view to work in
    values += 1
    np.divide(1, values, out=values)


def _tanh_float32(values: np.ndarray) -> None:
    """``2 / (1 + exp_float32_value(-2 x)) - 1`` in place (any layout), whole-array float32 steps."""
    values[...] = exp_float32_value.numpy(values * -2)
    values += 1
    np.divide(2, values, out=values)
    values -= 1


def _sigmoid(values: np.ndarray) -> None:
    """``1 / (1 + exp(-x))`` in place with NumPy's exp (exp overflowing to inf gives the right 0)."""
    np.negative(values, out=values)
    np.exp(values, out=values)
    values += 1
    np.reciprocal(values, out=values)


def _gru_step_numpy(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, hidden_prev: np.ndarray, hidden_n: np.ndarray,
    hidden: np.ndarray, sigmoid: Callable[[np.ndarray], None], tanh: Callable[[np.ndarray], None],
) -> None:
    """``gru_step_float32``'s operations as whole-array steps, with in-place activations ``sigmoid``
    and ``tanh`` (hidden is the scratch for r (W_hn h + b_hn); x_n + that equals that + x_n bit for bit)."""
    size = hidden.shape[1]
    rz, new = gates[:, : 2 * size], gates[:, 2 * size :]
    rz += product[:, : 2 * size] + bias[: 2 * size]
    sigmoid(rz)
    np.add(product[:, 2 * size :], bias[2 * size :], out=hidden_n)
    new += np.multiply(gates[:, :size], hidden_n, out=hidden)
    tanh(new)
    np.subtract(hidden_prev, new, out=hidden)
    hidden *= gates[:, size : 2 * size]
    hidden += new


@gru_step_float32.twin
def _gru_step_float32_numpy(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, hidden_prev: np.ndarray, hidden_n: np.ndarray,
    hidden: np.ndarray,
) -> None:
    """``gru_step_float32`` in whole-array float32 steps (``exp_float32``'s twin for the exps)."""
    _gru_step_numpy(gates, product, bias, hidden_prev, hidden_n, hidden, _sigmoid_float32, _tanh_float32)


def gru_step_pointwise(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, hidden_prev: np.ndarray, hidden_n: np.ndarray,
    hidden: np.ndarray,
) -> Callable:
    """The function that computes a GRU step after its matmul (``gru_step_float32``'s arguments) for
    steps whose arguments have these types: float32 that kernel, resolved once (``Kernel.resolve``);
    other dtypes its whole-array steps with NumPy's exp (sigmoid) and tanh."""
    if gates.dtype == np.float32:
        return gru_step_float32.resolve(gates, product, bias, hidden_prev, hidden_n, hidden)

    def step(
        gates: np.ndarray, product: np.ndarray, bias: np.ndarray, hidden_prev: np.ndarray, hidden_n: np.ndarray,
        hidden: np.ndarray,
    ) -> None:
        _gru_step_numpy(gates, product, bias, hidden_prev, hidden_n, hidden, _sigmoid, lambda x: np.tanh(x, out=x))

    return step


@lazy_njit()
def gru_step_backward(
    grad_out: np.ndarray, carry: np.ndarray, product: np.ndarray, gates: np.ndarray, hidden_n: np.ndarray,
    hidden_prev: np.ndarray, grad_hidden: np.ndarray,
) -> None:
    """One GRU step backwards, all (N, H) but gates and grad_hidden (N, 3H). dL/dh_t = grad_out (from
    the output at t) + (carry + product), dL/dh_t from step t+1 in two parts: carry, dL/dh_{t+1} z_{t+1}
    in, dL/dh_t z_t out; product, the step after's grad_hidden W_hh. gates: the activations r, z, n in,
    dL/d(gates_x) out (in place: no fresh (T, N, 3H) array); hidden_n: W_hn h_{t-1} + b_hn; hidden_prev:
    h_{t-1}; writes grad_hidden = dL/d(h_{t-1} W_hh^T + b_hh), whose product with W_hh is the next call's
    ``product``. float32 constants: float32 arrays are computed in float32."""
    size, one = carry.shape[1], np.float32(1)
    for n in range(carry.shape[0]):  # row slices: the inner loop is contiguous and vectorises
        row, grad_row = gates[n], grad_hidden[n]
        r, z, new = row[:size], row[size : 2 * size], row[2 * size :]
        grad_r, grad_z, grad_n = grad_row[:size], grad_row[size : 2 * size], grad_row[2 * size :]
        d_out, d_next, d_product, h_n, h_prev = grad_out[n], carry[n], product[n], hidden_n[n], hidden_prev[n]
        for k in range(size):
            r_k, z_k, n_k = r[k], z[k], new[k]
            dh = d_out[k] + (d_next[k] + d_product[k])
            d_next[k] = dh * z_k  # h' = (h - n) z + n: d/dh = z
            d_new = dh * ((one - z_k) * (one - n_k * n_k))  # d/dn = 1 - z; tanh' = 1 - tanh^2
            d_z = dh * ((h_prev[k] - n_k) * z_k * (one - z_k))  # d/dz = h - n; sigmoid' = s (1 - s)
            d_r = d_new * (h_n[k] * r_k * (one - r_k))  # n = tanh(x_n + r h_n): d/dr = h_n
            r[k], z[k], new[k] = d_r, d_z, d_new
            grad_r[k], grad_z[k], grad_n[k] = d_r, d_z, d_new * r_k  # the hidden side of n is scaled by r


@gru_step_backward.twin
def _gru_step_backward_numpy(
    grad_out: np.ndarray, carry: np.ndarray, product: np.ndarray, gates: np.ndarray, hidden_n: np.ndarray,
    hidden_prev: np.ndarray, grad_hidden: np.ndarray,
) -> None:
    """``gru_step_backward`` with whole-array operations in the kernel's order, in the arrays' dtype
    (also the backward of other dtypes than float32)."""
    size = carry.shape[1]
    r, z, new = (gates[:, k * size : (k + 1) * size] for k in range(3))
    dh = grad_out + (carry + product)
    np.multiply(dh, z, out=carry)
    d_new = dh * ((1 - z) * (1 - new * new))
    d_z = dh * ((hidden_prev - new) * z * (1 - z))
    d_r = d_new * (hidden_n * r * (1 - r))
    np.multiply(d_new, r, out=grad_hidden[:, 2 * size :])
    grad_hidden[:, :size], grad_hidden[:, size : 2 * size] = d_r, d_z
    r[...], z[...], new[...] = d_r, d_z, d_new
