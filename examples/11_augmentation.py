"""Lecture: data augmentation: the same digit, cropped, flipped, rotated, warped and noised.

Each transform of ``nn.data.transforms`` draws fresh random parameters per image. The
gallery shows ten digits through each of them. Then a check of what augmentation buys:
the same MLP trained on a few hundred digits with and without random rotations/shifts
(applied per batch by the ``DataLoader`` inside ``nn.fit``), evaluated on test digits
rotated by up to 30 degrees.

Headline: accuracy on the rotated test digits with and without augmentation.
Plots: augmentation.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from common import figure, mlp, mnist_indices, parse_args, save, show_images

import autograd_core as ag
import nn
import nn.functional as F
from nn.data import transforms as T


def gallery_transforms(seed: int) -> dict[str, Any]:
    return {
        "original": None,
        "RandomCrop(28, padding=4)": T.RandomCrop(28, padding=4, seed=seed),
        "RandomHorizontalFlip(p=1)": T.RandomHorizontalFlip(p=1.0, seed=seed),
        "RandomRotation(30)": T.RandomRotation(30, seed=seed),
        "RandomAffine(10, translate=0.1, scale=0.8-1.2)":
            T.RandomAffine(10, translate=(0.1, 0.1), scale=(0.8, 1.2), seed=seed),
        "AddGaussianNoise(0.2)": T.AddGaussianNoise(0.2, seed=seed),
        "all of them (Compose)": T.Compose([T.RandomCrop(28, padding=2, seed=seed), T.RandomRotation(15, seed=seed),
                                            T.AddGaussianNoise(0.1, seed=seed)]),
    }


def sanity_checks(images: np.ndarray, seed: int) -> dict[str, bool]:
    """Transforms that can be checked exactly: flip, a 90-degree turn, the noise's std, a crop's shift."""
    flipped = T.RandomHorizontalFlip(p=1.0)(images)
    turned = T.affine(images, 90.0)  # counter-clockwise as displayed, exact on the pixel grid
    noise = T.AddGaussianNoise(0.2, seed=seed)(images) - images
    shifted = T.RandomCrop(28, padding=4, seed=seed)(images)
    return {
        "flip mirrors the columns": bool(np.array_equal(flipped, images[..., ::-1])),
        "affine(90) is np.rot90": bool(np.array_equal(turned, np.rot90(images, 1, axes=(2, 3)))),
        "noise std is 0.2 (within 5%)": bool(abs(noise.std() - 0.2) < 0.01),
        "a padded crop only shifts (ink kept or cut, never added)":
            bool((shifted.sum((1, 2, 3)) <= images.sum((1, 2, 3)) + 1e-3).all()),
    }


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("11_augmentation", __doc__.split("\n\n")[0], argv)
    train_size, epochs = (500, 3) if args.quick else (2000, 20)
    train_index, test_index = mnist_indices([train_size, 1000], seed=args.seed)
    digits = nn.data.MNIST()
    shown = [int(test_index[np.flatnonzero(digits.targets[test_index] == digit)[0]]) for digit in range(10)]
    originals = digits.get_batch(np.array(shown))[0].array  # (10, 1, 28, 28)

    transforms = gallery_transforms(args.seed)
    fig, axes = figure(len(transforms), 1, size=(9, 1.25),
                       title="Data augmentation on MNIST digits (nn.data.transforms)")
    for ax, (name, transform) in zip(axes[:, 0], transforms.items()):
        show_images(ax, originals if transform is None else np.clip(transform(originals), 0, 1), cols=10, title=name)
    save(fig, args.out, "augmentation.png")
    checks = sanity_checks(originals, args.seed)
    for name, passed in checks.items():
        print(f"check: {name}: {passed}")

    rotated_test = nn.data.Subset(nn.data.MNIST(transform=T.RandomRotation(30, seed=args.seed + 1), flatten=True),
                                  test_index)
    test_images, test_labels = rotated_test.get_batch(np.arange(len(rotated_test)))
    accuracies = {}
    for name, augment in (("without augmentation", None),
                          ("with augmentation", T.RandomAffine(30, translate=(0.1, 0.1), seed=args.seed))):
        ag.manual_seed(args.seed)
        model = mlp([784, 256, 10])
        train = nn.data.Subset(nn.data.MNIST(transform=augment, flatten=True), train_index)
        nn.fit(model, F.cross_entropy, nn.optim.Adam(model.parameters(), lr=1e-3), train, epochs=epochs, batch_size=64,
               metrics=(), progress=False, seed=args.seed)
        model.eval()
        with ag.no_grad():
            accuracies[name] = nn.metrics.accuracy(test_labels, model(test_images).array.argmax(1))
    print(f"headline: accuracy on test digits rotated by up to 30 degrees ({train_size} training images): "
          f"{accuracies['with augmentation']:.1%} with augmentation, {accuracies['without augmentation']:.1%} without")
    return {"checks": checks, **accuracies}


if __name__ == "__main__":
    main()
