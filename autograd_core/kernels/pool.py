"""Pooling kernels (Numba) and their plain NumPy references (the test oracles).

Every kernel works on *planes*: a C-contiguous ``(P, H, W)`` array where ``P = N * C``
(1-d pooling is 2-d pooling with ``H = 1``). A window's top-left corner is
``(i * stride_h - pad_h, j * stride_w - pad_w)``; its taps are ``dilation`` apart;
taps that fall in the padding are skipped (max) or count as zeros (avg).

Max pooling stores, per output, the flat index ``h * W + w`` of the window's maximum
inside its plane (PyTorch's ``return_indices`` convention). Ties go to the first
maximum in scan order (row by row), NaN wins over numbers (the last NaN), as PyTorch's
CPU kernel does. A window that lies wholly in the padding (possible with dilation)
gives ``-inf`` and index ``-1``, and passes no gradient. Average pooling divides by a per-output ``divisors`` array computed
once in NumPy (``avg_pool_divisors``), so the kernels and the reference share it.

The kernels are serial loops. A ``prange`` over planes (``parallel=True``) was measured
and lost on this project's shared 2-core machine: with the cores busy, each parallel
launch waited milliseconds (24 ms for a 4x8x8 input), and the parallel max pool of a
LeNet batch (384 planes of 28x28) was slower than the serial one.
"""
from __future__ import annotations

import numpy as np

from .jit import lazy_njit

# -- Numba kernels ------------------------------------------------------------------


