"""Rearranging ops (``ops/rearrange.py``): flip, roll, repeat/tile and the views t, swapaxes,
movedim, narrow, select, unflatten, unbind (plus view_as/reshape_as/expand_as), through
``check_op`` as function and method."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch, torch_function

SMALL = shapes(max_dims=3, max_side=3)
NONEMPTY = shapes(min_dims=1, max_dims=3, max_side=3)


def dims_of(array: np.ndarray, min_size: int = 0) -> st.SearchStrategy:
    """A list of distinct dims of ``array`` (negative or not)."""
    ndim = array.ndim
    return st.lists(st.integers(-ndim, ndim - 1), min_size=min_size, max_size=ndim, unique_by=lambda d: d % ndim)


def both(ours: Any, arrays: list, theirs: Any = None) -> None:
    """check_op for the function form and PyTorch parity for the same call (a method, say)."""
    check_op(ours, arrays, theirs if theirs is not None else ours)


@settings(max_examples=10)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_flip(array, data):
    dims = data.draw(dims_of(array))
    both(lambda x: ag.flip(x, dims), [array], lambda x: torch.flip(x, dims))
    if dims:
        compare_with_torch(lambda x: x.flip(*dims), lambda x: x.flip(*dims), [array], [True])


def test_flip_copies_as_pytorch():
    x = ag.arange(3)
    flipped = x.flip(0)
    flipped[0] = 10
    assert x.tolist() == [0, 1, 2] and flipped.tolist() == [10, 1, 0]


@settings(max_examples=10)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_roll(array, data):
    dims = data.draw(dims_of(array, min_size=1))
    shifts = [data.draw(st.integers(-4, 4)) for _ in dims]
    both(lambda x: ag.roll(x, shifts, dims), [array], lambda x: torch.roll(x, shifts, dims))
    shift = data.draw(st.integers(-5, 5))
    compare_with_torch(lambda x: x.roll(shift), lambda x: x.roll(shift), [array], [True])  # flattened


@settings(max_examples=10)
@given(array=SMALL.flatmap(float_arrays), data=st.data())
def test_repeat_and_tile(array, data):
    counts = [data.draw(st.integers(0, 3)) for _ in range(array.ndim + data.draw(st.integers(0, 2)))]
    both(lambda x: x.repeat(counts), [array], lambda x: x.repeat(counts))
    fewer = counts[: data.draw(st.integers(0, len(counts)))]
    both(lambda x: ag.tile(x, fewer), [array], lambda x: torch.tile(x, fewer))
    if fewer:  # the sizes as separate arguments (PyTorch wants at least one)
        compare_with_torch(lambda x: x.repeat(*counts), lambda x: x.repeat(*counts), [array], [True])
        compare_with_torch(lambda x: x.tile(*fewer), lambda x: x.tile(*fewer), [array], [True])


def test_repeat_needs_a_count_per_dim():
    with pytest.raises(ag.ShapeError, match=r"repeat: give a repeat count for each of the 2 dims.*use tile\(\)"):
        ag.zeros(2, 3).repeat(2)


# -- views ----------------------------------------------------------------------------
@settings(max_examples=8)
@given(array=shapes(max_dims=2, max_side=3).flatmap(float_arrays))
def test_t(array):
    both(ag.t, [array], lambda x: torch.t(x))
    compare_with_torch(lambda x: x.t() * 2.0, lambda x: x.t() * 2.0, [array], [True])


def test_t_refuses_more_than_two_dims():
    with pytest.raises(ag.ShapeError, match=r"t: expects a tensor with at most 2 dims, got shape \(2, 3, 4\)"):
        ag.zeros(2, 3, 4).t()


@settings(max_examples=10)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_swapaxes_and_movedim(array, data):
    ndim = array.ndim
    first, second = data.draw(st.integers(-ndim, ndim - 1)), data.draw(st.integers(-ndim, ndim - 1))
    both(lambda x: ag.swapaxes(x, first, second), [array], lambda x: torch.swapaxes(x, first, second))
    compare_with_torch(lambda x: x.swapdims(first, second), lambda x: x.swapdims(first, second), [array], [True])
    source = data.draw(dims_of(array))
    destination = data.draw(st.permutations(range(ndim)))[: len(source)]
    both(lambda x: ag.movedim(x, source, destination), [array], lambda x: torch.movedim(x, source, destination))
    compare_with_torch(lambda x: x.moveaxis(first, second), lambda x: x.moveaxis(first, second), [array], [True])


@settings(max_examples=10)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_narrow_select_unbind(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    size = array.shape[dim]
    start = data.draw(st.integers(-size, size - 1))
    length = data.draw(st.integers(0, size - start % size))
    both(lambda x: ag.narrow(x, dim, start, length), [array], lambda x: torch.narrow(x, dim, start, length))
    index = data.draw(st.integers(-size, size - 1))
    both(lambda x: x.select(dim, index), [array], lambda x: x.select(dim, index))
    both(lambda x: ag.unbind(x, dim)[index], [array], lambda x: torch.unbind(x, dim)[index])
    assert len(ag.tensor(array).unbind(dim)) == size


@settings(max_examples=10)
@given(array=NONEMPTY.flatmap(float_arrays), data=st.data())
def test_unflatten(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    size = array.shape[dim]
    first = data.draw(st.sampled_from([d for d in range(1, size + 1) if size % d == 0]))
    sizes = data.draw(st.sampled_from([(first, size // first), (-1, first), (size,), (first, -1, 1)]))
    both(lambda x: x.unflatten(dim, sizes), [array], lambda x: x.unflatten(dim, sizes))


def test_narrow_unflatten_and_select_errors():
    with pytest.raises(ag.ShapeError, match=r"narrow: start \(2\) \+ length \(2\) exceeds dim 1 of size 3"):
        ag.zeros(2, 3).narrow(1, 2, 2)
    with pytest.raises(ag.ShapeError, match=r"unflatten: sizes \(4, -1\) do not multiply to the size 6"):
        ag.zeros(6).unflatten(0, (4, -1))
    with pytest.raises(IndexError, match="select: index 3 is out of range for dim 1 of size 3"):
        ag.zeros(2, 3).select(1, 3)
    with pytest.raises(ag.ShapeError, match="movedim: source"):
        ag.zeros(2, 3).movedim((0, 1), 0)


@requires_torch
def test_view_as_reshape_as_expand_as():
    other = ag.zeros(3, 2)
    for call in (lambda x, o: x.view_as(o), lambda x, o: x.reshape_as(o)):
        compare_with_torch(call, call, [np.arange(6.0).reshape(2, 3), np.zeros((3, 2))], [True, False])
    expand = lambda x, o: x.expand_as(o)  # noqa: E731
    compare_with_torch(expand, expand, [np.ones((3, 1)), np.zeros((2, 3, 4))], [True, False])
    x = ag.arange(6)
    assert np.shares_memory(x.view_as(other).array, x.array)


@settings(max_examples=10)
@given(array=shapes(min_dims=2, max_dims=3, max_side=3).flatmap(float_arrays), k=st.integers(-5, 5))
def test_rot90_fliplr_flipud(array, k):
    both(lambda x: ag.rot90(x, k, (0, -1)), [array], lambda x: torch.rot90(x, k, (0, -1)))
    both(ag.fliplr, [array], torch_function("fliplr"))
    both(lambda x: x.flipud(), [array], lambda x: x.flipud())
    with pytest.raises(ag.DimError, match="rot90: dims must be two different dims"):
        ag.rot90(ag.tensor(array), 1, (1, 1))


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays), data=st.data())
def test_repeat_interleave(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    count = data.draw(st.integers(0, 3))
    both(lambda x: ag.repeat_interleave(x, count, dim), [array], lambda x: torch.repeat_interleave(x, count, dim))
    both(lambda x: x.repeat_interleave(count), [array], lambda x: x.repeat_interleave(count))
    counts = data.draw(st.lists(st.integers(0, 3), min_size=array.shape[dim], max_size=array.shape[dim]))
    both(lambda x: x.repeat_interleave(ag.tensor(counts), dim), [array],
         lambda x: x.repeat_interleave(torch.tensor(counts), dim))
    np.testing.assert_array_equal(ag.repeat_interleave(ag.tensor(counts)).numpy(),
                                  np.repeat(np.arange(len(counts)), counts))


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=5).flatmap(float_arrays), data=st.data())
def test_unfold_windows(array, data):
    dim = data.draw(st.integers(-array.ndim, array.ndim - 1))
    size = data.draw(st.integers(0, array.shape[dim]))
    step = data.draw(st.integers(1, 3))
    both(lambda x: x.unfold(dim, size, step), [array], lambda x: x.unfold(dim, size, step))
