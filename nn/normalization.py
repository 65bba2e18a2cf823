"""Normalisation layers with batch or sample statistics: ``BatchNorm1d``, ``BatchNorm2d``, ``LayerNorm``.

Both normalise through the fused node ``Normalize`` (``nn/normalization_node.py``), each
describing its axes in a ``NormLayout``; ``GroupNorm`` and ``RMSNorm`` (their own files)
use the same node.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.arguments import LayerName, require_same_dtype, require_tensor

from .module import Module, Parameter
from .normalization_node import (
    Normalize,
    NormLayout,
    as_affine,
    by_channels,
    normalize_channels,
    normalize_with,
    statistics,
)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Any = None,
    bias: Any = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Batch normalisation over dim 1 (channels) of (N, C) or (N, C, *) input, as ``torch.nn.functional.batch_norm``.

    training: normalise with the batch's mean and biased variance, and (when given) update
    ``running_mean``/``running_var`` in place: ``running = (1 - momentum) running + momentum
    batch_stat``, with the unbiased variance. Otherwise normalise with the running stats.
    ``name``: what error messages call the op (``BatchNorm*d`` passes its description).
    """
    op = name or "batch_norm"
    require_tensor(op, input)
    if input.ndim < 2:
        raise ShapeError(f"{op}: expected input (N, C) or (N, C, *), got shape {tuple(input.shape)}")
    if input.dtype.kind != "f":
        raise DtypeError(f"{op}: needs a float input, got {input.dtype}; call .float() first")
    channels = input.shape[1]
    check_channels(op, input, (("weight", weight), ("bias", bias), ("running_mean", running_mean),
                               ("running_var", running_var)))
    weight = as_affine(weight, op, "weight", (channels,), input)
    bias = as_affine(bias, op, "bias", (channels,), input)
    for label, stat in (("running_mean", running_mean), ("running_var", running_var)):
        if stat is not None:
            require_tensor(op, stat, label)
            if stat.shape != (channels,):
                raise ShapeError(f"{op}: {label} must have shape ({channels},), one per channel; got {stat.shape}")
            require_same_dtype(op, input, stat, reference_what=label)
    view = (1, channels) + (1,) * (input.ndim - 2)
    axes = (0,) + tuple(range(2, input.ndim))
    if training:
        count = input.numel() // channels
        if count <= 1:
            raise ValueError(
                f"{op}: expected more than 1 value per channel when training, got input of shape "
                f"{tuple(input.shape)}; use a batch of 2 or more (or call .eval())."
            )
        layout = NormLayout(axes=axes, param_view=view, param_axes=axes, eps=eps)
        if by_channels(input, weight, bias):  # the channel kernels (one pass over memory per channel)
            output, mean, var = normalize_channels(input, weight, bias, layout)
        else:
            mean, var = statistics(input.array, layout)
            output = Normalize.apply(input, weight, bias, mean=mean, var=var, layout=layout)
        if running_mean is not None:
            _blend(running_mean, mean.reshape(channels), momentum)
        if running_var is not None:
            _blend(running_var, var.reshape(channels) * (count / (count - 1)), momentum)
        return output
    if running_mean is None or running_var is None:
        raise ValueError(f"{op}: evaluation (training=False) needs running_mean and running_var")
    # y = x * scale + shift with scale = weight / sqrt(running_var + eps), shift = bias - running_mean * scale
    inv_std = (1.0 / np.sqrt(running_var.array + eps)).astype(input.dtype)
    scale = Tensor._make(inv_std, False, None) if weight is None else weight * inv_std
    shift = -running_mean.array.astype(input.dtype) * scale
    if bias is not None:
        shift = shift + bias
    return input * scale.reshape(view) + shift.reshape(view)


