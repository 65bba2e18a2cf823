"""Pooling kernels (Numba) with bit-identical NumPy twins, and plain NumPy references.

Each Numba loop has a twin (``@kernel.twin``) that gives the same bits in whole-array
steps, run until the Numba code is loaded in the background (``jit``); the references
(``*_reference``) are the tests' oracles.

Every kernel works on *planes*: a C-contiguous ``(P, H, W)`` array where ``P = N * C``
(1-d pooling is 2-d pooling with ``H = 1``). A window's top-left corner is
``(i * stride_h - pad_h, j * stride_w - pad_w)``; its taps are ``dilation`` apart;
taps that fall in the padding are skipped (max) or count as zeros (avg).

Max pooling stores, per output, the flat index ``h * W + w`` of the window's maximum
inside its plane (PyTorch's ``return_indices`` convention). Ties go to the first
maximum in scan order (row by row), NaN wins over numbers (the last NaN), as PyTorch's
CPU kernel does. A window that lies wholly in the padding (possible with dilation)
gives ``-inf`` and index ``-1``, and passes no gradient. Average pooling divides by a
per-output ``divisors`` array computed once in NumPy (``avg_pool_divisors``), so the
kernels and the reference share it.

The common max pooling (2x2 windows, stride 2, no padding) has its own kernels
(``max_pool_2x2``): the argmax is an int8 offset in the window instead of an int64
flat index, the forward has no per-element branches, and the backward needs no zero-filled
array and no scatter (LeNet's first pool, fwd+bwd: 2.3 -> 0.75 ms, one thread).

The kernels are serial loops. A ``prange`` over planes (``parallel=True``) was measured
and lost on this project's shared 2-core machine: with the cores busy, each parallel
launch waited milliseconds (24 ms for a 4x8x8 input), and the parallel max pool of a
LeNet batch (384 planes of 28x28) was slower than the serial one.
"""

from __future__ import annotations

import numpy as np

from ..types import Pair  # (height, width) sizes, kernel, stride, padding or dilation
from .jit import lazy_njit

# -- Numba kernels ------------------------------------------------------------------

def _zero_padded(planes: np.ndarray, pad_h: int, pad_w: int, min_h: int, min_w: int) -> np.ndarray:
    """``(P, H, W)`` planes inside zeros: ``pad`` rows/columns before, enough after for windows
    spanning ``min_h`` x ``min_w`` from the top-left corner of the padding."""
    count, height, width = planes.shape
    padded = np.zeros((count, max(min_h, height + pad_h), max(min_w, width + pad_w)), planes.dtype)
    padded[:, pad_h : pad_h + height, pad_w : pad_w + width] = planes
    return padded


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
                        # strict '>' keeps the first maximum; a NaN always wins
                        if best_index < 0 or value > best or np.isnan(value):
                            best = value
                            best_index = h * width + w
                out[plane, i, j] = best
                indices[plane, i, j] = best_index


@_max_pool_forward.twin
def _max_pool_forward_numpy(
    x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, out, indices
):
    """``_max_pool_forward`` one window tap at a time over every window, in the kernel's scan
    order with the kernel's rules (first maximum; a NaN replaces; padding taps skipped)."""
    planes, height, width = x.shape
    out_h, out_w = out.shape[1], out.shape[2]
    best = np.full(out.shape, -np.inf, x.dtype)
    best_index = np.full(out.shape, -1, np.int64)
    tops, lefts = np.arange(out_h) * stride_h - pad_h, np.arange(out_w) * stride_w - pad_w
    for a in range(kernel_h):
        rows = tops + a * dilation_h
        rows_inside = (rows >= 0) & (rows < height)
        for b in range(kernel_w):
            cols = lefts + b * dilation_w
            inside = rows_inside[:, None] & ((cols >= 0) & (cols < width))[None, :]
            value = x[:, np.clip(rows, 0, height - 1)[:, None], np.clip(cols, 0, width - 1)[None, :]]
            take = inside & ((best_index < 0) | (value > best) | np.isnan(value))
            np.copyto(best, value, where=take)
            np.copyto(best_index, rows[:, None] * width + cols[None, :], where=take)
    out[...] = best
    indices[...] = best_index


