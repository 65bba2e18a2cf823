"""Image transforms for data pipelines, with torchvision's names: ``Compose``, ``Normalize``,
``RandomCrop``, ``RandomHorizontalFlip``, ``RandomRotation``, ``RandomAffine``, ``AddGaussianNoise``.

Every transform takes one image ``(C, H, W)`` or a batch ``(N, C, H, W)``, as an ndarray
or a Tensor, and returns the same kind and rank. Random transforms draw fresh parameters
for each image of a batch, from ``generator=``/``seed=`` (see ``_random.make_rng``).
They transform data, not graphs: a Tensor result never requires grad.

    >>> augment = Compose([RandomCrop(28, padding=2, seed=0), Normalize(0.1307, 0.3081)])
    >>> MNIST(transform=augment)  # applied per sample, or per batch inside a DataLoader
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Callable, Sequence

import numpy as np

import autograd_core as ag
from autograd_core import DtypeError, ShapeError, Tensor

from ._random import make_rng

Images = Any  # an ndarray or Tensor of shape (C, H, W) or (N, C, H, W)
INTERPOLATIONS = ("nearest", "bilinear")


def _on_images(name: str, images: Images, batch_fn: Callable[[np.ndarray], np.ndarray]) -> Images:
    """Run ``batch_fn`` on ``images`` as an (N, C, H, W) array; give back ``images``' kind and rank."""
    is_tensor = isinstance(images, Tensor)
    array = images.array if is_tensor else np.asarray(images)
    if array.ndim not in (3, 4):
        raise ShapeError(f"{name}: expected an image (C, H, W) or a batch (N, C, H, W), got shape {array.shape}")
    result = batch_fn(array if array.ndim == 4 else array[None])
    if array.ndim == 3:
        result = result[0]
    return ag.from_numpy(result) if is_tensor else result


def _require_float(name: str, images: np.ndarray) -> None:
    if images.dtype.kind != "f":
        raise DtypeError(
            f"{name}: needs float images, got dtype {images.dtype}; convert first "
            "(e.g. images.astype(np.float32) / 255)."
        )


class Transform(ABC):
    """Base of the transforms here: subclasses write ``apply_batch`` on an (N, C, H, W) array."""

    supports_batches = True  # a DataLoader may hand it whole batches (see MNIST.get_batch)

    def __call__(self, images: Images) -> Images:
        return _on_images(type(self).__name__, images, self.apply_batch)

    @abstractmethod
    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        """The transformed (N, C, H, W) batch, a new array."""

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class Compose:
    """Apply ``transforms`` in order (any callables; batches go through only if all support them)."""

    def __init__(self, transforms: Sequence[Callable[[Any], Any]]) -> None:
        for position, transform in enumerate(transforms):
            if not callable(transform):
                raise TypeError(f"Compose: transform {position} is a {type(transform).__name__}, not a callable.")
        self.transforms = list(transforms)

    @property
    def supports_batches(self) -> bool:
        return all(getattr(transform, "supports_batches", False) for transform in self.transforms)

    def __call__(self, images: Any) -> Any:
        for transform in self.transforms:
            images = transform(images)
        return images

    def __repr__(self) -> str:
        return "Compose(\n" + "".join(f"    {transform!r}\n" for transform in self.transforms) + ")"


class Normalize(Transform):
    """``(image - mean) / std`` per channel; ``mean``/``std`` are one value or one per channel."""

    def __init__(self, mean: float | Sequence[float], std: float | Sequence[float]) -> None:
        self.mean = np.atleast_1d(np.asarray(mean, dtype=np.float64))
        self.std = np.atleast_1d(np.asarray(std, dtype=np.float64))
        if self.mean.ndim != 1 or self.std.ndim != 1:
            raise ShapeError(f"Normalize: mean and std must be numbers or flat sequences, got {mean!r} and {std!r}")
        if (self.std <= 0).any():
            raise ValueError(
                f"Normalize: std must be positive, got {std!r} (dividing by it would give inf or flip signs)."
            )

    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        _require_float("Normalize", images)
        channels = images.shape[1]
        for label, values in (("mean", self.mean), ("std", self.std)):
            if len(values) not in (1, channels):
                raise ShapeError(
                    f"Normalize: {label} has {len(values)} values but the images have {channels} channels; "
                    "give one value per channel, or a single value for all."
                )
        mean = self.mean.astype(images.dtype).reshape(1, -1, 1, 1)
        std = self.std.astype(images.dtype).reshape(1, -1, 1, 1)
        return (images - mean) / std

    def extra_repr(self) -> str:
        return f"mean={self.mean.tolist()}, std={self.std.tolist()}"


