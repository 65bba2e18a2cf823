"""``import nn.functional as F``: activations and losses as functions (PyTorch's names).

Losses use fused, numerically stable forms: ``cross_entropy`` is one graph node whose
backward is ``softmax - target`` written with Tensor ops (so it is twice differentiable).
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.errors import DtypeError, ShapeError

relu = ag.relu
sigmoid = ag.sigmoid
tanh = ag.tanh
leaky_relu = ag.leaky_relu
elu = ag.elu
gelu = ag.gelu
softplus = ag.softplus


def softmax(x: Tensor, dim: int) -> Tensor:
    return ag.softmax(x, dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    return ag.log_softmax(x, dim)


def _reduce(name: str, losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(name: str, prediction: Tensor, target: Any) -> None:
    if tuple(prediction.shape) != tuple(np.shape(target.data if isinstance(target, Tensor) else target)):
        raise ShapeError(
            f"{name}: input has shape {tuple(prediction.shape)} but target has shape "
            f"{tuple(np.shape(getattr(target, 'data', target)))}; they must match."
        )


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(input - target)^2``."""
    _same_shape("mse_loss", input, target)
    difference = input - target
    return _reduce("mse_loss", difference * difference, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|input - target|``."""
    _same_shape("l1_loss", input, target)
    return _reduce("l1_loss", (input - target).abs(), reduction)


class CrossEntropy(Function):
    """Softmax cross-entropy of logits (M, C) against class indices (M,), per sample.

    loss_i = (1 - eps) * w[y_i] * (-log p_i[y_i]) + eps / C * sum_c w_c * (-log p_i[c]),
    0 where y_i == ignore_index. Returns the (M,) per-sample losses.
    """

    @staticmethod
    def forward(ctx: Function, logits: Tensor, labels: np.ndarray, weight: np.ndarray, keep: np.ndarray, smoothing: float) -> np.ndarray:
        z = logits.data
        log_p = z - np.max(z, axis=1, keepdims=True)
        log_p -= np.log(np.exp(log_p).sum(axis=1, keepdims=True))
        rows = np.arange(z.shape[0])
        safe = np.where(keep, labels, 0)
        picked = -log_p[rows, safe] * weight[safe]
        classes = z.shape[1]
        smooth = -(log_p * weight).sum(axis=1) / classes
        ctx.save_for_backward(logits)
        ctx.labels, ctx.weight, ctx.keep, ctx.smoothing = safe, weight, keep, smoothing
        return np.where(keep, (1 - smoothing) * picked + smoothing * smooth, 0.0).astype(z.dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (logits,) = ctx.saved_tensors
        classes = logits.shape[1]
        eps, weight = ctx.smoothing, ctx.weight
        picked_weight = weight[ctx.labels]
        # d loss_i / d z_i = p_i * coef_i - target_i, with
        # coef_i = (1-eps) w[y_i] + eps/C * sum(w),  target_i = (1-eps) w[y_i] onehot(y_i) + eps/C * w
        coef = ((1 - eps) * picked_weight + eps / classes * weight.sum()) * ctx.keep
        target = np.zeros(logits.shape, dtype=logits.dtype)
        target[np.arange(logits.shape[0]), ctx.labels] = (1 - eps) * picked_weight
        target += eps / classes * weight
        target *= ctx.keep[:, None]
        probabilities = logits.softmax(1)
        grad_logits = (probabilities * coef.astype(logits.dtype)[:, None] - target) * grad_output.unsqueeze(1)
        return grad_logits, None, None, None, None


def cross_entropy(
    input: Tensor,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy of logits ``input`` (N, C) or (N, C, d1, ...) against int64 class
    indices (N,) or (N, d1, ...), or against class probabilities of the input's shape."""
    if input.ndim < 1:
        raise ShapeError("cross_entropy: input must have a class dim: (C,), (N, C) or (N, C, d1, ...)")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    weights = np.ones(classes) if weight is None else np.asarray(getattr(weight, "data", weight), dtype=np.float64)
    if weights.shape != (classes,):
        raise ShapeError(f"cross_entropy: weight must have shape ({classes},), got {weights.shape}")
    target_data = np.asarray(getattr(target, "data", target))
    if target_data.dtype.kind == "f":
        return _soft_cross_entropy(input, target, weights, reduction, label_smoothing)
    if target_data.dtype.kind not in "iu":
        raise DtypeError(f"cross_entropy: class targets must be integers (int64), got {target_data.dtype}")
    logits = input if input.ndim > 1 else input.unsqueeze(0)
    labels = target_data if input.ndim > 1 else target_data.reshape(1)
    expected = (logits.shape[0],) + tuple(logits.shape[2:])
    if labels.shape != expected:
        raise ShapeError(
            f"cross_entropy: logits of shape {tuple(input.shape)} need targets of shape {expected}, "
            f"got {labels.shape}"
        )
    if logits.ndim > 2:  # (N, C, d...) -> (N*d..., C)
        logits = logits.permute(0, *range(2, logits.ndim), 1).reshape(-1, classes)
    labels = labels.reshape(-1)
    keep = labels != ignore_index
    bad = labels[keep & ((labels < 0) | (labels >= classes))]
    if bad.size:
        raise ValueError(
            f"cross_entropy: target {int(bad[0])} is out of range for {classes} classes; targets must "
            f"be in [0, {classes - 1}] (or ignore_index={ignore_index})."
        )
    losses = CrossEntropy.apply(logits, labels, weights.astype(input.dtype), keep, float(label_smoothing))
    if reduction == "mean":
        denominator = float((weights[np.where(keep, labels, 0)] * keep).sum())
        return losses.sum() / denominator
    shaped = losses.reshape(expected) if input.ndim > 1 else losses.reshape(())
    return _reduce("cross_entropy", shaped, reduction)


def _soft_cross_entropy(input: Tensor, target: Any, weights: np.ndarray, reduction: str, smoothing: float) -> Tensor:
    _same_shape("cross_entropy", input, target)
    classes = weights.shape[0]
    probabilities = target if isinstance(target, Tensor) else ag.tensor(target, dtype=input.dtype)
    probabilities = probabilities * (1 - smoothing) + smoothing / classes
    class_dim = 1 if input.ndim > 1 else 0
    shape = [1] * input.ndim
    shape[class_dim] = classes
    losses = -(input.log_softmax(class_dim) * probabilities * weights.reshape(shape).astype(input.dtype)).sum(class_dim)
    return _reduce("cross_entropy", losses, reduction)


def nll_loss(input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` (N, C) at class indices."""
    labels = np.asarray(getattr(target, "data", target))
    if labels.dtype.kind not in "iu":
        raise DtypeError(f"nll_loss: targets must be integer class indices, got {labels.dtype}")
    if input.ndim != 2 or labels.shape != (input.shape[0],):
        raise ShapeError(f"nll_loss: expected input (N, C) and target (N,), got {tuple(input.shape)} and {labels.shape}")
    classes = input.shape[1]
    weights = np.ones(classes) if weight is None else np.asarray(getattr(weight, "data", weight), dtype=np.float64)
    keep = labels != ignore_index
    safe = np.where(keep, labels, 0)
    if ((safe < 0) | (safe >= classes)).any():
        raise ValueError(f"nll_loss: targets must be in [0, {classes - 1}], got {labels[(safe < 0) | (safe >= classes)][0]}")
    scale = (weights[safe] * keep).astype(input.dtype)
    losses = -input[np.arange(input.shape[0]), safe] * scale
    if reduction == "mean":
        return losses.sum() / float(scale.sum())
    return _reduce("nll_loss", losses, reduction)


# pooling (autograd_core.ops.pool) and channel dropout, under PyTorch's F.* names
from autograd_core.ops.pool import (  # noqa: E402
    adaptive_avg_pool1d, adaptive_avg_pool2d, avg_pool1d, avg_pool2d, lp_pool1d, lp_pool2d, max_pool1d, max_pool2d,
)
from .dropout2d import dropout2d  # noqa: E402
from autograd_core.ops.conv import conv1d, conv2d, conv_transpose2d  # noqa: E402,F401
