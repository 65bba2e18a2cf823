"""Lecture: batch normalisation, on and off, in the same deep network.

A 784-(100 x 8)-10 sigmoid MLP (PyTorch's default init) trained by SGD with the same
learning rate, once plain and once with ``nn.BatchNorm1d`` before every sigmoid. Batch
norm standardises each unit's pre-activation over the batch (then scales and shifts it by
learned gamma and beta), so the sigmoids work in their steep middle range instead of
saturating, and gradients reach the early layers. At evaluation (``model.eval()``) it
uses the running mean and variance gathered in training instead of the batch's.

Headline: validation accuracy after the same number of epochs, with and without.
Plot: batch_norm.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from common import figure, layer_outputs, mlp, mnist_splits, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("08_batch_norm", __doc__.split("\n\n")[0], argv)
    train_size, epochs = (600, 3) if args.quick else (3000, 8)
    train, validation = mnist_splits([train_size, 1000], seed=args.seed)
    sizes = [784] + [100] * 8 + [10]

    histories, activations = {}, {}
    for name, batch_norm in (("without batch norm", False), ("with batch norm", True)):
        ag.manual_seed(args.seed)
        model = mlp(sizes, nn.Sigmoid, batch_norm=batch_norm)
        histories[name] = nn.fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.5), train, validation,
                                 epochs=epochs, batch_size=64, progress=False, seed=args.seed)
        model.eval()  # batch norm now uses its running statistics
        activations[name] = layer_outputs(model, nn.Sigmoid, ag.from_numpy(validation[0][:500]))[-1].ravel()

    fig, axes = figure(1, 3, size=(4.6, 3.8), title="Batch normalisation in a 784-(100 x 8)-10 sigmoid MLP, SGD lr 0.5")
    for name, history in histories.items():
        epochs_run = range(1, len(history) + 1)
        axes[0, 0].plot(epochs_run, history["loss"], "o-", markersize=4, label=name)
        axes[0, 1].plot(epochs_run, history["val_accuracy"], "o-", markersize=4, label=name)
        axes[0, 2].hist(activations[name], bins=40, range=(0, 1), alpha=0.6, label=name)
    axes[0, 0].set(title="training loss", xlabel="epoch", ylabel="cross-entropy")
    axes[0, 1].set(title=f"validation accuracy ({train_size} training images)", xlabel="epoch", ylabel="accuracy",
                   ylim=(0, 1))
    axes[0, 2].set(title="last hidden layer's sigmoid outputs\n(after training, 500 validation images)",
                   xlabel="sigmoid output", ylabel="count")
    for ax in axes[0]:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, args.out, "batch_norm.png")

    without, with_bn = (history["val_accuracy"][-1] for history in histories.values())
    print(f"headline: validation accuracy after {epochs} epochs: {with_bn:.1%} with batch norm, {without:.1%} without")
    return {"with_batch_norm": with_bn, "without_batch_norm": without}


if __name__ == "__main__":
    main()
