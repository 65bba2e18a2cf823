"""Lecture: the autoencoder, a network trained to give back its input through a bottleneck.

Encoder 784-256-32 and decoder 32-256-784 (ReLU; a sigmoid on the output, folded into
the loss as ``F.binary_cross_entropy_with_logits`` against the pixel values). The input
is its own target, so ``nn.fit`` gets ``(images, images)``. Squeezed through 32 numbers,
the network must keep what digits have in common and drop the rest.

Headline: reconstruction mean squared error on unseen images, against the baseline of
always answering the mean training image. Plots: reconstructions.png, curves.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from common import figure, mlp, mnist_splits, parse_args, save, show_images

import autograd_core as ag
import nn
import nn.functional as F

BOTTLENECK = 32


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("09_autoencoder", __doc__.split("\n\n")[0], argv)
    train_size, epochs = (2000, 5) if args.quick else (6000, 12)
    (train_images, _), (test_images, test_labels) = mnist_splits([train_size, 1000], seed=args.seed)

    ag.manual_seed(args.seed)
    encoder, decoder = mlp([784, 256, BOTTLENECK]), mlp([BOTTLENECK, 256, 784])
    autoencoder = nn.Sequential(encoder, nn.ReLU(), decoder)
    history = nn.fit(autoencoder, F.binary_cross_entropy_with_logits, nn.optim.Adam(autoencoder.parameters(), lr=2e-3),
                     (train_images, train_images), (test_images, test_images), epochs=epochs, batch_size=64, metrics=(),
                     progress=False, seed=args.seed)

    autoencoder.eval()
    with ag.no_grad():
        reconstructions = ag.sigmoid(autoencoder(ag.from_numpy(test_images))).array
    error = float(np.mean((reconstructions - test_images) ** 2))
    baseline = float(np.mean((train_images.mean(0) - test_images) ** 2))

    shown = [int(np.flatnonzero(test_labels == digit)[0]) for digit in range(10)]
    fig, axes = figure(2, 1, size=(10, 1.6), title=f"Autoencoder 784-256-{BOTTLENECK}-256-784 on unseen MNIST digits")
    show_images(axes[0, 0], test_images[shown], cols=10, title="input")
    show_images(axes[1, 0], reconstructions[shown], cols=10,
                title=f"reconstruction through {BOTTLENECK} numbers "
                      f"(MSE {error:.4f}; mean-image baseline {baseline:.4f})")
    save(fig, args.out, "reconstructions.png")
    fig, axes = figure(1, 1, size=(5.5, 3.8), title="Autoencoder training")
    ax = axes[0, 0]
    ax.plot(range(1, len(history) + 1), history["loss"], "o-", label=f"training ({train_size} images)")
    ax.plot(range(1, len(history) + 1), history["val_loss"], "s--", label="unseen images (1000)")
    ax.set(xlabel="epoch", ylabel="binary cross-entropy per pixel", title="reconstruction loss")
    ax.grid(alpha=0.3)
    ax.legend()
    save(fig, args.out, "curves.png")

    print(f"headline: reconstruction MSE on unseen images {error:.4f} through a {BOTTLENECK}-number bottleneck "
          f"(mean-image baseline {baseline:.4f}, {baseline / error:.1f}x larger)")
    return {"reconstruction_mse": error, "baseline_mse": baseline}


if __name__ == "__main__":
    main()
