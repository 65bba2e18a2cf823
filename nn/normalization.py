"""Normalisation layers: ``BatchNorm1d``, ``BatchNorm2d`` and ``LayerNorm``.

Both normalise with the batch's (or sample's) own statistics through one fused node,
``Normalize``: ``y = (x - mean) / sqrt(var + eps) * weight + bias``, whose backward is the
closed form, written with Tensor ops so second derivatives work.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.errors import DtypeError, ShapeError

from .module import Module, Parameter

Axes = tuple[int, ...]


class Normalize(Function):
    """``(x - mean) * inv_std * weight + bias`` where mean/var are x's statistics over ``axes``.

    ``mean``/``var`` (biased) come in precomputed (the caller needs them for running
    stats) with size-1 ``axes``; ``weight``/``bias`` are viewed as ``param_view`` to
    broadcast, and reduced over ``param_axes`` in backward.
    """

    @staticmethod
    def forward(
        ctx: Function, x: Tensor, weight: Any, bias: Any, mean: np.ndarray, var: np.ndarray,
        axes: Axes, param_view: tuple, param_axes: Axes, eps: float,
    ) -> np.ndarray:
        inv_std = 1.0 / np.sqrt(var + eps)
        ctx.save_for_backward(x, weight)
        ctx.mean, ctx.inv_std, ctx.axes, ctx.eps = mean, inv_std, axes, eps
        ctx.param_view, ctx.param_axes = param_view, param_axes
        ctx.bias_shape = None if bias is None else bias.shape
        scale = inv_std if weight is None else inv_std * weight.array.reshape(param_view)
        out = (x.array - mean) * scale
        if bias is not None:
            out += bias.array.reshape(param_view)
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        axes = ctx.axes
        if ag.is_grad_enabled():
            # create_graph: rebuild the statistics from x with graph ops, so this gradient
            # is itself differentiable with respect to x
            centered = x - x.mean(axes, keepdim=True)
            inv_std = ((centered * centered).mean(axes, keepdim=True) + ctx.eps) ** -0.5
            normalized = centered * inv_std
        else:
            inv_std = Tensor._make(ctx.inv_std, False, None)
            normalized = Tensor._make((x.array - ctx.mean) * ctx.inv_std, False, None)
        if ctx.param_axes == axes:
            return _per_channel_backward(ctx, grad_output, weight, normalized, inv_std) + (None,) * 6
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        grad_x = grad_weight = grad_bias = None
        if need_x:
            # x_hat = (x - mean) inv_std; with g = dL/dx_hat:
            # dL/dx = inv_std * (g - mean(g) - x_hat * mean(g * x_hat))   (means over the normalised axes)
            grad_normalized = grad_output if weight is None else grad_output * weight.reshape(ctx.param_view)
            grad_x = inv_std * (
                grad_normalized
                - grad_normalized.mean(axes, keepdim=True)
                - normalized * (grad_normalized * normalized).mean(axes, keepdim=True)
            )
        if need_weight:  # dL/dweight = sum of grad * x_hat over the other axes
            grad_weight = _sum_to(grad_output * normalized, ctx.param_axes).reshape(weight.shape)
        if need_bias:  # dL/dbias = sum of grad over the other axes
            grad_bias = _sum_to(grad_output, ctx.param_axes).reshape(ctx.bias_shape)
        return grad_x, grad_weight, grad_bias, None, None, None, None, None, None


def _per_channel_backward(ctx: Function, grad_output: Tensor, weight: Any, normalized: Tensor, inv_std: Tensor) -> tuple:
    """BatchNorm's case of ``Normalize.backward``: the weight is constant over the normalised
    axes, so in its formula mean(g) = w mean(grad) and mean(g x_hat) = w mean(grad x_hat), whose
    sums are the bias and weight gradients: two reductions instead of four (about 1.3x faster)."""
    axes = ctx.axes
    sum_grad = grad_output.sum(axes, keepdim=True)  # dL/dbias
    sum_grad_normalized = (grad_output * normalized).sum(axes, keepdim=True)  # dL/dweight
    count = normalized.numel() // sum_grad.numel()
    grad_x = None
    if ctx.needs_input_grad[0]:
        scale = inv_std if weight is None else inv_std * weight.reshape(ctx.param_view)
        grad_x = scale * (grad_output - (sum_grad + normalized * sum_grad_normalized) / count)
    grad_weight = sum_grad_normalized.reshape(weight.shape) if ctx.needs_input_grad[1] else None
    grad_bias = sum_grad.reshape(ctx.bias_shape) if ctx.needs_input_grad[2] else None
    return grad_x, grad_weight, grad_bias


def _sum_to(tensor: Tensor, axes: Axes) -> Tensor:
    return tensor.sum(axes) if axes else tensor


def _as_param(value: Any, name: str, label: str, size: tuple) -> Any:
    if value is None or isinstance(value, Tensor):
        if value is not None and value.shape != size:
            raise ShapeError(f"{name}: {label} must have shape {size}, got {value.shape}")
        return value
    array = np.asarray(value)
    if array.shape != size:
        raise ShapeError(f"{name}: {label} must have shape {size}, got {array.shape}")
    return Tensor._make(array, False, None)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalisation over dim 1 (channels) of (N, C) or (N, C, *) input, as ``torch.nn.functional.batch_norm``.

    training: normalise with the batch's mean and biased variance, and (when given) update
    ``running_mean``/``running_var`` in place: ``running = (1 - momentum) running + momentum
    batch_stat``, with the unbiased variance. Otherwise normalise with the running stats.
    """
    if input.ndim < 2:
        raise ShapeError(f"batch_norm: expected input (N, C) or (N, C, *), got shape {tuple(input.shape)}")
    if input.dtype.kind != "f":
        raise DtypeError(f"batch_norm: needs a float input, got {input.dtype}; call .float() first")
    channels = input.shape[1]
    weight = _as_param(weight, "batch_norm", "weight", (channels,))
    bias = _as_param(bias, "batch_norm", "bias", (channels,))
    for label, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None and stat.shape != (channels,):
            raise ShapeError(
                f"batch_norm: {label} has shape {stat.shape} but the input {tuple(input.shape)} has {channels} channels (dim 1)"
            )
    view = (1, channels) + (1,) * (input.ndim - 2)
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(
                f"batch_norm: expected more than 1 value per channel when training, got input of shape "
                f"{tuple(input.shape)}; use a batch of 2 or more (or call .eval())."
            )
        x = input.array
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        var = np.mean(centered * centered, axis=axes, keepdims=True)
        if running_mean is not None:
            _blend(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            _blend(running_var, var.reshape(channels) * (count / (count - 1)), momentum)
        return Normalize.apply(input, weight, bias, mean, var, axes, view, axes, eps)
    if running_mean is None or running_var is None:
        raise ValueError("batch_norm: evaluation (training=False) needs running_mean and running_var")
    # y = x * scale + shift with scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale
    inv_std = (1.0 / np.sqrt(running_var.array + eps)).astype(input.dtype)
    scale = Tensor._make(inv_std, False, None) if weight is None else weight * inv_std
    shift = -running_mean.array.astype(input.dtype) * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(view) + shift.reshape(view)


def _blend(running: Tensor, batch_value: np.ndarray, momentum: float) -> None:
    """running = (1 - momentum) running + momentum batch_value, in place (a buffer, outside the graph)."""
    running.array *= 1.0 - momentum
    running.array += momentum * batch_value
    running._version.value += 1


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d; subclasses name the accepted input ranks."""

    _ranks: tuple[int, ...] = ()
    _layout: str = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or num_features <= 0:
            raise ValueError(f"{type(self).__name__}: num_features must be a positive int, got {num_features!r}")
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"{type(self).__name__}: momentum must be in [0, 1] or None, got {momentum}")
        self.num_features, self.eps, self.momentum = int(num_features), eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = Parameter(ag.ones(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(ag.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", ag.zeros(num_features, dtype=dtype))
            self.register_buffer("running_var", ag.ones(num_features, dtype=dtype))
            self.register_buffer("num_batches_tracked", ag.tensor(0, dtype=ag.int64))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            self.running_mean.array[...] = 0
            self.running_var.array[...] = 1
            self.num_batches_tracked.array[...] = 0

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.weight is not None:
            self.weight.array[...] = 1
        if self.bias is not None:
            self.bias.array[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        if input.ndim not in self._ranks or input.shape[1] != self.num_features:
            raise ShapeError(
                f"{type(self).__name__}({self.num_features}): expected input of shape "
                f"{self._layout.format(C=self.num_features)}, got {tuple(input.shape)}"
                + (
                    f" ({input.ndim}-D)" if input.ndim not in self._ranks
                    else f" with {input.shape[1]} channels in dim 1"
                )
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.array += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.array)
        use_batch_stats = self.training or self.running_mean is None
        keep_stats = not self.training or self.track_running_stats
        return batch_norm(
            input,
            self.running_mean if keep_stats else None,
            self.running_var if keep_stats else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of features (N, C) or channels of sequences (N, C, L).

    Training: ``y = (x - mean_B) / sqrt(var_B + eps) * weight + bias`` with the batch's
    statistics per channel (over N, and L); running_mean/running_var track them with
    ``momentum`` (None: cumulative average), the variance unbiased as in PyTorch.
    Eval: the running statistics are used instead.

    Args:
        num_features: C.
        eps: added to the variance (default 1e-5).
        momentum: weight of the newest batch in the running stats (default 0.1), or None.
        affine: learn ``weight`` (ones) and ``bias`` (zeros) of shape (C,) (default True).
        track_running_stats: keep running stats; if False, eval also uses batch stats.
        bias: keyword-only; with affine, False learns ``weight`` only (default True).

    Shape: input (N, C) or (N, C, L) -> output of the same shape.
    """

    _ranks = (2, 3)
    _layout = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of image channels: statistics per channel over (N, H, W).

    Arguments and running statistics as ``BatchNorm1d``.

    Shape: input (N, C, H, W) -> output (N, C, H, W).
    """

    _ranks = (4,)
    _layout = "(N, {C}, H, W)"


def layer_norm(
    input: Tensor, normalized_shape: Sequence[int], weight: Any = None, bias: Any = None, eps: float = 1e-5
) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dims, as ``torch.nn.functional.layer_norm``.

    Shape: input (*, *normalized_shape) -> the same; weight/bias: normalized_shape.
    """
    normalized_shape = _shape_tuple(normalized_shape)
    trailing = tuple(input.shape[input.ndim - len(normalized_shape):]) if input.ndim >= len(normalized_shape) else None
    if trailing != normalized_shape:
        raise ShapeError(
            f"layer_norm: expected input of shape (*, {', '.join(map(str, normalized_shape))}) to normalise over "
            f"its last {len(normalized_shape)} dim(s), got {tuple(input.shape)}"
        )
    if input.dtype.kind != "f":
        raise DtypeError(f"layer_norm: needs a float input, got {input.dtype}; call .float() first")
    weight = _as_param(weight, "layer_norm", "weight", normalized_shape)
    bias = _as_param(bias, "layer_norm", "bias", normalized_shape)
    leading = input.ndim - len(normalized_shape)
    axes = tuple(range(leading, input.ndim))
    x = input.array
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    return Normalize.apply(input, weight, bias, mean, var, axes, normalized_shape, tuple(range(leading)), eps)


def _shape_tuple(shape: Any) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not shape or any(not isinstance(size, (int, np.integer)) or size <= 0 for size in shape):
        raise ValueError(f"LayerNorm: normalized_shape must be a positive int or a non-empty tuple of them, got {shape}")
    return tuple(int(size) for size in shape)


class LayerNorm(Module):
    """Layer normalisation: each sample normalised over its last dims (no running statistics).

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, mean and biased var over the
    last ``len(normalized_shape)`` dims; identical in train and eval mode.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dim).
        eps: added to the variance (default 1e-5).
        elementwise_affine: learn ``weight`` (ones) of ``normalized_shape`` (default True).
        bias: also learn ``bias`` (zeros) when elementwise_affine (default True).

    Shape: input (*, *normalized_shape) -> output of the same shape.
    """

    def __init__(
        self, normalized_shape: Any, eps: float = 1e-5, elementwise_affine: bool = True, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__()
        self.normalized_shape = _shape_tuple(normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ag.ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if elementwise_affine and bias:
            self.bias = Parameter(ag.zeros(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        try:
            return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)
        except ShapeError as error:
            raise ShapeError(str(error).replace("layer_norm:", f"LayerNorm({self.normalized_shape}):", 1)) from None

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"


__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "batch_norm", "layer_norm", "Normalize"]
