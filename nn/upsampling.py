"""Resizing images and sequences: ``interpolate`` and the ``Upsample`` modules, as PyTorch's.

Every mode but 'area' is separable: resizing (N, C, *spatial) is one 1-D resampling per
spatial dim, and a 1-D resampling is a linear map along that dim in which each output
element mixes at most two input elements::

    out[..., j, ...] = weight0[j] * x[..., index0[j], ...] + weight1[j] * x[..., index1[j], ...]

(nearest: one element with weight 1; linear: the two neighbours of the source position).
``Resample`` applies the map; its backward is the transposed map (``ResampleTranspose``),
whose backward is ``Resample`` again, so second derivatives work. Both multiply by the
map's (out, in) matrix with BLAS, which beats gathering and scattering elements in NumPy
at the sizes images have here (its cost grows with the input size per output element);
an input holding inf or NaN takes the gather/scatter path instead, so a NaN stays in the
pixels it reaches, as in PyTorch. The indices and weights are computed as PyTorch's CPU
kernels compute them (float32 source positions for nearest, the input's precision for
linear), so the same pixels are picked.
"""
from __future__ import annotations

import math
from typing import Any, NamedTuple, Sequence

import numpy as np

from autograd_core import Function, Tensor
from autograd_core.errors import DtypeError, ShapeError
from autograd_core.ops.pool import adaptive_avg_pool1d, adaptive_avg_pool2d

from .module import Module

LINEAR_MODES = {"linear": 1, "bilinear": 2, "trilinear": 3}  # mode -> the spatial dims it needs
NEAREST_MODES = ("nearest", "nearest-exact")
MODES = NEAREST_MODES + tuple(LINEAR_MODES) + ("area",)


class ResampleMap(NamedTuple):
    """The 1-D map along ``axis``: output j reads, per tap, input ``index[j]`` with ``weight[j]``
    (one tap for nearest, two for linear); ``matrix`` (out, in) holds the same weights densely."""

    axis: int
    matrix: np.ndarray
    taps: tuple[tuple[np.ndarray, np.ndarray], ...]  # (index, weight) per tap


def _make_map(axis: int, in_size: int, *taps: tuple[np.ndarray, np.ndarray]) -> ResampleMap:
    out_size, dtype = taps[0][1].shape[0], taps[0][1].dtype
    matrix = np.zeros((out_size, in_size), dtype=dtype)
    for index, weight in taps:
        matrix[np.arange(out_size), index] += weight
    return ResampleMap(axis, matrix, taps)


def _multiply_along(matrix: np.ndarray, array: np.ndarray, axis: int) -> np.ndarray:
    """``out[..., j, ...] = sum_i matrix[j, i] * array[..., i, ...]`` along ``axis`` (BLAS)."""
    if axis == array.ndim - 1:
        rows = array.reshape(-1, array.shape[-1]) if array.flags.c_contiguous else array
        return (rows @ matrix.T).reshape(array.shape[:-1] + (matrix.shape[0],))
    return np.moveaxis(np.matmul(matrix, np.moveaxis(array, axis, -2)), -2, axis)


def _weights_along(weights: np.ndarray, axis: int, ndim: int) -> np.ndarray:
    return weights.reshape((-1,) + (1,) * (ndim - axis - 1))


class Resample(Function):
    """The 1-D resampling of a ``ResampleMap`` (see the module docstring)."""

    @staticmethod
    def forward(ctx: Function, x: Tensor, *, mapping: ResampleMap) -> np.ndarray:
        ctx.mapping = mapping
        array, axis = x.array, mapping.axis
        if np.isfinite(array).all():
            return _multiply_along(mapping.matrix, array, axis)
        # gather: an inf or NaN reaches only the outputs that read it (0 * inf would spread NaN)
        out = 0
        for index, weight in mapping.taps:
            out = out + np.take(array, index, axis=axis) * _weights_along(weight, axis, array.ndim)
        return out

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        # the map is linear, so its gradient is its transpose: each input element receives
        # the sum of weight * grad over the outputs that read it
        return ResampleTranspose.apply(grad_output, mapping=ctx.mapping)


class ResampleTranspose(Function):
    """The transpose of ``Resample``: output gradients summed back onto the input positions."""

    @staticmethod
    def forward(ctx: Function, grad: Tensor, *, mapping: ResampleMap) -> np.ndarray:
        ctx.mapping = mapping
        array, axis = grad.array, mapping.axis
        if np.isfinite(array).all():
            return _multiply_along(mapping.matrix.T, array, axis)
        moved = np.moveaxis(array, axis, 0)  # scatter: inf and NaN stay where they land
        out = np.zeros((mapping.matrix.shape[1],) + moved.shape[1:], dtype=array.dtype)
        for index, weight in mapping.taps:
            np.add.at(out, index, moved * _weights_along(weight, 0, moved.ndim))
        return np.moveaxis(out, 0, axis)

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor:
        return Resample.apply(grad_output, mapping=ctx.mapping)  # the transpose of the transpose


