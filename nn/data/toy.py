"""Toy 2-D classification sets, made on the spot (no download): xor, moons, circles, spirals, blobs.

Each returns ``(X, y)``: X float32 ``(n_samples, 2)``, y int64 ``(n_samples,)`` class labels,
as Tensors (or one ``TensorDataset`` with ``as_dataset=True``). Classes are as even as
``n_samples`` allows (the first classes get one more), the samples are shuffled, and
``noise`` is the std of Gaussian noise added to each coordinate. ``seed=``/``generator=``
make a set reproducible; without them the set comes from ``autograd_core.manual_seed``'s generator.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from ._random import make_rng
from .dataset import TensorDataset

ToySet = tuple[Tensor, Tensor] | TensorDataset
# (rng, class index, count, n_classes) -> points (count, 2) of that class before noise
ClassPoints = Callable[[np.random.Generator, int, int, int], np.ndarray]


def _make(name: str, n_samples: int, n_classes: int, noise: float, class_points: ClassPoints,
          seed: int | None, generator: np.random.Generator | None, as_dataset: bool,
          max_offset: float = np.inf) -> ToySet:
    """The one recipe behind every set: per-class points, noise (offsets cut to ``max_offset``), shuffle."""
    if not isinstance(n_samples, (int, np.integer)) or isinstance(n_samples, bool) or n_samples < 1:
        raise ValueError(f"{name}: n_samples must be a positive int, got {n_samples!r}")
    if not noise >= 0:
        raise ValueError(f"{name}: noise is a standard deviation and must be >= 0, got {noise}")
    rng = make_rng(name, generator, seed)()
    counts = [n_samples // n_classes + (label < n_samples % n_classes) for label in range(n_classes)]
    points = np.concatenate([class_points(rng, label, count, n_classes) for label, count in enumerate(counts)])
    labels = np.repeat(np.arange(n_classes, dtype=np.int64), counts)
    offsets = rng.normal(0.0, noise, size=points.shape)
    lengths = np.linalg.norm(offsets, axis=1, keepdims=True)
    points = points + offsets * np.minimum(1.0, max_offset / np.maximum(lengths, 1e-300))
    order = rng.permutation(n_samples)
    inputs, targets = ag.from_numpy(points[order].astype(np.float32)), ag.from_numpy(labels[order])
    return TensorDataset(inputs, targets) if as_dataset else (inputs, targets)


def _check_classes(name: str, n_classes: int) -> None:
    if not isinstance(n_classes, (int, np.integer)) or isinstance(n_classes, bool) or n_classes < 2:
        raise ValueError(f"{name}: n_classes must be an int >= 2, got {n_classes!r}")


def xor(n_samples: int = 200, noise: float = 0.0, *, seed: int | None = None,
        generator: np.random.Generator | None = None, as_dataset: bool = False) -> ToySet:
    """Points uniform in the square [-1, 1]^2; class 1 where x and y have opposite signs."""
    def class_points(rng: np.random.Generator, label: int, count: int, n_classes: int) -> np.ndarray:
        magnitudes = rng.uniform(0.0, 1.0, size=(count, 2))
        signs_x = rng.choice([-1.0, 1.0], size=count)  # class 0: same signs, class 1: opposite
        signs_y = signs_x if label == 0 else -signs_x
        return magnitudes * np.stack([signs_x, signs_y], axis=1)
    return _make("xor", n_samples, 2, noise, class_points, seed, generator, as_dataset)


def moons(n_samples: int = 200, noise: float = 0.1, *, seed: int | None = None,
          generator: np.random.Generator | None = None, as_dataset: bool = False) -> ToySet:
    """Two interleaving half circles: class 0 the upper arc, class 1 the lower one shifted right."""
    def class_points(rng: np.random.Generator, label: int, count: int, n_classes: int) -> np.ndarray:
        angles = rng.uniform(0.0, np.pi, size=count)
        if label == 0:
            return np.stack([np.cos(angles), np.sin(angles)], axis=1)
        return np.stack([1.0 - np.cos(angles), 0.5 - np.sin(angles)], axis=1)
    return _make("moons", n_samples, 2, noise, class_points, seed, generator, as_dataset)


def circles(n_samples: int = 200, noise: float = 0.05, factor: float = 0.5, *, seed: int | None = None,
            generator: np.random.Generator | None = None, as_dataset: bool = False) -> ToySet:
    """Two concentric circles: class 0 of radius 1, class 1 of radius ``factor`` (0 < factor < 1)."""
    if not 0.0 < factor < 1.0:
        raise ValueError(
            f"circles: factor is the inner circle's radius relative to the outer one; it must be in (0, 1), "
            f"got {factor}"
        )

    def class_points(rng: np.random.Generator, label: int, count: int, n_classes: int) -> np.ndarray:
        angles = rng.uniform(0.0, 2 * np.pi, size=count)
        radius = 1.0 if label == 0 else factor
        return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return _make("circles", n_samples, 2, noise, class_points, seed, generator, as_dataset)


def spirals(n_samples: int = 300, n_classes: int = 3, noise: float = 0.02, turns: float = 1.0, *,
            seed: int | None = None, generator: np.random.Generator | None = None, as_dataset: bool = False) -> ToySet:
    """``n_classes`` interleaved arms spiralling out from the origin to radius 1, each ``turns`` turns long."""
    _check_classes("spirals", n_classes)
    if not turns > 0:
        raise ValueError(f"spirals: turns must be positive, got {turns}")

    def class_points(rng: np.random.Generator, label: int, count: int, n_classes: int) -> np.ndarray:
        radii = rng.uniform(0.0, 1.0, size=count)
        angles = 2 * np.pi * (turns * radii + label / n_classes)
        return radii[:, None] * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return _make("spirals", n_samples, n_classes, noise, class_points, seed, generator, as_dataset)


def blobs(n_samples: int = 200, n_classes: int = 2, noise: float = 0.5, *, seed: int | None = None,
          generator: np.random.Generator | None = None, as_dataset: bool = False) -> ToySet:
    """Gaussian blobs centred on a circle of radius 3, always linearly separable.

    Each point's offset from its centre is cut to 0.95 times the distance from the centre
    to the boundary with its neighbours (``3 sin(pi / n_classes)``), so a linear classifier
    reaches 100% accuracy at any ``noise``; ``noise`` is the blobs' std before that cut.
    """
    _check_classes("blobs", n_classes)
    radius = 3.0

    def class_points(rng: np.random.Generator, label: int, count: int, n_classes: int) -> np.ndarray:
        angle = 2 * np.pi * label / n_classes + np.pi  # two classes: left and right
        return np.tile(radius * np.array([np.cos(angle), np.sin(angle)]), (count, 1))
    return _make("blobs", n_samples, n_classes, noise, class_points, seed, generator, as_dataset,
                 max_offset=0.95 * radius * np.sin(np.pi / n_classes))
