"""LayerNorm (and RMSNorm) over rows: a forward and a backward kernel on x viewed as (M, D).

``nn/normalization_node.py`` runs these for a ``Normalize`` node whose statistics are over
the trailing dims of x and whose weight and bias have those dims' shape (LayerNorm; RMSNorm
is its uncentred case): each row of D values is normalised on its own,

    forward:   mean = sum(x) / D,  var = sum((x - mean)^2) / D,  inv_std = 1 / sqrt(var + eps),
               y = (x - mean) * inv_std * w + b          (uncentred: mean = 0)
    backward:  x_hat = (x - mean) * inv_std,  g = dy * w,
               dx = inv_std * ((g - sum(g) / D) - x_hat * (sum(g x_hat) / D))   (uncentred: no sum(g) term)
               dw += dy * x_hat,  db += dy   (summed over the rows)

Each row sum runs in ``LANES`` partial sums (element j into lane j % LANES, the lanes added
left to right, then the D % LANES leftover elements in order): the lanes are independent
chains the CPU overlaps, and a sum of D values rounds about as a sum of D / LANES. The NumPy
twins compute every row at once in the same operations and order (a Python loop over the D
columns in steps of ``LANES``, vectorised over the rows), so they give the kernels' bits.

The kernels are generic over float32 and float64; the constants they need come in as
arguments of x's dtype (``eps``, ``count`` = D), since Numba computes a float32 with a
Python number in float64. ``mean`` is saved as +0.0 for an uncentred layout, and
``x - 0.0`` is x exactly, so one code path serves both.
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit

LANES = 8


@lazy_njit(error_model="numpy")  # numpy: no zero-division check in the loops
def layer_norm_forward(
    x: np.ndarray, weight: np.ndarray, bias: np.ndarray, out: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    eps: float, count: float, centered: bool, affine: bool, biased: bool,
) -> None:
    """For x (M, D) C-contiguous: ``mean[i]``, ``inv_std[i]`` of row i and ``out`` (M, D) its
    normalised values, times ``weight`` (D,) if ``affine``, plus ``bias`` (D,) if ``biased``
    (otherwise they are not read). ``eps`` and ``count`` (D) of x's dtype."""
    rows, size = x.shape
    main = size - size % LANES
    zero = count - count
    one = count / count
    lanes = np.empty(LANES, x.dtype)
    for i in range(rows):
        row = x[i]
        m = zero
        if centered:
            for k in range(LANES):
                lanes[k] = zero
            for j in range(0, main, LANES):
                for k in range(LANES):
                    lanes[k] += row[j + k]
            total = lanes[0]
            for k in range(1, LANES):
                total += lanes[k]
            for j in range(main, size):
                total += row[j]
            m = total / count
        for k in range(LANES):
            lanes[k] = zero
        for j in range(0, main, LANES):
            for k in range(LANES):
                c = row[j + k] - m
                lanes[k] += c * c
        total = lanes[0]
        for k in range(1, LANES):
            total += lanes[k]
        for j in range(main, size):
            c = row[j] - m
            total += c * c
        r = one / np.sqrt(total / count + eps)
        mean[i] = m
        inv_std[i] = r
        out_row = out[i]
        if affine and biased:
            for j in range(size):
                out_row[j] = (row[j] - m) * r * weight[j] + bias[j]
        elif affine:
            for j in range(size):
                out_row[j] = (row[j] - m) * r * weight[j]
        elif biased:
            for j in range(size):
                out_row[j] = (row[j] - m) * r + bias[j]
        else:
            for j in range(size):
                out_row[j] = (row[j] - m) * r


def _row_sums(values: np.ndarray) -> np.ndarray:
    """The kernels' lane-wise sum of each row of ``values`` (M, D), in their order."""
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


def _check_floats(name: str, *arrays: np.ndarray) -> None:
    dtype = arrays[0].dtype
    if dtype not in (np.float32, np.float64) or any(a.dtype != dtype for a in arrays):
        raise TypeError(f"{name} works on float32 or float64 arrays of one dtype, got {[str(a.dtype) for a in arrays]}")


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
    main = size - size % LANES
    zero = count - count
    lanes = np.empty(LANES, x.dtype)
    projection_lanes = np.empty(LANES, x.dtype)
    for i in range(rows):
        row, grad_row, grad_x_row = x[i], grad[i], grad_x[i]
        m = mean[i]
        r = inv_std[i]
        for j in range(size):
            g = grad_row[j]
            grad_weight[j] += g * ((row[j] - m) * r)
            grad_bias[j] += g
        for k in range(LANES):
            lanes[k] = zero
            projection_lanes[k] = zero
        for j in range(0, main, LANES):
            for k in range(LANES):
                g = grad_row[j + k] * weight[j + k] if affine else grad_row[j + k]
                lanes[k] += g
                projection_lanes[k] += g * ((row[j + k] - m) * r)
        total = lanes[0]
        projection = projection_lanes[0]
        for k in range(1, LANES):
            total += lanes[k]
            projection += projection_lanes[k]
        for j in range(main, size):
            g = grad_row[j] * weight[j] if affine else grad_row[j]
            total += g
            projection += g * ((row[j] - m) * r)
        shift = total / count if centered else zero
        projection = projection / count
        if affine:
            for j in range(size):
                grad_x_row[j] = r * ((grad_row[j] * weight[j] - shift) - ((row[j] - m) * r) * projection)
        else:
            for j in range(size):
                grad_x_row[j] = r * ((grad_row[j] - shift) - ((row[j] - m) * r) * projection)


@layer_norm_backward.twin
def _layer_norm_backward_numpy(
    x: np.ndarray, grad: np.ndarray, weight: np.ndarray, mean: np.ndarray, inv_std: np.ndarray,
    grad_x: np.ndarray, grad_weight: np.ndarray, grad_bias: np.ndarray,
    count: float, centered: bool, affine: bool,
) -> None:
    """``layer_norm_backward`` for all rows at once, the kernel's operations in its order
    (the parameter gradients row by row, as the kernel adds them)."""
    _check_floats("layer_norm_backward", x, grad, mean, inv_std, grad_x)
    count = x.dtype.type(count)
    normalized = np.subtract(x, mean[:, None])
    normalized *= inv_std[:, None]
    product = np.multiply(grad, normalized)
    for i in range(x.shape[0]):
        grad_weight += product[i]
        grad_bias += grad[i]
    weighted = np.multiply(grad, weight) if affine else grad
    shift = _row_sums(weighted) / count if centered else np.zeros(x.shape[0], x.dtype)
    np.multiply(weighted, normalized, out=product)
    projection = _row_sums(product)
    projection /= count
    normalized *= projection[:, None]
    np.subtract(weighted, shift[:, None], out=grad_x)
    grad_x -= normalized
    grad_x *= inv_std[:, None]
