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

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from ..errors import DtypeError, ShapeError
from ..function import Function
from ..kernels import conv as kernels
from ..tensor import Tensor

IntOrTuple = int | Sequence[int]
Pair = tuple[int, int]


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

    @staticmethod
    def forward(ctx: Function, x: Tensor, weight: Tensor, bias: Any, geometry: Geometry, out_size: Pair) -> np.ndarray:
        need_x, need_weight = ctx.needs_input_grad[:2]
        ctx.save_for_backward(x if need_weight else None, weight if need_x else None)
        ctx.geometry, ctx.in_size, ctx.kernel_size = geometry, x.shape[2:], weight.shape[2:]
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
        return kernels.conv2d_weight_grad(x.array, y.array, *geometry, kernel_size, columns)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> tuple:
        x, y = ctx.saved_tensors
        need_x, need_y = ctx.needs_input_grad[:2]
        grad_x = ConvTranspose2d.apply(y, grad_output, None, ctx.geometry, ctx.in_size) if need_x else None
        grad_y = Conv2d.apply(x, grad_output, None, ctx.geometry, ctx.out_size) if need_y else None
        return grad_x, grad_y, None, None, None


# -- argument checking ---------------------------------------------------------------
def _tuple(op: str, name: str, value: Any, dims: int, minimum: int) -> tuple[int, ...]:
    """An int or a tuple of ``dims`` ints, each at least ``minimum``."""
    values = (value,) * dims if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if (
        not isinstance(values, (tuple, list))
        or len(values) != dims
        or any(not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < minimum for v in values)
    ):
        raise ValueError(f"{op}: {name} must be an int >= {minimum} or a tuple of {dims} such ints, got {value!r}")
    return tuple(int(v) for v in values)


def _check_tensors(op: str, input: Any, weight: Any, bias: Any, dims: int) -> None:
    layout = "(N, C, L) or (C, L)" if dims == 1 else "(N, C, H, W) or (C, H, W)"
    for name, value in (("input", input), ("weight", weight)):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(value).__name__}")
    if input.ndim not in (dims + 1, dims + 2):
        raise ShapeError(f"{op}: expected input of shape {layout}, got {tuple(input.shape)}")
    if weight.ndim != dims + 2:
        raise ShapeError(f"{op}: expected a weight with {dims + 2} dims, got shape {tuple(weight.shape)}")
    for name, value in (("input", input), ("weight", weight)) + ((("bias", bias),) if bias is not None else ()):
        if not isinstance(value, Tensor) or value.dtype not in (np.float32, np.float64):
            kind = value.dtype if isinstance(value, Tensor) else type(value).__name__
            raise DtypeError(f"{op}: {name} must be a float32 or float64 Tensor, got {kind}; convert it with .float()")
    if weight.dtype != input.dtype or (bias is not None and bias.dtype != input.dtype):
        raise DtypeError(
            f"{op}: input ({input.dtype}), weight ({weight.dtype})"
            + (f" and bias ({bias.dtype})" if bias is not None else "")
            + " must have the same dtype; convert with .float() or .double()"
        )


def _check_groups(op: str, groups: Any, **channels: int) -> int:
    if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    for name, count in channels.items():
        if count % groups:
            raise ShapeError(
                f"{op}: groups={groups} must divide the {name.replace('_', ' ')} ({count}); choose a divisor of the channel counts"
            )
    return int(groups)


