"""Pooling layers: ``MaxPool1d/2d``, ``AvgPool1d/2d``, ``LPPool2d``, ``AdaptiveAvgPool1d/2d``.

Each is a thin module over the op in ``autograd_core.ops.pool`` (also ``nn.functional``),
with PyTorch's arguments, defaults and repr. None has parameters.
"""

from __future__ import annotations

from typing import Any

from autograd_core import Tensor
from autograd_core.ops import pool
from autograd_core.ops.arguments import LayerName
from autograd_core.types import IntOrTuple

from .module import Module


def _one(value: Any) -> tuple:
    """PyTorch's 1-d average pooling keeps its sizes as 1-tuples (shown in the repr)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


class _Pool(Module):
    """A pooling layer: its functional checks the input and names the layer in its errors."""

    def _describe(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class _MaxPoolNd(_Pool):
    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        dilation: IntOrTuple = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """Max over sliding windows along the last dim (see ``nn.functional.max_pool1d``).

    Args: kernel_size, stride (default kernel_size), padding (0, at most half the
    kernel), dilation (1), return_indices (False: also return argmax positions),
    ceil_mode (False: round the output size down).

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out) or (C, L_out),
        L_out = floor((L + 2*padding - dilation*(kernel_size-1) - 1) / stride) + 1.
    """

    def forward(self, input: Tensor) -> Any:
        return pool.max_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices,
            name=LayerName(self),
        )


class MaxPool2d(_MaxPoolNd):
    """Max over sliding ``kernel_size`` windows of the last two dims.

    Args: kernel_size (int or (kH, kW)), stride (default kernel_size), padding (0, at
    most half the kernel), dilation (1), return_indices (False: also return each
    maximum's flat index h*W + w), ceil_mode (False: round the output size down).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out) or (C, H_out, W_out),
        H_out = floor((H + 2*padding[0] - dilation[0]*(kernel_size[0]-1) - 1) / stride[0]) + 1,
        W_out likewise with index 1.
    """

    def forward(self, input: Tensor) -> Any:
        return pool.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation, self.ceil_mode, self.return_indices,
            name=LayerName(self),
        )


class AvgPool1d(_Pool):
    """Mean over sliding windows along the last dim (see ``nn.functional.avg_pool1d``).

    Args: kernel_size, stride (default kernel_size), padding (0), ceil_mode (False),
    count_include_pad (True: padding zeros count in the mean).

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, L_out),
        L_out = floor((L + 2*padding - kernel_size) / stride) + 1.
    """

    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = _one(kernel_size)
        self.stride = _one(stride if stride is not None else kernel_size)
        self.padding = _one(padding)
        self.ceil_mode, self.count_include_pad = ceil_mode, count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return pool.avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode, self.count_include_pad,
            name=LayerName(self),
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_Pool):
    """Mean over sliding ``kernel_size`` windows of the last two dims.

    Args: kernel_size, stride (default kernel_size), padding (0), ceil_mode (False),
    count_include_pad (True: padding zeros count in the mean), divisor_override (None:
    divide by the window size instead).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out),
        H_out = floor((H + 2*padding[0] - kernel_size[0]) / stride[0]) + 1, W_out likewise.
    """

    def __init__(
        self,
        kernel_size: IntOrTuple,
        stride: IntOrTuple | None = None,
        padding: IntOrTuple = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode, self.count_include_pad, self.divisor_override = ceil_mode, count_include_pad, divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return pool.avg_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
            name=LayerName(self),
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class LPPool2d(_Pool):
    """Power-average pooling: ``(sum over the window of x^p)^(1/p)``; p=1 is sum pooling,
    p=inf max pooling of ``|x|``.

    Args: norm_type (p), kernel_size, stride (default kernel_size), ceil_mode (False).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out),
        H_out = floor((H - kernel_size[0]) / stride[0]) + 1, W_out likewise.
    """

    def __init__(
        self, norm_type: float, kernel_size: IntOrTuple, stride: IntOrTuple | None = None, ceil_mode: bool = False
    ) -> None:
        super().__init__()
        self.norm_type, self.kernel_size, self.stride, self.ceil_mode = norm_type, kernel_size, stride, ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return pool.lp_pool2d(
            input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode, name=LayerName(self)
        )

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )


class AdaptiveAvgPool1d(_Pool):
    """Average pooling to a fixed length ``output_size`` whatever the input length.

    Shape:
        input (N, C, L) or (C, L) -> output (N, C, output_size); output i averages
        x[floor(i*L/output_size) : ceil((i+1)*L/output_size)].
    """

    def __init__(self, output_size: int) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return pool.adaptive_avg_pool1d(input, self.output_size, name=LayerName(self))

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool2d(_Pool):
    """Average pooling to a fixed ``(H_out, W_out)`` whatever the input size (an int
    means a square output; ``None`` keeps that input dim; 1 is global average pooling).

    Shape:
        input (N, C, H, W) or (C, H, W) -> output (N, C, H_out, W_out); output (i, j)
        averages rows floor(i*H/H_out) : ceil((i+1)*H/H_out) and likewise columns.
    """

    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return pool.adaptive_avg_pool2d(input, self.output_size, name=LayerName(self))

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"
