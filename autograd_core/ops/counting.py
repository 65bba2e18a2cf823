"""Counting and searching: unique, bincount, count_nonzero, histc, isin, searchsorted and
bucketize. None of them is differentiable (they return counts, indices or booleans, as in
PyTorch; ``bincount``'s weighted sums and ``histc`` are not differentiable there either).
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..errors import DimError, DtypeError, ShapeError
from ..tensor import Tensor
from .reduce import normalize_dims
from .shape import normalize_dim


def _constant(array: Any, dtype: Any = None) -> Tensor:
    return Tensor._make(np.asarray(array, dtype=dtype), False, None)


def _array(op: str, name: str, value: Any) -> np.ndarray:
    if isinstance(value, Tensor):
        return value.array
    if isinstance(value, (int, float, bool, np.number)):
        return np.asarray(value)
    raise TypeError(f"{op}: {name} must be a Tensor or a number, got {type(value).__name__}")


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values in ascending order (of the whole tensor, flattened, or the distinct
    slices along ``dim``); with ``return_inverse`` also where each element went (input's
    shape, or (size of dim,)), with ``return_counts`` how often each occurs. A tuple when
    either flag is set, as in PyTorch. Values always come out sorted."""
    axis = None if dim is None else normalize_dim("unique", dim, input.ndim, input.shape)
    values, inverse, counts = np.unique(input.array, return_inverse=True, return_counts=True, axis=axis)
    result = [Tensor._make(values, False, None)]
    if return_inverse:
        result.append(_constant(inverse.reshape(input.shape if axis is None else -1), np.int64))
    if return_counts:
        result.append(_constant(counts, np.int64))
    return result[0] if len(result) == 1 else tuple(result)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ..., max occurs in a 1-D tensor of non-negative integers (at
    least ``minlength`` bins); with ``weights`` (same shape) the sum of the weights instead."""
    array = input.array
    if array.ndim != 1 or array.dtype.kind not in "iub":
        raise ShapeError(f"bincount: expects a 1-D integer tensor, got shape {input.shape} of {input.dtype}")
    if array.size and array.min() < 0:
        raise ValueError(f"bincount: values must be >= 0, got {int(array.min())}")
    if not isinstance(minlength, (int, np.integer)) or minlength < 0:
        raise ValueError(f"bincount: minlength must be an int >= 0, got {minlength!r}")
    if weights is None:
        return _constant(np.bincount(array, minlength=minlength), np.int64)
    weight = _array("bincount", "weights", weights)
    if weight.shape != array.shape:
        raise ShapeError(f"bincount: weights have shape {weight.shape}, input has {input.shape}; they must match")
    dtype = weight.dtype if weight.dtype.kind == "f" else np.float64
    return _constant(np.bincount(array, weight, minlength=minlength), dtype)


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """The number of non-zero elements over ``dim`` (all dims when None), int64."""
    dims = normalize_dims("count_nonzero", dim, input)
    return _constant(np.count_nonzero(input.array, axis=dims if input.ndim else None), np.int64)


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:  # noqa: A002
    """A histogram of ``bins`` equal-width bins over [min, max] (the data's own range when min
    equals max); elements outside are ignored. Float tensors only, as in PyTorch."""
    array = input.array
    if array.dtype.kind != "f":
        raise DtypeError(f"histc: needs a float tensor, got {input.dtype}; call .float() first")
    if not isinstance(bins, (int, np.integer)) or bins <= 0:
        raise ValueError(f"histc: bins must be a positive int, got {bins!r}")
    low, high = float(min), float(max)
    if low == high and array.size:
        low, high = float(array.min()), float(array.max())
    if low > high:
        raise ValueError(f"histc: max ({high}) must be >= min ({low})")
    if low == high:
        low, high = low - 1, high + 1  # as PyTorch: one value spreads over [v - 1, v + 1]
    counts, _ = np.histogram(array, bins=int(bins), range=(low, high))
    return _constant(counts, array.dtype)


def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each of ``elements`` occurs in ``test_elements`` (a bool tensor of elements' shape;
    either may be a number). ``invert`` gives the opposite."""
    values, tests = _array("isin", "elements", elements), _array("isin", "test_elements", test_elements)
    return _constant(np.isin(values, tests, assume_unique=assume_unique, invert=invert))


