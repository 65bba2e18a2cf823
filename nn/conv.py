"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d`` (PyTorch's
arguments, parameter names and shapes, so PyTorch state dicts load, and its default init)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import ShapeError
from autograd_core.ops.arguments import LayerName, int_tuple, require_tensor
from autograd_core.ops.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d, padding_argument
from autograd_core.types import IntOrTuple

from . import init
from .module import Module, Parameter


class _ConvNd(Module):
    """What the convolution layers share: argument checks, parameters, init, repr."""

    dims: int
    transposed: bool = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple,
        padding: Any,
        dilation: IntOrTuple,
        groups: int,
        bias: bool,
        padding_mode: str,
        dtype: Any,
        output_padding: IntOrTuple = 0,
    ) -> None:
        super().__init__()
        name = type(self).__name__
        if not isinstance(groups, int) or groups < 1:
            raise ValueError(f"{name}: groups must be a positive int, got {groups!r}")
        for label, count in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(count, int) or count < 1 or count % groups:
                raise ValueError(f"{name}: {label} must be a positive int divisible by groups={groups}, got {count!r}")
        if padding_mode != "zeros":
            raise ValueError(
                f"{name}: padding_mode={padding_mode!r} is not supported; only 'zeros' is. Pad the input "
                "yourself (e.g. autograd_core.pad) and use padding=0 for other modes."
            )
        self.in_channels, self.out_channels, self.groups, self.padding_mode = (
            in_channels,
            out_channels,
            groups,
            padding_mode,
        )
        self.kernel_size = int_tuple(name, "kernel_size", kernel_size, self.dims, 1)
        self.stride = int_tuple(name, "stride", stride, self.dims, 1)
        self.dilation = int_tuple(name, "dilation", dilation, self.dims, 1)
        self.output_padding = int_tuple(name, "output_padding", output_padding, self.dims, 0)
        self.padding: Any = (
            int_tuple(name, "padding", padding, self.dims, 0)
            if self.transposed
            else padding_argument(name, padding, self.stride, self.dims)
        )
        shape = (in_channels, out_channels // groups) if self.transposed else (out_channels, in_channels // groups)
        self.weight = Parameter(ag.zeros(*shape, *self.kernel_size, dtype=dtype))
        if bias:
            self.bias = Parameter(ag.zeros(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """As PyTorch: weight ~ kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)),
        bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = weight.shape[1] * prod(kernel_size)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def _describe(self) -> str:
        """The layer as error messages name it: ``Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))``."""
        return f"{type(self).__name__}({self.extra_repr()})"

    def extra_repr(self) -> str:
        text = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * self.dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.dims:
            text += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self.dims:
            text += f", output_padding={self.output_padding}"
        if self.groups != 1:
            text += f", groups={self.groups}"
        if self.bias is None:
            text += ", bias=False"
        return text


class _Conv(_ConvNd):
    """Conv1d and Conv2d: PyTorch's constructor, and forward through ``function``."""

    function: Any

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple | str = 0,
        dilation: IntOrTuple = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias, padding_mode, dtype
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.function(
            x, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups, name=LayerName(self)
        )


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) sequences.

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size: k. stride: S (default 1). dilation: D (default 1).
        padding: P as an int (default 0) or 'valid', 'same' (stride 1), 'full' (P = D*(k-1)).
        groups: split channels into this many independent convolutions (default 1).
        bias: learn one additive bias per output channel (default True).
        padding_mode: 'zeros' only. dtype: parameter dtype (float32 by default).

    Shape:
        input (N, C_in, L) or (C_in, L) -> output (N, C_out, L_out),
        L_out = floor((L + 2P - D*(k-1) - 1) / S) + 1.

    Parameters: weight (C_out, C_in/groups, k), bias (C_out,).
    """

    dims = 1
    function = staticmethod(conv1d)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) images.

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size: F as an int or (kH, kW). stride: S (default 1). dilation: D (default 1).
        padding: P as an int or (pH, pW) (default 0), or 'valid', 'same' (stride 1) or
            'full' (P = D*(F-1)); for a 5x5 input and 3x3 kernel: 3x3, 5x5, 7x7 outputs.
        groups: split channels into this many independent convolutions (default 1).
        bias: learn one additive bias per output channel (default True).
        padding_mode: 'zeros' only. dtype: parameter dtype (float32 by default).

    Shape:
        input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out),
        H_out = floor((H + 2P - D*(kH-1) - 1) / S) + 1, i.e. (W - F + 2P)/S + 1 for D = 1.

    Parameters: weight (C_out, C_in/groups, kH, kW), bias (C_out,).
    """

    dims = 2
    function = staticmethod(conv2d)