def check_channels(op: str | LayerName, input: Tensor, per_channel: tuple[tuple[str, Any], ...]) -> None:
    """A ShapeError unless each 1-d tensor of ``per_channel`` ((label, tensor or None) pairs: a
    weight, bias or running statistic) has one value per channel of ``input`` (dim 1), saying
    which the input disagrees with. Other shapes are left to ``as_affine``'s message."""
    channels = input.shape[1]
    for label, value in per_channel:
        shape = getattr(value, "shape", None)
        if shape is not None and len(shape) == 1 and shape[0] != channels:
            raise ShapeError(
                f"{op}: expected input of shape (N, {shape[0]}, *), as {label} has {shape[0]} values (one per "
                f"channel), got {tuple(input.shape)} with {channels} channels in dim 1"
            )


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
        # The rank is the layer's own rule (BatchNorm1d: 2-D or 3-D); batch_norm checks the rest.
        if isinstance(input, Tensor) and input.ndim not in self._ranks:
            raise ShapeError(
                f"{self._describe()}: expected input of shape {self._layout.format(C=self.num_features)}, "
                f"got {tuple(input.shape)} ({input.ndim}-D)"
            )
        counting = self.training and self.track_running_stats
        factor = 0.0 if self.momentum is None else self.momentum
        if counting and self.momentum is None:  # cumulative moving average over the batches so far
            factor = 1.0 / (float(self.num_batches_tracked.array) + 1.0)
        use_batch_stats = self.training or self.running_mean is None
        keep_stats = not self.training or self.track_running_stats
        output = batch_norm(
            input,
            self.running_mean if keep_stats else None,
            self.running_var if keep_stats else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
            name=LayerName(self),
        )
        if counting:  # after the checks: a refused batch leaves the count as it was
            self.num_batches_tracked.array += 1
        return output

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.num_features})"

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
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dims, as ``torch.nn.functional.layer_norm``.

    Shape: input (*, *normalized_shape) -> the same; weight/bias: normalized_shape.
    ``name``: what error messages call the op (``LayerNorm`` passes itself as a ``LayerName``).
    """
    op = name or "layer_norm"
    normalized_shape = as_normalized_shape(op, normalized_shape)
    check_trailing_shape(op, input, normalized_shape)
    weight = as_affine(weight, op, "weight", normalized_shape, input)
    bias = as_affine(bias, op, "bias", normalized_shape, input)
    leading = input.ndim - len(normalized_shape)
    layout = NormLayout(
        axes=tuple(range(leading, input.ndim)), param_view=normalized_shape, param_axes=tuple(range(leading)), eps=eps
    )
    return normalize_with(input, weight, bias, layout)


def check_trailing_shape(name: str | LayerName, input: Tensor, normalized_shape: tuple[int, ...]) -> None:
    """``input`` is a float tensor of shape (*, *normalized_shape), or a ShapeError/DtypeError naming ``name``."""
    require_tensor(name, input)
    trailing = tuple(input.shape[input.ndim - len(normalized_shape):]) if input.ndim >= len(normalized_shape) else None
    if trailing != normalized_shape:
        raise ShapeError(
            f"{name}: expected input of shape (*, {', '.join(map(str, normalized_shape))}) to normalise over "
            f"its last {len(normalized_shape)} dim(s), got {tuple(input.shape)}"
        )
    if input.dtype.kind != "f":
        raise DtypeError(f"{name}: needs a float input, got {input.dtype}; call .float() first")


class NormalizedShape(tuple):
    """A ``normalized_shape`` already checked by ``as_normalized_shape`` (what the layers keep),
    so the functional they call need not check it again on every forward."""

    __slots__ = ()


def as_normalized_shape(name: str | LayerName, shape: Any) -> NormalizedShape:
    """``shape`` (an int, or a non-empty sequence of positive ints) as a ``NormalizedShape``."""
    if shape.__class__ is NormalizedShape:
        return shape
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if not shape or any(not isinstance(size, (int, np.integer)) or size <= 0 for size in shape):
        raise ValueError(f"{name}: normalized_shape must be a positive int or a non-empty tuple of them, got {shape}")
    return NormalizedShape(int(size) for size in shape)


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
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = as_normalized_shape("LayerNorm", normalized_shape)
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
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps, name=LayerName(self))

    def _describe(self) -> str:
        return f"LayerNorm({self.normalized_shape})"

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


__all__ = ["BatchNorm1d", "BatchNorm2d", "LayerNorm", "batch_norm", "layer_norm", "Normalize"]
