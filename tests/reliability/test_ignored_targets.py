"""``cross_entropy`` / ``nll_loss`` when every target equals ``ignore_index``: the mean
loss is NaN, as in PyTorch, but the gradient is 0 (a NaN gradient would destroy the
weights on the next optimiser step). Compared with PyTorch case by case."""
from __future__ import annotations

import numpy as np
import pytest

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import requires_torch, torch

rng = np.random.default_rng(0)
LOGITS = rng.standard_normal((3, 4))
LOGITS_2D = rng.standard_normal((2, 4, 3))  # (N, C, d)

CASES = {
    "cross_entropy mean": (LOGITS, [-100, -100, -100], {}, "cross_entropy"),
    "cross_entropy own ignore_index": (LOGITS, [2, 2, 2], {"ignore_index": 2}, "cross_entropy"),
    "cross_entropy sum": (LOGITS, [-100, -100, -100], {"reduction": "sum"}, "cross_entropy"),
    "cross_entropy none": (LOGITS, [-100, -100, -100], {"reduction": "none"}, "cross_entropy"),
    "cross_entropy smoothing": (LOGITS, [-100, -100, -100], {"label_smoothing": 0.1}, "cross_entropy"),
    "cross_entropy weight": (LOGITS, [-100, -100, -100], {"weight": [1.0, 2.0, 0.5, 1.0]}, "cross_entropy"),
    "cross_entropy (N, C, d)": (LOGITS_2D, np.full((2, 3), -100), {}, "cross_entropy"),
    "cross_entropy zero weights": (LOGITS, [1, 1, -100], {"weight": [1.0, 0.0, 1.0, 1.0]}, "cross_entropy"),
    "nll_loss mean": (LOGITS, [-100, -100, -100], {}, "nll_loss"),
    "nll_loss sum": (LOGITS, [-100, -100, -100], {"reduction": "sum"}, "nll_loss"),
    "nll_loss weight": (LOGITS, [-100, -100, -100], {"weight": [1.0, 2.0, 0.5, 1.0]}, "nll_loss"),
    "nll_loss (N, C, d)": (LOGITS_2D, np.full((2, 3), -100), {}, "nll_loss"),
    "nll_loss zero weights": (LOGITS, [1, 1, -100], {"weight": [1.0, 0.0, 1.0, 1.0]}, "nll_loss"),
    "nll_loss some ignored": (LOGITS, [1, -100, 3], {}, "nll_loss"),
}


def ours(logits: np.ndarray, targets, options: dict, name: str) -> tuple[np.ndarray, np.ndarray]:
    x = ag.tensor(logits, requires_grad=True)
    options = dict(options)
    if "weight" in options:
        options["weight"] = ag.tensor(options["weight"], dtype=ag.float64)
    inputs = x.log_softmax(1) if name == "nll_loss" else x
    loss = getattr(F, name)(inputs, ag.tensor(np.asarray(targets)), **options)
    loss.sum().backward()
    return loss.array, x.grad.array


@requires_torch
@pytest.mark.parametrize("case", CASES)
def test_loss_and_gradient_match_pytorch(case):
    logits, targets, options, name = CASES[case]
    x = torch.tensor(logits, requires_grad=True)
    torch_options = dict(options)
    if "weight" in torch_options:
        torch_options["weight"] = torch.tensor(torch_options["weight"], dtype=torch.float64)
    inputs = x.log_softmax(1) if name == "nll_loss" else x
    loss = getattr(torch.nn.functional, name)(inputs, torch.tensor(np.asarray(targets)), **torch_options)
    loss.sum().backward()
    our_loss, our_grad = ours(logits, targets, options, name)
    np.testing.assert_allclose(our_loss, loss.detach().numpy(), rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(our_grad, x.grad.numpy(), rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("name", ["cross_entropy", "nll_loss"])
def test_every_target_ignored_gives_a_nan_mean_but_a_zero_gradient(name):
    loss, grad = ours(LOGITS, [-100, -100, -100], {}, name)
    assert np.isnan(loss)
    np.testing.assert_array_equal(grad, np.zeros_like(LOGITS))


def test_a_batch_of_only_ignored_targets_leaves_the_weights_alone_after_a_step():
    model = nn.Linear(4, 3)
    before = [parameter.array.copy() for parameter in model.parameters()]
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    loss = F.cross_entropy(model(ag.tensor(LOGITS.astype(np.float32))), ag.tensor([-100, -100, -100]))
    loss.backward()
    optimizer.step()
    assert np.isnan(loss.item())
    for parameter, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(parameter.array, old)


def test_the_zero_gradient_holds_under_create_graph():
    x = ag.tensor(LOGITS, requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor([-100, -100, -100]))
    (grad,) = ag.grad(loss, x, create_graph=True)
    np.testing.assert_array_equal(grad.array, np.zeros_like(LOGITS))
