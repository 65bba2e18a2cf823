"""Activation modules (PyTorch's names and arguments); each calls ``nn.functional``.

Shape for all: input (*) -> output (*), the same shape; Softmax/LogSoftmax along ``dim``.
"""
from __future__ import annotations

from autograd_core import Tensor

from . import functional as F
from .module import Module


class _Inplace(Module):
    """``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class ReLU(_Inplace):
    """``max(0, x)``. ``inplace`` is accepted for compatibility (a new tensor is returned)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class LeakyReLU(_Inplace):
    """``x`` for x > 0, ``negative_slope * x`` otherwise (default slope 0.01)."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.negative_slope = negative_slope

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(_Inplace):
    """``x`` for x > 0, ``alpha * (exp(x) - 1)`` otherwise (default alpha 1.0)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """``x * Phi(x)`` (Phi: the standard normal CDF); ``approximate='tanh'`` uses the tanh formula."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``, computed without overflow."""

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """``tanh(x)``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class Softplus(Module):
    """``log(1 + exp(beta x)) / beta``, and ``x`` where ``beta x > threshold`` (defaults 1.0, 20.0)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


def _legacy_dim(ndim: int) -> int:
    # PyTorch's choice when no dim is given: 0 for 0-, 1- and 3-D input, else 1
    return 0 if ndim in (0, 1, 3) else 1


class Softmax(Module):
    """``exp(x) / sum(exp(x))`` along ``dim`` (give it: dim=None follows PyTorch's legacy choice)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, _legacy_dim(input.ndim) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """``x - logsumexp(x)`` along ``dim``: stable log-probabilities (pair with NLLLoss)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, _legacy_dim(input.ndim) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Sign(Module):
    """The perceptron's bipolar activation: -1, 0 or 1 by the sign of x.

    Its gradient is 0 (the step has no useful derivative): train with the perceptron rule,
    or set ``straight_through=True`` to pass gradients where ``|x| <= 1``.
    """

    def __init__(self, straight_through: bool = False) -> None:
        super().__init__()
        self.straight_through = straight_through

    def forward(self, input: Tensor) -> Tensor:
        return F.sign(input, self.straight_through)

    def extra_repr(self) -> str:
        return "straight_through=True" if self.straight_through else ""


class Step(Module):
    """The perceptron's Heaviside activation: 1 for x > 0, 0 for x < 0, ``value`` at 0 (default 0).

    Gradient as ``Sign``: 0, or straight-through where ``|x| <= 1``.
    """

    def __init__(self, value: float = 0.0, straight_through: bool = False) -> None:
        super().__init__()
        self.value, self.straight_through = value, straight_through

    def forward(self, input: Tensor) -> Tensor:
        return F.step(input, self.value, self.straight_through)

    def extra_repr(self) -> str:
        return f"value={self.value}" + (", straight_through=True" if self.straight_through else "")
