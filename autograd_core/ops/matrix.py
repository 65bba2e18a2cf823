"""Diagonals and structured matrices: diagonal, diag_embed, diag, trace, kron, block_diag,
tril_indices and triu_indices.

``diagonal`` and ``diag_embed`` are each other's adjoint: the gradient of taking a
diagonal is placing it back into zeros, and the other way round, so second derivatives
come for free. ``diagonal`` copies (PyTorch's is a view).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..devices import check_device
from ..dtypes import check_dtype
from ..errors import DimError, ShapeError
from ..function import Function
from ..tensor import Tensor
from .shape import cat, normalize_dim


def _diagonal_index(size1: int, size2: int, offset: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the ``offset`` diagonal of a (size1, size2) matrix."""
    length = max(0, min(size1 + min(offset, 0), size2 - max(offset, 0)))
    steps = np.arange(length)
    return steps - min(offset, 0), steps + max(offset, 0)


class Diagonal(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, offset: int, dim1: int, dim2: int) -> np.ndarray:
        ctx.shape, ctx.offset, ctx.dim1, ctx.dim2 = a.shape, offset, dim1, dim2
        return np.diagonal(a.array, offset, dim1, dim2).copy()

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return DiagonalScatter.apply(grad_output, ctx.shape, ctx.offset, ctx.dim1, ctx.dim2), None, None, None


class DiagonalScatter(Function):
    """Zeros of ``shape`` with ``a`` (shape: the other dims, then the diagonal's length) on the
    ``offset`` diagonal of dims ``dim1``, ``dim2``."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, shape: tuple, offset: int, dim1: int, dim2: int) -> np.ndarray:
        ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
        out = np.zeros(shape, dtype=a.array.dtype)
        rows, columns = _diagonal_index(shape[dim1], shape[dim2], offset)
        np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, columns] = a.array
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return Diagonal.apply(grad_output, ctx.offset, ctx.dim1, ctx.dim2), None, None, None, None


def _two_dims(op: str, ndim: int, shape: tuple, dim1: Any, dim2: Any) -> tuple[int, int]:
    first, second = normalize_dim(op, dim1, ndim, shape), normalize_dim(op, dim2, ndim, shape)
    if first == second:
        raise DimError(f"{op}: dim1 and dim2 must be different dims, both are {first} (shape {shape})")
    return first, second


def _int(op: str, name: str, value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{op}: {name} must be an int, got {value!r}")
    return int(value)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The ``offset`` diagonal (above the main one for offset > 0) of the matrices spanned by
    dims ``dim1`` and ``dim2``: those dims go, and the diagonal becomes the last dim.
    (2, 3, 4) with dims 1, 2 -> (2, 3)."""
    if input.ndim < 2:
        raise DimError(f"diagonal: needs a tensor of 2 or more dims, got shape {input.shape}")
    first, second = _two_dims("diagonal", input.ndim, input.shape, dim1, dim2)
    return Diagonal.apply(input, _int("diagonal", "offset", offset), first, second)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with ``input``'s last dim on their ``offset`` diagonal, zeros elsewhere: (..., n)
    -> (..., n + |offset|, n + |offset|), the two new dims at ``dim1`` and ``dim2``."""
    offset = _int("diag_embed", "offset", offset)
    ndim = input.ndim + 1
    if input.ndim == 0:
        raise DimError("diag_embed: needs a tensor of 1 or more dims, got a 0-d tensor; use x.reshape(1)")
    size = input.shape[-1] + abs(offset)
    first, second = _two_dims("diag_embed", ndim, input.shape[:-1] + (size, size), dim1, dim2)
    others = iter(input.shape[:-1])
    shape = tuple(size if d in (first, second) else next(others) for d in range(ndim))
    return DiagonalScatter.apply(input, shape, offset, first, second)


def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor's square matrix with it on the ``diagonal`` (n -> (n + |k|, n + |k|)), or a
    2-D tensor's ``diagonal`` as a 1-D tensor."""
    if input.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if input.ndim == 2:
        return Diagonal.apply(input, _int("diag", "diagonal", diagonal), 0, 1)
    raise DimError(f"diag: expects a 1-D or 2-D tensor, got shape {input.shape}; for batches use diagonal/diag_embed")


