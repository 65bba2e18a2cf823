"""Predicates, logical and bitwise ops (``ops/logical.py``) against PyTorch: values, dtypes,
broadcasting, the operators ``& | ^ ~`` and their in-place forms."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from tests.helpers import requires_torch, torch

pytestmark = requires_torch


@st.composite
def operand_pair(draw: Any, dtypes: tuple = (np.bool_, np.int64)) -> tuple[np.ndarray, np.ndarray]:
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)).input_shapes
    kinds = [draw(st.sampled_from(dtypes)) for _ in shapes]
    return tuple(
        draw(hnp.arrays(kind, shape, elements=st.integers(-3, 3) if kind is not np.bool_ else st.booleans()))
        for kind, shape in zip(kinds, shapes)
    )


def assert_same(ours: ag.Tensor, theirs: Any) -> None:
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "") and not ours.requires_grad
    np.testing.assert_array_equal(ours.array, theirs.numpy())


BINARY: dict[str, Callable] = {
    "&": lambda a, b: a & b,
    "|": lambda a, b: a | b,
    "^": lambda a, b: a ^ b,
    "bitwise_and": lambda a, b: a.bitwise_and(b),
    "bitwise_or": lambda a, b: a.bitwise_or(b),
    "bitwise_xor": lambda a, b: a.bitwise_xor(b),
}
LOGICAL = ["logical_and", "logical_or", "logical_xor"]


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=15)
@given(pair=operand_pair())
def test_bitwise_ops_on_bool_and_integer_tensors(name, pair):
    op = BINARY[name]
    assert_same(op(ag.tensor(pair[0]), ag.tensor(pair[1])), op(torch.tensor(pair[0]), torch.tensor(pair[1])))
    assert_same(op(ag.tensor(pair[0]), 2), op(torch.tensor(pair[0]), 2))


@pytest.mark.parametrize("name", LOGICAL)
@settings(max_examples=15)
@given(pair=operand_pair(dtypes=(np.bool_, np.int64, np.float64)))
def test_logical_ops_take_any_dtype_by_truth_value(name, pair):
    theirs = getattr(torch, name)(torch.tensor(pair[0]), torch.tensor(pair[1]))
    assert_same(getattr(ag, name)(ag.tensor(pair[0]), ag.tensor(pair[1])), theirs)
    assert_same(getattr(ag.tensor(pair[0]), name)(ag.tensor(pair[1])), theirs)


@pytest.mark.parametrize("values", [[True, False], [6, -1, 0]])
def test_invert_and_not(values):
    assert_same(~ag.tensor(values), ~torch.tensor(values))
    assert_same(ag.bitwise_not(ag.tensor(values)), torch.bitwise_not(torch.tensor(values)))
    assert_same(ag.tensor(values).logical_not(), torch.tensor(values).logical_not())


def test_bitwise_ops_on_floats_say_what_to_use():
    with pytest.raises(ag.DtypeError, match=r"bitwise_and \(&\): needs bool or integer tensors, got float32"):
        ag.tensor([1.0]) & ag.tensor([1.0])
    with pytest.raises(ag.DtypeError, match=r"bitwise_not \(~\): needs bool or integer tensors, got float32"):
        ~ag.tensor([1.0])
    with pytest.raises(ag.ShapeError, match=r"logical_and: shapes \(2,\) and \(3,\) cannot be broadcast"):
        ag.logical_and(ag.ones(2), ag.ones(3))


@pytest.mark.parametrize("operator", ["__iand__", "__ior__", "__ixor__", "logical_and_", "logical_xor_", "bitwise_or_"])
def test_in_place_forms_write_into_the_tensor(operator):
    ours, theirs = ag.tensor([True, False, True]), torch.tensor([True, False, True])
    memory = ours.array
    result = getattr(ours, operator)(ag.tensor([True, True, False]))
    getattr(theirs, operator)(torch.tensor([True, True, False]))
    assert result is ours and ours.array is memory and ours._version.value == 1
    assert_same(ours, theirs)
    flags = ag.tensor([5, 3])
    flags &= 6
    flags |= 8
    assert flags.tolist() == [12, 10]


# -- predicates -------------------------------------------------------------------------
SPECIAL = np.array([1.0, np.nan, np.inf, -np.inf, -0.0, 3.5])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite", "isposinf", "isneginf"])
def test_predicates(name):
    assert_same(getattr(ag, name)(ag.tensor(SPECIAL)), getattr(torch, name)(torch.tensor(SPECIAL)))
    assert_same(getattr(ag.tensor([1, 2]), name)(), getattr(torch.tensor([1, 2]), name)())


@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_allclose_equal(equal_nan):
    first, second = np.array([1.0, np.nan, 2.0, 1e-9]), np.array([1.0 + 1e-7, np.nan, 2.1, 0.0])
    assert_same(
        ag.isclose(ag.tensor(first), ag.tensor(second), equal_nan=equal_nan),
        torch.isclose(torch.tensor(first), torch.tensor(second), equal_nan=equal_nan),
    )
    for a, b in ((first[[0, 3]], second[[0, 3]]), (first, second), (first[:1], second[:2])):
        ours = ag.allclose(ag.tensor(a), ag.tensor(b), equal_nan=equal_nan)
        assert ours is torch.allclose(torch.tensor(a), torch.tensor(b), equal_nan=equal_nan)
    assert ag.tensor([1.0, 2.0]).allclose(ag.tensor([1.0, 2.0 + 1e-9])) is True
    assert ag.equal(ag.tensor([1, 2]), ag.tensor([1.0, 2.0])) is True  # as torch.equal: values, not dtypes
    assert ag.equal(ag.tensor([1.0, 2.0]), ag.tensor([1.0])) is False
    assert ag.tensor([[1, 2]]).equal(ag.tensor([[1, 2]])) is True
