"""Convolution: ``conv1d``, ``conv2d`` and ``conv_transpose2d`` (NCL / NCHW, as PyTorch).

Output size along each spatial dim, for input size W, kernel size F, padding P on
each side, stride S and dilation D (the kernel then spans D*(F-1)+1 positions)::

    out = floor((W + 2P - D*(F-1) - 1) / S) + 1      # = (W - F + 2P)/S + 1 when D = 1

Padding modes: an int or tuple, or ``'valid'`` (P = 0), ``'same'`` (out = W, stride 1
only; an odd total puts the extra row after, as PyTorch) and ``'full'`` (P = D*(F-1):
every partial overlap, out = W + D*(F-1)). For a 5x5 input and a 3x3 kernel these
give 3x3, 5x5 and 7x7 outputs.

When (W - F + 2P) is not a multiple of S (e.g. 7x7 input, 3x3 kernel, stride 3, no
padding) we follow PyTorch and floor: the last rows/columns the kernel cannot reach are
ignored. A configuration whose kernel does not fit the padded input (an empty output)
raises ``ShapeError`` naming input size, kernel, stride, padding and dilation.

Three ``Function``s close under differentiation (each is bilinear in its two tensor
inputs, and each one's gradients are the other two), so gradients of any order work:

    y = Conv2d(x, w)           dx = ConvTranspose2d(dy, w)       dw = Conv2dWeight(x, dy)
    x = ConvTranspose2d(y, w)  dy = Conv2d(dx, w)                dw = Conv2dWeight(dx, y)
    w = Conv2dWeight(x, y)     dx = ConvTranspose2d(y, dw)       dy = Conv2d(x, dw)

``Conv2d`` hands its im2col columns to ``Conv2dWeight`` (up to ``KEEP_COLUMNS_BYTES``), so
the weight gradient does not redo that pass.

The arithmetic runs in ``autograd_core.kernels.conv`` (Numba im2col + BLAS; per-image
or, for small outputs, one wide product over the batch: see ``kernels.conv.scheme``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from ..errors import ShapeError
from ..function import Function
from ..kernels import conv as kernels
from ..tensor import Tensor
from ..types import IntOrTuple, Pair
from .arguments import LayerName, int_tuple, lift_to_2d, require_float, require_same_dtype, require_tensor, window_count


class Geometry(NamedTuple):
    """A convolution's geometry in 2-D terms; ``padding`` is the count added *before*
    each spatial dim (the count after is implied by the sizes)."""

    stride: Pair
    padding: Pair
    dilation: Pair
    groups: int


#: The forward's im2col columns are kept for the weight gradient (saving that pass) when
#: they take at most this many bytes; larger ones are recomputed in backward.
KEEP_COLUMNS_BYTES = 64 * 2**20


class Conv2d(Function):
    """x (N, C_in, H, W) * weight (C_out, C_in/groups, kh, kw) [+ bias (C_out,)]."""

    fresh_gradients = (0, 1, 2)  # each the output of an op of its own

    @staticmethod
    def forward(ctx: Function, x: Tensor, weight: Tensor, bias: Any, geometry: Geometry, out_size: Pair) -> np.ndarray:
        need_x, need_weight = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_weight else None, weight if need_x else None)
        ctx.geometry, ctx.in_size, ctx.kernel_size = geometry, x.shape[2:], weight.shape[2:]
        if x.shape[0] == 0:  # an empty batch: nothing for the kernels to do
            ctx.columns = None
            return np.zeros((0, weight.shape[0]) + tuple(out_size), x.dtype)
        wide = kernels.is_wide(ctx.kernel_size, geometry.stride, geometry.padding, out_size)
        cols = kernels.columns(
            x.array, ctx.kernel_size, geometry.stride, geometry.padding, geometry.dilation, out_size, wide,
            weight.shape, geometry.groups,
        )
        ctx.columns = cols if need_weight and cols.nbytes <= KEEP_COLUMNS_BYTES else None
        out = kernels.conv2d_forward(x.array, weight.array, *geometry, out_size, cols)
        if bias is not None:
            out += bias.array.reshape(1, -1, 1, 1)
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, weight = ctx.saved_tensors
        need_x, need_weight, need_bias = ctx.needs_input_grad[:3]
        # d/dx: the transposed convolution of the gradient; d/dw: input correlated with it
        grad_x = ConvTranspose2d.apply(grad_output, weight, None, ctx.geometry, ctx.in_size) if need_x else None
        grad_weight = (
            Conv2dWeight.apply(x, grad_output, ctx.geometry, ctx.kernel_size, ctx.columns) if need_weight else None
        )
        ctx.columns = None
        grad_bias = grad_output.sum((0, 2, 3)) if need_bias else None
        return grad_x, grad_weight, grad_bias, None, None


class ConvTranspose2d(Function):
    """The adjoint of ``Conv2d`` in x: y (N, C_out, oh, ow), weight (C_out, C_in/groups, kh, kw)
    -> (N, C_in, *in_size) [+ bias (C_in,)], for the geometry of that ``Conv2d``."""

    @staticmethod
    def forward(ctx: Function, y: Tensor, weight: Tensor, bias: Any, geometry: Geometry, in_size: Pair) -> np.ndarray:
        need_y, need_weight = ctx.needs_input_grad[:2]
        ctx.save_for_backward(y if need_weight else None, weight if need_y else None)
        ctx.geometry, ctx.out_size, ctx.kernel_size = geometry, y.shape[2:], weight.shape[2:]
        if y.shape[0] == 0:
            return np.zeros((0, weight.shape[1] * geometry.groups) + tuple(in_size), y.dtype)
        out = kernels.conv2d_input_grad(y.array, weight.array, *geometry, in_size)
        if bias is not None:
            out += bias.array.reshape(1, -1, 1, 1)
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        y, weight = ctx.saved_tensors
        need_y, need_weight, need_bias = ctx.needs_input_grad[:3]
        grad_y = Conv2d.apply(grad_output, weight, None, ctx.geometry, ctx.out_size) if need_y else None
        grad_weight = Conv2dWeight.apply(grad_output, y, ctx.geometry, ctx.kernel_size, None) if need_weight else None
        grad_bias = grad_output.sum((0, 2, 3)) if need_bias else None
        return grad_y, grad_weight, grad_bias, None, None


class Conv2dWeight(Function):
    """The adjoint of ``Conv2d`` in the weight: x (N, C_in, H, W), y (N, C_out, oh, ow)
    -> (C_out, C_in/groups, *kernel_size)."""

    @staticmethod
    def forward(
        ctx: Function, x: Tensor, y: Tensor, geometry: Geometry, kernel_size: Pair, columns: Any = None
    ) -> np.ndarray:
        need_x, need_y = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_y else None, y if need_x else None)
        ctx.geometry, ctx.in_size, ctx.out_size = geometry, x.shape[2:], y.shape[2:]
        if x.shape[0] == 0:  # no samples: no contribution
            return np.zeros((y.shape[1], x.shape[1] // geometry.groups) + tuple(kernel_size), x.dtype)
        return kernels.conv2d_weight_grad(x.array, y.array, *geometry, kernel_size, columns)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        grad_x = ConvTranspose2d.apply(y, grad_output, None, ctx.geometry, ctx.in_size) if need_x else None
        grad_y = Conv2d.apply(x, grad_output, None, ctx.geometry, ctx.out_size) if need_y else None
        return grad_x, grad_y, None, None, None


# -- argument checking (the shared rules: ``ops/arguments.py``) ----------------------
def _layout(dims: int, channels: Any) -> str:
    spatial = "L" if dims == 1 else "H, W"
    return f"(N, {channels}, {spatial}) or ({channels}, {spatial})"


def _check_tensors(op: str, input: Any, weight: Any, bias: Any, dims: int) -> None:
    require_tensor(op, input)
    require_tensor(op, weight, "weight")
    if bias is not None:
        require_tensor(op, bias, "bias")
    if weight.ndim != dims + 2:
        raise ShapeError(f"{op}: expected a weight with {dims + 2} dims, got shape {tuple(weight.shape)}")
    if 0 in weight.shape[2:]:
        raise ShapeError(f"{op}: the weight {tuple(weight.shape)} has an empty kernel; kernel sizes must be positive")
    require_float(op, weight, "weight")
    require_same_dtype(op, input, weight)
    if bias is not None:
        require_same_dtype(op, bias, weight, "bias")


def _check_groups(op: str, groups: Any, **channels: int) -> int:
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool):
        raise TypeError(f"{op}: groups must be a positive int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    for name, count in channels.items():
        if count % groups:
            raise ShapeError(
                f"{op}: groups={groups} must divide the {name.replace('_', ' ')} ({count}); "
                "choose a divisor of the channel counts"
            )
    return int(groups)


def _check_channels(op: str, input: Tensor, weight: Tensor, dims: int, expected: int, groups: int) -> Tensor:
    """``input`` as a batch (an unbatched input gets a batch dim of 1), with ``expected`` channels."""
    if input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{op}: expected input of shape {_layout(dims, expected)}, got {tuple(input.shape)}")
    x = input.unsqueeze(0) if input.ndim == dims + 1 else input
    if x.shape[1] != expected:
        raise ShapeError(
            f"{op}: expected input of shape {_layout(dims, expected)}, got {tuple(input.shape)}: the input has "
            f"{x.shape[1]} channels but the weight {tuple(weight.shape)} with groups={groups} expects {expected}; "
            "check in_channels against the previous layer's out_channels"
        )
    return x


def _check_bias(op: str, bias: Any, out_channels: int) -> None:
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(
            f"{op}: bias must have shape ({out_channels},), one per output channel; got {tuple(bias.shape)}"
        )


def padding_argument(op: str, padding: Any, stride: tuple[int, ...], dims: int) -> str | tuple[int, ...]:
    """``padding`` checked: 'valid', 'same' (stride 1 only, as PyTorch) or 'full', or an int
    or tuple of ``dims`` non-negative ints (returned as that tuple)."""
    if not isinstance(padding, str):
        return int_tuple(op, "padding", padding, dims, 0)
    if padding not in ("valid", "same", "full"):
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid', 'same' or 'full', got {padding!r}")
    if padding == "same" and any(s != 1 for s in stride):
        raise ValueError(
            f"{op}: padding='same' needs stride 1 (got stride {stride}), as in PyTorch; give the padding as numbers"
        )
    return padding


def _padding(op: str, padding: Any, kernel: tuple, stride: tuple, dilation: tuple) -> tuple[tuple, tuple]:
    """(before, after) per spatial dim, from an int, a tuple or 'valid'/'same'/'full'."""
    padding = padding_argument(op, padding, stride, len(kernel))
    spans = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if padding == "valid":
        return (0,) * len(kernel), (0,) * len(kernel)
    if padding == "same":  # an odd total puts the extra row after, as PyTorch
        return tuple(s // 2 for s in spans), tuple(s - s // 2 for s in spans)
    if padding == "full":
        return tuple(spans), tuple(spans)
    return padding, padding


def _output_size(
    op: str, size: tuple, kernel: tuple, stride: tuple, padding: tuple[tuple, tuple], dilation: tuple
) -> tuple:
    """floor((W + P_before + P_after - D*(F-1) - 1) / S) + 1 per dim; ShapeError when empty."""
    before, after = padding
    out = tuple(window_count(*dim) for dim in zip(size, kernel, stride, before, after, dilation))
    if any(o < 1 for o in out):
        shown = "x".join(map(str, size))
        raise ShapeError(
            f"{op}: a {'x'.join(map(str, kernel))} kernel (dilation {dilation}, stride {stride}) does not fit "
            f"a {shown} input with padding {before if before == after else (before, after)}: the output would "
            f"have size {out}. out = (W - F + 2P)/S + 1 needs W + 2P >= D*(F-1) + 1; use more padding, "
            "a smaller kernel or dilation, or a larger input."
        )
    return out


def _convolution(
    op: str, input: Tensor, weight: Tensor, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any, dims: int
) -> Tensor:
    _check_tensors(op, input, weight, bias, dims)
    out_channels, kernel = weight.shape[0], tuple(weight.shape[2:])
    channels = input.shape[-dims - 1] if input.ndim in (dims + 1, dims + 2) else 0
    groups = _check_groups(op, groups, input_channels=channels, output_channels=out_channels)
    x = _check_channels(op, input, weight, dims, weight.shape[1] * groups, groups)
    _check_bias(op, bias, out_channels)
    stride = int_tuple(op, "stride", stride, dims, 1)
    dilation = int_tuple(op, "dilation", dilation, dims, 1)
    pads = _padding(op, padding, kernel, stride, dilation)
    out_size = _output_size(op, tuple(x.shape[2:]), kernel, stride, pads, dilation)
    geometry = Geometry(lift_to_2d(stride, 1), lift_to_2d(pads[0], 0), lift_to_2d(dilation, 1), groups)
    if dims == 1:
        out = Conv2d.apply(x.unsqueeze(2), weight.unsqueeze(2), bias, geometry, (1, out_size[0])).squeeze(2)
    else:
        out = Conv2d.apply(x, weight, bias, geometry, out_size)
    return out.squeeze(0) if input.ndim == dims + 1 else out


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    Shapes: input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in/groups, kH, kW);
    bias (C_out,) -> output (N, C_out, H_out, W_out) with
    ``H_out = floor((H + 2P - D*(kH-1) - 1) / S) + 1`` (``(H - F + 2P)/S + 1`` for D = 1).
    ``padding``: int, (pH, pW), 'valid', 'same' (stride 1) or 'full' (P = D*(k-1)).
    ``name``: what error messages call the op (the calling module's description).
    """
    return _convolution(name or "conv2d", input, weight, bias, stride, padding, dilation, groups, dims=2)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``.

    Shapes: input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, k); bias (C_out,)
    -> output (N, C_out, L_out), ``L_out = floor((L + 2P - D*(k-1) - 1) / S) + 1``.
    ``padding``: int, 'valid', 'same' (stride 1) or 'full'. ``name``: as in ``conv2d``.
    """
    return _convolution(name or "conv1d", input, weight, bias, stride, padding, dilation, groups, dims=1)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Transposed 2-D convolution (the gradient of ``conv2d`` w.r.t. its input), as
    ``torch.nn.functional.conv_transpose2d``.

    Shapes: input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out/groups, kH, kW);
    bias (C_out,) -> output (N, C_out, H_out, W_out) with
    ``H_out = (H - 1)*S - 2P + D*(kH-1) + output_padding + 1``, the size a ``conv2d`` with
    the same arguments maps back to H. ``output_padding`` (< stride or < dilation) picks
    among the input sizes that such a ``conv2d`` floors to the same output.
    ``name``: as in ``conv2d``.
    """
    return _transposed_convolution(
        name or "conv_transpose2d", input, weight, bias, stride, padding, output_padding, groups, dilation, dims=2
    )


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Transposed 1-D convolution (the gradient of ``conv1d`` w.r.t. its input), as
    ``torch.nn.functional.conv_transpose1d``: ``conv_transpose2d`` on a height of 1.

    Shapes: input (N, C_in, L) or (C_in, L); weight (C_in, C_out/groups, k); bias (C_out,)
    -> output (N, C_out, L_out), ``L_out = (L - 1)*S - 2P + D*(k-1) + output_padding + 1``.
    """
    return _transposed_convolution(
        name or "conv_transpose1d", input, weight, bias, stride, padding, output_padding, groups, dilation, dims=1
    )


def _transposed_convolution(
    op: str, input: Tensor, weight: Tensor, bias: Any, stride: Any, padding: Any, output_padding: Any, groups: Any,
    dilation: Any, dims: int,
) -> Tensor:
    _check_tensors(op, input, weight, bias, dims)
    channels = input.shape[-dims - 1] if input.ndim in (dims + 1, dims + 2) else 0
    groups = _check_groups(op, groups, input_channels=channels)
    y = _check_channels(op, input, weight, dims, weight.shape[0], groups)
    _check_bias(op, bias, weight.shape[1] * groups)
    stride = int_tuple(op, "stride", stride, dims, 1)
    dilation = int_tuple(op, "dilation", dilation, dims, 1)
    padding = int_tuple(op, "padding", padding, dims, 0)
    output_padding = int_tuple(op, "output_padding", output_padding, dims, 0)
    if any(o >= max(s, d) for o, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(
            f"{op}: output_padding {output_padding} must be smaller than stride {stride} or dilation {dilation} "
            "in each dim"
        )
    kernel = tuple(weight.shape[2:])
    out_size = tuple(
        (h - 1) * s - 2 * p + d * (k - 1) + o + 1
        for h, s, p, d, k, o in zip(y.shape[2:], stride, padding, dilation, kernel, output_padding)
    )
    if any(o < 1 for o in out_size):
        raise ShapeError(
            f"{op}: a {'x'.join(map(str, kernel))} kernel with stride {stride}, padding {padding} and dilation "
            f"{dilation} on a {'x'.join(map(str, y.shape[2:]))} input gives an empty output {out_size} "
            "(H_out = (H - 1)*S - 2P + D*(k-1) + output_padding + 1); use less padding"
        )
    geometry = Geometry(lift_to_2d(stride, 1), lift_to_2d(padding, 0), lift_to_2d(dilation, 1), groups)
    if dims == 1:
        out = ConvTranspose2d.apply(y.unsqueeze(2), weight.unsqueeze(2), bias, geometry, (1, out_size[0])).squeeze(2)
    else:
        out = ConvTranspose2d.apply(y, weight, bias, geometry, out_size)
    return out.squeeze(0) if input.ndim == dims + 1 else out


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]
