"""Running sums and products (``ops/cumulative.py``): cumsum, cumprod and prod, with zeros in
the input (where the product gradients must not divide), integer dtypes and in-place forms."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=3, max_side=4)


def with_zeros(array: np.ndarray, data: st.DataObject) -> np.ndarray:
    """``array`` with some elements set to exactly 0 (none, one or several per slice)."""
    if array.size and data.draw(st.booleans()):
        array = array.copy()
        array.flat[data.draw(st.lists(st.integers(0, array.size - 1), max_size=3))] = 0.0
    return array


@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@settings(max_examples=10)
@given(array=SMALL.flatmap(float_arrays), data=st.data())
def test_cumsum_cumprod(name, array, data):
    ndim = max(array.ndim, 1)
    dim = data.draw(st.integers(-ndim, ndim - 1))
    if name == "cumprod":
        array = with_zeros(array, data)
    check_op(lambda x: getattr(ag, name)(x, dim), [array], lambda x: getattr(torch, name)(x, dim))
    call = lambda x: getattr(x, name)(dim=dim)  # noqa: E731  (the method, same call in both engines)
    compare_with_torch(call, call, [array], [True])


@settings(max_examples=10)
@given(array=SMALL.flatmap(float_arrays), data=st.data(), keepdim=st.booleans())
def test_prod(array, data, keepdim):
    array = with_zeros(array, data)
    check_op(ag.prod, [array], lambda x: torch.prod(x))
    ndim = max(array.ndim, 1)
    dim = data.draw(st.integers(-ndim, ndim - 1))
    check_op(lambda x: x.prod(dim, keepdim), [array], lambda x: x.prod(dim, keepdim))


@requires_torch
@pytest.mark.parametrize("values", [[2.0, 0.0, 3.0, 4.0], [0.0, 0.0, 5.0], [0.0], [1.5, -2.0, 0.0]])
def test_product_gradients_with_zeros_match_pytorch(values):
    for call in (lambda x: x.prod(), lambda x: x.cumprod(0), lambda x: x.cumprod(0).sum() * x.prod()):
        compare_with_torch(call, call, [np.array(values)], [True])


@requires_torch
@pytest.mark.parametrize("dtype", [np.bool_, np.int32, np.int64, np.float64])
def test_dtypes_follow_pytorch(dtype):
    values = np.array([[1, 2], [3, 1]]).astype(dtype)
    for call in (lambda x: x.cumsum(0), lambda x: x.cumprod(1), lambda x: x.prod(), lambda x: x.prod(0),
                 lambda x: x.cumsum(0, dtype=ag.float64 if isinstance(x, ag.Tensor) else torch.float64)):
        ours, theirs = call(ag.tensor(values)), call(torch.tensor(values))
        assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
        np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_in_place_forms_and_errors():
    x = ag.tensor([1.0, 2.0, 3.0])
    assert x.cumsum_(0) is x and x.tolist() == [1.0, 3.0, 6.0]
    assert x.cumprod_(0).tolist() == [1.0, 3.0, 18.0] and x._version.value == 2
    with pytest.raises(ag.DimError, match="cumsum: give the dim"):
        ag.cumsum(x, None)
    with pytest.raises(ag.DimError, match="prod: dim 1 is out of range"):
        x.prod(1)
    assert ag.zeros(2, 0).prod(1).tolist() == [1.0, 1.0]


# -- diff ----------------------------------------------------------------------------------------
@settings(max_examples=15)
@given(array=shapes(min_dims=1, max_dims=3, max_side=4).flatmap(float_arrays), data=st.data())
def test_diff_with_prepend_and_append(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    n = data.draw(st.integers(0, 3))
    check_op(lambda x: ag.diff(x, n, dim), [array], lambda x: torch.diff(x, n, dim))
    edge = list(array.shape)
    edge[dim] = 2
    other = data.draw(float_arrays(tuple(edge)))
    check_op(lambda x, p: x.diff(n, dim, prepend=p, append=p), [array, other],
             lambda x, p: x.diff(n, dim, prepend=p, append=p))


def test_diff_rejects_a_negative_order():
    with pytest.raises(ValueError, match="diff: n must be an int >= 0, got -1"):
        ag.diff(ag.zeros(3), -1)


# -- cummax, cummin, logcumsumexp ------------------------------------------------------------------
@settings(max_examples=15)
@given(array=shapes(min_dims=1, max_dims=3, max_side=4).flatmap(float_arrays), data=st.data())
def test_cummax_cummin_values_indices_and_gradients(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    for name in ("cummax", "cummin"):
        check_op(lambda x: getattr(ag, name)(x, dim).values, [array], lambda x: getattr(torch, name)(x, dim).values)
        if torch is not None:
            ours, theirs = getattr(ag.tensor(array), name)(dim), getattr(torch.tensor(array), name)(dim)
            np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


@requires_torch
def test_cummax_ties_and_nan_pick_as_pytorch():
    values = np.array([[1.0, 3.0, 3.0, 2.0, np.nan, 5.0], [0.0, -1.0, 2.0, 2.0, 1.0, -1.0]])
    for name in ("cummax", "cummin"):
        ours, theirs = getattr(ag, name)(ag.tensor(values), 1), getattr(torch, name)(torch.tensor(values), 1)
        np.testing.assert_array_equal(ours.values.numpy(), theirs.values.numpy())
        np.testing.assert_array_equal(ours.indices.numpy(), theirs.indices.numpy())


@settings(max_examples=15)
@given(array=shapes(min_dims=1, max_dims=3, max_side=4).flatmap(lambda s: float_arrays(s, low=-30, high=30)),
       data=st.data())
def test_logcumsumexp(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    check_op(lambda x: ag.logcumsumexp(x, dim), [array], lambda x: torch.logcumsumexp(x, dim))
