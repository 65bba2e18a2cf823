import numpy as np
import pytest

import autograd_core as ag
import nn
from tests.helpers import check_op


def test_penalties_values_and_gradients():
    weights = [np.array([[0.5, -1.5], [2.0, 0.3]]), np.array([-0.7, 1.1, 0.2])]
    check_op(lambda *p: nn.l1_penalty(p), weights)
    check_op(lambda *p: nn.l2_penalty(p), weights)
    tensors = [ag.tensor(w, requires_grad=True) for w in weights]
    assert nn.l1_penalty(tensors).item() == pytest.approx(sum(np.abs(w).sum() for w in weights))
    penalty = nn.l2_penalty(tensors)
    assert penalty.ndim == 0 and penalty.item() == pytest.approx(sum((w * w).sum() for w in weights))
    penalty.backward()
    for tensor, w in zip(tensors, weights):
        np.testing.assert_allclose(tensor.grad.array, 2 * w)


def test_penalty_of_a_module_covers_every_parameter_and_can_select_weights():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    everything = sum(float((p.array.astype(np.float64) ** 2).sum()) for p in model.parameters())
    assert nn.l2_penalty(model).item() == pytest.approx(everything, rel=1e-5)
    weights_only = nn.l1_penalty(p for name, p in model.named_parameters() if name.endswith("weight"))
    expected = float(np.abs(model[0].weight.array).sum() + np.abs(model[2].weight.array).sum())
    assert weights_only.item() == pytest.approx(expected, rel=1e-5)


def test_l2_penalty_matches_sgd_weight_decay():
    # loss + wd/2 * ||w||^2 has gradient grad + wd * w: SGD's weight_decay
    weight = ag.tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    data_loss = (weight * ag.tensor(np.array([0.5, 0.5, 0.5]))).sum()
    (data_loss + 0.1 / 2 * nn.l2_penalty([weight])).backward()
    np.testing.assert_allclose(weight.grad.array, 0.5 + 0.1 * weight.array)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nn.l2_penalty([]), ValueError, r"l2_penalty: got no parameters, so the penalty would silently be 0"),
        (lambda: nn.l1_penalty(nn.ReLU()), ValueError, r"l1_penalty: got no parameters"),
        (lambda: nn.l1_penalty([ag.ones(2), np.ones(2)]), TypeError, r"l1_penalty: item 1 is a ndarray, not a Tensor"),
    ],
)
def test_penalty_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
