"""Classification metrics on label arrays, with scikit-learn's names for arguments and averaging.

Every function takes ``y_true`` then ``y_pred`` (as ``sklearn.metrics``): 1-D integer
labels given as ndarrays, Tensors or lists. From a model's logits ``(N, C)`` pass
``logits.argmax(1)``.

    >>> from nn.metrics import accuracy, f1, confusion_matrix
    >>> accuracy([0, 1, 2, 2], [0, 2, 2, 2])
    0.75
    >>> f1([0, 1, 2, 2], [0, 2, 2, 2], average="macro")  # (1 + 0 + 0.8) / 3
    0.6
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from autograd_core import ShapeError, Tensor

AVERAGES = ("binary", "micro", "macro", "weighted", None)


class UndefinedMetricWarning(UserWarning):
    """A precision/recall/F1 whose denominator is zero, set to 0 (``zero_division="warn"``)."""


def _labels(values: Any, name: str, op: str) -> np.ndarray:
    """``values`` as a 1-D int64 array, or a ValueError/ShapeError saying what was wrong."""
    array = values.array if isinstance(values, Tensor) else np.asarray(values)
    if array.ndim != 1:
        hint = " (for logits or probabilities of shape (N, C), pass .argmax(1))" if array.ndim == 2 else ""
        raise ShapeError(f"{op}: {name} must be a 1-D array of class labels, got shape {array.shape}{hint}.")
    if array.size == 0:
        return array.astype(np.int64)
    if array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0):
        array = array.astype(np.int64)
    if array.dtype.kind not in "biu":
        raise ValueError(f"{op}: {name} must hold integer class labels, got dtype {array.dtype}.")
    return array.astype(np.int64)


def _pair(y_true: Any, y_pred: Any, op: str) -> tuple[np.ndarray, np.ndarray]:
    true, pred = _labels(y_true, "y_true", op), _labels(y_pred, "y_pred", op)
    if true.shape != pred.shape:
        raise ShapeError(f"{op}: y_true has {true.size} labels but y_pred has {pred.size}; "
                         "give one prediction per sample.")
    return true, pred


def accuracy(y_true: Any, y_pred: Any) -> float:
    """The fraction of samples whose predicted label equals the true one (0.0 for no samples)."""
    true, pred = _pair(y_true, y_pred, "accuracy")
    return float(np.mean(true == pred)) if true.size else 0.0


def confusion_matrix(y_true: Any, y_pred: Any, num_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of samples of true class ``i`` predicted as class ``j`` (int64).

    Labels must lie in ``0 .. num_classes - 1``; ``num_classes`` defaults to the largest
    label seen plus one.

    Shape:
        y_true (N,), y_pred (N,) -> (num_classes, num_classes).
    """
    true, pred = _pair(y_true, y_pred, "confusion_matrix")
    if true.size and min(true.min(), pred.min()) < 0:
        raise ValueError("confusion_matrix: labels must be non-negative class indices 0 .. C-1, got a negative label.")
    largest = int(max(true.max(), pred.max())) if true.size else -1
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(
            f"confusion_matrix: label {largest} is out of range for num_classes={num_classes}; "
            "labels must lie in 0 .. num_classes-1 (or leave num_classes=None)."
        )
    counts = np.bincount(true * num_classes + pred, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes)


def precision(y_true: Any, y_pred: Any, *, average: str | None = "binary", labels: Sequence[int] | None = None,
              pos_label: int = 1, zero_division: Any = "warn") -> Any:
    """Precision ``tp / (tp + fp)``: of the samples predicted as a class, the fraction that are.

    Args:
        average: ``"binary"`` (the score of ``pos_label``; the labels must be two classes),
            ``"micro"`` (from the counts summed over classes), ``"macro"`` (the plain mean of
            the per-class scores), ``"weighted"`` (the mean weighted by each class's number
            of true samples) or None (the per-class scores as an array).
        labels: the classes to score (default: every label in y_true or y_pred, sorted).
        pos_label: the positive class for ``average="binary"``.
        zero_division: the score when the denominator is 0: 0.0, 1.0, ``np.nan``, or
            ``"warn"`` (0.0 and an ``UndefinedMetricWarning``).

    Returns a float, or an ndarray of per-class scores with ``average=None``.
    """
    return _score("precision", y_true, y_pred, average, labels, pos_label, zero_division)


