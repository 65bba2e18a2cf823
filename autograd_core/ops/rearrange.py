"""Ops that move, repeat or cut out elements: flip, roll, repeat/tile, and the views built
from ``ops/shape.py``'s (t, swapaxes, movedim, narrow, select, unflatten, unbind).

``flip``, ``roll`` and ``repeat`` copy (as in PyTorch); the others are views.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..errors import DimError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .reduce import normalize_dims
from .shape import _sizes, getitem, normalize_dim, permute, reshape, transpose


class Flip(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return np.flip(a.array, dims).copy()  # a copy, as PyTorch's flip (np.flip is a view)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return Flip.apply(grad_output, ctx.dims), None  # flipping back puts each gradient in place


def flip(input: Tensor, dims: Any) -> Tensor:
    """The elements in reverse order along each of ``dims`` (an int or a sequence)."""
    if input.ndim == 0 or (isinstance(dims, (list, tuple)) and not dims):
        return Flip.apply(input, ())
    return Flip.apply(input, normalize_dims("flip", dims, input))


class Roll(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, shifts: tuple, dims: Any) -> np.ndarray:
        ctx.shifts, ctx.dims = shifts, dims
        return np.roll(a.array, shifts, axis=dims)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return Roll.apply(grad_output, tuple(-shift for shift in ctx.shifts), ctx.dims), None, None  # roll back


def roll(input: Tensor, shifts: Any, dims: Any = None) -> Tensor:
    """Shift elements ``shifts`` places along ``dims`` (wrapping around); without ``dims`` the
    flattened tensor is rolled and the shape restored."""
    shifts = (shifts,) if isinstance(shifts, (int, np.integer)) else tuple(shifts)
    if dims is None:
        if len(shifts) != 1:
            raise ShapeError(f"roll: without dims, give one shift (got {shifts})")
        return Roll.apply(input, shifts, None)
    dims = (dims,) if isinstance(dims, (int, np.integer)) else tuple(dims)
    if len(dims) != len(shifts):
        raise ShapeError(f"roll: shifts {shifts} and dims {dims} must have the same length")
    return Roll.apply(input, shifts, tuple(normalize_dim("roll", d, input.ndim, input.shape) for d in dims))


class Repeat(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, repeats: tuple) -> np.ndarray:
        ctx.input_shape = (1,) * (len(repeats) - a.ndim) + a.shape
        ctx.repeats = repeats
        return np.tile(a.array, repeats)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # each input element appears once per tile: sum the tiles (dims (r0, s0, r1, s1, ...))
        interleaved = [size for pair in zip(ctx.repeats, ctx.input_shape) for size in pair]
        summed = grad_output.reshape(interleaved).sum(tuple(range(0, len(interleaved), 2)))
        return summed, None  # the engine drops the leading 1s the input did not have


def repeat(input: Tensor, *repeats: Any) -> Tensor:
    """Tile ``input`` ``repeats[i]`` times along dim i (``repeats`` may add leading dims), as
    ``Tensor.repeat``."""
    repeats = _sizes("repeat", repeats)
    if len(repeats) < input.ndim:
        raise ShapeError(
            f"repeat: give a repeat count for each of the {input.ndim} dims of shape {input.shape} "
            f"(got {repeats}); use tile() to repeat only the last dims"
        )
    if any(count < 0 for count in repeats):
        raise ShapeError(f"repeat: repeat counts must be non-negative, got {repeats}")
    return Repeat.apply(input, repeats)


def tile(input: Tensor, dims: Sequence[int]) -> Tensor:
    """``repeat`` with missing leading counts taken as 1 (``x.tile((2,))`` repeats the last dim)."""
    dims = _sizes("tile", (tuple(dims),) if not isinstance(dims, (int, np.integer)) else (dims,))
    return repeat(input, *((1,) * (input.ndim - len(dims)) + dims))


# -- views ---------------------------------------------------------------------------
def t(input: Tensor) -> Tensor:
    """The transpose of a matrix; 0-d and 1-D tensors come back as they are."""
    if input.ndim > 2:
        raise ShapeError(f"t: expects a tensor with at most 2 dims, got shape {input.shape}; use transpose(dim0, dim1)")
    return transpose(input, 0, 1) if input.ndim == 2 else input


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:
    """``transpose(axis0, axis1)`` (NumPy's name)."""
    return transpose(input, axis0, axis1)


def movedim(input: Tensor, source: Any, destination: Any) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (ints or sequences); the others keep
    their order."""
    source = (source,) if isinstance(source, (int, np.integer)) else tuple(source)
    destination = (destination,) if isinstance(destination, (int, np.integer)) else tuple(destination)
    if len(source) != len(destination):
        raise ShapeError(f"movedim: source {source} and destination {destination} must have the same length")
    ndim = input.ndim
    sources = [normalize_dim("movedim", d, ndim, input.shape) for d in source]
    destinations = [normalize_dim("movedim", d, ndim, input.shape) for d in destination]
    if len(set(sources)) != len(sources) or len(set(destinations)) != len(destinations):
        raise DimError(f"movedim: repeated dim in source {source} or destination {destination}")
    order = [d for d in range(ndim) if d not in sources]
    for place, dim in sorted(zip(destinations, sources)):
        order.insert(place, dim)
    return permute(input, *order)


def narrow(input: Tensor, dim: int, start: Any, length: int) -> Tensor:
    """The view ``input[..., start:start + length, ...]`` along ``dim`` (``start`` may be negative)."""
    dim = normalize_dim("narrow", dim, input.ndim, input.shape)
    size = input.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise DimError(f"narrow: start {start} is out of range for dim {dim} of size {size}")
    start %= size if size else 1
    if length < 0 or start + length > size:
        raise ShapeError(f"narrow: start ({start}) + length ({length}) exceeds dim {dim} of size {size}")
    return getitem(input, (slice(None),) * dim + (slice(start, start + length),))


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The view ``input[..., index, ...]`` along ``dim`` (that dim removed)."""
    dim = normalize_dim("select", dim, input.ndim, input.shape)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select: index {index} is out of range for dim {dim} of size {size}")
    return getitem(input, (slice(None),) * dim + (int(index),))


def unflatten(input: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
    dim = normalize_dim("unflatten", dim, input.ndim, input.shape)
    sizes = _sizes("unflatten", (tuple(sizes),))
    known = int(np.prod([s for s in sizes if s != -1]))
    if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != input.shape[dim]) or (
        sizes.count(-1) == 1 and (known == 0 or input.shape[dim] % known)
    ):
        raise ShapeError(
            f"unflatten: sizes {sizes} do not multiply to the size {input.shape[dim]} of dim {dim} "
            f"(shape {input.shape}); at most one size may be -1"
        )
    sizes = tuple(input.shape[dim] // known if s == -1 else s for s in sizes)
    return reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1 :])


