"""Lecture: evaluating classifiers: accuracy, precision, recall, F1 and the confusion matrix.

1. Small cases counted by hand (the counts are in the comments) against ``nn.metrics``,
   and against scikit-learn when it is installed.
2. A binary model on an imbalanced question, "is this digit a 9?" (10% yes), where
   accuracy flatters: answering "no" every time already scores 90%, with recall 0.
3. A 10-class MLP on MNIST: its confusion matrix and per-class precision and recall.

Headline: the hand-checked cases match; the binary model's precision/recall next to the
always-"no" baseline; the MNIST model's macro F1 and most confused pair.
Plot: evaluation.png.
"""
from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
from common import figure, mlp, mnist_splits, parse_args, save

import autograd_core as ag
import nn
import nn.functional as F
from nn import metrics

# binary: TP = 3 (samples 0-2), FN = 1 (sample 3), FP = 2 (samples 4, 5), TN = 4 (samples 6-9)
BINARY_TRUE = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
BINARY_PRED = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0]
BINARY_BY_HAND = {
    "accuracy": Fraction(7, 10),                 # (TP + TN) / 10
    "precision": Fraction(3, 5),                 # TP / (TP + FP)
    "recall": Fraction(3, 4),                    # TP / (TP + FN)
    "f1": Fraction(2, 3),                        # 2 TP / (2 TP + FP + FN) = 6 / 9
    "confusion_matrix": [[4, 2], [1, 3]],        # rows: true 0, 1; columns: predicted 0, 1
}
# three classes; per class (TP, FP, FN): class 0 (2, 1, 1), class 1 (1, 1, 1), class 2 (3, 1, 1)
MULTI_TRUE = [0, 0, 0, 1, 1, 2, 2, 2, 2]
MULTI_PRED = [0, 0, 1, 1, 2, 2, 2, 2, 0]
MULTI_BY_HAND = {
    "accuracy": Fraction(6, 9),
    "precision per class": [Fraction(2, 3), Fraction(1, 2), Fraction(3, 4)],
    "recall per class": [Fraction(2, 3), Fraction(1, 2), Fraction(3, 4)],
    "precision macro": (Fraction(2, 3) + Fraction(1, 2) + Fraction(3, 4)) / 3,   # 23/36
    "precision micro": Fraction(6, 9),                                            # all TP / all predictions
    "precision weighted": (3 * Fraction(2, 3) + 2 * Fraction(1, 2) + 4 * Fraction(3, 4)) / 9,  # by support 3, 2, 4
    "recall macro": (Fraction(2, 3) + Fraction(1, 2) + Fraction(3, 4)) / 3,
    "f1 macro": (Fraction(2, 3) + Fraction(1, 2) + Fraction(3, 4)) / 3,          # P = R per class, so F1 = P
    "confusion_matrix": [[2, 1, 0], [0, 1, 1], [1, 0, 3]],
}


def metric_values(functions: dict[str, Any], y_true: list[int], y_pred: list[int], binary: bool) -> dict[str, Any]:
    """The quantities of the hand-counted dicts, from ``functions`` (nn.metrics' or scikit-learn's, same arguments)."""
    accuracy, precision, recall, f1 = (functions[name] for name in ("accuracy", "precision", "recall", "f1"))
    values = {"accuracy": accuracy(y_true, y_pred), "confusion_matrix": functions["confusion_matrix"](y_true, y_pred)}
    if binary:
        return {**values, "precision": precision(y_true, y_pred), "recall": recall(y_true, y_pred),
                "f1": f1(y_true, y_pred)}
    return {**values, "precision per class": precision(y_true, y_pred, average=None),
            "recall per class": recall(y_true, y_pred, average=None),
            **{f"precision {average}": precision(y_true, y_pred, average=average)
               for average in ("macro", "micro", "weighted")},
            "recall macro": recall(y_true, y_pred, average="macro"), "f1 macro": f1(y_true, y_pred, average="macro")}


