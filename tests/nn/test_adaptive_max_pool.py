"""Adaptive max pooling (nn/adaptive_max_pool.py): gradients over drawn sizes, PyTorch parity
of values, gradients and indices (ties and NaN included), errors."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
import nn
import nn.functional as F
from tests.helpers import check_op, compare_module_with_torch, requires_torch, torch


def distinct_values(data, shape):
    """A permutation of spaced values: no ties, so the argmax is unique and central differences are exact."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    values = rng.permutation(np.prod(shape)).reshape(shape) * 0.1 - 1.0
    layout = data.draw(st.sampled_from(["contiguous", "transposed"]))
    return np.ascontiguousarray(values.T).T if layout == "transposed" else values


@settings(max_examples=20, deadline=None)
@given(data=st.data(), batched=st.booleans(), height=st.integers(1, 6), width=st.integers(1, 7))
def test_adaptive_max_pool2d_gradients_and_parity(data, batched, height, width):
    shape = ((2,) if batched else ()) + (2, height, width)
    x = distinct_values(data, shape)
    output_size = (data.draw(st.one_of(st.none(), st.integers(1, 4))), data.draw(st.integers(1, 4)))
    check_op(
        lambda t: F.adaptive_max_pool2d(t, output_size),
        [x],
        (lambda t: torch.nn.functional.adaptive_max_pool2d(t, output_size)) if torch else None,
    )


@settings(max_examples=15, deadline=None)
@given(data=st.data(), length=st.integers(1, 9), output_size=st.integers(1, 5))
def test_adaptive_max_pool1d_gradients_and_parity(data, length, output_size):
    x = distinct_values(data, (2, 3, length))
    check_op(
        lambda t: F.adaptive_max_pool1d(t, output_size),
        [x],
        (lambda t: torch.nn.functional.adaptive_max_pool1d(t, output_size)) if torch else None,
    )


@requires_torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_indices_ties_and_nan_match_pytorch(dtype):
    x = np.round(np.random.default_rng(0).standard_normal((2, 3, 7, 5)), 0).astype(dtype)  # many ties
    x[0, 1, 2, 3] = np.nan
    ours, indices = F.adaptive_max_pool2d(ag.tensor(x), (3, 2), return_indices=True)
    theirs, their_indices = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), (3, 2), return_indices=True)
    np.testing.assert_array_equal(ours.array, theirs.numpy())
    np.testing.assert_array_equal(indices.array, their_indices.numpy())
    assert indices.dtype == np.int64
    x1 = x[:, :, 0]
    _, indices1 = F.adaptive_max_pool1d(ag.tensor(x1), 3, return_indices=True)
    np.testing.assert_array_equal(indices1.array,
                                  torch.nn.functional.adaptive_max_pool1d(torch.tensor(x1), 3, True)[1].numpy())


@requires_torch
@pytest.mark.parametrize("layer, args, shape", [
    ("AdaptiveMaxPool2d", (3,), (2, 3, 7, 8)),
    ("AdaptiveMaxPool2d", ((2, None),), (3, 5, 4)),
    ("AdaptiveMaxPool1d", (4,), (2, 3, 9)),
])
def test_modules_match_pytorch(layer, args, shape):
    ours, theirs = getattr(nn, layer)(*args), getattr(torch.nn, layer)(*args)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(1).permutation(np.prod(shape)).reshape(shape).astype(np.float32)
    compare_module_with_torch(ours, theirs, [x])
    out, indices = getattr(nn, layer)(*args, return_indices=True)(ag.tensor(x))
    np.testing.assert_array_equal(indices.array, getattr(torch.nn, layer)(*args, return_indices=True)(
        torch.tensor(x))[1].numpy())


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.adaptive_max_pool2d(ag.zeros(2, 3), 2), ag.ShapeError, r"adaptive_max_pool2d: expected a 3-d"),
        (lambda: nn.AdaptiveMaxPool2d((2, 2, 2))(ag.zeros(1, 2, 4, 4)), ValueError,
         r"AdaptiveMaxPool2d\(output_size=\(2, 2, 2\)\): output_size must be an int or a tuple of 2 ints"),
        (lambda: F.adaptive_max_pool1d(ag.zeros(1, 2, 4), 0), ag.ShapeError, r"must both be at least 1"),
        (lambda: F.adaptive_max_pool1d(ag.zeros(1, 2, 4), 1.5), TypeError, r"output_size must be an int"),
    ],
)
def test_errors_name_the_op_and_the_sizes(call, error, message):
    with pytest.raises(error, match=message):
        call()
