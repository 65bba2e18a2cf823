"""BatchNorm over channels: a forward and a backward kernel on x viewed as (N, C, S).

``nn/normalization.py`` runs these for a training-mode batch norm of a C-contiguous float32
or float64 input (N, C, *spatial) with at least one spatial dim (BatchNorm1d of (N, C, L),
BatchNorm2d): S is the product of the spatial dims, and channel c's values are the N rows
``x[n, c]`` of S contiguous values. Per channel, with count = N S:

    forward:   mean = sum(x) / count,  var = sum((x - mean)^2) / count (biased),
               inv_std = 1 / sqrt(var + eps),  scale = inv_std * w,
               y = (x - mean) * scale + b                     (no w: scale = inv_std; no b: no + b)
    backward:  x_hat = (x - mean) * inv_std,  sum_g = sum(dy),  sum_gx = sum(dy x_hat),
               dx = (dy * scale - x_hat * (scale * sum_gx / count)) - scale * sum_g / count,
               dw = sum_gx,  db = sum_g

Each kernel makes one pass over memory per channel and keeps that channel's N S values (128
KiB for the CIFAR convnet's first layers) in cache for its second pass: the NumPy version of
these formulas made four to six passes over the whole (N, C, H, W) array, with fresh
full-size temporaries (page faults), and was BatchNorm2d's ~2.5x gap to PyTorch.

A channel's sum is the rows' ``lane_sum`` (``kernels/layer_norm.py``) added in order of n,
from +0.0. The NumPy twins compute every row's lane sum at once (``_row_sums``) and add them
over n in order (``_add_rows_in_order``), so they give the kernels' bits. The constants come
in as arguments of x's dtype (``eps``, ``count``), as in the row kernels.
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit
from .layer_norm import LANES, _add_rows_in_order, _check_floats, _row_sums, lane_sum


@lazy_njit(error_model="numpy")  # numpy: no zero-division check in the loops
def batch_norm_forward(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, out: np.ndarray, mean: np.ndarray, var: np.ndarray,
    inv_std: np.ndarray, eps: float, count: float, affine: bool, biased: bool,
) -> None:
    """For x (N, C, S) C-contiguous: per channel ``mean[c]``, the biased ``var[c]``, ``inv_std[c]``
    and ``out`` (N, C, S) the normalised values, times ``weight`` (C,) if ``affine``, plus ``bias``
    (C,) if ``biased`` (otherwise they are not read). ``eps`` and ``count`` (N S) of x's dtype."""
    batch, channels, size = x.shape
    zero = count - count
    one = count / count
    lanes = np.empty(LANES, x.dtype)
    squares = np.empty(size, x.dtype)
    for c in range(channels):
        total = zero
        for n in range(batch):
            total += lane_sum(x[n, c], lanes, zero)
        m = total / count
        total = zero
        for n in range(batch):
            row = x[n, c]
            for j in range(size):
                d = row[j] - m
                squares[j] = d * d
            total += lane_sum(squares, lanes, zero)
        v = total / count
        r = one / np.sqrt(v + eps)
        mean[c], var[c], inv_std[c] = m, v, r
        s = r * weight[c] if affine else r
        b = bias[c] if biased else zero
        for n in range(batch):
            row, out_row = x[n, c], out[n, c]
            if biased:
                for j in range(size):
                    out_row[j] = (row[j] - m) * s + b
            else:
                for j in range(size):
                    out_row[j] = (row[j] - m) * s


