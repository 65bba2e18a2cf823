"""``einsum`` (``ops/einsum.py``): explicit and implicit outputs, ``...``, diagonals, traces,
letters summed in one operand only, size-1 broadcasting, through ``check_op``."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, float_arrays, torch

CASES = [  # equation, operand shapes
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 2)]),  # implicit output: ik
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ii", [(3, 3)]),  # trace
    ("ii->i", [(3, 3)]),  # diagonal
    ("iij->ij", [(2, 2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->ji", [(2, 3)]),
    ("ij,j->i", [(3, 2), (2,)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (3, 3, 2)]),  # batch dims broadcast, of different counts
    ("...ij->...ji", [(2, 3, 2)]),
    ("b h i d, b h j d -> b h i j", [(1, 2, 3, 2), (1, 2, 2, 2)]),  # attention scores, with spaces
    ("ij,ij->ij", [(3, 1), (3, 2)]),  # a size-1 dim broadcasts, as in PyTorch
    ("i,ij,jk->k", [(2,), (2, 3), (3, 2)]),  # three operands
    ("ab,bc,ca->", [(2, 3), (3, 2), (2, 2)]),
    (",i->i", [(), (3,)]),  # a 0-d operand
    ("ij,ik->", [(2, 3), (2, 4)]),  # j and k summed, each in one operand only
]


@pytest.mark.parametrize("equation, operand_shapes", CASES)
@settings(max_examples=3)
@given(data=st.data())
def test_einsum(equation, operand_shapes, data):
    operands = [data.draw(float_arrays(shape)) for shape in operand_shapes]
    check_op(lambda *xs: ag.einsum(equation, *xs), operands, lambda *xs: torch.einsum(equation, *xs))


def test_einsum_takes_a_list_of_operands_and_matches_matmul():
    rng = np.random.default_rng(0)
    a, b = ag.tensor(rng.standard_normal((2, 3))), ag.tensor(rng.standard_normal((3, 4)))
    np.testing.assert_allclose(ag.einsum("ij,jk->ik", [a, b]).array, (a @ b).array, rtol=1e-5, atol=1e-6)
    transposed = ag.einsum("ij->ji", a)
    transposed[0, 0] = 100.0  # a copy, not a view of a
    assert a.array[0, 0] != 100.0


@pytest.mark.parametrize(
    "equation, shapes, message",
    [
        ("ij,jk->ik", [(2, 3)], r"names 2 operand\(s\) but 1 were given"),
        ("ij->ik", [(2, 3)], "names one no input has"),
        ("ij->ii", [(2, 2)], "repeats a letter"),
        ("ijk", [(2, 3)], r"subscripts 'ijk' do not fit an operand of shape \(2, 3\)"),
        ("ij,jk", [(2, 3), (4, 2)], "subscript 'j' has size 3 in one operand and 4 in another"),
        ("i1", [(2, 3)], "subscripts must be letters"),
    ],
)
def test_einsum_errors(equation, shapes, message):
    with pytest.raises(ag.ShapeError, match=message):
        ag.einsum(equation, *[ag.zeros(*shape) for shape in shapes])