def _padding(op: str, padding: Any, kernel: tuple, stride: tuple, dilation: tuple) -> tuple[tuple, tuple]:
    """(before, after) per spatial dim, from an int, a tuple or 'valid'/'same'/'full'."""
    spans = [d * (k - 1) for k, d in zip(kernel, dilation)]
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * len(kernel), (0,) * len(kernel)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(
                    f"{op}: padding='same' needs stride 1 (got stride {stride}), as in PyTorch; give the padding as numbers"
                )
            return tuple(s // 2 for s in spans), tuple(s - s // 2 for s in spans)
        if padding == "full":
            return tuple(spans), tuple(spans)
        raise ValueError(f"{op}: padding must be an int, a tuple, 'valid', 'same' or 'full', got {padding!r}")
    before = _tuple(op, "padding", padding, len(kernel), 0)
    return before, before


def _output_size(
    op: str, size: tuple, kernel: tuple, stride: tuple, padding: tuple[tuple, tuple], dilation: tuple
) -> tuple:
    """floor((W + P_before + P_after - D*(F-1) - 1) / S) + 1 per dim; ShapeError when empty."""
    before, after = padding
    out = tuple(
        (w + b + a - d * (k - 1) - 1) // s + 1
        for w, k, s, b, a, d in zip(size, kernel, stride, before, after, dilation)
    )
    if any(o < 1 for o in out):
        shown = "x".join(map(str, size))
        raise ShapeError(
            f"{op}: a {'x'.join(map(str, kernel))} kernel (dilation {dilation}, stride {stride}) does not fit "
            f"a {shown} input with padding {before if before == after else (before, after)}: the output would "
            f"have size {out}. out = (W - F + 2P)/S + 1 needs W + 2P >= D*(F-1) + 1; use more padding, "
            "a smaller kernel or dilation, or a larger input."
        )
    return out


def _lift(values: tuple, fill: int) -> Pair:
    """A 1-D geometry value as the 2-D one of a (1, L) image."""
    return (fill, values[0]) if len(values) == 1 else values  # type: ignore[return-value]


def _convolution(
    op: str, input: Tensor, weight: Tensor, bias: Any, stride: Any, padding: Any, dilation: Any, groups: Any, dims: int
) -> Tensor:
    _check_tensors(op, input, weight, bias, dims)
    unbatched = input.ndim == dims + 1
    x = input.unsqueeze(0) if unbatched else input
    out_channels, kernel = weight.shape[0], tuple(weight.shape[2:])
    groups = _check_groups(op, groups, input_channels=x.shape[1], output_channels=out_channels)
    if x.shape[1] != weight.shape[1] * groups:
        raise ShapeError(
            f"{op}: input has {x.shape[1]} channels (shape {tuple(input.shape)}) but the weight "
            f"{tuple(weight.shape)} with groups={groups} expects {weight.shape[1] * groups}; "
            "check in_channels against the previous layer's out_channels"
        )
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(
            f"{op}: bias must have shape ({out_channels},), one per output channel; got {tuple(bias.shape)}"
        )
    stride = _tuple(op, "stride", stride, dims, 1)
    dilation = _tuple(op, "dilation", dilation, dims, 1)
    pads = _padding(op, padding, kernel, stride, dilation)
    out_size = _output_size(op, tuple(x.shape[2:]), kernel, stride, pads, dilation)
    geometry = Geometry(_lift(stride, 1), _lift(pads[0], 0), _lift(dilation, 1), groups)
    if dims == 1:
        out = Conv2d.apply(x.unsqueeze(2), weight.unsqueeze(2), bias, geometry, (1, out_size[0])).squeeze(2)
    else:
        out = Conv2d.apply(x, weight, bias, geometry, out_size)
    return out.squeeze(0) if unbatched else out


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation, as ``torch.nn.functional.conv2d``.

    Shapes: input (N, C_in, H, W) or (C_in, H, W); weight (C_out, C_in/groups, kH, kW);
    bias (C_out,) -> output (N, C_out, H_out, W_out) with
    ``H_out = floor((H + 2P - D*(kH-1) - 1) / S) + 1`` (``(H - F + 2P)/S + 1`` for D = 1).
    ``padding``: int, (pH, pW), 'valid', 'same' (stride 1) or 'full' (P = D*(k-1)).
    """
    return _convolution("conv2d", input, weight, bias, stride, padding, dilation, groups, dims=2)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation, as ``torch.nn.functional.conv1d``.

    Shapes: input (N, C_in, L) or (C_in, L); weight (C_out, C_in/groups, k); bias (C_out,)
    -> output (N, C_out, L_out), ``L_out = floor((L + 2P - D*(k-1) - 1) / S) + 1``.
    ``padding``: int, 'valid', 'same' (stride 1) or 'full'.
    """
    return _convolution("conv1d", input, weight, bias, stride, padding, dilation, groups, dims=1)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> Tensor:
    """Transposed 2-D convolution (the gradient of ``conv2d`` w.r.t. its input), as
    ``torch.nn.functional.conv_transpose2d``.

    Shapes: input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out/groups, kH, kW);
    bias (C_out,) -> output (N, C_out, H_out, W_out) with
    ``H_out = (H - 1)*S - 2P + D*(kH-1) + output_padding + 1``, the size a ``conv2d`` with
    the same arguments maps back to H. ``output_padding`` (< stride or < dilation) picks
    among the input sizes that such a ``conv2d`` floors to the same output.
    """
    op = "conv_transpose2d"
    _check_tensors(op, input, weight, bias, 2)
    unbatched = input.ndim == 3
    y = input.unsqueeze(0) if unbatched else input
    groups = _check_groups(op, groups, input_channels=y.shape[1])
    if y.shape[1] != weight.shape[0]:
        raise ShapeError(
            f"{op}: input has {y.shape[1]} channels (shape {tuple(input.shape)}) but the weight "
            f"{tuple(weight.shape)} expects {weight.shape[0]} (weight is (C_in, C_out/groups, kH, kW))"
        )
    out_channels = weight.shape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_channels,):
        raise ShapeError(
            f"{op}: bias must have shape ({out_channels},), one per output channel; got {tuple(bias.shape)}"
        )
    stride = _tuple(op, "stride", stride, 2, 1)
    dilation = _tuple(op, "dilation", dilation, 2, 1)
    padding = _tuple(op, "padding", padding, 2, 0)
    output_padding = _tuple(op, "output_padding", output_padding, 2, 0)
    if any(o >= max(s, d) for o, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(
            f"{op}: output_padding {output_padding} must be smaller than stride {stride} or dilation {dilation} in each dim"
        )
    kernel = tuple(weight.shape[2:])
    out_size = tuple(
        (h - 1) * s - 2 * p + d * (k - 1) + o + 1
        for h, s, p, d, k, o in zip(y.shape[2:], stride, padding, dilation, kernel, output_padding)
    )
    if any(o < 1 for o in out_size):
        raise ShapeError(
            f"{op}: a {kernel[0]}x{kernel[1]} kernel with stride {stride}, padding {padding} and dilation "
            f"{dilation} on a {y.shape[2]}x{y.shape[3]} input gives an empty output {out_size} "
            "(H_out = (H - 1)*S - 2P + D*(k-1) + output_padding + 1); use less padding"
        )
    out = ConvTranspose2d.apply(y, weight, bias, Geometry(stride, padding, dilation, groups), out_size)
    return out.squeeze(0) if unbatched else out


__all__ = ["conv1d", "conv2d", "conv_transpose2d"]