@batch_norm_forward.twin
def _batch_norm_forward_numpy(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, out: np.ndarray, mean: np.ndarray, var: np.ndarray,
    inv_std: np.ndarray, eps: float, count: float, affine: bool, biased: bool,
) -> None:
    """``batch_norm_forward`` for all channels at once, the kernel's operations in its order."""
    _check_floats("batch_norm_forward", x, out, mean, var, inv_std)
    dtype = x.dtype.type
    eps, count = dtype(eps), dtype(count)
    m = _channel_sums(x) / count
    centred = np.subtract(x, m[:, None])
    np.multiply(centred, centred, out=out)
    v = _channel_sums(out) / count
    r = v + eps
    np.sqrt(r, out=r)
    np.divide(count / count, r, out=r)
    mean[...], var[...], inv_std[...] = m, v, r
    s = r * weight if affine else r
    np.multiply(centred, s[:, None], out=out)
    if biased:
        out += bias[:, None]


def _channel_sums(values: np.ndarray) -> np.ndarray:
    """Per channel of ``values`` (N, C, S): its rows' lane sums added over n in order, from +0.0."""
    batch, channels, size = values.shape
    rows = _row_sums(values.reshape(batch * channels, size)).reshape(batch, channels)
    total = np.zeros(channels, values.dtype)
    _add_rows_in_order(total, rows)
    return total


@lazy_njit(error_model="numpy")
def batch_norm_backward(
    x: np.ndarray, grad: np.ndarray, weight: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    grad_x: np.ndarray, grad_weight: np.ndarray, grad_bias: np.ndarray, count: float, affine: bool, need_x: bool,
) -> None:
    """``batch_norm_forward``'s backward for x and the upstream ``grad`` (N, C, S), both
    C-contiguous, with the forward's ``mean`` and ``inv_std`` (C,): writes dL/dweight and
    dL/dbias into ``grad_weight`` and ``grad_bias`` (C,) and, if ``need_x``, ``grad_x`` (N, C, S).
    ``weight`` is read only if ``affine``; ``count`` (N S) of x's dtype."""
    batch, channels, size = x.shape
    zero = count - count
    lanes = np.empty(LANES, x.dtype)
    normalized = np.empty((batch, size), x.dtype)  # one channel's x_hat, for the second pass
    products = np.empty(size, x.dtype)
    for c in range(channels):
        m, r = mean[c], inv_std[c]
        sum_g = zero
        sum_gx = zero
        for n in range(batch):
            row, grad_row, x_hat = x[n, c], grad[n, c], normalized[n]
            for j in range(size):
                h = (row[j] - m) * r
                x_hat[j] = h
                products[j] = grad_row[j] * h
            sum_g += lane_sum(grad_row, lanes, zero)
            sum_gx += lane_sum(products, lanes, zero)
        grad_weight[c], grad_bias[c] = sum_gx, sum_g
        if need_x:
            s = r * weight[c] if affine else r
            a = s * sum_gx / count
            b = s * sum_g / count
            for n in range(batch):
                grad_row, x_hat, grad_x_row = grad[n, c], normalized[n], grad_x[n, c]
                for j in range(size):
                    grad_x_row[j] = (grad_row[j] * s - x_hat[j] * a) - b


@batch_norm_backward.twin
def _batch_norm_backward_numpy(
    x: np.ndarray, grad: np.ndarray, weight: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    grad_x: np.ndarray, grad_weight: np.ndarray, grad_bias: np.ndarray, count: float, affine: bool, need_x: bool,
) -> None:
    """``batch_norm_backward`` for all channels at once, the kernel's operations in its order."""
    _check_floats("batch_norm_backward", x, grad, mean, inv_std, grad_x, grad_weight, grad_bias)
    count = x.dtype.type(count)
    normalized = np.subtract(x, mean[:, None])
    normalized *= inv_std[:, None]
    sum_g = _channel_sums(grad)
    sum_gx = _channel_sums(np.multiply(grad, normalized))
    grad_weight[...], grad_bias[...] = sum_gx, sum_g
    if need_x:
        s = inv_std * weight if affine else inv_std
        a = s * sum_gx / count
        b = s * sum_g / count
        np.multiply(grad, s[:, None], out=grad_x)
        normalized *= a[:, None]
        grad_x -= normalized
        grad_x -= b[:, None]
