"""Lecture: linear classifiers on images, the softmax (cross-entropy) and the multi-class SVM (hinge).

A linear classifier scores class ``j`` as ``f_j = w_j . x + b_j``: one 784-pixel weight
row per digit. Trained with the softmax cross-entropy loss or with the multi-class SVM
hinge loss ``sum_{j != y} max(0, f_j - f_y + 1)`` (``F.hinge_loss``), on MNIST. Each
weight row, drawn as a 28x28 image, is a template the image is matched against: red
pixels vote for the digit, blue ones against it.

Headline: test accuracy of both classifiers. Plots: templates.png, curves.png.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from common import figure, mnist_splits, parse_args, save, show_images

import autograd_core as ag
import nn
import nn.functional as F

# loss, learning rate, weight decay (the L2 penalty that smooths the templates; lr * decay is the same for both)
LOSSES = {"softmax (cross-entropy)": (F.cross_entropy, 0.1, 1e-2),
          "multi-class SVM (hinge)": (F.hinge_loss, 0.01, 1e-1)}


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    args = parse_args("02_linear_classifiers", __doc__.split("\n\n")[0], argv)
    train_size, epochs = (1000, 4) if args.quick else (8000, 10)
    (train_x, train_y), (test_x, test_y) = mnist_splits([train_size, 500 if args.quick else 2000], seed=args.seed)

    results, histories, templates = {}, {}, []
    for name, (loss, lr, weight_decay) in LOSSES.items():
        ag.manual_seed(args.seed)
        model = nn.Linear(784, 10)
        optimizer = nn.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
        histories[name] = nn.fit(model, loss, optimizer, (train_x, train_y), (test_x, test_y), epochs=epochs,
                                 batch_size=64, progress=False, seed=args.seed)
        results[name] = histories[name]["val_accuracy"][-1]
        templates.append(model.weight.array.copy())

    fig, axes = figure(2, 1, size=(11, 1.7),
                       title="Linear classifiers on MNIST: each weight row as a 28x28 template (red +, blue -)")
    for ax, (name, accuracy), weights in zip(axes[:, 0], results.items(), templates):
        show_images(ax, weights, cols=10, symmetric=True,
                    title=f"{name}: test accuracy {accuracy:.1%}   (digits 0 to 9)")
    save(fig, args.out, "templates.png")

    fig, axes = figure(1, 2, size=(5, 3.6), title="Linear classifiers on MNIST: training curves")
    for name, history in histories.items():
        epochs_run = range(1, len(history) + 1)
        line, = axes[0, 0].plot(epochs_run, history["loss"], "-o", markersize=3, label=f"{name}, train")
        axes[0, 0].plot(epochs_run, history["val_loss"], "--", color=line.get_color(), label=f"{name}, test")
        axes[0, 1].plot(epochs_run, history["accuracy"], "-o", markersize=3, color=line.get_color(),
                        label=f"{name}, train")
        axes[0, 1].plot(epochs_run, history["val_accuracy"], "--", color=line.get_color(), label=f"{name}, test")
    axes[0, 0].set(title="loss (each its own)", xlabel="epoch", ylabel="loss")
    axes[0, 1].set(title="accuracy", xlabel="epoch", ylabel="accuracy")
    for ax in axes[0]:
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    save(fig, args.out, "curves.png")

    softmax, svm = results.values()
    print(f"headline: linear softmax {softmax:.1%}, linear SVM {svm:.1%} test accuracy on {len(test_y)} MNIST digits "
          f"({train_size} training images)")
    return {"softmax_accuracy": softmax, "svm_accuracy": svm,
            "template_class_match": _templates_match_class_means(templates[0], train_x, train_y)}


def _templates_match_class_means(weights: np.ndarray, images: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of digits whose template correlates best with that digit's mean image (centred pixels)."""
    means = np.stack([images[labels == digit].mean(0) for digit in range(10)])
    means -= means.mean(0)
    centred = weights - weights.mean(0)
    correlation = ((centred / np.linalg.norm(centred, axis=1, keepdims=True))
                   @ (means / np.linalg.norm(means, axis=1, keepdims=True)).T)
    return float(np.mean(correlation.argmax(1) == np.arange(10)))


if __name__ == "__main__":
    main()
