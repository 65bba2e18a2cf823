"""Reductions over dims: sum, mean, var/std, max/min, logsumexp, argmax; softmax.

``dim`` is an int, a tuple of ints, or None for all dims; ``keepdim`` keeps reduced
dims as size 1, as in PyTorch.
"""
from __future__ import annotations

import math
import warnings
from collections import namedtuple
from typing import Any

import numpy as np

from ..errors import DimError, DtypeError, ShapeError
from ..function import Function
from ..tensor import Tensor
from ..types import Dim
from .elementwise import Maximum, Minimum, where
from .shape import BroadcastTo, Clone, Reshape, normalize_dim

MaxResult = namedtuple("max", ["values", "indices"])  # as torch.return_types.max
MinResult = namedtuple("min", ["values", "indices"])
MinMaxResult = namedtuple("aminmax", ["min", "max"])


def normalize_dims(op: str, dim: Dim, tensor: Tensor) -> tuple[int, ...]:
    """``dim`` as a sorted tuple of non-negative dims (all dims for None or (), as in PyTorch)."""
    ndim = tensor.array.ndim
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    normalized = tuple(sorted(normalize_dim(op, d, ndim, tensor.shape) for d in dims))
    if len(set(normalized)) != len(normalized):
        raise DimError(f"{op}: dim {dim} names the same dim twice")
    return normalized if ndim else ()  # a 0-d tensor accepts dim 0 or -1, as in PyTorch: nothing to reduce


def _kept_shape(shape: tuple, dims: tuple) -> tuple:
    return tuple(1 if axis in dims else size for axis, size in enumerate(shape))


def _expand_back(grad_output: Tensor, ctx: Function) -> Tensor:
    """A reduced gradient reshaped with size-1 dims and broadcast to the input shape."""
    kept = _kept_shape(ctx.input_shape, ctx.dims)
    if grad_output.ndim and grad_output.shape != kept:  # keepdim=False dropped the reduced dims
        grad_output = Reshape.apply(grad_output, kept)
    return BroadcastTo.apply(grad_output, ctx.input_shape)


def _expand_back_array(grad: np.ndarray, ctx: Function) -> np.ndarray:
    """``_expand_back`` of a plain backward's ndarray: a read-only broadcast view, or for an
    input of at most ``_COPY_BELOW`` elements a copy (np.broadcast_to's Python set-up, ~3 us,
    was the largest part of a small graph's Sum backward)."""
    shape = ctx.input_shape
    kept = _kept_shape(shape, ctx.dims)
    if grad.shape != kept:
        grad = grad.reshape(kept)
    if kept == shape:
        return grad
    if math.prod(shape) < _COPY_BELOW:
        out = np.empty(shape, grad.dtype)
        out[...] = grad
        return out
    return np.broadcast_to(grad, shape)


_COPY_BELOW = 1024


class Sum(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple, keepdim: bool) -> np.ndarray:
        ctx.input_shape, ctx.dims = a.shape, dims
        return np.add.reduce(a.array, axis=dims, keepdims=keepdim)  # np.sum's own reduction, without its wrapper

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return _expand_back(grad_output, ctx), None, None  # d(sum a)/da_i = 1

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return _expand_back_array(grad, ctx), None, None


class Mean(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple, keepdim: bool) -> np.ndarray:
        ctx.input_shape, ctx.dims = a.shape, dims
        ctx.count = math.prod([a.shape[d] for d in dims])
        if ctx.count == 0:  # NaN, the mean of no elements, as in PyTorch
            with np.errstate(invalid="ignore"):
                return np.sum(a.array, axis=dims, keepdims=keepdim) / a.dtype.type(0)
        return np.mean(a.array, axis=dims, keepdims=keepdim)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return _expand_back(grad_output, ctx) / ctx.count, None, None  # d(mean a)/da_i = 1/n

    @staticmethod
    def backward_arrays(ctx: Function, grad: np.ndarray) -> tuple:
        return _expand_back_array(grad, ctx) / ctx.count, None, None


