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


# -- index_add / index_copy / index_fill / masked_scatter ---------------------------------------
def _along(array: np.ndarray, dim: int) -> np.ndarray:
    """A view of ``array`` with ``dim`` first (writable when ``array`` is)."""
    return np.moveaxis(array, dim, 0)


def _index_args(
    op: str, input: Tensor, dim: int, index: Any, source: Tensor | None, negative: bool = False
) -> tuple[int, np.ndarray]:
    """The checked dim and 1-D positions (``negative``: counting from the end is allowed, as
    PyTorch's index_fill allows it and index_add/index_copy do not)."""
    positions = _index_array(op, index)
    if positions.ndim > 1:
        raise ShapeError(f"{op}: index must be 1-D (or 0-d), got shape {positions.shape}")
    positions = positions.reshape(-1)
    dim = normalize_dim(op, dim, input.ndim, input.shape)
    size = input.shape[dim] if input.ndim else 1
    low = -size if negative else 0
    if positions.size and (positions.min() < low or positions.max() >= size):
        bad = int(positions.min()) if positions.min() < low else int(positions.max())
        raise IndexError(f"{op}: index {bad} is out of bounds for dim {dim} with size {size}")
    if negative:
        positions = positions % max(size, 1)
    if source is not None:
        expected = input.shape[:dim] + (positions.size,) + input.shape[dim + 1 :] if input.ndim else (positions.size,)
        if source.shape != expected and not (input.ndim == 0 and source.ndim == 0 and positions.size == 1):
            raise ShapeError(
                f"{op}: source has shape {source.shape}, but {positions.size} indices into dim {dim} of a tensor "
                f"of shape {input.shape} need shape {expected}"
            )
    return dim, positions


class IndexAdd(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, index: np.ndarray, source: Tensor, alpha: Any) -> np.ndarray:
        ctx.dim, ctx.index, ctx.alpha = dim, index, alpha
        out = np.array(a.array, copy=True).reshape(a.shape or (1,))
        added = source.array.reshape(out.shape[:dim] + (index.size,) + out.shape[dim + 1 :])
        np.add.at(_along(out, dim), index, _along(added * alpha if alpha != 1 else added, dim))
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        grad_source = None
        if ctx.needs_input_grad[3]:
            picked = _select(grad_output, ctx.dim, ctx.index)
            grad_source = picked * ctx.alpha if ctx.alpha != 1 else picked
        return grad_output, None, None, grad_source, None


def _select(tensor: Tensor, dim: int, index: np.ndarray) -> Tensor:
    """``index_select`` along ``dim`` of a checked index (0-d tensors as shape (1,))."""
    flat = tensor.reshape(1) if tensor.ndim == 0 else tensor
    picked = getitem(flat, (slice(None),) * dim + (index,))
    return picked.reshape(()) if tensor.ndim == 0 else picked


class IndexCopy(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, index: np.ndarray, source: Any) -> np.ndarray:
        ctx.dim, ctx.index = dim, index
        out = np.array(a.array, copy=True).reshape(a.shape or (1,))
        if isinstance(source, Tensor):
            shape = out.shape[:dim] + (index.size,) + out.shape[dim + 1 :]
            _along(out, dim)[index] = _along(source.array.reshape(shape), dim)
        else:
            _along(out, dim)[index] = source
        return out.reshape(a.shape)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # overwritten slices of a get no gradient; each source slice gets its target's
        grad_input = IndexCopy.apply(grad_output, ctx.dim, ctx.index, 0.0)
        grad_source = _select(grad_output, ctx.dim, ctx.index) if ctx.needs_input_grad[3] else None
        return grad_input, None, None, grad_source


def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Any = 1) -> Tensor:
    """A copy of ``input`` with ``alpha * source[..., i, ...]`` added at ``input[..., index[i], ...]``
    along ``dim`` (repeated indices add up). source: input's shape with len(index) at ``dim``."""
    dim, positions = _index_args("index_add", input, dim, index, source)
    return IndexAdd.apply(input, dim, positions, source, alpha)


