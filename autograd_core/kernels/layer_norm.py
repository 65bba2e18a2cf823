"""LayerNorm (and RMSNorm) over rows: a forward and a backward kernel on x viewed as (M, D).

``nn/normalization_node.py`` runs these for a ``Normalize`` node whose statistics are over
the trailing dims of x and whose weight and bias have those dims' shape (LayerNorm; RMSNorm
is its uncentred case): each row of D values is normalised on its own,

    forward:   mean = sum(x) / D,  var = sum((x - mean)^2) / D,  inv_std = 1 / sqrt(var + eps),
               y = (x - mean) * inv_std * w + b          (uncentred: mean = 0)
    backward:  x_hat = (x - mean) * inv_std,  g = dy * w,
               dx = inv_std * ((g - sum(g) / D) - x_hat * (sum(g x_hat) / D))   (uncentred: no sum(g) term)
               dw += dy * x_hat,  db += dy   (summed over the rows, in order)

A row sum (``lane_sum``) runs in ``LANES`` partial sums: element j into lane j % LANES, the
lanes added left to right, then the D % LANES leftover elements in order. The lanes are
independent chains the CPU overlaps, and a sum of D values rounds about as a sum of D / LANES.
This Numba vectorises plain loops but not the lanes of a sum (it runs no SLP vectoriser), so
the kernels compute what they sum (the squares, dy * w, dy * w * x_hat) in loops of their own,
into scratch rows, and only the additions run as scalars. The NumPy twins compute every row
at once in the same operations and order (a Python loop over the D columns in steps of
``LANES``, vectorised over the rows), so they give the kernels' bits.

The kernels are generic over float32 and float64; the constants they need come in as
arguments of x's dtype (``eps``, ``count`` = D), since Numba computes a float32 with a
Python number in float64. ``mean`` is saved as +0.0 for an uncentred layout, and
``x - 0.0`` is x exactly, so one code path serves both.
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit

LANES = 8


@lazy_njit(error_model="numpy", inline="always")  # always: Numba inlines it into the kernels that call it
def lane_sum(values: np.ndarray, lanes: np.ndarray, zero: float) -> float:
    """The sum of a contiguous 1-D array in the module docstring's order; ``lanes`` is a
    scratch array of ``LANES``, ``zero`` +0.0 of the dtype."""
    size = values.size
    main = size - size % LANES
    for k in range(LANES):
        lanes[k] = zero
    for j in range(0, main, LANES):
        for k in range(LANES):
            lanes[k] += values[j + k]
    total = lanes[0]
    for k in range(1, LANES):
        total += lanes[k]
    for j in range(main, size):
        total += values[j]
    return total


def _row_sums(values: np.ndarray) -> np.ndarray:
    """``lane_sum`` of every row of ``values`` (M, D) at once."""
    size = values.shape[1]
    main = size - size % LANES
    lanes = np.zeros((values.shape[0], LANES), values.dtype)
    for j in range(0, main, LANES):
        lanes += values[:, j:j + LANES]
    total = lanes[:, 0].copy()
    for k in range(1, LANES):
        total += lanes[:, k]
    for j in range(main, size):
        total += values[:, j]
    return total


@lane_sum.twin
def _lane_sum_numpy(values: np.ndarray, lanes: np.ndarray, zero: float) -> float:
    """``lane_sum`` through ``_row_sums`` (``lanes`` is left alone: nothing reads it after)."""
    return _row_sums(values.reshape(1, -1))[0]


def _check_floats(name: str, *arrays: np.ndarray) -> None:
    dtype = arrays[0].dtype
    if dtype not in (np.float32, np.float64) or any(a.dtype != dtype for a in arrays):
        raise TypeError(f"{name} works on float32 or float64 arrays of one dtype, got {[str(a.dtype) for a in arrays]}")


@lazy_njit(error_model="numpy")  # numpy: no zero-division check in the loops
def layer_norm_forward(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, out: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    eps: float, count: float, centered: bool, affine: bool, biased: bool,
) -> None:
    """For x (M, D) C-contiguous: ``mean[i]``, ``inv_std[i]`` of row i and ``out`` (M, D) its
    normalised values, times ``weight`` (D,) if ``affine``, plus ``bias`` (D,) if ``biased``
    (otherwise they are not read). ``eps`` and ``count`` (D) of x's dtype."""
    rows, size = x.shape
    zero = count - count
    one = count / count
    lanes = np.empty(LANES, x.dtype)
    scratch = np.empty(size, x.dtype)
    for i in range(rows):
        row, out_row = x[i], out[i]
        m = lane_sum(row, lanes, zero) / count if centered else zero
        for j in range(size):
            c = row[j] - m
            out_row[j] = c
            scratch[j] = c * c
        r = one / np.sqrt(lane_sum(scratch, lanes, zero) / count + eps)
        mean[i] = m
        inv_std[i] = r
        if affine and biased:
            for j in range(size):
                out_row[j] = out_row[j] * r * weight[j] + bias[j]
        elif affine:
            for j in range(size):
                out_row[j] = out_row[j] * r * weight[j]
        elif biased:
            for j in range(size):
                out_row[j] = out_row[j] * r + bias[j]
        else:
            for j in range(size):
                out_row[j] = out_row[j] * r