LIBRARY = {"accuracy": metrics.accuracy, "precision": metrics.precision, "recall": metrics.recall, "f1": metrics.f1,
           "confusion_matrix": metrics.confusion_matrix}


def scikit_learn() -> dict[str, Any] | None:
    """scikit-learn's versions of the same functions, or None when it is not installed."""
    try:
        from sklearn import metrics as sk
    except ImportError:
        return None
    return {"accuracy": sk.accuracy_score, "precision": sk.precision_score, "recall": sk.recall_score,
            "f1": sk.f1_score, "confusion_matrix": sk.confusion_matrix}


def compare(case: str, by_hand: dict[str, Any], library: dict[str, Any], sklearn: dict[str, Any] | None) -> bool:
    """Print one line per quantity; True when every library value equals the hand count (and scikit-learn's)."""
    all_match = True
    for name, expected in by_hand.items():
        expected_values = np.array(expected, dtype=float)
        match = np.allclose(np.asarray(library[name], dtype=float), expected_values, rtol=0, atol=1e-12)
        if sklearn is not None:
            match = match and np.allclose(np.asarray(sklearn[name], dtype=float), expected_values, rtol=0, atol=1e-12)
        all_match = all_match and bool(match)
        shown = expected if isinstance(expected, Fraction) else f"[{', '.join(map(str, expected))}]"
        print(f"  {case:11s} {name:20s} by hand {shown!s:28s} nn.metrics {np.round(library[name], 4).tolist()!s:28s} "
              f"{'ok' if match else 'MISMATCH'}")
    return all_match


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args("12_evaluation", __doc__.split("\n\n")[0], argv)
    sklearn = scikit_learn()
    print("hand-checked cases" + (" (also against scikit-learn)" if sklearn is not None else "") + ":")
    hand_ok = True
    for case, y_true, y_pred, by_hand in (("binary", BINARY_TRUE, BINARY_PRED, BINARY_BY_HAND),
                                          ("multi-class", MULTI_TRUE, MULTI_PRED, MULTI_BY_HAND)):
        is_binary = case == "binary"
        reference = None if sklearn is None else metric_values(sklearn, y_true, y_pred, is_binary)
        hand_ok &= compare(case, by_hand, metric_values(LIBRARY, y_true, y_pred, is_binary), reference)

    train_size, epochs = (1000, 3) if args.quick else (5000, 8)
    (train_x, train_y), (test_x, test_y) = mnist_splits([train_size, 500 if args.quick else 2000], seed=args.seed)

    # binary: is it a 9? one logit, logistic loss
    ag.manual_seed(args.seed)
    detector = nn.Linear(784, 1)
    nn.fit(detector, lambda logits, targets: F.binary_cross_entropy_with_logits(logits.reshape(-1), targets),
           nn.optim.Adam(detector.parameters(), lr=5e-3), (train_x, (train_y == 9).astype(np.float32)), epochs=epochs,
           batch_size=64, progress=False, seed=args.seed)
    with ag.no_grad():
        is_nine = (detector(ag.from_numpy(test_x)).array.reshape(-1) > 0).astype(np.int64)
    truth = (test_y == 9).astype(np.int64)
    binary = {"accuracy": metrics.accuracy(truth, is_nine),
              "precision": metrics.precision(truth, is_nine, zero_division=0.0),
              "recall": metrics.recall(truth, is_nine, zero_division=0.0)}
    always_no = np.zeros_like(truth)
    baseline = {"accuracy": metrics.accuracy(truth, always_no),
                "recall": metrics.recall(truth, always_no, zero_division=0.0)}

    # ten classes
    ag.manual_seed(args.seed)
    classifier = mlp([784, 64, 10])
    nn.fit(classifier, F.cross_entropy, nn.optim.Adam(classifier.parameters(), lr=1e-3), (train_x, train_y),
           epochs=epochs, batch_size=64, progress=False, seed=args.seed)
    with ag.no_grad():
        predicted = classifier(ag.from_numpy(test_x)).array.argmax(1)
    confusion = metrics.confusion_matrix(test_y, predicted, num_classes=10)
    precision = metrics.precision(test_y, predicted, average=None, labels=range(10), zero_division=0.0)
    recall = metrics.recall(test_y, predicted, average=None, labels=range(10), zero_division=0.0)
    macro_f1 = metrics.f1(test_y, predicted, average="macro", zero_division=0.0)
    mistakes = confusion - np.diag(np.diag(confusion))
    true_digit, predicted_digit = np.unravel_index(mistakes.argmax(), mistakes.shape)

    fig, axes = figure(1, 3, size=(4.8, 4.4), title=f"Evaluating classifiers on {len(test_y)} unseen MNIST digits")
    ax = axes[0, 0]
    binary_confusion = metrics.confusion_matrix(truth, is_nine, num_classes=2)
    ax.imshow(binary_confusion, cmap="Blues")
    for (row, col), count in np.ndenumerate(binary_confusion):
        ax.text(col, row, f"{['TN', 'FP', 'FN', 'TP'][2 * row + col]}\n{count}", ha="center", va="center", fontsize=12,
                color="white" if count > binary_confusion.max() / 2 else "black")
    ax.set(title=f"'is it a 9?' (linear, logistic loss)\n"
                 f"accuracy {binary['accuracy']:.1%}, precision {binary['precision']:.1%}, "
                 f"recall {binary['recall']:.1%}\n"
                 f"always 'no': accuracy {baseline['accuracy']:.1%}, recall {baseline['recall']:.0%}",
           xticks=[0, 1], yticks=[0, 1], xticklabels=["not 9", "9"], yticklabels=["not 9", "9"], xlabel="predicted",
           ylabel="true")
    ax = axes[0, 1]
    ax.imshow(np.log1p(confusion), cmap="viridis")
    for (row, col), count in np.ndenumerate(confusion):
        if count:
            ax.text(col, row, str(count), ha="center", va="center", fontsize=6.5,
                    color="black" if row == col else "white")
    ax.set(title=f"10-class MLP: confusion matrix (colour: log counts)\n"
                 f"most confused: true {true_digit} read as {predicted_digit} ({mistakes.max()} times)",
           xticks=range(10), yticks=range(10), xlabel="predicted digit", ylabel="true digit")
    ax = axes[0, 2]
    positions = np.arange(10)
    ax.bar(positions - 0.2, precision, width=0.4, label="precision")
    ax.bar(positions + 0.2, recall, width=0.4, label="recall")
    ax.set(title=f"per-class precision and recall\nmacro F1 {macro_f1:.3f}", xticks=positions, xlabel="digit",
           ylim=(min(precision.min(), recall.min()) - 0.1, 1.06))
    ax.grid(alpha=0.3, axis="y")
    ax.legend(loc="upper center", ncols=2)
    save(fig, args.out, "evaluation.png")

    print(f"'is it a 9?': accuracy {binary['accuracy']:.1%}, precision {binary['precision']:.1%}, "
          f"recall {binary['recall']:.1%}; "
          f"always 'no': accuracy {baseline['accuracy']:.1%}, recall {baseline['recall']:.0%}")
    print(f"headline: hand-checked cases {'all match' if hand_ok else 'DO NOT MATCH'}; "
          f"MNIST MLP macro F1 {macro_f1:.3f}, "
          f"most confused: {true_digit} read as {predicted_digit} ({mistakes.max()} times)")
    return {"hand_checked": hand_ok, "sklearn_available": sklearn is not None, "binary": binary,
            "always_no": baseline, "macro_f1": macro_f1, "confusion_total": int(confusion.sum())}


if __name__ == "__main__":
    main()
