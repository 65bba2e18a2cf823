"""Elementwise ops (``ops/elementwise.py``): arithmetic, math functions, activations,
clamp/maximum/minimum/where and comparisons.

Every differentiable op goes through ``check_op``: gradcheck, gradgradcheck and PyTorch
parity on hypothesis-drawn shapes (0-d, broadcasting pairs, non-contiguous views).
Inputs are kept away from kinks and domain edges instead of loosening tolerances.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_core as ag
from autograd_core.kernels.special import erf_reference
from tests.helpers import broadcast_pair, check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

SMALL = shapes(max_dims=3, max_side=3)


def small_arrays(**kwargs: Any) -> st.SearchStrategy:
    """``float_arrays`` of a small drawn shape (at most 27 elements: gradgradcheck stays fast)."""
    return SMALL.flatmap(lambda shape: float_arrays(shape, **kwargs))


def functional() -> Any:
    return torch.nn.functional


# -- arithmetic between tensors ------------------------------------------------------
BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(pair=broadcast_pair())
def test_binary_arithmetic_broadcasts(name, pair):
    check_op(BINARY[name], pair, BINARY[name])


@given(pair=broadcast_pair(away_from=(0.0,), margin=0.25))
def test_div_broadcasts_with_denominator_away_from_zero(pair):
    check_op(lambda a, b: a / b, pair, lambda a, b: a / b)


@given(pair=broadcast_pair(low=0.3, high=2.0))
def test_pow_tensor_to_tensor_power(pair):
    base, power = pair[0], pair[1] * 1.5  # exponents in [-3, 3], bases positive
    check_op(lambda a, b: a**b, (base, power), lambda a, b: a**b)


# -- arithmetic with Python numbers on either side -----------------------------------
WITH_NUMBER: dict[str, tuple[Callable, dict]] = {
    "tensor + number": (lambda a: a + 1.5, {}),
    "number + tensor": (lambda a: 1.5 + a, {}),
    "tensor - number": (lambda a: a - 1.5, {}),
    "number - tensor": (lambda a: 1.5 - a, {}),
    "tensor * number": (lambda a: a * -2.5, {}),
    "number * tensor": (lambda a: -2.5 * a, {}),
    "tensor / number": (lambda a: a / 1.5, {}),
    "number / tensor": (lambda a: 1.5 / a, {"away_from": (0.0,), "margin": 0.25}),
    "tensor ** 2": (lambda a: a**2, {}),
    "tensor ** 3 (negative bases)": (lambda a: a**3, {"low": -2.0, "high": -0.2}),
    "tensor ** -2": (lambda a: a**-2, {"away_from": (0.0,), "margin": 0.25}),
    "tensor ** 0": (lambda a: a**0, {}),
    "tensor ** 0.5": (lambda a: a**0.5, {"low": 0.2, "high": 3.0}),
    "tensor ** -1.5": (lambda a: a**-1.5, {"low": 0.2, "high": 3.0}),
    "number ** tensor": (lambda a: 2.5**a, {}),
    "fraction ** tensor": (lambda a: 0.4**a, {}),
    "neg": (lambda a: -a, {}),
}


@pytest.mark.parametrize("name", sorted(WITH_NUMBER))
@settings(max_examples=8)
@given(data=st.data())
def test_arithmetic_with_a_python_number(name, data):
    op, ranges = WITH_NUMBER[name]
    check_op(op, [data.draw(small_arrays(**ranges))], op)


@pytest.mark.parametrize("name", sorted(WITH_NUMBER))
def test_arithmetic_with_a_python_number_keeps_float32(name):
    op, _ = WITH_NUMBER[name]
    assert op(ag.tensor([0.5, 1.25])).dtype == np.float32


@requires_torch
@pytest.mark.parametrize("base", [-2.0, 0.0])
def test_pow_of_a_negative_or_zero_number_base_matches_pytorch(base):
    """Integer exponents give finite values; the exponent's gradient is NaN (negative base) or 0."""
    compare_with_torch(lambda e: base**e, lambda e: base**e, [np.array([1.0, 2.0, 3.0])], [True])


def test_pow_of_zero_to_the_zero_has_zero_gradient_like_pytorch():
    x = ag.tensor([0.0, 2.0], dtype=ag.float64, requires_grad=True)
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0])