def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with ``input[..., index[i], ...] = source[..., i, ...]`` along ``dim``."""
    dim, positions = _index_args("index_copy", input, dim, index, source)
    return IndexCopy.apply(input, dim, positions, source)


def index_fill(input: Tensor, dim: int, index: Tensor, value: Any) -> Tensor:
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value`` (a number
    or a 0-d tensor, which gets no gradient)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"index_fill: value must be a number or a 0-d tensor, got shape {value.shape}")
        value = value.item()
    dim, positions = _index_args("index_fill", input, dim, index, None, negative=True)
    return IndexCopy.apply(input, dim, positions, value)


class MaskedScatter(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, mask: np.ndarray, source: Tensor) -> np.ndarray:
        ctx.mask, ctx.source_shape = mask, source.shape
        out = np.array(a.array, copy=True)
        out[mask] = source.array.reshape(-1)[: int(mask.sum())]
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        grad_source = None
        if ctx.needs_input_grad[2]:
            used = getitem(grad_output, ctx.mask)  # in the order the source elements were used
            unused = int(np.prod(ctx.source_shape)) - used.shape[0]
            grad_source = pad(used, [0, unused]).reshape(ctx.source_shape)
        return where(ctx.mask, 0.0, grad_output), None, grad_source


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the positions where ``mask`` (broadcast to input's shape) is True
    filled, in order, with the first elements of ``source`` (which needs at least that many)."""
    mask_array = _mask_array("masked_scatter", mask)
    if not isinstance(source, Tensor):
        raise TypeError(f"masked_scatter: source must be a Tensor, got {type(source).__name__}")
    try:
        mask_array = np.broadcast_to(mask_array, input.shape)
    except ValueError:
        raise ShapeError(
            f"masked_scatter: the mask (shape {mask_array.shape}) does not broadcast to the tensor "
            f"(shape {input.shape})"
        ) from None
    needed = int(mask_array.sum())
    if source.array.size < needed:
        raise ShapeError(
            f"masked_scatter: the mask selects {needed} positions but source has {source.array.size} elements"
        )
    if source.dtype != input.dtype:
        raise DtypeError(f"masked_scatter: source ({source.dtype}) must have the tensor's dtype ({input.dtype})")
    return MaskedScatter.apply(input, np.array(mask_array), source)


# -- index_put / put / fill_diagonal -----------------------------------------------------------
def _numpy_index(op: str, indices: Any) -> tuple:
    """A tuple of index tensors (integer or bool) as a NumPy advanced index."""
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(f"{op}: indices must be a tuple of index tensors, got {type(indices).__name__}")
    arrays = []
    for position, index in enumerate(indices):
        if not isinstance(index, Tensor) or index.dtype.kind not in "iub":
            what = index.dtype if isinstance(index, Tensor) else type(index).__name__
            raise TypeError(f"{op}: index {position} must be an integer or bool tensor, got {what}")
        arrays.append(index.array)
    return tuple(arrays)


class IndexPut(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, index: tuple, values: Tensor, accumulate: bool) -> np.ndarray:
        ctx.index, ctx.accumulate = index, accumulate
        out = np.array(a.array, copy=True)
        target_shape = out[index].shape
        ctx.values_shape = values.shape
        spread = np.broadcast_to(values.array, target_shape)
        if accumulate:
            np.add.at(out, index, spread)
        else:
            out[index] = spread
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        grad_values = getitem(grad_output, ctx.index) if ctx.needs_input_grad[2] else None  # fitted to values' shape
        if ctx.accumulate:
            return grad_output, None, grad_values, None
        zeros = Tensor._make(np.zeros((), grad_output.dtype), False, None)
        return IndexPut.apply(grad_output, ctx.index, zeros, False), None, grad_values, None


def index_put(input: Tensor, indices: Any, values: Any, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``input[indices] = values`` (``values`` broadcast to the indexed
    shape; with ``accumulate``, added, repeated indices adding up). ``indices``: a tuple of
    integer or bool tensors, as ``x[i, j]``."""
    index = _numpy_index("index_put", indices)
    values = values if isinstance(values, Tensor) else Tensor._make(np.asarray(values, input.array.dtype), False, None)
    try:
        target = np.empty(input.shape, dtype=bool)[index].shape
        np.broadcast_shapes(values.shape, target)
    except IndexError as error:
        raise IndexError(f"index_put: {error} (tensor of shape {input.shape})") from None
    except ValueError:
        raise ShapeError(
            f"index_put: values of shape {values.shape} do not broadcast to the indexed shape {target}"
        ) from None
    if values.dtype != input.dtype:
        values = values.to(input.dtype)
    return IndexPut.apply(input, index, values, bool(accumulate))


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with the flattened positions ``index`` set to (or, with ``accumulate``,
    increased by) ``source``'s elements in order."""
    positions = _index_array("put", index).reshape(-1)
    size = input.array.size
    if positions.size and (positions.min() < -size or positions.max() >= size):
        raise IndexError(f"put: an index is out of range for a tensor of {size} elements (shape {input.shape})")
    if source.array.size != positions.size:
        raise ShapeError(f"put: {positions.size} indices but source has {source.array.size} elements")
    flat = index_put(input.reshape(-1), (Tensor._make(positions % max(size, 1), False, None),), source.reshape(-1),
                     accumulate)
    return flat.reshape(input.shape)


def fill_diagonal(input: Tensor, fill_value: Any, wrap: bool = False) -> Tensor:
    """A copy with the main diagonal set to ``fill_value``: of a 2-D tensor (``wrap``: a tall
    matrix's diagonal starts again every columns + 1 rows, as NumPy's), or of one with all
    dims equal."""
    if input.ndim < 2 or (input.ndim > 2 and len(set(input.shape)) != 1):
        raise ShapeError(f"fill_diagonal_: needs a 2-D tensor or one with all dims equal, got shape {input.shape}")
    marked = np.zeros(input.shape, dtype=bool)
    np.fill_diagonal(marked, True, wrap=wrap)
    return index_put(input, (Tensor._make(marked, False, None),), fill_value)
