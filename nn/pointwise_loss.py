"""Elementwise losses with one fused node each: ``smooth_l1_loss``, ``huber_loss`` and ``kl_div``.

Each node computes the per-element losses of ``input`` against ``target`` (the same
shape; a target that broadcasts against the input is broadcast, with a warning, as PyTorch
does, silently for ``kl_div``) and its backward sits beside it; the reduction ('mean', 'sum', 'none', and
'batchmean' for ``kl_div``) is applied afterwards. A plain backward uses what the
forward computed (NumPy); under ``create_graph`` it is rebuilt from Tensor ops, so
second derivatives work. ``target`` may be a Tensor that requires grad.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Function, Tensor
from autograd_core.errors import DtypeError

from .functional import _data, _float_target, _reduce


class Huber(Function):
    """``scale * huber_delta(input - target)``: 0.5 d^2 where |d| < delta, else delta (|d| - 0.5 delta).

    ``huber_loss`` is scale 1; ``smooth_l1_loss`` with ``beta`` is delta = beta, scale = 1 / beta.
    """

    @staticmethod
    def forward(ctx: Function, input: Tensor, target: Any, delta: float, scale: float) -> np.ndarray:
        difference = input.array - _data(target)
        magnitude = np.abs(difference)
        losses = np.where(magnitude < delta, 0.5 * difference * difference, delta * (magnitude - 0.5 * delta))
        if scale != 1.0:
            losses *= scale
        if True in ctx.needs_input_grad:
            ctx.save_for_backward(input, target)
            ctx.slope = np.clip(difference, -delta, delta)
            ctx.delta, ctx.scale = delta, scale
        return losses.astype(input.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        # d loss / d input = scale * clamp(d, -delta, delta) = -d loss / d target
        input, target = ctx.saved_tensors
        if ag.is_grad_enabled():  # create_graph: the slope from graph ops (its derivative is 1 inside, 0 outside)
            slope = (input - target).clamp(-ctx.delta, ctx.delta)
        else:
            slope = Tensor._make(ctx.slope, False, None)
        grad_input = grad_output * slope if ctx.scale == 1.0 else grad_output * slope * ctx.scale
        grad_target = -grad_input if ctx.needs_input_grad[1] else None
        return grad_input if ctx.needs_input_grad[0] else None, grad_target, None, None


def huber_loss(input: Tensor, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss, as ``torch.nn.functional.huber_loss``: quadratic for |d| < delta, linear beyond.

    Per element, with d = input - target: ``0.5 d^2`` if |d| < delta, else ``delta (|d| - 0.5 delta)``.
    Shape: input (*), target (*) the same -> () or (*) for 'none'.
    """
    if not delta > 0:
        raise ValueError(
            f"huber_loss does not support non-positive values for delta (got delta={delta}); use delta > 0."
        )
    target = _float_target("huber_loss", input, target, broadcast="warn")
    return _reduce("huber_loss", Huber.apply(input, target, float(delta), 1.0), reduction)


def smooth_l1_loss(input: Tensor, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Smooth L1 loss, as ``torch.nn.functional.smooth_l1_loss``: ``huber_loss(delta=beta) / beta``.

    Per element, with d = input - target: ``0.5 d^2 / beta`` if |d| < beta, else ``|d| - 0.5 beta``;
    ``beta=0`` is the L1 loss. Shape: input (*), target (*) the same -> () or (*) for 'none'.
    """
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss does not support negative values for beta (got beta={beta}); use beta >= 0.")
    target = _float_target("smooth_l1_loss", input, target, broadcast="warn")
    if beta == 0:  # the quadratic part vanishes: |d|, as PyTorch
        return _reduce("smooth_l1_loss", (input - target).abs(), reduction)
    return _reduce("smooth_l1_loss", Huber.apply(input, target, float(beta), 1.0 / beta), reduction)


class KLDivergence(Function):
    """Pointwise ``KL(target || exp(input))`` with ``input`` log-probabilities.

    ``log_target=False``: ``target * (log(target) - input)``, 0 where target == 0.
    ``log_target=True`` (target holds log-probabilities t): ``exp(t) * (t - input)``.
    """

    @staticmethod
    def forward(ctx: Function, input: Tensor, target: Any, log_target: bool) -> np.ndarray:
        x, t = input.array, _data(target)
        if log_target:
            probability = np.exp(t)
            losses = probability * (t - x)
        else:
            probability = t
            with np.errstate(divide="ignore", invalid="ignore"):
                losses = np.where(t == 0, 0.0, t * np.log(t)) - t * x  # xlogy(t, t): 0 log 0 = 0
        if True in ctx.needs_input_grad:
            ctx.save_for_backward(input, target)
            ctx.probability, ctx.log_target = probability, log_target
        return losses.astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        input, target = ctx.saved_tensors
        recording = ag.is_grad_enabled()
        grad_input = grad_target = None
        if ctx.needs_input_grad[0]:
            # d/dinput = -p, with p = target (or exp(target) for log targets)
            if recording and isinstance(target, Tensor):  # create_graph: p stays a function of the target
                probability = target.exp() if ctx.log_target else target
            else:
                probability = ctx.probability
            grad_input = -grad_output * probability
        if ctx.needs_input_grad[1]:
            if ctx.log_target:  # d/dt exp(t) (t - x) = exp(t) (t - x + 1)
                grad_target = grad_output * target.exp() * (target - input + 1)
            else:  # d/dt t (log t - x) = log t + 1 - x   (-inf at t = 0; PyTorch gives NaN there)
                with np.errstate(divide="ignore"):
                    grad_target = grad_output * (target.log() + 1 - input)
        return grad_input, grad_target, None


def kl_div(input: Tensor, target: Any, reduction: str = "mean", log_target: bool = False) -> Tensor:
    """Kullback-Leibler divergence, as ``torch.nn.functional.kl_div``: ``input`` holds log-probabilities.

    Per element ``target * (log(target) - input)`` (``exp(target) * (target - input)`` with
    ``log_target=True``). ``reduction``: 'batchmean' (the sum over the batch size ``input.shape[0]``,
    the KL divergence's definition), 'sum', 'none', or 'mean' (over every element; PyTorch warns
    that this is not the divergence, and so does this function).
    Shape: input (N, *), target (N, *) the same -> () or (N, *) for 'none'.
    """
    if reduction not in ("mean", "batchmean", "sum", "none"):
        raise ValueError(f"kl_div: reduction must be 'mean', 'batchmean', 'sum' or 'none', got {reduction!r}")
    if input.dtype.kind != "f":
        raise DtypeError(f"kl_div: input must hold float log-probabilities, got {input.dtype}; use .float()")
    target = _float_target("kl_div", input, target, broadcast="silent")
    losses = KLDivergence.apply(input, target, bool(log_target))
    if reduction == "batchmean":
        return losses.sum() / input.shape[0] if input.ndim else losses.sum()
    if reduction == "mean":
        warnings.warn(
            "kl_div: reduction 'mean' divides the total loss by both the batch size and the support size; "
            "'batchmean' divides only by the batch size and aligns with the KL divergence's definition "
            "(PyTorch gives the same warning).",
            UserWarning,
            stacklevel=2,
        )
    return _reduce("kl_div", losses, reduction)
