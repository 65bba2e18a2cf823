"""More elementwise math (``ops/math.py``): trigonometric/hyperbolic, logs and powers,
atan2/hypot/lerp, as function and method, through ``check_op``."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import broadcast_pair, check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=3, max_side=3)


def small_arrays(**kwargs: Any) -> st.SearchStrategy:
    return SMALL.flatmap(lambda shape: float_arrays(shape, **kwargs))


POSITIVE = {"low": 0.2, "high": 3.0}
INSIDE_ONE = {"low": -0.9, "high": 0.9}

# name: (ours, PyTorch's, value range), each op called as a function here and as a method below
UNARY: dict[str, tuple[Callable, Callable, dict]] = {
    "tan": (ag.tan, lambda x: torch.tan(x), {"low": -1.2, "high": 1.2}),
    "asin": (ag.asin, lambda x: torch.asin(x), INSIDE_ONE),
    "acos": (ag.acos, lambda x: torch.acos(x), INSIDE_ONE),
    "atan": (ag.atan, lambda x: torch.atan(x), {}),
    "sinh": (ag.sinh, lambda x: torch.sinh(x), {}),
    "cosh": (ag.cosh, lambda x: torch.cosh(x), {}),
    "log1p": (ag.log1p, lambda x: torch.log1p(x), {"low": -0.8, "high": 3.0}),
    "expm1": (ag.expm1, lambda x: torch.expm1(x), {}),
    "log2": (ag.log2, lambda x: torch.log2(x), POSITIVE),
    "log10": (ag.log10, lambda x: torch.log10(x), POSITIVE),
    "rsqrt": (ag.rsqrt, lambda x: torch.rsqrt(x), POSITIVE),
    "reciprocal": (ag.reciprocal, lambda x: torch.reciprocal(x), {"away_from": (0.0,), "margin": 0.25}),
    "square": (ag.square, lambda x: torch.square(x), {}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=8)
@given(data=st.data())
def test_unary_op(name, data):
    ours, theirs, ranges = UNARY[name]
    array = data.draw(small_arrays(**ranges))
    check_op(ours, [array], theirs)
    method = name.split("(")[0]
    call = lambda x: getattr(x, method)()  # noqa: E731  (the method: same call in both engines)
    compare_with_torch(call, call, [array], [True])


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_keeps_float32_and_has_an_in_place_form(name):
    ours, _, _ = UNARY[name]
    values = [[0.25, 0.5], [0.75, 0.125]]
    out = ours(ag.tensor(values))
    assert out.dtype == np.float32 and out.shape == (2, 2)
    method = name.split("(")[0]
    x = ag.tensor(values)
    assert getattr(x, method + "_")() is x and x._version.value == 1
    np.testing.assert_array_equal(x.array, getattr(ag.tensor(values), method)().array)


@requires_torch
@pytest.mark.parametrize("name", ["square", "reciprocal", "tan", "log2", "rsqrt"])
def test_integer_input_keeps_integers_or_gives_floats_as_pytorch(name):
    ours, theirs = getattr(ag.tensor([5, -3, 0, 2]), name)(), getattr(torch.tensor([5, -3, 0, 2]), name)()
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)


def test_domain_edges_give_nan_or_inf_without_warnings():
    with np.errstate(all="raise"):
        assert np.isnan(ag.asin(ag.tensor([2.0])).item()) and np.isinf(ag.log2(ag.tensor([0.0])).item())
        assert np.isinf(ag.rsqrt(ag.tensor([0.0])).item()) and np.isnan(ag.log1p(ag.tensor([-2.0])).item())


# -- binary ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["atan2", "hypot"])
@settings(max_examples=10)
@given(pair=broadcast_pair(away_from=(0.0,), margin=0.2))
def test_atan2_hypot_broadcast(name, pair):
    check_op(getattr(ag, name), pair, lambda a, b: getattr(torch, name)(a, b))
    call = lambda a, b: getattr(a, name)(b)  # noqa: E731
    compare_with_torch(call, call, pair, [True, True])


@settings(max_examples=10)
@given(data=st.data())
def test_lerp_with_a_number_and_with_a_tensor_weight(data):
    start, end = data.draw(broadcast_pair())
    weight = data.draw(float_arrays(end.shape, low=-0.5, high=1.5))
    check_op(lambda s, e: ag.lerp(s, e, 0.3), (start, end), lambda s, e: torch.lerp(s, e, 0.3))
    check_op(lambda s, e: s.lerp(e, 0.8), (start, end), lambda s, e: s.lerp(e, 0.8))
    check_op(lambda s, e, w: ag.lerp(s, e, w), (start + end * 0, end, weight), lambda s, e, w: torch.lerp(s, e, w))


def test_lerp_is_exact_at_both_ends_and_needs_floats():
    start, end = ag.tensor([1.0, -3.0]), ag.tensor([1e8, 0.1])
    assert ag.lerp(start, end, 0.0).tolist() == start.tolist() and ag.lerp(start, end, 1.0).tolist() == end.tolist()
    with pytest.raises(ag.DtypeError, match="lerp: needs float tensors, got int64"):
        ag.tensor([1, 2]).lerp(ag.tensor([2, 3]), 0.5)


IN_PLACE_WITH_ARGUMENTS = {  # name: the arguments, made from the tensor (PyTorch wants tensors for some)
    "atan2_": lambda x: (x * 0 + 0.5,),
    "hypot_": lambda x: (x * 0 + 2.0,),
    "lerp_": lambda x: (x * 0 + 3.0, 0.25),
    "clamp_": lambda x: (-0.5, 0.5),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(IN_PLACE_WITH_ARGUMENTS))
def test_binary_in_place_forms_match_pytorch(name):
    def call(x: Any) -> Any:
        y = x * 1.0
        getattr(y, name)(*IN_PLACE_WITH_ARGUMENTS[name](x))
        return y

    compare_with_torch(call, call, [np.array([[0.3, -1.2], [2.0, 0.9]])], [True])
