"""``autograd_core.linalg`` (``linalg.py``): the norms as PyTorch chooses them (the
inverse, determinant and solve are tested with the ops, in ``ops/test_linalg.py``)."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, float_arrays, shapes, torch


@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays), ord=st.sampled_from([1, 2, 3, math.inf]))
def test_vector_norm(array, ord):
    check_op(lambda x: ag.linalg.vector_norm(x, ord), [array], lambda x: torch.linalg.vector_norm(x, ord),
             gradgrad=False)
    check_op(lambda x: ag.linalg.vector_norm(x, ord, -1, True), [array],
             lambda x: torch.linalg.vector_norm(x, ord, -1, True), gradgrad=False)


@settings(max_examples=10)
@given(array=shapes(min_dims=2, max_dims=3, max_side=3).flatmap(float_arrays),
       ord=st.sampled_from(["fro", 1, -1, math.inf, -math.inf]), keepdim=st.booleans())
def test_matrix_norm_and_norm(array, ord, keepdim):
    check_op(lambda x: ag.linalg.matrix_norm(x, ord, keepdim=keepdim), [array],
             lambda x: torch.linalg.matrix_norm(x, ord, keepdim=keepdim), gradgrad=False)
    check_op(lambda x: ag.linalg.norm(x, ord, (0, 1)), [array], lambda x: torch.linalg.norm(x, ord, (0, 1)),
             gradgrad=False)
    check_op(lambda x: ag.linalg.norm(x), [array], lambda x: torch.linalg.norm(x), gradgrad=False)


def test_norms_that_need_an_svd_say_so():
    with pytest.raises(ValueError, match="the spectral and nuclear norms need an SVD"):
        ag.linalg.matrix_norm(ag.eye(2), "nuc")
    with pytest.raises(ValueError, match="vector_norm: ord must be a number"):
        ag.linalg.vector_norm(ag.eye(2), "fro")
    np.testing.assert_allclose(ag.linalg.norm(ag.eye(3), 1).item(), 1.0)
