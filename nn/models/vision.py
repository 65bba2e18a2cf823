"""Vision models: LeNet-5 and a small VGG-style network (convolutions, ReLU, max pooling)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError

from ..containers import ModuleList
from ..conv import Conv2d
from ..linear import Linear
from ..module import Module
from ..pooling import MaxPool2d


class LeNet5(Module):
    """LeNet-5 (LeCun et al. 1998) with ReLU and max pooling, for 1x28x28 digits.

    conv1 1->6 5x5 pad 2 -> relu -> maxpool 2 -> conv2 6->16 5x5 -> relu -> maxpool 2
    -> fc1 400->120 -> relu -> fc2 120->84 -> relu -> fc3 84->num_classes.

    Shape:
        input (N, 1, 28, 28) -> logits (N, num_classes). Feature maps: (N, 6, 28, 28) ->
        (N, 6, 14, 14) -> (N, 16, 10, 10) -> (N, 16, 5, 5) -> (N, 400).
    """

    def __init__(self, num_classes: int = 10, dtype: Any = None) -> None:
        super().__init__()
        self.conv1 = Conv2d(1, 6, 5, padding=2, dtype=dtype)
        self.conv2 = Conv2d(6, 16, 5, dtype=dtype)
        self.pool = MaxPool2d(2)
        self.fc1 = Linear(16 * 5 * 5, 120, dtype=dtype)
        self.fc2 = Linear(120, 84, dtype=dtype)
        self.fc3 = Linear(84, num_classes, dtype=dtype)

    def features(self, x: Tensor) -> Tensor:
        """(N, 1, 28, 28) -> (N, 16, 5, 5): the convolutional part."""
        if not isinstance(x, Tensor) or x.ndim != 4 or tuple(x.shape[1:]) != (1, 28, 28):
            got = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(
                f"LeNet5: expected input of shape (N, 1, 28, 28), got {got}; reshape MNIST images with "
                "x.reshape(-1, 1, 28, 28)"
            )
        x = self.pool(ag.relu(self.conv1(x)))
        return self.pool(ag.relu(self.conv2(x)))

    def forward(self, x: Tensor) -> Tensor:
        x = self.features(x).flatten(1)
        x = ag.relu(self.fc1(x))
        x = ag.relu(self.fc2(x))
        return self.fc3(x)


class SmallVGG(Module):
    """A small VGG-style network: stages of two 3x3 'same' convolutions with ReLU, each
    stage ending in a 2x2 max pool that halves the image, then two linear layers.

    Args:
        in_channels: image channels (1 for MNIST, 3 for colour images).
        num_classes: output logits. image_size: input height = width (divisible by 2**stages).
        channels: output channels of each stage, e.g. (16, 32) for two stages.
        hidden: width of the hidden linear layer.

    Shape:
        input (N, in_channels, image_size, image_size) -> logits (N, num_classes); after
        the stages (N, channels[-1], image_size / 2**len(channels), same).
    """

    def __init__(
        self,
        in_channels: int = 1,
        num_classes: int = 10,
        image_size: int = 28,
        channels: Sequence[int] = (16, 32),
        hidden: int = 128,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if image_size % 2 ** len(channels):
            raise ValueError(
                f"SmallVGG: image_size {image_size} must be divisible by 2**{len(channels)} (one halving per stage)"
            )
        self.in_channels, self.image_size = in_channels, image_size
        self.stages = ModuleList()
        previous = in_channels
        for width in channels:
            self.stages.append(
                ModuleList(
                    [
                        Conv2d(previous, width, 3, padding=1, dtype=dtype),
                        Conv2d(width, width, 3, padding=1, dtype=dtype),
                    ]
                )
            )
            previous = width
        self.pool = MaxPool2d(2)
        side = image_size // 2 ** len(channels)
        self.fc1 = Linear(previous * side * side, hidden, dtype=dtype)
        self.fc2 = Linear(hidden, num_classes, dtype=dtype)

    def forward(self, x: Tensor) -> Tensor:
        expected = (self.in_channels, self.image_size, self.image_size)
        if not isinstance(x, Tensor) or x.ndim != 4 or tuple(x.shape[1:]) != expected:
            got = tuple(x.shape) if isinstance(x, Tensor) else type(x).__name__
            raise ShapeError(f"SmallVGG: expected input of shape (N, {', '.join(map(str, expected))}), got {got}")
        for first, second in self.stages:
            x = self.pool(ag.relu(second(ag.relu(first(x)))))
        return self.fc2(ag.relu(self.fc1(x.flatten(1))))
