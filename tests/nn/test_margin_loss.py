"""Margin losses (nn/margin_loss.py): gradcheck in float64 over drawn shapes, PyTorch parity, errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn.functional as F
from tests.helpers import check_op, float_arrays, shapes, torch

REDUCTIONS = ["mean", "sum", "none"]


def signs(shape, seed):
    return np.random.default_rng(seed).choice([-1.0, 1.0], size=shape)


@settings(max_examples=15, deadline=None)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS), margin=st.sampled_from([0.0, 0.5]))
def test_margin_ranking_loss(data, reduction, margin):
    shape = data.draw(shapes(max_dims=2))
    first = data.draw(float_arrays(shape))
    target = signs(shape, data.draw(st.integers(0, 99)))
    # keep -y (x1 - x2) + margin away from the hinge's kink at 0
    second = first + target * data.draw(float_arrays(shape, low=-2.0, high=2.0, away_from=(margin,), margin=0.1))
    kwargs = {"margin": margin, "reduction": reduction}
    check_op(
        lambda a, b: F.margin_ranking_loss(a, b, target, **kwargs),
        [first, second],
        (lambda a, b: torch.nn.functional.margin_ranking_loss(a, b, torch.tensor(target), **kwargs)) if torch else None,
    )


@settings(max_examples=15, deadline=None)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS), margin=st.sampled_from([1.0, 0.3]))
def test_hinge_embedding_loss(data, reduction, margin):
    shape = data.draw(shapes())
    input = data.draw(float_arrays(shape, low=-1.0, high=3.0, away_from=(margin,), margin=0.1))
    target = signs(shape, data.draw(st.integers(0, 99)))
    kwargs = {"margin": margin, "reduction": reduction}
    check_op(
        lambda x: F.hinge_embedding_loss(x, target, **kwargs),
        [input],
        (lambda x: torch.nn.functional.hinge_embedding_loss(x, torch.tensor(target), **kwargs)) if torch else None,
    )


@settings(max_examples=15, deadline=None)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS))
def test_soft_margin_loss(data, reduction):
    shape = data.draw(shapes())
    input = data.draw(float_arrays(shape, low=-4.0, high=4.0))
    target = signs(shape, data.draw(st.integers(0, 99)))
    check_op(
        lambda x: F.soft_margin_loss(x, target, reduction=reduction),
        [input],
        (lambda x: torch.nn.functional.soft_margin_loss(x, torch.tensor(target), reduction=reduction))
        if torch else None,
    )


@settings(max_examples=15, deadline=None)
@given(data=st.data(), reduction=st.sampled_from(REDUCTIONS), weighted=st.booleans(), target_grad=st.booleans())
def test_multilabel_soft_margin_loss(data, reduction, weighted, target_grad):
    shape = data.draw(shapes(min_dims=1, max_dims=2))
    input = data.draw(float_arrays(shape, low=-4.0, high=4.0))
    target = (np.random.default_rng(data.draw(st.integers(0, 99))).random(shape) > 0.5).astype(np.float64)
    weight = np.linspace(0.5, 2.0, shape[-1]) if weighted else None
    check_op(
        lambda x, t: F.multilabel_soft_margin_loss(x, t, weight=weight, reduction=reduction),
        [input, target],
        (lambda x, t: torch.nn.functional.multilabel_soft_margin_loss(
            x, t, weight=None if weight is None else torch.tensor(weight), reduction=reduction)) if torch else None,
        differentiable=[True, target_grad],
    )


@settings(max_examples=15, deadline=None)
@given(
    data=st.data(),
    reduction=st.sampled_from(REDUCTIONS),
    p=st.sampled_from([1.0, 2.0, 3.0]),
    swap=st.booleans(),
    margin=st.sampled_from([1.0, 0.2]),
)
def test_triplet_margin_loss(data, reduction, p, swap, margin):
    shape = data.draw(st.sampled_from([(3,), (4, 3), (1, 5)]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    anchor = data.draw(float_arrays(shape))
    positive, negative = anchor + rng.uniform(-1, 1, shape), anchor + rng.uniform(-1.5, 1.5, shape)
    kwargs = {"margin": margin, "p": p, "swap": swap, "reduction": reduction}
    distance = {name: np.linalg.norm(a - b + 1e-6, ord=p, axis=-1) for name, a, b in (
        ("ap", anchor, positive), ("an", anchor, negative), ("pn", positive, negative))}
    negative_distance = np.minimum(distance["an"], distance["pn"]) if swap else distance["an"]
    hinge = distance["ap"] - negative_distance + margin
    if min(np.min(d) for d in distance.values()) < 0.1 or np.min(np.abs(hinge)) < 0.05 or (
        swap and np.min(np.abs(distance["an"] - distance["pn"])) < 0.05
    ):
        return  # a norm at 0, the hinge or swap's min too near its kink for central differences
    check_op(
        lambda a, b, c: F.triplet_margin_loss(a, b, c, **kwargs),
        [anchor, positive, negative],
        (lambda a, b, c: torch.nn.functional.triplet_margin_loss(a, b, c, **kwargs)) if torch else None,
        gradgrad=p == 2.0,
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.margin_ranking_loss(ag.zeros(3), ag.zeros(3), np.ones((3, 1))), ag.ShapeError,
         r"margin_ranking_loss: all input tensors should have the same number of dims.*target \(3, 1\)"),
        (lambda: F.hinge_embedding_loss(ag.zeros(3), np.ones(4)), ag.ShapeError,
         r"hinge_embedding_loss: input of shape \(3,\) and target of shape \(4,\)"),
        (lambda: F.triplet_margin_loss(ag.zeros(2, 3), ag.zeros(2, 3), ag.zeros(3)), ag.ShapeError,
         r"anchor 2D, positive 2D, and negative 1D inputs"),
        (lambda: F.multilabel_soft_margin_loss(ag.tensor(1.0), np.array(1.0)), ag.ShapeError,
         r"multilabel_soft_margin_loss: needs an input with a class dim"),
        (lambda: F.soft_margin_loss(ag.zeros(3), np.ones(3), reduction="avg"), ValueError,
         r"soft_margin_loss: reduction must be 'mean', 'sum' or 'none', got 'avg'"),
    ],
)
def test_errors_name_the_loss_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
