"""Margin and soft-margin losses, as ``torch.nn.functional``'s: ``margin_ranking_loss``,
``hinge_embedding_loss``, ``soft_margin_loss``, ``multilabel_soft_margin_loss`` and
``triplet_margin_loss``.

Each is a composition of Tensor ops (so gradients, second derivatives included, come from
the ops), followed by the usual reduction: 'mean' (default), 'sum' or 'none'. The hinges
are ``clamp(min=0)``, whose gradient at exactly 0 is 1, as PyTorch's ``clamp_min``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError

from .distance import pairwise_distance
from .functional import _data, _reduce, logsigmoid


def _labels(input: Tensor, target: Any) -> Any:
    """A ±1 target as a Tensor stays one (it may require grad, as in PyTorch); else an array of the input's dtype."""
    return target if isinstance(target, Tensor) else np.asarray(target, dtype=input.dtype)


def margin_ranking_loss(
    input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """``max(0, -y (x1 - x2) + margin)``: y = 1 wants ``x1`` ranked above ``x2``, y = -1 below.

    Shape: input1, input2, target with the same number of dims, broadcasting together
    (usually (N,) or ()) -> () or the broadcast shape for 'none'.
    """
    ranks = (input1.ndim, input2.ndim, np.ndim(_data(target)))
    if len(set(ranks)) != 1:
        raise ShapeError(
            "margin_ranking_loss: all input tensors should have the same number of dims, but got sizes: "
            f"input1 {tuple(input1.shape)}, input2 {tuple(input2.shape)}, target {np.shape(_data(target))}"
        )
    losses = (-_labels(input1, target) * (input1 - input2) + margin).clamp(min=0)
    return _reduce("margin_ranking_loss", losses, reduction)


def hinge_embedding_loss(input: Tensor, target: Any, margin: float = 1.0, reduction: str = "mean") -> Tensor:
    """``x`` where y = 1, ``max(0, margin - x)`` where y = -1 (``x`` usually a distance).

    As PyTorch, a label that is neither 1 nor -1 gets both terms.
    Shape: input (*), target (*) broadcasting with it -> () or the broadcast shape for 'none'.
    """
    labels = np.asarray(_data(target))
    try:
        np.broadcast_shapes(tuple(input.shape), labels.shape)
    except ValueError:
        raise ShapeError(
            f"hinge_embedding_loss: input of shape {tuple(input.shape)} and target of shape {labels.shape} "
            "do not broadcast together; give them the same shape"
        ) from None
    dtype = input.dtype
    margin_term = (margin - input).clamp(min=0) * (labels != 1).astype(dtype)
    return _reduce("hinge_embedding_loss", margin_term + input * (labels != -1).astype(dtype), reduction)


def soft_margin_loss(input: Tensor, target: Any, reduction: str = "mean") -> Tensor:
    """The two-class logistic loss ``log(1 + exp(-y x))`` with labels y of ±1 (stable for any x).

    Shape: input (*), target (*) broadcasting with it -> () or the broadcast shape for 'none'.
    """
    product = _labels(input, target) * input
    return _reduce("soft_margin_loss", -logsigmoid(product), reduction)


def multilabel_soft_margin_loss(input: Tensor, target: Any, weight: Any = None, reduction: str = "mean") -> Tensor:
    """Per-class binary logistic losses averaged over the C classes:
    ``-mean_c (y_c log sigmoid(x_c) + (1 - y_c) log sigmoid(-x_c)) * weight_c``.

    Shape: input (N, C) or (C,), target of 0/1 the same, weight (C,) or broadcasting to the
    input -> () or (N,) (() for a (C,) input) for 'none'.
    """
    if input.ndim == 0:
        raise ShapeError("multilabel_soft_margin_loss: needs an input with a class dim, (N, C) or (C,); got a 0-d one")
    labels = _labels(input, target)
    losses = -(labels * logsigmoid(input) + (1 - labels) * logsigmoid(-input))
    if weight is not None:
        losses = losses * np.asarray(_data(weight), dtype=input.dtype)  # a constant, as the other losses' weights
    return _reduce("multilabel_soft_margin_loss", losses.sum(-1) / input.shape[-1], reduction)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2.0,
    eps: float = 1e-6,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, d(a, p) - d(a, n) + margin)`` with ``d`` the ``pairwise_distance`` (p-norm, ``eps``).

    ``swap`` (the distance swap of Balntas et al.) uses ``min(d(a, n), d(p, n))`` as the negative distance.
    Shape: anchor, positive, negative (N, D) or (D,), the same number of dims -> () or (N,) for 'none'.
    """
    ranks = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(ranks)) != 1:
        raise ShapeError(
            "triplet_margin_loss: the anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {ranks[0]}D, positive {ranks[1]}D, and negative {ranks[2]}D inputs"
        )
    positive_distance = pairwise_distance(anchor, positive, p, eps)
    negative_distance = pairwise_distance(anchor, negative, p, eps)
    if swap:
        negative_distance = ag.minimum(negative_distance, pairwise_distance(positive, negative, p, eps))
    losses = (positive_distance - negative_distance + margin).clamp(min=0)
    return _reduce("triplet_margin_loss", losses, reduction)
