"""Ops that order values along a dim: sort, argsort, topk, kthvalue, median, mode.

Each finds indices with NumPy and picks the values with ``gather``, so the gradient
goes back to the selected positions (and twice differentiable, through ``gather``).
Results with values and indices are named tuples (``.values``, ``.indices``) as PyTorch's
``torch.return_types``. NaN sorts as the largest value, as in PyTorch.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..errors import DtypeError, ShapeError
from ..tensor import Tensor
from .indexing import Gather
from .reduce import MaxResult, Median, normalize_dims
from .shape import normalize_dim

SortResult = namedtuple("sort", ["values", "indices"])
TopkResult = namedtuple("topk", ["values", "indices"])
KthvalueResult = namedtuple("kthvalue", ["values", "indices"])
MedianResult = namedtuple("median", ["values", "indices"])
ModeResult = namedtuple("mode", ["values", "indices"])


def _order(array: np.ndarray, dim: int, descending: bool) -> np.ndarray:
    """Stable argsort along ``dim``; descending keeps equal values in their original order
    (sorting the reversed array ascending and reversing back does that) and puts NaN first."""
    if not descending:
        return np.argsort(array, axis=dim, kind="stable")
    reversed_order = np.argsort(np.flip(array, axis=dim), axis=dim, kind="stable")
    return array.shape[dim] - 1 - np.flip(reversed_order, axis=dim)


def _take(op: str, input: Tensor, dim: int, indices: np.ndarray, keepdim: bool, result: Any) -> Any:
    """The values at ``indices`` (int64, same dims as input) and the indices, as ``result``."""
    values = Gather.apply(input, dim, indices)
    if not keepdim:
        values = values.squeeze(dim)
        indices = np.squeeze(indices, axis=dim)
    return result(values, Tensor._make(indices.astype(np.int64), False, None))


def _refuse_bool(op: str, input: Tensor) -> None:
    if input.array.dtype.kind == "b":
        raise DtypeError(f"{op}: bool tensors are not supported (as in PyTorch); convert first, e.g. x.long()")


def _prepare(op: str, input: Tensor, dim: int) -> tuple[Tensor, int, bool]:
    """A 0-d input is treated as shape (1,) and made 0-d again afterwards, as in PyTorch."""
    dim = normalize_dim(op, dim, input.ndim, input.shape)
    if input.ndim == 0:
        return input.reshape(1), 0, True
    return input, dim, False


def _zero_d(result: Any, was_zero_d: bool) -> Any:
    if not was_zero_d:
        return result
    return type(result)(result.values.reshape(()), Tensor._make(result.indices.array.reshape(()), False, None))


def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> SortResult:
    """``(values, indices)`` sorted along ``dim``; always stable here (``stable`` is accepted)."""
    values, dim, zero_d = _prepare("sort", input, dim)
    result = _take("sort", values, dim, _order(values.array, dim, descending), True, SortResult)
    return _zero_d(result, zero_d)


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim`` (int64)."""
    return sort(input, dim, descending, stable).indices


def msort(input: Tensor) -> Tensor:
    """``sort(input, dim=0).values``."""
    return sort(input, 0).values


def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> TopkResult:
    """The ``k`` largest (or, with ``largest=False``, smallest) values along ``dim`` and their indices,
    largest first (smallest first for ``largest=False``)."""
    _refuse_bool("topk", input)
    values, axis, zero_d = _prepare("topk", input, dim)
    size = values.shape[axis]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 0 <= k <= size:
        raise ShapeError(f"topk: k ({k!r}) must be an int in [0, {size}], the size of dim {dim} of shape {input.shape}")
    if zero_d:
        k = 1  # PyTorch: a 0-d tensor's top 0 or 1 is the value itself
    order = _order(values.array, axis, descending=largest)
    result = _take("topk", values, axis, np.take(order, np.arange(k), axis=axis), True, TopkResult)
    return _zero_d(result, zero_d)