@lazy_njit()
def _scatter_add_planes(values, indices, out):
    """out[p, indices[p, k]] += values[p, k] for flat (P, K) values/indices and (P, M) out."""
    planes, count = values.shape
    for plane in range(planes):
        for k in range(count):
            index = indices[plane, k]
            if index >= 0:
                out[plane, index] += values[plane, k]


@_scatter_add_planes.twin
def _scatter_add_planes_numpy(values, indices, out):
    """``_scatter_add_planes`` with ``np.add.at``, which adds repeated indices one by one in
    the kernel's order (plane by plane, k ascending)."""
    keep = indices >= 0
    planes = np.broadcast_to(np.arange(values.shape[0])[:, None], values.shape)
    np.add.at(out, (planes[keep], indices[keep]), values[keep])


@lazy_njit()
def _max_pool_2x2(x, out, offsets):
    """2x2 windows, stride 2, no padding: ``offsets`` holds each maximum's place in its
    window (``2 * row + column``, int8), ties to the first. Branch-free selects, so LLVM
    vectorises the loop (a NaN test per element stopped that: 7x slower). Instead each
    output has ``(a - a) + (b - b) + ...`` (0, or NaN when the window holds a NaN or an
    infinity) subtracted, and the caller redoes the planes that came out NaN with the
    general kernel, which has the NaN rules."""
    planes, out_h, out_w = out.shape
    for plane in range(planes):
        for i in range(out_h):
            top, below = x[plane, 2 * i], x[plane, 2 * i + 1]
            values, places = out[plane, i], offsets[plane, i]
            for j in range(out_w):
                a, b, c, d = top[2 * j], top[2 * j + 1], below[2 * j], below[2 * j + 1]
                first = b > a
                best = b if first else a
                place = np.int8(1) if first else np.int8(0)
                second = c > best
                best = c if second else best
                place = np.int8(2) if second else place
                third = d > best
                best = d if third else best
                values[j] = best - ((a - a) + (b - b) + (c - c) + (d - d))  # x - 0 keeps -0.0
                places[j] = np.int8(3) if third else place


@_max_pool_2x2.twin
def _max_pool_2x2_numpy(x, out, offsets):
    """``_max_pool_2x2`` on whole strided views: the same comparisons and the same NaN term."""
    out_h, out_w = out.shape[1], out.shape[2]
    a, b = x[:, 0 : 2 * out_h : 2, 0 : 2 * out_w : 2], x[:, 0 : 2 * out_h : 2, 1 : 2 * out_w : 2]
    c, d = x[:, 1 : 2 * out_h : 2, 0 : 2 * out_w : 2], x[:, 1 : 2 * out_h : 2, 1 : 2 * out_w : 2]
    best, place = a.copy(), np.zeros(out.shape, np.int8)
    for index, value in ((1, b), (2, c), (3, d)):
        larger = value > best
        np.copyto(best, value, where=larger)
        place[larger] = index
    out[...] = best - ((a - a) + (b - b) + (c - c) + (d - d))
    offsets[...] = place


@lazy_njit()
def _max_pool_2x2_backward(grad_out, offsets, grad_in):
    """The transpose of ``_max_pool_2x2``: per pair of input rows, zero them (in cache)
    and put each gradient at its window's maximum; no zero-fill pass over the whole
    array first. Rows and columns no window covers (odd sizes) get zeros."""
    planes, height, width = grad_in.shape
    out_h, out_w = grad_out.shape[1], grad_out.shape[2]
    for plane in range(planes):
        for i in range(out_h):
            top, below = grad_in[plane, 2 * i], grad_in[plane, 2 * i + 1]
            top[:] = 0
            below[:] = 0
            grads, places = grad_out[plane, i], offsets[plane, i]
            for j in range(out_w):
                place = places[j]
                if place < 2:
                    top[2 * j + place] = grads[j]
                else:
                    below[2 * j + place - 2] = grads[j]
        for h in range(2 * out_h, height):  # an odd height's last row
            grad_in[plane, h] = 0


