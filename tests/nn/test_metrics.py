"""nn.metrics: hand-checked small cases, averaging modes, zero division, errors; scikit-learn parity when installed."""
import warnings

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import ShapeError
from nn.metrics import UndefinedMetricWarning, accuracy, confusion_matrix, f1, precision, recall

# 3 classes; per class (tp, fp, fn): 0 -> (2, 1, 0), 1 -> (1, 0, 2), 2 -> (2, 2, 1); 5 of 8 right
Y_TRUE = [0, 0, 1, 1, 1, 2, 2, 2]
Y_PRED = [0, 0, 2, 1, 2, 2, 2, 0]


def test_accuracy_hand_checked():
    assert accuracy(Y_TRUE, Y_PRED) == 5 / 8
    assert accuracy([1, 1], [1, 1]) == 1.0
    assert accuracy([], []) == 0.0


def test_confusion_matrix_hand_checked():
    expected = np.array([[2, 0, 0], [0, 1, 2], [1, 0, 2]])
    np.testing.assert_array_equal(confusion_matrix(Y_TRUE, Y_PRED), expected)
    padded = confusion_matrix(Y_TRUE, Y_PRED, num_classes=4)
    assert padded.shape == (4, 4) and padded[:3, :3].tolist() == expected.tolist() and padded[3].sum() == 0
    assert confusion_matrix(Y_TRUE, Y_PRED).dtype == np.int64


def test_per_class_scores_hand_checked():
    np.testing.assert_allclose(precision(Y_TRUE, Y_PRED, average=None), [2 / 3, 1.0, 0.5])
    np.testing.assert_allclose(recall(Y_TRUE, Y_PRED, average=None), [1.0, 1 / 3, 2 / 3])
    # F1 = 2 tp / (2 tp + fp + fn)
    np.testing.assert_allclose(f1(Y_TRUE, Y_PRED, average=None), [4 / 5, 2 / 4, 4 / 7])


def test_averages_hand_checked():
    assert precision(Y_TRUE, Y_PRED, average="macro") == pytest.approx((2 / 3 + 1 + 0.5) / 3)
    assert recall(Y_TRUE, Y_PRED, average="weighted") == pytest.approx((2 * 1 + 3 * (1 / 3) + 3 * (2 / 3)) / 8)
    assert f1(Y_TRUE, Y_PRED, average="weighted") == pytest.approx((2 * 0.8 + 3 * 0.5 + 3 * 4 / 7) / 8)
    for score in (precision, recall, f1):  # micro-averaged single-label scores equal accuracy
        assert score(Y_TRUE, Y_PRED, average="micro") == pytest.approx(5 / 8)
    # labels= restricts the classes scored (and macro averages over them only)
    assert precision(Y_TRUE, Y_PRED, average="macro", labels=[0, 2]) == pytest.approx((2 / 3 + 0.5) / 2)


def test_binary_hand_checked():
    y_true, y_pred = [0, 1, 1, 0, 1], [1, 1, 0, 0, 1]  # tp 2, fp 1, fn 1
    assert precision(y_true, y_pred) == pytest.approx(2 / 3)
    assert recall(y_true, y_pred) == pytest.approx(2 / 3)
    assert f1(y_true, y_pred) == pytest.approx(2 / 3)
    assert recall(y_true, y_pred, pos_label=0) == pytest.approx(1 / 2)  # class 0: tp 1, fn 1
    assert precision([-1, 1, 1], [1, 1, -1]) == pytest.approx(1 / 2)  # labels need not be 0/1


def test_tensors_and_float_labels_accepted():
    true, pred = ag.tensor(Y_TRUE), ag.tensor(np.array(Y_PRED, dtype=np.float32))
    assert accuracy(true, pred) == 5 / 8
    np.testing.assert_array_equal(confusion_matrix(true, pred), confusion_matrix(Y_TRUE, Y_PRED))


def test_zero_division():
    y_true, y_pred = [0, 0, 1], [0, 0, 0]  # class 1 is never predicted: its precision is 0/0
    with pytest.warns(UndefinedMetricWarning, match="precision is undefined"):
        assert precision(y_true, y_pred) == 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert precision(y_true, y_pred, zero_division=1.0) == 1.0
        assert np.isnan(precision(y_true, y_pred, zero_division=np.nan))
        np.testing.assert_allclose(precision(y_true, y_pred, average=None, zero_division=0.0), [2 / 3, 0.0])
        # recall of a class absent from both arrays (labels=) is 0/0; F1 too
        assert f1([0, 0], [0, 0], average="macro", labels=[0, 1], zero_division=1.0) == 1.0
        assert recall([0, 0], [0, 0], average=None, labels=[0, 1], zero_division=0.0).tolist() == [1.0, 0.0]


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="average='binary' needs two classes.*average='macro'"):
        precision(Y_TRUE, Y_PRED)
    with pytest.raises(ValueError, match="average must be one of"):
        recall(Y_TRUE, Y_PRED, average="samples")
    with pytest.raises(ValueError, match="zero_division"):
        f1([0, 1], [0, 1], zero_division="ignore")
    with pytest.raises(ValueError, match="pos_label=2 is not one of the labels"):
        f1([0, 1], [0, 1], pos_label=2)
    with pytest.raises(ShapeError, match=r"y_true has 3 labels but y_pred has 2"):
        accuracy([0, 1, 2], [0, 1])
    with pytest.raises(ShapeError, match=r"shape \(2, 3\).*argmax\(1\)"):
        accuracy(np.zeros((2, 3)), [0, 1])
    with pytest.raises(ValueError, match="integer class labels"):
        accuracy([0.5, 1.0], [0, 1])
    with pytest.raises(ValueError, match="label 3 is out of range for num_classes=3"):
        confusion_matrix([0, 3], [0, 1], num_classes=3)
    with pytest.raises(ValueError, match="negative label"):
        confusion_matrix([0, -1], [0, 1])


def test_matches_scikit_learn_on_random_labels():
    sklearn_metrics = pytest.importorskip("sklearn.metrics")
    rng = np.random.default_rng(0)
    for _ in range(5):
        y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
        assert accuracy(y_true, y_pred) == sklearn_metrics.accuracy_score(y_true, y_pred)
        np.testing.assert_array_equal(confusion_matrix(y_true, y_pred, 4),
                                      sklearn_metrics.confusion_matrix(y_true, y_pred, labels=range(4)))
        for ours, theirs in ((precision, sklearn_metrics.precision_score), (recall, sklearn_metrics.recall_score),
                             (f1, sklearn_metrics.f1_score)):
            for average in ("micro", "macro", "weighted", None):
                np.testing.assert_allclose(ours(y_true, y_pred, average=average, zero_division=0.0),
                                           theirs(y_true, y_pred, average=average, zero_division=0.0))
