"""``Normalize``: the one fused node behind BatchNorm, LayerNorm, GroupNorm and RMSNorm.

    y = (x - mean) * inv_std * weight + bias,   inv_std = 1 / sqrt(var + eps)

with ``mean``/``var`` x's own statistics over some axes. A layer says *which* axes, and
how its affine parameters line up with ``x``, in a ``NormLayout``; for example, with x of
shape (N, C, H, W):

    BatchNorm:  statistics over (0, 2, 3), weight (C,) viewed as (1, C, 1, 1)
    LayerNorm:  statistics over the trailing normalized dims, weight of their shape
    GroupNorm:  x viewed as (N, G, C/G, H, W), statistics over (2, 3, 4), weight (C,) as (1, G, C/G, 1, 1)
    RMSNorm:    ``centered=False``: no mean; var is the mean square

The backward is the closed form; a plain backward computes on the forward's statistics
(NumPy), while under ``create_graph`` it rebuilds them from x with Tensor ops, so second
derivatives work. LayerNorm and RMSNorm (statistics over the trailing dims, weight and bias
of their shape, float32 or float64) run their forward and plain backward as Numba kernels
over the rows of x viewed as (M, D) (``autograd_core/kernels/layer_norm.py``); BatchNorm in
training over a C-contiguous (N, C, *spatial) input runs them over its channels, x viewed as
(N, C, S) (``normalize_channels``, ``autograd_core/kernels/batch_norm.py``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.errors import ShapeError
from autograd_core.kernels import batch_norm as channel_kernels
from autograd_core.kernels import layer_norm as row_kernels
from autograd_core.ops.arguments import require_same_dtype

Axes = tuple[int, ...]


@dataclass(frozen=True)
class NormLayout:
    """Where a normalisation takes its statistics and how its parameters broadcast.

    Attributes:
        axes: the axes of x the statistics are taken over.
        param_view: the shape weight and bias are viewed as to broadcast against x.
        param_axes: the axes their gradients are summed over (the others are theirs).
        eps: added to the variance.
        centered: subtract the mean (False: divide by the root mean square, as RMSNorm).
    """

    axes: Axes
    param_view: tuple[int, ...]
    param_axes: Axes
    eps: float
    centered: bool = True


def statistics(x: np.ndarray, layout: NormLayout) -> tuple[Any, np.ndarray]:
    """``(mean, var)`` of x over the layout's axes (kept as size 1); the biased variance, or
    for an uncentred layout ``(None, mean of x^2)``."""
    if not layout.centered:
        return None, np.mean(x * x, axis=layout.axes, keepdims=True)
    mean = x.mean(axis=layout.axes, keepdims=True)
    squares = np.subtract(x, mean)
    squares *= squares  # in place: one full-size array, not two
    return mean, np.mean(squares, axis=layout.axes, keepdims=True)


class Normalize(Function):
    """``(x - mean) * inv_std * weight + bias`` with the statistics of ``layout`` (see the module docstring).

    ``mean``/``var`` come in precomputed (``statistics``; BatchNorm also needs them for its
    running stats); ``weight``/``bias`` may be None.
    """

    @staticmethod
    def forward(
        ctx: Function, x: Tensor, weight: Any, bias: Any, *, mean: Any, var: Any, layout: NormLayout,
        computed: Any = None,
    ) -> np.ndarray:
        ctx.channels = computed is not None
        if ctx.channels:  # by channels: ``normalize_channels``'s kernel computed (output, inv_std) with ``mean``
            out, inv_std = computed
            ctx.save_for_backward(x, weight)
            ctx.mean, ctx.inv_std = mean.reshape(layout.param_view), inv_std.reshape(layout.param_view)
            ctx.layout, ctx.rows, ctx.bias_shape = layout, None, None if bias is None else bias.shape
            return out
        if var is None:  # by rows (``normalize_with`` checked the layout): the kernels take their own statistics
            return _forward_rows(ctx, x, weight, bias, layout)
        inv_std = 1.0 / np.sqrt(var + layout.eps)
        ctx.save_for_backward(x, weight)
        ctx.mean, ctx.inv_std, ctx.layout, ctx.rows = mean, inv_std, layout, None
        ctx.bias_shape = None if bias is None else bias.shape
        scale = inv_std if weight is None else inv_std * weight.array.reshape(layout.param_view)
        if layout.centered:
            out = np.subtract(x.array, mean)
            out *= scale
        else:
            out = x.array * scale
        if bias is not None:
            out += bias.array.reshape(layout.param_view)
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        layout = ctx.layout
        axes = layout.axes
        if ag.is_grad_enabled():
            # create_graph: rebuild the statistics from x with graph ops, so this gradient
            # is itself differentiable with respect to x
            centered = x - x.mean(axes, keepdim=True) if layout.centered else x
            inv_std = ((centered * centered).mean(axes, keepdim=True) + layout.eps) ** -0.5
            normalized = centered * inv_std
        elif ctx.rows is not None:
            return _backward_rows(ctx, grad_output.array, weight, x.shape)
        elif ctx.channels:
            return _backward_channels(ctx, grad_output.array, weight, x.array)
        elif layout.param_axes == axes and layout.centered:
            return _per_channel_backward_arrays(ctx, grad_output.array, weight, x.array)
        else:
            return _backward_arrays(ctx, grad_output.array, weight, x.array)
        if layout.param_axes == axes and layout.centered:
            return _per_channel_backward(ctx, grad_output, weight, normalized, inv_std)
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        grad_x = grad_weight = grad_bias = None
        if need_x:
            # x_hat = (x - mean) inv_std; with g = dL/dx_hat and means over the normalised axes:
            # dL/dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat))   (uncentred: without mean(g))
            grad_normalized = grad_output if weight is None else grad_output * weight.reshape(layout.param_view)
            projection = normalized * (grad_normalized * normalized).mean(axes, keepdim=True)
            if layout.centered:
                grad_x = inv_std * (grad_normalized - grad_normalized.mean(axes, keepdim=True) - projection)
            else:
                grad_x = inv_std * (grad_normalized - projection)
        if need_weight:  # dL/dweight = sum of grad * x_hat over the other axes
            grad_weight = _sum_to(grad_output * normalized, layout.param_axes).reshape(weight.shape)
        if need_bias:  # dL/dbias = sum of grad over the other axes
            grad_bias = _sum_to(grad_output, layout.param_axes).reshape(ctx.bias_shape)
        return grad_x, grad_weight, grad_bias


def _per_channel_backward(
    ctx: Function, grad_output: Tensor, weight: Any, normalized: Tensor, inv_std: Tensor
) -> tuple:
    """BatchNorm's case of ``Normalize.backward``: the weight is constant over the normalised
    axes, so in its formula mean(g) = w mean(grad) and mean(g x_hat) = w mean(grad x_hat), whose
    sums are the bias and weight gradients: two reductions instead of four (about 1.3x faster)."""
    axes = ctx.layout.axes
    sum_grad = grad_output.sum(axes, keepdim=True)  # dL/dbias
    sum_grad_normalized = (grad_output * normalized).sum(axes, keepdim=True)  # dL/dweight
    count = normalized.numel() // sum_grad.numel()
    grad_x = None
    if ctx.needs_input_grad[0]:
        scale = inv_std if weight is None else inv_std * weight.reshape(ctx.layout.param_view)
        grad_x = scale * (grad_output - (sum_grad + normalized * sum_grad_normalized) / count)
    grad_weight = sum_grad_normalized.reshape(weight.shape) if ctx.needs_input_grad[1] else None
    grad_bias = sum_grad.reshape(ctx.bias_shape) if ctx.needs_input_grad[2] else None
    return grad_x, grad_weight, grad_bias


def _per_channel_backward_arrays(ctx: Function, grad: np.ndarray, weight: Any, x: np.ndarray) -> tuple:
    """``_per_channel_backward`` of a plain backward, on arrays: the same formula rearranged,
    ``dx = scale g - (scale sum(g) + scale x_hat sum(g x_hat)) / count``, in two full-size arrays
    written in place instead of eight fresh ones (the three BatchNorm2d layers of the CIFAR
    convnet, backward: fewer passes over memory and no page-faulting temporaries)."""
    layout = ctx.layout
    axes = layout.axes
    normalized = np.subtract(x, ctx.mean)
    normalized *= ctx.inv_std
    sum_grad = grad.sum(axes, keepdims=True)  # dL/dbias
    work = np.multiply(grad, normalized)
    sum_grad_normalized = work.sum(axes, keepdims=True)  # dL/dweight
    need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
    grad_x = None
    if need_x:
        count = normalized.size // sum_grad.size
        scale = ctx.inv_std if weight is None else ctx.inv_std * weight.array.reshape(layout.param_view)
        grad_x = np.multiply(grad, scale, out=work)
        normalized *= scale * sum_grad_normalized / count
        grad_x -= normalized
        grad_x -= scale * sum_grad / count
        grad_x = Tensor._make(grad_x, False, None)
    grad_weight = Tensor._make(sum_grad_normalized.reshape(weight.shape), False, None) if need_weight else None
    grad_bias = Tensor._make(sum_grad.reshape(ctx.bias_shape), False, None) if need_bias else None
    return grad_x, grad_weight, grad_bias


def _backward_arrays(ctx: Function, grad: np.ndarray, weight: Any, x: np.ndarray) -> tuple:
    """``Normalize.backward``'s general formula for a plain backward (LayerNorm, GroupNorm,
    RMSNorm), on arrays written in place: three full-size arrays at most instead of a dozen
    fresh Tensors (LayerNorm's backward in the GPT benchmark: about 3x PyTorch's time before)."""
    layout = ctx.layout
    axes = layout.axes
    normalized = np.subtract(x, ctx.mean) if layout.centered else np.array(x, copy=True)
    normalized *= ctx.inv_std
    need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
    grad_x = grad_weight = grad_bias = None
    if need_weight:  # dL/dweight = sum of grad * x_hat over the other axes
        product = np.multiply(grad, normalized)
        grad_weight = Tensor._make(_sum_array(product, layout.param_axes).reshape(weight.shape), False, None)
        del product
    if need_bias:  # dL/dbias = sum of grad over the other axes
        grad_bias = Tensor._make(_sum_array(grad, layout.param_axes).reshape(ctx.bias_shape), False, None)
    if need_x:
        # dL/dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat)), g = dL/dx_hat (uncentred: without mean(g))
        work = np.multiply(grad, weight.array.reshape(layout.param_view)) if weight is not None else np.array(grad)
        weighted = np.multiply(work, normalized)
        mean_projection = weighted.mean(axes, keepdims=True)
        del weighted
        if layout.centered:
            work -= work.mean(axes, keepdims=True)
        normalized *= mean_projection
        work -= normalized
        work *= ctx.inv_std
        grad_x = Tensor._make(work, False, None)
    return grad_x, grad_weight, grad_bias


def _forward_rows(ctx: Function, x: Tensor, weight: Any, bias: Any, layout: NormLayout) -> np.ndarray:
    """``Normalize.forward`` by rows: x as (M, D), D the size of the trailing normalised dims;
    the kernel computes each row's mean, inverse std (kept for the backward) and output."""
    array = x.array
    dtype = array.dtype.type
    size = math.prod(array.shape[array.ndim - len(layout.axes):])
    rows = np.ascontiguousarray(array).reshape(-1, size)
    out = np.empty_like(rows)
    mean, inv_std = np.empty(rows.shape[0], dtype), np.empty(rows.shape[0], dtype)
    row_kernels.layer_norm_forward(
        rows, _flat(weight, dtype), _flat(bias, dtype), out, mean, inv_std, dtype(layout.eps), dtype(size),
        layout.centered, weight is not None, bias is not None,
    )
    ctx.save_for_backward(x, weight)
    ctx.mean, ctx.inv_std, ctx.layout, ctx.rows = mean, inv_std, layout, rows
    ctx.bias_shape = None if bias is None else bias.shape
    return out.reshape(array.shape)


