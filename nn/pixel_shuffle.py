"""Moving pixels between channels and space: ``pixel_shuffle`` / ``pixel_unshuffle`` and their
modules, as PyTorch's (sub-pixel convolution upsampling, Shi et al. 2016).

``pixel_shuffle`` with factor r turns (*, C r^2, H, W) into (*, C, H r, W r): channel
``c r^2 + i r + j`` becomes pixel (i, j) of each r x r block of channel c.
``pixel_unshuffle`` is its inverse. Both are a reshape, a permute and a reshape (so the
gradient is the inverse rearrangement, and twice differentiable).
"""
from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from autograd_core.errors import ShapeError

from .module import Module


def _check(name: str, input: Any, factor: Any, label: str) -> int:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 3:
        raise ShapeError(
            f"{name} expects input to have at least 3 dimensions (*, C, H, W), but got input of shape "
            f"{tuple(input.shape)} with {input.ndim} dimension(s)"
        )
    if not isinstance(factor, int) or isinstance(factor, bool) or factor <= 0:
        raise ValueError(f"{name} expects a positive int {label}, but got {factor!r}")
    return factor


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r) with r = upscale_factor, as ``torch.nn.functional.pixel_shuffle``."""
    factor = _check("pixel_shuffle", input, upscale_factor, "upscale_factor")
    *batch, channels, height, width = input.shape
    if channels % (factor * factor):
        raise ShapeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
            f"upscale_factor, but input.size(-3)={channels} is not divisible by {factor * factor}"
        )
    out_channels, lead = channels // (factor * factor), len(batch)
    blocks = input.reshape(*batch, out_channels, factor, factor, height, width)
    # (*, C, r, r, H, W) -> (*, C, H, r, W, r)
    spread = blocks.permute(*range(lead), lead, lead + 3, lead + 1, lead + 4, lead + 2)
    return spread.reshape(*batch, out_channels, height * factor, width * factor)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W) with r = downscale_factor, as ``torch.nn.functional.pixel_unshuffle``."""
    factor = _check("pixel_unshuffle", input, downscale_factor, "downscale_factor")
    *batch, channels, height, width = input.shape
    for label, position, size in (("height", -2, height), ("width", -1, width)):
        if size % factor:
            raise ShapeError(
                f"pixel_unshuffle expects {label} to be divisible by downscale_factor, but "
                f"input.size({position})={size} is not divisible by {factor}"
            )
    lead = len(batch)
    blocks = input.reshape(*batch, channels, height // factor, factor, width // factor, factor)
    # (*, C, H/r, r, W/r, r) -> (*, C, r, r, H/r, W/r)
    gathered = blocks.permute(*range(lead), lead, lead + 2, lead + 4, lead + 1, lead + 3)
    return gathered.reshape(*batch, channels * factor * factor, height // factor, width // factor)


class PixelShuffle(Module):
    """Rearrange (*, C r^2, H, W) into (*, C, H r, W r), as ``torch.nn.PixelShuffle`` (r = upscale_factor).

    Shape: input (*, C_in, H_in, W_in) -> output (*, C_in / r^2, H_in r, W_in r).
    """

    def __init__(self, upscale_factor: int) -> None:
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """Rearrange (*, C, H r, W r) into (*, C r^2, H, W), as ``torch.nn.PixelUnshuffle`` (r = downscale_factor).

    Shape: input (*, C_in, H_in, W_in) -> output (*, C_in r^2, H_in / r, W_in / r).
    """

    def __init__(self, downscale_factor: int) -> None:
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        return pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
