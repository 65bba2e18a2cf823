"""Toy 2-D classification sets (nn/data/toy.py)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
from nn.data import TensorDataset, blobs, circles, moons, spirals, xor

SETS = {"xor": xor, "moons": moons, "circles": circles, "spirals": spirals, "blobs": blobs}
BINARY = {"xor": xor, "moons": moons, "circles": circles}


@pytest.mark.parametrize("name", SETS)
def test_shapes_dtypes_and_balanced_shuffled_classes(name: str) -> None:
    inputs, targets = SETS[name](n_samples=101, seed=0)
    assert inputs.shape == (101, 2) and inputs.dtype == np.float32
    assert targets.shape == (101,) and targets.dtype == np.int64
    counts = np.bincount(targets.array)
    assert counts.max() - counts.min() <= 1 and counts.sum() == 101
    assert not np.all(np.diff(targets.array) >= 0), "samples should be shuffled, not sorted by class"


@pytest.mark.parametrize("name", SETS)
def test_seed_and_generator_make_sets_reproducible(name: str) -> None:
    make = SETS[name]
    first_inputs, first_targets = make(seed=3)
    same_inputs, same_targets = make(generator=np.random.default_rng(3))
    np.testing.assert_array_equal(first_inputs.array, same_inputs.array)
    np.testing.assert_array_equal(first_targets.array, same_targets.array)
    assert not np.array_equal(make(seed=4)[0].array, first_inputs.array)
    ag.manual_seed(11)
    default_inputs, _ = make()
    ag.manual_seed(11)
    np.testing.assert_array_equal(make()[0].array, default_inputs.array)


@pytest.mark.parametrize("name", SETS)
def test_as_dataset_gives_a_tensor_dataset(name: str) -> None:
    dataset = SETS[name](n_samples=30, seed=1, as_dataset=True)
    inputs, targets = SETS[name](n_samples=30, seed=1)
    assert isinstance(dataset, TensorDataset) and len(dataset) == 30
    np.testing.assert_array_equal(dataset.tensors[0].array, inputs.array)
    np.testing.assert_array_equal(dataset.tensors[1].array, targets.array)


@given(st.integers(1, 60), st.integers(2, 6))
def test_class_counts_are_as_even_as_possible(n_samples: int, n_classes: int) -> None:
    _, targets = spirals(n_samples, n_classes, seed=0)
    counts = np.bincount(targets.array, minlength=n_classes)
    assert counts.sum() == n_samples and counts.max() - counts.min() <= 1
    assert counts[0] == counts.max()  # the first classes take the remainder


def test_xor_labels_follow_the_quadrants() -> None:
    inputs, targets = xor(n_samples=400, seed=0)
    points = inputs.array
    assert np.abs(points).max() <= 1.0
    np.testing.assert_array_equal(targets.array, (points[:, 0] * points[:, 1] < 0).astype(np.int64))


def test_moons_lie_on_their_arcs_without_noise() -> None:
    inputs, targets = moons(n_samples=200, noise=0.0, seed=0)
    upper, lower = inputs.array[targets.array == 0], inputs.array[targets.array == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-5)
    assert upper[:, 1].min() >= 0 and lower[:, 1].max() <= 0.5


def test_circles_have_radius_one_and_factor_without_noise() -> None:
    inputs, targets = circles(n_samples=100, noise=0.0, factor=0.3, seed=0)
    radii = np.hypot(*inputs.array.T)
    np.testing.assert_allclose(radii[targets.array == 0], 1.0, rtol=1e-5)
    np.testing.assert_allclose(radii[targets.array == 1], 0.3, rtol=1e-5)


def test_spirals_arms_turn_with_the_radius() -> None:
    n_classes, turns = 4, 1.5
    inputs, targets = spirals(n_samples=400, n_classes=n_classes, noise=0.0, turns=turns, seed=0)
    x, y = inputs.array.astype(np.float64).T
    radii = np.hypot(x, y)
    assert radii.max() <= 1.0
    expected_angle = 2 * np.pi * (turns * radii + targets.array / n_classes)
    mismatch = np.angle(np.exp(1j * (np.arctan2(y, x) - expected_angle)))
    assert np.abs(mismatch[radii > 1e-3]).max() < 1e-3


@pytest.mark.parametrize("n_classes", [2, 3, 5, 8])
def test_blobs_are_linearly_separable_even_with_large_noise(n_classes: int) -> None:
    inputs, targets = blobs(n_samples=800, n_classes=n_classes, noise=2.0, seed=0)
    angles = 2 * np.pi * np.arange(n_classes) / n_classes + np.pi
    centres = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    linear_prediction = np.argmax(inputs.array @ centres.T, axis=1)  # one linear score per class
    np.testing.assert_array_equal(linear_prediction, targets.array)


def test_noise_spreads_points_by_its_standard_deviation() -> None:
    clean, _ = circles(n_samples=4000, noise=0.0, seed=0)
    noisy, _ = circles(n_samples=4000, noise=0.1, seed=0)
    np.testing.assert_allclose(np.std(noisy.array - clean.array), 0.1, rtol=0.05)


@pytest.mark.parametrize("name", SETS)
def test_argument_errors_name_the_set(name: str) -> None:
    make = SETS[name]
    with pytest.raises(ValueError, match=rf"{name}: n_samples must be a positive int, got 0"):
        make(n_samples=0)
    with pytest.raises(ValueError, match=rf"{name}: noise is a standard deviation and must be >= 0, got -0.1"):
        make(noise=-0.1)
    with pytest.raises(ValueError, match=rf"{name}: pass generator= or seed=, not both"):
        make(seed=0, generator=np.random.default_rng(0))


def test_set_specific_errors() -> None:
    with pytest.raises(ValueError, match=r"circles: factor .* must be in \(0, 1\), got 1.5"):
        circles(factor=1.5)
    with pytest.raises(ValueError, match="spirals: n_classes must be an int >= 2, got 1"):
        spirals(n_classes=1)
    with pytest.raises(ValueError, match="blobs: n_classes must be an int >= 2, got 2.0"):
        blobs(n_classes=2.0)
    with pytest.raises(ValueError, match="spirals: turns must be positive, got 0"):
        spirals(turns=0)
