"""``autograd_core.special``: PyTorch's ``torch.special`` functions that this project has, each
differentiable (the same ops as the top-level functions, or short compositions of them).

``erf erfc erfinv expit expm1 exp2 log1p logit xlogy ndtr ndtri logsumexp softmax log_softmax
round``; other ``torch.special`` names raise an AttributeError that says what to use.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .functions import erf, erfc, erfinv, expm1, log1p, log_softmax, logsumexp, round, sigmoid, softmax, where
from .tensor import Tensor

expit = sigmoid


def exp2(input: Tensor) -> Tensor:
    """``2 ** input``."""
    return 2.0**input


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    p = input if eps is None else input.clamp(eps, 1.0 - eps)
    return (p / (1.0 - p)).log()


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN), as PyTorch's."""
    input = input if isinstance(input, Tensor) else Tensor(input)
    other = other if isinstance(other, Tensor) else Tensor(other, dtype=input.dtype)
    zero = (input.array == 0) & ~np.isnan(other.array)
    return where(zero, 0.0, input * where(zero, 1.0, other).log())  # log(1) where zero: no 0 * -inf


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF ``(1 + erf(x / sqrt 2)) / 2``."""
    return (erf(input * (1.0 / math.sqrt(2.0))) + 1.0) * 0.5


def ndtri(input: Tensor) -> Tensor:
    """The inverse of ``ndtr``: ``sqrt 2 * erfinv(2 p - 1)``."""
    return erfinv(input * 2.0 - 1.0) * math.sqrt(2.0)


__all__ = ["erf", "erfc", "erfinv", "expit", "expm1", "exp2", "log1p", "logit", "xlogy", "ndtr", "ndtri",
           "logsumexp", "softmax", "log_softmax", "round"]


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"autograd_core.special has no {name!r} (torch.special's {', '.join(__all__)} are here); "
        "write it from tensor ops (log, exp, erf, ...), which are differentiable"
    )
