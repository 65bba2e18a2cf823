"""Joining NumPy's way and grids (``ops/stacking.py``): hstack, vstack, dstack, column_stack,
atleast_nd, broadcast_tensors, meshgrid, cartesian_prod, through ``check_op``."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, shapes, torch, torch_function


@settings(max_examples=10)
@given(shape=shapes(max_dims=3, max_side=3), data=st.data())
def test_stacks_match_pytorch(shape, data):
    a, b = data.draw(float_arrays(shape)), data.draw(float_arrays(shape))
    for name in ("hstack", "vstack", "dstack", "row_stack"):
        check_op(lambda x, y: getattr(ag, name)([x, y]), [a, b], lambda x, y: getattr(torch, name)([x, y]),
                 gradgrad=False)
    if len(shape) <= 2:
        check_op(lambda x, y: ag.column_stack([x, y]), [a, b], lambda x, y: torch.column_stack([x, y]), gradgrad=False)


@settings(max_examples=10)
@given(array=shapes(max_dims=3, max_side=3).flatmap(float_arrays))
def test_atleast_nd(array):
    for name in ("atleast_1d", "atleast_2d", "atleast_3d"):
        check_op(getattr(ag, name), [array], torch_function(name), gradgrad=False)
        pair = getattr(ag, name)(ag.tensor(array), ag.tensor(array))
        assert isinstance(pair, tuple) and pair[0].shape == getattr(np, name)(array).shape


@settings(max_examples=10)
@given(a=float_arrays((3, 1)), b=float_arrays((2,)))
def test_broadcast_tensors_and_shapes(a, b):
    for position in range(2):
        check_op(lambda x, y: ag.broadcast_tensors(x, y)[position], [a, b],
                 lambda x, y: torch.broadcast_tensors(x, y)[position], gradgrad=False)
    assert ag.broadcast_shapes((3, 1), (2,), 1) == (3, 2)
    with pytest.raises(ag.ShapeError, match=r"broadcast_shapes: shapes \(3,\), \(2,\) do not broadcast"):
        ag.broadcast_shapes((3,), (2,))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid_and_cartesian_prod(indexing):
    arrays = [np.arange(3.0), np.arange(2.0) + 5, np.array(7.0)]
    for position in range(3):
        compare_with_torch(lambda *xs: ag.meshgrid(*xs, indexing=indexing)[position],
                           lambda *xs: torch.meshgrid(*xs, indexing=indexing)[position], arrays, [True] * 3)
    compare_with_torch(lambda *xs: ag.cartesian_prod(*xs), lambda *xs: torch.cartesian_prod(*xs),
                       arrays[:2], [True] * 2)
    assert ag.meshgrid([ag.arange(2), ag.arange(4)])[0].shape == (2, 4)
    with pytest.raises(ValueError, match="meshgrid: indexing must be 'ij' or 'xy'"):
        ag.meshgrid(ag.arange(2), indexing="yx")
    with pytest.raises(ag.ShapeError, match=r"meshgrid: tensor 0 has shape \(2, 2\)"):
        ag.meshgrid(ag.zeros(2, 2))


@settings(max_examples=10)
@given(array=shapes(min_dims=3, max_dims=3, max_side=4).flatmap(float_arrays), data=st.data())
def test_tensor_split_and_the_numpy_splits(array, data):
    dim = data.draw(st.integers(-3, 2))
    sections = data.draw(st.integers(1, 4))
    cuts = data.draw(st.lists(st.integers(-5, 5), max_size=3))
    for position in range(sections):
        check_op(lambda x: ag.tensor_split(x, sections, dim)[position], [array],
                 lambda x: torch.tensor_split(x, sections, dim)[position], gradgrad=False)
    for position in range(len(cuts) + 1):
        check_op(lambda x: x.tensor_split(cuts, dim)[position], [array],
                 lambda x: x.tensor_split(cuts, dim)[position], gradgrad=False)
    for name, axis in (("hsplit", 1), ("vsplit", 0), ("dsplit", 2)):
        if array.shape[axis] % 2 == 0:
            check_op(lambda x: getattr(ag, name)(x, 2)[1], [array], lambda x: getattr(torch, name)(x, 2)[1],
                     gradgrad=False)
    with pytest.raises(ag.ShapeError, match="vsplit: dim 0 of size 3 does not split into 2 equal parts"):
        ag.vsplit(ag.zeros(3, 2), 2)
