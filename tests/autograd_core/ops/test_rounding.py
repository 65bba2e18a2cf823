"""Rounding and remainders (``ops/rounding.py``): floor/ceil/trunc/round/sign (zero gradient),
frac, fmod/remainder/``%`` and floor_divide/``//``, as function, method and in-place form."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import broadcast_pair, check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=3, max_side=3)
AWAY_FROM_WHOLE = {"away_from": (-2.0, -1.0, 0.0, 1.0, 2.0), "margin": 0.05}  # the jumps of floor & co.
AWAY_FROM_HALVES = {"away_from": (-1.5, -0.5, 0.5, 1.5), "margin": 0.05}  # where round jumps

# name: (ours, PyTorch's, value range)
UNARY: dict[str, tuple[Callable, Callable, dict]] = {
    "frac": (ag.frac, lambda x: torch.frac(x), AWAY_FROM_WHOLE),
    "floor": (ag.floor, lambda x: torch.floor(x), AWAY_FROM_WHOLE),
    "ceil": (ag.ceil, lambda x: torch.ceil(x), AWAY_FROM_WHOLE),
    "trunc": (ag.trunc, lambda x: torch.trunc(x), AWAY_FROM_WHOLE),
    "round": (ag.round, lambda x: torch.round(x), AWAY_FROM_HALVES),
    "round(decimals=1)": (
        lambda x: ag.round(x, decimals=1),
        lambda x: torch.round(x, decimals=1),
        {"away_from": tuple(np.arange(-2.0, 2.0, 0.1) + 0.05), "margin": 0.01},
    ),
    "sign": (ag.sign, lambda x: torch.sign(x), {"away_from": (0.0,)}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=8)
@given(data=st.data())
def test_unary_op(name, data):
    ours, theirs, ranges = UNARY[name]
    array = data.draw(SMALL.flatmap(lambda shape: float_arrays(shape, **ranges)))
    check_op(ours, [array], theirs)
    method = name.split("(")[0]
    call = lambda x: getattr(x, method)()  # noqa: E731  (the method: same call in both engines)
    compare_with_torch(call, call, [array], [True])
    x = ag.from_numpy(array.copy())
    assert getattr(x, method + "_")() is x and x._version.value == 1  # the in-place form
    np.testing.assert_array_equal(x.array, getattr(ag.from_numpy(array), method)().array)


@requires_torch
@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "sign"])
@pytest.mark.parametrize("values", [[5, -3, 0, 2], [True, False]])
def test_integer_and_bool_input_keep_their_dtype_as_pytorch(name, values):
    if isinstance(values[0], bool) and name != "sign":
        with pytest.raises(NotImplementedError):
            getattr(torch.tensor(values), name)()
        with pytest.raises(ag.DtypeError, match=f"{name}: a bool tensor has nothing to round"):
            getattr(ag.tensor(values), name)()
        return
    ours, theirs = getattr(ag.tensor(values), name)(), getattr(torch.tensor(values), name)()
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.array, theirs.numpy())


def test_round_is_half_to_even_and_frac_needs_floats():
    assert ag.tensor([0.5, 1.5, 2.5, -0.5]).round().tolist() == [0.0, 2.0, 2.0, -0.0]
    with pytest.raises(ag.DtypeError, match="frac: needs a float tensor, got int64"):
        ag.tensor([1, 2]).frac()


REMAINDERS = {"fmod": ag.fmod, "remainder": ag.remainder, "%": lambda a, b: a % b}


@pytest.mark.parametrize("name", sorted(REMAINDERS))
@settings(max_examples=10)
@given(pair=broadcast_pair(low=0.3, high=1.0), flip=st.booleans())
def test_remainders_broadcast(name, pair, flip):
    dividend, divisor = pair[0] * 4.0 - 2.2, pair[1] * (-1.0 if flip else 1.0)  # either sign
    quotient = np.asarray(dividend / divisor)
    assume(np.all(np.abs(quotient - np.round(quotient)) > 0.02))  # away from the jumps
    theirs = (lambda a, b: a % b) if name == "%" else (lambda a, b: getattr(torch, name)(a, b))
    check_op(REMAINDERS[name], (dividend, divisor), theirs)


@requires_torch
@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_remainders_take_the_sign_of_the_dividend_or_the_divisor(name):
    for dtype in (np.int64, np.float64):
        a, b = np.array([5, -5, 5, -5], dtype=dtype), np.array([3, 3, -3, -3], dtype=dtype)
        ours = getattr(ag, name)(ag.tensor(a), ag.tensor(b))
        theirs = getattr(torch, name)(torch.tensor(a), torch.tensor(b))
        np.testing.assert_array_equal(ours.array, theirs.numpy())
        np.testing.assert_array_equal(getattr(ag.tensor(a), name)(2).array, getattr(torch.tensor(a), name)(2).numpy())


@requires_torch
def test_floor_divide_and_its_operators_match_pytorch():
    for a in (np.array([5, -2, 7]), np.array([5.0, -2.0, 7.5])):
        ours, theirs = ag.tensor(a), torch.tensor(a)
        np.testing.assert_array_equal((ours // 3).array, (theirs // 3).numpy())
        np.testing.assert_array_equal((7 // (ours + 10)).array, (7 // (theirs + 10)).numpy())
        np.testing.assert_array_equal((7 % (ours + 10)).array, (7 % (theirs + 10)).numpy())
        np.testing.assert_array_equal(ag.floor_divide(ours, -2).array, torch.floor_divide(theirs, -2).numpy())
    x = ag.tensor([7, 9])
    x //= 2
    x %= 3
    assert x.tolist() == [0, 1] and x._version.value == 2


def test_integer_division_by_zero_raises_and_floor_divide_has_no_gradient():
    with pytest.raises(ZeroDivisionError, match="floor_divide"):
        ag.tensor([5, 2]) // 0
    with pytest.raises(ZeroDivisionError, match="remainder"):
        ag.tensor([5, 2]) % ag.tensor([1, 0])
    assert np.isinf((ag.tensor([1.0]) // 0).item())  # floats follow IEEE
    x = ag.tensor([5.0, 2.0], requires_grad=True)
    with pytest.raises(ag.GraphError, match=r"floor_divide \(//\) has no derivative.*\(a / b\).floor\(\)"):
        (x // 2).sum().backward()


@requires_torch
@pytest.mark.parametrize("name, divisor", [("fmod_", 0.7), ("remainder_", -0.7)])
def test_in_place_remainders_match_pytorch(name, divisor):
    def call(x: Any) -> Any:
        y = x * 1.0
        getattr(y, name)(x * 0 + divisor)
        return y

    compare_with_torch(call, call, [np.array([[0.3, -1.2], [2.0, 0.9]])], [True])
