"""Counting and searching (``ops/counting.py``): unique, bincount, count_nonzero, histc, isin,
searchsorted, bucketize, against PyTorch (values and dtypes; none is differentiable)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import requires_torch, shapes, torch

INTS = shapes(max_dims=3, max_side=4).flatmap(lambda s: hnp.arrays(np.int64, s, elements=st.integers(0, 5)))


def same(ours, theirs):
    """Equal values and the same dtype name (int64 vs torch.int64 ...)."""
    assert str(theirs.dtype).replace("torch.", "") == str(ours.dtype)
    np.testing.assert_allclose(ours.numpy(), theirs.numpy())


@requires_torch
@settings(max_examples=15)
@given(array=INTS, data=st.data())
def test_unique_with_inverse_and_counts(array, data):
    inverse, counts = data.draw(st.booleans()), data.draw(st.booleans())
    ours = ag.unique(ag.tensor(array), return_inverse=inverse, return_counts=counts)
    theirs = torch.unique(torch.tensor(array), return_inverse=inverse, return_counts=counts)
    for a, b in zip(*(((x,) if not isinstance(x, tuple) else x) for x in (ours, theirs))):
        same(a, b)
    if array.ndim:
        dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
        same(ag.tensor(array).unique(dim=dim), torch.tensor(array).unique(dim=dim))


@requires_torch
@settings(max_examples=15)
@given(array=hnp.arrays(np.int64, st.integers(0, 8), elements=st.integers(0, 6)), minlength=st.integers(0, 9))
def test_bincount_counts_and_weights(array, minlength):
    same(ag.bincount(ag.tensor(array), minlength=minlength), torch.bincount(torch.tensor(array), minlength=minlength))
    weights = np.linspace(-1, 1, array.size)
    ours = ag.tensor(array).bincount(ag.tensor(weights), minlength)
    if array.size:  # PyTorch returns int64 for no elements with float weights; here the weights' dtype
        same(ours, torch.tensor(array).bincount(torch.tensor(weights), minlength))
    assert ours.dtype == ag.float64


@requires_torch
@settings(max_examples=15)
@given(array=INTS, data=st.data())
def test_count_nonzero(array, data):
    same(ag.count_nonzero(ag.tensor(array)), torch.count_nonzero(torch.tensor(array)))
    if array.ndim:
        dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
        same(ag.tensor(array).count_nonzero(dim), torch.tensor(array).count_nonzero(dim))


@requires_torch
@pytest.mark.parametrize("bins, low, high", [(5, 0, 0), (4, -1, 1), (3, 0.5, 0.5), (10, -3, 2)])
def test_histc(bins, low, high):
    values = np.array([-2.0, -0.5, 0.0, 0.25, 0.5, 0.5, 1.0, 3.0], np.float32)
    same(ag.histc(ag.tensor(values), bins, low, high), torch.histc(torch.tensor(values), bins, low, high))


@requires_torch
def test_isin_searchsorted_and_bucketize_match_pytorch():
    elements, tests = np.array([[1, 4], [2, 7]]), np.array([2, 4, 9])
    for invert in (False, True):
        same(ag.isin(ag.tensor(elements), ag.tensor(tests), invert=invert),
             torch.isin(torch.tensor(elements), torch.tensor(tests), invert=invert))
    same(ag.isin(ag.tensor(elements), 4), torch.isin(torch.tensor(elements), 4))
    sequence, values = np.array([1.0, 2.0, 2.0, 5.0]), np.array([[0.0, 2.0], [2.5, 9.0]])
    for right in (False, True):
        same(ag.searchsorted(ag.tensor(sequence), ag.tensor(values), right=right),
             torch.searchsorted(torch.tensor(sequence), torch.tensor(values), right=right))
        same(ag.bucketize(ag.tensor(values), ag.tensor(sequence), right=right, out_int32=True),
             torch.bucketize(torch.tensor(values), torch.tensor(sequence), right=right, out_int32=True))
    rows = np.array([[1.0, 3.0, 5.0], [0.0, 0.5, 9.0]])
    same(ag.searchsorted(ag.tensor(rows), ag.tensor(values), side="right"),
         torch.searchsorted(torch.tensor(rows), torch.tensor(values), side="right"))


def test_bad_input_is_named():
    with pytest.raises(ag.ShapeError, match=r"bincount: expects a 1-D integer tensor, got shape \(2, 2\)"):
        ag.bincount(ag.zeros(2, 2, dtype=ag.int64))
    with pytest.raises(ValueError, match="bincount: values must be >= 0, got -1"):
        ag.bincount(ag.tensor([1, -1]))
    with pytest.raises(ag.DtypeError, match="histc: needs a float tensor"):
        ag.histc(ag.tensor([1, 2]))
    with pytest.raises(ag.ShapeError, match="searchsorted: a sequence of shape"):
        ag.searchsorted(ag.zeros(2, 3), ag.zeros(3, 1))
    with pytest.raises(ValueError, match="searchsorted: right=True and side='left' disagree"):
        ag.searchsorted(ag.zeros(3), ag.zeros(1), right=True, side="left")


@requires_torch
@pytest.mark.parametrize("bins", [4, [-2.0, -0.5, 0.0, 3.0]])
def test_histogram_matches_pytorch(bins):
    values = np.array([-2.0, -0.5, 0.0, 0.25, 0.5, 0.5, 1.0, 3.0])
    weight = np.linspace(0.1, 1.0, values.size)
    for density in (False, True):
        ours = ag.histogram(ag.tensor(values), ag.tensor(bins, dtype=ag.float64) if isinstance(bins, list) else bins,
                            weight=ag.tensor(weight), density=density)
        edges = torch.tensor(bins, dtype=torch.float64) if isinstance(bins, list) else bins
        theirs = torch.histogram(torch.tensor(values), edges,
                                 weight=torch.tensor(weight), density=density)
        same(ours.hist, theirs.hist)
        same(ours.bin_edges, theirs.bin_edges)


@requires_torch
@settings(max_examples=15)
@given(array=INTS, data=st.data())
def test_unique_consecutive(array, data):
    inverse, counts = data.draw(st.booleans()), data.draw(st.booleans())
    dims = [None] + list(range(array.ndim))
    dim = data.draw(st.sampled_from(dims))
    options = dict(return_inverse=inverse, return_counts=counts, dim=dim)  # keywords: PyTorch 2.13's positional
    ours = ag.unique_consecutive(ag.tensor(array), **options)           # form drops the counts
    theirs = torch.unique_consecutive(torch.tensor(array), **options)
    for a, b in zip(*(((x,) if not isinstance(x, tuple) else x) for x in (ours, theirs))):
        same(a, b)
