"""Adaptive max pooling: ``adaptive_max_pool1d``/``adaptive_max_pool2d`` and their modules, as PyTorch's.

Output cell ``(i, j)`` is the max over rows ``floor(i*H/H_out) : ceil((i+1)*H/H_out)`` and
the same for columns (the windows of adaptive average pooling). Each window's argmax (the
first maximum, or the first NaN, as PyTorch picks) is found in NumPy, and the output is a
``take_along_dim`` of the flattened input at those positions, so the gradient goes to
the argmax of each window. ``return_indices`` also gives those positions in the
flattened spatial dims (int64), as PyTorch's indices.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.arguments import LayerName
from autograd_core.ops.pool import _check_input, adaptive_output_sizes

from .module import Module


def _bounds(in_size: int, out_size: int) -> list[tuple[int, int]]:
    """``[floor(i*L/n), ceil((i+1)*L/n))`` for each output i."""
    return [((i * in_size) // out_size, -((-(i + 1) * in_size) // out_size)) for i in range(out_size)]


def _adaptive_max_pool(op: str | LayerName, input: Tensor, output_size: Any, spatial: int, return_indices: bool) -> Any:
    _check_input(op, input, spatial)
    in_size = tuple(input.shape[-spatial:])
    sizes = adaptive_output_sizes(op, output_size, in_size)
    rows = _bounds(in_size[0], sizes[0]) if spatial == 2 else [(0, 1)]
    columns = _bounds(in_size[-1], sizes[-1])
    planes = input.array.reshape(input.shape[:-spatial] + (-1, in_size[-1]))  # (*, H, W), H = 1 in 1-d
    width = in_size[-1]
    indices = np.empty(input.shape[:-spatial] + (len(rows), len(columns)), dtype=np.int64)
    for i, (top, bottom) in enumerate(rows):
        for j, (left, right) in enumerate(columns):
            window = planes[..., top:bottom, left:right]
            flat = window.reshape(window.shape[:-2] + (-1,)).argmax(-1)  # the first max; NaN wins, as PyTorch
            span = right - left
            indices[..., i, j] = (top + flat // span) * width + left + flat % span
    indices = indices.reshape(input.shape[:-spatial] + sizes)
    flat_input = input.reshape(tuple(input.shape[:-spatial]) + (-1,))
    positions = Tensor._make(indices.reshape(indices.shape[: -spatial] + (-1,)), False, None)
    output = ag.take_along_dim(flat_input, positions, -1).reshape(indices.shape)
    return (output, Tensor._make(indices, False, None)) if return_indices else output


def adaptive_max_pool1d(input: Tensor, output_size: int, return_indices: bool = False) -> Any:
    """Max pooling to a fixed length: output i is the max of ``x[floor(i*L/n) : ceil((i+1)*L/n)]``.

    Shape: (N, C, L) or (C, L) -> (N, C, output_size) (and int64 indices into L with ``return_indices``).
    """
    return _adaptive_max_pool("adaptive_max_pool1d", input, output_size, 1, return_indices)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Max pooling to a fixed ``(H_out, W_out)`` (an int for both; ``None`` keeps that dim).

    Shape: (N, C, H, W) or (C, H, W) -> (N, C, H_out, W_out) (and int64 indices into the
    flattened H * W with ``return_indices``).
    """
    return _adaptive_max_pool("adaptive_max_pool2d", input, output_size, 2, return_indices)


class _AdaptiveMaxPool(Module):
    _spatial = 0

    def __init__(self, output_size: Any, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size, self.return_indices = output_size, return_indices

    def forward(self, input: Tensor) -> Any:
        return _adaptive_max_pool(LayerName(self), input, self.output_size, self._spatial, self.return_indices)

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPool):
    """Max pooling to a fixed length ``output_size`` whatever the input length.

    Shape: input (N, C, L) or (C, L) -> output (N, C, output_size); output i is the max of
    x[floor(i*L/output_size) : ceil((i+1)*L/output_size)]. ``return_indices`` also returns their positions.
    """

    _spatial = 1


class AdaptiveMaxPool2d(_AdaptiveMaxPool):
    """Max pooling to a fixed ``(H_out, W_out)`` whatever the input size (an int means a square
    output; ``None`` keeps that input dim; 1 is global max pooling).

    Shape: input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out); ``return_indices``
    also returns the positions of the maxima in the flattened H * W.
    """

    _spatial = 2
