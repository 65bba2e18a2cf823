"""Recurrent kernels: the LSTM step's pointwise parts and a vectorised float32 exp.

Each is a Numba loop (``lazy_njit``) with a NumPy twin that computes the same numbers bit
for bit (``jit``'s contract: the same IEEE operations in the same order; the constants are
float32, since Numba computes float32 with an int literal in float64), so an LSTM step gives
the same bits whether the twin or the compiled code ran. ``nn/recurrence.py`` drives them
from the fused LSTM node: a float32 step's pointwise part is one call of
``lstm_step_float32`` (the product and the biases added, the gates, the cell, tanh(c) and h, row by row, with
``exp_float32_value`` inlined into its loops); other dtypes take NumPy's exp and the generic
``lstm_gates_and_cell`` and ``lstm_hidden``. Backwards ``lstm_step_backward`` turns the saved
activations into dL/d(pre-activations) in place. ``add_by_blocks`` sums a column-major
operand (the per-step GEMMs' outputs from H = 256 on) into a row-major array in L1-sized blocks.

Rows are processed as contiguous slices so the inner loops vectorise; ``error_model=
"numpy"`` lets ``1 / (1 + e)`` give inf instead of a check per division.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .jit import lazy_njit


@lazy_njit(error_model="numpy", inline="always")  # always: Numba inlines it into the loops that call it
def exp_float32_value(x: np.float32) -> np.float32:
    """``exp`` of one float32 value, within about 1 ulp, in operations a loop that calls it vectorises.

    This machine's Numba has no vector library, so ``math.exp`` in a loop is a scalar call, and
    NumPy's exp was the largest part of an LSTM step. exp(x) = 2^n e^r with n = round(x / ln 2)
    and |r| <= ln(2) / 2: e^r from a degree-7 polynomial (the Cephes expf coefficients), 2^n
    from its float32 bits (exponent field n + 127), reinterpreted in a register (a scalar
    ``view``; a store to an int32 view of an array and a load from it kept the loop scalar).
    x is clamped to [-87, 88], where float32 2^n is normal; NaN stays NaN.
    """
    x = np.float32(88.0) if x > np.float32(88.0) else x
    x = np.float32(-87.0) if x < np.float32(-87.0) else x
    n = np.floor(x * np.float32(1.4426950408889634) + np.float32(0.5))  # round(x / ln 2)
    r = x - n * np.float32(0.693359375) + n * np.float32(2.12194440e-4)  # x - n ln 2 in two parts
    p = np.float32(1.9875691500e-4)
    p = p * r + np.float32(1.3981999507e-3)
    p = p * r + np.float32(8.3334519073e-3)
    p = p * r + np.float32(4.1665795894e-2)
    p = p * r + np.float32(1.6666665459e-1)
    p = p * r + np.float32(5.0000001201e-1)
    power = np.int32((np.int32(n) + np.int32(127)) << np.int32(23)).view(np.float32)  # the float32 2^n
    return (p * r * r + r + np.float32(1)) * power  # e^r 2^n


def _exp_in_place(values: np.ndarray) -> None:
    """``exp_float32_value`` of every element of a float32 array, in whole-array float32 steps in its order."""
    if values.dtype != np.float32:
        raise TypeError(f"exp_float32 works on float32 arrays, got {values.dtype}; use np.exp for other dtypes.")
    f32 = np.float32
    x = np.clip(values, f32(-87.0), f32(88.0))  # NaN stays NaN
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
    np.add(p, f32(1), out=values)
    bits = np.empty(values.shape, np.int32)
    with np.errstate(invalid="ignore"):  # NaN -> int32 gives INT_MIN, as the kernel's conversion
        np.copyto(bits, n, casting="unsafe")
    bits += np.int32(127)  # n + 127 is in [2, 254] (NaN aside, whose product stays NaN): no wrap
    bits <<= np.int32(23)
    values *= bits.view(np.float32)


@exp_float32_value.twin
def _exp_float32_value_numpy(x: Any) -> Any:
    """``exp_float32_value`` of a float32 value (or, elementwise, of a float32 array: a new one)."""
    array = np.array(x)
    flat = array.reshape(-1)  # 1-d: NumPy's functions give 0-d arrays back as scalars
    _exp_in_place(flat)
    return flat.reshape(array.shape) if array.ndim else flat[0]


@lazy_njit(error_model="numpy")
def exp_float32(values: np.ndarray) -> None:
    """``exp_float32_value`` in place over a contiguous float32 array (a loop that vectorises)."""
    flat = values.reshape(values.size)
    for k in range(flat.size):
        flat[k] = exp_float32_value(flat[k])


@exp_float32.twin
def _exp_float32_numpy(values: np.ndarray) -> None:
    """``exp_float32`` in whole-array float32 steps, the kernel's operations in its order."""
    if not values.flags.c_contiguous:  # reshape would copy, and the exps would land in the copy
        raise ValueError(
            f"exp_float32 works in place on a C-contiguous array, got a strided {values.shape} view; "
            "pass a contiguous array (or use exp_float32_value's twin, which returns a new one)."
        )
    _exp_in_place(values.reshape(values.size))


