"""Ordering ops (``ops/sorting.py``): sort, argsort, msort, topk, kthvalue, median, mode, with
PyTorch's named tuples (``.values``, ``.indices``), NaN and tie rules."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=3, max_side=4)


@st.composite
def array_and_dim(draw: Any) -> tuple[np.ndarray, int]:
    array = draw(SMALL.flatmap(float_arrays))  # distinct values almost surely: no ties to break
    ndim = max(array.ndim, 1)
    return array, draw(st.integers(-ndim, ndim - 1))


def _size(array: np.ndarray, dim: int) -> int:
    return array.shape[dim] if array.ndim else 1


@settings(max_examples=10)
@given(case=array_and_dim(), descending=st.booleans())
def test_sort_values_and_indices(case, descending):
    array, dim = case
    check_op(lambda x: ag.sort(x, dim, descending).values, [array], lambda x: torch.sort(x, dim, descending).values)
    indices = lambda x: x.sort(dim=dim, descending=descending)[1]  # noqa: E731  (same call in both engines)
    check_op(indices, [array], indices)
    check_op(lambda x: x.argsort(dim, descending), [array], lambda x: x.argsort(dim, descending))


@settings(max_examples=10)
@given(case=array_and_dim(), largest=st.booleans(), data=st.data())
def test_topk(case, largest, data):
    array, dim = case
    k = data.draw(st.integers(0, _size(array, dim)))
    check_op(lambda x: ag.topk(x, k, dim, largest).values, [array], lambda x: torch.topk(x, k, dim, largest).values)
    indices = lambda x: x.topk(k, dim=dim, largest=largest).indices  # noqa: E731
    check_op(indices, [array], indices)


@settings(max_examples=10)
@given(case=array_and_dim(), keepdim=st.booleans(), data=st.data())
def test_kthvalue(case, keepdim, data):
    array, dim = case
    k = data.draw(st.integers(1, _size(array, dim)))
    check_op(lambda x: ag.kthvalue(x, k, dim, keepdim)[0], [array], lambda x: torch.kthvalue(x, k, dim, keepdim)[0])
    check_op(lambda x: x.kthvalue(k, dim, keepdim)[1], [array], lambda x: x.kthvalue(k, dim, keepdim)[1])


@settings(max_examples=10)
@given(case=array_and_dim(), keepdim=st.booleans())
def test_median_along_a_dim_and_of_everything(case, keepdim):
    array, dim = case
    check_op(lambda x: ag.median(x, dim, keepdim).values, [array], lambda x: torch.median(x, dim, keepdim).values)
    check_op(lambda x: x.median(dim, keepdim).indices, [array], lambda x: x.median(dim, keepdim).indices)
    check_op(ag.median, [array], lambda x: torch.median(x))


@settings(max_examples=10)
@given(case=array_and_dim(), keepdim=st.booleans())
def test_mode_of_distinct_values_is_the_smallest(case, keepdim):
    array, dim = case
    check_op(lambda x: ag.mode(x, dim, keepdim).values, [array], lambda x: torch.mode(x, dim, keepdim).values)


@requires_torch
@settings(max_examples=30)
@given(array=hnp.arrays(np.int64, shapes(1, 3, max_side=5), elements=st.integers(0, 3)), data=st.data())
def test_mode_with_ties_matches_pytorch(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    ours, theirs = ag.tensor(array).mode(dim), torch.tensor(array).mode(dim)
    np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())


@requires_torch
@pytest.mark.parametrize(
    "call",
    [
        lambda x: x.sort(),
        lambda x: x.sort(descending=True),
        lambda x: x.topk(2),
        lambda x: x.topk(2, largest=False),
        lambda x: x.kthvalue(4),
        lambda x: x.median(0),
        lambda x: x.max(0),
        lambda x: x.min(0),
    ],
)
def test_nan_sorts_as_the_largest_value_as_in_pytorch(call):
    values = [1.0, float("nan"), 3.0, 2.0]
    ours, theirs = call(ag.tensor(values)), call(torch.tensor(values))
    np.testing.assert_array_equal(ours.values.array, theirs.values.numpy())
    np.testing.assert_array_equal(ours.indices.array, theirs.indices.numpy())
    assert type(ours).__name__ == type(theirs).__name__.split(".")[-1]


@requires_torch
def test_median_of_everything_is_the_lower_middle_value_and_ties_share_the_gradient():
    assert ag.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0
    assert np.isnan(ag.tensor([1.0, float("nan"), 3.0]).median().item())
    x = ag.tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)
    x.median().backward()
    reference = torch.tensor([1.0, 2.0, 2.0, 3.0], requires_grad=True)
    reference.median().backward()
    np.testing.assert_array_equal(x.grad.array, reference.grad.numpy())


def test_sort_of_a_0d_tensor_and_named_fields():
    result = ag.tensor(3.0).sort()
    assert result.values.shape == () and result.indices.item() == 0
    values, indices = ag.tensor([[3.0, 1.0, 2.0]]).sort(stable=True)
    assert values.tolist() == [[1.0, 2.0, 3.0]] and indices.tolist() == [[1, 2, 0]] and indices.dtype == ag.int64
    assert ag.msort(ag.tensor([[2.0], [1.0]])).tolist() == [[1.0], [2.0]]


def test_descending_stable_sort_keeps_equal_values_in_order():
    assert ag.tensor([1, 3, 1, 3]).sort(descending=True, stable=True).indices.tolist() == [1, 3, 0, 2]


def test_bad_k_is_named():
    with pytest.raises(ag.ShapeError, match=r"topk: k \(4\) must be an int in \[0, 3\]"):
        ag.zeros(3).topk(4)
    with pytest.raises(ag.ShapeError, match=r"kthvalue: k \(0\) must be an int in \[1, 3\]"):
        ag.zeros(3).kthvalue(0)
    with pytest.raises(ag.ShapeError, match="median: the tensor is empty"):
        ag.zeros(0, dtype=ag.int64).median()  # (PyTorch returns an arbitrary integer; a float one's is NaN)


@pytest.mark.parametrize("call", [lambda x: ag.topk(x, 1), lambda x: ag.kthvalue(x, 1), lambda x: ag.median(x),
                                  lambda x: x.median(0)])
def test_topk_kthvalue_and_median_refuse_bools_as_pytorch(call):
    with pytest.raises(ag.DtypeError, match=r"bool tensors are not supported \(as in PyTorch\)"):
        call(ag.tensor([True, False, True]))


def test_the_median_of_an_empty_float_tensor_is_nan_as_pytorch():
    assert np.isnan(ag.median(ag.zeros(0)).item())
    values, indices = ag.zeros(2, 0).median(0)
    assert values.shape == indices.shape == (0,)
    with pytest.raises(ag.ShapeError, match=r"median: dim 1 of shape \(2, 0\) is empty"):
        ag.zeros(2, 0).median(1)


# -- quantile, nanquantile ---------------------------------------------------------------------
@requires_torch
@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantiles_match_pytorch(interpolation, name):
    rng = np.random.default_rng(3)
    values = rng.standard_normal((3, 5))
    values[1, 2] = np.nan
    for q in (0.3, [0.0, 0.5, 0.9, 1.0]):
        for dim in (None, 0, 1):
            for keepdim in (False, True):
                ours_q = ag.tensor(q, dtype=ag.float64) if isinstance(q, list) else q
                theirs_q = torch.tensor(q, dtype=torch.float64) if isinstance(q, list) else q
                clean = np.nan_to_num(values, nan=0.25)  # gradients where no NaN is involved
                for array in (values, clean):
                    compare_with_torch(
                        lambda x: getattr(ag, name)(x, ours_q, dim, keepdim, interpolation=interpolation),
                        lambda x: getattr(torch, name)(x, theirs_q, dim, keepdim, interpolation=interpolation),
                        [array], [array is clean],
                    )


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=2, max_side=4).flatmap(float_arrays), q=st.floats(0, 1))
def test_quantile_gradients(array, q):
    check_op(lambda x: ag.quantile(x, q, -1), [array], lambda x: torch.quantile(x, q, -1), gradgrad=False)


def test_quantile_rejects_bad_levels():
    with pytest.raises(ValueError, match=r"quantile: q must be a number or a 1-D tensor of values in \[0, 1\]"):
        ag.quantile(ag.zeros(3), 1.5)
    with pytest.raises(ValueError, match="quantile: interpolation must be one of"):
        ag.quantile(ag.zeros(3), 0.5, interpolation="cubic")


def test_quantile_of_a_1d_tensor_without_dim():
    x = ag.tensor([3.0, 1.0, 2.0, 4.0])
    assert ag.quantile(x, 0.5).item() == 2.5 and x.nanquantile(0.0).item() == 1.0