@_max_pool_2x2_backward.twin
def _max_pool_2x2_backward_numpy(grad_out, offsets, grad_in):
    """``_max_pool_2x2_backward``: zeros, then each window's gradient at its offset."""
    out_h, out_w = grad_out.shape[1], grad_out.shape[2]
    grad_in[...] = 0
    for place in range(4):
        row, col = divmod(place, 2)
        window = grad_in[:, row : 2 * out_h : 2, col : 2 * out_w : 2]
        np.copyto(window, grad_out, where=offsets == place)


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


@_avg_pool_forward.twin
def _avg_pool_forward_numpy(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, divisors, out):
    """``_avg_pool_forward``: the kernel sums each window in float64, tap by tap in scan order;
    here one strided add per tap over a zero-padded float64 copy (adding a padding zero leaves
    a sum's bits unchanged), then the same division."""
    out_h, out_w = out.shape[1], out.shape[2]
    padded = _zero_padded(x.astype(np.float64), pad_h, pad_w, (out_h - 1) * stride_h + kernel_h,
                          (out_w - 1) * stride_w + kernel_w)
    total = np.zeros(out.shape, np.float64)
    for a in range(kernel_h):
        for b in range(kernel_w):
            rows = slice(a, a + stride_h * (out_h - 1) + 1, stride_h)
            cols = slice(b, b + stride_w * (out_w - 1) + 1, stride_w)
            total += padded[:, rows, cols]
    out[...] = total / divisors


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


@_avg_pool_backward.twin
def _avg_pool_backward_numpy(grad_out, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, divisors, grad_in):
    """``_avg_pool_backward``: an input element receives its shares in the kernel's order,
    window by window in scan order, which is tap by tap *backwards* (a later window reaches
    it with an earlier tap); here one strided add per tap, last tap first, on a padded copy."""
    planes, height, width = grad_in.shape
    out_h, out_w = grad_out.shape[1], grad_out.shape[2]
    share = grad_out / divisors
    padded = _zero_padded(grad_in, pad_h, pad_w, (out_h - 1) * stride_h + kernel_h, (out_w - 1) * stride_w + kernel_w)
    for a in reversed(range(kernel_h)):
        for b in reversed(range(kernel_w)):
            rows = slice(a, a + stride_h * (out_h - 1) + 1, stride_h)
            cols = slice(b, b + stride_w * (out_w - 1) + 1, stride_w)
            padded[:, rows, cols] += share
    grad_in[...] = padded[:, pad_h : pad_h + height, pad_w : pad_w + width]


# -- NumPy-facing wrappers (the only dtypes compiled are float32 and float64) -------


def _planes(x: np.ndarray) -> np.ndarray:
    """A C-contiguous float32/float64 ``(P, H, W)`` view or copy of ``x``."""
    if x.dtype not in (np.float32, np.float64):
        x = x.astype(np.float64)
    return np.ascontiguousarray(x)


