"""Pooling ops (NCL / NCHW, PyTorch's names and defaults): max, average, L-p norm and
adaptive average pooling, in 1-d and 2-d.

Output size, per spatial dim (``W`` the input size, ``F`` the kernel, ``P`` the
padding, ``S`` the stride, ``D`` the dilation)::

    W_out = floor((W + 2P - D(F - 1) - 1) / S) + 1        # i.e. (W - F + 2P) / S + 1 for D = 1

with ``ceil`` instead of ``floor`` under ``ceil_mode``, minus one if that last window
would start in the right padding (PyTorch's rule: under ``ceil_mode`` an input smaller
than the kernel still gives one window when the stride lets it start inside). An empty
output raises a ``ShapeError`` naming the sizes; padding over half the kernel and other
bad arguments a ``ValueError``/``TypeError`` (``ops/arguments.py``). Every function takes
a keyword-only ``name``: what its error messages call it (a pooling module passes its own
description).

How the gradients flow:

* max pooling picks one input per window, ``out[o] = x[argmax(o)]`` (``Gather``), so its
  gradient adds each ``grad_out[o]`` at ``argmax(o)`` (``Scatter``). Both are linear in
  what they move, each the other's transpose, so the double backward is again a
  gather/scatter with the same saved indices.
* average pooling is linear too: its backward (``AvgPoolTranspose``) spreads each
  gradient over its window, and the transpose of that is average pooling again.
* ``lp_pool2d`` and the adaptive averages are compositions of differentiable ops.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..kernels import pool as kernels
from ..tensor import Tensor
from ..types import IntOrTuple, Pair
from .arguments import LayerName, int_tuple, lift_to_2d, require_float, require_tensor, window_count
from .elementwise import where


# -- window geometry and its checks (the shared rules: ``ops/arguments.py``) -----------
@dataclass(frozen=True)
class Window:
    """A pooling window in 2-d terms (1-d pooling is 2-d with a height of 1)."""

    spatial: int  # 1 or 2 trailing dims are pooled
    kernel: Pair
    stride: Pair
    padding: Pair
    dilation: Pair
    in_size: Pair
    out_size: Pair

    def planes(self, array: np.ndarray) -> np.ndarray:
        """``array (*, [H,] W)`` as ``(P, H, W)`` planes."""
        return array.reshape((-1,) + self.in_size)

    def output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[: -self.spatial]) + self.out_size[2 - self.spatial :]


def _check_input(op: str, x: Any, spatial: int) -> None:
    require_tensor(op, x)
    names = ("L",) if spatial == 1 else ("H", "W")
    if x.ndim not in (spatial + 1, spatial + 2):
        unbatched, batched = ", ".join(("C",) + names), ", ".join(("N", "C") + names)
        raise ShapeError(
            f"{op}: expected a {spatial + 1}-d ({unbatched}) or {spatial + 2}-d ({batched}) input, "
            f"got shape {tuple(x.shape)}. Add or remove dims with unsqueeze/squeeze/reshape."
        )
    require_float(op, x)


def make_window(
    op: str,
    x: Tensor,
    spatial: int,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None,
    padding: IntOrTuple,
    dilation: IntOrTuple,
    ceil_mode: bool,
) -> Window:
    """Check a pooling configuration against ``x`` and compute its output size.

    Padding may be at most half the (undilated) kernel: PyTorch's max pooling with
    indices (the path its training uses) and its average pooling both require that.
    """
    _check_input(op, x, spatial)
    kernel = int_tuple(op, "kernel_size", kernel_size, spatial, 1)
    no_stride = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    strides = kernel if no_stride else int_tuple(op, "stride", stride, spatial, 1)
    pads = int_tuple(op, "padding", padding, spatial, 0)
    dilations = int_tuple(op, "dilation", dilation, spatial, 1)
    if any(2 * pad > k for pad, k in zip(pads, kernel)):
        raise ValueError(
            f"{op}: padding {pads} is more than half of kernel_size {kernel}; PyTorch rejects it too. "
            "Use padding <= kernel_size // 2."
        )
    in_size = tuple(int(s) for s in x.shape[-spatial:])
    out_size = tuple(
        window_count(size, k, s, p, p, d, ceil_mode)
        for size, k, s, p, d in zip(in_size, kernel, strides, pads, dilations)
    )
    if min(out_size) < 1:
        dilation_text = f", dilation {dilations}" if max(dilations) > 1 else ""
        raise ShapeError(
            f"{op}: input size {in_size} with kernel_size {kernel}, stride {strides}, padding {pads}"
            f"{dilation_text} gives output size {out_size}: W_out = floor((W + 2*padding - dilation*(kernel_size-1)"
            " - 1) / stride) + 1 must be at least 1. Use a smaller kernel, more padding or a larger input."
        )
    return Window(
        spatial,
        lift_to_2d(kernel, 1),
        lift_to_2d(strides, 1),
        lift_to_2d(pads, 0),
        lift_to_2d(dilations, 1),
        lift_to_2d(in_size, 1),
        lift_to_2d(out_size, 1),
    )


# -- max pooling: gather at the argmax, scatter back -----------------------------------
class Gather(Function):
    """``out[p, o] = x[p, indices[p, o]]`` per plane (the trailing ``spatial`` dims of ``x``).

    Max pooling passes the values its kernel already picked as ``values`` (they equal the
    gather) so the forward does no second pass. ``indices`` are flat int64 indices into
    each plane, or, from the 2x2 stride-2 fast path, int8 offsets in each window
    (``kernels.max_pool_2x2``); ``Scatter`` takes either.
    """

    @staticmethod
    def forward(ctx: Function, x: Tensor, indices: np.ndarray, spatial: int, values: Any = None) -> np.ndarray:
        ctx.save_for_backward(indices)
        ctx.input_shape, ctx.spatial = x.shape, spatial
        if values is not None:
            return values
        if indices.dtype == np.int8:  # 2x2 window offsets (``kernels.max_pool_2x2``)
            indices = kernels.offsets_to_indices(indices, x.shape[-1])
        count = int(np.prod(indices.shape[:-spatial]))
        flat_indices = indices.reshape(count, int(np.prod(indices.shape[-spatial:])))
        planes = x.array.reshape(count, int(np.prod(x.shape[-spatial:])))
        picked = np.take_along_axis(planes, np.maximum(flat_indices, 0), axis=1)
        return np.where(flat_indices >= 0, picked, 0).reshape(indices.shape)  # -1: an all-padding window

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (indices,) = ctx.saved_tensors
        # d out[o] / d x[i] = 1 where i = indices[o]: the gradient is added back there
        return Scatter.apply(grad_output, indices, ctx.spatial, ctx.input_shape), None, None, None


class Scatter(Function):
    """``out = zeros(input_shape)``, then ``out[p, indices[p, o]] += values[p, o]``: the
    transpose of ``Gather`` (max pooling's backward)."""

    @staticmethod
    def forward(ctx: Function, values: Tensor, indices: np.ndarray, spatial: int, input_shape: tuple) -> np.ndarray:
        ctx.save_for_backward(indices)
        ctx.spatial = spatial
        if indices.dtype == np.int8:  # 2x2 window offsets: every input written once, no zero-fill
            in_size = tuple(input_shape[-2:])
            out_size = tuple(values.shape[-2:])
            grad = kernels.max_pool_2x2_backward(
                values.array.reshape((-1,) + out_size), indices.reshape((-1,) + out_size), in_size
            )
            return grad.reshape(input_shape)
        plane_size = int(np.prod(input_shape[-spatial:]))
        count = int(np.prod(input_shape[:-spatial]))
        out_plane_size = int(np.prod(values.shape[-spatial:]))
        flat_values, flat_indices = values.array.reshape(count, out_plane_size), indices.reshape(count, out_plane_size)
        out = kernels.scatter_add_planes(flat_values, flat_indices, plane_size)
        return out.reshape(input_shape)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (indices,) = ctx.saved_tensors
        return Gather.apply(grad_output, indices, ctx.spatial), None, None, None


class MaxPool(Gather):
    """Max pooling's forward: a ``Gather`` at the argmax indices, under its own name so a
    drawn graph reads ``MaxPool`` (its backward is ``Gather``'s)."""


def _max_pool(op: str, x: Tensor, spatial: int, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    window = make_window(op, x, spatial, kernel_size, stride, padding, dilation, ceil_mode)
    shape = window.output_shape(x.shape)
    if kernels.is_2x2(window.kernel, window.stride, window.padding, window.dilation) and (
        window.out_size == (window.in_size[0] // 2, window.in_size[1] // 2)  # no ceil_mode extra window
    ):
        # the common case: int8 offsets in each window stand for the indices (8x less memory)
        values, indices = kernels.max_pool_2x2(window.planes(x.array))
    else:
        values, indices = kernels.max_pool(
            window.planes(x.array), window.kernel, window.stride, window.padding, window.dilation, window.out_size
        )
    values, indices = values.reshape(shape), indices.reshape(shape)
    out = MaxPool.apply(x, indices, spatial, values)
    if return_indices:
        if indices.dtype == np.int8:
            indices = kernels.offsets_to_indices(indices, window.in_size[1])
        return out, Tensor._make(indices, False, None)
    return out


def max_pool1d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    *,
    name: str | LayerName | None = None,
) -> Any:
    """Max over each window of ``kernel_size`` along the last dim.

    Shape: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)`` / ``(C, L_out)`` with
    ``L_out = floor((L + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1``
    (``ceil`` under ``ceil_mode``). ``stride`` defaults to ``kernel_size``. With
    ``return_indices`` also returns the int64 position of each maximum in ``L``.
    The gradient goes to the maximum; ties to the first one, as PyTorch on CPU.
    """
    return _max_pool(name or "max_pool1d", input, 1, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
    *,
    name: str | LayerName | None = None,
) -> Any:
    """Max over each ``kernel_size`` window of the last two dims.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)`` with
    ``H_out = floor((H + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1`` (and
    ``W_out`` alike; ``ceil`` under ``ceil_mode``), i.e. ``(W - F + 2P) / S + 1``.
    ``stride`` defaults to ``kernel_size``; padding (at most half the kernel) never
    wins. With ``return_indices`` also returns each maximum's flat index ``h * W + w``.
    The gradient goes to the maximum; ties to the first one in row-major order.
    """
    return _max_pool(name or "max_pool2d", input, 2, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


# -- average pooling: linear, its backward is its transpose ----------------------------
class AvgPool(Function):
    """``out[o] = sum(x over window o) / divisors[o]`` (zeros in the padding)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, window: Window, divisors: np.ndarray) -> np.ndarray:
        ctx.window, ctx.divisors, ctx.input_shape = window, divisors, x.shape
        out = kernels.avg_pool(window.planes(x.array), window.kernel, window.stride, window.padding, divisors)
        return out.reshape(window.output_shape(x.shape))

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d out[o] / d x[i] = 1 / divisors[o] for every i in window o
        return AvgPoolTranspose.apply(grad_output, ctx.window, ctx.divisors, ctx.input_shape), None, None


class AvgPoolTranspose(Function):
    """Spread each ``grad_output[o] / divisors[o]`` over window ``o``: average pooling's
    backward, whose own backward is average pooling."""

    @staticmethod
    def forward(
        ctx: Function, grad_output: Tensor, window: Window, divisors: np.ndarray, input_shape: tuple
    ) -> np.ndarray:
        ctx.window, ctx.divisors = window, divisors
        planes = grad_output.array.reshape((-1,) + window.out_size)
        grad_input = kernels.avg_pool_backward(
            planes, window.kernel, window.stride, window.padding, divisors, window.in_size
        )
        return grad_input.reshape(input_shape)

    @staticmethod
    def backward(ctx: Function, grad_grad_input: Tensor) -> tuple:
        return AvgPool.apply(grad_grad_input, ctx.window, ctx.divisors), None, None, None


def _avg_pool(op, x, spatial, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    window = make_window(op, x, spatial, kernel_size, stride, padding, 1, ceil_mode)
    if divisor_override is not None and (
        isinstance(divisor_override, bool)
        or not isinstance(divisor_override, (int, np.integer))
        or divisor_override == 0
    ):
        raise ValueError(f"{op}: divisor_override must be a non-zero int or None, got {divisor_override!r}")
    divisors = kernels.avg_pool_divisors(
        window.in_size,
        window.kernel,
        window.stride,
        window.padding,
        window.out_size,
        count_include_pad,
        divisor_override,
    )
    return AvgPool.apply(x, window, divisors)


def avg_pool1d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Mean over each window of ``kernel_size`` along the last dim.

    Shape: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, L_out)``,
    ``L_out = floor((L + 2*padding - kernel_size) / stride) + 1``. Padding counts as
    zeros in the mean unless ``count_include_pad`` is False.
    """
    return _avg_pool(name or "avg_pool1d", input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Mean over each ``kernel_size`` window of the last two dims.

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)``,
    ``H_out = floor((H + 2*padding - kernel_size) / stride) + 1`` (``ceil`` under
    ``ceil_mode``). The divisor is the window's size clipped to the padded input, the
    count of real (non-padding) inputs when ``count_include_pad`` is False, or
    ``divisor_override``.
    """
    return _avg_pool(
        name or "avg_pool2d", input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


# -- L-p pooling: a composition --------------------------------------------------------
def _lp_pool(op: str, x: Tensor, spatial: int, norm_type: float, kernel_size, stride, ceil_mode) -> Tensor:
    _check_input(op, x, spatial)
    kernel = int_tuple(op, "kernel_size", kernel_size, spatial, 1)
    if norm_type == float("inf"):
        return _max_pool(op, x.abs(), spatial, kernel, stride, 0, 1, ceil_mode, False)
    if norm_type == float("-inf"):
        return -_max_pool(op, -x.abs(), spatial, kernel, stride, 0, 1, ceil_mode, False)
    if not norm_type:
        raise ValueError(f"{op}: norm_type must be non-zero (it is the p of (sum x^p)^(1/p)), got {norm_type!r}")
    # torch's form: (mean of x^p over the window * window size)^(1/p)
    window_sum = _avg_pool(op, x**norm_type, spatial, kernel, stride, 0, ceil_mode, True, None) * int(np.prod(kernel))
    # the root has an infinite slope at 0: there the output and its gradient are 0, as in PyTorch
    nonzero = window_sum.array != 0
    return where(nonzero, where(nonzero, window_sum, 1.0) ** (1.0 / norm_type), 0.0)


def lp_pool1d(
    input: Tensor,
    norm_type: float,
    kernel_size: int,
    stride: int | None = None,
    ceil_mode: bool = False,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """``(sum over the window of x^p)^(1/p)`` along the last dim; p = inf is max of |x|.

    Shape: ``(N, C, L)`` -> ``(N, C, L_out)``, ``L_out = floor((L - kernel_size) / stride) + 1``.
    """
    return _lp_pool(name or "lp_pool1d", input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(
    input: Tensor,
    norm_type: float,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    ceil_mode: bool = False,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """The L-p norm of each window: ``(sum x^p)^(1/p)`` (p = 1: sum, p = 2: Euclidean
    norm, p = inf: max of ``|x|``), computed as PyTorch does from ``avg_pool2d(x^p)``.

    Shape: ``(N, C, H, W)`` -> ``(N, C, H_out, W_out)``,
    ``H_out = floor((H - kernel_size) / stride) + 1``. Where a window's sum of ``x^p``
    is 0 the output and its gradient are 0 (as in PyTorch).
    """
    return _lp_pool(name or "lp_pool2d", input, 2, norm_type, kernel_size, stride, ceil_mode)


# -- adaptive average pooling: one averaging matrix per dim ----------------------------
def adaptive_windows(in_size: int, out_size: int) -> np.ndarray:
    """``(out_size, in_size)`` matrix averaging ``x[floor(i*L/n) : ceil((i+1)*L/n)]`` into output i."""
    starts = (np.arange(out_size) * in_size) // out_size
    ends = -((-np.arange(1, out_size + 1) * in_size) // out_size)
    columns = np.arange(in_size)
    inside = (columns >= starts[:, None]) & (columns < ends[:, None])
    return inside / (ends - starts)[:, None]


def adaptive_output_sizes(op: Any, output_size: Any, in_size: tuple[int, ...]) -> tuple[int, ...]:
    """An adaptive pool's ``output_size`` (an int, or one int or None per spatial dim, None
    keeping the input's size) as a tuple of ints, or the error that names the op and sizes."""
    spatial = len(in_size)
    sizes = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * spatial
    expected = f"an int or a tuple of {spatial} ints or None, got {output_size!r}"
    if any(s is not None and (isinstance(s, bool) or not isinstance(s, (int, np.integer))) for s in sizes):
        raise TypeError(f"{op}: output_size must be {expected}")
    if len(sizes) != spatial:
        raise ValueError(f"{op}: output_size must be {expected}")
    sizes = tuple(size if s is None else int(s) for s, size in zip(sizes, in_size))
    if min(sizes) < 1 or min(in_size) < 1:
        raise ShapeError(f"{op}: input size {in_size} and output_size {sizes} must both be at least 1 in every dim.")
    return sizes


def _adaptive_avg_pool(op: str, x: Tensor, spatial: int, output_size: Any) -> Tensor:
    _check_input(op, x, spatial)
    in_size = tuple(x.shape[-spatial:])
    sizes = adaptive_output_sizes(op, output_size, in_size)
    if all(n % s == 0 for n, s in zip(in_size, sizes)):  # equal windows side by side (global pooling too)
        # x as (..., out_1, window_1, out_2, window_2): the mean over the window dims (2x faster than the
        # two averaging products for the CIFAR convnet's global pool, forward and backward)
        split = x.shape[:-spatial] + tuple(d for n, s in zip(in_size, sizes) for d in (s, n // s))
        windows = tuple(x.ndim - spatial + 2 * i + 1 for i in range(spatial))
        return x.reshape(split).mean(windows)
    # out = A_h @ x @ A_w^T: a window mean is separable into one mean per dim
    averaging = [Tensor(adaptive_windows(n, s), dtype=x.dtype) for n, s in zip(in_size, sizes)]
    out = x @ averaging[-1].T
    if spatial == 2:
        out = averaging[0] @ out
    return out


def adaptive_avg_pool1d(input: Tensor, output_size: int, *, name: str | LayerName | None = None) -> Tensor:
    """Mean pooling to a fixed length: output i averages ``x[floor(i*L/n) : ceil((i+1)*L/n)]``.

    Shape: ``(N, C, L)`` or ``(C, L)`` -> ``(N, C, output_size)``.
    """
    return _adaptive_avg_pool(name or "adaptive_avg_pool1d", input, 1, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any, *, name: str | LayerName | None = None) -> Tensor:
    """Mean pooling to a fixed ``(H_out, W_out)`` (an int for both; ``None`` keeps that dim).

    Shape: ``(N, C, H, W)`` or ``(C, H, W)`` -> ``(N, C, H_out, W_out)``; output ``(i, j)``
    averages rows ``floor(i*H/H_out) : ceil((i+1)*H/H_out)`` and the same for columns.
    ``output_size=1`` is global average pooling.
    """
    return _adaptive_avg_pool(name or "adaptive_avg_pool2d", input, 2, output_size)


__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "lp_pool1d",
    "lp_pool2d",
    "max_pool1d",
    "max_pool2d",
]
