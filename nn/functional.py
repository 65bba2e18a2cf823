"""``import nn.functional as F``: activations and losses as functions (PyTorch's names).

Losses use fused, numerically stable forms: ``cross_entropy`` is one graph node whose
backward is ``softmax - target`` written with Tensor ops (so it is twice differentiable);
``binary_cross_entropy_with_logits`` never exponentiates a positive number.
``dropout`` and the normalisations live in ``nn.dropout`` / ``nn.normalization`` and are
re-exported at the end of this file.
"""
from __future__ import annotations

import functools
import warnings
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


def _data(value: Any) -> Any:
    return value.array if isinstance(value, Tensor) else value


class SignFunction(Function):
    """``sign(x)`` in {-1, 0, 1}; ``straight_through`` swaps the zero derivative for hardtanh's."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, straight_through: bool) -> np.ndarray:
        ctx.save_for_backward(a if straight_through else None)
        return np.sign(a.array)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        return _step_gradient(grad_output, a), None


class HeavisideFunction(Function):
    """Heaviside step: 1 for x > 0, 0 for x < 0, ``value`` at 0 (``torch.heaviside``)."""

    @staticmethod
    def forward(ctx: Function, a: Tensor, value: float, straight_through: bool) -> np.ndarray:
        ctx.save_for_backward(a if straight_through else None)
        return np.where(a.array > 0, 1, np.where(a.array < 0, 0, value)).astype(a.dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        return _step_gradient(grad_output, a), None, None


def _step_gradient(grad_output: Tensor, straight_through_input: Tensor | None) -> Tensor:
    # The true derivative of a step is 0 wherever it exists (undefined at 0), so nothing
    # flows back. The straight-through estimator uses hardtanh's: 1 for |x| <= 1, else 0.
    if straight_through_input is None:
        return grad_output * 0.0
    return grad_output * (np.abs(straight_through_input.array) <= 1)


def sign(input: Tensor, straight_through: bool = False) -> Tensor:
    """-1, 0 or 1 by the sign of each element (the perceptron's bipolar activation).

    Its gradient is 0 everywhere (PyTorch's convention), so a network cannot learn through
    it by backprop; train perceptrons with the perceptron rule, or pass
    ``straight_through=True`` to let gradients pass where ``|x| <= 1`` (hardtanh's derivative).
    """
    return SignFunction.apply(input, straight_through)


def step(input: Tensor, value: float = 0.0, straight_through: bool = False) -> Tensor:
    """Heaviside step (the perceptron's 0/1 activation): 1 for x > 0, 0 for x < 0, ``value`` at 0.

    Same values as ``torch.heaviside(input, value)``; gradient as in ``sign``.
    """
    return HeavisideFunction.apply(input, float(value), straight_through)


# -- activations composed of Tensor ops (their gradients follow from the ops') ------------
# ``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * sigmoid(x)`` (also called swish). Shape: (*) -> (*)."""
    return input * ag.sigmoid(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))`` (softplus linear past 20, as PyTorch's). Shape: (*) -> (*)."""
    return input * ag.tanh(ag.softplus(input, 1.0, 20.0))


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``. Shape: (*) -> (*).

    The gradient is 1 strictly inside the interval and 0 on and outside its ends, as PyTorch's
    (``clamp``'s is 1 on the ends too).
    """
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val cannot be greater than max_val, got min_val={min_val}, max_val={max_val}")
    inside = (input.array > min_val) & (input.array < max_val)
    # d/dx = 1 inside, 0 elsewhere: the clamped values come from a detached copy
    return ag.where(inside, input, input.detach().clamp(min_val, max_val))


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)`` (``hardtanh(x, 0, 6)``). Shape: (*) -> (*)."""
    return hardtanh(input, 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: 0 below -3, 1 above 3, linear between. Shape: (*) -> (*)."""
    return hardtanh(input + 3.0, 0.0, 6.0) / 6.0


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (MobileNetV3). Shape: (*) -> (*)."""
    return input * hardsigmoid(input)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, finite for any x. Shape: (*) -> (*)."""
    return -ag.softplus(-input, 1.0, float("inf"))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``. Shape: (*) -> (*)."""
    return input / (input.abs() + 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``scale * elu(x, alpha)`` with the self-normalising constants (alpha ~ 1.6733, scale ~ 1.0507).

    Shape: (*) -> (*).
    """
    return ag.elu(input, SELU_ALPHA) * SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``. Shape: (*) -> (*)."""
    if alpha == 0:
        raise ValueError("celu: alpha cannot be 0 (it divides x); use a non-zero alpha such as 1.0")
    return ag.elu(input / alpha, 1.0) * alpha


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None) -> Tensor:
    """``softmax(-x, dim)``: weights that favour the smallest entries. Shape: (*) -> (*).

    ``dim=None`` takes PyTorch's legacy choice (0 for 0-, 1- and 3-D input, else 1) and warns, as PyTorch.
    """
    if dim is None:
        dim = 0 if input.ndim in (0, 1, 3) else 1
        warnings.warn(
            f"softmin: implicit dimension choice is deprecated (as in PyTorch); chose dim={dim}, pass dim= explicitly",
            UserWarning,
            stacklevel=_stacklevel,
        )
    return softmax(-input, dim, dtype)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: ``a * sigmoid(b)``, ``a`` and ``b`` the two halves of ``input`` along ``dim``.

    Shape: (*, 2N, *) -> (*, N, *): the size along ``dim`` must be even.
    """
    if input.ndim == 0:
        raise ShapeError("glu: does not support scalars (0-d input) because halving size must be even")
    axis = dim + input.ndim if -input.ndim <= dim < 0 else dim
    if not 0 <= axis < input.ndim:
        raise ShapeError(f"glu: dim {dim} is out of range for an input of {input.ndim} dims (shape {input.shape})")
    size = input.shape[axis]
    if size % 2:
        raise ShapeError(
            f"glu: halving dimension must be even, but dimension {dim} is size {size} (input shape {input.shape})"
        )
    first, second = input.split(size // 2, axis)
    return first * ag.sigmoid(second)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``. Shape: (*) -> (*)."""
    return ag.where(input.array > threshold, input, float(value))


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``. Shape: (*) -> (*)."""
    return input - ag.tanh(input)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` for x > 0, ``weight * x`` otherwise, with a learnable slope per channel.

    Shape: input (N, C, *) (or (C,)-less input of 0 or 1 dims, one channel); weight () or (1,)
    for one slope shared by all channels, or (C,) for one per channel (the input's dim 1).
    """
    if weight.ndim > 1:
        raise ShapeError(f"prelu: expected `weight` to be a scalar or 1-D tensor, got shape {weight.shape}")
    channels = input.shape[1] if input.ndim >= 2 else 1
    if weight.numel() == 1:
        slope = weight.reshape(())
    elif weight.numel() == channels:
        slope = weight.reshape((channels,) + (1,) * (input.ndim - 2))
    else:
        raise ShapeError(
            f"prelu: mismatch of parameter numbers and input channel size: found {weight.numel()} parameters "
            f"and channel size {channels} (input shape {input.shape}); use 1 or {channels} parameters"
        )
    # d/dx = 1 for x > 0, else weight; d/dweight = x for x <= 0, else 0
    return ag.where(input.array > 0, input, input * slope)


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """Class indices (*) -> int64 (*, num_classes) with a 1 at each index, as ``torch.nn.functional.one_hot``.

    ``num_classes=-1`` takes ``max(tensor) + 1``.
    """
    labels = np.asarray(_data(tensor))
    if labels.dtype.kind not in "iu":
        raise DtypeError(f"one_hot: expects integer class indices (int64), got dtype {labels.dtype}; use .long()")
    if labels.size and labels.min() < 0:
        raise ValueError(f"one_hot: class values must be non-negative, got {int(labels.min())}")
    if num_classes == -1:
        if labels.size == 0:
            raise ValueError("one_hot: cannot infer the number of classes from an empty tensor; pass num_classes")
        num_classes = int(labels.max()) + 1
    elif labels.size and labels.max() >= num_classes:
        raise ValueError(
            f"one_hot: class value {int(labels.max())} is out of range for num_classes={num_classes}; "
            f"values must be in [0, {num_classes - 1}]"
        )
    return Tensor._make((labels[..., None] == np.arange(num_classes)).astype(np.int64), False, None)


def softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x), dim)``; ``dtype`` converts ``x`` first, as in PyTorch."""
    return ag.softmax(x if dtype is None else x.to(dtype), dim)


def log_softmax(x: Tensor, dim: int, dtype: Any = None) -> Tensor:
    """``x - logsumexp(x, dim)``; ``dtype`` converts ``x`` first, as in PyTorch."""
    return ag.log_softmax(x if dtype is None else x.to(dtype), dim)


def _reduce(name: str, losses: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    if reduction == "none":
        return losses
    raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _same_shape(name: str, prediction: Tensor, target: Any) -> None:
    if tuple(prediction.shape) != tuple(np.shape(target.array if isinstance(target, Tensor) else target)):
        raise ShapeError(
            f"{name}: input has shape {tuple(prediction.shape)} but target has shape "
            f"{tuple(np.shape(getattr(target, 'data', target)))}; they must match."
        )


def _broadcast_target(name: str, input: Tensor, target: Any, warn: bool = True) -> None:
    """PyTorch's elementwise losses broadcast a target of another shape against the input, warning
    that this is likely a mistake (deprecated there); shapes that do not broadcast are an error."""
    input_shape, target_shape = tuple(input.shape), tuple(np.shape(_data(target)))
    if input_shape == target_shape:
        return
    try:
        shape = np.broadcast_shapes(input_shape, target_shape)
    except ValueError:
        raise ShapeError(
            f"{name}: input has shape {input_shape} but target has shape {target_shape}, which do not broadcast "
            "together; they should have the same shape."
        ) from None
    if warn:
        warnings.warn(
            f"{name}: using a target size {target_shape} that is different to the input size {input_shape}: both "
            f"are broadcast to {shape}, which is likely not what you want (PyTorch warns the same). Make them "
            "the same shape.",
            UserWarning,
            stacklevel=3,
        )


def mse_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(input - target)^2``. A target of another shape is broadcast, with a warning
    (as PyTorch does)."""
    _broadcast_target("mse_loss", input, target)
    difference = input - target
    return _reduce("mse_loss", difference * difference, reduction)


def l1_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|input - target|``. A target of another shape is broadcast, with a warning
    (as PyTorch does)."""
    _broadcast_target("l1_loss", input, target)
    return _reduce("l1_loss", (input - target).abs(), reduction)


class CrossEntropy(Function):
    """Softmax cross-entropy of logits (M, C) against class indices (M,), reduced in the same node.

    Per sample: loss_i = keep_i * ((1 - eps) * w[y_i] * (-log p_i[y_i]) + eps / C * sum_c w_c * (-log p_i[c]))
    (w = 1 without class weights; keep_i is False where y_i == ignore_index). ``reduction``:
    'none' -> (M,), 'sum' -> (), 'mean' -> the sum over sum_i keep_i * w[y_i] (PyTorch's mean).
    """

    @staticmethod
    def forward(
        ctx: Function, logits: Tensor, labels: np.ndarray, weight: Any, keep: Any, smoothing: float, reduction: str
    ) -> np.ndarray:
        z = np.ascontiguousarray(logits.array)
        rows, classes = z.shape
        # row i starts at i * classes of the flattened logits: gathers by flat index are 2-3x faster
        # than z[every_row, columns]
        starts = np.arange(0, rows * classes, classes or 1)
        at_labels = starts + labels.astype(np.intp, copy=False)  # (int64 + uint64 would be float64)
        # each row's max, NaN where the row has one, as z.max(axis=1): argmax and a gather take half its time
        maxima = z.reshape(-1)[starts + z.argmax(axis=1)] if rows else np.zeros(0, z.dtype)  # (0, 0): no argmax
        shifted = z - maxima[:, None]
        exps = np.exp(shifted)
        # log p = shifted - log(sum of exps), not made whole: the loss needs it at the labels only, the
        # backward p = exps / sums (row sums as a product with ones: 5x faster than a sum over axis 1)
        sums = exps @ _ones(classes, z.dtype)
        log_sums = np.log(sums)
        picked = shifted.reshape(-1)[at_labels]
        if weight is None and keep is None and not smoothing:  # the everyday case: -log p at the labels
            picked_weight = None
            losses = log_sums - picked
        else:
            picked_weight = np.ones(rows, z.dtype) if weight is None else weight[labels]
            if keep is not None:
                picked_weight = picked_weight * keep
            losses = (picked - log_sums) * (-(1 - smoothing) * picked_weight)
        if smoothing:  # sum over c of w_c log p_c = sum of w_c shifted_c - log(sum of exps) * sum of w
            weights = _ones(classes, z.dtype) if weight is None else weight.astype(z.dtype, copy=False)
            per_class = shifted @ weights - log_sums * weights.sum()
            losses -= smoothing / classes * per_class * (1 if keep is None else keep)
        if reduction == "none":
            scale = None
            out = losses
        elif weight is None and keep is None and rows:  # the weights sum to the row count: no 1/0 to silence
            scale = 1.0 / z.dtype.type(rows) if reduction == "mean" else 1.0
            out = losses.sum() * scale
        else:
            with np.errstate(divide="ignore", invalid="ignore"):  # all ignored: NaN, as in PyTorch
                total = z.dtype.type(rows) if picked_weight is None else picked_weight.sum()  # None: no rows
                scale = 1.0 / total if reduction == "mean" else 1.0
                out = losses.sum() * scale
        if ctx.needs_input_grad[0]:
            ctx.save_for_backward(logits)
            ctx.exps, ctx.sums, ctx.at_labels, ctx.scale = exps, sums, at_labels, scale
            ctx.picked_weight, ctx.weight, ctx.keep, ctx.smoothing = picked_weight, weight, keep, smoothing
        return np.asarray(out, dtype=z.dtype)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d loss_i / d z_i = p_i * coef_i - target_i, with
        # coef_i = keep_i ((1-eps) w[y_i] + eps/C * sum(w)),  target_i = keep_i ((1-eps) w[y_i] onehot(y_i) + eps/C * w)
        if not ag.is_grad_enabled():
            return CrossEntropy.backward_arrays(ctx, grad_output.array)
        # under create_graph: softmax recomputed as a graph op, so the gradient is differentiable
        (logits,) = ctx.saved_tensors
        rows, classes = logits.shape
        coef, keep, scale = CrossEntropy._coefficients(ctx, rows, classes, logits.dtype)
        eps, weight = ctx.smoothing, ctx.weight
        target = np.zeros((rows, classes), dtype=logits.dtype)
        target.reshape(-1)[ctx.at_labels] = (1 - eps) * CrossEntropy._picked_weight(ctx, rows, logits.dtype)
        if eps:
            target += eps / classes * (1 if weight is None else weight) * np.reshape(keep, (-1, 1))
        upstream = grad_output.unsqueeze(1) if scale is None else grad_output * scale[..., None]
        return (logits.softmax(1) * coef[:, None] - target) * upstream, None, None, None, None, None

    @staticmethod
    def backward_arrays(ctx: Function, grad_output: np.ndarray) -> tuple:
        ctx.saved_tensors  # raises if a backward without retain_graph freed them
        exps, at_labels = ctx.exps, ctx.at_labels
        rows, classes = exps.shape
        dtype = exps.dtype
        if ctx.picked_weight is None and ctx.scale is not None:
            # the everyday case (no class weights, ignored rows or smoothing; a mean or sum): coef is 1 and
            # the target the one-hot labels, so (p - onehot) * upstream in three operations, the same
            # numbers as the general path below
            upstream = grad_output * dtype.type(ctx.scale)
            grad = exps * (upstream / ctx.sums)[:, None]
            grad.reshape(-1)[at_labels] -= upstream
            return grad, None, None, None, None, None
        eps, weight = ctx.smoothing, ctx.weight
        coef, keep, scale = CrossEntropy._coefficients(ctx, rows, classes, dtype)
        upstream = grad_output if scale is None else grad_output * scale  # () or (M,)
        upstream = np.broadcast_to(upstream, (rows,))
        grad = exps * (coef * upstream / ctx.sums)[:, None]  # p = exps / sums
        picked = CrossEntropy._picked_weight(ctx, rows, dtype)
        grad.reshape(-1)[at_labels] -= ((1 - eps) * picked * upstream).astype(dtype)
        if eps:
            grad -= (eps / classes * (1 if weight is None else weight) * np.reshape(keep * upstream, (-1, 1)))
        return grad.astype(dtype, copy=False), None, None, None, None, None

    @staticmethod
    def _picked_weight(ctx: Function, rows: int, dtype: np.dtype) -> np.ndarray:
        """keep_i * w[y_i] per row (M,): ones in the everyday case, where forward kept none."""
        return np.ones(rows, dtype) if ctx.picked_weight is None else ctx.picked_weight

    @staticmethod
    def _coefficients(ctx: Function, rows: int, classes: int, dtype: np.dtype) -> tuple:
        """coef (M,) in ``dtype``, keep (M,) or 1, and the reduction's scale: None ('none'), a number, or
        (M,) with 0 at ignored rows."""
        eps, weight = ctx.smoothing, ctx.weight
        coef = (1 - eps) * CrossEntropy._picked_weight(ctx, rows, dtype)
        keep = 1 if ctx.keep is None else ctx.keep
        if eps:
            total_weight = classes if weight is None else weight.sum()
            coef = coef + eps / classes * total_weight * keep
        coef = coef.astype(dtype)
        scale = None if ctx.scale is None else dtype.type(ctx.scale)
        if scale is not None and ctx.keep is not None:
            # an ignored row's gradient is 0, even when every row is ignored and the mean's
            # scale is 1/0 (the loss is NaN then, as in PyTorch, but no NaN flows back)
            scale = np.where(ctx.keep, scale, dtype.type(0))
        return coef, keep, scale


@functools.lru_cache(maxsize=32)
def _ones(classes: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of ``classes`` ones (row sums as a product with it), made once per size."""
    ones = np.ones(classes, dtype)
    ones.flags.writeable = False
    return ones


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
    weights = None if weight is None else np.asarray(getattr(weight, "array", weight), dtype=np.float64)
    if weights is not None and weights.shape != (classes,):
        raise ShapeError(f"cross_entropy: weight must have shape ({classes},), got {weights.shape}")
    target_data = np.asarray(getattr(target, "array", target))
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if target_data.dtype.kind == "f":
        if target_data.shape != tuple(input.shape):
            raise ShapeError(
                f"cross_entropy: a float target holds class probabilities and must have the input's shape "
                f"{tuple(input.shape)}, got {target_data.shape}; for class indices pass an int64 tensor "
                "(e.g. target.long())."
            )
        weights = np.ones(classes) if weights is None else weights
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
    if labels.size and ignore_index < 0 and labels.min() >= 0:  # nothing ignored: only the top to check
        keep, kept, out_of_range = None, labels, labels.max() >= classes
    else:
        keep = labels != ignore_index
        if keep.all():
            keep, kept = None, labels
        else:
            kept = labels[keep]
            labels = np.where(keep, labels, 0)
        out_of_range = kept.size and (kept.min() < 0 or kept.max() >= classes)
    if out_of_range:
        bad = kept[(kept < 0) | (kept >= classes)]
        raise ValueError(
            f"cross_entropy: target {int(bad[0])} is out of range for {classes} classes; targets must "
            f"be in [0, {classes - 1}] (or ignore_index={ignore_index})."
        )
    class_weights = None if weights is None else weights.astype(input.dtype)
    losses = CrossEntropy.apply(logits, labels, class_weights, keep, float(label_smoothing), reduction)
    if reduction != "none":
        return losses
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


def nll_loss(
    input: Tensor, target: Any, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"
) -> Tensor:
    """Negative log-likelihood of log-probabilities at class indices.

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...) int64.
    """
    labels = np.asarray(getattr(target, "array", target))
    if labels.dtype.kind not in "iu":
        raise DtypeError(f"nll_loss: targets must be integer class indices, got {labels.dtype}")
    expected = (input.shape[0],) + tuple(input.shape[2:]) if input.ndim >= 2 else ()
    if input.ndim == 0 or labels.shape != expected:
        raise ShapeError(
            f"nll_loss: expected input (N, C) and target (N,) (or (C,) and (), or (N, C, d1, ...) and (N, d1, ...)), "
            f"got {tuple(input.shape)} and {labels.shape}"
        )
    if input.ndim == 1:
        log_probabilities = input.unsqueeze(0)
    elif input.ndim > 2:  # (N, C, d...) -> (N*d..., C)
        log_probabilities = input.permute(0, *range(2, input.ndim), 1).reshape(-1, input.shape[1])
    else:
        log_probabilities = input
    flat_labels = labels.reshape(-1)
    classes = log_probabilities.shape[1]
    weights = np.ones(classes) if weight is None else np.asarray(getattr(weight, "array", weight), dtype=np.float64)
    if weights.shape != (classes,):
        raise ShapeError(f"nll_loss: weight must have shape ({classes},), one per class, got {weights.shape}")
    keep = flat_labels != ignore_index
    safe = np.where(keep, flat_labels, 0)
    if ((safe < 0) | (safe >= classes)).any():
        first_bad = flat_labels[(safe < 0) | (safe >= classes)][0]
        raise ValueError(f"nll_loss: targets must be in [0, {classes - 1}], got {first_bad}")
    scale = (weights[safe] * keep).astype(input.dtype)
    losses = -log_probabilities[np.arange(safe.shape[0]), safe] * scale
    if reduction == "mean":
        total = float(scale.sum())
        if total == 0:
            # every target ignored (or weighted 0): the mean is 0/0, NaN as in PyTorch; the
            # gradient is 0 for ignored rows and NaN for rows weighted 0, as PyTorch's
            return (losses * np.where(keep, np.nan, 0).astype(input.dtype)).sum() + np.nan
        return losses.sum() / total
    return _reduce("nll_loss", losses.reshape(expected), reduction)


def _float_target(name: str, input: Tensor, target: Any, broadcast: str | None = None) -> Any:
    """A target of the input's shape: Tensors pass through, arrays become the input's dtype.
    ``broadcast``: 'warn' or 'silent' lets a target that broadcasts against the input through, as
    PyTorch's elementwise losses do (with a warning, or silently for kl_div)."""
    if broadcast is None:
        _same_shape(name, input, target)
    else:
        _broadcast_target(name, input, target, warn=broadcast == "warn")
    if isinstance(target, Tensor):
        if target.dtype.kind != "f":
            raise DtypeError(
                f"{name}: target must be a float tensor (probabilities in [0, 1]), got {target.dtype}; use .float()"
            )
        return target
    array = np.asarray(target)
    if array.dtype.kind not in "fiub":
        raise DtypeError(f"{name}: target must be numeric, got dtype {array.dtype}")
    return array.astype(input.dtype)


def _constant(name: str, label: str, value: Any, input: Tensor, shape: tuple) -> np.ndarray | None:
    """``weight``/``pos_weight``: a constant array in the input's dtype that broadcasts to ``shape``."""
    if value is None:
        return None
    array = np.asarray(_data(value), dtype=input.dtype)
    try:
        fits = np.broadcast_shapes(array.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{name}: {label} of shape {array.shape} does not broadcast to the input's shape {tuple(shape)}"
        )
    return array


class BinaryCrossEntropy(Function):
    """Elementwise ``-w [t log x + (1 - t) log(1 - x)]``, each log clamped to >= -100 as in PyTorch."""

    @staticmethod
    def forward(ctx: Function, input: Tensor, target: Any, weight: Any) -> np.ndarray:
        ctx.save_for_backward(input, target, weight)
        x, t = input.array, _data(target)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_not_x = np.maximum(np.log(1 - x), -100.0)
        losses = -(t * log_x + (1 - t) * log_not_x)
        return losses if weight is None else losses * weight

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        input, target, weight = ctx.saved_tensors
        scale = grad_output if weight is None else grad_output * weight
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dx = (x - t) / (x (1 - x)), the denominator kept >= 1e-12 as in PyTorch
            grad_input = scale * (input - target) / (input * (1 - input)).clamp(min=1e-12)
        if ctx.needs_input_grad[1]:
            # d/dt = log(1 - x) - log(x), with the same -100 floor on each log
            grad_target = scale * ((1 - input).log().clamp(min=-100.0) - input.log().clamp(min=-100.0))
        return grad_input, grad_target, None


def binary_cross_entropy(input: Tensor, target: Any, weight: Any = None, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input`` (any shape) against targets in [0, 1] (same shape).

    ``weight`` (broadcasting to the input's shape) rescales each element. Each log is
    floored at -100, so a probability of exactly 0 or 1 gives a finite loss, as in PyTorch.
    For raw scores use ``binary_cross_entropy_with_logits``: it is stabler.
    """
    target = _float_target("binary_cross_entropy", input, target)
    for label, values in (("input", input.array), ("target", _data(target))):
        outside = (values < 0) | (values > 1) | np.isnan(values)
        if outside.any():
            raise ValueError(
                f"binary_cross_entropy: every {label} element must be in [0, 1], got {values[outside].flat[0]} "
                f"(shape {tuple(values.shape)}). Apply sigmoid to the input, or use "
                "binary_cross_entropy_with_logits on raw scores."
            )
    weight = _constant("binary_cross_entropy", "weight", weight, input, input.shape)
    return _reduce("binary_cross_entropy", BinaryCrossEntropy.apply(input, target, weight), reduction)


class BinaryCrossEntropyWithLogits(Function):
    """Elementwise ``w [(1 - t) x + l softplus(-x)]`` with ``l = 1 + (pos_weight - 1) t``.

    ``softplus(-x) = max(-x, 0) + log1p(exp(-|x|))`` exponentiates only non-positive
    numbers, so logits of +-100 (or 1e4) give finite values and gradients.
    """

    @staticmethod
    def forward(ctx: Function, logits: Tensor, target: Any, weight: Any, pos_weight: Any) -> np.ndarray:
        ctx.save_for_backward(logits, target, weight, pos_weight)
        x, t = logits.array, _data(target)
        softplus_of_negative = np.maximum(-x, 0) + np.log1p(np.exp(-np.abs(x)))
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
        losses = (1 - t) * x + log_weight * softplus_of_negative
        return losses if weight is None else losses * weight

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        logits, target, weight, pos_weight = ctx.saved_tensors
        scale = grad_output if weight is None else grad_output * weight
        grad_logits = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dx = (1 - t) - l sigmoid(-x)   (= sigmoid(x) - t when pos_weight is None)
            log_weight = 1 if pos_weight is None else (pos_weight - 1) * target + 1
            grad_logits = scale * ((1 - target) - log_weight * (-logits).sigmoid())
        if ctx.needs_input_grad[1]:
            # d/dt = -x + (pos_weight - 1) softplus(-x)
            grad_target = -scale * logits
            if pos_weight is not None:
                grad_target = grad_target + scale * (pos_weight - 1) * ag.softplus(-logits, 1.0, float("inf"))
        return grad_logits, grad_target, None, None


def binary_cross_entropy_with_logits(
    input: Tensor, target: Any, weight: Any = None, reduction: str = "mean", pos_weight: Any = None
) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)`` as one stable node (finite for logits of +-100).

    Args:
        input: raw scores (logits), any shape (*, C).
        target: probabilities in [0, 1] of the same shape.
        weight: rescales each element; broadcasts to the input's shape.
        pos_weight: weight of the positive term per class, broadcasting along the last dim
            (shape (C,)); > 1 raises recall. ``weight`` and ``pos_weight`` are constants here:
            no gradient flows to them.
    """
    target = _float_target("binary_cross_entropy_with_logits", input, target)
    weight = _constant("binary_cross_entropy_with_logits", "weight", weight, input, input.shape)
    pos_weight = _constant("binary_cross_entropy_with_logits", "pos_weight", pos_weight, input, input.shape)
    losses = BinaryCrossEntropyWithLogits.apply(input, target, weight, pos_weight)
    return _reduce("binary_cross_entropy_with_logits", losses, reduction)


def _class_margins(name: str, input: Tensor, target: Any, p: int, margin: float, weight: Any) -> Tensor:
    """Per sample ``w[y] * sum over j != y of max(0, margin - x[y] + x[j])^p``: (N,) or () for a (C,) input."""
    labels = np.asarray(_data(target))
    if labels.dtype.kind not in "iu":
        raise DtypeError(f"{name}: targets must be integer class indices (int64), got dtype {labels.dtype}")
    allowed = [(input.shape[0],)] if input.ndim == 2 else [(), (1,)]  # a (C,) input takes a 0-d or (1,) target
    if input.ndim not in (1, 2) or labels.shape not in allowed:
        raise ShapeError(
            f"{name}: expected input (N, C) with target (N,), or input (C,) with a target of shape () or (1,); "
            f"got input {tuple(input.shape)} and target {labels.shape}"
        )
    classes = input.shape[-1]
    scores = input if input.ndim == 2 else input.unsqueeze(0)
    rows = labels.reshape(-1)
    bad = rows[(rows < 0) | (rows >= classes)]
    if bad.size:
        raise ValueError(
            f"{name}: target {int(bad[0])} is out of range for {classes} classes; "
            f"targets must be in [0, {classes - 1}]"
        )
    correct = scores[np.arange(rows.shape[0]), rows].unsqueeze(1)
    violations = (scores - correct + margin).relu()  # max(0, margin - x_y + x_j)
    if p == 2:
        violations = violations * violations
    others = (np.arange(classes) != rows[:, None]).astype(input.dtype)
    losses = (violations * others).sum(1)
    if weight is not None:
        weights = np.asarray(_data(weight), dtype=input.dtype)
        if weights.shape != (classes,):
            raise ShapeError(f"{name}: weight must have shape ({classes},), one per class, got {weights.shape}")
        losses = losses * weights[rows]
    return losses if input.ndim == 2 else losses.reshape(labels.shape)


def multi_margin_loss(
    input: Tensor, target: Any, p: int = 1, margin: float = 1.0, weight: Any = None, reduction: str = "mean"
) -> Tensor:
    """PyTorch's multi-class margin loss: ``sum_{j != y} max(0, margin - x[y] + x[j])^p / C``.

    Shape: input (N, C) and target (N,) int64 -> () for 'mean'/'sum', (N,) for 'none'.
    ``weight`` (C,) scales each sample's loss by ``weight[y]``. ``hinge_loss`` is the same
    with p=1 but without the division by C.
    """
    if p not in (1, 2):
        raise ValueError(f"multi_margin_loss: p must be 1 or 2, got {p}")
    losses = _class_margins("multi_margin_loss", input, target, p, margin, weight) / input.shape[-1]
    return _reduce("multi_margin_loss", losses, reduction)


def hinge_loss(input: Tensor, target: Any, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """The multi-class SVM loss of the linear-classifier material (Weston-Watkins form).

    ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)``, averaged over the batch.
    Equals ``C * multi_margin_loss(input, target, p=1, margin=margin)``: PyTorch's version
    also divides each sample's sum by the number of classes C.
    Shape: scores (N, C), target (N,) int64 -> () ('mean'/'sum') or (N,) ('none').
    """
    return _reduce("hinge_loss", _class_margins("hinge_loss", input, target, 1, margin, None), reduction)


# The F.* names defined beside their modules or ops, imported last (those files import this one).
# Sorted as the linter wants; the comment on each line says what lives in that file.
from autograd_core.ops.attention import scaled_dot_product_attention  # noqa: E402,F401
from autograd_core.ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d  # noqa: E402,F401
from autograd_core.ops.padding import pad  # noqa: E402,F401  (PyTorch's four modes)
from autograd_core.ops.pool import (  # noqa: E402
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    avg_pool1d,
    avg_pool2d,
    lp_pool1d,
    lp_pool2d,
    max_pool1d,
    max_pool2d,
)
from autograd_core.unsupported import missing_attribute as _missing_attribute  # noqa: E402

from .adaptive_max_pool import adaptive_max_pool1d, adaptive_max_pool2d  # noqa: E402,F401
from .channel_shuffle import channel_shuffle  # noqa: E402,F401
from .distance import cosine_embedding_loss, cosine_similarity, normalize, pairwise_distance  # noqa: E402,F401
from .dropout import alpha_dropout, dropout  # noqa: E402
from .dropout2d import dropout1d, dropout2d  # noqa: E402  (channel dropout)
from .embedding import embedding  # noqa: E402
from .fold import fold, unfold  # noqa: E402,F401  (im2col and col2im)
from .group_norm import group_norm  # noqa: E402,F401
from .instance_norm import instance_norm  # noqa: E402,F401
from .likelihood_loss import gaussian_nll_loss, poisson_nll_loss  # noqa: E402,F401
from .linear import bilinear, linear  # noqa: E402,F401
from .local_response_norm import local_response_norm  # noqa: E402,F401
from .margin_loss import (  # noqa: E402,F401
    hinge_embedding_loss,
    margin_ranking_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
)
from .normalization import batch_norm, layer_norm  # noqa: E402
from .pixel_shuffle import pixel_shuffle, pixel_unshuffle  # noqa: E402,F401  (channels <-> space)
from .pointwise_loss import huber_loss, kl_div, smooth_l1_loss  # noqa: E402,F401  (one fused node each)
from .rms_norm import rms_norm  # noqa: E402,F401
from .shrink import hardshrink, softshrink  # noqa: E402,F401
from .stochastic_activation import gumbel_softmax, rrelu  # noqa: E402,F401  (random slopes and samples)
from .upsampling import interpolate  # noqa: E402,F401  (resizing)


def __getattr__(name: str) -> Any:
    """PyTorch's functional names this project lacks fail naming what to use (``autograd_core/unsupported.py``)."""
    raise _missing_attribute(__name__, name)


# ``from nn.functional import *`` gives the functions, not this module's imports (np, ag, ...);
# tests/nn/test_functional.py checks that every public function here is listed.
__all__ = [
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "batch_norm", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "celu", "conv1d", "conv2d", "conv_transpose2d", "cosine_embedding_loss",
    "cosine_similarity", "cross_entropy", "dropout", "dropout2d", "elu", "embedding", "gelu", "glu", "group_norm",
    "hardsigmoid", "hardswish", "hardtanh", "hinge_loss", "huber_loss", "interpolate", "kl_div", "l1_loss",
    "layer_norm", "leaky_relu", "linear", "log_softmax", "logsigmoid", "lp_pool1d", "lp_pool2d", "max_pool1d",
    "max_pool2d", "mish", "mse_loss", "multi_margin_loss", "nll_loss", "normalize", "one_hot", "pad",
    "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "prelu", "relu", "relu6", "rms_norm",
    "scaled_dot_product_attention", "selu", "sigmoid", "sign", "silu", "smooth_l1_loss", "softmax", "softmin",
    "softplus", "softsign", "step", "tanh", "tanhshrink", "threshold",
    "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss", "multilabel_soft_margin_loss",
    "poisson_nll_loss", "soft_margin_loss", "triplet_margin_loss",
    "gumbel_softmax", "hardshrink", "rrelu", "softshrink",
    "instance_norm", "local_response_norm", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "alpha_dropout", "dropout1d", "conv_transpose1d", "fold", "unfold", "bilinear", "channel_shuffle",
]
