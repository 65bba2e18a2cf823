"""``autograd_core.special`` (PyTorch's ``torch.special``): each function against PyTorch's,
with gradients, and the error for a name it lacks."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=2, max_side=3)

# name: (our call, PyTorch's, value range)
FUNCTIONS = {
    "erf": (ag.special.erf, lambda x: torch.special.erf(x), {}),
    "erfc": (ag.special.erfc, lambda x: torch.special.erfc(x), {}),
    "erfinv": (ag.special.erfinv, lambda x: torch.special.erfinv(x), {"low": -0.9, "high": 0.9}),
    "expit": (ag.special.expit, lambda x: torch.special.expit(x), {}),
    "expm1": (ag.special.expm1, lambda x: torch.special.expm1(x), {}),
    "exp2": (ag.special.exp2, lambda x: torch.special.exp2(x), {}),
    "log1p": (ag.special.log1p, lambda x: torch.special.log1p(x), {"low": -0.8, "high": 2.0}),
    "logit": (ag.special.logit, lambda x: torch.special.logit(x), {"low": 0.1, "high": 0.9}),
    "logit(eps)": (lambda x: ag.special.logit(x, eps=0.2), lambda x: torch.special.logit(x, eps=0.2),
                   {"low": 0.0, "high": 1.0, "away_from": (0.2, 0.8)}),
    "ndtr": (ag.special.ndtr, lambda x: torch.special.ndtr(x), {}),
    "ndtri": (ag.special.ndtri, lambda x: torch.special.ndtri(x), {"low": 0.1, "high": 0.9}),
    "logsumexp": (lambda x: ag.special.logsumexp(x, -1), lambda x: torch.special.logsumexp(x, -1), {}),
    "softmax": (lambda x: ag.special.softmax(x, -1), lambda x: torch.special.softmax(x, -1), {}),
    "log_softmax": (lambda x: ag.special.log_softmax(x, -1), lambda x: torch.special.log_softmax(x, -1), {}),
}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
@settings(max_examples=6)
@given(data=st.data())
def test_special_function_matches_pytorch(name, data):
    ours, theirs, ranges = FUNCTIONS[name]
    array = data.draw(shapes(min_dims=1, max_dims=2, max_side=3).flatmap(lambda shape: float_arrays(shape, **ranges)))
    check_op(ours, [array], theirs)


@settings(max_examples=8)
@given(pair=SMALL.flatmap(lambda shape: float_arrays(shape, low=0.2, high=2.0)).flatmap(
    lambda x: float_arrays(x.shape, low=0.2, high=2.0).map(lambda y: (x, y))))
def test_xlogy_matches_pytorch(pair):
    check_op(ag.special.xlogy, list(pair), lambda x, y: torch.special.xlogy(x, y))


@requires_torch
def test_xlogy_is_zero_where_x_is_zero_unless_y_is_nan():
    x, y = [0.0, 0.0, 2.0, 0.0], [0.0, 3.0, 0.0, float("nan")]
    expected = torch.special.xlogy(torch.tensor(x), torch.tensor(y)).numpy()
    np.testing.assert_array_equal(ag.special.xlogy(ag.tensor(x), ag.tensor(y)).array, expected)


def test_a_name_torch_special_has_and_this_does_not_says_what_is_here():
    with pytest.raises(AttributeError, match=r"autograd_core.special has no 'gammaln' .* erf, erfc, erfinv"):
        ag.special.gammaln  # noqa: B018
