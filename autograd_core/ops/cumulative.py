"""Running sums and products along a dim (cumsum, cumprod) and the product reduction (prod).

The product gradients never divide by an input that is zero: ``prod`` uses the products
of the elements before and after each one, ``cumprod`` splits each slice at its first zero.
"""
from __future__ import annotations

from collections import namedtuple
from typing import Any

import numpy as np

from ..errors import DimError, DtypeError
from ..function import Function
from ..grad_mode import is_grad_enabled
from ..tensor import Tensor, _check_dtype
from .elementwise import where
from .rearrange import flip, movedim
from .shape import cat, normalize_dim


def _accumulated_dtype(a: Tensor, dtype: Any) -> Any:
    """PyTorch's: the given dtype, else int64 for bool and integer inputs, else the input's."""
    if dtype is not None:
        return _check_dtype(dtype)
    return np.dtype(np.int64) if a.dtype.kind in "biu" else a.dtype


def _dim(op: str, a: Tensor, dim: Any) -> int:
    if dim is None:
        raise DimError(f"{op}: give the dim to accumulate along (e.g. {op}(x, dim=0))")
    return normalize_dim(op, dim, a.ndim, a.shape)


class CumSum(Function):
    exact_dtype = True  # the accumulation dtype chosen by cumsum()

    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, dtype: Any) -> np.ndarray:
        ctx.dim = dim
        return np.cumsum(a.array, axis=dim, dtype=dtype) if a.ndim else a.array.astype(dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        return _reverse_cumsum(grad_output, ctx.dim), None, None  # d out_j / d a_i = 1 for j >= i


def _reverse_cumsum(x: Tensor, dim: int) -> Tensor:
    """``sum_{j >= i} x_j`` along ``dim``."""
    if x.ndim == 0:
        return x
    return flip(CumSum.apply(flip(x, dim), dim, x.dtype), dim)


def cumsum(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``: ``out_i = sum_{j <= i} input_j``."""
    return CumSum.apply(input, _dim("cumsum", input, dim), _accumulated_dtype(input, dtype))


class CumProd(Function):
    saves_output = True
    exact_dtype = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, dtype: Any) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.dim = dim
        return np.cumprod(a.array, axis=dim, dtype=dtype) if a.ndim else a.array.astype(dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        if a.ndim == 0:
            return grad_output, None, None
        return _cumprod_gradient(a, ctx.output, grad_output, ctx.dim), None, None


def _cumprod_gradient(a: Tensor, out: Tensor, grad_output: Tensor, dim: int) -> Tensor:
    """``d/da_i sum_j g_j out_j = sum_{j >= i} g_j prod_{k <= j, k != i} a_k``.

    Without zeros this is ``revcumsum(g * out)_i / a_i``. With zeros, a plain backward splits
    each slice at its first zero z: before it the same formula, after it 0 (every product
    holds that zero), at it ``out_{z-1} * sum_{j >= z} g_j prod_{z < k <= j} a_k``. A recorded
    backward (``create_graph``) needs the products as functions of every a_k, so it forms them
    all (n^2 per slice).
    """
    values = a.array
    zero = values == 0
    if not zero.any():
        return _reverse_cumsum(grad_output * out, dim) / a
    if is_grad_enabled():
        return _cumprod_gradient_by_pairs(a, grad_output, dim)
    positions = np.arange(values.shape[dim]).reshape([-1 if d == dim else 1 for d in range(values.ndim)])
    length = values.shape[dim]
    first_zero = np.where(zero.any(axis=dim, keepdims=True), np.argmax(zero, axis=dim, keepdims=True), length)
    before, at = positions < first_zero, positions == first_zero
    gradient = where(before, _reverse_cumsum(grad_output * out, dim) / where(before, a, 1.0), 0.0)
    if not at.any():
        return gradient
    # at the first zero: the product before it times the running products after it
    product_before = where(before, a, 1.0).prod(dim, keepdim=True)
    after = CumProd.apply(where(before | at, 1.0, a), dim, a.dtype)
    at_zero = product_before * (grad_output * after * (positions >= first_zero)).sum(dim, keepdim=True)
    return gradient + where(at, at_zero, 0.0)


def _cumprod_gradient_by_pairs(a: Tensor, grad_output: Tensor, dim: int) -> Tensor:
    """The gradient as ``sum_j g_j C[i, j]`` with ``C[i, j] = prod_{k <= j, k != i} a_k``, the running
    products of a with a_i replaced by 1 (for j >= i), written with Tensor ops only."""
    values = movedim(a, dim, -1)
    length = values.shape[-1]
    diagonal = np.eye(length, dtype=bool)
    rows = where(diagonal, 1.0, values.unsqueeze(-2).expand(*values.shape[:-1], length, length))
    later = np.triu(np.ones((length, length), dtype=a.dtype))  # j >= i
    gradient = (cumprod(rows, -1) * movedim(grad_output, dim, -1).unsqueeze(-2) * later).sum(-1)
    return movedim(gradient, -1, dim)


def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along ``dim``: ``out_i = prod_{j <= i} input_j``."""
    return CumProd.apply(input, _dim("cumprod", input, dim), _accumulated_dtype(input, dtype))


class Prod(Function):
    exact_dtype = True

    @staticmethod
    def forward(ctx: Function, a: Tensor, dim: int, keepdim: bool, dtype: Any) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.dim, ctx.keepdim = dim, keepdim
        return np.prod(a.array, axis=dim, keepdims=keepdim, dtype=dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        dim = ctx.dim
        if a.ndim == 0:
            return grad_output, None, None, None
        if a.shape[dim] == 0:  # the empty product is 1, a constant
            return a * 0.0, None, None, None
        # d prod/da_i = prod_{k < i} a_k * prod_{k > i} a_k (no division: exact where a_i = 0)
        ones = Tensor._make(np.ones(a.shape[:dim] + (1,) + a.shape[dim + 1 :], dtype=a.dtype), False, None)
        length = a.shape[dim]
        prefix = (slice(None),) * dim
        before = cumprod(cat([ones, a[prefix + (slice(0, length - 1),)]], dim), dim)
        after = flip(cumprod(flip(cat([a[prefix + (slice(1, length),)], ones], dim), dim), dim), dim)
        if not ctx.keepdim:
            grad_output = grad_output.unsqueeze(dim)
        return grad_output * before * after, None, None, None


def prod(input: Tensor, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Tensor:
    """The product over ``dim`` (one dim), or of all elements when ``dim`` is None."""
    dtype = _accumulated_dtype(input, dtype)
    if dim is None:
        flat = input.reshape(-1) if input.ndim else input
        return Prod.apply(flat, 0 if input.ndim else None, False, dtype)
    return Prod.apply(input, normalize_dim("prod", dim, input.ndim, input.shape), keepdim, dtype)


def diff(
    input: Tensor, n: int = 1, dim: int = -1, prepend: Tensor | None = None, append: Tensor | None = None
) -> Tensor:
    """The ``n``-th forward difference along ``dim``: ``out_i = x_{i+1} - x_i`` (n times), after
    joining ``prepend`` and ``append`` (same shape except along ``dim``) to the ends; ``n = 0``
    gives ``input`` itself."""
    if input.ndim == 0:
        raise DimError("diff: needs a tensor of 1 or more dims, got a 0-d tensor")
    if not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"diff: n must be an int >= 0, got {n!r}")
    dim = normalize_dim("diff", dim, input.ndim, input.shape)
    if n == 0:
        return input  # as PyTorch: also without joining prepend and append
    pieces = [t for t in (prepend, input, append) if t is not None]
    x = cat(pieces, dim) if len(pieces) > 1 else input
    for _ in range(int(n)):
        length = x.shape[dim]
        if length == 0:
            break
        x = x.narrow(dim, 1, length - 1) - x.narrow(dim, 0, length - 1)
    return x


CummaxResult = namedtuple("cummax", ["values", "indices"])  # as torch.return_types.cummax
CumminResult = namedtuple("cummin", ["values", "indices"])


def _running_extreme(op: str, input: Tensor, dim: Any, larger: bool) -> tuple[Tensor, Tensor]:
    """The running max (or min) along ``dim`` and where it was reached: the last position of a
    tie, as PyTorch; NaN, once seen, stays the extreme."""
    if input.ndim == 0:
        return input.clone(), Tensor._make(np.zeros((), np.int64), False, None)
    dim = _dim(op, input, dim)
    values = np.moveaxis(input.array, dim, -1)
    indices = np.zeros(values.shape, np.int64)
    best = values[..., 0].copy()
    for position in range(1, values.shape[-1]):
        current = values[..., position]
        better = (current >= best) if larger else (current <= best)
        if values.dtype.kind == "f":
            better = (better & ~np.isnan(best)) | np.isnan(current)
        best = np.where(better, current, best)
        indices[..., position] = np.where(better, position, indices[..., position - 1])
    index = Tensor._make(np.ascontiguousarray(np.moveaxis(indices, -1, dim)), False, None)
    return input.gather(dim, index), index  # gather carries the gradient to the chosen elements


def cummax(input: Tensor, dim: int) -> CummaxResult:
    """The running maximum along ``dim`` and its positions (``.values``, ``.indices``)."""
    return CummaxResult(*_running_extreme("cummax", input, dim, True))


def cummin(input: Tensor, dim: int) -> CumminResult:
    """The running minimum along ``dim`` and its positions (``.values``, ``.indices``)."""
    return CumminResult(*_running_extreme("cummin", input, dim, False))


def logcumsumexp(input: Tensor, dim: int) -> Tensor:
    """``log(cumsum(exp(input), dim))`` without overflow (shifted by the maximum along ``dim``)."""
    if input.dtype.kind != "f":
        raise DtypeError(f"logcumsumexp: needs a float tensor, got {input.dtype}; call .float() first")
    dim = _dim("logcumsumexp", input, dim)
    if input.ndim == 0:
        return input.clone()
    peak = np.max(input.array, axis=dim, keepdims=True) if input.array.size else 0.0
    shift = Tensor._make(np.where(np.isfinite(peak), peak, 0.0).astype(input.array.dtype), False, None)
    with np.errstate(divide="ignore"):
        return cumsum((input - shift).exp(), dim).log() + shift
