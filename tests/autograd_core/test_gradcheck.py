"""``gradcheck`` / ``gradgradcheck`` (``gradcheck.py``): they pass on correct functions,
fail on wrong ones with a report naming the worst element, and refuse float32."""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import float_arrays, shapes


def leaf(array: Any, requires_grad: bool = True) -> ag.Tensor:
    return ag.tensor(np.asarray(array, dtype=np.float64), requires_grad=requires_grad)


class SquareWithABump(ag.Function):
    """``a ** 2`` whose backward is wrong by ``bump`` at one element only."""

    @staticmethod
    def forward(ctx: ag.Function, a: ag.Tensor, index: tuple, bump: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.index, ctx.bump = index, bump
        return a.array**2

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> tuple:
        (a,) = ctx.saved_tensors
        error = np.zeros(a.shape)
        error[ctx.index] = ctx.bump
        return grad_output * (a * 2.0 + error), None, None  # correct: 2a


class CubeWithAConstantBackward(ag.Function):
    """``a ** 3`` whose backward is right but built from ``a.array``: a constant to the
    graph, so its own derivative (the second derivative) comes out wrong."""

    @staticmethod
    def forward(ctx: ag.Function, a: ag.Tensor) -> np.ndarray:
        ctx.save_for_backward(a)
        return a.array**3

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> ag.Tensor:
        (a,) = ctx.saved_tensors
        return grad_output * ag.tensor(3.0 * a.array**2)


# -- correct functions pass -------------------------------------------------------------
@settings(max_examples=10)
@given(arrays=shapes(max_dims=2, max_side=3).flatmap(lambda shape: st.tuples(float_arrays(shape), float_arrays(shape))))
def test_correct_functions_pass_both_checks(arrays):
    first, second = arrays
    x, y = leaf(first), leaf(second)
    constant = leaf(np.full(first.shape, 0.5), requires_grad=False)
    function = lambda a, b, c: (a * b + c).tanh() * a.exp()  # noqa: E731
    assert ag.gradcheck(function, (x, y, constant))
    assert ag.gradgradcheck(function, (x, y, constant))
    np.testing.assert_array_equal(x.array, first)  # the perturbed inputs are restored
    assert x.grad is None and y.grad is None  # and their .grad left alone


def test_several_outputs_and_matmul_pass():
    rng = np.random.default_rng(0)
    a, b = leaf(rng.standard_normal((2, 3))), leaf(rng.standard_normal((3, 2)))
    assert ag.gradcheck(lambda p, q: (p @ q, (p * p).sum()), (a, b))
    assert ag.gradgradcheck(lambda p, q: (p @ q).sin(), (a, b))
    assert ag.gradcheck(lambda p: p.softmax(dim=1), leaf(rng.standard_normal((2, 3))))  # one tensor, not a tuple


# -- wrong functions fail with a report ---------------------------------------------------
@settings(max_examples=10)
@given(array=shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays), data=st.data())
def test_a_wrong_backward_fails_and_names_the_worst_element(array, data):
    index = tuple(data.draw(st.integers(0, size - 1)) for size in array.shape)
    x = leaf(array)
    where = ", ".join(map(str, index))
    expected = (
        rf"gradcheck: gradients disagree\. Worst element: d output 0\[{where}\] / d input 0\[{where}\]: "
        r"analytical (\S+), numerical (\S+) \(difference 0\.5; atol=1e-05, rtol=0\.001\)\.$"
    )
    with pytest.raises(ag.GradcheckError, match=expected) as error:
        ag.gradcheck(lambda a: SquareWithABump.apply(a, index, 0.5), (x,))
    analytical, numerical = map(float, re.search(expected, str(error.value)).groups())
    assert analytical == pytest.approx(2 * array[index] + 0.5, rel=1e-7)
    assert numerical == pytest.approx(2 * array[index], rel=1e-6, abs=1e-7)
    assert not ag.gradcheck(lambda a: SquareWithABump.apply(a, index, 0.5), (x,), raise_exception=False)
    assert ag.gradcheck(lambda a: SquareWithABump.apply(a, index, 0.0), (x,))


def test_the_report_names_the_input_that_is_wrong():
    x, y = leaf([1.0, 2.0]), leaf([[3.0, 4.0], [5.0, 6.0]])
    with pytest.raises(ag.GradcheckError,
                       match=r"d output 0\[1, 0\] / d input 1\[1, 0\]: analytical 11\.3, numerical 10"):
        ag.gradcheck(lambda a, b: a.sum() + SquareWithABump.apply(b, (1, 0), 1.3), (x, y))


def test_tolerances_decide_how_small_an_error_passes():
    """|analytical - numerical| <= atol + rtol * |numerical|: 1e-4 against 2 passes by rtol."""
    x = leaf([1.0, 2.0])
    assert ag.gradcheck(lambda a: SquareWithABump.apply(a, (0,), 1e-4), (x,))
    with pytest.raises(ag.GradcheckError, match=r"difference 0\.0001; atol=1e-05, rtol=0\.0\)"):
        ag.gradcheck(lambda a: SquareWithABump.apply(a, (0,), 1e-4), (x,), rtol=0.0)


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = leaf([0.5, -1.5, 2.0])
    assert ag.gradcheck(CubeWithAConstantBackward.apply, (x,))  # first derivatives are fine
    with pytest.raises(ag.GradcheckError,
                       match=r"Worst element: d output 0\[2\] / d input 0\[2\]: analytical 0, numerical"):
        ag.gradgradcheck(CubeWithAConstantBackward.apply, (x,))
    assert ag.gradgradcheck(lambda a: a * a * a, (x,))


# -- bad inputs -------------------------------------------------------------------------
@pytest.mark.parametrize("check", [ag.gradcheck, ag.gradgradcheck])
def test_float32_inputs_are_refused(check):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ag.DtypeError,
                       match=r"gradcheck: input 1 is float32; central differences need float64.*\.double\(\)"):
        check(lambda a, b: a * b, (leaf([1.0, 2.0]), x))


def test_nothing_to_check_is_an_error():
    with pytest.raises(ag.GradcheckError, match="no input requires grad"):
        ag.gradcheck(lambda a: a * 2, (leaf([1.0], requires_grad=False),))