# -- math functions and activations ---------------------------------------------------
# name: (ours, PyTorch's, value range / kinks to avoid)
UNARY: dict[str, tuple[Callable, Callable, dict]] = {
    "exp": (ag.exp, lambda x: torch.exp(x), {}),
    "log": (ag.log, lambda x: torch.log(x), {"low": 0.2, "high": 3.0}),
    "sqrt": (ag.sqrt, lambda x: torch.sqrt(x), {"low": 0.2, "high": 3.0}),
    "abs": (ag.abs, lambda x: torch.abs(x), {"away_from": (0.0,)}),
    "abs()": (lambda x: abs(x), lambda x: abs(x), {"away_from": (0.0,)}),
    "sin": (ag.sin, lambda x: torch.sin(x), {"low": -4.0, "high": 4.0}),
    "cos": (ag.cos, lambda x: torch.cos(x), {"low": -4.0, "high": 4.0}),
    "tanh": (ag.tanh, lambda x: torch.tanh(x), {"low": -3.0, "high": 3.0}),
    "sigmoid": (ag.sigmoid, lambda x: torch.sigmoid(x), {"low": -6.0, "high": 6.0}),
    "relu": (ag.relu, lambda x: torch.relu(x), {"away_from": (0.0,)}),
    "leaky_relu": (ag.leaky_relu, lambda x: functional().leaky_relu(x), {"away_from": (0.0,)}),
    "leaky_relu(0.2)": (
        lambda x: ag.leaky_relu(x, 0.2), lambda x: functional().leaky_relu(x, 0.2), {"away_from": (0.0,)}
    ),
    "softplus": (ag.softplus, lambda x: functional().softplus(x), {"low": -4.0, "high": 4.0}),
    "softplus(beta=2, threshold=1)": (
        lambda x: ag.softplus(x, beta=2.0, threshold=1.0),
        lambda x: functional().softplus(x, beta=2.0, threshold=1.0),
        {"away_from": (0.5,)},  # the switch to linear at beta * x == threshold
    ),
    "elu": (ag.elu, lambda x: functional().elu(x), {"away_from": (0.0,)}),
    "elu(alpha=0.5)": (lambda x: ag.elu(x, 0.5), lambda x: functional().elu(x, 0.5), {"away_from": (0.0,)}),
    "gelu": (ag.gelu, lambda x: functional().gelu(x), {"low": -3.0, "high": 3.0}),
    "gelu(tanh)": (
        lambda x: ag.gelu(x, approximate="tanh"),
        lambda x: functional().gelu(x, approximate="tanh"),
        {"low": -3.0, "high": 3.0},
    ),
    "erf": (ag.erf, lambda x: torch.erf(x), {}),
    "clamp(min)": (lambda x: ag.clamp(x, min=-0.5), lambda x: torch.clamp(x, min=-0.5), {"away_from": (-0.5,)}),
    "clamp(max)": (lambda x: x.clamp(max=0.7), lambda x: x.clamp(max=0.7), {"away_from": (0.7,)}),
    "clamp(min, max)": (
        lambda x: ag.clamp(x, -0.5, 0.7), lambda x: torch.clamp(x, -0.5, 0.7), {"away_from": (-0.5, 0.7)}
    ),
    "maximum with a number": (lambda x: x.maximum(0.3), lambda x: torch.clamp(x, min=0.3), {"away_from": (0.3,)}),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=8)
@given(data=st.data())
def test_unary_op(name, data):
    ours, theirs, ranges = UNARY[name]
    check_op(ours, [data.draw(small_arrays(**ranges))], theirs)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_keeps_float32(name):
    ours, _, ranges = UNARY[name]
    out = ours(ag.tensor([[0.75, 1.5], [2.25, 2.5]]))
    assert out.dtype == np.float32 and out.shape == (2, 2)


@requires_torch
@pytest.mark.parametrize("name", ["abs", "relu", "leaky_relu(0.2)", "elu(alpha=0.5)", "clamp(min, max)", "sqrt"])
def test_gradient_exactly_at_a_kink_or_edge_matches_pytorch(name):
    ours, theirs, _ = UNARY[name]
    compare_with_torch(ours, theirs, [np.array([-0.5, 0.0, 0.7, 1.0])], [True])


@pytest.mark.parametrize("name", ["exp", "sqrt", "sigmoid", "erf", "softplus", "elu", "gelu", "leaky_relu(0.2)"])
def test_unary_op_of_an_integer_tensor_gives_float_values_not_truncated_ones(name):
    ours, _, _ = UNARY[name]
    out = ours(ag.arange(1, 4))
    assert out.dtype.kind == "f"
    np.testing.assert_allclose(out.array, ours(ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64)).array, rtol=1e-6)


def test_activations_at_a_large_input_stay_finite():
    x = ag.tensor([-800.0, -30.0, 30.0, 800.0], dtype=ag.float64, requires_grad=True)
    for op in (ag.sigmoid, ag.softplus, ag.elu, ag.tanh, ag.gelu):
        x.grad = None
        out = op(x)
        out.sum().backward()
        assert np.isfinite(out.array).all() and np.isfinite(x.grad.array).all(), op