class ConvTranspose2d(_ConvNd):
    """Transposed 2-D convolution (the gradient of a Conv2d w.r.t. its input; "deconvolution").

    Args:
        in_channels, out_channels: channel counts (both divisible by ``groups``).
        kernel_size: (kH, kW) or an int. stride: S (default 1). padding: P (default 0),
            removed from each side of the output. output_padding: added to one side of the
            output (< S or < D; default 0). groups (default 1). bias (default True).
        dilation: D (default 1). padding_mode: 'zeros' only. dtype: parameter dtype.

    Shape:
        input (N, C_in, H, W) or (C_in, H, W) -> output (N, C_out, H_out, W_out),
        H_out = (H - 1)*S - 2P + D*(kH-1) + output_padding + 1.
        ``forward(x, output_size=(H_out, W_out))`` picks output_padding for that size.

    Parameters: weight (C_in, C_out/groups, kH, kW), bias (C_out,).
    """

    dims = 2
    transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: IntOrTuple,
        stride: IntOrTuple = 1,
        padding: IntOrTuple = 0,
        output_padding: IntOrTuple = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: IntOrTuple = 1,
        padding_mode: str = "zeros",
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels,
            out_channels,
            kernel_size,
            stride,
            padding,
            dilation,
            groups,
            bias,
            padding_mode,
            dtype,
            output_padding,
        )

    function: Any = staticmethod(conv_transpose2d)

    def forward(self, x: Tensor, output_size: Sequence[int] | None = None) -> Tensor:
        output_padding = self.output_padding if output_size is None else self._output_padding(x, output_size)
        return self.function(
            x, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups, self.dilation,
            name=LayerName(self),
        )

    def _output_padding(self, x: Tensor, output_size: Sequence[int]) -> tuple[int, ...]:
        """The output_padding that makes the output ``output_size`` (its last ``dims`` entries)."""
        require_tensor(LayerName(self), x)
        wanted = tuple(output_size)[-self.dims:]
        smallest = tuple(
            (h - 1) * s - 2 * p + d * (k - 1) + 1
            for h, s, p, d, k in zip(x.shape[-self.dims:], self.stride, self.padding, self.dilation, self.kernel_size)
        )
        largest = tuple(low + max(s, d) - 1 for low, s, d in zip(smallest, self.stride, self.dilation))
        if len(wanted) != self.dims or any(not low <= w <= high for w, low, high in zip(wanted, smallest, largest)):
            raise ShapeError(
                f"{self._describe()}: output_size {tuple(output_size)} is not reachable from "
                f"an input of spatial size {tuple(x.shape[-self.dims:])}: each size must lie between {smallest} "
                f"and {largest}."
            )
        return tuple(w - low for w, low in zip(wanted, smallest))


class ConvTranspose1d(ConvTranspose2d):
    """Transposed 1-D convolution over (N, C_in, L) sequences (the gradient of a Conv1d w.r.t. its input).

    Args: as ``ConvTranspose2d``'s, each size one int: kernel_size k, stride S, padding P,
    output_padding, groups, bias, dilation D.

    Shape:
        input (N, C_in, L) or (C_in, L) -> output (N, C_out, L_out),
        L_out = (L - 1)*S - 2P + D*(k-1) + output_padding + 1.
        ``forward(x, output_size=(L_out,))`` picks output_padding for that length.

    Parameters: weight (C_in, C_out/groups, k), bias (C_out,).
    """

    dims = 1
    function = staticmethod(conv_transpose1d)