def _backward_rows(ctx: Function, grad: np.ndarray, weight: Any, shape: tuple) -> tuple:
    """``Normalize.backward`` of a plain backward by rows (``_forward_rows``): one kernel call
    writes dL/dx and sums dL/dweight and dL/dbias over the rows."""
    rows = ctx.rows
    dtype = rows.dtype.type
    size = rows.shape[1]
    grad = np.ascontiguousarray(grad, dtype=rows.dtype).reshape(rows.shape)
    grad_x = np.empty_like(rows)
    grad_weight, grad_bias = np.zeros(size, dtype), np.zeros(size, dtype)
    row_kernels.layer_norm_backward(
        rows, grad, _flat(weight, dtype), ctx.mean, ctx.inv_std, grad_x, grad_weight, grad_bias, dtype(size),
        ctx.layout.centered, weight is not None,
    )
    need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
    return (
        Tensor._make(grad_x.reshape(shape), False, None) if need_x else None,
        Tensor._make(grad_weight.reshape(weight.shape), False, None) if need_weight else None,
        Tensor._make(grad_bias.reshape(ctx.bias_shape), False, None) if need_bias else None,
    )


def normalize_channels(x: Tensor, weight: Any, bias: Any, layout: NormLayout) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """BatchNorm's training forward by channels (``by_channels`` holds): ``(output, mean, var)``,
    the batch's per-channel mean and biased variance (C,) for the running statistics."""
    array = x.array
    dtype = array.dtype.type
    channels = array.shape[1]
    x3 = array.reshape(array.shape[0], channels, -1)
    out = np.empty_like(x3)
    mean, var, inv_std = np.empty(channels, dtype), np.empty(channels, dtype), np.empty(channels, dtype)
    channel_kernels.batch_norm_forward(
        x3, _flat(weight, dtype), _flat(bias, dtype), out, mean, var, inv_std, dtype(layout.eps),
        dtype(x3.shape[0] * x3.shape[2]), weight is not None, bias is not None,
    )
    output = Normalize.apply(
        x, weight, bias, mean=mean, var=None, layout=layout, computed=(out.reshape(array.shape), inv_std)
    )
    return output, mean, var