@layer_norm_forward.twin
def _layer_norm_forward_numpy(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, out: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    eps: float, count: float, centered: bool, affine: bool, biased: bool,
) -> None:
    """``layer_norm_forward`` for all rows at once, the kernel's operations in its order."""
    _check_floats("layer_norm_forward", x, out, mean, inv_std)
    dtype = x.dtype.type
    eps, count = dtype(eps), dtype(count)
    m = _row_sums(x) / count if centered else np.zeros(x.shape[0], x.dtype)
    centred = np.subtract(x, m[:, None])
    np.multiply(centred, centred, out=out)
    r = _row_sums(out)
    r /= count
    r += eps
    np.sqrt(r, out=r)
    np.divide(count / count, r, out=r)
    mean[...] = m
    inv_std[...] = r
    np.multiply(centred, r[:, None], out=out)
    if affine:
        out *= weight
    if biased:
        out += bias


def _add_rows_in_order(total: np.ndarray, rows: np.ndarray) -> None:
    """``total += rows[0]; total += rows[1]; ...`` as the backward kernel adds them. A reduction
    over axis 0 of a C-contiguous array with two or more columns adds its rows in order (NumPy's
    inner loop runs along the columns; the tests hold it to the kernel's bits); with one column
    it would sum pairwise, so that case (and only it) adds the rows one by one."""
    if total.size < 2:
        for row in rows:
            total += row
        return
    stacked = np.concatenate([total[None], rows.astype(total.dtype, copy=False)])
    np.add.reduce(stacked, axis=0, out=total)


@lazy_njit(error_model="numpy")
def layer_norm_backward(
    x: np.ndarray, grad: np.ndarray, weight: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    grad_x: np.ndarray, grad_weight: np.ndarray, grad_bias: np.ndarray,
    count: float, centered: bool, affine: bool,
) -> None:
    """``layer_norm_forward``'s backward for x (M, D) and the upstream ``grad`` (M, D), both
    C-contiguous, with the forward's ``mean`` and ``inv_std``: writes ``grad_x`` (M, D) and
    adds dL/dweight and dL/dbias (summed over the rows in order) into ``grad_weight`` and
    ``grad_bias`` (D,), which may be of a wider dtype than x (the products are x's dtype).
    ``weight`` is read only if ``affine``; ``count`` (D) of x's dtype."""
    rows, size = x.shape
    zero = count - count
    lanes = np.empty(LANES, x.dtype)
    normalized, weighted, products = np.empty(size, x.dtype), np.empty(size, x.dtype), np.empty(size, x.dtype)
    for i in range(rows):
        row, grad_row, grad_x_row = x[i], grad[i], grad_x[i]
        m = mean[i]
        r = inv_std[i]
        for j in range(size):
            g = grad_row[j]
            n = (row[j] - m) * r
            normalized[j] = n
            grad_weight[j] += g * n
            grad_bias[j] += g
        if affine:
            for j in range(size):
                g = grad_row[j] * weight[j]
                weighted[j] = g
                products[j] = g * normalized[j]
        else:
            for j in range(size):
                weighted[j] = grad_row[j]
                products[j] = grad_row[j] * normalized[j]
        shift = lane_sum(weighted, lanes, zero) / count if centered else zero
        projection = lane_sum(products, lanes, zero) / count
        for j in range(size):
            grad_x_row[j] = r * ((weighted[j] - shift) - normalized[j] * projection)


@layer_norm_backward.twin
def _layer_norm_backward_numpy(
    x: np.ndarray, grad: np.ndarray, weight: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    grad_x: np.ndarray, grad_weight: np.ndarray, grad_bias: np.ndarray,
    count: float, centered: bool, affine: bool,
) -> None:
    """``layer_norm_backward`` for all rows at once, the kernel's operations in its order."""
    _check_floats("layer_norm_backward", x, grad, mean, inv_std, grad_x)
    count = x.dtype.type(count)
    normalized = np.subtract(x, mean[:, None])
    normalized *= inv_std[:, None]
    product = np.multiply(grad, normalized)
    _add_rows_in_order(grad_weight, product)
    _add_rows_in_order(grad_bias, grad)
    weighted = np.multiply(grad, weight) if affine else grad
    shift = _row_sums(weighted) / count if centered else np.zeros(x.shape[0], x.dtype)
    np.multiply(weighted, normalized, out=product)
    projection = _row_sums(product)
    projection /= count
    normalized *= projection[:, None]
    np.subtract(weighted, shift[:, None], out=grad_x)
    grad_x -= normalized
    grad_x *= inv_std[:, None]
