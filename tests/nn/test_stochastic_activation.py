"""rrelu and gumbel_softmax (nn/stochastic_activation.py): their statistics, eval behaviour
against PyTorch, and the straight-through gradient of a hard Gumbel-softmax sample."""
import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import compare_with_torch, requires_torch, torch


def test_rrelu_in_training_draws_slopes_in_the_interval_with_the_mean_slope():
    ag.manual_seed(0)
    x = ag.tensor(-np.ones(20000), requires_grad=True)
    out = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = -out.array
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.003 and abs(slopes.var() - 0.2**2 / 12) < 2e-4  # U(0.1, 0.3)
    out.sum().backward()
    np.testing.assert_allclose(x.grad.array, slopes)  # the gradient is each element's slope
    positive = ag.tensor(np.arange(1.0, 6.0))
    np.testing.assert_array_equal(F.rrelu(positive, training=True).array, positive.array)


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rrelu_in_eval_is_pytorchs(dtype):
    x = np.linspace(-3, 3, 13).astype(dtype)  # 0 included: the slope's side, as PyTorch
    compare_with_torch(lambda t: F.rrelu(t, 0.2, 0.5), lambda t: torch.nn.functional.rrelu(t, 0.2, 0.5), [x], [True])
    module = nn.RReLU(0.2, 0.5)
    assert repr(module) == repr(torch.nn.RReLU(0.2, 0.5)) and module.training
    ag.manual_seed(3)
    first = module(ag.tensor(-np.ones(8))).array
    assert len(set(first)) == 8  # training: a slope per element
    np.testing.assert_allclose(module.eval()(ag.tensor(-np.ones(3))).array, -0.35)


def test_rrelu_errors():
    with pytest.raises(ValueError, match=r"rrelu: lower bound should be less than or equal to the upper bound"):
        F.rrelu(ag.zeros(3), 0.5, 0.1)
    with pytest.raises(ag.DtypeError, match="rrelu: needs a float tensor"):
        F.rrelu(ag.tensor([1, 2]))


def test_gumbel_softmax_samples_follow_the_softmax_of_the_logits():
    ag.manual_seed(1)
    probabilities = np.array([0.1, 0.2, 0.3, 0.4])
    logits = ag.tensor(np.tile(np.log(probabilities), (20000, 1)))
    soft = F.gumbel_softmax(logits, tau=0.5)
    assert soft.shape == (20000, 4)
    np.testing.assert_allclose(soft.array.sum(-1), 1.0)
    hard = F.gumbel_softmax(logits, hard=True)
    assert set(np.unique(hard.array)) == {0.0, 1.0}
    np.testing.assert_array_equal(hard.array.sum(-1), 1.0)
    np.testing.assert_allclose(hard.array.mean(0), probabilities, atol=0.01)  # argmax of Gumbel-perturbed logits
    columns = F.gumbel_softmax(ag.tensor(np.log(probabilities)[:, None] * np.ones((4, 3))), hard=True, dim=0)
    np.testing.assert_array_equal(columns.array.sum(0), 1.0)


def test_hard_gumbel_softmax_passes_the_soft_samples_gradient_straight_through():
    logits = ag.tensor(np.random.default_rng(0).standard_normal((5, 3)), requires_grad=True)
    upstream = np.random.default_rng(1).standard_normal((5, 3))
    ag.manual_seed(7)
    hard = F.gumbel_softmax(logits, tau=0.7, hard=True)
    (hard * upstream).sum().backward()
    hard_grad = logits.grad.array.copy()
    logits.grad = None
    ag.manual_seed(7)  # the same noise: the soft sample whose argmax the hard one took
    soft = F.gumbel_softmax(logits, tau=0.7)
    (soft * upstream).sum().backward()
    np.testing.assert_allclose(hard_grad, logits.grad.array, rtol=1e-12)
    np.testing.assert_array_equal(hard.array.argmax(-1), soft.array.argmax(-1))


def test_gumbel_softmax_errors_and_the_deprecated_eps():
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        F.gumbel_softmax(ag.zeros(2, 3), eps=1e-5)
    with pytest.raises(ValueError, match="gumbel_softmax: tau must be > 0, got 0"):
        F.gumbel_softmax(ag.zeros(2, 3), tau=0)
    with pytest.raises(ag.DimError):
        F.gumbel_softmax(ag.zeros(2, 3), dim=2)