def searchsorted(
    sorted_sequence: Tensor,
    input: Any,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Tensor | None = None,
) -> Tensor:
    """Where each of ``input`` would go in ``sorted_sequence`` (sorted along its last dim) to keep
    it sorted: the first such place, or the last with ``right=True`` / ``side='right'``. A 1-D
    sequence serves every value; an N-D one has one row per row of ``input`` (same leading dims)."""
    if side is not None:
        if side not in ("left", "right"):
            raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
        if right and side == "left":
            raise ValueError("searchsorted: right=True and side='left' disagree; give one of them")
        right = side == "right"
    sequence, values = sorted_sequence.array, _array("searchsorted", "input", input)
    if sorter is not None:
        sequence = np.take_along_axis(sequence, sorter.array, -1)
    where = "right" if right else "left"
    dtype = np.int32 if out_int32 else np.int64
    if sequence.ndim <= 1:
        return _constant(np.searchsorted(sequence.reshape(-1), values, side=where), dtype)
    if values.shape[:-1] != sequence.shape[:-1]:
        raise ShapeError(
            f"searchsorted: a sequence of shape {sequence.shape} needs input with the same leading dims "
            f"{sequence.shape[:-1]}, got {values.shape}"
        )
    rows, row_values = sequence.reshape(-1, sequence.shape[-1]), values.reshape(-1, values.shape[-1])
    found = [np.searchsorted(row, value, side=where) for row, value in zip(rows, row_values)]
    return _constant(np.stack(found).reshape(values.shape), dtype)


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each element of ``input`` given 1-D sorted ``boundaries``: i such that
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=True``: ``boundaries[i-1] <= x < boundaries[i]``)."""
    if boundaries.ndim != 1:
        raise DimError(f"bucketize: boundaries must be 1-D, got shape {boundaries.shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


HistogramResult = namedtuple("histogram", ["hist", "bin_edges"])  # as torch.return_types.histogram


def histogram(
    input: Tensor, bins: Any = 100, *, range: Any = None, weight: Tensor | None = None, density: bool = False
) -> HistogramResult:
    """``(hist, bin_edges)``: counts (or summed ``weight``) in ``bins`` equal-width bins over
    ``range`` (the data's when None), or in the bins between the edges of a 1-D tensor ``bins``;
    ``density`` normalises to a probability density. Float tensors only."""
    array = input.array
    if array.dtype.kind != "f":
        raise DtypeError(f"histogram: needs a float tensor, got {input.dtype}; call .float() first")
    edges = bins.array if isinstance(bins, Tensor) else bins
    if isinstance(edges, (int, np.integer)) and edges <= 0:
        raise ValueError(f"histogram: bins must be a positive int or a 1-D tensor of edges, got {bins!r}")
    weights = None if weight is None else _array("histogram", "weight", weight).reshape(-1)
    counts, bin_edges = np.histogram(array.reshape(-1), bins=edges, range=range, weights=weights, density=density)
    return HistogramResult(_constant(counts, array.dtype), _constant(bin_edges, array.dtype))


def unique_consecutive(
    input: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """Each run of equal consecutive values (or slices along ``dim``) kept once, in order; the
    flags add, as ``unique``'s, where each element went and each run's length."""
    if dim is None:
        flat = input.array.reshape(-1)
        starts = np.ones(flat.shape, bool)
        starts[1:] = flat[1:] != flat[:-1]
        values = flat[starts]
        shape_of_inverse = input.shape
    else:
        axis = normalize_dim("unique_consecutive", dim, input.ndim, input.shape)
        moved = np.moveaxis(input.array, axis, 0)
        starts = np.ones(moved.shape[0], bool)
        starts[1:] = np.any(moved[1:] != moved[:-1], axis=tuple(range(1, moved.ndim)))
        values = np.moveaxis(moved[starts], 0, axis)
        shape_of_inverse = (moved.shape[0],)
    result = [Tensor._make(np.ascontiguousarray(values), False, None)]
    if return_inverse:
        result.append(_constant((np.cumsum(starts) - 1).reshape(shape_of_inverse), np.int64))
    if return_counts:
        positions = np.flatnonzero(starts)
        result.append(_constant(np.diff(np.append(positions, starts.size)), np.int64))
    return result[0] if len(result) == 1 else tuple(result)
