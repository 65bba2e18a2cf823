"""Lecture: overfitting and regularisation (dropout, L2, input noise, early stopping), and split discipline.

A large MLP (784-256-256-10) trained on only a few hundred MNIST images learns them by
heart: the training loss falls towards 0 while the validation loss turns back up. Each
regulariser is then tried alone, from the same initial weights:

- dropout (p = 0.5 after each hidden layer, ``nn.Dropout``),
- L2 weight penalty (``loss + lambda / 2 * ||w||^2``, applied through the optimiser's
  ``weight_decay=lambda``, which adds exactly that penalty's gradient ``lambda * w``),
- input noise (``nn.GaussianNoise`` on the pixels while training),
- early stopping (``nn.EarlyStopping``: stop when the validation loss has not improved
  for ``patience`` epochs and restore the weights of the best epoch).

Split discipline: the images are cut into training, validation and test sets once.
Training sees only the training set; the choice among the variants looks only at
validation accuracy; the test set is used once, for the chosen model.

Headline: validation - training loss gap per variant, and the chosen model's test
accuracy. Plot: regularization.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from common import figure, mlp, mnist_splits, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F

L2_STRENGTH = 1e-2


def variants(hidden: list[int], patience: int, seed: int) -> dict[str, dict[str, Any]]:
    """name -> the model, its optimiser and its EarlyStopping (or None)."""
    setups = {}
    for name, options in (("no regularisation", {}), ("dropout 0.5", {"dropout": 0.5}), (f"L2 {L2_STRENGTH:g}", {}),
                          ("input noise 0.5", {"input_noise": 0.5}), (f"early stopping ({patience})", {})):
        ag.manual_seed(seed)  # the same initial weights for every variant (GaussianNoise/Dropout hold no weights)
        model = mlp([784, *hidden, 10], **options)
        weight_decay = L2_STRENGTH if name.startswith("L2") else 0.0
        stopper = nn.EarlyStopping(monitor="val_loss", patience=patience) if name.startswith("early") else None
        setups[name] = {"model": model,
                        "optimizer": nn.optim.Adam(model.parameters(), lr=1e-3, weight_decay=weight_decay),
                        "early_stopping": stopper}
    return setups


def evaluate(model: nn.Module, images: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """(cross-entropy, accuracy) of ``model`` in eval mode."""
    model.eval()
    with ag.no_grad():
        logits = model(ag.from_numpy(images))
        return (F.cross_entropy(logits, ag.from_numpy(labels)).item(),
                nn.metrics.accuracy(labels, logits.array.argmax(1)))


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("06_regularization", __doc__.split("\n\n")[0], argv)
    if args.quick:
        sizes, hidden, epochs, patience = (200, 300, 300), [256], 25, 3
    else:
        sizes, hidden, epochs, patience = (500, 1000, 2000), [256, 256], 40, 5
    train, validation, test = mnist_splits(sizes, seed=args.seed)  # disjoint, cut once

    results, histories = {}, {}
    for name, setup in variants(hidden, patience, args.seed).items():
        model = setup["model"]
        histories[name] = nn.fit(model, F.cross_entropy, setup["optimizer"], train, validation, epochs=epochs,
                                 batch_size=50, early_stopping=setup["early_stopping"], progress=False, seed=args.seed)
        (train_loss, train_accuracy), (val_loss, val_accuracy) = evaluate(model, *train), evaluate(model, *validation)
        results[name] = {"model": model, "train_loss": train_loss, "val_loss": val_loss, "gap": val_loss - train_loss,
                         "train": train_accuracy, "val": val_accuracy}
        if setup["early_stopping"] is not None:
            stopper = setup["early_stopping"]
            results[name]["best_epoch"] = stopper.best_epoch + 1
            results[name]["epochs_run"] = len(histories[name])
            results[name]["val_loss_at_best_epoch"] = histories[name]["val_loss"][stopper.best_epoch]

    chosen = max(results, key=lambda name: results[name]["val"])  # validation only: the test set stays unseen
    test_accuracy = evaluate(results[chosen]["model"], *test)[1]

    fig, axes = figure(2, 3, size=(4.6, 3.5),
                       title=f"Regularisation: 784-{'-'.join(map(str, hidden))}-10 MLP on {sizes[0]} MNIST images "
                             f"(validation {sizes[1]}, test {sizes[2]})")
    for ax, (name, history) in zip(axes.flat, histories.items()):
        epochs_run = range(1, len(history) + 1)
        ax.semilogy(epochs_run, history["loss"], label="training (train mode)")
        ax.semilogy(epochs_run, history["val_loss"], label="validation")
        if "best_epoch" in results[name]:
            ax.axvline(results[name]["best_epoch"], color="k", linestyle=":", label="best epoch (restored)")
        ax.set(title=f"{name}: validation accuracy {results[name]['val']:.1%}", xlabel="epoch", ylabel="cross-entropy",
               ylim=(1e-3, 3))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower left")
    ax = axes[1, 2]
    names = list(results)
    bars = ax.barh(names, [results[name]["gap"] for name in names], color=["C3"] + ["C0"] * (len(names) - 1))
    ax.bar_label(bars, fmt="%.2f", fontsize=8)
    ax.invert_yaxis()
    ax.set(title=f"validation - training loss\npicked on validation: {chosen}\n(its test accuracy {test_accuracy:.1%})",
           xlabel="loss gap (smaller: less overfitting)")
    ax.grid(alpha=0.3, axis="x")
    save(fig, args.out, "regularization.png")

    for name, result in results.items():
        print(f"{name:22s} loss train {result['train_loss']:.3f} validation {result['val_loss']:.3f} "
              f"(gap {result['gap']:.3f}); "
              f"accuracy train {result['train']:.1%} validation {result['val']:.1%}")
    stopped = results[f"early stopping ({patience})"]
    print(f"early stopping ran {stopped['epochs_run']} of {epochs} epochs and restored epoch {stopped['best_epoch']}")
    print(f"headline: validation - training loss gap without regularisation {results['no regularisation']['gap']:.2f}, "
          + ", ".join(f"{name} {result['gap']:.2f}" for name, result in list(results.items())[1:])
          + f"; chosen on validation accuracy: {chosen}, "
          f"test accuracy {test_accuracy:.1%} (the test set's only use)")
    return {"results": {name: {key: value for key, value in result.items() if key != "model"}
                        for name, result in results.items()},
            "chosen": chosen, "test_accuracy": test_accuracy}


if __name__ == "__main__":
    main()
