"""Negative log-likelihoods of distributions other than the categorical: ``poisson_nll_loss``
and ``gaussian_nll_loss``, with PyTorch's formulas, constants and treatment of ``eps``.

Compositions of Tensor ops, so ``input``, ``target`` and ``var`` all get gradients.
"""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError

from .functional import _data, _reduce


def _as_tensor(input: Tensor, value: Any) -> Tensor:
    """A Tensor stays itself (it may require grad); anything else becomes a constant of the input's dtype."""
    return value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=input.dtype))


def legacy_reduction(name: str, size_average: bool | None, reduce: bool | None) -> str:
    """PyTorch's deprecated ``size_average``/``reduce`` pair as a ``reduction`` (each None counts as True)."""
    warnings.warn(
        f"{name}: size_average and reduce args will be deprecated, please use reduction= instead (as PyTorch warns)",
        UserWarning,
        stacklevel=3,
    )
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "none" if not reduce else "mean" if size_average else "sum"


def poisson_nll_loss(
    input: Tensor,
    target: Any,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log-likelihood of counts ``target`` with rate ``input``.

    ``log_input=True`` (``input`` is the log-rate): ``exp(input) - target * input``; else
    ``input - target * log(input + eps)``. ``full`` adds Stirling's approximation of
    ``log(target!)``, ``target log(target) - target + 0.5 log(2 pi target)``, where target > 1.
    ``size_average``/``reduce``: PyTorch's deprecated pair (kept so that ``eps`` sits where it does there).
    Shape: input (*), target (*) broadcasting with it -> () or the broadcast shape for 'none'.
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction("poisson_nll_loss", size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"poisson_nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    target = _as_tensor(input, target)
    if log_input:
        losses = input.exp() - target * input
    else:
        losses = input - target * (input + eps).log()
    if full:
        above_one = target.array > 1
        safe = ag.where(above_one, target, 2.0)  # log stays finite where the term is masked out
        stirling = safe * safe.log() - safe + 0.5 * (safe * (2 * math.pi)).log()
        losses = losses + stirling * above_one.astype(input.dtype)
    return _reduce("poisson_nll_loss", losses, reduction)


def gaussian_nll_loss(
    input: Tensor, target: Any, var: Any, full: bool = False, eps: float = 1e-6, reduction: str = "mean"
) -> Tensor:
    """Gaussian negative log-likelihood ``0.5 (log(var) + (input - target)^2 / var)`` (+ ``0.5 log(2 pi)``
    with ``full``).

    ``var`` is floored at ``eps`` in value only (its gradient passes through, as PyTorch's
    in-place clamp under no_grad). Shape: input (N, *), target (N, *) broadcasting with it;
    var a float, the input's shape (heteroscedastic), the input's shape without its last
    dim, or the input's shape with one dim of size 1 (homoscedastic) -> () or (N, *) for 'none'.
    """
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError(f"gaussian_nll_loss: var has negative entry/entries (var={var}); variances must be >= 0")
        var = np.full(input.shape, float(var), dtype=input.dtype)
    variances = np.asarray(_data(var))
    if (variances < 0).any():
        raise ValueError(
            f"gaussian_nll_loss: var has negative entry/entries (smallest {variances.min()}); variances must be >= 0"
        )
    var = _as_tensor(input, var)
    input_shape, var_shape = tuple(input.shape), variances.shape
    if var_shape != input_shape:
        if input_shape[:-1] == var_shape:
            var = var.unsqueeze(-1)
        elif not (
            len(input_shape) == len(var_shape) and sum(v for i, v in zip(input_shape, var_shape) if i != v) == 1
        ):
            raise ShapeError(
                f"gaussian_nll_loss: var is of incorrect size {var_shape} for input {input_shape}; give var the "
                "input's shape, the input's shape without its last dim, or one dim of size 1"
            )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"gaussian_nll_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    floored = var + (np.maximum(var.array, eps) - var.array)  # max(var, eps) in value, var's gradient
    difference = input - target
    losses = 0.5 * (floored.log() + difference * difference / floored)
    if full:
        losses = losses + 0.5 * math.log(2 * math.pi)
    return _reduce("gaussian_nll_loss", losses, reduction)