def sum(a: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Sum over ``dim`` (all dims when None); ``dtype`` converts ``a`` first, as in PyTorch."""
    if dtype is not None:
        a = a.to(dtype)
    return Sum.apply(a, normalize_dims("sum", dim, a), keepdim)


def mean(a: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """Mean over ``dim`` (all dims when None); float tensors only (``dtype`` converts ``a`` first);
    the mean of no elements is NaN, as in PyTorch."""
    if dtype is not None:
        a = a.to(dtype)
    if a.array.dtype.kind != "f":
        raise DtypeError(f"mean: needs a float tensor, got {a.dtype}; call .float() first")
    return Mean.apply(a, normalize_dims("mean", dim, a), keepdim)


def _first(array: np.ndarray, dims: tuple) -> np.ndarray:
    """The first element along ``dims``. Subtracting it leaves the variance unchanged, but makes a
    constant input exactly 0 (a mean computed by summing may be off by an ulp, which std turns into O(1))."""
    return array[tuple(slice(0, 1) if axis in dims else slice(None) for axis in range(array.ndim))]


def _divisor(op: str, dims: tuple, shape: tuple, correction: int) -> int:
    """``n - correction``, 0 when nothing is left: the result is then NaN or inf, with PyTorch's warning."""
    count = math.prod([shape[d] for d in dims])
    if count - correction <= 0:
        warnings.warn(
            f"{op}(): degrees of freedom is <= 0 ({count} element(s) over dims {dims} with correction="
            f"{correction}), so the result is NaN or inf, as in PyTorch; use correction=0 or reduce over more "
            "elements.",
            UserWarning,
            stacklevel=5,
        )
        return 0
    return count - correction


def _variance(shifted: np.ndarray, dims: tuple, correction: int, keepdim: bool, divisor: int) -> np.ndarray:
    """NumPy's variance; with no degrees of freedom the squared deviations over 0 (inf, or NaN for none)."""
    if divisor:
        return np.var(shifted, axis=dims, ddof=correction, keepdims=keepdim)
    with np.errstate(divide="ignore", invalid="ignore"):
        if shifted.size == 0:
            squares = np.sum(shifted, axis=dims, keepdims=keepdim)
        else:
            deviations = shifted - np.mean(shifted, axis=dims, keepdims=True)
            squares = np.sum(deviations * deviations, axis=dims, keepdims=keepdim)
        return squares / shifted.dtype.type(0)


def _check_float(op: str, a: Tensor) -> None:
    if a.array.dtype.kind != "f":
        raise DtypeError(
            f"{op}: only floating point tensors are supported (as in PyTorch), got {a.dtype}; call .float() first"
        )


def _centered(ctx: Function, a: Tensor) -> Tensor:
    """``a - mean(a)`` over the reduced dims, differentiable in ``a``."""
    shifted = a - _first(a.array, ctx.dims)
    return shifted - shifted.mean(ctx.dims, keepdim=True)


class Var(Function):
    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple, correction: int, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.input_shape, ctx.dims = a.shape, dims
        ctx.divisor = _divisor("var", dims, a.shape, correction)
        return _variance(a.array - _first(a.array, dims), dims, correction, keepdim, ctx.divisor)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        # d var/da_i = 2 (a_i - mean) / (n - correction)  (inf without degrees of freedom, as PyTorch)
        scale = 2.0 / ctx.divisor if ctx.divisor else math.inf
        return _expand_back(grad_output, ctx) * _centered(ctx, a) * scale, None, None, None


class Std(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple, correction: int, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.input_shape, ctx.dims = a.shape, dims
        ctx.divisor = _divisor("std", dims, a.shape, correction)
        shifted = a.array - _first(a.array, dims)
        with np.errstate(over="ignore"):
            out = np.sqrt(_variance(shifted, dims, correction, keepdim, ctx.divisor))
        if ctx.divisor and np.isinf(out).any():  # the squares overflowed (float32 [1e30, -1e30]): scale first
            scale = np.max(np.abs(shifted), axis=dims, keepdims=True)
            scale[(scale == 0) | ~np.isfinite(scale)] = 1
            scaled = np.sqrt(np.var(shifted / scale, axis=dims, ddof=correction, keepdims=True)) * scale
            out = scaled if keepdim else scaled.reshape(out.shape)
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        # d std/da_i = (a_i - mean) / ((n - correction) std); 0 where std is 0 (a constant input), as PyTorch
        std = ctx.output.reshape(_kept_shape(ctx.input_shape, ctx.dims))
        constant = std.array == 0
        slope = _centered(ctx, a) / (where(constant, 1.0, std) * ctx.divisor)
        return _expand_back(grad_output, ctx) * where(constant, 0.0, slope), None, None, None


def var(a: Tensor, dim: Dim = None, correction: int = 1, keepdim: bool = False) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1, PyTorch's default); float tensors only.
    With no degrees of freedom left (``n <= correction``) the result is NaN or inf, with a warning, as PyTorch."""
    _check_float("var", a)
    return Var.apply(a, normalize_dims("var", dim, a), correction, keepdim)


def std(a: Tensor, dim: Dim = None, correction: int = 1, keepdim: bool = False) -> Tensor:
    """Standard deviation over ``dim``; finite where the variance overflows (float32 [1e30, -1e30]).
    Float tensors only; NaN or inf with a warning when ``n <= correction``, as in PyTorch."""
    _check_float("std", a)
    return Std.apply(a, normalize_dims("std", dim, a), correction, keepdim)


class Extreme(Function):
    """max/min over dims (``amax``, ``amin``, ``max()``, ``min()``, ``median()``): ties share the
    gradient evenly and NaN, the result where present, takes it (PyTorch's rule)."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple, keepdim: bool, reducer: Any) -> np.ndarray:
        ctx.input_shape, ctx.dims = a.shape, dims
        out = reducer(a.array, axis=dims, keepdims=True)
        if True in ctx.needs_input_grad:
            winners = a.array == out
            if out.dtype.kind == "f" and np.isnan(out).any():
                winners |= np.isnan(a.array) & np.isnan(out)
            ctx.share = winners / winners.sum(axis=dims, keepdims=True)
        return out if keepdim else out.reshape([size for axis, size in enumerate(out.shape) if axis not in dims])

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return _expand_back(grad_output, ctx) * ctx.share.astype(grad_output.dtype), None, None, None


class Median(Extreme):
    """``median()`` of all elements: the lower middle value; ties share the gradient as in max()."""


class ExtremeAlongDim(Function):
    """max/min along one dim: the gradient goes to the (first) selected index."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, indices: np.ndarray, dim: int, keepdim: bool) -> np.ndarray:
        ctx.input_shape, ctx.dims = a.shape, (dim,)
        ctx.selected = np.arange(a.shape[dim]).reshape([-1 if d == dim else 1 for d in range(a.ndim)]) == indices
        out = np.take_along_axis(a.array, indices, axis=dim)
        return out if keepdim else np.squeeze(out, axis=dim)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return _expand_back(grad_output, ctx) * ctx.selected, None, None, None


def _extreme(op: str, a: Tensor, dim: int | None, keepdim: bool) -> Any:
    if a.array.size == 0:
        raise ShapeError(f"{op}: the tensor is empty (shape {a.shape}); there is no {op}imum")
    reducer, arg = (np.max, np.argmax) if op == "max" else (np.min, np.argmin)
    if dim is None:
        return Extreme.apply(a, normalize_dims(op, None, a), False, reducer)
    dim = normalize_dim(op, dim, a.ndim, a.shape)
    if a.ndim == 0:  # PyTorch: the value itself and index 0
        return _extreme(op, a.reshape(1), 0, keepdim=False)
    indices = np.expand_dims(arg(a.array, axis=dim), dim)  # NumPy's argmax/argmin pick the first NaN
    values = ExtremeAlongDim.apply(a, indices, dim, keepdim)
    result = MaxResult if op == "max" else MinResult
    return result(values, Tensor._make(indices if keepdim else np.squeeze(indices, axis=dim), False, None))


def max(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``max(a)``: the largest element; ``max(a, dim)``: ``(values, indices)`` along ``dim``;
    ``max(a, other)``: the elementwise maximum."""
    if isinstance(dim, Tensor):
        return Maximum.apply(a, dim)
    return _extreme("max", a, dim, keepdim)


def min(a: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    """``min(a)``: the smallest element; ``min(a, dim)``: ``(values, indices)`` along ``dim``;
    ``min(a, other)``: the elementwise minimum."""
    if isinstance(dim, Tensor):
        return Minimum.apply(a, dim)
    return _extreme("min", a, dim, keepdim)


def _extreme_over(op: str, reducer: Any, a: Tensor, dim: Dim, keepdim: bool) -> Tensor:
    dims = normalize_dims(op, dim, a)
    if a.array.size == 0 and (not dims or 0 in [a.shape[d] for d in dims]):
        raise ShapeError(f"{op}: the tensor is empty (shape {a.shape}) over dims {dims}; there is nothing to reduce")
    return Extreme.apply(a, dims, keepdim, reducer)


def amax(a: Tensor, dim: Dim = (), keepdim: bool = False) -> Tensor:
    """The largest values over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _extreme_over("amax", np.max, a, dim, keepdim)


def amin(a: Tensor, dim: Dim = (), keepdim: bool = False) -> Tensor:
    """The smallest values over ``dim`` (all dims by default); ties share the gradient evenly."""
    return _extreme_over("amin", np.min, a, dim, keepdim)


def aminmax(a: Tensor, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim`` (all dims when None), as a named tuple."""
    dims = () if dim is None else dim
    return MinMaxResult(amin(a, dims, keepdim), amax(a, dims, keepdim))


def argmax(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the largest value (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmax", np.argmax, a, dim, keepdim)


def argmin(a: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    """Index of the smallest value (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmin", np.argmin, a, dim, keepdim)


def _arg(op: str, function: Any, a: Tensor, dim: int | None, keepdim: bool) -> Tensor:
    if a.array.dtype.kind == "b":
        raise DtypeError(f"{op}: bool tensors are not supported (as in PyTorch); convert first, e.g. x.long()")
    if dim is None:  # an index into the flattened tensor (shape (1, ..., 1) with keepdim, as in PyTorch)
        if a.array.size == 0:
            raise ShapeError(f"{op}: the tensor is empty (shape {a.shape}); give a dim of nonzero size")
        index = np.asarray(function(a.array), dtype=np.int64)
        return Tensor._make(index.reshape((1,) * a.ndim) if keepdim else index, False, None)
    dim = normalize_dim(op, dim, a.ndim, a.shape)
    if a.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64), False, None)
    if a.shape[dim] == 0:
        raise ShapeError(f"{op}: dim {dim} of the tensor (shape {a.shape}) is empty; there is nothing to pick")
    return Tensor._make(np.asarray(function(a.array, axis=dim, keepdims=keepdim), dtype=np.int64), False, None)


class LogSumExp(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dims: tuple, keepdim: bool) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.input_shape, ctx.dims = a.shape, dims
        if 0 in [a.shape[d] for d in dims]:  # the log of an empty sum, as PyTorch
            out = np.full(_kept_shape(a.shape, dims), -np.inf, dtype=np.result_type(a.dtype, np.float32))
            return out if keepdim else np.squeeze(out, axis=dims)
        peak = np.max(a.array, axis=dims, keepdims=True)
        peak = np.where(np.isfinite(peak), peak, 0)
        with np.errstate(divide="ignore"):  # log(0) = -inf where every element is -inf
            out = np.log(np.sum(np.exp(a.array - peak), axis=dims, keepdims=True)) + peak
        return out if keepdim else np.squeeze(out, axis=dims)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        # d logsumexp(a)/da_i = softmax(a)_i = exp(a_i - logsumexp(a))
        out = ctx.output.reshape(_kept_shape(ctx.input_shape, ctx.dims))
        return _expand_back(grad_output, ctx) * (a - out).exp(), None, None


def logsumexp(a: Tensor, dim: Dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(a), dim))`` computed without overflow."""
    return LogSumExp.apply(a, normalize_dims("logsumexp", dim, a), keepdim)


class Softmax(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int) -> np.ndarray:
        ctx.dim = dim
        shifted = np.exp(a.array - np.max(a.array, axis=dim, keepdims=True))
        return shifted / np.sum(shifted, axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        out = ctx.output
        # d softmax_i/d a_j = s_i (delta_ij - s_j)  =>  s * (g - sum(g * s))
        return out * (grad_output - (grad_output * out).sum(ctx.dim, keepdim=True)), None


class LogSoftmax(Function):
    saves_output = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int) -> np.ndarray:
        ctx.dim = dim
        shifted = a.array - np.max(a.array, axis=dim, keepdims=True)
        return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d log_softmax_i/d a_j = delta_ij - s_j  =>  g - softmax * sum(g)
        return grad_output - ctx.output.exp() * grad_output.sum(ctx.dim, keepdim=True), None


def softmax(a: Tensor, dim: int) -> Tensor:
    """``exp(a) / sum(exp(a), dim)``, shifted by the max so large logits stay finite (float tensors)."""
    return _softmax_like("softmax", Softmax, a, dim)


def log_softmax(a: Tensor, dim: int) -> Tensor:
    """``a - logsumexp(a, dim)``: finite even for logits of 1e4 (float tensors)."""
    return _softmax_like("log_softmax", LogSoftmax, a, dim)


def _softmax_like(op: str, function: type[Function], a: Tensor, dim: int) -> Tensor:
    dim = normalize_dim(op, dim, a.ndim, a.shape)
    if a.array.size == 0:  # nothing to normalise: an empty tensor of the same shape and dtype, as PyTorch
        return Clone.apply(a)
    if a.array.dtype.kind != "f":
        raise DtypeError(f"{op}: needs a float tensor (as in PyTorch), got {a.dtype}; call .float() first")
    return function.apply(a, dim)


def nansum(a: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``sum`` with NaNs counted as zero (they get no gradient)."""
    if a.array.dtype.kind == "f":
        a = a.masked_fill(Tensor._make(np.isnan(a.array), False, None), 0.0)
    return sum(a, dim, keepdim, dtype=dtype)


def nanmean(a: Tensor, dim: Dim = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """``mean`` over the elements that are not NaN (NaN where all are)."""
    if dtype is not None:
        a = a.to(dtype)
    _check_float("nanmean", a)
    present = Tensor._make(~np.isnan(a.array), False, None)
    with np.errstate(invalid="ignore", divide="ignore"):  # an all-NaN slice: 0 / 0, NaN as in PyTorch
        return nansum(a, dim, keepdim) / sum(present, dim, keepdim)


def var_mean(a: Tensor, dim: Dim = None, correction: int = 1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """``(var(a, dim, correction, keepdim), mean(a, dim, keepdim))``."""
    return var(a, dim, correction, keepdim), mean(a, dim, keepdim)


def std_mean(a: Tensor, dim: Dim = None, correction: int = 1, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    """``(std(a, dim, correction, keepdim), mean(a, dim, keepdim))``."""
    return std(a, dim, correction, keepdim), mean(a, dim, keepdim)


def trapezoid(y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """The integral of ``y`` along ``dim`` by the trapezoidal rule, at sample points ``x`` (a 1-D
    tensor, or one shaped like y) or a spacing ``dx`` (1 by default)."""
    dim = normalize_dim("trapezoid", dim, y.ndim, y.shape)
    length = y.shape[dim]
    if length == 0:
        return sum(y, dim)
    middle = y.narrow(dim, 1, length - 1) + y.narrow(dim, 0, length - 1)
    if x is None:
        return sum(middle, dim) * (0.5 * (1.0 if dx is None else float(dx)))
    if dx is not None:
        raise TypeError("trapezoid: give x or dx, not both")
    if x.ndim == 1:
        if x.shape[0] != length:
            raise ShapeError(f"trapezoid: x has {x.shape[0]} points but y has {length} along dim {dim}")
        x = x.reshape((length,) + (1,) * (y.ndim - 1 - dim))
        steps = x.narrow(0, 1, length - 1) - x.narrow(0, 0, length - 1)
    else:
        steps = x.narrow(dim, 1, length - 1) - x.narrow(dim, 0, length - 1)
    return sum(middle * steps, dim) * 0.5



def cov(
    input: Tensor, *, correction: int = 1, fweights: Tensor | None = None, aweights: Tensor | None = None
) -> Tensor:
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns; a 1-D input is one variable): (V, N) -> (V, V). ``fweights`` (integer counts) and
    ``aweights`` (importance) weight the N observations, as ``numpy.cov``."""
    if input.ndim > 2:
        raise ShapeError(f"cov: needs a 1-D or 2-D tensor (variables x observations), got shape {input.shape}")
    x = input.reshape(1, -1) if input.ndim < 2 else input
    x = x if x.dtype.kind == "f" else x.float()
    count = x.shape[1]
    weights = None
    for name, given in (("fweights", fweights), ("aweights", aweights)):
        if given is not None:
            if given.ndim != 1 or given.shape[0] != count:
                raise ShapeError(
                    f"cov: {name} must be 1-D with {count} elements (one per observation), got shape {given.shape}"
                )
            if np.any(given.array < 0):
                raise ValueError(f"cov: {name} must be non-negative")
            if name == "fweights" and given.dtype.kind not in "iu":
                raise DtypeError(f"cov: fweights must be integers, got {given.dtype}")
            given = given.to(x.dtype)
            weights = given if weights is None else weights * given
    if weights is None:
        centred = x - x.mean(1, keepdim=True)
        total = count - correction
        product = centred @ centred.transpose(0, 1)
    else:
        total_weight = weights.sum()
        centred = x - (x * weights).sum(1, keepdim=True) / total_weight
        product = (centred * weights) @ centred.transpose(0, 1)
        if aweights is None:
            total = total_weight - correction
        else:
            total = total_weight - correction * (weights * aweights.to(x.dtype)).sum() / total_weight
    with np.errstate(divide="ignore", invalid="ignore"):  # no degrees of freedom left: inf/NaN, as PyTorch
        result = product / total
    return result.reshape(()) if input.ndim < 2 else result


def corrcoef(input: Tensor) -> Tensor:
    """Pearson's correlation coefficients of the rows' variables: (V, N) -> (V, V), in [-1, 1]."""
    covariance = cov(input)
    if covariance.ndim == 0:
        return covariance / covariance
    from .matrix import diagonal  # ops/matrix.py imports this module

    spread = diagonal(covariance).sqrt()
    return (covariance / spread.reshape(-1, 1) / spread.reshape(1, -1)).clamp(-1, 1)


def sum_to_size(a: Tensor, *size: Any) -> Tensor:
    """``a`` summed down to ``size``, which ``a`` must broadcast from (the reverse of expand)."""
    size = tuple(size[0]) if len(size) == 1 and isinstance(size[0], (tuple, list)) else tuple(size)
    try:
        expanded = np.broadcast_shapes(size, a.shape)
    except ValueError:
        expanded = None
    if expanded != a.shape:
        raise ShapeError(f"sum_to_size: size {size} is not expandable to the tensor's shape {a.shape}")
    lead = a.ndim - len(size)
    dims = tuple(range(lead)) + tuple(lead + d for d, n in enumerate(size) if n == 1 and a.shape[lead + d] != 1)
    return sum(a, dims, keepdim=True).reshape(size) if dims else a
