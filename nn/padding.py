"""Padding layers (PyTorch's ``torch.nn.modules.padding``), each one call of ``F.pad``.

``padding`` is an int (the same width on every side) or a tuple in F.pad's order, the last
dim first: ``(left, right)`` for the 1d layers, ``(left, right, top, bottom)`` for the 2d ones.
Negative widths crop.

Shape (1d): (C, W) or (N, C, W) -> (..., W + left + right) (ConstantPad1d takes any number of
leading dims). Shape (2d): (C, H, W) or (N, C, H, W) -> (..., H + top + bottom, W + left + right).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from autograd_core import Tensor

from . import functional as F
from .module import Module


def _widths(owner: str, padding: int | Sequence[int], dims: int) -> tuple[int, ...]:
    """``padding`` as ``2 * dims`` ints, last dim first."""
    if isinstance(padding, (int, np.integer)) and not isinstance(padding, bool):
        return (int(padding),) * (2 * dims)
    if (
        isinstance(padding, (tuple, list))
        and len(padding) == 2 * dims
        and all(isinstance(width, (int, np.integer)) and not isinstance(width, bool) for width in padding)
    ):
        return tuple(int(width) for width in padding)
    sides = "(left, right)" if dims == 1 else "(left, right, top, bottom)"
    raise ValueError(f"{owner}: padding must be an int or a tuple of {2 * dims} ints {sides}, got {padding!r}")


class _PadNd(Module):
    """``F.pad(input, padding, mode, value)`` with the widths fixed at construction."""

    mode = "constant"
    dims = 1

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__()
        self.padding = _widths(type(self).__name__, padding, self.dims)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    def __init__(self, padding: int | Sequence[int], value: float) -> None:
        super().__init__(padding)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``: (*, W) -> (*, W + left + right)."""


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``: (*, H, W) -> (*, H + top + bottom, W + left + right)."""

    dims = 2


class ZeroPad1d(ConstantPad1d):
    """Pad the last dim with zeros: (*, W) -> (*, W + left + right)."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pad the last two dims with zeros: (*, H, W) -> (*, H + top + bottom, W + left + right)."""

    def __init__(self, padding: int | Sequence[int]) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """Pad the last dim with its mirror image, the edge not repeated (each width < W).

    Shape: (C, W) or (N, C, W) -> (..., W + left + right).
    """

    mode = "reflect"


class ReplicationPad1d(_PadNd):
    """Pad the last dim by repeating its edge values.

    Shape: (C, W) or (N, C, W) -> (..., W + left + right).
    """

    mode = "replicate"


class ReflectionPad2d(_PadNd):
    """Pad the last two dims with their mirror image, the edge not repeated (each width < its dim).

    Shape: (C, H, W) or (N, C, H, W) -> (..., H + top + bottom, W + left + right).
    """

    mode = "reflect"
    dims = 2


class ReplicationPad2d(_PadNd):
    """Pad the last two dims by repeating the edge values.

    Shape: (C, H, W) or (N, C, H, W) -> (..., H + top + bottom, W + left + right).
    """

    mode = "replicate"
    dims = 2
