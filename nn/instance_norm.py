"""Instance normalisation: ``instance_norm``, ``InstanceNorm1d`` and ``InstanceNorm2d``, as PyTorch's.

Each sample's channel is normalised over its own spatial dims (L, or H and W): group
normalisation with one group per channel, so it runs through the same ``Normalize`` node.
PyTorch's defaults are kept: no affine parameters and no running statistics. With
``track_running_stats`` the running mean and (unbiased) variance average the per-instance
statistics over the batch, and evaluation normalises with them instead.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd_core import Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.arguments import LayerName, require_tensor

from .group_norm import group_norm
from .normalization import _BatchNorm, _blend, batch_norm


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Any = None,
    bias: Any = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
    *,
    name: str | LayerName | None = None,
) -> Tensor:
    """Normalise each (sample, channel) of (N, C, *) over its spatial dims, as ``torch.nn.functional.instance_norm``.

    ``use_input_stats``: normalise with each instance's mean and biased variance and (when
    given) update ``running_mean``/``running_var`` (C,) in place with the batch averages
    of the instance statistics (the variance unbiased); otherwise normalise with the
    running statistics. weight and bias: (C,). Shape: input (N, C, *) -> the same.
    """
    op = name or "instance_norm"
    require_tensor(op, input)
    if input.ndim < 3:
        raise ShapeError(f"{op}: expected input (N, C, L) or (N, C, H, W), got shape {tuple(input.shape)}")
    if input.dtype.kind != "f":
        raise DtypeError(f"{op}: needs a float input, got {input.dtype}; call .float() first")
    if not use_input_stats:
        return batch_norm(input, running_mean, running_var, weight, bias, False, momentum, eps, name=op)
    spatial = int(np.prod(input.shape[2:]))
    if spatial <= 1:
        raise ValueError(
            f"{op}: expected more than 1 spatial element when training, got input size {tuple(input.shape)}"
        )
    output = group_norm(input, input.shape[1], weight, bias, eps, name=op)
    axes = tuple(range(2, input.ndim))
    for running, statistic in (
        (running_mean, lambda x: x.mean(axis=axes)),
        (running_var, lambda x: x.var(axis=axes, ddof=1)),
    ):
        if running is not None:
            if running.shape != (input.shape[1],):
                raise ShapeError(
                    f"{op}: running statistics must have shape ({input.shape[1]},), one per channel; "
                    f"got {tuple(running.shape)}"
                )
            _blend(running, statistic(input.array).mean(axis=0), momentum)
    return output


class _InstanceNorm(_BatchNorm):
    """Shared by InstanceNorm1d/2d: BatchNorm's parameters, buffers and repr with PyTorch's
    instance-norm defaults; subclasses give the rank of an unbatched input."""

    _unbatched_rank = 0

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        dtype: Any = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(num_features, eps, momentum, affine, track_running_stats, dtype, bias=bias)

    def forward(self, input: Tensor) -> Tensor:
        require_tensor(self._describe(), input)
        ranks = (self._unbatched_rank, self._unbatched_rank + 1)
        if input.ndim not in ranks:
            raise ShapeError(f"{self._describe()}: expected {ranks[0]}D or {ranks[1]}D input (got {input.ndim}D input)")
        feature_dim = input.ndim - self._unbatched_rank
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ShapeError(
                    f"{self._describe()}: expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[feature_dim]}."
                )
            warnings.warn(
                f"{self._describe()}: input's size at dim={feature_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used because affine=False",
                UserWarning,
                stacklevel=2,
            )
        unbatched = input.ndim == self._unbatched_rank
        output = instance_norm(
            input.unsqueeze(0) if unbatched else input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            0.0 if self.momentum is None else self.momentum,
            self.eps,
            name=LayerName(self),
        )
        return output.squeeze(0) if unbatched else output


class InstanceNorm1d(_InstanceNorm):
    """Instance normalisation of sequences: each sample's channel over its length L.

    ``y = (x - mean) / sqrt(var + eps) * weight + bias``, mean and biased var per (sample, channel).

    Args:
        num_features: C.
        eps: added to the variance (default 1e-5).
        momentum: weight of the newest batch in the running stats (default 0.1).
        affine: learn ``weight`` (ones) and ``bias`` (zeros) of shape (C,) (default False, as PyTorch).
        track_running_stats: keep running stats and use them in eval (default False: eval
            also uses the instance statistics).
        bias: keyword-only; with affine, False learns ``weight`` only (default True).

    Shape: input (N, C, L) or (C, L) -> output of the same shape.
    """

    _unbatched_rank = 2


class InstanceNorm2d(_InstanceNorm):
    """Instance normalisation of images: each sample's channel over (H, W) (style transfer's norm).

    Arguments as ``InstanceNorm1d``. Shape: input (N, C, H, W) or (C, H, W) -> output of the same shape.
    """

    _unbatched_rank = 3