def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> KthvalueResult:
    """The ``k``-th smallest value (k counts from 1) along ``dim`` and its index."""
    _refuse_bool("kthvalue", input)
    values, axis, zero_d = _prepare("kthvalue", input, dim)
    size = values.shape[axis]
    if not isinstance(k, (int, np.integer)) or isinstance(k, bool) or not 1 <= k <= size:
        raise ShapeError(
            f"kthvalue: k ({k!r}) must be an int in [1, {size}], the size of dim {dim} of shape {input.shape}"
        )
    indices = np.take(_order(values.array, axis, False), [k - 1], axis=axis)
    return _zero_d(_take("kthvalue", values, axis, indices, keepdim or zero_d, KthvalueResult), zero_d)


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """``median(x)``: the lower of the two middle values (not their mean), as PyTorch; with ``dim``:
    ``(values, indices)``. A slice holding NaN has median NaN (at its first NaN); the median of an
    empty float tensor is NaN, as in PyTorch."""
    _refuse_bool("median", input)
    if dim is None:
        if input.array.size == 0:
            if input.array.dtype.kind != "f":
                raise ShapeError(f"median: the tensor is empty (shape {input.shape}); there is no median")
            return Tensor._make(np.full((), np.nan, dtype=input.array.dtype), False, None)
        return Median.apply(input, normalize_dims("median", None, input), False, _lower_median)
    values, axis, zero_d = _prepare("median", input, dim)
    if values.shape[axis] == 0:
        raise ShapeError(f"median: dim {dim} of shape {input.shape} is empty; there is no median")
    array = values.array
    order = _order(array, axis, False)
    position = np.full(array.shape[:axis] + (1,) + array.shape[axis + 1 :], (array.shape[axis] - 1) // 2)
    if array.dtype.kind == "f":  # NaN sorts last: a slice with NaN takes its first one
        nan_count = np.isnan(array).sum(axis=axis, keepdims=True)
        position = np.where(nan_count > 0, array.shape[axis] - nan_count, position)
    indices = np.take_along_axis(order, position, axis=axis)
    return _zero_d(_take("median", values, axis, indices, keepdim or zero_d, MedianResult), zero_d)


def _lower_median(array: np.ndarray, axis: tuple, keepdims: bool) -> np.ndarray:
    flat = np.sort(array, axis=None)
    value = flat[-1] if flat.dtype.kind == "f" and np.isnan(flat[-1]) else flat[(flat.size - 1) // 2]
    return np.asarray(value).reshape((1,) * array.ndim if keepdims else ())


def mode(input: Tensor, dim: int = -1, keepdim: bool = False) -> ModeResult:
    """The most frequent value along ``dim`` (the smallest of equally frequent ones) and the index
    of its last occurrence, as PyTorch."""
    values, axis, zero_d = _prepare("mode", input, dim)
    if values.shape[axis] == 0:
        raise ShapeError(f"mode: dim {dim} of shape {input.shape} is empty; there is no mode")
    array = np.moveaxis(values.array, axis, -1)
    order = np.argsort(array, axis=-1, kind="stable")
    ordered = np.take_along_axis(array, order, axis=-1)
    positions = np.arange(ordered.shape[-1])
    run_starts = np.ones(ordered.shape, dtype=bool)
    run_starts[..., 1:] = ordered[..., 1:] != ordered[..., :-1]
    start = np.maximum.accumulate(np.where(run_starts, positions, 0), axis=-1)
    # the first run to reach the largest count ends at the argmax; stable order puts its last occurrence there
    best = np.argmax(positions - start, axis=-1)[..., None]
    indices = np.moveaxis(np.take_along_axis(order, best, axis=-1), -1, axis)
    return _zero_d(_take("mode", values, axis, indices, keepdim or zero_d, ModeResult), zero_d)


__all__ = ["sort", "argsort", "msort", "topk", "kthvalue", "median", "mode", "MaxResult"]


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(
    input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    """The ``q``-th quantiles (``q`` in [0, 1], a number or a 1-D tensor) over ``dim`` (the
    flattened tensor when None), between sorted neighbours as ``interpolation`` says. With a
    1-D ``q`` its dim comes first. A slice holding a NaN gives NaN, as in PyTorch."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, skip_nan=False)


def nanquantile(
    input: Tensor, q: Any, dim: int | None = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Tensor:
    """``quantile`` of the values that are not NaN (NaN for a slice with none)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, skip_nan=True)


def _quantile(op: str, input: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, skip_nan: bool) -> Tensor:
    if input.dtype.kind != "f":
        raise DtypeError(f"{op}: needs a float tensor, got {input.dtype}; call .float() first")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"{op}: interpolation must be one of {', '.join(_INTERPOLATIONS)}, got {interpolation!r}")
    levels = np.asarray(q.array if isinstance(q, Tensor) else q, dtype=np.float64)
    if levels.ndim > 1 or np.any(np.isnan(levels) | (levels < 0) | (levels > 1)):
        raise ValueError(f"{op}: q must be a number or a 1-D tensor of values in [0, 1], got {levels.tolist()}")
    if dim is None or input.ndim == 0:
        values, axis = input.reshape(-1), 0
    else:
        values, axis = input, normalize_dim(op, dim, input.ndim, input.shape)
    if values.shape[axis] == 0:
        raise ShapeError(f"{op}: the input is empty along dim {axis} (shape {input.shape})")
    missing = np.isnan(values.array)
    counts = (values.shape[axis] - missing.sum(axis, keepdims=True)) if skip_nan else values.shape[axis]
    where_q = [1] * values.ndim
    where_q[axis] = -1
    position = levels.reshape(where_q) * (np.maximum(counts, 1) - 1)  # (..., Q at axis, ...)
    low, high = np.floor(position).astype(np.int64), np.ceil(position).astype(np.int64)
    if interpolation == "lower":
        high = low
    elif interpolation == "higher":
        low = high
    elif interpolation == "nearest":
        low = high = np.round(position).astype(np.int64)  # halves to even, as PyTorch
    weight = np.where(high > low, 0.5, 0.0) if interpolation == "midpoint" else position - low
    shape = list(values.shape)
    shape[axis] = levels.size
    ordered = sort(values, axis).values  # NaN sorts last
    lower, upper = (Gather.apply(ordered, axis, np.broadcast_to(i, shape).copy()) for i in (low, high))
    step = Tensor._make(np.broadcast_to(weight, shape).astype(input.array.dtype), False, None)
    result = lower + (upper - lower) * step
    empty = (counts == 0) if skip_nan else missing.any(axis, keepdims=True)
    if np.any(empty):
        result = result.masked_fill(Tensor._make(np.broadcast_to(empty, shape).copy(), False, None), float("nan"))
    result = result.movedim(axis, 0)  # (Q, the other dims)
    if keepdim:
        kept = [1] * input.ndim if dim is None else [1 if d == axis else n for d, n in enumerate(input.shape)]
        result = result.reshape([levels.size, *kept])
    return result[0] if levels.ndim == 0 else result