@requires_torch
def test_softplus_is_linear_above_the_threshold_like_pytorch():
    values = np.array([-3.0, 0.4, 0.6, 25.0])
    for beta, threshold in ((1.0, 20.0), (2.0, 1.0), (0.5, 3.0)):
        compare_with_torch(
            lambda x: ag.softplus(x, beta, threshold),
            lambda x: functional().softplus(x, beta, threshold),
            [values],
            [True],
        )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_erf_op_matches_the_reference_and_gelu_uses_it(dtype):
    values = np.linspace(-3, 3, 13).astype(dtype)
    np.testing.assert_allclose(ag.erf(ag.from_numpy(values)).array, erf_reference(values), rtol=1e-6)
    expected_gelu = values * 0.5 * (1.0 + erf_reference(values / np.sqrt(2.0)))
    np.testing.assert_allclose(ag.gelu(ag.from_numpy(values)).array, expected_gelu, rtol=1e-5, atol=1e-7)


def test_gelu_rejects_an_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        ag.gelu(ag.tensor([1.0]), approximate="fast")


def test_clamp_needs_a_bound_and_an_ordered_range():
    with pytest.raises(ValueError, match="clamp: give at least one of min and max"):
        ag.clamp(ag.tensor([1.0]))
    with pytest.raises(ValueError, match=r"clamp: min \(2.0\) is greater than max \(1.0\)"):
        ag.clamp(ag.tensor([1.0]), 2.0, 1.0)


# -- maximum / minimum / where --------------------------------------------------------
@pytest.mark.parametrize("name", ["maximum", "minimum"])
@given(pair=broadcast_pair())
def test_maximum_minimum_broadcast(name, pair):
    assume(np.abs(np.subtract(*pair)).min() > 0.05)  # away from ties: no derivative there
    check_op(getattr(ag, name), pair, lambda a, b: getattr(torch, name)(a, b))


@requires_torch
@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_split_the_gradient_evenly_at_ties_like_pytorch(name):
    first = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 4.0]])
    second = np.array([1.0, 0.0, 3.0])  # ties at (., 0) and (., 2) in the first row
    compare_with_torch(getattr(ag, name), lambda a, b: getattr(torch, name)(a, b), [first, second], [True, True])
    a = ag.tensor(first, requires_grad=True)
    b = ag.tensor(second, requires_grad=True)
    getattr(ag, name)(a, b).sum().backward()
    assert a.grad.array[0, 0] == 0.5 and a.grad.array[0, 2] == 0.5
    assert b.grad.array[0] == 0.5 + (1.0 if name == "maximum" else 0.0)  # row 1: 0.5 vs 1.0


@st.composite
def where_inputs(draw: Any) -> tuple:
    shapes_ = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    condition_shape, first, second = shapes_.input_shapes
    condition = draw(hnp.arrays(np.bool_, condition_shape))
    return condition, draw(float_arrays(first)), draw(float_arrays(second))


@given(inputs=where_inputs())
def test_where_broadcasts_condition_and_both_branches(inputs):
    check_op(ag.where, inputs, lambda c, a, b: torch.where(c, a, b))


@settings(max_examples=8)
@given(inputs=where_inputs())
def test_where_with_a_number_branch(inputs):
    condition, first, _ = inputs
    check_op(lambda c, a: ag.where(c, a, 0.25), (condition, first), lambda c, a: torch.where(c, a, 0.25))
    check_op(lambda c, a: ag.where(c, -1.0, a), (condition, first), lambda c, a: torch.where(c, -1.0, a))


def test_where_mismatch_names_all_three_shapes():
    with pytest.raises(ag.ShapeError, match=r"where: shapes \(2, 3\) and \(4,\) and \(\) cannot be broadcast together"):
        ag.where(np.ones((2, 3), dtype=bool), ag.ones(4, requires_grad=True), 0.0)


def test_where_needs_a_bool_condition():
    with pytest.raises(TypeError, match="where: condition must be a bool tensor, got float32"):
        ag.where(ag.tensor([1.0]), ag.tensor([1.0]), 0.0)


# -- comparisons ----------------------------------------------------------------------
COMPARISONS = {
    "<": (lambda a, b: a < b, np.less),
    "<=": (lambda a, b: a <= b, np.less_equal),
    ">": (lambda a, b: a > b, np.greater),
    ">=": (lambda a, b: a >= b, np.greater_equal),
    "==": (lambda a, b: a == b, np.equal),
    "!=": (lambda a, b: a != b, np.not_equal),
}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
@settings(max_examples=10)
@given(pair=broadcast_pair())
def test_comparisons_return_bool_tensors_without_grad(name, pair):
    op, reference = COMPARISONS[name]
    first = ag.from_numpy(np.asarray(np.round(pair[0], 1))).requires_grad_()
    second = ag.from_numpy(np.asarray(np.round(pair[1], 1))).requires_grad_()  # rounding makes some ties
    for other, other_data in ((second, second.array), (0.5, 0.5)):
        out = op(first, other)
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.array, reference(first.array, other_data))


