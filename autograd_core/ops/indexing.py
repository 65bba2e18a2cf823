"""Ops that pick or place elements by index or mask: gather/scatter, index_select,
masked_fill/masked_select, tril/triu, nonzero.

``gather`` and ``scatter_add`` are each other's backward (so both are twice
differentiable); ``scatter`` overwrites, so the overwritten elements get no gradient.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import DtypeError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .elementwise import where
from .padding import pad
from .shape import broadcast_to, getitem, normalize_dim


# -- gather / scatter ----------------------------------------------------------------
def _coordinates(index: np.ndarray, dim: int) -> tuple:
    """The full NumPy index of ``out[i][index[i][j][k]][k]`` (dim 1): ``index`` along ``dim``,
    each other dim's own position."""
    return tuple(
        index if axis == dim else np.arange(size).reshape([-1 if d == axis else 1 for d in range(index.ndim)])
        for axis, size in enumerate(index.shape)
    )


def _leading(array: np.ndarray, shape: tuple) -> np.ndarray:
    """The leading ``shape`` block of ``array`` (index may be smaller than the tensors it indexes)."""
    return array[tuple(slice(0, size) for size in shape)]


class Gather(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, index: np.ndarray) -> np.ndarray:
        ctx.input_shape, ctx.dim, ctx.index = a.shape, dim, index
        return a.array[_coordinates(index, dim)]

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # out[i][j] = a[i][index[i][j]]: each picked element's gradient goes back to where it came from
        zeros = Tensor._make(np.zeros(ctx.input_shape, dtype=grad_output.dtype), False, None)
        return ScatterAdd.apply(zeros, ctx.dim, ctx.index, grad_output), None, None


def _gradient_of_src(ctx: Function, grad_output: Tensor) -> Any:
    """d scatter(a, dim, index, src) / d src: the gradient where each src element landed
    (zero for src elements beyond index's shape, which were not used)."""
    if not ctx.needs_input_grad[3]:
        return None
    picked = Gather.apply(grad_output, ctx.dim, ctx.index)
    if picked.shape == ctx.src_shape:
        return picked
    widths = []
    for size, full in reversed(list(zip(ctx.index.shape, ctx.src_shape))):
        widths += [0, full - size]
    return pad(picked, widths)


class ScatterAdd(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, index: np.ndarray, src: Tensor) -> np.ndarray:
        ctx.dim, ctx.index, ctx.src_shape = dim, index, src.shape
        out = a.array.copy()
        np.add.at(out, _coordinates(index, dim), _leading(src.array, index.shape))
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # out = a + (src added at index): d/da = 1, d/dsrc = the gradient at each target
        return grad_output, None, None, _gradient_of_src(ctx, grad_output)


class Scatter(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, index: np.ndarray, src: Any) -> np.ndarray:
        ctx.dim, ctx.index, ctx.src_shape = dim, index, np.shape(src.array) if isinstance(src, Tensor) else None
        coordinates = _coordinates(index, dim)
        out = a.array.copy()
        out[coordinates] = _leading(src.array, index.shape) if isinstance(src, Tensor) else src
        ctx.kept = np.ones(out.shape, dtype=bool)
        ctx.kept[coordinates] = False
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # overwritten elements of a get no gradient; each written src element gets its target's
        return where(ctx.kept, grad_output, 0.0), None, None, _gradient_of_src(ctx, grad_output)


def _index_array(op: str, index: Any) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}: index must be an int64 Tensor, got {type(index).__name__}")
    if index.dtype.kind not in "iu":
        raise DtypeError(f"{op}: index must be an integer (int64) tensor, got {index.dtype}; use .long()")
    return index.array


def _check_index(op: str, a: Tensor, dim: int, index: np.ndarray, src: Any = None) -> None:
    """PyTorch's rules: same number of dims; index no larger than src anywhere, nor than
    the tensor on the other dims; every index within the tensor's ``dim``."""
    if index.ndim != a.ndim:
        raise ShapeError(
            f"{op}: index (shape {index.shape}) must have as many dims as the tensor (shape {a.shape})"
        )
    for axis in range(index.ndim):
        if axis != dim and index.shape[axis] > a.shape[axis]:
            raise ShapeError(
                f"{op}: index (shape {index.shape}) is larger than the tensor (shape {a.shape}) in dim {axis}; "
                f"it may be larger only in dim {dim}"
            )
        if isinstance(src, Tensor) and index.shape[axis] > src.shape[axis]:
            raise ShapeError(f"{op}: index (shape {index.shape}) is larger than src (shape {src.shape}) in dim {axis}")
    size = a.shape[dim] if a.ndim else 1
    if index.size and (index.min() < 0 or index.max() >= size):
        bad = int(index.min()) if index.min() < 0 else int(index.max())
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {dim} with size {size}")