@lazy_njit(error_model="numpy")  # numpy: 1/0 gives inf instead of a check per division, so the loop vectorises
def lstm_gates_and_cell(gates: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray, minus_2c: np.ndarray) -> None:
    """One LSTM step's pointwise part up to the cell, in place. gates (N, 4H) holds exp(-x) for
    i, f, o and exp(-2x) for g on entry, the activations on exit; writes ``c_t = f c_{t-1} + i g``
    and -2 c_t (N, H), whose exp ``lstm_hidden`` turns into tanh(c_t). The constants are float32,
    so float32 gates are computed in float32 (an int literal would make them float64: a float64
    division per gate was most of the kernel's time)."""
    size, one, two = cell.shape[1], np.float32(1), np.float32(2)
    for n in range(cell.shape[0]):  # row slices: the inner loop is contiguous and vectorises
        row, c_prev, c_new, arg = gates[n], cell_prev[n], cell[n], minus_2c[n]
        i, f, g, o = row[:size], row[size : 2 * size], row[2 * size : 3 * size], row[3 * size :]
        for k in range(size):
            i[k] = one / (one + i[k])  # sigmoid(x) = 1 / (1 + exp(-x)); exp overflowing to inf gives 0
            f[k] = one / (one + f[k])
            g[k] = two / (one + g[k]) - one  # tanh(x) = 2 sigmoid(2x) - 1
            o[k] = one / (one + o[k])
            c_new[k] = f[k] * c_prev[k] + i[k] * g[k]
            arg[k] = -two * c_new[k]


@lstm_gates_and_cell.twin
def _lstm_gates_and_cell_numpy(
    gates: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray, minus_2c: np.ndarray
) -> None:
    """``lstm_gates_and_cell`` with whole-array operations in the gates' dtype (Python numbers
    with an array keep its dtype, as the kernel's float32 constants)."""
    size = cell.shape[1]
    denominator = 1 + gates[:, : 4 * size]
    activations = 1 / denominator
    activations[:, 2 * size : 3 * size] = 2 / denominator[:, 2 * size : 3 * size] - 1
    gates[:, : 4 * size] = activations
    i, f, g = (gates[:, k * size : (k + 1) * size] for k in range(3))
    cell[...] = f * cell_prev + i * g
    minus_2c[...] = -2 * cell


@lazy_njit(error_model="numpy")
def lstm_hidden(gates: np.ndarray, tanh_c: np.ndarray, hidden: np.ndarray) -> None:
    """``h_t = o tanh(c_t)`` (N, H); tanh_c holds exp(-2 c_t) on entry, tanh(c_t) on exit
    (float32 constants, as ``lstm_gates_and_cell``)."""
    size, one, two = hidden.shape[1], np.float32(1), np.float32(2)
    for n in range(hidden.shape[0]):
        o, tc, h = gates[n, 3 * size :], tanh_c[n], hidden[n]
        for k in range(size):
            tc[k] = two / (one + tc[k]) - one
            h[k] = o[k] * tc[k]


@lstm_hidden.twin
def _lstm_hidden_numpy(gates: np.ndarray, tanh_c: np.ndarray, hidden: np.ndarray) -> None:
    """``lstm_hidden`` with whole-array operations in the arrays' dtype."""
    size = hidden.shape[1]
    tanh_c[...] = 2 / (1 + tanh_c) - 1
    hidden[...] = gates[:, 3 * size : 4 * size] * tanh_c


ADD_BLOCK = 128  # columns per block in ``add_by_blocks``: 128 x N = 32 rows of a column-major array is 16 KiB