def test_comparison_of_mismatched_shapes_names_both():
    with pytest.raises(ValueError, match=r"lt: shapes \(2, 3\) and \(4,\) cannot be broadcast"):
        ag.zeros(2, 3) < ag.zeros(4)


# -- error paths ----------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(BINARY) + ["div", "pow", "maximum"])
def test_broadcast_mismatch_names_the_op_and_both_shapes(name):
    op = {**BINARY, "div": lambda a, b: a / b, "pow": lambda a, b: a**b, "maximum": ag.maximum}[name]
    with pytest.raises(ag.ShapeError, match=rf"{name}: shapes \(2, 3\) and \(4,\) cannot be broadcast together"):
        op(ag.ones(2, 3, requires_grad=True), ag.ones(4))


def test_relu_backward_routes_an_infinite_gradient_without_nan():
    # the gradient is *selected*, not multiplied by a 0/1 mask: inf * 0 would give NaN (PyTorch gives 0)
    x = ag.tensor([0.0, 1.0, -2.0], requires_grad=True)
    x.relu().backward(ag.tensor([np.inf, 1.0, np.inf]))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])


def test_relu_backward_zeroes_nan_and_inf_only_where_the_input_was_not_positive():
    x = ag.tensor([-1.0, 0.0, 2.0, 3.0], requires_grad=True)
    x.relu().backward(ag.tensor([np.nan, np.inf, np.inf, 1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, np.inf, 1.0])


@given(
    st.sampled_from([np.float32, np.float64]),
    st.sampled_from(
        [((70, 80), (70, 80), (70, 80)), ((70, 80), (80,), ()), ((1, 80), (70, 80), (70, 1)), ((70, 80), (), ())]
    ),
    st.integers(0, 2**16),
)
@settings(max_examples=20, deadline=None)
def test_select_is_np_where_bit_for_bit(dtype, shapes, seed):
    # the branch-free select used by Where and the activations, above its size threshold
    from autograd_core.ops.elementwise import _select

    rng = np.random.default_rng(seed)
    condition_shape, a_shape, b_shape = shapes
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 1e-45], dtype)

    def draw(shape):
        values = rng.standard_normal(shape).astype(dtype)
        if values.ndim:
            values.flat[rng.integers(0, values.size, 50)] = rng.choice(specials, 50)
        return values if values.ndim else dtype(values)

    condition = rng.random(condition_shape) > 0.5
    a, b = draw(a_shape), draw(b_shape)
    expected = np.where(condition, a, b)
    got = _select(condition, a, b)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(got.view(f"u{got.itemsize}"), expected.view(f"u{expected.itemsize}"))


def test_where_with_python_numbers_keeps_the_tensor_dtype():
    x = ag.randn(100, 100)
    assert ag.where(x > 0, x, 0.0).dtype == ag.float32
    assert ag.where(x > 0, 1.0, x).dtype == ag.float32


# -- NaN inputs: the gradient PyTorch gives (issue 14) ------------------------------------
@requires_torch
@pytest.mark.parametrize(
    "name", ["relu", "abs", "elu", "elu(alpha=0.5)", "leaky_relu(0.2)", "sigmoid", "tanh", "clamp(min, max)"]
)
def test_gradient_at_a_nan_input_matches_pytorch(name):
    ours, theirs, _ = UNARY[name]
    compare_with_torch(ours, theirs, [np.array([1.5, np.nan, -2.0, 0.0])], [True])


@requires_torch
def test_sign_is_differentiable_with_zero_gradient_as_in_pytorch():
    values = np.array([1.5, np.nan, -2.0, 0.0])
    compare_with_torch(ag.sign, torch.sign, [values], [True])
    x = ag.tensor(values, requires_grad=True)
    assert x.sign().grad_fn is not None and ag.sign(x).tolist()[1] == 0.0  # NaN has sign 0


@requires_torch
def test_where_as_a_method_and_pow_with_a_tensor_exponent_as_functions():
    condition, values, other = np.array([True, False, True]), np.array([1.0, 2.0, 3.0]), np.array([0.5, 1.5, 2.5])
    compare_with_torch(lambda x, y: x.where(ag.tensor(condition), y), lambda x, y: x.where(torch.tensor(condition), y),
                       [values, other], [True, True])
    compare_with_torch(lambda x, y: ag.pow(x, y), lambda x, y: torch.pow(x, y), [values, other], [True, True])
    compare_with_torch(lambda y: ag.pow(2.0, y), lambda y: torch.pow(2.0, y), [other], [True])
