"""Sliding blocks of images: ``unfold`` (im2col) and ``fold`` (col2im), with ``Unfold``/``Fold``, as PyTorch's.

``unfold`` zero-pads (N, C, H, W) and stacks, for each of the kh * kw kernel offsets, the
strided slice of the input that the offset sees: (N, C * kh * kw, L) with L the number of
blocks, the rows ordered (channel, kernel row, kernel column) as PyTorch's. ``fold`` is its
adjoint: each offset's (N, C, H_out, W_out) plane is spread out by the stride (zeros
between), shifted to its offset by padding, and the planes summed, overlaps adding up.
Both are compositions of pad, slicing, stack and reshape, so gradients (of any order)
come from those ops.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.ops.arguments import require_tensor
from autograd_core.ops.padding import pad

from .module import Module

Pair = tuple[int, int]


def _pair(op: str, label: str, value: Any, minimum: int) -> Pair:
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(values) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) for v in values):
        raise TypeError(f"{op}: {label} must be an int or a pair of ints, got {value!r}")
    if min(values) < minimum:
        raise ValueError(f"{op}: {label} must be at least {minimum}, got {value!r}")
    return int(values[0]), int(values[1])


def _blocks(op: str, size: Pair, kernel: Pair, dilation: Pair, padding: Pair, stride: Pair) -> Pair:
    """How many blocks fit along each dim: ``(size + 2 padding - dilation (kernel - 1) - 1) // stride + 1``."""
    counts = tuple((s + 2 * p - d * (k - 1) - 1) // t + 1 for s, k, d, p, t in zip(size, kernel, dilation, padding,
                                                                                    stride))
    if min(counts) < 1:
        raise ShapeError(
            f"{op}: given input spatial size {size}, kernel_size={kernel}, dilation={dilation}, padding={padding}, "
            f"stride={stride}, the calculated shape of the array of sliding blocks is {counts}, but its "
            "components must be at least one"
        )
    return counts[0], counts[1]


def unfold(input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Extract the sliding (kh, kw) blocks of a batch of images as columns (im2col).

    Shape: (N, C, H, W) -> (N, C * kh * kw, L), or (C, H, W) -> (C * kh * kw, L), with
    ``L = H_out * W_out``, ``H_out = (H + 2 padding - dilation (kh - 1) - 1) // stride + 1``.
    """
    op = "unfold"
    require_tensor(op, input)
    if input.ndim not in (3, 4):
        raise ShapeError(f"{op}: only 3D or 4D input tensors are supported (got {input.ndim}D, shape "
                         f"{tuple(input.shape)}); give (N, C, H, W) or (C, H, W)")
    kernel, dilation = _pair(op, "kernel_size", kernel_size, 1), _pair(op, "dilation", dilation, 1)
    padding, stride = _pair(op, "padding", padding, 0), _pair(op, "stride", stride, 1)
    batched = input if input.ndim == 4 else input.unsqueeze(0)
    batch, channels = batched.shape[0], batched.shape[1]
    rows, columns = _blocks(op, tuple(batched.shape[2:]), kernel, dilation, padding, stride)
    padded = pad(batched, (padding[1], padding[1], padding[0], padding[0])) if any(padding) else batched
    planes = []
    for ki in range(kernel[0]):
        top = ki * dilation[0]
        for kj in range(kernel[1]):
            left = kj * dilation[1]
            planes.append(padded[:, :, top:top + stride[0] * (rows - 1) + 1:stride[0],
                                 left:left + stride[1] * (columns - 1) + 1:stride[1]])
    columns_out = ag.stack(planes, 2).reshape(batch, channels * kernel[0] * kernel[1], rows * columns)
    return columns_out if input.ndim == 4 else columns_out.squeeze(0)


def fold(
    input: Tensor, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """Sum sliding blocks (columns) back into a batch of images (col2im), the adjoint of ``unfold``.

    Shape: (N, C * kh * kw, L) -> (N, C, H, W), or (C * kh * kw, L) -> (C, H, W), with
    ``(H, W) = output_size`` and L the number of blocks that ``unfold`` takes from (H, W).
    Overlapping blocks add up, so ``fold(unfold(x))`` is x times how many blocks cover each pixel.
    """
    op = "fold"
    require_tensor(op, input)
    if input.ndim not in (2, 3):
        raise ShapeError(f"{op}: expected 2D or 3D (batch mode) tensor for input, but got shape {tuple(input.shape)}")
    size, kernel = _pair(op, "output_size", output_size, 1), _pair(op, "kernel_size", kernel_size, 1)
    dilation, padding = _pair(op, "dilation", dilation, 1), _pair(op, "padding", padding, 0)
    stride = _pair(op, "stride", stride, 1)
    batched = input if input.ndim == 3 else input.unsqueeze(0)
    batch, rows_in, blocks = batched.shape
    per_channel = kernel[0] * kernel[1]
    if rows_in % per_channel:
        raise ShapeError(
            f"{op}: expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
            f"input.size(1)={rows_in} and kernel_size={kernel}"
        )
    rows, columns = _blocks(op, size, kernel, dilation, padding, stride)
    if rows * columns != blocks:
        raise ShapeError(
            f"{op}: given output_size={size}, kernel_size={kernel}, dilation={dilation}, padding={padding}, "
            f"stride={stride}, expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {rows} * {columns} = {rows * columns}, but got input.size(2)={blocks}"
        )
    channels = rows_in // per_channel
    planes = batched.reshape(batch, channels, kernel[0], kernel[1], rows, columns)
    height, width = size[0] + 2 * padding[0], size[1] + 2 * padding[1]
    spread_height, spread_width = stride[0] * (rows - 1) + 1, stride[1] * (columns - 1) + 1
    output = None
    for ki in range(kernel[0]):
        top = ki * dilation[0]
        for kj in range(kernel[1]):
            left = kj * dilation[1]
            plane = planes[:, :, ki, kj]  # (N, C, rows, columns)
            if stride != (1, 1):  # zeros between the blocks: (rows, 1, columns, 1) padded to (rows, s, columns, s)
                plane = pad(plane.reshape(batch, channels, rows, 1, columns, 1),
                            (0, stride[1] - 1, 0, 0, 0, stride[0] - 1))
                plane = plane.reshape(batch, channels, rows * stride[0], columns * stride[1])
                plane = plane[:, :, :spread_height, :spread_width]
            # to its offset in the padded image (the blocks fit by construction: every width is >= 0)
            placed = pad(plane, (left, width - left - spread_width, top, height - top - spread_height))
            output = placed if output is None else output + placed
    if any(padding):
        output = output[:, :, padding[0]:padding[0] + size[0], padding[1]:padding[1] + size[1]]
    return output if input.ndim == 3 else output.squeeze(0)


class Unfold(Module):
    """Extract sliding local blocks (im2col), as ``torch.nn.Unfold``.

    Args:
        kernel_size: the block's (kh, kw), an int for both. dilation: spacing of the block's
            elements (default 1). padding: zeros on each side (default 0). stride: between blocks (default 1).

    Shape: input (N, C, H, W) -> output (N, C * kh * kw, L), L the number of blocks.
    """

    def __init__(self, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> None:
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")


class Fold(Module):
    """Combine sliding local blocks into an image, summing overlaps (col2im), as ``torch.nn.Fold``.

    Args:
        output_size: the image's (H, W). kernel_size, dilation, padding, stride: as ``Unfold``'s.

    Shape: input (N, C * kh * kw, L) -> output (N, C, H, W).
    """

    def __init__(
        self, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
    ) -> None:
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input: Tensor) -> Tensor:
        return fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")
