"""``pad``: PyTorch's ``F.pad`` with its four modes.

Widths come in PyTorch's order, the last dim first: ``(left, right)`` pads the last dim,
``(left, right, top, bottom)`` the last two. A negative width crops.

- ``'constant'``: ``value`` outside (0 by default); any number of dims.
- ``'reflect'``: mirrored without repeating the edge (``[0, 1, 2]`` -> ``1 | 0 1 2 | 1``).
- ``'replicate'``: the edge value repeated.
- ``'circular'``: wrapped around, as if the dim were a ring (after cropping negative widths).

The last three pad the last 1, 2 or 3 dims of a batched or unbatched input (2-D/3-D,
3-D/4-D, 4-D/5-D), as in PyTorch. They copy input positions into the output, so they are
``index_select`` along each padded dim (whose backward adds the gradient up at the copied
positions); constant padding is one node whose backward crops (the adjoint of padding with
zeros is cropping, and of cropping, padding with zeros).
"""
from __future__ import annotations

import builtins
from typing import Any, Sequence

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..tensor import Tensor

MODES = ("constant", "reflect", "replicate", "circular")


class ConstantPad(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, widths: tuple, value: Any) -> np.ndarray:
        ctx.widths = widths
        kept = tuple(slice(max(-before, 0), size - max(-after, 0)) for (before, after), size in zip(widths, a.shape))
        grown = tuple((max(before, 0), max(after, 0)) for before, after in widths)
        return np.pad(a.array[kept], grown, mode="constant", constant_values=value)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # padding is copying into a bigger array: its adjoint crops the gradient (padding gets none),
        # and a crop's adjoint pads with zeros: both are this op with the widths negated
        negated = tuple((-before, -after) for before, after in ctx.widths)
        return ConstantPad.apply(grad_output, negated, 0), None, None


def _source_positions(mode: str, size: int, before: int, after: int) -> np.ndarray:
    """For each output position along one dim, the input position it copies."""
    if mode == "circular":  # PyTorch crops first, then wraps around what is left
        start, kept = max(-before, 0), size - max(-before, 0) - max(-after, 0)
        return start + np.arange(-max(before, 0), kept + max(after, 0)) % kept
    positions = np.arange(-before, size + after)  # in the input's coordinates: negative widths crop
    if mode == "replicate":
        return np.clip(positions, 0, size - 1)
    positions = np.abs(positions)  # reflect about position 0, then about position size - 1
    return np.where(positions > size - 1, 2 * (size - 1) - positions, positions)


def _check_copying_mode(mode: str, input: Tensor, pad: tuple) -> None:
    dims = len(pad) // 2
    if dims not in (1, 2, 3) or input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(
            f"pad: mode {mode!r} with {len(pad)} widths does not fit a {input.ndim}-D input of shape {input.shape}. "
            "As in PyTorch it pads the last 1, 2 or 3 dims of a batched or unbatched input: 2 widths for a 2-D or "
            "3-D input, 4 for 3-D or 4-D, 6 for 4-D or 5-D (or use mode='constant', which takes any dims)."
        )
    for i in range(dims):
        dim, before, after = input.ndim - 1 - i, pad[2 * i], pad[2 * i + 1]
        size = input.shape[dim]
        kept = size - max(-before, 0) - max(-after, 0)
        if size == 0:
            raise ShapeError(f"pad: mode {mode!r} cannot pad dim {dim} of size 0 (shape {input.shape})")
        if mode == "reflect" and builtins.max(before, after) >= size:
            raise ShapeError(
                f"pad: reflect padding must be smaller than the dim it pads, got widths ({before}, {after}) for "
                f"dim {dim} of size {size} (shape {input.shape}); use mode='replicate' or 'circular' for more"
            )
        if mode == "circular" and (kept < 0 or builtins.max(before, after) > kept):
            raise ShapeError(
                f"pad: circular widths ({before}, {after}) wrap around dim {dim} (size {size} after cropping: "
                f"{max(kept, 0)}) more than once; widths may be at most the size"
            )
        if mode != "circular" and size + before + after <= 0:
            raise ShapeError(
                f"pad: widths ({before}, {after}) leave nothing of dim {dim} (size {size}, shape {input.shape})"
            )


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Any = None) -> Tensor:
    """Pad (or, with negative widths, crop) ``input`` as ``torch.nn.functional.pad``.

    ``pad``: ``(left, right)`` for the last dim, then ``(left, right)`` for the one before, ...
    ``mode``: 'constant' (fills ``value``, 0 when None), 'reflect', 'replicate' or 'circular'.
    Shape: (*, D_k, ..., D_1) -> (*, D_k + pad_left_k + pad_right_k, ...).
    """
    if not isinstance(pad, (tuple, list)) or builtins.any(not isinstance(p, (int, np.integer)) for p in pad):
        raise TypeError(f"pad: widths must be a tuple of ints (last dim first), got {pad!r}")
    pad = tuple(int(p) for p in pad)
    if mode not in MODES:
        raise ValueError(
            f"pad: mode must be one of {', '.join(map(repr, MODES))}, got {mode!r} (the fill value goes in value=)"
        )
    if len(pad) % 2 or len(pad) // 2 > input.ndim:
        raise ShapeError(
            f"pad: expected an even number of widths for at most {input.ndim} dims (last dim first), got {pad}"
        )
    if mode == "constant":
        widths = [(0, 0)] * input.ndim
        for i in range(len(pad) // 2):
            dim = input.ndim - 1 - i
            widths[dim] = (pad[2 * i], pad[2 * i + 1])
            if input.shape[dim] - max(-pad[2 * i], 0) - max(-pad[2 * i + 1], 0) < 0:  # PyTorch crops first
                raise ShapeError(
                    f"pad: widths {widths[dim]} crop more than dim {dim} holds (size {input.shape[dim]}, "
                    f"shape {input.shape})"
                )
        return ConstantPad.apply(input, tuple(widths), 0 if value is None else value)
    if value:  # PyTorch accepts value=0 (or None) here
        raise ValueError(f"pad: mode {mode!r} takes no fill value (got value={value!r}); use mode='constant'")
    _check_copying_mode(mode, input, pad)
    from .indexing import index_select

    for i in range(len(pad) // 2):
        dim = input.ndim - 1 - i
        positions = _source_positions(mode, input.shape[dim], pad[2 * i], pad[2 * i + 1])
        input = index_select(input, dim, Tensor._make(positions.astype(np.int64), False, None))
    return input