@lazy_njit(error_model="numpy")
def add_by_blocks(total: np.ndarray, first: np.ndarray, second: np.ndarray) -> None:
    """``total = first + second`` for (N, M) arrays, total C-contiguous, the others in either order
    (total may be first), by blocks of ``ADD_BLOCK`` columns. For a column-major operand, whose
    rows are strided: row by row over all M columns each row's pass touched M cache lines (the LSTM
    forward's product at N = 32, M = 2048: ~165 -> ~20 us a step); in blocks a block's lines stay in
    L1 across the rows."""
    rows, width = total.shape
    for start in range(0, width, ADD_BLOCK):
        stop = min(start + ADD_BLOCK, width)
        for n in range(rows):
            out, a, b = total[n, start:stop], first[n, start:stop], second[n, start:stop]
            for k in range(out.size):
                out[k] = a[k] + b[k]


@add_by_blocks.twin
def _add_by_blocks_numpy(total: np.ndarray, first: np.ndarray, second: np.ndarray) -> None:
    """``add_by_blocks``: one addition per element, so the order of the blocks does not show."""
    np.add(first, second, out=total)


@lazy_njit()
def lstm_step_backward(
    grad_out: np.ndarray, grad_h: np.ndarray, grad_c: np.ndarray, gates: np.ndarray, cell_prev: np.ndarray,
    tanh_c: np.ndarray, grad_hidden: np.ndarray,
) -> None:
    """One LSTM step backwards. dL/dh_t = grad_out (from the output at t) + grad_h (from step
    t+1), written to grad_hidden (N, H) (C-contiguous; grad_h may be column-major: then summed
    first, by ``add_by_blocks``, else row by row); grad_c: dL/dc_t from later steps in,
    dL/dc_{t-1} out; gates (N, 4H): the activations in, dL/d(pre-activations) out (no fresh (T,
    N, 4H) array: fresh large arrays page-fault). float32 constants, as ``lstm_gates_and_cell``:
    float32 arrays are computed in float32."""
    size, one = grad_h.shape[1], np.float32(1)
    row_major = grad_h.strides[1] == grad_h.itemsize
    if not row_major:
        add_by_blocks(grad_hidden, grad_out, grad_h)
    for n in range(grad_h.shape[0]):  # row slices: the inner loop is contiguous and vectorises
        d_h = grad_hidden[n]
        if row_major:
            d_out, d_next = grad_out[n], grad_h[n]
            for k in range(size):
                d_h[k] = d_out[k] + d_next[k]
        row = gates[n]
        i, f, g, o = row[:size], row[size : 2 * size], row[2 * size : 3 * size], row[3 * size :]
        d_c, c_prev, tc = grad_c[n], cell_prev[n], tanh_c[n]
        for k in range(size):
            i_k, f_k, g_k, o_k, dh = i[k], f[k], g[k], o[k], d_h[k]
            dc = d_c[k] + dh * o_k * (one - tc[k] * tc[k])  # h = o tanh(c)
            i[k] = dc * g_k * i_k * (one - i_k)  # c = f c_prev + i g; sigmoid' = s (1 - s)
            f[k] = dc * c_prev[k] * f_k * (one - f_k)
            g[k] = dc * i_k * (one - g_k * g_k)  # tanh' = 1 - tanh^2
            o[k] = dh * tc[k] * o_k * (one - o_k)
            d_c[k] = dc * f_k


@lstm_step_backward.twin
def _lstm_step_backward_numpy(
    grad_out: np.ndarray, grad_h: np.ndarray, grad_c: np.ndarray, gates: np.ndarray, cell_prev: np.ndarray,
    tanh_c: np.ndarray, grad_hidden: np.ndarray,
) -> None:
    """``lstm_step_backward`` with whole-array operations in the kernel's order, in the arrays'
    dtype. Every gate is overwritten only after the last use of its old value."""
    size = grad_h.shape[1]
    i, f, g, o = (gates[:, k * size : (k + 1) * size] for k in range(4))
    dh = np.add(grad_out, grad_h, out=grad_hidden)
    dc = grad_c + dh * o * (1 - tanh_c * tanh_c)
    grad_i = dc * g * i * (1 - i)
    g[...] = dc * i * (1 - g * g)
    i[...] = grad_i
    o[...] = dh * tanh_c * o * (1 - o)
    grad_c[...] = dc * f
    f[...] = dc * cell_prev * f * (1 - f)


