"""Channel shuffle (ShuffleNet's): ``channel_shuffle`` and ``ChannelShuffle``, as PyTorch's.

The C channels, seen as ``groups`` groups of C / groups, are interleaved: (N, g, C/g, *)
transposed to (N, C/g, g, *), so that the next grouped convolution mixes every group.
A reshape, a transpose and a reshape: the gradient is the inverse permutation.
"""
from __future__ import annotations

from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.ops.arguments import require_tensor

from .module import Module


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``groups`` groups. Shape: (N, C, *) -> the same, C divisible by groups."""
    require_tensor("channel_shuffle", input)
    if isinstance(groups, bool) or not isinstance(groups, int) or groups < 1:
        raise ValueError(f"channel_shuffle: number of groups to divide channels in must be positive, got {groups!r}")
    if input.ndim < 3:
        raise ShapeError(f"channel_shuffle: expected input (N, C, *) with at least 3 dims, got shape "
                         f"{tuple(input.shape)}")
    channels = input.shape[1]
    if channels % groups:
        raise ShapeError(
            f"channel_shuffle: number of channels must be divisible by groups. Got {channels} channels and "
            f"{groups} groups."
        )
    batch, rest = input.shape[0], tuple(input.shape[2:])
    grouped = input.reshape(batch, groups, channels // groups, *rest)
    return grouped.transpose(1, 2).reshape(input.shape)


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups, as ``torch.nn.ChannelShuffle``.

    Shape: input (N, C, *) -> output of the same shape (C divisible by groups).
    """

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input: Tensor) -> Tensor:
        return channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        return f"groups={self.groups}"