def _nearest_map(axis: int, in_size: int, out_size: int, scale: float | None, exact: bool, two_d: bool,
                 dtype: Any) -> ResampleMap:
    """PyTorch's nearest source index: floor(j * s) ('nearest') or floor((j + 0.5) * s)
    ('nearest-exact'), with s = 1/scale_factor (or in/out) in float32. PyTorch's 2-D
    'nearest' kernel alone copies a dim of unchanged size and takes j // 2 for a doubled one,
    whatever the scale factor."""
    positions = np.arange(out_size)
    if two_d and not exact and out_size in (in_size, 2 * in_size):
        index = positions if out_size == in_size else positions >> 1
    else:
        given = scale is not None and scale > 0
        step = np.float32(1.0 / scale) if given else np.float32(in_size) / np.float32(out_size)
        if exact:  # PyTorch: (j + 0.5) in double, times the float scale, rounded to float, floored
            source = np.floor(((positions + 0.5) * np.float64(step)).astype(np.float32))
        else:
            source = np.floor(positions.astype(np.float32) * step)
        index = np.minimum(source.astype(np.int64), in_size - 1)
    return _make_map(axis, in_size, (index, np.ones(out_size, dtype)))


def _linear_map(axis: int, in_size: int, out_size: int, scale: float | None, align_corners: bool,
                dtype: Any) -> ResampleMap:
    """PyTorch's linear source position, in the input's precision: j (in - 1)/(out - 1) with
    align_corners, else max((j + 0.5) s - 0.5, 0) with s = 1/scale_factor (or in/out)."""
    number = np.dtype(dtype).type
    positions = np.arange(out_size).astype(dtype)
    if align_corners:
        step = number(in_size - 1) / number(out_size - 1) if out_size > 1 else number(0)
        source = step * positions
    else:
        step = number(1.0 / scale) if scale is not None and scale > 0 else number(in_size) / number(out_size)
        source = np.maximum(step * (positions + number(0.5)) - number(0.5), number(0))
    index0 = np.minimum(np.floor(source).astype(np.int64), in_size - 1)
    fraction = np.clip(source - index0.astype(dtype), 0, 1).astype(dtype)
    index1 = index0 + (index0 < in_size - 1)
    return _make_map(axis, in_size, (index0, (1 - fraction).astype(dtype)), (index1, fraction))


def _sizes_and_scales(
    input: Tensor, size: Any, scale_factor: Any, recompute_scale_factor: bool | None
) -> tuple[list[int], list[float | None]]:
    """The output size of each spatial dim, and the scale factor PyTorch's kernels use (or None)."""
    spatial = list(input.shape[2:])
    dims = len(spatial)
    if size is not None and scale_factor is not None:
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is None and scale_factor is None:
        raise ValueError("interpolate: either size or scale_factor should be defined")
    if size is not None:
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
        sizes = list(size) if isinstance(size, (list, tuple)) else [size] * dims
        if len(sizes) != dims:
            raise ValueError(
                f"interpolate: input and output must have the same number of spatial dimensions, but got input "
                f"with spatial dimensions of {spatial} and output size of {size}; give one size per dim of "
                "(N, C, d1, ..., dK)."
            )
        if not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) for s in sizes):
            raise TypeError(f"interpolate: expected size to be an int or a tuple of ints, got {size!r}")
        if any(s <= 0 for s in sizes):
            raise ValueError(f"interpolate: every output size must be positive, got {size!r}")
        return [int(s) for s in sizes], [None] * dims
    factors = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * dims
    if len(factors) != dims:
        raise ValueError(
            f"interpolate: input and scale_factor must have the same number of spatial dimensions, but got input "
            f"with spatial dimensions of {spatial} and scale_factor of shape {scale_factor}."
        )
    if not all(isinstance(f, (int, float, np.number)) and not isinstance(f, bool) and f > 0 for f in factors):
        raise ValueError(f"interpolate: scale_factor must be positive numbers, got {scale_factor!r}")
    sizes = [int(math.floor(float(length) * float(factor))) for length, factor in zip(spatial, factors)]
    if any(s <= 0 for s in sizes):
        raise ValueError(
            f"interpolate: scale_factor {scale_factor!r} on spatial size {spatial} gives an empty output {sizes}"
        )
    return sizes, [None] * dims if recompute_scale_factor else [float(f) for f in factors]