class AddGaussianNoise(Transform):
    """Add independent ``Normal(mean, std)`` noise to every pixel."""

    def __init__(self, std: float, mean: float = 0.0, *, generator: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        if std < 0:
            raise ValueError(f"AddGaussianNoise: std must be >= 0, got {std}")
        self.std, self.mean = float(std), float(mean)
        self._rng = make_rng("AddGaussianNoise", generator, seed)

    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        _require_float("AddGaussianNoise", images)
        noise = self._rng().normal(self.mean, self.std, size=images.shape)
        return images + noise.astype(images.dtype)

    def extra_repr(self) -> str:
        return f"std={self.std}, mean={self.mean}"


class RandomHorizontalFlip(Transform):
    """Mirror each image left-right with probability ``p``."""

    def __init__(self, p: float = 0.5, *, generator: np.random.Generator | None = None,
                 seed: int | None = None) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomHorizontalFlip: p is a probability in [0, 1], got {p}")
        self.p = float(p)
        self._rng = make_rng("RandomHorizontalFlip", generator, seed)

    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        flip = self._rng().random(len(images)) < self.p
        return np.where(flip[:, None, None, None], images[..., ::-1], images)

    def extra_repr(self) -> str:
        return f"p={self.p}"


class RandomCrop(Transform):
    """Pad each image by ``padding`` (filled with ``fill``), then cut a random ``size`` window.

    Args:
        size: output ``(height, width)``, or one int for a square.
        padding: None, one int for all sides, ``(left/right, top/bottom)`` or
            ``(left, top, right, bottom)``, as in torchvision.
        fill: value of the padded pixels.

    Shape:
        ``(N, C, H, W) -> (N, C, size[0], size[1])``; needs ``size <= (H, W) + padding``.
    """

    def __init__(self, size: int | Sequence[int], padding: int | Sequence[int] | None = None, fill: float = 0.0,
                 *, generator: np.random.Generator | None = None, seed: int | None = None) -> None:
        self.size = _pair("RandomCrop", "size", size)
        if padding is None:
            padding = 0
        sides = (padding,) * 4 if isinstance(padding, (int, np.integer)) else tuple(padding)
        if len(sides) == 2:
            sides = sides * 2
        if len(sides) != 4 or any(not isinstance(side, (int, np.integer)) or side < 0 for side in sides):
            raise ValueError(
                f"RandomCrop: padding must be a non-negative int or a sequence of 2 or 4 of them, got {padding!r}"
            )
        self.padding = tuple(int(side) for side in sides)  # left, top, right, bottom
        self.fill = fill
        self._rng = make_rng("RandomCrop", generator, seed)

    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        left, top, right, bottom = self.padding
        padded = np.pad(images, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=self.fill)
        count, channels, padded_height, padded_width = padded.shape
        height, width = self.size
        if height > padded_height or width > padded_width:
            raise ShapeError(
                f"RandomCrop: crop size {self.size} is larger than the padded image ({padded_height}, {padded_width}) "
                f"(input {images.shape[2:]}, padding {self.padding}); use a smaller size or more padding."
            )
        tops = self._rng().integers(0, padded_height - height + 1, size=count)
        lefts = self._rng().integers(0, padded_width - width + 1, size=count)
        rows = (tops[:, None] + np.arange(height))[:, None, :, None]
        cols = (lefts[:, None] + np.arange(width))[:, None, None, :]
        return padded[np.arange(count)[:, None, None, None], np.arange(channels)[None, :, None, None], rows, cols]

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}, fill={self.fill}"


