"""Group normalisation: ``group_norm`` and ``GroupNorm``, as PyTorch's.

The channels of (N, C, *) are split into G groups of C/G; each sample's group is
normalised with its own mean and variance (over C/G and the spatial dims), then each
channel gets its own weight and bias. The same in train and eval mode; independent of the
batch size. G = 1 normalises each sample over all of (C, *); G = C is instance norm.
One ``Normalize`` node on the view (N, G, C/G, *).
"""
from __future__ import annotations

from typing import Any

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.arguments import LayerName, require_tensor

from .module import Module, Parameter
from .normalization import check_channels
from .normalization_node import NormLayout, as_affine, normalize_with


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Any = None,
    bias: Any = None,
    eps: float = 1e-5,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Group normalisation of (N, C, *) over groups of C / ``num_groups`` channels, as
    ``torch.nn.functional.group_norm``. weight and bias: (C,). Shape: the input's.
    ``name``: what error messages call the op (``GroupNorm`` passes itself as a ``LayerName``)."""
    op = name or "group_norm"
    require_tensor(op, input)
    if input.ndim < 2:
        raise ShapeError(f"{op}: expected input (N, C) or (N, C, *), got shape {tuple(input.shape)}")
    if input.dtype.kind != "f":
        raise DtypeError(f"{op}: needs a float input, got {input.dtype}; call .float() first")
    if not isinstance(num_groups, (int, np.integer)) or isinstance(num_groups, bool):
        raise TypeError(f"{op}: num_groups must be an int, got {num_groups!r}")
    if num_groups <= 0:
        raise ValueError(f"{op}: num_groups must be positive, got {num_groups}")
    check_channels(op, input, (("weight", weight), ("bias", bias)))
    batch, channels, spatial = input.shape[0], input.shape[1], tuple(input.shape[2:])
    if channels % num_groups:
        raise ShapeError(
            f"{op}: expected the number of channels in the input to be divisible by num_groups, but got input "
            f"of shape {tuple(input.shape)} and num_groups={num_groups}"
        )
    weight = as_affine(weight, op, "weight", (channels,), input)
    bias = as_affine(bias, op, "bias", (channels,), input)
    grouped = input.reshape(batch, num_groups, channels // num_groups, *spatial)
    layout = NormLayout(
        axes=tuple(range(2, grouped.ndim)),
        param_view=(1, num_groups, channels // num_groups) + (1,) * len(spatial),
        param_axes=(0,) + tuple(range(3, grouped.ndim)),
        eps=eps,
    )
    return normalize_with(grouped, weight, bias, layout).reshape(input.shape)


class GroupNorm(Module):
    """Group normalisation, as ``torch.nn.GroupNorm``.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias`` with mean and biased var per sample
    and group of C / num_groups channels; weight and bias per channel.

    Args:
        num_groups: G, which must divide num_channels.
        num_channels: C.
        eps: added to the variance (default 1e-5).
        affine: learn ``weight`` (ones) and ``bias`` (zeros) of shape (C,) (default True).
        bias: keyword-only; with affine, False learns ``weight`` only (default True).

    Shape: input (N, C, *) -> output of the same shape.
    """

    def __init__(
        self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, dtype: Any = None,
        *, bias: bool = True,
    ) -> None:
        super().__init__()
        for label, value in (("num_groups", num_groups), ("num_channels", num_channels)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"GroupNorm: {label} must be a positive int, got {value!r}")
        if num_channels % num_groups:
            raise ValueError(
                f"GroupNorm: num_channels must be divisible by num_groups (got num_channels={num_channels}, "
                f"num_groups={num_groups})"
            )
        self.num_groups, self.num_channels, self.eps, self.affine = int(num_groups), int(num_channels), eps, affine
        if affine:
            self.weight = Parameter(ag.ones(num_channels, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if affine and bias:
            self.bias = Parameter(ag.zeros(num_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight.array[...] = 1
        if self.bias is not None:
            self.bias.array[...] = 0

    def forward(self, input: Tensor) -> Tensor:
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps, name=LayerName(self))

    def _describe(self) -> str:
        return f"GroupNorm({self.num_groups}, {self.num_channels})"

    def extra_repr(self) -> str:
        described = f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}"
        return f"{described}, bias={self.bias is not None}"
