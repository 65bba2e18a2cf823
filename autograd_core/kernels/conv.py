"""2-D convolution kernels: forward, input gradient and weight gradient, NCHW.

Scheme (chosen by measurement, see ``benchmarks/bench_conv.py``): ``im2col`` in Numba
turns every receptive field into a column, so the convolution becomes one BLAS
matrix product (NumPy ``@``) per group, batched over images; the input
gradient is the transposed product followed by ``col2im`` (the adjoint scatter-add).
A 1x1 kernel with stride 1 and no padding needs no ``im2col`` at all: the input
already *is* the column matrix (scheme ``"pointwise"``).

The Numba loops run on one thread on purpose: BLAS already uses every core for the
products, and a Numba thread pool (``parallel=True``, measured) made the two pools
fight for the cores: forward+backward of the benchmark conv went from 6.6 ms to 12 ms
on 2 cores. Also measured and not kept: a "shifted rows" scheme for stride 1 (pad
once, copy whole shifted rows, compute the few wrap-around columns and crop them):
forward 2.5 -> 1.3 ms on LeNet's 6->16 5x5 layer, but its weight gradient got slower
by as much (zero-extended gradients, a larger product), so forward+backward was within
5% of im2col; one thread, 2-core machine, 2026-11.

Geometry is given explicitly so the same kernels serve convolution, its adjoint
(transposed convolution) and asymmetric ``'same'`` padding:
``stride``, ``padding`` (rows/columns added before the input; the size of the other
side is implied by the output size), ``dilation`` and ``groups``.

Every kernel has a plain NumPy reference below (``*_reference``): the tests' oracle.
"""

from __future__ import annotations

import numpy as np

from .jit import lazy_njit

Pair = tuple[int, int]


def scheme(kernel_size: Pair, stride: Pair, padding: Pair) -> str:
    """Which scheme a convolution of this geometry runs: ``"pointwise"`` or ``"im2col+gemm"``."""
    if kernel_size == (1, 1) and stride == (1, 1) and padding == (0, 0):
        return "pointwise"
    return "im2col+gemm"


