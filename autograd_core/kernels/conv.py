"""2-D convolution kernels: forward, input gradient and weight gradient, NCHW.

Scheme (chosen by measurement, see ``benchmarks/bench_conv.py``): 3x3 kernels at stride 1
with at least 16 channels each side run as Winograd F(2x2, 3x3) (``kernels/winograd.py``:
2.25x fewer flops, the CIFAR convnet's step 1.71x -> 1.03x PyTorch). Otherwise ``im2col`` in Numba
turns every receptive field into a column, so the convolution becomes one BLAS
matrix product (NumPy ``@``) per group, batched over images; the input
gradient is the transposed product followed by ``col2im`` (the adjoint scatter-add).
A 1x1 kernel with stride 1 and no padding needs no ``im2col`` at all: the input
already *is* the column matrix (scheme ``"pointwise"``). Small outputs (at most
``WIDE_MAX_PIXELS`` positions per image, e.g. LeNet's conv2 with 10x10) lay the columns
of all images side by side, ``(C*kh*kw, N, oh*ow)``, so each pass is *one* product over
the whole batch instead of N thin ones (scheme ``"im2col+gemm (wide)"``); the price is one
transposing copy of the output (forward) or of the incoming gradient (backward).

``im2col`` reads a zero-padded copy of the input (``col2im`` writes one, then crops), so
its loops have no bounds tests and each output row is one straight copy that LLVM
vectorises: 3-4x faster than testing every element against the borders on LeNet's
layers (conv2, 6->16 5x5 on 14x14: 2.3 -> 0.65 ms). The padded copies and column
matrices come from a small pool of reused arrays (``_Scratch``): writing into freshly
allocated megabytes cost more page faults than the copy itself.

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

Every Numba loop (``im2col``, ``col2im`` and their wide forms) has a NumPy twin that
computes the same bits (``jit``'s contract: it runs until the Numba code is loaded in the
background; ``tests/autograd_core/kernels/test_conv.py`` proves the bits), and every
kernel has a plain NumPy reference below (``*_reference``): the tests' oracle.
"""

from __future__ import annotations

import numpy as np

from ..types import Pair
from . import winograd
from .jit import lazy_njit
from .scratch import scratch

#: Convolutions with at most this many output positions per image (out_h * out_w) run
#: as one wide product over the whole batch: per-image products that small are too thin
#: for BLAS (measured, forward+backward, 2 cores: LeNet's conv2, 10x10 outputs,
#: 6.6 -> 4.6 ms; a 32->64 stride-2 layer, 8x8 outputs, 8.0 -> 7.1 ms; at 28x28 even,
#: and at 32x32 the wide one lost, 7.2 -> 9.6 ms).
WIDE_MAX_PIXELS = 256


def scheme(
    kernel_size: Pair, stride: Pair, padding: Pair, out_size: Pair, weight_shape: tuple | None = None,
    dilation: Pair = (1, 1), groups: int = 1,
) -> str:
    """Which scheme a convolution runs: ``"winograd F(2x2,3x3)"`` (3x3, stride 1, enough
    channels: see ``kernels/winograd.py``; only named when ``weight_shape`` is given),
    ``"pointwise"`` (1x1, stride 1, no padding: no im2col), ``"im2col+gemm (wide)"`` (small
    outputs: the columns of every image side by side, ``(C*kh*kw, N, oh*ow)``, and one
    product for the whole batch) or ``"im2col+gemm"`` (columns per image, ``(N, C*kh*kw,
    oh*ow)``, a batched product)."""
    if weight_shape is not None and winograd.applies(weight_shape, stride, dilation, groups):
        return "winograd F(2x2,3x3)"
    if _pointwise(kernel_size, stride, padding):
        return "pointwise"
    return "im2col+gemm (wide)" if out_size[0] * out_size[1] <= WIDE_MAX_PIXELS else "im2col+gemm"


