"""Shape ops: reshape, transpose/permute, squeeze/unsqueeze, expand, indexing,
cat/stack/split, and ``sum_to`` (the engine's un-broadcasting op).

Views (reshape, transpose, basic slicing, expand) share memory and the version
counter with their input, as in PyTorch.
"""
from __future__ import annotations

import builtins
import itertools
import math
from typing import Any, Sequence

import numpy as np

from ..errors import DimError, ShapeError
from ..function import Function
from ..tensor import Tensor


def normalize_dim(op: str, dim: Any, ndim: int, shape: tuple = ()) -> int:
    """``dim`` in ``[-ndim, ndim)`` as a non-negative int, or a ``DimError`` that says so."""
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise DimError(f"{op}: dim must be an int, got {dim!r}")
    low, high = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    if not low <= dim <= high:
        raise DimError(
            f"{op}: dim {dim} is out of range for a tensor of shape {shape} ({len(shape)} dims); "
            f"use a dim in [{low}, {high}]."
        )
    return int(dim) % ndim if ndim > 0 else 0


def _sizes(op: str, sizes: tuple) -> tuple:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for size in sizes:
        if not isinstance(size, (int, np.integer)) or isinstance(size, bool):
            raise ShapeError(f"{op}: sizes must be ints, got {sizes!r}")
    return tuple(int(size) for size in sizes)


# -- reshape -------------------------------------------------------------------------
class Reshape(Function):
    is_view = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, shape: tuple) -> np.ndarray:
        ctx.input_shape = a.shape
        return a.array.reshape(shape)  # a view when the layout allows, else a copy

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return grad_output.reshape(ctx.input_shape), None

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return grad.reshape(ctx.input_shape), None


def reshape(a: Tensor, *shape: Any) -> Tensor:
    """The same elements in a new shape (one size may be -1: inferred)."""
    shape = _sizes("reshape", shape)
    known = math.prod([size for size in shape if size != -1])
    inferred = shape.count(-1)
    fits = known == a.array.size if inferred == 0 else (known != 0 and a.array.size % known == 0)
    if inferred > 1 or builtins.any(size < -1 for size in shape) or not fits:
        raise ShapeError(
            f"reshape: cannot view a tensor of shape {a.shape} ({a.array.size} elements) as "
            f"shape {shape}; the sizes must multiply to {a.array.size} (at most one -1)."
        )
    if inferred:
        shape = tuple(a.array.size // known if size == -1 else size for size in shape)
    if shape == a.shape:
        return a
    return Reshape.apply(a, shape)


def flatten(a: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    if a.ndim == 0:
        return reshape(a, 1)
    start = normalize_dim("flatten", start_dim, a.ndim, a.shape)
    end = normalize_dim("flatten", end_dim, a.ndim, a.shape)
    if start > end:
        raise DimError(f"flatten: start_dim ({start_dim}) comes after end_dim ({end_dim})")
    merged = math.prod(a.shape[start : end + 1])
    return reshape(a, a.shape[:start] + (merged,) + a.shape[end + 1 :])


def squeeze(a: Tensor, dim: Any = None) -> Tensor:
    """Drop size-1 dims (all of them, or those in ``dim`` that have size 1)."""
    if dim is None:
        dims = [d for d, size in enumerate(a.shape) if size == 1]
    else:
        dims = [normalize_dim("squeeze", d, a.ndim, a.shape) for d in ((dim,) if isinstance(dim, int) else dim)]
    return reshape(a, tuple(size for d, size in enumerate(a.shape) if not (d in dims and size == 1)))


def unsqueeze(a: Tensor, dim: int) -> Tensor:
    """Insert a size-1 dim at ``dim`` (in ``[-ndim-1, ndim]``)."""
    dim = normalize_dim("unsqueeze", dim, a.ndim + 1, a.shape)
    return reshape(a, a.shape[:dim] + (1,) + a.shape[dim:])


# -- transpose -----------------------------------------------------------------------
class Permute(Function):
    is_view = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple) -> np.ndarray:
        ctx.dims = dims
        return np.transpose(a.array, dims)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return grad_output.permute(*np.argsort(ctx.dims).tolist()), None  # undo the permutation

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return np.transpose(grad, np.argsort(ctx.dims)), None


def permute(a: Tensor, *dims: Any) -> Tensor:
    """Reorder the dims: output dim i is input dim ``dims[i]``."""
    dims = _sizes("permute", dims)
    normalized = tuple(normalize_dim("permute", d, a.ndim, a.shape) for d in dims)
    if sorted(normalized) != list(range(a.ndim)):
        raise DimError(f"permute: {dims} is not a permutation of the {a.ndim} dims of shape {a.shape}")
    if normalized == tuple(range(a.ndim)):
        return a
    return Permute.apply(a, normalized)


def transpose(a: Tensor, dim0: int, dim1: int) -> Tensor:
    """Swap two dims."""
    order = list(range(a.ndim))
    first = normalize_dim("transpose", dim0, a.ndim, a.shape)
    second = normalize_dim("transpose", dim1, a.ndim, a.shape)
    order[first], order[second] = order[second], order[first]
    return permute(a, *order)


# -- broadcasting --------------------------------------------------------------------
class BroadcastTo(Function):
    is_view = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, shape: tuple) -> np.ndarray:
        return np.broadcast_to(a.array, shape)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return grad_output, None  # the engine sums it back to the input's shape

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return grad, None