def _pair(owner: str, label: str, value: Any) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, (int, np.integer)) else tuple(value)
    if len(pair) != 2 or any(not isinstance(part, (int, np.integer)) or part < 1 for part in pair):
        raise ValueError(f"{owner}: {label} must be a positive int or a pair of them, got {value!r}")
    return int(pair[0]), int(pair[1])


# -- affine warps -----------------------------------------------------------------------
def affine(
    images: Images,
    angle: float | np.ndarray,
    translate: Sequence[float] | np.ndarray = (0.0, 0.0),
    scale: float | np.ndarray = 1.0,
    interpolation: str = "nearest",
    fill: float = 0.0,
) -> Images:
    """Rotate by ``angle`` degrees (counter-clockwise as displayed), scale about the centre, then shift.

    ``translate`` is ``(dx, dy)`` in pixels (right, down). For a batch, ``angle`` and
    ``scale`` may hold one value per image and ``translate`` one row per image.
    Output pixel ``p`` takes the input at ``A^-1 (p - centre - t) + centre`` (``A`` the
    rotation-scaling), sampled by ``nearest`` or ``bilinear`` interpolation; points
    outside the image read ``fill``.
    """
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"affine: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")

    def warp(batch: np.ndarray) -> np.ndarray:
        count = len(batch)
        try:
            angles = np.broadcast_to(np.asarray(angle, dtype=np.float64), (count,))
            scales = np.broadcast_to(np.asarray(scale, dtype=np.float64), (count,))
            shifts = np.broadcast_to(np.asarray(translate, dtype=np.float64), (count, 2))
        except ValueError:
            raise ShapeError(
                f"affine: for {count} image(s), angle and scale must be one number or {count}, and translate "
                f"one (dx, dy) pair or {count} rows; got shapes {np.shape(angle)}, {np.shape(scale)} and "
                f"{np.shape(translate)}."
            ) from None
        if (scales <= 0).any():
            raise ValueError(f"affine: scale must be positive, got {scale!r}")
        return _warp(batch, angles, shifts, scales, interpolation, fill)

    return _on_images("affine", images, warp)


def _warp(images: np.ndarray, angles: np.ndarray, shifts: np.ndarray, scales: np.ndarray,
          interpolation: str, fill: float) -> np.ndarray:
    count, _, height, width = images.shape
    if interpolation == "bilinear":
        _require_float("affine (bilinear)", images)
    centre_y, centre_x = (height - 1) / 2, (width - 1) / 2
    radians = np.deg2rad(angles)[:, None, None]
    cos, sin = np.cos(radians), np.sin(radians)
    rows, cols = np.mgrid[0:height, 0:width]
    # forward map (x right, y down): dest = s * [[cos, sin], [-sin, cos]] (src - c) + c + t; invert it
    u = cols[None] - centre_x - shifts[:, 0, None, None]
    v = rows[None] - centre_y - shifts[:, 1, None, None]
    source_x = (cos * u - sin * v) / scales[:, None, None] + centre_x
    source_y = (sin * u + cos * v) / scales[:, None, None] + centre_y
    channels_last = images.transpose(0, 2, 3, 1)
    if interpolation == "nearest":
        result = _gather(channels_last, np.rint(source_y), np.rint(source_x), fill)
    else:
        top, left = np.floor(source_y), np.floor(source_x)
        down, right = (source_y - top)[..., None], (source_x - left)[..., None]
        result = ((1 - down) * ((1 - right) * _gather(channels_last, top, left, fill)
                                + right * _gather(channels_last, top, left + 1, fill))
                  + down * ((1 - right) * _gather(channels_last, top + 1, left, fill)
                            + right * _gather(channels_last, top + 1, left + 1, fill)))
    return np.ascontiguousarray(result.transpose(0, 3, 1, 2)).astype(images.dtype, copy=False)


