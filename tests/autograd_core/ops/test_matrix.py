"""Diagonals and structured matrices (``ops/matrix.py``): diagonal, diag_embed, diag, trace,
kron, block_diag, tril_indices, triu_indices, through ``check_op`` against PyTorch."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, float_arrays, requires_torch, shapes, torch, torch_function

MATRICES = shapes(min_dims=2, max_dims=4, max_side=4)


@settings(max_examples=15)
@given(array=MATRICES.flatmap(float_arrays), data=st.data())
def test_diagonal_of_any_two_dims_and_offset(array, data):
    ndim = array.ndim
    dim1 = data.draw(st.integers(-ndim, ndim - 1))
    dim2 = data.draw(st.integers(-ndim, ndim - 1).filter(lambda d: d % ndim != dim1 % ndim))
    offset = data.draw(st.integers(-3, 3))
    check_op(lambda x: ag.diagonal(x, offset, dim1, dim2), [array], lambda x: torch.diagonal(x, offset, dim1, dim2))
    check_op(lambda x: x.diagonal(offset, dim1, dim2), [array], lambda x: x.diagonal(offset, dim1, dim2))


@settings(max_examples=15)
@given(array=shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays), data=st.data())
def test_diag_embed(array, data):
    ndim = array.ndim + 1
    dim1 = data.draw(st.integers(-ndim, ndim - 1))
    dim2 = data.draw(st.integers(-ndim, ndim - 1).filter(lambda d: d % ndim != dim1 % ndim))
    offset = data.draw(st.integers(-2, 2))
    check_op(lambda x: ag.diag_embed(x, offset, dim1, dim2), [array], lambda x: torch.diag_embed(x, offset, dim1, dim2))


@settings(max_examples=15)
@given(array=shapes(min_dims=1, max_dims=2, max_side=4).flatmap(float_arrays), k=st.integers(-3, 3))
def test_diag_of_a_vector_and_of_a_matrix(array, k):
    check_op(lambda x: ag.diag(x, k), [array], lambda x: torch.diag(x, k))
    check_op(lambda x: x.diag(k), [array], lambda x: x.diag(k))


@settings(max_examples=10)
@given(array=shapes(min_dims=2, max_dims=2, max_side=4).flatmap(float_arrays))
def test_trace(array):
    check_op(ag.trace, [array], torch_function("trace"))
    check_op(lambda x: x.trace(), [array], lambda x: x.trace())


@settings(max_examples=10)
@given(a=shapes(max_dims=3, max_side=3).flatmap(float_arrays), b=shapes(max_dims=3, max_side=3).flatmap(float_arrays))
def test_kron_of_any_ranks(a, b):
    # PyTorch 2.13's kron refuses some non-contiguous inputs (a view error): give it contiguous ones
    check_op(ag.kron, [a, b], lambda x, y: torch.kron(x.contiguous(), y.contiguous()))


def test_block_diag_matches_pytorch():
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(()), rng.standard_normal(3), rng.standard_normal((2, 2)), rng.standard_normal((1, 3))]
    check_op(lambda *xs: ag.block_diag(*xs), arrays, lambda *xs: torch.block_diag(*xs))


@requires_torch
@pytest.mark.parametrize("row, col, offset", [(3, 3, 0), (4, 2, 1), (2, 5, -1), (0, 3, 0), (3, 4, 7), (3, 4, -9)])
def test_triangle_indices_match_pytorch(row, col, offset):
    for ours, theirs in ((ag.tril_indices, torch.tril_indices), (ag.triu_indices, torch.triu_indices)):
        result = ours(row, col, offset)
        assert result.dtype == ag.int64
        np.testing.assert_array_equal(result.numpy(), theirs(row, col, offset).numpy())


def test_bad_arguments_are_named():
    with pytest.raises(ag.DimError, match=r"diag: expects a 1-D or 2-D tensor, got shape \(2, 2, 2\)"):
        ag.diag(ag.zeros(2, 2, 2))
    with pytest.raises(ag.DimError, match="diagonal: dim1 and dim2 must be different dims"):
        ag.diagonal(ag.zeros(2, 2), 0, 1, -1)
    with pytest.raises(ag.DimError, match=r"trace: expects a matrix \(2-D\), got shape \(3,\)"):
        ag.trace(ag.zeros(3))
    with pytest.raises(ag.DimError, match="diagonal: needs a tensor of 2 or more dims"):
        ag.zeros(3).diagonal()
    with pytest.raises(TypeError, match="diagonal: offset must be an int"):
        ag.diagonal(ag.zeros(2, 2), 0.5)
    with pytest.raises(ag.ShapeError, match="block_diag: tensor 1 must be a 0-, 1- or 2-D Tensor"):
        ag.block_diag(ag.ones(1), ag.ones(1, 1, 1))
    with pytest.raises(ag.ShapeError, match="tril_indices: row and col must be >= 0"):
        ag.tril_indices(-1, 2)


@settings(max_examples=10)
@given(array=float_arrays((4,)), n=st.sampled_from([None, 0, 2, 5]), increasing=st.booleans())
def test_vander(array, n, increasing):
    check_op(lambda x: ag.vander(x, n, increasing), [array])  # PyTorch 2.13's vander backward fails (in place)
    if torch is not None:
        np.testing.assert_allclose(ag.vander(ag.tensor(array), n, increasing).numpy(),
                                   torch.vander(torch.tensor(array), n, increasing).numpy())