def unbind(input: Tensor, dim: int = 0) -> tuple[Tensor, ...]:
    """The slices along ``dim``, each without that dim."""
    dim = normalize_dim("unbind", dim, input.ndim, input.shape)
    if input.ndim == 0:
        raise ShapeError("unbind: a 0-d tensor has no dim to unbind")
    return tuple(select(input, dim, index) for index in range(input.shape[dim]))


def fliplr(input: Tensor) -> Tensor:
    """Columns in reverse order (dim 1); at least 2-D."""
    if input.ndim < 2:
        raise DimError(f"fliplr: needs a tensor of 2 or more dims, got shape {input.shape}")
    return flip(input, 1)


def flipud(input: Tensor) -> Tensor:
    """Rows in reverse order (dim 0); at least 1-D."""
    if input.ndim < 1:
        raise DimError("flipud: needs a tensor of 1 or more dims, got a 0-d tensor")
    return flip(input, 0)


def rot90(input: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first dim towards the
    second (as ``numpy.rot90``)."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise DimError(f"rot90: dims must be two dims, got {dims}")
    first, second = (normalize_dim("rot90", d, input.ndim, input.shape) for d in dims)
    if first == second:
        raise DimError(f"rot90: dims must be two different dims, got {dims} (shape {input.shape})")
    k = int(k) % 4
    if k == 0:
        return input.clone()
    if k == 2:
        return flip(input, (first, second))
    if k == 1:
        return transpose(flip(input, second), first, second)
    return flip(transpose(input, first, second), second)


def repeat_interleave(
    input: Tensor, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place, one after the
    other: ``[1, 2]`` with 2 -> ``[1, 1, 2, 2]``. ``repeats`` is an int or a 1-D tensor (one
    count per slice); without ``dim`` the flattened tensor. ``repeat_interleave(counts)`` alone
    repeats each index ``i`` ``counts[i]`` times."""
    if repeats is None:  # torch.repeat_interleave(repeats): the indices, repeated
        counts = input.array
        if counts.ndim > 1 or counts.dtype.kind not in "iu":
            raise ShapeError(f"repeat_interleave: counts must be a 1-D integer tensor, got shape {input.shape}")
        return Tensor._make(np.repeat(np.arange(counts.size), counts), False, None)
    if dim is None:
        source, axis = input.reshape(-1), 0
    else:
        source, axis = input, normalize_dim("repeat_interleave", dim, input.ndim, input.shape)
    counts = repeats.array if isinstance(repeats, Tensor) else np.asarray(repeats)
    if counts.dtype.kind not in "iu" or counts.ndim > 1 or np.any(counts < 0):
        raise ValueError(f"repeat_interleave: repeats must be non-negative ints, got {counts.tolist()}")
    length = source.shape[axis] if source.ndim else 1
    if counts.ndim == 1 and counts.size not in (1, length):
        raise ShapeError(f"repeat_interleave: {counts.size} repeats for a dim of size {length}; give one or {length}")
    positions = np.repeat(np.arange(length), np.broadcast_to(counts.reshape(-1), (length,)))
    if output_size is not None and positions.size != output_size:
        raise ShapeError(f"repeat_interleave: output_size {output_size} but the repeats give {positions.size}")
    flat = source.reshape(1) if source.ndim == 0 else source
    return getitem(flat, (slice(None),) * axis + (positions,))


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` elements along ``dimension``, ``step`` apart: that dim becomes the
    number of windows and a new last dim of ``size`` holds each window (``Tensor.unfold``)."""
    dim = normalize_dim("unfold", dimension, input.ndim, input.shape)
    length = input.shape[dim] if input.ndim else 1
    if size < 0 or size > length or step <= 0:
        raise ShapeError(
            f"unfold: size {size} and step {step} must satisfy 0 <= size <= {length} (the size of dim {dim}) "
            "and step > 0"
        )
    starts = np.arange(0, length - size + 1, step)
    positions = starts[:, None] + np.arange(size)[None, :]  # (windows, size)
    flat = input.reshape(1) if input.ndim == 0 else input
    windows = getitem(flat, (slice(None),) * dim + (positions,))  # (..., windows, size, ...)
    return movedim(windows, dim + 1, -1)