def _gather(channels_last: np.ndarray, rows: np.ndarray, cols: np.ndarray, fill: float) -> np.ndarray:
    """Pixels ``(n, rows[n], cols[n])`` of an (N, H, W, C) array, ``fill`` where outside the image."""
    count, height, width, _ = channels_last.shape
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    rows = np.clip(rows, 0, height - 1).astype(np.intp)
    cols = np.clip(cols, 0, width - 1).astype(np.intp)
    values = channels_last[np.arange(count)[:, None, None], rows, cols]
    return np.where(inside[..., None], values, np.asarray(fill, dtype=channels_last.dtype))


class RandomAffine(Transform):
    """Random rotation, shift and scaling of each image (see ``affine``).

    Args:
        degrees: angle range: ``d`` for ``(-d, d)``, or ``(min, max)``.
        translate: ``(a, b)``: shift by up to ``a * W`` pixels horizontally and ``b * H``
            vertically, either way (None: no shift).
        scale: ``(min, max)`` zoom factor range (None: no scaling).
        interpolation: ``"nearest"`` (any dtype) or ``"bilinear"`` (float images).
        fill: value of pixels that come from outside the image.
    """

    def __init__(self, degrees: float | Sequence[float], translate: Sequence[float] | None = None,
                 scale: Sequence[float] | None = None, interpolation: str = "nearest", fill: float = 0.0,
                 *, generator: np.random.Generator | None = None, seed: int | None = None) -> None:
        name = type(self).__name__
        if np.isscalar(degrees):
            if degrees < 0:
                raise ValueError(
                    f"{name}: a single degrees value must be >= 0 (it means (-degrees, degrees)), got {degrees}"
                )
            degrees = (-degrees, degrees)
        self.degrees = _range(name, "degrees", degrees)
        if translate is not None and (np.isscalar(translate) or len(translate) != 2
                                      or not all(0.0 <= part <= 1.0 for part in translate)):
            raise ValueError(f"{name}: translate must be two fractions in [0, 1], got {translate!r}")
        self.translate = None if translate is None else tuple(float(part) for part in translate)
        self.scale = None if scale is None else _range(name, "scale", scale)
        if self.scale is not None and self.scale[0] <= 0:
            raise ValueError(f"{name}: scale factors must be positive, got {scale!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"{name}: interpolation must be one of {INTERPOLATIONS}, got {interpolation!r}")
        self.interpolation, self.fill = interpolation, fill
        self._rng = make_rng(name, generator, seed)

    def apply_batch(self, images: np.ndarray) -> np.ndarray:
        rng, count, height, width = self._rng(), len(images), images.shape[2], images.shape[3]
        angles = rng.uniform(*self.degrees, size=count)
        shifts = np.zeros((count, 2))
        if self.translate is not None:
            limits = np.array([self.translate[0] * width, self.translate[1] * height])
            shifts = rng.uniform(-limits, limits, size=(count, 2))
        scales = np.ones(count) if self.scale is None else rng.uniform(*self.scale, size=count)
        return _warp(images, angles, shifts, scales, self.interpolation, self.fill)

    def extra_repr(self) -> str:
        return (f"degrees={self.degrees}, translate={self.translate}, scale={self.scale}, "
                f"interpolation={self.interpolation!r}, fill={self.fill}")


class RandomRotation(RandomAffine):
    """Rotate each image by a random angle from ``degrees`` (``d`` for ``(-d, d)``, or ``(min, max)``)."""

    def __init__(self, degrees: float | Sequence[float], interpolation: str = "nearest", fill: float = 0.0,
                 *, generator: np.random.Generator | None = None, seed: int | None = None) -> None:
        super().__init__(degrees, interpolation=interpolation, fill=fill, generator=generator, seed=seed)

    def extra_repr(self) -> str:
        return f"degrees={self.degrees}, interpolation={self.interpolation!r}, fill={self.fill}"


def _range(owner: str, label: str, bounds: Any) -> tuple[float, float]:
    bounds = (bounds,) if np.isscalar(bounds) else tuple(float(bound) for bound in bounds)
    if len(bounds) != 2 or bounds[0] > bounds[1]:
        raise ValueError(f"{owner}: {label} must be a (min, max) pair with min <= max, got {bounds!r}")
    return bounds