def is_wide(kernel_size: Pair, stride: Pair, padding: Pair, out_size: Pair) -> bool:
    """Whether ``columns`` for this convolution are laid out wide (see ``scheme``)."""
    return scheme(kernel_size, stride, padding, out_size) == "im2col+gemm (wide)"


def _pointwise(kernel_size: Pair, stride: Pair, padding: Pair) -> bool:
    return tuple(kernel_size) == (1, 1) and tuple(stride) == (1, 1) and tuple(padding) == (0, 0)


def padded_size(size: int, pad: int, out: int, kernel: int, stride: int, dilation: int) -> int:
    """Rows of the zero-padded input that the windows read: ``pad`` before, enough after."""
    return max(pad + size, (out - 1) * stride + dilation * (kernel - 1) + 1)

def _receptive_fields(padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """``(N, C, kh, kw, oh, ow)`` strided view: [n, c, i, j, oh, ow] = padded[n, c, oh*sh + i*dh, ow*sw + j*dw]."""
    s_n, s_c, s_h, s_w = padded.strides
    shape = (*padded.shape[:2], kernel_h, kernel_w, out_h, out_w)
    strides = (s_n, s_c, dilation_h * s_h, dilation_w * s_w, stride_h * s_h, stride_w * s_w)
    return np.lib.stride_tricks.as_strided(padded, shape, strides, writeable=False)


def _tap(i, j, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w) -> tuple:
    """The index of the padded-input elements that kernel tap (i, j) reads, ``(N, C, oh, ow)``."""
    rows = slice(i * dilation_h, i * dilation_h + stride_h * (out_h - 1) + 1, stride_h)
    cols = slice(j * dilation_w, j * dilation_w + stride_w * (out_w - 1) + 1, stride_w)
    return (slice(None), slice(None), rows, cols)


@lazy_njit()
def _im2col(padded, cols, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """cols[n, (c*kernel_h + i)*kernel_w + j, oh*out_w + ow] = padded[n, c, oh*sh + i*dh, ow*sw + j*dw],
    on an input already zero-padded, so the loops have no bounds tests: each output row is a
    copy of ``out_w`` input values (contiguous when stride_w == 1, which LLVM vectorises)."""
    batch, channels = padded.shape[:2]
    for n in range(batch):
        for c in range(channels):
            for i in range(kernel_h):
                for j in range(kernel_w):
                    row = cols[n, (c * kernel_h + i) * kernel_w + j]
                    for oh in range(out_h):
                        source = padded[n, c, oh * stride_h + i * dilation_h, j * dilation_w :]
                        target = row[oh * out_w : (oh + 1) * out_w]
                        if stride_w == 1:
                            for ow in range(out_w):
                                target[ow] = source[ow]
                        else:
                            for ow in range(out_w):
                                target[ow] = source[ow * stride_w]


@_im2col.twin
def _im2col_numpy(padded, cols, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """``_im2col`` as one strided-view copy (a copy: bit for bit the kernel's)."""
    batch, channels = padded.shape[:2]
    cols.reshape(batch, channels, kernel_h, kernel_w, out_h, out_w)[...] = _receptive_fields(
        padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w
    )


@lazy_njit()
def _col2im(cols, padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """The adjoint of ``_im2col``: padded[n, c, h, w] = sum of the column entries that read (h, w)."""
    batch, channels = padded.shape[:2]
    padded[:] = 0
    for n in range(batch):
        for c in range(channels):
            for i in range(kernel_h):
                for j in range(kernel_w):
                    row = cols[n, (c * kernel_h + i) * kernel_w + j]
                    for oh in range(out_h):
                        target = padded[n, c, oh * stride_h + i * dilation_h, j * dilation_w :]
                        source = row[oh * out_w : (oh + 1) * out_w]
                        if stride_w == 1:
                            for ow in range(out_w):
                                target[ow] += source[ow]
                        else:
                            for ow in range(out_w):
                                target[ow * stride_w] += source[ow]


@_col2im.twin
def _col2im_numpy(cols, padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """``_col2im`` as one strided add per kernel tap: each input element receives its terms in
    the kernel's order (tap by tap), so the sums are bit for bit the kernel's."""
    batch, channels = padded.shape[:2]
    taps = cols.reshape(batch, channels, kernel_h, kernel_w, out_h, out_w)
    padded[:] = 0
    for i in range(kernel_h):
        for j in range(kernel_w):
            padded[_tap(i, j, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w)] += taps[:, :, i, j]


@lazy_njit()
def _im2col_wide(padded, cols, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """``_im2col`` into the wide layout: cols[(c*kernel_h + i)*kernel_w + j, n, oh*out_w + ow].
    A kernel of its own because its loop order (channel and tap outer, image inner) writes
    the wide columns in order: one kernel for both layouts with the per-image loop order
    made LeNet's conv2 forward+backward about 1 ms slower (measured, 2 cores)."""
    batch, channels = padded.shape[:2]
    for c in range(channels):
        for i in range(kernel_h):
            for j in range(kernel_w):
                for n in range(batch):
                    row = cols[(c * kernel_h + i) * kernel_w + j, n]
                    for oh in range(out_h):
                        source = padded[n, c, oh * stride_h + i * dilation_h, j * dilation_w :]
                        target = row[oh * out_w : (oh + 1) * out_w]
                        if stride_w == 1:
                            for ow in range(out_w):
                                target[ow] = source[ow]
                        else:
                            for ow in range(out_w):
                                target[ow] = source[ow * stride_w]


@_im2col_wide.twin
def _im2col_wide_numpy(padded, cols, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """``_im2col_wide`` as one strided-view copy."""
    batch, channels = padded.shape[:2]
    fields = _receptive_fields(padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w)
    cols.reshape(channels, kernel_h, kernel_w, batch, out_h, out_w)[...] = fields.transpose(1, 2, 3, 0, 4, 5)


@lazy_njit()
def _col2im_wide(cols, padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """The adjoint of ``_im2col_wide`` (one image at a time, so its rows stay in cache)."""
    batch, channels = padded.shape[:2]
    padded[:] = 0
    for n in range(batch):
        for c in range(channels):
            for i in range(kernel_h):
                for j in range(kernel_w):
                    row = cols[(c * kernel_h + i) * kernel_w + j, n]
                    for oh in range(out_h):
                        target = padded[n, c, oh * stride_h + i * dilation_h, j * dilation_w :]
                        source = row[oh * out_w : (oh + 1) * out_w]
                        if stride_w == 1:
                            for ow in range(out_w):
                                target[ow] += source[ow]
                        else:
                            for ow in range(out_w):
                                target[ow * stride_w] += source[ow]


@_col2im_wide.twin
def _col2im_wide_numpy(cols, padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w):
    """``_col2im_wide``: ``_col2im``'s twin on the per-image view of the wide columns (each
    input element still receives its terms tap by tap, the kernel's order)."""
    _col2im_numpy(
        cols.transpose(1, 0, 2), padded, kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w, out_h, out_w
    )


def _padded_shape(
    shape: tuple, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, out_size: Pair
) -> tuple[int, int, int, int]:
    sizes = (
        padded_size(shape[2 + d], padding[d], out_size[d], kernel_size[d], stride[d], dilation[d]) for d in range(2)
    )
    return (shape[0], shape[1], *sizes)


def columns(
    x: np.ndarray, kernel_size: Pair, stride: Pair, padding: Pair, dilation: Pair, out_size: Pair, wide: bool = False,
    weight_shape: tuple | None = None, groups: int = 1,
) -> np.ndarray | winograd.Input:
    """The column matrix of ``x`` (im2col): column ``oh*out_w + ow`` of an image holds the
    receptive field of output position (oh, ow). ``(N, C*kh*kw, out_h*out_w)``, or with
    ``wide`` ``(C*kh*kw, N, out_h*out_w)`` (every image's columns side by side). Given the
    ``weight_shape`` (and ``groups``) of a convolution that runs as Winograd, its input tiles
    instead (``winograd.Input``, which makes them as they are needed): what ``conv2d_forward`` and
    ``conv2d_weight_grad`` take as ``cols``."""
    if weight_shape is not None and winograd.applies(weight_shape, stride, dilation, groups):
        return winograd.Input(x, padding, out_size)
    batch, channels, height, width = x.shape
    if _pointwise(kernel_size, stride, padding) and x.shape[2:] == out_size and not wide:
        return np.ascontiguousarray(x).reshape(batch, channels, -1)
    shape = _padded_shape(x.shape, kernel_size, stride, padding, dilation, out_size)
    if shape == x.shape:
        padded = np.ascontiguousarray(x)
    else:
        padded = scratch.empty(shape, x.dtype)
        padded.fill(0)
        padded[:, :, padding[0] : padding[0] + height, padding[1] : padding[1] + width] = x
    rows, length = channels * kernel_size[0] * kernel_size[1], out_size[0] * out_size[1]
    if wide:
        cols = scratch.empty((rows, batch, length), x.dtype)
        _im2col_wide(padded, cols, *kernel_size, *stride, *dilation, *out_size)
    else:
        cols = scratch.empty((batch, rows, length), x.dtype)
        _im2col(padded, cols, *kernel_size, *stride, *dilation, *out_size)
    return cols


def _channels_first(grad_output: np.ndarray) -> np.ndarray:
    """``(N, C, oh, ow)`` as a ``(C, N, oh*ow)`` scratch copy (the wide products' layout)."""
    batch, channels = grad_output.shape[:2]
    flat = grad_output.reshape(batch, channels, -1)
    out = scratch.empty((channels, batch, flat.shape[2]), grad_output.dtype)
    out[:] = flat.transpose(1, 0, 2)
    return out


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
    ``cols``: ``columns(x, ..., wide=is_wide(...))`` when the caller already has them."""
    if isinstance(cols, winograd.Input) or (cols is None and winograd.applies(weight.shape, stride, dilation, groups)):
        return winograd.conv2d(x, weight, padding, groups, out_size)
    batch, out_channels = x.shape[0], weight.shape[0]
    wide = is_wide(weight.shape[2:], stride, padding, out_size)
    if cols is None:
        cols = columns(x, weight.shape[2:], stride, padding, dilation, out_size, wide)
    length = out_size[0] * out_size[1]
    out = np.empty((batch, out_channels, length), dtype=x.dtype)
    rows, outs = int(np.prod(weight.shape[1:])), out_channels // groups
    if wide:  # one product per group over the whole batch, then one copy to (N, C_out, L)
        product = scratch.empty((out_channels, batch, length), x.dtype)
        for g in range(groups):
            np.matmul(
                weight[g * outs : (g + 1) * outs].reshape(outs, rows),
                cols[g * rows : (g + 1) * rows].reshape(rows, batch * length),
                out=product[g * outs : (g + 1) * outs].reshape(outs, batch * length),
            )
        out[:] = product.transpose(1, 0, 2)
        return out.reshape(batch, out_channels, *out_size)
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
    if winograd.applies(weight.shape, stride, dilation, groups) and max(padding) <= 2:
        # the correlation of the gradient, padded by 2 - padding, with the kernels turned round
        flipped = winograd.flipped_weight(weight, groups)
        return winograd.conv2d(grad_output, flipped, (2 - padding[0], 2 - padding[1]), groups, in_size)
    batch, out_channels, out_h, out_w = grad_output.shape
    in_per_group, kernel_h, kernel_w = weight.shape[1:]
    outs, rows, length = out_channels // groups, in_per_group * kernel_h * kernel_w, out_h * out_w
    wide = is_wide((kernel_h, kernel_w), stride, padding, (out_h, out_w))
    pointwise = _pointwise((kernel_h, kernel_w), stride, padding) and in_size == (out_h, out_w)
    if wide:
        grad_t = _channels_first(grad_output)
        cols = scratch.empty((rows * groups, batch, length), grad_output.dtype)
        for g in range(groups):
            np.matmul(
                weight[g * outs : (g + 1) * outs].reshape(outs, rows).T,
                grad_t[g * outs : (g + 1) * outs].reshape(outs, batch * length),
                out=cols[g * rows : (g + 1) * rows].reshape(rows, batch * length),
            )
        col2im = _col2im_wide
    else:
        flat_grad = np.ascontiguousarray(grad_output).reshape(batch, out_channels, length)
        cols_shape = (batch, rows * groups, length)
        cols = np.empty(cols_shape, grad_output.dtype) if pointwise else scratch.empty(cols_shape, grad_output.dtype)
        for g in range(groups):
            weight_t = weight[g * outs : (g + 1) * outs].reshape(outs, rows).T
            np.matmul(weight_t, flat_grad[:, g * outs : (g + 1) * outs], out=cols[:, g * rows : (g + 1) * rows])
        if pointwise:  # the product is already the gradient
            return cols.reshape(batch, -1, *in_size)
        col2im = _col2im
    shape = (batch, in_per_group * groups, *in_size)
    padded_shape = _padded_shape(shape, (kernel_h, kernel_w), stride, padding, dilation, (out_h, out_w))
    if padded_shape == shape:  # no padding to crop: col2im writes the gradient itself
        grad_input = np.empty(shape, cols.dtype)
        col2im(cols, grad_input, kernel_h, kernel_w, *stride, *dilation, out_h, out_w)
        return grad_input
    padded = scratch.empty(padded_shape, cols.dtype)
    col2im(cols, padded, kernel_h, kernel_w, *stride, *dilation, out_h, out_w)
    inside_h, inside_w = slice(padding[0], padding[0] + in_size[0]), slice(padding[1], padding[1] + in_size[1])
    return np.ascontiguousarray(padded[:, :, inside_h, inside_w])


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
    in_per_group, length = x.shape[1] // groups, out_h * out_w
    weight_shape = (out_channels, in_per_group, *kernel_size)
    if isinstance(cols, winograd.Input) or (cols is None and winograd.applies(weight_shape, stride, dilation, groups)):
        return winograd.weight_grad(winograd.Input(x, padding, (out_h, out_w)), grad_output, groups)
    wide = is_wide(kernel_size, stride, padding, (out_h, out_w))
    if cols is None:
        cols = columns(x, kernel_size, stride, padding, dilation, (out_h, out_w), wide)
    outs, rows = out_channels // groups, in_per_group * kernel_size[0] * kernel_size[1]
    grad_weight = np.empty((out_channels, rows), dtype=x.dtype)
    if wide:  # G (outs, N*L) @ cols^T (N*L, rows): the sum over images is inside the product
        grad_t = _channels_first(grad_output)
        for g in range(groups):
            np.matmul(
                grad_t[g * outs : (g + 1) * outs].reshape(outs, batch * length),
                cols[g * rows : (g + 1) * rows].reshape(rows, batch * length).T,
                out=grad_weight[g * outs : (g + 1) * outs],
            )
        return grad_weight.reshape(weight_shape)
    flat_grad = np.ascontiguousarray(grad_output).reshape(batch, out_channels, length)
    per_image = scratch.empty((batch, outs, rows), x.dtype)
    for g in range(groups):
        # sum over images of G_n (outs, L) @ cols_n^T (L, rows)
        np.matmul(
            flat_grad[:, g * outs : (g + 1) * outs],
            cols[:, g * rows : (g + 1) * rows].transpose(0, 2, 1),
            out=per_image,
        )
        np.sum(per_image, axis=0, out=grad_weight[g * outs : (g + 1) * outs])
    return grad_weight.reshape(weight_shape)


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
