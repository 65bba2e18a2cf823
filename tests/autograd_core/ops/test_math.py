"""More elementwise math (``ops/math.py``): trigonometric/hyperbolic, logs and powers,
atan2/hypot/lerp, as function and method, through ``check_op``."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import (
    broadcast_pair,
    check_op,
    compare_with_torch,
    float_arrays,
    requires_torch,
    shapes,
    torch,
    torch_function,
)

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


# -- float functions of bools and small integers: float32, as PyTorch (NumPy: float16) -----
@requires_torch
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.int64])
@pytest.mark.parametrize("name", ["log", "sqrt", "exp", "sin", "tanh", "sigmoid", "log1p", "expm1", "rsqrt", "erf",
                                  "asin", "atan", "log2", "reciprocal"])
def test_a_float_function_of_bools_or_integers_is_float32_with_pytorchs_values(name, dtype):
    values = np.array([0, 1, 1, 0], dtype=dtype) if dtype == np.bool_ else np.array([0, 1, 2, 5], dtype=dtype)
    ours = getattr(ag, name)(ag.tensor(values))
    expected = getattr(torch, name)(torch.tensor(values)).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.array, expected, rtol=1e-6)


@requires_torch
def test_atan2_of_two_bool_tensors_is_float32_with_pytorchs_values():
    y, x = np.array([True, False, True]), np.array([True, True, False])
    expected = torch.atan2(torch.tensor(y), torch.tensor(x)).numpy()
    ours = ag.atan2(ag.tensor(y), ag.tensor(x))
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours.array, expected, rtol=1e-6)


def test_the_square_of_a_bool_tensor_is_int64_as_pytorch():
    assert ag.square(ag.tensor([True, False])).dtype == np.int64


@pytest.mark.parametrize("name", ["atan2", "hypot"])
def test_binary_math_takes_a_tensor_other_as_pytorch(name):
    with pytest.raises(TypeError, match=rf"{name}\(\): argument 'other' must be a Tensor, not int"):
        getattr(ag, name)(ag.ones(2), 2)
    with pytest.raises(TypeError, match=r"lerp\(\): argument 'other' must be a Tensor, not float"):
        ag.lerp(ag.ones(2), 2.0, 0.5)


def test_hypot_needs_one_float_operand():
    assert ag.hypot(ag.ones(2), ag.tensor([3, 4])).dtype == np.float32
    with pytest.raises(ag.DtypeError, match="hypot: needs a float tensor, got int64 and int64"):
        ag.hypot(ag.tensor([3]), ag.tensor([4]))


# -- logaddexp, xlogy, logit, nan_to_num and the small helpers -----------------------------------
@settings(max_examples=10)
@given(pair=broadcast_pair())
def test_logaddexp(pair):
    a, b = pair
    check_op(ag.logaddexp, [a, b], torch_function("logaddexp"))
    check_op(lambda x, y: x.logaddexp(y), [a, b], lambda x, y: x.logaddexp(y))


@settings(max_examples=10)
@given(pair=broadcast_pair())
def test_xlogy_away_from_zero(pair):
    a, b = pair
    check_op(ag.xlogy, [a, np.abs(b) + 0.1], torch_function("xlogy"))
    check_op(lambda y: ag.xlogy(2, y), [np.abs(b) + 0.1], lambda y: torch.xlogy(2, y))


@requires_torch
def test_xlogy_is_zero_where_x_is_zero_with_pytorchs_gradients():
    x, y = np.array([0.0, 0.0, 0.0, 1.0]), np.array([0.0, np.inf, 2.0, np.nan])
    compare_with_torch(ag.xlogy, torch_function("xlogy"), [x, y], [True, True])


@settings(max_examples=10)
@given(array=small_arrays(low=0.05, high=0.95), eps=st.sampled_from([None, 0.1]))
def test_logit(array, eps):
    check_op(lambda x: ag.logit(x, eps), [array], lambda x: torch.logit(x, eps))


@requires_torch
def test_nan_to_num_and_its_gradient():
    values = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0])
    for kwargs in ({}, {"nan": 1.0, "posinf": 9.0, "neginf": -9.0}):
        compare_with_torch(lambda x: ag.nan_to_num(x, **kwargs), lambda x: torch.nan_to_num(x, **kwargs),
                           [values], [True])
    assert ag.tensor([1, 2]).nan_to_num().tolist() == [1, 2]


@settings(max_examples=10)
@given(array=small_arrays())
def test_signbit_angles_and_aliases(array):
    np.testing.assert_array_equal(ag.signbit(ag.tensor(array)).numpy(), np.signbit(array))
    check_op(ag.deg2rad, [array], torch_function("deg2rad"))
    check_op(ag.rad2deg, [array], torch_function("rad2deg"))
    assert ag.sgn is ag.sign and ag.Tensor.sgn is ag.sign and ag.true_divide is ag.div


@settings(max_examples=10)
@given(shape=SMALL, data=st.data())
def test_addcmul_and_addcdiv(shape, data):
    a, b = data.draw(float_arrays(shape)), data.draw(float_arrays(shape))
    c = data.draw(float_arrays(shape, low=0.5, high=2.0))
    check_op(lambda x, y, z: ag.addcmul(x, y, z, value=0.5), [a, b, c],
             lambda x, y, z: torch.addcmul(x, y, z, value=0.5))
    check_op(lambda x, y, z: x.addcdiv(y, z, value=-2), [a, b, c], lambda x, y, z: x.addcdiv(y, z, value=-2))
    x = ag.tensor(a.copy())
    x.addcmul_(ag.tensor(b), ag.tensor(c), value=2)
    np.testing.assert_allclose(x.numpy(), a + 2 * b * c)


@requires_torch
def test_fmax_fmin_heaviside_gcd_lcm_match_pytorch():
    a, b = np.array([1.0, np.nan, 3.0, np.nan]), np.array([2.0, 5.0, np.nan, np.nan])
    for name in ("fmax", "fmin"):
        compare_with_torch(getattr(ag, name), getattr(torch, name), [a, b], [True, True])
    steps, at_zero = np.array([-1.5, 0.0, 2.0]), np.array([0.5])
    np.testing.assert_array_equal(ag.heaviside(ag.tensor(steps), ag.tensor(at_zero)).numpy(),
                                  torch.heaviside(torch.tensor(steps), torch.tensor(at_zero)).numpy())
    m, n = np.array([12, -18, 0, 7]), np.array([8, 12, 5, 0])
    for name in ("gcd", "lcm"):
        np.testing.assert_array_equal(getattr(ag, name)(ag.tensor(m), ag.tensor(n)).numpy(),
                                      getattr(torch, name)(torch.tensor(m), torch.tensor(n)).numpy())
    with pytest.raises(ag.DtypeError, match="gcd: needs integer tensors"):
        ag.gcd(ag.tensor([1.0]), ag.tensor([2.0]))


@settings(max_examples=10)
@given(pair=broadcast_pair())
def test_fmax_away_from_ties(pair):
    a, b = pair
    assume_apart = np.abs(a - b).min() > 1e-3 if a.size and b.size else True
    if assume_apart:
        check_op(ag.fmax, [a, b], torch_function("fmax"))
        check_op(lambda x, y: x.fmin(y), [a, b], lambda x, y: x.fmin(y))


@settings(max_examples=10)
@given(pair=broadcast_pair())
def test_copysign_exp2_logaddexp2_float_power_ldexp(pair):
    a, b = pair
    away = np.where(np.abs(a) < 0.05, 0.5, a)  # copysign's kink at 0
    check_op(ag.copysign, [away, b], torch_function("copysign"))
    check_op(ag.exp2, [a], torch_function("exp2"))
    check_op(ag.logaddexp2, [a, b], torch_function("logaddexp2"))
    check_op(ag.float_power, [np.abs(a) + 0.5, b], torch_function("float_power"))
    check_op(lambda x: ag.ldexp(x, ag.tensor([2])), [a], lambda x: torch.ldexp(x, torch.tensor([2])))


@settings(max_examples=10)
@given(array=small_arrays())
def test_sinc_including_zero(array):
    check_op(ag.sinc, [array], torch_function("sinc"))  # away from 0 (floats drawn from [-2, 2])
    with_zero = np.array(array, copy=True)
    with_zero.reshape(-1)[0] = 0.0
    # at exactly 0 the first derivative is 0 (as PyTorch), and so is its derivative there (PyTorch's too,
    # where the true second derivative is -pi^2 / 3): no second-derivative check through that point
    check_op(ag.sinc, [with_zero], torch_function("sinc"), gradgrad=False)


@requires_torch
def test_frexp_matches_pytorch():
    values = np.array([8.0, -0.375, 0.0, 1e-3, 3.0e5], np.float32)
    ours, theirs = ag.frexp(ag.tensor(values)), torch.frexp(torch.tensor(values))
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
