"""Norms, similarities and distances of vectors along a dim: ``normalize``, ``cosine_similarity``,
``pairwise_distance``, ``cosine_embedding_loss`` and the modules ``CosineSimilarity`` /
``PairwiseDistance``, with PyTorch's formulas (and so its treatment of ``eps``).

They are compositions of Tensor ops around ``autograd_core.norm`` (one node, whose
gradient is 0 at a zero vector as PyTorch's is, instead of 0/0).
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.shape import normalize_dim

from .functional import _data, _reduce
from .module import Module


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``, as ``torch.nn.functional.normalize``.

    Shape: input (*) -> the same; each slice along ``dim`` gets norm 1 (0 stays 0).
    """
    dim = normalize_dim("normalize", dim, input.ndim, tuple(input.shape))
    return input / ag.norm(input, p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """``sum(x1 * x2) / (max(||x1||, eps) max(||x2||, eps))`` along ``dim``, as
    ``torch.nn.functional.cosine_similarity``.

    The inputs broadcast together first. Each vector is divided by its norm before the
    product (in [-1, 1], and stable); the norms are floored at ``eps`` in value only, so
    the gradient is the norm's own, as in PyTorch.
    Shape: x1 and x2 broadcasting to (*, D, *) -> the broadcast shape without ``dim``.
    """
    x1, x2 = _broadcast("cosine_similarity", x1, x2)
    dim = normalize_dim("cosine_similarity", dim, x1.ndim, tuple(x1.shape))
    unit1 = x1 / _floored_in_value(ag.norm(x1, 2, dim, keepdim=True), eps)
    unit2 = x2 / _floored_in_value(ag.norm(x2, 2, dim, keepdim=True), eps)
    return (unit1 * unit2).sum(dim)


def _floored_in_value(norm: Tensor, eps: float) -> Tensor:
    """``max(norm, eps)`` as a value, with the gradient of ``norm`` (PyTorch clamps it under no_grad)."""
    return norm + (np.maximum(norm.array, eps) - norm.array)


def _broadcast(name: str, x1: Any, x2: Any) -> tuple[Tensor, Tensor]:
    for label, value in (("x1", x1), ("x2", x2)):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{name}: {label} must be a Tensor, got {type(value).__name__}; use autograd_core.tensor(...)"
            )
        if value.dtype.kind != "f":
            raise DtypeError(f"{name}: needs float tensors, got {label} of dtype {value.dtype}; call .float() first")
    try:
        shape = np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ShapeError(
            f"{name}: x1 of shape {tuple(x1.shape)} and x2 of shape {tuple(x2.shape)} cannot be broadcast together"
        ) from None
    return (x if x.shape == shape else ag.broadcast_to(x, shape) for x in (x1, x2))


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """``||x1 - x2 + eps||_p`` along the last dim, as ``torch.nn.functional.pairwise_distance``.

    Shape: x1 (N, D) or (D,), x2 broadcasting with it -> (N,) or () (keepdim: (N, 1) or (1,)).
    """
    x1, x2 = _broadcast("pairwise_distance", x1, x2)
    if x1.ndim == 0:
        raise ShapeError("pairwise_distance: needs inputs with a vector dim, (N, D) or (D,); got 0-d tensors")
    return ag.norm(x1 - x2 + eps, p, -1, keepdim)


class CosineSimilarity(Module):
    """Cosine similarity along ``dim`` (default 1), as ``torch.nn.CosineSimilarity``.

    Shape: x1 (*, D, *) and x2 broadcasting with it -> the broadcast shape without ``dim``.
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance ``||x1 - x2 + eps||_p`` along the last dim, as ``torch.nn.PairwiseDistance``.

    Shape: x1 (N, D) or (D,), x2 broadcasting with it -> (N,) or () (keepdim keeps the dim as 1).
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


COSINE_EMBEDDING_EPS = 1e-12  # PyTorch's, added to each squared magnitude


def cosine_embedding_loss(
    input1: Tensor, input2: Tensor, target: Any, margin: float = 0.0, reduction: str = "mean"
) -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos(x1, x2) - margin)`` where it is -1,
    as ``torch.nn.functional.cosine_embedding_loss``.

    Shape: input1, input2 (N, D) with target (N,) of 1/-1, or (D,) with a 0-d target -> ()
    or (N,) for 'none'.
    """
    labels = np.asarray(_data(target))
    expected_rank = 2 if labels.ndim == 1 else 1
    if labels.ndim > 1 or input1.ndim != expected_rank or input2.ndim != expected_rank:
        raise ShapeError(
            "cosine_embedding_loss: expected inputs (N, D) with a target (N,), or (D,) with a 0-d target; got inputs "
            f"{tuple(input1.shape)} and {tuple(input2.shape)} with target {labels.shape}"
        )
    if input1.shape != input2.shape or (labels.ndim == 1 and labels.shape[0] != input1.shape[0]):
        raise ShapeError(
            f"cosine_embedding_loss: inputs {tuple(input1.shape)} and {tuple(input2.shape)} must have the same "
            f"shape, with one target per row (target {labels.shape})"
        )
    dim = labels.ndim
    products = (input1 * input2).sum(dim)
    squared1 = (input1 * input1).sum(dim) + COSINE_EMBEDDING_EPS
    squared2 = (input2 * input2).sum(dim) + COSINE_EMBEDDING_EPS
    cosine = products / (squared1 * squared2).sqrt()
    similar, dissimilar = (labels == 1).astype(input1.dtype), (labels == -1).astype(input1.dtype)
    losses = (1 - cosine) * similar + (cosine - margin).clamp(min=0) * dissimilar
    return _reduce("cosine_embedding_loss", losses, reduction)
