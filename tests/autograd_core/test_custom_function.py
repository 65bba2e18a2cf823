"""User-defined ops: ``ag.Function`` subclasses with ``ctx.save_for_backward`` /
``ctx.saved_tensors``, through gradcheck, gradgradcheck and PyTorch parity."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import autograd_core as ag
from tests.helpers import broadcast_pair, check_op, float_arrays, shapes


class Cube(ag.Function):
    """``x ** 3`` with a backward written in Tensor ops, so it can be differentiated again."""

    @staticmethod
    def forward(ctx: ag.Function, x: ag.Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return x.array**3

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output * 3.0 * x * x  # d(x^3)/dx = 3 x^2


class ScaledProduct(ag.Function):
    """``scale * a * b`` (broadcasting): gradients come back in the output's shape and the
    engine sums them to each input's shape; the number ``scale`` gets None."""

    @staticmethod
    def forward(ctx: ag.Function, a: ag.Tensor, b: ag.Tensor, scale: float) -> np.ndarray:
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return scale * a.array * b.array

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> Any:
        a, b = ctx.saved_tensors
        return grad_output * b * ctx.scale, grad_output * a * ctx.scale, None


class SinWithArrayGradient(ag.Function):
    """A backward that returns a plain ndarray (first derivatives only)."""

    @staticmethod
    def forward(ctx: ag.Function, x: ag.Tensor) -> np.ndarray:
        ctx.save_for_backward(x)
        return np.sin(x.array)

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> Any:
        (x,) = ctx.saved_tensors
        return grad_output.array * np.cos(x.array)


@settings(max_examples=10)
@given(array=shapes(max_side=3).flatmap(float_arrays))
def test_cube_passes_gradcheck_gradgradcheck_and_matches_pytorch(array):
    check_op(Cube.apply, [array], lambda x: x**3)


@settings(max_examples=10)
@given(pair=broadcast_pair())
def test_custom_op_with_broadcasting_and_a_number_argument(pair):
    check_op(lambda a, b: ScaledProduct.apply(a, b, -1.5), pair, lambda a, b: -1.5 * a * b)


@settings(max_examples=10)
@given(array=shapes(max_side=3).flatmap(float_arrays))
def test_backward_returning_an_ndarray(array):
    x = ag.from_numpy(array).requires_grad_()
    assert ag.gradcheck(SinWithArrayGradient.apply, [x])
    SinWithArrayGradient.apply(x).sum().backward()
    assert isinstance(x.grad, ag.Tensor) and x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.array, np.cos(array))


def test_custom_op_node_is_named_and_linked_like_a_builtin_one():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = Cube.apply(x * 2.0)
    assert y.grad_fn.name() == "CubeBackward" and y.requires_grad and not y.is_leaf
    assert y.grad_fn.next_functions[0][0].name() == "MulBackward"
    assert y.grad_fn.needs_input_grad == (True,)
    with ag.no_grad():
        assert not Cube.apply(x).requires_grad


def test_second_derivative_of_cube_through_create_graph():
    x = ag.tensor([0.5, -2.0], dtype=ag.float64, requires_grad=True)
    (first,) = ag.grad(Cube.apply(x).sum(), x, create_graph=True)
    (second,) = ag.grad(first.sum(), x)
    np.testing.assert_allclose(first.array, 3 * x.array**2)
    np.testing.assert_allclose(second.array, 6 * x.array)


def test_saved_tensor_modified_in_place_is_reported():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    z = Cube.apply(y)
    y.mul_(2.0)
    with pytest.raises(ag.GraphError, match=r"CubeBackward: a tensor needed for its gradient \(input 0\) "
                                            r"was modified by an in-place operation"):
        z.sum().backward()


def test_backward_returning_the_wrong_number_of_gradients_is_reported():
    class Forgetful(ag.Function):
        @staticmethod
        def forward(ctx: ag.Function, a: ag.Tensor, b: ag.Tensor) -> np.ndarray:
            return a.array + b.array

        @staticmethod
        def backward(ctx: ag.Function, grad_output: ag.Tensor) -> Any:
            return grad_output

    out = Forgetful.apply(ag.ones(2, requires_grad=True), ag.ones(2, requires_grad=True))
    with pytest.raises(ag.GraphError,
                       match="ForgetfulBackward: backward returned 1 gradients but forward took 2 inputs"):
        out.sum().backward()