class SumTo(Function):
    """Sum a gradient over broadcast dims so it has ``shape`` again."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, shape: tuple) -> np.ndarray:
        ctx.input_shape = a.shape
        return sum_to_array(a.array, shape)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return grad_output.expand(*ctx.input_shape), None


def sum_to_array(array: np.ndarray, shape: tuple) -> np.ndarray:
    """An ndarray summed over the dims that broadcasting added or stretched to reach it from
    ``shape`` (checked by the caller: ``check_sum_to``)."""
    lead = array.ndim - len(shape)
    stretched = tuple(lead + d for d, size in enumerate(shape) if size == 1 and array.shape[lead + d] != 1)
    axes = tuple(range(lead)) + stretched
    return np.sum(array, axis=axes, keepdims=True).reshape(shape)


def check_sum_to(from_shape: tuple, shape: tuple) -> None:
    """A ShapeError unless ``from_shape`` is what ``shape`` broadcasts to."""
    if not _broadcastable(shape, from_shape) or np.broadcast_shapes(shape, from_shape) != tuple(from_shape):
        raise ShapeError(f"sum_to: shape {tuple(from_shape)} does not broadcast from {tuple(shape)}")


def sum_to(a: Tensor, shape: tuple) -> Tensor:
    """``a`` summed over the dims that broadcasting added or stretched to reach ``shape``."""
    shape = tuple(shape)
    if a.shape == shape:
        return a
    check_sum_to(a.shape, shape)
    return SumTo.apply(a, shape)


def _broadcastable(small: Sequence[int], big: Sequence[int]) -> bool:
    try:
        np.broadcast_shapes(tuple(small), tuple(big))
        return True
    except ValueError:
        return False


def broadcast_to(a: Tensor, shape: Sequence[int]) -> Tensor:
    """A read-only view of ``a`` broadcast to ``shape`` (NumPy rules)."""
    shape = _sizes("broadcast_to", (tuple(shape),))
    if a.shape == shape:
        return a
    if not _broadcastable(a.shape, shape) or np.broadcast_shapes(a.shape, shape) != shape:
        raise ShapeError(
            f"expand/broadcast_to: a tensor of shape {a.shape} cannot be broadcast to {shape}; "
            "each dim must match or be 1 (new dims go in front)."
        )
    return BroadcastTo.apply(a, shape)


def expand(a: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes``; -1 keeps a dim's size. Returns a read-only view."""
    sizes = _sizes("expand", sizes)
    lead = len(sizes) - a.ndim
    if lead < 0:
        raise ShapeError(f"expand: {sizes} has fewer dims than the tensor's shape {a.shape}")
    shape = tuple(a.shape[d - lead] if size == -1 and d >= lead else size for d, size in enumerate(sizes))
    return broadcast_to(a, shape)


# -- indexing ------------------------------------------------------------------------
def as_index(index: Any) -> Any:
    """An index with Tensors and lists turned into ndarrays (what NumPy indexes with).

    As in PyTorch, a list of fewer than 32 items holding a sequence, Tensor, slice, None or
    Ellipsis is read as a tuple (``x[[[0, 1]]]`` is ``x[[0, 1]]``), and slice steps must be positive.
    """
    if isinstance(index, tuple):
        return tuple(as_index(part) for part in index)
    if isinstance(index, Tensor):
        if index.array.dtype.kind not in "iub":
            raise ShapeError(f"indexing: index tensors must be integer or bool, got {index.dtype}")
        return index.array
    if isinstance(index, list):
        if len(index) < 32 and builtins.any(
            part is None or part is Ellipsis or isinstance(part, (list, tuple, slice, Tensor, np.ndarray))
            for part in index
        ):
            return as_index(tuple(index))
        return np.asarray(index)
    if isinstance(index, slice) and index.step is not None and index.step <= 0:
        raise ValueError(
            f"indexing: slice step must be greater than zero, got {index.step} (as in PyTorch); "
            "to reverse a dim use x.flip(dim)"
        )
    return index


def _is_basic(index: Any) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return builtins.all(
        part is None or part is Ellipsis or isinstance(part, (int, slice, np.integer)) for part in parts
    )


class GetItem(Function):
    """Basic indexing (ints, slices, None, Ellipsis): a view of the input."""

    is_view = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, index: Any) -> np.ndarray:
        ctx.input_shape, ctx.index = a.shape, index
        try:
            out = a.array[index]
        except IndexError as error:
            raise DimError(f"indexing a tensor of shape {a.shape} with {index!r}: {error}") from None
        return np.asarray(out)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return IndexAdd.apply(grad_output, ctx.input_shape, ctx.index), None

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return _index_add(grad, ctx.input_shape, ctx.index), None