@lazy_njit()
def _max_pool_forward(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, out, indices):
    planes, height, width = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    for plane in range(planes):
        for i in range(out_h):
            top = i * stride_h - pad_h
            a_first = 0 if top >= 0 else (-top + dilation_h - 1) // dilation_h
            a_last = min(kernel_h, (height - top + dilation_h - 1) // dilation_h)
            for j in range(out_w):
                left = j * stride_w - pad_w
                b_first = 0 if left >= 0 else (-left + dilation_w - 1) // dilation_w
                b_last = min(kernel_w, (width - left + dilation_w - 1) // dilation_w)
                best = -np.inf
                best_index = -1  # stays -1 only for a window wholly in the padding
                for a in range(a_first, a_last):  # only the taps inside the input
                    h = top + a * dilation_h
                    for b in range(b_first, b_last):
                        w = left + b * dilation_w
                        value = x[plane, h, w]
                        # strict '>' keeps the first maximum; 'value != value' lets NaN win
                        if best_index < 0 or value > best or value != value:
                            best = value
                            best_index = h * width + w
                out[plane, i, j] = best
                indices[plane, i, j] = best_index


@lazy_njit()
def _scatter_add_planes(values, indices, out):
    """out[p, indices[p, k]] += values[p, k] for flat (P, K) values/indices and (P, M) out."""
    planes, count = values.shape
    for plane in range(planes):
        for k in range(count):
            index = indices[plane, k]
            if index >= 0:
                out[plane, index] += values[plane, k]


@lazy_njit()
def _avg_pool_forward(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, divisors, out):
    planes, height, width = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    for plane in range(planes):
        for i in range(out_h):
            top = i * stride_h - pad_h
            h_start, h_end = max(top, 0), min(top + kernel_h, height)
            for j in range(out_w):
                left = j * stride_w - pad_w
                w_start, w_end = max(left, 0), min(left + kernel_w, width)
                total = 0.0
                for h in range(h_start, h_end):
                    for w in range(w_start, w_end):
                        total += x[plane, h, w]
                out[plane, i, j] = total / divisors[i, j]


@lazy_njit()
def _avg_pool_backward(grad_out, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, divisors, grad_in):
    planes, height, width = grad_in.shape
    out_h, out_w = grad_out.shape[1], grad_out.shape[2]
    for plane in range(planes):
        for i in range(out_h):
            top = i * stride_h - pad_h
            h_start, h_end = max(top, 0), min(top + kernel_h, height)
            for j in range(out_w):
                left = j * stride_w - pad_w
                w_start, w_end = max(left, 0), min(left + kernel_w, width)
                share = grad_out[plane, i, j] / divisors[i, j]
                for h in range(h_start, h_end):
                    for w in range(w_start, w_end):
                        grad_in[plane, h, w] += share


# -- NumPy-facing wrappers (the only dtypes compiled are float32 and float64) -------


def _planes(x: np.ndarray) -> np.ndarray:
    """A C-contiguous float32/float64 ``(P, H, W)`` view or copy of ``x``."""
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    return np.ascontiguousarray(x)


def max_pool(x, kernel, stride, padding, dilation, out_size):
    """Max pooling of planes ``x (P, H, W)``: returns ``(values, indices)``, both ``(P, OH, OW)``."""
    x = _planes(x)
    out = np.empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
    indices = np.empty(out.shape, dtype=np.int64)
    _max_pool_forward(x, *kernel, *stride, *padding, *dilation, out, indices)
    return out, indices


def scatter_add_planes(values: np.ndarray, indices: np.ndarray, plane_size: int) -> np.ndarray:
    """``out (P, plane_size)`` zeros with ``values (P, K)`` added at ``indices (P, K)``."""
    values = _planes(values)
    out = np.zeros((values.shape[0], plane_size), dtype=values.dtype)
    _scatter_add_planes(values, np.ascontiguousarray(indices, dtype=np.int64), out)
    return out


def avg_pool(x, kernel, stride, padding, divisors):
    """Average pooling of planes ``x (P, H, W)`` with per-output ``divisors (OH, OW)``."""
    x = _planes(x)
    out = np.empty((x.shape[0],) + divisors.shape, dtype=x.dtype)
    _avg_pool_forward(x, *kernel, *stride, *padding, divisors.astype(x.dtype), out)
    return out


def avg_pool_backward(grad_out, kernel, stride, padding, divisors, in_size):
    """The transpose of ``avg_pool``: spread each ``grad_out`` over its window / divisor."""
    grad_out = _planes(grad_out)
    grad_in = np.zeros((grad_out.shape[0],) + tuple(in_size), dtype=grad_out.dtype)
    _avg_pool_backward(grad_out, *kernel, *stride, *padding, divisors.astype(grad_out.dtype), grad_in)
    return grad_in


def avg_pool_divisors(in_size, kernel, stride, padding, out_size, count_include_pad, divisor_override):
    """``(OH, OW)`` divisors as PyTorch: the window clipped to the padded input (or to the
    input when ``count_include_pad`` is False), or ``divisor_override``."""
    if divisor_override:
        return np.full(tuple(out_size), float(divisor_override))
    counts = []
    for size, k, s, p, n in zip(in_size, kernel, stride, padding, out_size):
        start = np.arange(n) * s - p
        end = np.minimum(start + k, size + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, size)
        counts.append((end - start).astype(np.float64))
    return np.outer(counts[0], counts[1])


# -- plain NumPy references (test oracles; strided views, no Numba) -----------------


def _windows(x, kernel, stride, padding, dilation, out_size, fill):
    """``(P, OH, OW, KH, KW)`` strided view of every window of ``x`` padded with ``fill``."""
    extra = []
    for size, k, s, p, d, n in zip(x.shape[1:], kernel, stride, padding, dilation, out_size):
        needed = (n - 1) * s + d * (k - 1) + 1  # ceil_mode windows may run past the padding
        extra.append((p, max(p, needed - size - p)))
    padded = np.pad(x, [(0, 0)] + extra, constant_values=fill)
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
    view = np.lib.stride_tricks.sliding_window_view(padded, spans, axis=(1, 2))
    view = view[:, :: stride[0], :: stride[1], :: dilation[0], :: dilation[1]]
    return view[:, : out_size[0], : out_size[1]]


def max_pool_reference(x, kernel, stride, padding, dilation, out_size):
    """NumPy oracle for ``max_pool``: ``(values, indices)``."""
    windows = _windows(x, kernel, stride, padding, dilation, out_size, -np.inf)
    flat = windows.reshape(windows.shape[:3] + (-1,))
    best = flat.argmax(axis=-1)  # first maximum in scan order
    values = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    a, b = np.divmod(best, kernel[1])
    rows = np.arange(out_size[0])[:, None] * stride[0] - padding[0] + a * dilation[0]
    cols = np.arange(out_size[1])[None, :] * stride[1] - padding[1] + b * dilation[1]
    inside = (rows >= 0) & (rows < x.shape[1]) & (cols >= 0) & (cols < x.shape[2])
    return values, np.where(inside, rows * x.shape[2] + cols, -1)  # -1: the window is all padding


def scatter_add_planes_reference(values, indices, plane_size):
    out = np.zeros((values.shape[0], plane_size), dtype=values.dtype)
    np.add.at(out, (np.arange(values.shape[0])[:, None], np.maximum(indices, 0)), np.where(indices >= 0, values, 0))
    return out


def avg_pool_reference(x, kernel, stride, padding, divisors):
    """NumPy oracle for ``avg_pool``: window sums over a zero-padded input / divisors."""
    windows = _windows(x, kernel, stride, padding, (1, 1), divisors.shape, 0.0)
    return windows.sum(axis=(-2, -1)) / divisors


def avg_pool_backward_reference(grad_out, kernel, stride, padding, divisors, in_size):
    """NumPy oracle for ``avg_pool_backward``: one strided add per kernel tap."""
    out_h, out_w = divisors.shape
    height = max(in_size[0] + 2 * padding[0], (out_h - 1) * stride[0] + kernel[0])
    width = max(in_size[1] + 2 * padding[1], (out_w - 1) * stride[1] + kernel[1])
    padded = np.zeros((grad_out.shape[0], height, width), dtype=grad_out.dtype)
    share = grad_out / divisors
    for a in range(kernel[0]):
        for b in range(kernel[1]):
            padded[:, a : a + out_h * stride[0] : stride[0], b : b + out_w * stride[1] : stride[1]] += share
    return padded[:, padding[0] : padding[0] + in_size[0], padding[1] : padding[1] + in_size[1]]
