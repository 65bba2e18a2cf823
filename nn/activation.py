"""Activation modules (PyTorch's names and arguments); each calls ``nn.functional``.

Shape for all: input (*) -> output (*), the same shape; Softmax/LogSoftmax/Softmin along
``dim``; GLU halves ``dim``: (*, 2N, *) -> (*, N, *).
"""
from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core import Tensor

from . import functional as F
from .module import Module
from .parameter import Parameter


class _Inplace(Module):
    """``inplace`` is accepted for PyTorch compatibility; the result is always a new tensor."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Inplace):
    """``max(0, x)``. ``inplace`` is accepted for compatibility (a new tensor is returned)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)


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


class SiLU(_Inplace):
    """``x * sigmoid(x)`` (swish)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)


class Mish(_Inplace):
    """``x * tanh(softplus(x))``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class Hardtanh(_Inplace):
    """``x`` clamped to ``[min_val, max_val]`` (defaults -1.0, 1.0)."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        if max_val <= min_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, input: Tensor) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}" + (", inplace=True" if self.inplace else "")


class ReLU6(Hardtanh):
    """``min(max(0, x), 6)``."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Hardsigmoid(_Inplace):
    """``relu6(x + 3) / 6``. ``inplace`` is accepted (PyTorch's repr does not show it)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardsigmoid(input)

    def extra_repr(self) -> str:
        return ""


class Hardswish(_Inplace):
    """``x * relu6(x + 3) / 6``. ``inplace`` is accepted (PyTorch's repr does not show it)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.hardswish(input)

    def extra_repr(self) -> str:
        return ""


class LogSigmoid(Module):
    """``log(sigmoid(x))``, finite for any x."""

    def forward(self, input: Tensor) -> Tensor:
        return F.logsigmoid(input)


class Softsign(Module):
    """``x / (1 + |x|)``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softsign(input)


class Tanhshrink(Module):
    """``x - tanh(x)``."""

    def forward(self, input: Tensor) -> Tensor:
        return F.tanhshrink(input)


class SELU(_Inplace):
    """``scale * elu(x, alpha)`` with alpha ~ 1.6733 and scale ~ 1.0507 (self-normalising networks)."""

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input)


class CELU(_Inplace):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`` (default alpha 1.0)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.alpha = alpha

    def forward(self, input: Tensor) -> Tensor:
        return F.celu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class Threshold(_Inplace):
    """``x`` where ``x > threshold``, else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.threshold, self.value = threshold, value

    def forward(self, input: Tensor) -> Tensor:
        return F.threshold(input, self.threshold, self.value)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class GLU(Module):
    """Gated linear unit ``a * sigmoid(b)`` of the two halves of the input along ``dim`` (default -1).

    Shape: (*, 2N, *) -> (*, N, *).
    """

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class PReLU(Module):
    """``x`` for x > 0, ``weight * x`` otherwise, with a learned slope.

    Args:
        num_parameters: 1 (one slope for every channel, default) or the number of channels C.
        init: the slopes' initial value (default 0.25).

    Shape: input (N, C, *) or any shape with one slope -> the same shape; ``weight`` (num_parameters,).
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        if isinstance(num_parameters, bool) or not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive int, got {num_parameters!r}")
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(ag.full((num_parameters,), float(init), dtype=dtype, device=device))

    def reset_parameters(self) -> None:
        self.weight.array[...] = self.init
        self.weight._version.value += 1

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


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


class Softmin(Module):
    """``softmax(-x)`` along ``dim`` (give it: dim=None follows PyTorch's legacy choice)."""

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmin(input, _legacy_dim(input.ndim) if self.dim is None else self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Hardshrink(Module):
    """``x`` where ``|x| > lambd`` (default 0.5), else 0."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class Softshrink(Module):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0 (``lambd`` >= 0, default 0.5)."""

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input: Tensor) -> Tensor:
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)


class RReLU(_Inplace):
    """Randomized leaky ReLU: slope ``a ~ U(lower, upper)`` per element for x <= 0 in training,
    the mean slope ``(lower + upper) / 2`` in eval (defaults 1/8 and 1/3)."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False) -> None:
        super().__init__(inplace)
        self.lower, self.upper = lower, upper

    def forward(self, input: Tensor) -> Tensor:
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (", inplace=True" if self.inplace else "")