@lazy_njit()
def _im2col(x, cols, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, out_h, out_w):
    """cols[n, (c*kernel_h + i)*kernel_w + j, oh*out_w + ow] = x[n, c, oh*sh - ph + i*dh, ow*sw - pw + j*dw]
    (zero outside the input). Columns [lo, hi) are the ones whose input column is inside."""
    batch, channels, height, width = x.shape
    for plane in range(batch * channels):
        n, c = plane // channels, plane % channels
        for i in range(kernel_h):
            for j in range(kernel_w):
                row = (c * kernel_h + i) * kernel_w + j
                offset_w = j * dilation_w - pad_w
                lo = max(0, -(offset_w // stride_w))
                hi = max(lo, min(out_w, (width - 1 - offset_w) // stride_w + 1))
                for oh in range(out_h):
                    h = oh * stride_h - pad_h + i * dilation_h
                    base = oh * out_w
                    if h < 0 or h >= height:
                        for ow in range(out_w):
                            cols[n, row, base + ow] = 0
                        continue
                    for ow in range(lo):
                        cols[n, row, base + ow] = 0
                    for ow in range(lo, hi):
                        cols[n, row, base + ow] = x[n, c, h, ow * stride_w + offset_w]
                    for ow in range(hi, out_w):
                        cols[n, row, base + ow] = 0


@lazy_njit()
def _col2im(cols, out, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, out_h, out_w):
    """The adjoint of ``_im2col``: out[n, c, h, w] = sum of the columns entries that read (h, w)."""
    batch, channels, height, width = out.shape
    for plane in range(batch * channels):
        n, c = plane // channels, plane % channels
        out[n, c] = 0
        for i in range(kernel_h):
            for j in range(kernel_w):
                row = (c * kernel_h + i) * kernel_w + j
                offset_w = j * dilation_w - pad_w
                lo = max(0, -(offset_w // stride_w))
                hi = max(lo, min(out_w, (width - 1 - offset_w) // stride_w + 1))
                for oh in range(out_h):
                    h = oh * stride_h - pad_h + i * dilation_h
                    if h < 0 or h >= height:
                        continue
                    base = oh * out_w
                    for ow in range(lo, hi):
                        out[n, c, h, ow * stride_w + offset_w] += cols[n, row, base + ow]


def columns(
    x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, out_size: Pair
) -> np.ndarray:
    """The (N, C*kh*kw, out_h*out_w) column matrix of ``x`` (im2col): column ``oh*out_w + ow``
    holds the receptive field of output position (oh, ow)."""
    batch, channels = x.shape[:2]
    if scheme(kernel_size, stride, padding) == "pointwise" and x.shape[2:] == out_size:
        return np.ascontiguousarray(x).reshape(batch, channels, -1)
    cols = np.empty((batch, channels * kernel_size[0] * kernel_size[1], out_size[0] * out_size[1]), dtype=x.dtype)
    _im2col(np.ascontiguousarray(x), cols, *kernel_size, *stride, *padding, *dilation, *out_size)
    return cols


def conv2d_forward(
    x: np.ndarray,
    weight: np.ndarray,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    out_size: Pair,
    cols: np.ndarray | None = None,
) -> np.ndarray:
    """x (N, C_in, H, W), weight (C_out, C_in/groups, kh, kw) -> (N, C_out, *out_size).
    ``cols``: ``columns(x, ...)`` when the caller already has them."""
    batch, out_channels = x.shape[0], weight.shape[0]
    if cols is None:
        cols = columns(x, weight.shape[2:], stride, padding, dilation, out_size)
    out = np.empty((batch, out_channels, out_size[0] * out_size[1]), dtype=x.dtype)
    rows, outs = cols.shape[1] // groups, out_channels // groups
    for g in range(groups):
        np.matmul(
            weight[g * outs : (g + 1) * outs].reshape(outs, rows),
            cols[:, g * rows : (g + 1) * rows],
            out=out[:, g * outs : (g + 1) * outs],
        )
    return out.reshape(batch, out_channels, *out_size)


def conv2d_input_grad(
    grad_output: np.ndarray, weight: np.ndarray, stride: Pair, padding: Pair, dilation: Pair, groups: int, in_size: Pair
) -> np.ndarray:
    """The adjoint of ``conv2d_forward`` in x (= transposed convolution of ``grad_output``):
    grad_output (N, C_out, oh, ow), weight (C_out, C_in/groups, kh, kw) -> (N, C_in, *in_size)."""
    batch, out_channels, out_h, out_w = grad_output.shape
    in_per_group, kernel_h, kernel_w = weight.shape[1:]
    outs, rows = out_channels // groups, in_per_group * kernel_h * kernel_w
    flat_grad = np.ascontiguousarray(grad_output).reshape(batch, out_channels, out_h * out_w)
    cols = np.empty((batch, rows * groups, out_h * out_w), dtype=grad_output.dtype)
    for g in range(groups):
        weight_t = weight[g * outs : (g + 1) * outs].reshape(outs, rows).T
        np.matmul(weight_t, flat_grad[:, g * outs : (g + 1) * outs], out=cols[:, g * rows : (g + 1) * rows])
    if scheme((kernel_h, kernel_w), stride, padding) == "pointwise" and in_size == (out_h, out_w):
        return cols.reshape(batch, -1, *in_size)
    grad_input = np.empty((batch, in_per_group * groups, *in_size), dtype=grad_output.dtype)
    _col2im(cols, grad_input, kernel_h, kernel_w, *stride, *padding, *dilation, out_h, out_w)
    return grad_input


def conv2d_weight_grad(
    x: np.ndarray,
    grad_output: np.ndarray,
    stride: Pair,
    padding: Pair,
    dilation: Pair,
    groups: int,
    kernel_size: Pair,
    cols: np.ndarray | None = None,
) -> np.ndarray:
    """The adjoint of ``conv2d_forward`` in the weight: x (N, C_in, H, W), grad_output
    (N, C_out, oh, ow) -> (C_out, C_in/groups, kh, kw). ``cols``: ``columns(x, ...)`` if known."""
    batch, out_channels, out_h, out_w = grad_output.shape
    in_per_group = x.shape[1] // groups
    if cols is None:
        cols = columns(x, kernel_size, stride, padding, dilation, (out_h, out_w))
    flat_grad = np.ascontiguousarray(grad_output).reshape(batch, out_channels, out_h * out_w)
    outs, rows = out_channels // groups, cols.shape[1] // groups
    grad_weight = np.empty((out_channels, rows), dtype=x.dtype)
    for g in range(groups):
        # sum over images of G_n (outs, L) @ cols_n^T (L, rows)
        np.sum(
            np.matmul(flat_grad[:, g * outs : (g + 1) * outs], cols[:, g * rows : (g + 1) * rows].transpose(0, 2, 1)),
            axis=0,
            out=grad_weight[g * outs : (g + 1) * outs],
        )
    return grad_weight.reshape(out_channels, in_per_group, *kernel_size)


# -- plain NumPy references (test oracles) -------------------------------------------
def _padded_windows(size: int, pad: int, out: int, kernel: int, stride: int, dilation: int) -> int:
    """Rows to add after the input so every window of a reference loop fits."""
    return max(0, (out - 1) * stride + dilation * (kernel - 1) + 1 - size - pad)


def _window(i: int, dilation: int, stride: int, out: int) -> slice:
    return slice(i * dilation, i * dilation + stride * (out - 1) + 1, stride)


def conv2d_reference(x, weight, stride, padding, dilation, groups, out_size):
    """Loop over kernel offsets and groups on a zero-padded copy; einsum over channels."""
    (kernel_h, kernel_w), (out_h, out_w) = weight.shape[2:], out_size
    after_h = _padded_windows(x.shape[2], padding[0], out_h, kernel_h, stride[0], dilation[0])
    after_w = _padded_windows(x.shape[3], padding[1], out_w, kernel_w, stride[1], dilation[1])
    padded = np.pad(x, ((0, 0), (0, 0), (padding[0], after_h), (padding[1], after_w)))
    out = np.zeros((x.shape[0], weight.shape[0], out_h, out_w), dtype=x.dtype)
    ins, outs = weight.shape[1], weight.shape[0] // groups
    for g in range(groups):
        for i in range(kernel_h):
            for j in range(kernel_w):
                patch = padded[
                    :,
                    g * ins : (g + 1) * ins,
                    _window(i, dilation[0], stride[0], out_h),
                    _window(j, dilation[1], stride[1], out_w),
                ]
                out[:, g * outs : (g + 1) * outs] += np.einsum(
                    "nchw,oc->nohw", patch, weight[g * outs : (g + 1) * outs, :, i, j]
                )
    return out


def conv2d_input_grad_reference(grad_output, weight, stride, padding, dilation, groups, in_size):
    """Scatter each kernel offset's contribution back into a padded input, then crop."""
    (kernel_h, kernel_w), (out_h, out_w) = weight.shape[2:], grad_output.shape[2:]
    after_h = _padded_windows(in_size[0], padding[0], out_h, kernel_h, stride[0], dilation[0])
    after_w = _padded_windows(in_size[1], padding[1], out_w, kernel_w, stride[1], dilation[1])
    ins, outs = weight.shape[1], weight.shape[0] // groups
    padded = np.zeros(
        (grad_output.shape[0], ins * groups, in_size[0] + padding[0] + after_h, in_size[1] + padding[1] + after_w),
        dtype=grad_output.dtype,
    )
    for g in range(groups):
        for i in range(kernel_h):
            for j in range(kernel_w):
                rows, cols = _window(i, dilation[0], stride[0], out_h), _window(j, dilation[1], stride[1], out_w)
                padded[:, g * ins : (g + 1) * ins, rows, cols] += np.einsum(
                    "nohw,oc->nchw",
                    grad_output[:, g * outs : (g + 1) * outs],
                    weight[g * outs : (g + 1) * outs, :, i, j],
                )
    return padded[:, :, padding[0] : padding[0] + in_size[0], padding[1] : padding[1] + in_size[1]]


def conv2d_weight_grad_reference(x, grad_output, stride, padding, dilation, groups, kernel_size):
    """For each kernel offset: the correlation of the shifted input with the gradient."""
    (kernel_h, kernel_w), (out_h, out_w) = kernel_size, grad_output.shape[2:]
    after_h = _padded_windows(x.shape[2], padding[0], out_h, kernel_h, stride[0], dilation[0])
    after_w = _padded_windows(x.shape[3], padding[1], out_w, kernel_w, stride[1], dilation[1])
    padded = np.pad(x, ((0, 0), (0, 0), (padding[0], after_h), (padding[1], after_w)))
    ins, outs = x.shape[1] // groups, grad_output.shape[1] // groups
    grad_weight = np.zeros((grad_output.shape[1], ins, kernel_h, kernel_w), dtype=x.dtype)
    for g in range(groups):
        for i in range(kernel_h):
            for j in range(kernel_w):
                patch = padded[
                    :,
                    g * ins : (g + 1) * ins,
                    _window(i, dilation[0], stride[0], out_h),
                    _window(j, dilation[1], stride[1], out_w),
                ]
                grad_weight[g * outs : (g + 1) * outs, :, i, j] = np.einsum(
                    "nohw,nchw->oc", grad_output[:, g * outs : (g + 1) * outs], patch
                )
    return grad_weight