def trace(input: Tensor) -> Tensor:
    """The sum of a matrix's main diagonal (a 0-d tensor)."""
    if input.ndim != 2:
        raise DimError(f"trace: expects a matrix (2-D), got shape {input.shape}")
    return Diagonal.apply(input, 0, 0, 1).sum()


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: block (i, j, ...) is ``input[i, j, ...] * other``; shapes are
    padded with leading 1s to the same rank, and each size is the product of the two."""
    if not isinstance(other, Tensor):
        raise TypeError(f"kron: other must be a Tensor, got {type(other).__name__}")
    ndim = max(input.ndim, other.ndim)
    a_shape = (1,) * (ndim - input.ndim) + input.shape
    b_shape = (1,) * (ndim - other.ndim) + other.shape
    a = input.reshape([size for s in a_shape for size in (s, 1)])
    b = other.reshape([size for s in b_shape for size in (1, s)])
    return (a * b).reshape([x * y for x, y in zip(a_shape, b_shape)])


def block_diag(*tensors: Tensor) -> Tensor:
    """The matrices (0-, 1- or 2-D tensors: a number is 1x1, a vector one row) along the
    diagonal of one matrix, zeros elsewhere."""
    if not tensors:
        raise ShapeError("block_diag: give at least one tensor")
    blocks = []
    for position, tensor in enumerate(tensors):
        if not isinstance(tensor, Tensor) or tensor.ndim > 2:
            what = f"shape {tensor.shape}" if isinstance(tensor, Tensor) else type(tensor).__name__
            raise ShapeError(f"block_diag: tensor {position} must be a 0-, 1- or 2-D Tensor, got {what}")
        blocks.append(tensor.reshape(1, -1) if tensor.ndim < 2 else tensor)
    width = sum(block.shape[1] for block in blocks)
    rows, left = [], 0
    for block in blocks:
        right = width - left - block.shape[1]
        zeros = [block.new_zeros(block.shape[0], n) for n in (left, right)]
        rows.append(cat([zeros[0], block, zeros[1]], 1))
        left += block.shape[1]
    return cat(rows, 0)


def _triangle_indices(op: str, numpy_indices: Any, row: int, col: int, offset: int, dtype: Any) -> Tensor:
    for name, value in (("row", row), ("col", col), ("offset", offset)):
        _int(op, name, value)
    if row < 0 or col < 0:
        raise ShapeError(f"{op}: row and col must be >= 0, got {row} and {col}")
    rows, columns = numpy_indices(row, offset, col)
    dtype = np.dtype(np.int64) if dtype is None else check_dtype(dtype)
    return Tensor._make(np.stack([rows, columns]).astype(dtype), False, None)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, N) row and column indices of a (row, col) matrix's lower triangle (on and below
    the ``offset`` diagonal), row by row."""
    check_device(device, "tril_indices")
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None) -> Tensor:
    """The (2, N) indices of the upper triangle (on and above the ``offset`` diagonal)."""
    check_device(device, "triu_indices")
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype)


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """The Vandermonde matrix of a 1-D tensor: column j is ``x ** (N - 1 - j)`` (``x ** j`` when
    ``increasing``); N columns, len(x) by default."""
    if x.ndim != 1:
        raise DimError(f"vander: needs a 1-D tensor, got shape {x.shape}")
    count = x.shape[0] if N is None else _int("vander", "N", N)
    if count < 0:
        raise ShapeError(f"vander: N must be >= 0, got {count}")
    powers = np.arange(count) if increasing else np.arange(count)[::-1]
    columns = [x**int(power) if power else x.new_ones(x.shape[0]) for power in powers]
    return cat([column.reshape(-1, 1) for column in columns], 1) if columns else x.new_zeros(x.shape[0], 0)
