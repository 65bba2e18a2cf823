"""normalize, cosine_similarity, pairwise_distance, cosine_embedding_loss (nn/distance.py).

The p-norm they are built on is ``autograd_core.norm``, tested with the ops."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

LOOSE = {"value_rtol": 1e-5, "value_atol": 1e-6, "grad_rtol": 1e-4, "grad_atol": 1e-5}  # float32 parity
NORMS = [2.0, 1.0, 3.0, 1.5, math.inf]


@requires_torch
@pytest.mark.parametrize("p", NORMS)
def test_normalize_of_a_zero_row_has_a_zero_gradient_as_pytorch(p):
    x = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    compare_with_torch(lambda t: F.normalize(t, p, 1), lambda t: torch.nn.functional.normalize(t, p, 1), [x], [True])


@settings(max_examples=25, deadline=None)
@given(data=st.data(), p=st.sampled_from(NORMS))
def test_normalize_gradients_and_parity(data, p):
    x = data.draw(float_arrays(data.draw(shapes(min_dims=1)), away_from=(0.0,), margin=0.1))
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    check_op(
        lambda t: F.normalize(t, p, dim),
        [x],
        (lambda t: torch.nn.functional.normalize(t, p, dim)) if torch else None,
        gradgrad=p != math.inf,
    )


@requires_torch
def test_normalize_below_eps_and_of_zero_rows_matches_pytorch():
    x = np.array([[0.0, 0.0], [1e-14, -2e-14], [3.0, 4.0]])
    compare_with_torch(lambda t: F.normalize(t, dim=1), lambda t: torch.nn.functional.normalize(t, dim=1), [x], [True])
    np.testing.assert_allclose(F.normalize(ag.tensor(x), dim=1).array[2], [0.6, 0.8])


@st.composite
def broadcastable_vectors(draw):
    """Two shapes that broadcast to one with at least one dim, and a dim of the broadcast shape."""
    pair = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=3, min_side=1, max_side=4))
    first, second = pair.input_shapes
    dim = draw(st.integers(-len(pair.result_shape), len(pair.result_shape) - 1))
    return draw(float_arrays(first)), draw(float_arrays(second)), dim


@settings(max_examples=25, deadline=None)
@given(case=broadcastable_vectors())
def test_cosine_similarity_gradients_and_parity_with_broadcasting(case):
    x1, x2, dim = case
    check_op(
        lambda a, b: F.cosine_similarity(a, b, dim),
        [x1, x2],
        (lambda a, b: torch.nn.functional.cosine_similarity(a, b, dim)) if torch else None,
    )


@requires_torch
def test_cosine_similarity_of_tiny_and_zero_vectors_matches_pytorch():
    x1 = np.array([[0.0, 0.0, 0.0], [1e-10, 0.0, 2e-10], [1.0, 2.0, 3.0]])
    x2 = np.array([[1.0, 2.0, 3.0], [3.0, -1.0, 0.5], [-1.0, 0.5, 2.0]])
    compare_with_torch(
        F.cosine_similarity, torch.nn.functional.cosine_similarity, [x1, x2], [True, True]
    )


@settings(max_examples=20, deadline=None)
@given(
    shape=st.sampled_from([((4, 3), (4, 3)), ((3,), (3,)), ((4, 3), (3,)), ((1, 3), (4, 3))]),
    p=st.sampled_from(NORMS),
    keepdim=st.booleans(),
    data=st.data(),
)
def test_pairwise_distance_gradients_and_parity(shape, p, keepdim, data):
    x1 = data.draw(float_arrays(shape[0]))
    x2 = data.draw(float_arrays(shape[1], low=2.5, high=4.0))  # every |x1 - x2| >= 0.5: away from the kinks
    check_op(
        lambda a, b: F.pairwise_distance(a, b, p, keepdim=keepdim),
        [x1, x2],
        (lambda a, b: torch.nn.functional.pairwise_distance(a, b, p, keepdim=keepdim)) if torch else None,
        gradgrad=p != math.inf,
    )


@settings(max_examples=15, deadline=None)
@given(
    rows=st.sampled_from([None, 1, 5]),
    margin=st.sampled_from([0.0, 0.3, -0.2]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    seed=st.integers(0, 1000),
)
def test_cosine_embedding_loss_gradients_and_parity(rows, margin, reduction, seed):
    rng = np.random.default_rng(seed)
    shape = (3,) if rows is None else (rows, 3)
    target = rng.choice([1, -1], size=() if rows is None else (rows,))
    while True:  # redraw until every cosine is away from the hinge at the margin
        x1, x2 = rng.standard_normal(shape), rng.standard_normal(shape)
        cosine = np.sum(x1 * x2, -1) / np.sqrt(np.sum(x1 * x1, -1) * np.sum(x2 * x2, -1))
        if np.all(np.abs(cosine - margin) > 0.05):
            break

    def torch_loss(a, b):
        return torch.nn.functional.cosine_embedding_loss(a, b, torch.tensor(target), margin, reduction=reduction)

    check_op(
        lambda a, b: F.cosine_embedding_loss(a, b, target, margin, reduction), [x1, x2], torch_loss if torch else None
    )


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_modules_match_pytorch(dtype):
    rng = np.random.default_rng(0)
    x1, x2 = (rng.standard_normal((5, 4)).astype(dtype) for _ in range(2))
    target = np.array([1, -1, 1, -1, -1])
    tolerance = LOOSE if dtype == np.float32 else {}
    cases = [
        (nn.CosineSimilarity(dim=0), torch.nn.CosineSimilarity(dim=0)),
        (nn.PairwiseDistance(p=1.0, keepdim=True), torch.nn.PairwiseDistance(p=1.0, keepdim=True)),
    ]
    for ours, theirs in cases:
        assert repr(ours) == repr(theirs)
        compare_with_torch(ours, theirs, [x1, x2], [True, True], **tolerance)
    ours, theirs = nn.CosineEmbeddingLoss(margin=0.2), torch.nn.CosineEmbeddingLoss(margin=0.2)
    compare_with_torch(
        lambda a, b: ours(a, b, target), lambda a, b: theirs(a, b, torch.tensor(target)), [x1, x2], [True, True],
        **tolerance,
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.normalize(ag.zeros(3)), ag.DimError, r"normalize: dim 1 is out of range for .* shape \(3,\)"),
        (lambda: F.cosine_similarity(ag.ones(2, 3), ag.ones(2, 4)), ag.ShapeError,
         r"cosine_similarity: x1 of shape \(2, 3\) and x2 of shape \(2, 4\) cannot be broadcast"),
        (lambda: F.cosine_similarity(ag.ones(2, 3), np.ones((2, 3))), TypeError,
         r"cosine_similarity: x2 must be a Tensor"),
        (lambda: F.cosine_similarity(ag.ones(2, 3), ag.ones(2, 3), dim=2), ag.DimError, r"cosine_similarity: dim 2"),
        (lambda: F.pairwise_distance(ag.tensor([1, 2]), ag.ones(2)), ag.DtypeError, r"pairwise_distance: needs float"),
        (lambda: F.cosine_embedding_loss(ag.ones(2, 3), ag.ones(2, 3), np.ones(3)), ag.ShapeError,
         r"cosine_embedding_loss: inputs \(2, 3\) and \(2, 3\) must have the same shape, with one target per row"),
        (lambda: F.cosine_embedding_loss(ag.ones(2, 3), ag.ones(2, 3), np.ones(())), ag.ShapeError,
         r"cosine_embedding_loss: expected inputs \(N, D\) with a target \(N,\)"),
    ],
)
def test_errors_name_the_function_and_the_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