@lazy_njit(error_model="numpy")
def lstm_step_float32(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray,
    tanh_c: np.ndarray, hidden: np.ndarray,
) -> None:
    """One float32 LSTM step's pointwise part in one call. The step's ``h W_hh^T`` (scaled as the
    gates) is added (row by row if it is row-major, else first, by ``add_by_blocks``), then the
    biases (4H,) (b_ih + b_hh, scaled: here rather than in a pass over the whole (T, N, 4H)
    projection, ~85 us of an h128 step); then per row, while it is in L1: the four gates'
    activations from ``exp_float32_value`` (1 / (1 + e) for i, f, o; 2 / (1 + e) - 1 for g), and
    in one pass over H ``c_t = f c_{t-1} + i g``,
    tanh(c_t) from exp(-2 c_t) into ``tanh_c``, and ``h_t = o tanh(c_t)``: the operations of
    ``lstm_gates_and_cell`` and ``lstm_hidden`` with an ``exp_float32`` between them, in one pass
    over the data instead of five (h128, batch 32: ~28 -> ~20 us a step in the forward's loop;
    h512 with the column-major product: ~165 -> ~110). Every loop runs over a row slice from 0:
    a loop from an offset (``range(2 * size, 3 * size)``) kept the index's wraparound check and
    stayed scalar."""
    size, one, two = cell.shape[1], np.float32(1), np.float32(2)
    row_major = product.strides[1] == product.itemsize  # else added first, in ``add_by_blocks``'s blocks
    if not row_major:
        add_by_blocks(gates, gates, product)
    for n in range(cell.shape[0]):
        row = gates[n]
        if row_major:  # added here, while the row is in L1 for the loops below
            extra = product[n]
            for k in range(row.size):
                row[k] = (row[k] + extra[k]) + bias[k]
        else:
            for k in range(row.size):
                row[k] += bias[k]
        part = row[: 2 * size]  # i, f
        for k in range(part.size):
            part[k] = one / (one + exp_float32_value(part[k]))
        part = row[2 * size : 3 * size]  # g
        for k in range(part.size):
            part[k] = two / (one + exp_float32_value(part[k])) - one
        part = row[3 * size :]  # o
        for k in range(part.size):
            part[k] = one / (one + exp_float32_value(part[k]))
        i, f, g, o = row[:size], row[size : 2 * size], row[2 * size : 3 * size], row[3 * size :]
        c_prev, c_new, tc, h = cell_prev[n], cell[n], tanh_c[n], hidden[n]
        for k in range(size):
            c = f[k] * c_prev[k] + i[k] * g[k]
            c_new[k] = c
            t = two / (one + exp_float32_value(-two * c)) - one
            tc[k] = t
            h[k] = o[k] * t


@lstm_step_float32.twin
def _lstm_step_float32_numpy(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray,
    tanh_c: np.ndarray, hidden: np.ndarray,
) -> None:
    """``lstm_step_float32`` as whole-array steps: the twins of ``exp_float32``, ``lstm_gates_and_cell``
    (which also writes -2 c_t) and ``lstm_hidden``, the same operations per element."""
    gates += product
    gates += bias
    exp_float32.numpy(gates)
    lstm_gates_and_cell.numpy(gates, cell_prev, cell, tanh_c)
    exp_float32.numpy(tanh_c)
    lstm_hidden.numpy(gates, tanh_c, hidden)


def lstm_step_pointwise(
    gates: np.ndarray, product: np.ndarray, bias: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray,
    tanh_c: np.ndarray, hidden: np.ndarray,
) -> Callable:
    """The function that computes an LSTM step after its matmul, for steps whose arguments (those of
    ``lstm_step_float32``) have the types of these: float32 that one kernel, other dtypes NumPy's
    exp (``exp_float32`` computes float32 only) and the two generic kernels. Resolved once
    (``Kernel.resolve``), so a loop over the steps does not pay for a kernel call's type check."""
    if gates.dtype == np.float32:
        return lstm_step_float32.resolve(gates, product, bias, cell_prev, cell, tanh_c, hidden)
    gates_and_cell = lstm_gates_and_cell.resolve(gates, cell_prev, cell, tanh_c)
    hidden_from_cell = lstm_hidden.resolve(gates, tanh_c, hidden)

    def step(
        gates: np.ndarray, product: np.ndarray, bias: np.ndarray, cell_prev: np.ndarray, cell: np.ndarray,
        tanh_c: np.ndarray, hidden: np.ndarray,
    ) -> None:
        gates += product
        gates += bias
        np.exp(gates, out=gates)
        gates_and_cell(gates, cell_prev, cell, tanh_c)
        np.exp(tanh_c, out=tanh_c)
        hidden_from_cell(gates, tanh_c, hidden)

    return step