def by_channels(x: Tensor, weight: Any, bias: Any) -> bool:
    """Whether BatchNorm's training forward can run by channels (``normalize_channels``): x a
    C-contiguous float32 or float64 (N, C, *spatial) with a spatial dim, weight and bias (if any) of its dtype."""
    array = x.array
    dtype = array.dtype
    if dtype != np.float32 and dtype != np.float64 or array.ndim < 3 or not array.flags.c_contiguous:
        return False
    return all(p is None or p.array.dtype == dtype for p in (weight, bias))


def _backward_channels(ctx: Function, grad: np.ndarray, weight: Any, x: np.ndarray) -> tuple:
    """``Normalize.backward`` of a plain backward by channels (``normalize_channels``): one kernel
    call writes dL/dx and the per-channel sums dL/dweight and dL/dbias."""
    dtype = x.dtype.type
    x3 = x.reshape(x.shape[0], x.shape[1], -1)
    grad = np.ascontiguousarray(grad, dtype=x.dtype).reshape(x3.shape)
    need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
    grad_x = np.empty_like(x3) if need_x else np.empty((0, 0, 0), x.dtype)
    grad_weight, grad_bias = np.empty(x3.shape[1], dtype), np.empty(x3.shape[1], dtype)
    channel_kernels.batch_norm_backward(
        x3, grad, _flat(weight, dtype), ctx.mean.reshape(-1), ctx.inv_std.reshape(-1), grad_x, grad_weight, grad_bias,
        dtype(x3.shape[0] * x3.shape[2]), weight is not None, need_x,
    )
    return (
        Tensor._make(grad_x.reshape(x.shape), False, None) if need_x else None,
        Tensor._make(grad_weight.reshape(weight.shape), False, None) if need_weight else None,
        Tensor._make(grad_bias.reshape(ctx.bias_shape), False, None) if need_bias else None,
    )