def interpolate(
    input: Tensor,
    size: int | Sequence[int] | None = None,
    scale_factor: float | Sequence[float] | None = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of ``input``, as ``torch.nn.functional.interpolate``.

    Args:
        input: (N, C, L), (N, C, H, W) or (N, C, D, H, W).
        size: the output's spatial size (an int for every dim, or one per dim).
        scale_factor: multiplier of each spatial size (output = floor(size * factor)); give
            ``size`` or ``scale_factor``, not both.
        mode: 'nearest' (PyTorch's default: source index floor(j * in / out)), 'nearest-exact'
            (floor((j + 0.5) * in / out)), 'linear' (3-D input), 'bilinear' (4-D), 'trilinear'
            (5-D), or 'area' (adaptive average pooling; 3-D or 4-D).
        align_corners: linear modes only (default False): True maps the corner pixels'
            centres onto each other, False their outer edges.
        recompute_scale_factor: True computes the kernels' scale from the output size
            instead of using ``scale_factor`` as given.
        antialias: not supported (False only).

    Shape: (N, C, *spatial) -> (N, C, *size).
    """
    if mode not in MODES:
        raise ValueError(
            f"interpolate: mode {mode!r} is not supported; use one of {', '.join(repr(m) for m in MODES)} "
            "(PyTorch's 'bicubic' is not available here: 'bilinear' is the closest)."
        )
    if mode in NEAREST_MODES + ("area",):
        if align_corners is not None:
            raise ValueError(
                "interpolate: align_corners option can only be set with the interpolating modes: "
                f"linear | bilinear | trilinear (got mode={mode!r})"
            )
    elif align_corners is None:
        align_corners = False
    if antialias:
        raise ValueError("interpolate: antialias=True is not supported here; resize without it (antialias=False)")
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate: input must be a Tensor, got {type(input).__name__}")
    if input.ndim not in (3, 4, 5):
        raise ShapeError(
            f"interpolate: expected a 3-D (N, C, L), 4-D (N, C, H, W) or 5-D (N, C, D, H, W) input, got "
            f"shape {tuple(input.shape)} ({input.ndim}-D)"
        )
    if input.dtype.kind != "f":
        raise DtypeError(f"interpolate: needs a float input, got {input.dtype}; call .float() first")
    needed = LINEAR_MODES.get(mode) or (input.ndim - 2 if mode != "area" else min(input.ndim - 2, 2))
    if input.ndim - 2 != needed:
        raise ShapeError(
            f"interpolate: got a {input.ndim}-D input {tuple(input.shape)}, but mode {mode!r} needs a "
            f"{needed + 2}-D input"
        )
    sizes, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor)
    if mode == "area":  # PyTorch's 'area' is adaptive average pooling
        return adaptive_avg_pool1d(input, sizes[0]) if input.ndim == 3 else adaptive_avg_pool2d(input, tuple(sizes))
    out = input
    for axis, (in_size, out_size, scale) in enumerate(zip(input.shape[2:], sizes, scales), start=2):
        if mode in NEAREST_MODES:
            exact, two_d = mode == "nearest-exact", input.ndim == 4
            mapping = _nearest_map(axis, in_size, out_size, scale, exact, two_d, input.dtype)
            if out_size == in_size and np.array_equal(mapping.taps[0][0], np.arange(in_size)):
                continue  # the identity
        elif out_size == in_size:
            continue  # PyTorch's linear kernels copy a dim of unchanged size, whatever the scale factor
        else:
            mapping = _linear_map(axis, in_size, out_size, scale, align_corners, input.dtype)
        out = Resample.apply(out, mapping=mapping)
    return input.clone() if out is input else out  # a new tensor, as PyTorch returns


class Upsample(Module):
    """Resize (N, C, *spatial) inputs, as ``torch.nn.Upsample`` (see ``interpolate`` for the modes).

    Args:
        size: output spatial size (an int or one per dim).
        scale_factor: multiplier of each spatial size (give this or ``size``).
        mode: 'nearest' (default), 'nearest-exact', 'linear', 'bilinear', 'trilinear'.
        align_corners: for the linear modes (default False).
        recompute_scale_factor: compute the scale from the output size.

    Shape: (N, C, L) / (N, C, H, W) / (N, C, D, H, W) -> the same with the new spatial size,
    ``floor(size * scale_factor)`` per dim with ``scale_factor``.
    """

    def __init__(
        self,
        size: int | Sequence[int] | None = None,
        scale_factor: float | Sequence[float] | None = None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ) -> None:
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor: Any = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode, self.align_corners, self.recompute_scale_factor = mode, align_corners, recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        return interpolate(
            input, self.size, self.scale_factor, self.mode, self.align_corners, self.recompute_scale_factor
        )

    def extra_repr(self) -> str:
        described = f"scale_factor={self.scale_factor!r}" if self.scale_factor is not None else f"size={self.size!r}"
        return f"{described}, mode={self.mode!r}"


class UpsamplingNearest2d(Upsample):
    """``Upsample(size, scale_factor, mode='nearest')`` for (N, C, H, W), as PyTorch's."""

    def __init__(self, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None):
        super().__init__(size, scale_factor, mode="nearest")


class UpsamplingBilinear2d(Upsample):
    """``Upsample(size, scale_factor, mode='bilinear', align_corners=True)`` for (N, C, H, W), as PyTorch's."""

    def __init__(self, size: int | Sequence[int] | None = None, scale_factor: float | Sequence[float] | None = None):
        super().__init__(size, scale_factor, mode="bilinear", align_corners=True)