def _indexed(op: str, a: Tensor, dim: int, index: Any, src: Any = None) -> tuple:
    index = _index_array(op, index)
    dim = normalize_dim(op, dim, a.ndim, a.shape)
    if isinstance(src, Tensor) and src.ndim != index.ndim:
        raise ShapeError(f"{op}: src (shape {src.shape}) must have as many dims as index (shape {index.shape})")
    if isinstance(src, Tensor) and src.dtype != a.dtype:
        raise DtypeError(
            f"{op}: src ({src.dtype}) must have the tensor's dtype ({a.dtype}), as in PyTorch; convert it with "
            f"src.to({a.dtype})"
        )
    _check_index(op, a, dim, index, src)
    return dim, index


def gather(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """``out[i][j][k] = input[i][index[i][j][k]][k]`` for ``dim=1``; out has index's shape."""
    dim, index = _indexed("gather", input, dim, index)
    return Gather.apply(input, dim, index)


def scatter(input: Tensor, dim: int, index: Tensor, src: Any = None, value: Any = None, reduce: Any = None) -> Tensor:
    """A copy of ``input`` with ``out[i][index[i][j]] = src[i][j]`` (dim 1); ``src`` may be a number
    (or given as ``value=``). ``reduce='add'`` adds instead (``scatter_add``)."""
    if src is None:
        src = value
    if src is None:
        raise TypeError("scatter: give src (a tensor) or value (a number)")
    if reduce == "add" and isinstance(src, Tensor):
        return scatter_add(input, dim, index, src)
    if reduce is not None:
        raise ValueError(f"scatter: reduce must be None or 'add' (with a src tensor), got {reduce!r}")
    dim, index = _indexed("scatter", input, dim, index, src)
    return Scatter.apply(input, dim, index, src)


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src[i][j]`` added at ``out[i][index[i][j]]`` (dim 1); repeated
    indices accumulate."""
    if not isinstance(src, Tensor):
        raise TypeError(f"scatter_add: src must be a Tensor, got {type(src).__name__}")
    dim, index = _indexed("scatter_add", input, dim, index, src)
    return ScatterAdd.apply(input, dim, index, src)


def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The slices of ``input`` at positions ``index`` (1-D or 0-d) along ``dim``."""
    positions = _index_array("index_select", index)
    if positions.ndim > 1:
        raise ShapeError(f"index_select: index must be 1-D (or 0-d), got shape {positions.shape}")
    dim = normalize_dim("index_select", dim, input.ndim, input.shape)
    size = input.shape[dim] if input.ndim else 1
    if positions.size and (positions.min() < 0 or positions.max() >= size):
        bad = int(positions.min()) if positions.min() < 0 else int(positions.max())
        raise IndexError(f"index_select: index {bad} is out of bounds for dim {dim} with size {size}")
    if input.ndim == 0:
        return getitem(input.reshape(1), positions.reshape(-1)).reshape(())
    return getitem(input, (slice(None),) * dim + (positions.reshape(-1),))


# -- masks ---------------------------------------------------------------------------
def _mask_array(op: str, mask: Any) -> np.ndarray:
    array = mask.array if isinstance(mask, Tensor) else np.asarray(mask)
    if array.dtype != np.bool_:
        raise DtypeError(f"{op}: the mask must be a bool tensor, got {array.dtype}; compare first (e.g. x > 0)")
    return array


class MaskedFill(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, mask: np.ndarray, value: Any) -> np.ndarray:
        ctx.mask = mask
        fill = value.array if isinstance(value, Tensor) else value
        return np.where(mask, np.asarray(fill).astype(a.dtype), a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # the filled positions take their gradient from value, the others from a
        value_grad = where(ctx.mask, grad_output, 0.0) if ctx.needs_input_grad[2] else None
        return where(ctx.mask, 0.0, grad_output), None, value_grad


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True; ``mask`` and
    ``input`` broadcast together."""
    mask_array = _mask_array("masked_fill", mask)
    if isinstance(value, Tensor) and value.ndim != 0:
        raise ShapeError(f"masked_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
    try:
        np.broadcast_shapes(mask_array.shape, input.shape)
    except ValueError:
        raise ShapeError(
            f"masked_fill: the mask (shape {mask_array.shape}) does not broadcast with the tensor (shape {input.shape})"
        ) from None
    return MaskedFill.apply(input, mask_array, value)


def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """A 1-D tensor of the elements of ``input`` where ``mask`` is True (both broadcast)."""
    mask_array = _mask_array("masked_select", mask)
    try:
        shape = np.broadcast_shapes(mask_array.shape, input.shape)
    except ValueError:
        raise ShapeError(
            f"masked_select: the mask (shape {mask_array.shape}) does not broadcast with the tensor "
            f"(shape {input.shape})"
        ) from None
    return getitem(broadcast_to(input, shape), np.broadcast_to(mask_array, shape))


class Triangle(Function):
    """``tril`` / ``triu`` of the last two dims: the other triangle becomes 0."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, diagonal: int, upper: bool) -> np.ndarray:
        ctx.diagonal, ctx.upper = diagonal, upper
        return (np.triu if upper else np.tril)(a.array, diagonal)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return Triangle.apply(grad_output, ctx.diagonal, ctx.upper), None, None  # the kept triangle's gradient


def _triangle(op: str, input: Tensor, diagonal: int, upper: bool) -> Tensor:
    if input.ndim < 2:
        raise ShapeError(f"{op}: the tensor must have at least 2 dims, got shape {input.shape}")
    return Triangle.apply(input, int(diagonal), upper)


def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (``diagonal`` > 0 keeps more diagonals above)."""
    return _triangle("tril", input, diagonal, upper=False)


def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (``diagonal`` > 0 drops diagonals above the main one)."""
    return _triangle("triu", input, diagonal, upper=True)


def nonzero(input: Tensor, *, as_tuple: bool = False) -> Any:
    """Indices of the non-zero elements: an int64 (count, ndim) tensor, or (``as_tuple``) one
    1-D tensor per dim."""
    array = input.array
    if as_tuple:
        positions = np.nonzero(np.atleast_1d(array))
        return tuple(Tensor._make(p.astype(np.int64), False, None) for p in positions)
    return Tensor._make(np.argwhere(array).astype(np.int64), False, None)


def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``."""
    return nonzero(input)


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened ``input`` at ``index`` (any shape; negative counts from the
    end); the result has index's shape."""
    positions = _index_array("take", index)
    size = input.array.size
    if positions.size and (positions.min() < -size or positions.max() >= size):
        bad = int(positions.min()) if positions.min() < -size else int(positions.max())
        raise IndexError(f"take: index {bad} is out of range for a tensor of {size} elements (shape {input.shape})")
    return getitem(input.reshape(-1), Tensor._make(positions % max(size, 1), False, None))


def take_along_dim(input: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """``gather`` with broadcasting: ``indices`` and ``input`` broadcast on every dim but ``dim``
    (with ``dim=None``, the flattened input)."""
    positions = _index_array("take_along_dim", indices)
    if dim is None:
        return take(input, Tensor._make(positions.reshape(-1), False, None))
    dim = normalize_dim("take_along_dim", dim, input.ndim, input.shape)
    if positions.ndim != input.ndim:
        raise ShapeError(
            f"take_along_dim: indices (shape {positions.shape}) need as many dims as input (shape {input.shape})"
        )
    shape_in, shape_ix = list(input.shape), list(positions.shape)
    shape_in[dim] = shape_ix[dim] = 1
    try:
        common = np.broadcast_shapes(tuple(shape_in), tuple(shape_ix))
    except ValueError:
        raise ShapeError(
            f"take_along_dim: input {input.shape} and indices {positions.shape} do not broadcast outside dim {dim}"
        ) from None
    wide_in = tuple(input.shape[d] if d == dim else common[d] for d in range(input.ndim))
    wide_ix = tuple(positions.shape[d] if d == dim else common[d] for d in range(input.ndim))
    index = Tensor._make(np.ascontiguousarray(np.broadcast_to(positions, wide_ix)), False, None)
    return gather(input.broadcast_to(wide_in), dim, index)
