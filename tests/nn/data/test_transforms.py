"""Image transforms (nn/data/transforms.py)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core import DtypeError, ShapeError, Tensor
from nn.data.transforms import (
    AddGaussianNoise,
    Compose,
    Normalize,
    RandomAffine,
    RandomCrop,
    RandomHorizontalFlip,
    RandomRotation,
    affine,
)
from tests.helpers import requires_torch, torch


def images(count: int = 4, channels: int = 2, height: int = 7, width: int = 9, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random((count, channels, height, width)).astype(np.float32)


RANDOM_TRANSFORMS = {
    "AddGaussianNoise": lambda **seeding: AddGaussianNoise(0.1, **seeding),
    "RandomHorizontalFlip": lambda **seeding: RandomHorizontalFlip(**seeding),
    "RandomCrop": lambda **seeding: RandomCrop((5, 6), padding=2, **seeding),
    "RandomRotation": lambda **seeding: RandomRotation(30, **seeding),
    "RandomAffine": lambda **seeding: RandomAffine(20, translate=(0.2, 0.1), scale=(0.8, 1.2),
                                                   interpolation="bilinear", **seeding),
}
ALL_TRANSFORMS = {"Normalize": lambda **seeding: Normalize([0.5, 0.4], [0.2, 0.3]), **RANDOM_TRANSFORMS}


# -- what every transform shares ---------------------------------------------------------
@pytest.mark.parametrize("name", ALL_TRANSFORMS)
def test_images_and_batches_as_arrays_or_tensors(name: str) -> None:
    transform, batch = ALL_TRANSFORMS[name](seed=0), images()
    out = transform(batch)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32 and out.shape[:2] == (4, 2)
    single = transform(batch[0])
    assert single.shape == out.shape[1:]
    tensor_out = transform(ag.tensor(batch, requires_grad=True))
    assert isinstance(tensor_out, Tensor) and tensor_out.shape == out.shape and not tensor_out.requires_grad
    message = rf"{name}: expected an image \(C, H, W\) or a batch \(N, C, H, W\), got shape \(7, 9\)"
    with pytest.raises(ShapeError, match=message):
        transform(batch[0, 0])


@pytest.mark.parametrize("name", RANDOM_TRANSFORMS)
def test_random_transforms_are_seeded_and_draw_per_image(name: str) -> None:
    make = RANDOM_TRANSFORMS[name]
    batch = np.repeat(images(1), 16, axis=0)  # 16 copies of one image
    out = make(seed=1)(batch)
    np.testing.assert_array_equal(make(generator=np.random.default_rng(1))(batch), out)
    assert not np.array_equal(make(seed=2)(batch), out)
    assert len({out[index].tobytes() for index in range(16)}) > 1, "each image should get its own parameters"
    ag.manual_seed(4)
    default = make()(batch)
    ag.manual_seed(4)
    np.testing.assert_array_equal(make()(batch), default)
    with pytest.raises(ValueError, match=rf"{name}: pass generator= or seed=, not both"):
        make(seed=0, generator=np.random.default_rng(0))


# -- Compose / Normalize / AddGaussianNoise -------------------------------------------------
def test_compose_applies_in_order_and_knows_if_batches_are_safe() -> None:
    pipeline = Compose([Normalize(0.5, 0.5), lambda batch: batch * 10])
    np.testing.assert_allclose(pipeline(np.ones((1, 2, 2), np.float32)), 10.0)
    assert not pipeline.supports_batches
    assert Compose([Normalize(0, 1), RandomHorizontalFlip()]).supports_batches
    assert repr(Compose([Normalize(0.5, 2.0)])) == "Compose(\n    Normalize(mean=[0.5], std=[2.0])\n)"
    with pytest.raises(TypeError, match="Compose: transform 1 is a int, not a callable"):
        Compose([Normalize(0, 1), 3])


def test_normalize_per_channel() -> None:
    batch = images(channels=3)
    out = Normalize([0.1, 0.2, 0.3], [1.0, 2.0, 4.0])(batch)
    expected = (batch - np.array([0.1, 0.2, 0.3])[:, None, None]) / np.array([1.0, 2.0, 4.0])[:, None, None]
    np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(Normalize(0.5, 0.25)(batch), (batch - 0.5) / 0.25, rtol=1e-6, atol=1e-7)


def test_normalize_errors() -> None:
    with pytest.raises(ValueError, match=r"Normalize: std must be positive, got \[1, 0\]"):
        Normalize([0, 0], [1, 0])
    with pytest.raises(ShapeError, match="Normalize: mean has 2 values but the images have 3 channels"):
        Normalize([0, 0], 1)(images(channels=3))
    with pytest.raises(ShapeError, match="Normalize: mean and std must be numbers or flat sequences"):
        Normalize([[0.0]], [1.0])
    with pytest.raises(DtypeError, match=r"Normalize: needs float images, got dtype uint8; convert first"):
        Normalize(0, 1)(np.zeros((1, 2, 2), np.uint8))


def test_gaussian_noise_has_the_requested_statistics() -> None:
    batch = np.zeros((8, 1, 50, 50), np.float32)
    noise = AddGaussianNoise(0.2, mean=0.1, seed=0)(batch)
    assert noise.dtype == np.float32
    assert abs(noise.mean() - 0.1) < 0.01 and abs(noise.std() - 0.2) < 0.01
    np.testing.assert_array_equal(AddGaussianNoise(0.0)(batch), batch)
    with pytest.raises(ValueError, match="AddGaussianNoise: std must be >= 0, got -1"):
        AddGaussianNoise(-1)
    with pytest.raises(DtypeError, match="AddGaussianNoise: needs float images, got dtype int64"):
        AddGaussianNoise(0.1)(np.zeros((1, 1, 2, 2), np.int64))


# -- flips and crops ---------------------------------------------------------------------
def test_horizontal_flip_mirrors_the_chosen_images() -> None:
    batch = images(count=200)
    np.testing.assert_array_equal(RandomHorizontalFlip(1.0)(batch), batch[..., ::-1])
    np.testing.assert_array_equal(RandomHorizontalFlip(0.0)(batch), batch)
    out = RandomHorizontalFlip(0.5, seed=0)(batch)
    flipped = np.array([np.array_equal(out[i], batch[i, ..., ::-1]) for i in range(200)])
    kept = np.array([np.array_equal(out[i], batch[i]) for i in range(200)])
    assert np.all(flipped ^ kept) and 70 < flipped.sum() < 130
    assert RandomHorizontalFlip(1.0)(np.arange(4, dtype=np.uint8).reshape(1, 2, 2)).tolist() == [[[1, 0], [3, 2]]]
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: p is a probability in \[0, 1\], got 2"):
        RandomHorizontalFlip(2)


@pytest.mark.parametrize(("padding", "sides"), [(None, (0, 0, 0, 0)), (2, (2, 2, 2, 2)), ((1, 3), (1, 3, 1, 3)),
                                                ((0, 1, 2, 3), (0, 1, 2, 3))])
def test_random_crop_cuts_a_window_of_the_padded_image(padding, sides: tuple) -> None:
    batch = images(count=30, height=6, width=8)
    left, top, right, bottom = sides
    padded = np.pad(batch, ((0, 0), (0, 0), (top, bottom), (left, right)), constant_values=-1.0)
    out = RandomCrop((5, 6), padding=padding, fill=-1.0, seed=0)(batch)
    assert out.shape == (30, 2, 5, 6)
    offsets = set()
    for index in range(30):
        windows = [(row, col) for row in range(padded.shape[2] - 4) for col in range(padded.shape[3] - 5)
                   if np.array_equal(padded[index, :, row:row + 5, col:col + 6], out[index])]
        assert windows, f"image {index} is not a window of its padded input"
        offsets.add(windows[0])
    assert len(offsets) > 1


def test_random_crop_of_the_full_size_is_the_identity() -> None:
    batch = images()
    np.testing.assert_array_equal(RandomCrop((7, 9))(batch), batch)


def test_random_crop_errors() -> None:
    message = (r"RandomCrop: crop size \(10, 10\) is larger than the padded image \(9, 11\) \(input "
               r"\(7, 9\), padding \(1, 1, 1, 1\)\)")
    with pytest.raises(ShapeError, match=message):
        RandomCrop(10, padding=1)(images())
    message = (r"RandomCrop: padding must be a non-negative int or a sequence of 2 or 4 of them, got "
               r"\(1, 2, 3\)")
    with pytest.raises(ValueError, match=message):
        RandomCrop(4, padding=(1, 2, 3))
    with pytest.raises(ValueError, match=r"RandomCrop: size must be a positive int or a pair of them, got \(0, 3\)"):
        RandomCrop((0, 3))


# -- affine warps ----------------------------------------------------------------------------
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_affine_identity_and_quarter_turns(interpolation: str) -> None:
    square = images(height=7, width=7)
    np.testing.assert_allclose(affine(square, 0.0, interpolation=interpolation), square, atol=1e-6)
    quarter_turn = np.rot90(square, 1, axes=(2, 3))
    np.testing.assert_allclose(affine(square, 90.0, interpolation=interpolation), quarter_turn, atol=1e-6)
    np.testing.assert_allclose(affine(square, -180.0, interpolation=interpolation), square[..., ::-1, ::-1], atol=1e-6)
    np.testing.assert_allclose(RandomRotation((90, 90), interpolation=interpolation)(square), quarter_turn, atol=1e-6)


@given(st.integers(-4, 4), st.integers(-3, 3))
def test_affine_whole_pixel_shift_moves_the_image_and_fills(dx: int, dy: int) -> None:
    batch = images(count=1)
    shifted = affine(batch, 0.0, translate=(dx, dy), fill=-1.0)
    expected = np.full_like(batch, -1.0)
    height, width = batch.shape[2:]
    expected[..., max(dy, 0):height + min(dy, 0), max(dx, 0):width + min(dx, 0)] = \
        batch[..., max(-dy, 0):height - max(dy, 0), max(-dx, 0):width - max(dx, 0)]
    np.testing.assert_array_equal(shifted, expected)


def test_affine_takes_one_set_of_parameters_per_image() -> None:
    batch = images(count=3, height=5, width=5)
    out = affine(batch, np.array([0.0, 90.0, 180.0]), translate=np.zeros((3, 2)), scale=np.ones(3))
    for index, turns in enumerate([0, 1, 2]):
        np.testing.assert_array_equal(out[index], np.rot90(batch[index], turns, axes=(1, 2)))


def test_affine_scale_zooms_about_the_centre() -> None:
    image = np.zeros((1, 9, 9), np.float32)
    image[0, 3:6, 3:6] = 1.0  # a 3x3 square around the centre
    expected = np.zeros_like(image)
    expected[0, 2:7, 2:7] = 1.0  # twice as wide: output pixels 2..6 read input pixels 3..5
    np.testing.assert_array_equal(affine(image, 0.0, scale=2.0), expected)


def test_nearest_keeps_integer_images_and_bilinear_refuses_them() -> None:
    integers = np.arange(2 * 5 * 5, dtype=np.uint8).reshape(2, 5, 5)
    np.testing.assert_array_equal(affine(integers, 90.0), np.rot90(integers, 1, axes=(1, 2)))
    assert RandomRotation(10, seed=0)(integers).dtype == np.uint8
    with pytest.raises(DtypeError, match=r"affine \(bilinear\): needs float images, got dtype uint8"):
        RandomRotation(10, interpolation="bilinear")(integers)


@requires_torch
@pytest.mark.parametrize(("height", "width"), [(8, 8), (6, 11)])
def test_bilinear_affine_matches_torch_grid_sample(height: int, width: int) -> None:
    batch = images(count=5, height=height, width=width).astype(np.float64)
    rng = np.random.default_rng(1)
    angles, scales = rng.uniform(-60, 60, 5), rng.uniform(0.6, 1.5, 5)
    shifts = rng.uniform(-2, 2, (5, 2))
    ours = affine(batch, angles, shifts, scales, interpolation="bilinear")
    # torch maps output to input in coordinates normalised to [-1, 1] (align_corners=True)
    half = np.diag([(width - 1) / 2, (height - 1) / 2])
    thetas = []
    for angle, scale, shift in zip(np.deg2rad(angles), scales, shifts):
        inverse = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / scale
        linear = np.linalg.inv(half) @ inverse @ half
        thetas.append(np.hstack([linear, (-np.linalg.inv(half) @ inverse @ shift)[:, None]]))
    grid = torch.nn.functional.affine_grid(torch.tensor(np.array(thetas)), list(batch.shape), align_corners=True)
    theirs = torch.nn.functional.grid_sample(torch.tensor(batch), grid, mode="bilinear", padding_mode="zeros",
                                             align_corners=True)
    np.testing.assert_allclose(ours, theirs.numpy(), atol=1e-10)


def test_random_affine_stays_within_its_ranges() -> None:
    image = np.zeros((1, 1, 21, 21), np.float32)
    image[0, 0, 10, 10] = 1.0  # one bright pixel at the centre: rotation and scaling keep it there
    moved = RandomAffine(45, translate=(0.1, 0.2), seed=0)(np.repeat(image, 50, axis=0))
    rows, cols = np.nonzero(moved[:, 0].max(axis=0))
    reach = np.sqrt(0.5)  # nearest sampling lights pixels within half a pixel diagonal of the shifted point
    assert np.abs(cols - 10).max() <= 2.1 + reach and np.abs(rows - 10).max() <= 4.2 + reach
    assert np.ptp(cols) > 0 and np.ptp(rows) > 0


def test_affine_argument_errors() -> None:
    with pytest.raises(ValueError, match=r"RandomRotation: a single degrees value must be >= 0 .*got -5"):
        RandomRotation(-5)
    message = r"RandomAffine: degrees must be a \(min, max\) pair with min <= max, got \(10.0, -10.0\)"
    with pytest.raises(ValueError, match=message):
        RandomAffine((10, -10))
    message = r"RandomAffine: translate must be two fractions in \[0, 1\], got \(0.1, 1.5\)"
    with pytest.raises(ValueError, match=message):
        RandomAffine(0, translate=(0.1, 1.5))
    with pytest.raises(ValueError, match=r"RandomAffine: scale factors must be positive, got \(0, 1\)"):
        RandomAffine(0, scale=(0, 1))
    message = r"RandomAffine: scale must be a \(min, max\) pair with min <= max, got \(1.2,\)"
    with pytest.raises(ValueError, match=message):
        RandomAffine(0, scale=1.2)
    message = r"RandomRotation: interpolation must be one of \('nearest', 'bilinear'\), got 'cubic'"
    with pytest.raises(ValueError, match=message):
        RandomRotation(5, interpolation="cubic")
    with pytest.raises(ValueError, match="affine: interpolation must be one of"):
        affine(images(), 10.0, interpolation="area")
    with pytest.raises(ValueError, match=r"affine: scale must be positive, got -1"):
        affine(images(), 10.0, scale=-1.0)
    message = r"affine: for 4 image\(s\), angle and scale must be one number or 4.*got shapes \(3,\), \(\) and \(2,\)"
    with pytest.raises(ShapeError, match=message):
        affine(images(), np.zeros(3))
    with pytest.raises(ShapeError, match=r"got shapes \(\), \(\) and \(3,\)"):
        affine(images(), 0.0, translate=(1, 2, 3))


def test_reprs_show_the_settings() -> None:
    assert repr(RandomRotation(15)) == "RandomRotation(degrees=(-15.0, 15.0), interpolation='nearest', fill=0.0)"
    assert repr(RandomCrop(28, padding=2)) == "RandomCrop(size=(28, 28), padding=(2, 2, 2, 2), fill=0.0)"
    assert repr(RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
