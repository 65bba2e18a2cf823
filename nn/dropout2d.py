"""``Dropout1d`` and ``Dropout2d``: zero whole channels (feature maps) at random while training.

Neighbouring pixels of a feature map are strongly correlated, so dropping single
pixels (``Dropout``) barely regularises a CNN; dropping whole channels does. Kept
channels are scaled by ``1 / (1 - p)`` ("inverted" dropout), so evaluation needs no
rescaling and the layer is the identity in ``eval()`` mode. Masks come from
``autograd_core``'s seeded generator (``autograd_core.manual_seed``).
"""

from __future__ import annotations

from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.creation import generator
from autograd_core.errors import ShapeError

from .module import Module


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel of ``input`` with probability ``p``; scale the rest by ``1/(1-p)``.

    Shape: ``(N, C, H, W)`` -> same, one draw per (sample, channel). A 3-d input is
    taken as ``(N, C, L)`` (one draw per (sample, channel)), as PyTorch currently does.
    The gradient is the same mask times the upstream gradient.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout2d: p is a probability and must be in [0, 1], got {p!r}")
    if input.ndim not in (3, 4):
        raise ShapeError(
            f"dropout2d: expected a 4-d (N, C, H, W) or 3-d (N, C, L) input, got shape {tuple(input.shape)}; "
            "use dropout for other shapes."
        )
    if not training or p == 0.0:
        return input
    mask_shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    if p == 1.0:
        scaled_mask = ag.zeros(mask_shape, dtype=input.dtype)
    else:
        keep = generator().random(mask_shape) >= p
        scaled_mask = Tensor(keep / (1.0 - p), dtype=input.dtype)
    return input.mul_(scaled_mask) if inplace else input * scaled_mask


class Dropout2d(Module):
    """Channel-wise dropout: in training, each channel is zeroed with probability ``p``
    and the kept ones are scaled by ``1/(1-p)``; the identity in ``eval()`` mode.

    Args:
        p: probability of zeroing a channel (default 0.5).
        inplace: overwrite the input instead of allocating (default False).

    Shape:
        input (N, C, H, W) -> output (N, C, H, W) (same shape).
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout2d: p is a probability and must be in [0, 1], got {p!r}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Any:
        return dropout2d(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each channel of a sequence batch with probability ``p``; scale the rest by ``1/(1-p)``.

    Shape: ``(N, C, L)`` or unbatched ``(C, L)`` -> same, one draw per (sample, channel).
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout1d: dropout probability has to be between 0 and 1, but got {p!r}")
    if input.ndim not in (2, 3):
        raise ShapeError(
            f"dropout1d: expected 2D or 3D input, but received a {input.ndim}D input (shape {tuple(input.shape)}). "
            "dropout1d drops channels of inputs with 1 spatial dim, a channel dim and an optional batch dim: "
            "(C, L) or (N, C, L)."
        )
    if not training or p == 0.0:
        return input
    if input.ndim == 2:
        return dropout2d(input.unsqueeze(0), p, training).squeeze(0)
    return dropout2d(input, p, training, inplace)


class Dropout1d(Module):
    """Channel-wise dropout of sequences: in training, each channel (a whole length-L row) is
    zeroed with probability ``p`` and the kept ones are scaled by ``1/(1-p)``; the identity in ``eval()``.

    Args:
        p: probability of zeroing a channel (default 0.5).
        inplace: overwrite the input instead of allocating (default False).

    Shape:
        input (N, C, L) or (C, L) -> output of the same shape.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout1d: dropout probability has to be between 0 and 1, but got {p!r}")
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Any:
        return dropout1d(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