def recall(y_true: Any, y_pred: Any, *, average: str | None = "binary", labels: Sequence[int] | None = None,
           pos_label: int = 1, zero_division: Any = "warn") -> Any:
    """Recall ``tp / (tp + fn)``: of the samples of a class, the fraction predicted as it.

    Arguments as ``precision``.
    """
    return _score("recall", y_true, y_pred, average, labels, pos_label, zero_division)


def f1(y_true: Any, y_pred: Any, *, average: str | None = "binary", labels: Sequence[int] | None = None,
       pos_label: int = 1, zero_division: Any = "warn") -> Any:
    """F1, the harmonic mean of precision and recall: ``2 tp / (2 tp + fp + fn)``.

    Arguments as ``precision``.
    """
    return _score("f1", y_true, y_pred, average, labels, pos_label, zero_division)


def _score(kind: str, y_true: Any, y_pred: Any, average: str | None, labels: Sequence[int] | None,
           pos_label: int, zero_division: Any) -> Any:
    true, pred = _pair(y_true, y_pred, kind)
    if average not in AVERAGES:
        raise ValueError(f"{kind}: average must be one of {AVERAGES}, got {average!r}")
    if not _valid_zero_division(zero_division):
        raise ValueError(f"{kind}: zero_division must be 'warn', 0.0, 1.0 or np.nan, got {zero_division!r}")
    present = np.union1d(true, pred)
    if average == "binary":
        if present.size > 2:
            raise ValueError(
                f"{kind}: average='binary' needs two classes, but the labels hold {present.size} "
                f"({present.tolist()}); pass average='macro', 'micro', 'weighted' or None."
            )
        if present.size == 2 and pos_label not in present:
            raise ValueError(f"{kind}: pos_label={pos_label} is not one of the labels {present.tolist()}.")
        classes = np.array([pos_label])
    else:
        classes = present if labels is None else np.asarray(labels, dtype=np.int64)
    # one column per scored class: which samples are truly / predicted that class
    is_true = true[:, None] == classes[None, :]
    is_pred = pred[:, None] == classes[None, :]
    true_positives = (is_true & is_pred).sum(0)
    support = is_true.sum(0)
    predicted = is_pred.sum(0)
    numerator, denominator = {
        "precision": (true_positives, predicted),
        "recall": (true_positives, support),
        "f1": (2 * true_positives, support + predicted),
    }[kind]
    if average == "micro":
        numerator, denominator = numerator.sum(keepdims=True), denominator.sum(keepdims=True)
    scores = _divide(kind, numerator, denominator, zero_division)
    if average in ("micro", "binary"):
        return float(scores[0])
    if average is None:
        return scores
    if average == "weighted":
        if support.sum() == 0:
            return float(_divide(kind, np.zeros(1), np.zeros(1), zero_division)[0])
        return float(np.average(scores, weights=support))
    return float(np.mean(scores)) if scores.size else 0.0


def _valid_zero_division(value: Any) -> bool:
    if isinstance(value, str):
        return value == "warn"
    return isinstance(value, (int, float, np.floating)) and (value in (0, 1) or bool(np.isnan(value)))


def _divide(kind: str, numerator: np.ndarray, denominator: np.ndarray, zero_division: Any) -> np.ndarray:
    undefined = denominator == 0
    if undefined.any() and zero_division == "warn":
        warnings.warn(
            f"{kind} is undefined (0/0) for {int(undefined.sum())} class(es) and set to 0.0; "
            "pass zero_division=0.0, 1.0 or np.nan to choose the value and silence this warning.",
            UndefinedMetricWarning, stacklevel=4,
        )
    fill = 0.0 if zero_division == "warn" else float(zero_division)
    safe = np.where(undefined, 1, denominator)
    return np.where(undefined, fill, numerator / safe).astype(np.float64)
