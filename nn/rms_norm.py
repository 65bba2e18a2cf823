"""Root-mean-square normalisation: ``rms_norm`` and ``RMSNorm``, as PyTorch's.

``y = x / sqrt(mean(x^2) + eps) * weight`` over the trailing ``normalized_shape`` dims:
LayerNorm without the mean and the bias (as in T5 and LLaMA). One ``Normalize`` node with
an uncentred layout.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.ops.arguments import LayerName

from .module import Module, Parameter
from .normalization import as_normalized_shape, check_trailing_shape
from .normalization_node import NormLayout, as_affine, normalize_with


def rms_norm(
    input: Tensor,
    normalized_shape: Sequence[int],
    weight: Any = None,
    eps: float | None = None,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """RMS normalisation over the last ``len(normalized_shape)`` dims, as ``torch.nn.functional.rms_norm``.

    ``eps=None`` uses the machine epsilon of the input's dtype (``finfo(dtype).eps``), as PyTorch.
    Shape: input (*, *normalized_shape) -> the same; weight: normalized_shape.
    ``name``: what error messages call the op (``RMSNorm`` passes itself as a ``LayerName``).
    """
    op = name or "rms_norm"
    normalized_shape = as_normalized_shape(op, normalized_shape)
    check_trailing_shape(op, input, normalized_shape)
    weight = as_affine(weight, op, "weight", normalized_shape, input)
    leading = input.ndim - len(normalized_shape)
    layout = NormLayout(
        axes=tuple(range(leading, input.ndim)),
        param_view=normalized_shape,
        param_axes=tuple(range(leading)),
        eps=float(np.finfo(input.dtype).eps) if eps is None else eps,
        centered=False,
    )
    return normalize_with(input, weight, None, layout)


class RMSNorm(Module):
    """Root-mean-square normalisation, as ``torch.nn.RMSNorm``: ``x / sqrt(mean(x^2) + eps) * weight``.

    Args:
        normalized_shape: the trailing shape to normalise over (an int for the last dim).
        eps: added to the mean square; None (default) uses ``finfo(input.dtype).eps``.
        elementwise_affine: learn ``weight`` (ones) of ``normalized_shape`` (default True).

    Shape: input (*, *normalized_shape) -> output of the same shape.
    """

    def __init__(
        self, normalized_shape: Any, eps: float | None = None, elementwise_affine: bool = True, dtype: Any = None
    ) -> None:
        super().__init__()
        self.normalized_shape = as_normalized_shape("RMSNorm", normalized_shape)
        self.eps, self.elementwise_affine = eps, elementwise_affine
        if elementwise_affine:
            self.weight = Parameter(ag.ones(self.normalized_shape, dtype=dtype))
        else:
            self.register_parameter("weight", None)

    def reset_parameters(self) -> None:
        if self.weight is not None:
            self.weight.array[...] = 1

    def forward(self, input: Tensor) -> Tensor:
        return rms_norm(input, self.normalized_shape, self.weight, self.eps, name=LayerName(self))

    def _describe(self) -> str:
        return f"RMSNorm({self.normalized_shape})"

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