class Index(GetItem):
    """Advanced indexing (integer arrays or Tensors, bool masks): a copy, as in PyTorch."""

    is_view = False


class IndexAdd(Function):
    """Zeros of ``shape`` with ``values`` added at ``index`` (repeated indices accumulate)."""

    @staticmethod
    def forward(ctx: Function, values: Tensor, shape: tuple, index: Any) -> np.ndarray:
        ctx.index = index
        return _index_add(values.array, shape, index)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return grad_output[ctx.index], None, None


def _index_add(values: np.ndarray, shape: tuple, index: Any) -> np.ndarray:
    """Zeros of ``shape`` with ``values`` added at ``index`` (repeated indices accumulate)."""
    out = np.zeros(shape, dtype=values.dtype)
    if _is_basic(index):
        out[index] = values
    else:
        np.add.at(out, index, values)
    return out


def getitem(a: Tensor, index: Any) -> Tensor:
    """NumPy indexing: slices, ints, None, Ellipsis, integer arrays/Tensors, bool masks."""
    index = as_index(index)
    return (GetItem if _is_basic(index) else Index).apply(a, index)


class Clone(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor) -> np.ndarray:
        return np.array(a.array, copy=True, order="C")

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return grad_output

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> np.ndarray:
        return grad


# -- joining and splitting -----------------------------------------------------------
class Cat(Function):
    @staticmethod
    def forward(ctx: Function, *tensors_and_dim: Any) -> np.ndarray:
        *tensors, dim = tensors_and_dim
        ctx.dim = dim
        ctx.bounds = list(itertools.accumulate((t.shape[dim] for t in tensors), initial=0))
        return np.concatenate([t.array for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        prefix = (slice(None),) * ctx.dim
        pieces = tuple(
            grad_output[prefix + (slice(start, stop),)] for start, stop in zip(ctx.bounds[:-1], ctx.bounds[1:])
        )
        return pieces + (None,)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dim; all other dims must match."""
    tensors = _tensor_list("cat", tensors)
    first = tensors[0]
    if first.ndim == 0:
        raise ShapeError("cat: 0-d tensors have no dim to join along; use stack, or unsqueeze them first.")
    dim = normalize_dim("cat", dim, first.ndim, first.shape)
    for position, tensor in enumerate(tensors):
        if tensor.ndim != first.ndim or builtins.any(
            tensor.shape[d] != first.shape[d] for d in range(first.ndim) if d != dim
        ):
            raise ShapeError(
                f"cat: tensor {position} has shape {tensor.shape} but tensor 0 has shape "
                f"{first.shape}; all dims except dim {dim} must match."
            )
    return Cat.apply(*tensors, dim)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shape tensors along a new dim."""
    tensors = _tensor_list("stack", tensors)
    for position, tensor in enumerate(tensors):
        if tensor.shape != tensors[0].shape:
            raise ShapeError(
                f"stack: tensor {position} has shape {tensor.shape} but tensor 0 has shape "
                f"{tensors[0].shape}; stack needs equal shapes."
            )
    dim = normalize_dim("stack", dim, tensors[0].ndim + 1, tensors[0].shape)
    return cat([unsqueeze(t, dim) for t in tensors], dim)


def _tensor_list(op: str, tensors: Sequence[Any]) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or len(tensors) == 0:
        raise ShapeError(f"{op}: expected a non-empty list or tuple of tensors, got {type(tensors).__name__}")
    return [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]


def split(a: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Pieces of size ``split_size`` (the last may be smaller), or of the given sizes."""
    dim = normalize_dim("split", dim, a.ndim, a.shape)
    length = a.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        if split_size_or_sections < 0 or (split_size_or_sections == 0 and length):
            raise ShapeError(
                f"split: split_size must be positive (0 only for an empty dim), got {split_size_or_sections}"
            )
        if split_size_or_sections == 0:
            return (a,)
        sizes = [split_size_or_sections] * (length // split_size_or_sections)
        if length % split_size_or_sections:
            sizes.append(length % split_size_or_sections)
    else:
        sizes = list(split_size_or_sections)
        if builtins.any(not isinstance(size, (int, np.integer)) or size < 0 for size in sizes):
            raise ShapeError(f"split: section sizes must be non-negative ints, got {sizes}")
        if builtins.sum(sizes) != length:
            raise ShapeError(f"split: sizes {sizes} sum to {builtins.sum(sizes)}, but dim {dim} has size {length}")
    bounds = list(itertools.accumulate((int(size) for size in sizes), initial=0))
    prefix = (slice(None),) * dim
    return tuple(a[prefix + (slice(start, stop),)] for start, stop in zip(bounds[:-1], bounds[1:]))


def chunk(a: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` pieces of equal size (the last may be smaller)."""
    if chunks <= 0:
        raise ShapeError(f"chunk: chunks must be positive, got {chunks}")
    length = a.shape[normalize_dim("chunk", dim, a.ndim, a.shape)]
    return split(a, max(1, -(-length // chunks)), dim)