_NO_PARAMETER = {np.float32: np.empty(0, np.float32), np.float64: np.empty(0, np.float64)}


def _flat(parameter: Any, dtype: type) -> np.ndarray:
    """A weight or bias as the kernels' contiguous (D,) array; an empty one for None (not read)."""
    if parameter is None:
        return _NO_PARAMETER[dtype]
    return np.ascontiguousarray(parameter.array).reshape(-1)


def _by_rows(x: Tensor, weight: Any, bias: Any, layout: NormLayout) -> bool:
    """Whether ``Normalize`` can run by rows: statistics over x's trailing dims, weight and
    bias (if any) of their shape and of x's dtype, float32 or float64."""
    dtype = x.array.dtype
    if dtype != np.float32 and dtype != np.float64 or x.ndim == 0:
        return False
    ndim, count = x.ndim, len(layout.axes)
    if layout.axes != tuple(range(ndim - count, ndim)) or layout.param_axes != tuple(range(ndim - count)):
        return False
    if tuple(layout.param_view) != tuple(x.shape[ndim - count:]):
        return False
    return all(p is None or p.array.dtype == dtype for p in (weight, bias))


def _sum_array(array: np.ndarray, axes: Axes) -> np.ndarray:
    return array.sum(axes) if axes else array


def _sum_to(tensor: Tensor, axes: Axes) -> Tensor:
    return tensor.sum(axes) if axes else tensor


def normalize_with(input: Tensor, weight: Any, bias: Any, layout: NormLayout) -> Tensor:
    """``Normalize`` of ``input`` with its own statistics over the layout's axes."""
    if _by_rows(input, weight, bias, layout):
        return Normalize.apply(input, weight, bias, mean=None, var=None, layout=layout)
    mean, var = statistics(input.array, layout)
    return Normalize.apply(input, weight, bias, mean=mean, var=var, layout=layout)


def as_affine(value: Any, name: str, label: str, size: tuple, input: Tensor | None = None) -> Any:
    """A weight or bias: None, a Tensor of shape ``size`` (and of ``input``'s dtype, as PyTorch
    requires), or an array-like made a constant Tensor."""
    if value is None or isinstance(value, Tensor):
        if value is not None and value.shape != size:
            raise ShapeError(f"{name}: {label} must have shape {size}, got {value.shape}")
        if value is not None and input is not None:
            require_same_dtype(name, input, value, reference_what=label)
        return value
    array = np.asarray(value)
    if array.shape != size:
        raise ShapeError(f"{name}: {label} must have shape {size}, got {array.shape}")
    return Tensor._make(array, False, None)
