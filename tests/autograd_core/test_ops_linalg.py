"""``matmul`` / ``@`` (``ops/linalg.py``): 1-D and 2-D operands and broadcast batches."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import check_op, float_arrays

SHAPE_PAIRS = [
    ((3,), (3,)),  # dot product -> 0-d
    ((2, 3), (3,)),  # matrix @ vector
    ((3,), (3, 4)),  # vector @ matrix
    ((2, 3), (3, 4)),
    ((2, 1, 3, 4), (5, 4, 2)),  # batch dims broadcast: (2, 5, 3, 2)
    ((4,), (2, 4, 3)),  # vector @ batch of matrices
    ((2, 3, 4), (4,)),  # batch of matrices @ vector
    ((1, 2, 3), (3, 3, 2)),
]


@pytest.mark.parametrize("shape_a, shape_b", SHAPE_PAIRS)
@settings(max_examples=3)
@given(data=st.data())
def test_matmul_shapes(shape_a, shape_b, data):
    first, second = data.draw(float_arrays(shape_a)), data.draw(float_arrays(shape_b))
    assert (ag.from_numpy(first) @ ag.from_numpy(second)).shape == np.matmul(first, second).shape
    check_op(lambda a, b: a @ b, (first, second), lambda a, b: a @ b)


@st.composite
def matmul_operands(draw: Any) -> tuple[np.ndarray, np.ndarray]:
    """Operands of any matmul-compatible shapes: 1-D or not, batch dims broadcasting."""
    shapes = draw(hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2, max_side=3))
    first, second = shapes.input_shapes
    return draw(float_arrays(first)), draw(float_arrays(second))


@settings(max_examples=12)
@given(operands=matmul_operands())
def test_matmul_drawn_shapes(operands):
    check_op(ag.matmul, operands, lambda a, b: a @ b)


def test_matmul_with_an_array_on_either_side():
    x = ag.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    weights = np.ones((3, 2))
    np.testing.assert_array_equal((x @ weights).array, x.array @ weights)
    np.testing.assert_array_equal((np.ones((4, 2)) @ x).array, np.ones((4, 2)) @ x.array)
    (np.ones((4, 2)) @ x @ weights).sum().backward()
    np.testing.assert_array_equal(x.grad.array, np.full((2, 3), 8.0))


def test_matmul_keeps_float32():
    assert (ag.ones(2, 3) @ ag.ones(3)).dtype == np.float32


def test_matmul_inner_mismatch_names_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"matmul: shapes \(2, 3\) and \(4, 5\) cannot be multiplied.*\(3\).*\(4\)"):
        ag.ones(2, 3) @ ag.ones(4, 5)
    with pytest.raises(ag.ShapeError, match=r"matmul: shapes \(3,\) and \(2,\) cannot be multiplied"):
        ag.ones(3) @ ag.ones(2)


def test_matmul_batch_mismatch_names_both_shapes():
    with pytest.raises(ag.ShapeError, match=r"matmul: batch dims \(2,\) and \(3,\) \(of shapes \(2, 1, 4\) and \(3, 4, 2\)\)"):
        ag.ones(2, 1, 4) @ ag.ones(3, 4, 2)


def test_matmul_of_a_0d_tensor_says_to_use_mul():
    with pytest.raises(ag.ShapeError, match=r"matmul: both operands need at least 1 dim, got shapes \(\) and \(3,\); use \*"):
        ag.matmul(ag.tensor(2.0), ag.ones(3))
