"""Noise layers for regularisation: ``Dropout``, ``AlphaDropout`` and ``GaussianNoise`` (active in training only).

All draw from ``autograd_core``'s generator, so ``autograd_core.manual_seed(s)`` makes
the masks and noise reproducible.
"""
from __future__ import annotations

import numpy as np

from autograd_core import Tensor
from autograd_core.creation import generator
from autograd_core.errors import DtypeError
from autograd_core.ops.arguments import LayerName, require_tensor

from .module import Module


def _check_float(name: str, input: Tensor) -> None:
    if input.dtype.kind != "f":
        raise DtypeError(f"{name}: needs a float tensor, got {input.dtype}; call .float() first")


def _check_probability(name: str, p: float) -> float:
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name}: probability p must be in [0, 1], got {p}")
    return float(p)


def dropout(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *, name: str | LayerName | None = None
) -> Tensor:
    """Inverted dropout: zero each element with probability ``p`` and scale the rest by 1/(1-p).

    The expected value is unchanged, so evaluation needs no rescaling; with
    ``training=False`` (or p=0) the input is returned as is. Shape: any -> same.
    The recurrent layers' dropout between layers is this one (the same masks for a seed).
    ``name``: what error messages call the op (``Dropout`` passes its description).
    """
    op = name or "dropout"
    require_tensor(op, input)
    p = _check_probability(op, p)
    if not training or p == 0.0:
        return input
    _check_float(op, input)
    keep = generator().random(input.shape, dtype=np.float32 if input.dtype == np.float32 else np.float64) >= p
    mask = np.asarray(keep, dtype=input.dtype)  # an ndarray also for a 0-d input
    mask *= 0.0 if p == 1.0 else 1.0 / (1.0 - p)
    mask = Tensor._make(mask, False, None)
    return input.mul_(mask) if inplace else input * mask


class Dropout(Module):
    """Randomly zeroes elements with probability ``p`` during training (inverted dropout).

    Args:
        p: probability of an element being zeroed (default 0.5), in [0, 1].
        inplace: overwrite the input instead of returning a new tensor.

    Shape: input (*) -> output (*), the same. In eval mode the layer is the identity.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p = _check_probability("Dropout", p)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return dropout(input, self.p, self.training, self.inplace, name=LayerName(self))

    def _describe(self) -> str:
        return f"Dropout(p={self.p})"

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


SELU_SATURATION = 1.7580993408473766  # -SELU's scale * alpha: the value SELU tends to far left, negated


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout for self-normalising (SELU) networks: keeps zero mean and unit variance.

    Each element is dropped with probability ``p`` to SELU's saturation value ``-alpha'``
    (alpha' = 1.7581), then ``a * x + b`` restores the mean and variance of a standard input:
    ``a = ((1 - p)(1 + p alpha'^2))^(-1/2)``, ``b = a alpha' p`` for kept values (dropped:
    ``-a alpha' (1 - p)``). ``training`` defaults to False, as PyTorch's. Shape: any -> same.
    """
    require_tensor("alpha_dropout", input)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"alpha_dropout: dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0.0:
        return input
    _check_float("alpha_dropout", input)
    if p == 1.0:
        return input * np.zeros((), dtype=input.dtype)
    keep = generator().random(input.shape) >= p
    scale = 1.0 / np.sqrt((SELU_SATURATION**2 * p + 1) * (1 - p))
    # kept: a x + a alpha' p; dropped: a alpha' (p - 1). d/dx = a where kept, 0 where dropped
    mask = np.asarray(keep * scale, dtype=input.dtype)
    shift = np.asarray(scale * SELU_SATURATION * (p - 1 + keep), dtype=input.dtype)
    return input * Tensor._make(mask, False, None) + Tensor._make(shift, False, None)


class AlphaDropout(Module):
    """Alpha dropout for SELU networks: drops to SELU's saturation value and rescales so that a
    zero-mean, unit-variance input keeps those statistics (``alpha_dropout``).

    Args:
        p: probability of an element being dropped (default 0.5), in [0, 1].
        inplace: accepted for PyTorch compatibility (a new tensor is returned).

    Shape: input (*) -> output (*), the same. In eval mode the layer is the identity.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"AlphaDropout: dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        return alpha_dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class GaussianNoise(Module):
    """Adds ``N(0, std^2)`` noise to the input during training (an input-noise regulariser).

    Args:
        std: standard deviation of the noise (default 0.1), >= 0.

    Shape: input (*) -> output (*), the same. In eval mode the layer is the identity.
    No gradient flows into the noise; the gradient to the input is unchanged.
    """

    def __init__(self, std: float = 0.1) -> None:
        super().__init__()
        if not std >= 0:
            raise ValueError(f"GaussianNoise: std must be >= 0, got {std}")
        self.std = float(std)

    def forward(self, input: Tensor) -> Tensor:
        require_tensor("GaussianNoise", input)
        if not self.training or self.std == 0.0:
            return input
        _check_float("GaussianNoise", input)
        noise = np.asarray(generator().standard_normal(input.shape, dtype=input.dtype.type), dtype=input.dtype)
        noise *= self.std
        return input + Tensor._make(noise, False, None)

    def extra_repr(self) -> str:
        return f"std={self.std}"