def max_pool(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, out_size: Pair
) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling of planes ``x (P, H, W)``: returns ``(values, indices)``, both ``(P, OH, OW)``."""
    x = _planes(x)
    out = np.empty((x.shape[0],) + tuple(out_size), dtype=x.dtype)
    indices = np.empty(out.shape, dtype=np.int64)
    _max_pool_forward(x, *kernel, *stride, *padding, *dilation, out, indices)
    return out, indices


def is_2x2(kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> bool:
    """Whether a max pooling runs the 2x2, stride-2, unpadded fast path (``max_pool_2x2``)."""
    return tuple(kernel) == tuple(stride) == (2, 2) and tuple(padding) == (0, 0) and tuple(dilation) == (1, 1)


def max_pool_2x2(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling of planes ``x (P, H, W)`` over 2x2 windows with stride 2 (floor mode):
    ``(values, offsets)``, both ``(P, H // 2, W // 2)``; ``offsets`` (int8) is each maximum's
    place in its window, ``2 * row + column`` (``offsets_to_indices`` makes flat indices)."""
    x = _planes(x)
    out_size = (x.shape[1] // 2, x.shape[2] // 2)
    out = np.empty((x.shape[0],) + out_size, dtype=x.dtype)
    offsets = np.empty(out.shape, dtype=np.int8)
    _max_pool_2x2(x, out, offsets)
    redo = np.isnan(out).any(axis=(1, 2))  # a NaN or an infinity in the window: the general kernel decides
    if redo.any():
        values, indices = max_pool(x[redo], (2, 2), (2, 2), (0, 0), (1, 1), out_size)
        rows, cols = np.divmod(indices, x.shape[2])
        out[redo] = values
        offsets[redo] = 2 * (rows - 2 * np.arange(out_size[0])[:, None]) + cols - 2 * np.arange(out_size[1])
    return out, offsets


def max_pool_2x2_backward(grad_out: np.ndarray, offsets: np.ndarray, in_size: Pair) -> np.ndarray:
    """The transpose of ``max_pool_2x2``: ``(P, *in_size)`` with ``grad_out (P, OH, OW)`` at
    each window's maximum and zeros elsewhere."""
    grad_out = _planes(grad_out)
    grad_in = np.empty((grad_out.shape[0],) + tuple(in_size), dtype=grad_out.dtype)
    _max_pool_2x2_backward(grad_out, np.ascontiguousarray(offsets, dtype=np.int8), grad_in)
    return grad_in


def offsets_to_indices(offsets: np.ndarray, width: int) -> np.ndarray:
    """``max_pool_2x2`` offsets ``(*, OH, OW)`` as flat indices ``h * width + w`` (int64)."""
    out_h, out_w = offsets.shape[-2:]
    rows = 2 * np.arange(out_h)[:, None] + offsets // 2
    cols = 2 * np.arange(out_w)[None, :] + offsets % 2
    return (rows * width + cols).astype(np.int64)


def scatter_add_planes(values: np.ndarray, indices: np.ndarray, plane_size: int) -> np.ndarray:
    """``out (P, plane_size)`` zeros with ``values (P, K)`` added at ``indices (P, K)``."""
    values = _planes(values)
    out = np.zeros((values.shape[0], plane_size), dtype=values.dtype)
    _scatter_add_planes(values, np.ascontiguousarray(indices, dtype=np.int64), out)
    return out


def avg_pool(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, divisors: np.ndarray) -> np.ndarray:
    """Average pooling of planes ``x (P, H, W)`` with per-output ``divisors (OH, OW)``."""
    x = _planes(x)
    out = np.empty((x.shape[0],) + divisors.shape, dtype=x.dtype)
    _avg_pool_forward(x, *kernel, *stride, *padding, divisors.astype(x.dtype), out)
    return out


def avg_pool_backward(
    grad_out: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, divisors: np.ndarray, in_size: Pair
) -> np.ndarray:
    """The transpose of ``avg_pool``: spread each ``grad_out`` over its window / divisor."""
    grad_out = _planes(grad_out)
    grad_in = np.zeros((grad_out.shape[0],) + tuple(in_size), dtype=grad_out.dtype)
    _avg_pool_backward(grad_out, *kernel, *stride, *padding, divisors.astype(grad_out.dtype), grad_in)
    return grad_in


def avg_pool_divisors(
    in_size: Pair,
    kernel: Pair,
    stride: Pair,
    padding: Pair,
    out_size: Pair,
    count_include_pad: bool,
    divisor_override: int | None,
) -> np.ndarray:
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


def _windows(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, out_size: Pair, fill: float
) -> np.ndarray:
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


def max_pool_reference(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, out_size: Pair
) -> tuple[np.ndarray, np.ndarray]:
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


def scatter_add_planes_reference(values: np.ndarray, indices: np.ndarray, plane_size: int) -> np.ndarray:
    """NumPy oracle for ``scatter_add_planes`` (``np.add.at``; index -1 adds nothing)."""
    out = np.zeros((values.shape[0], plane_size), dtype=values.dtype)
    np.add.at(out, (np.arange(values.shape[0])[:, None], np.maximum(indices, 0)), np.where(indices >= 0, values, 0))
    return out


def avg_pool_reference(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, divisors: np.ndarray) -> np.ndarray:
    """NumPy oracle for ``avg_pool``: window sums over a zero-padded input / divisors."""
    windows = _windows(x, kernel, stride, padding, (1, 1), divisors.shape, 0.0)
    return windows.sum(axis=(-2, -1)) / divisors


def avg_pool_backward_reference(
    grad_out: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, divisors: np.ndarray, in_size: Pair
) -> np.ndarray:
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
