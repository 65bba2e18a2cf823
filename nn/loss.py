"""Loss modules (PyTorch's names and arguments); each calls its ``nn.functional`` form.

``reduction`` is 'mean' (default), 'sum' or 'none' (per-element/per-sample losses).
Class weights and ``pos_weight`` are buffers, so they appear in ``state_dict`` as in PyTorch.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from autograd_core import Tensor

from . import functional as F
from .likelihood_loss import legacy_reduction
from .module import Module


class _Loss(Module):
    _reductions: tuple[str, ...] = ("mean", "sum", "none")

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if reduction not in self._reductions:
            allowed = ", ".join(repr(name) for name in self._reductions[:-1]) + f" or {self._reductions[-1]!r}"
            raise ValueError(f"{type(self).__name__}: reduction must be {allowed}, got {reduction!r}")
        self.reduction = reduction

    def _buffer(self, name: str, value: Any) -> None:
        if value is not None and not isinstance(value, Tensor):
            value = Tensor(np.asarray(value))
        self.register_buffer(name, value)


class MSELoss(_Loss):
    """Mean squared error. Shape: input (*), target (*) the same -> () or (*) for 'none'."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error. Shape: input (*), target (*) the same -> () or (*) for 'none'."""

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits, fused and stable (never softmax-then-log).

    Args:
        weight: (C,) class weights (a weighted mean for 'mean').
        ignore_index: targets equal to it contribute nothing (default -100).
        reduction: 'mean' | 'sum' | 'none'.
        label_smoothing: mix the target with the uniform distribution (in [0, 1]).

    Shape: input (N, C) or (N, C, d1, ...), target (N,) / (N, d1, ...) int64 class indices
    or probabilities of the input's shape -> () or per-sample for 'none'.
    """

    def __init__(
        self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean", label_smoothing: float = 0.0
    ) -> None:
        super().__init__(reduction)
        self._buffer("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class NLLLoss(_Loss):
    """Negative log-likelihood of log-probabilities (e.g. LogSoftmax output).

    Shape: input (N, C), target (N,) int64 -> () or (N,) for 'none'.
    """

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self._buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (logs floored at -100 as in PyTorch).

    Shape: input (*), target (*) the same, values in [0, 1]; weight broadcasts to (*).
    Prefer ``BCEWithLogitsLoss`` on raw scores: it is stabler than sigmoid + BCELoss.
    """

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self._buffer("weight", weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + binary cross-entropy in one stable node: finite for logits of +-100.

    Args:
        weight: rescales each element (broadcasts to the input's shape).
        reduction: 'mean' | 'sum' | 'none'.
        pos_weight: (C,) weight of positive examples per class (along the last dim).

    Shape: input (*, C) logits, target (*, C) in [0, 1] -> () or (*, C) for 'none'.
    """

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None) -> None:
        super().__init__(reduction)
        self._buffer("weight", weight)
        self._buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)


class MultiMarginLoss(_Loss):
    """PyTorch's multi-class hinge loss: ``sum_{j != y} max(0, margin - x[y] + x[j])^p / C``.

    Args:
        p: 1 or 2 (default 1). margin: default 1.0. weight: (C,) per-class weights.

    Shape: input (N, C) or (C,), target (N,) or () int64 -> () or (N,) for 'none'.
    """

    def __init__(self, p: int = 1, margin: float = 1.0, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: p must be 1 or 2, got {p}")
        self.p, self.margin = p, margin
        self._buffer("weight", weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, self.reduction)


class HingeLoss(_Loss):
    """The multi-class SVM loss of the linear-classifier material.

    ``L_i = sum_{j != y_i} max(0, s_j - s_{y_i} + margin)``, averaged over the batch.
    ``HingeLoss()(s, y) == C * MultiMarginLoss()(s, y)``: PyTorch's MultiMarginLoss also
    divides each sample's sum by the number of classes C.

    Shape: scores (N, C), target (N,) int64 -> () or (N,) for 'none'.
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.hinge_loss(input, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}"


class SmoothL1Loss(_Loss):
    """Smooth L1 loss: ``0.5 d^2 / beta`` where |d| < beta, else ``|d| - 0.5 beta`` (d = input - target).

    Args:
        reduction: 'mean' | 'sum' | 'none'.
        beta: where the loss turns from quadratic to linear (default 1.0; 0 gives the L1 loss).

    Shape: input (*), target (*) the same -> () or (*) for 'none'.
    """

    def __init__(self, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber loss: ``0.5 d^2`` where |d| < delta, else ``delta (|d| - 0.5 delta)`` (d = input - target).

    Args:
        reduction: 'mean' | 'sum' | 'none'.
        delta: where the loss turns from quadratic to linear (default 1.0, > 0).

    Shape: input (*), target (*) the same -> () or (*) for 'none'.
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """Kullback-Leibler divergence of ``target`` from ``exp(input)``; ``input`` holds log-probabilities.

    Args:
        reduction: 'batchmean' (the divergence: sum / batch size), 'sum', 'none', or 'mean'
            (the default, as in PyTorch, which warns that it averages over every element).
        log_target: the target holds log-probabilities too.

    Shape: input (N, *), target (N, *) the same -> () or (N, *) for 'none'.
    """

    _reductions = ("mean", "batchmean", "sum", "none")

    def __init__(self, reduction: str = "mean", log_target: bool = False) -> None:
        super().__init__(reduction)
        self.log_target = log_target

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)


class CosineEmbeddingLoss(_Loss):
    """``1 - cos(x1, x2)`` for pairs labelled 1, ``max(0, cos(x1, x2) - margin)`` for pairs labelled -1.

    Args:
        margin: in [-1, 1]; 0 to 0.5 is the usual range (default 0).
        reduction: 'mean' | 'sum' | 'none'.

    Shape: input1, input2 (N, D), target (N,) of 1/-1 (or (D,) with a 0-d target) -> () or (N,) for 'none'.
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class MarginRankingLoss(_Loss):
    """``max(0, -y (x1 - x2) + margin)``: y = 1 ranks ``x1`` above ``x2``, y = -1 below.

    Shape: input1 (N,) or (), input2 and target the same -> () or (N,) for 'none'.
    """

    def __init__(self, margin: float = 0.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input1: Tensor, input2: Tensor, target: Any) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, margin=self.margin, reduction=self.reduction)


class HingeEmbeddingLoss(_Loss):
    """``x`` where y = 1, ``max(0, margin - x)`` where y = -1 (``x`` usually a distance; margin default 1).

    Shape: input (*), target (*) of ±1 -> () or (*) for 'none'.
    """

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = margin

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.hinge_embedding_loss(input, target, margin=self.margin, reduction=self.reduction)


class SoftMarginLoss(_Loss):
    """Two-class logistic loss ``log(1 + exp(-y x))`` with labels of ±1.

    Shape: input (*), target (*) the same -> () or (*) for 'none'.
    """

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class MultiLabelSoftMarginLoss(_Loss):
    """One-versus-all logistic loss over C labels, averaged over the labels (``weight``: (C,) per label).

    Shape: input (N, C) or (C,), target of 0/1 the same -> () or (N,) for 'none'.
    """

    def __init__(self, weight: Any = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self._buffer("weight", weight)

    def forward(self, input: Tensor, target: Any) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, weight=self.weight, reduction=self.reduction)


class TripletMarginLoss(_Loss):
    """``max(0, d(a, p) - d(a, n) + margin)``, d the p-norm pairwise distance.

    Args:
        margin: > 0 (default 1.0). p: the norm's degree (default 2). eps: added to the
            differences (default 1e-6). swap: use ``min(d(a, n), d(p, n))`` (default False).
        reduction: 'mean' | 'sum' | 'none'.

    Shape: anchor, positive, negative (N, D) or (D,) -> () or (N,) for 'none'.
    """

    def __init__(
        self, margin: float = 1.0, p: float = 2.0, eps: float = 1e-6, swap: bool = False, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        if margin <= 0:
            raise ValueError(f"TripletMarginLoss: expected margin to be greater than 0, got {margin} instead")
        self.margin, self.p, self.eps, self.swap = margin, p, eps, swap

    def forward(self, anchor: Tensor, positive: Tensor, negative: Tensor) -> Tensor:
        return F.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, reduction=self.reduction
        )


class PoissonNLLLoss(_Loss):
    """Poisson negative log-likelihood: ``exp(input) - target * input`` for a log-rate input.

    Args:
        log_input: ``input`` is the log-rate (default True); False: the rate, with
            ``input - target * log(input + eps)``.
        full: add Stirling's approximation of ``log(target!)`` (default False).
        eps: keeps the log finite when ``log_input=False`` (default 1e-8).
        size_average, reduce: PyTorch's deprecated pair, mapped to ``reduction`` (with its warning).
        reduction: 'mean' | 'sum' | 'none'.

    Shape: input (*), target (*) the same -> () or (*) for 'none'.
    """

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        size_average: bool | None = None,
        eps: float = 1e-8,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        if size_average is not None or reduce is not None:
            reduction = legacy_reduction("PoissonNLLLoss", size_average, reduce)
        super().__init__(reduction)
        self.log_input, self.full, self.eps = log_input, full, eps

    def forward(self, log_input: Tensor, target: Any) -> Tensor:
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, eps=self.eps, reduction=self.reduction)


class GaussianNLLLoss(_Loss):
    """Gaussian negative log-likelihood ``0.5 (log(var) + (input - target)^2 / var)``, var floored at ``eps``.

    Args:
        full: add the constant ``0.5 log(2 pi)`` (default False). eps: the variance's floor (default 1e-6).
        reduction: 'mean' | 'sum' | 'none'.

    Shape: input (N, *), target (N, *), var (N, *), (N, *) without the last dim, with one
    dim of size 1, or a float -> () or (N, *) for 'none'.
    """

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full, self.eps = full, eps

    def forward(self, input: Tensor, target: Any, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, full=self.full, eps=self.eps, reduction=self.reduction)
