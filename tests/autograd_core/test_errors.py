"""User errors (``errors.py``) raised across the engine: each one is a specific
exception whose message names the op, the offending shapes or values, and the fix."""
from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import shapes


def test_error_types_subclass_the_builtins_users_catch():
    assert issubclass(ag.ShapeError, ValueError) and issubclass(ag.DtypeError, TypeError)
    assert issubclass(ag.DimError, IndexError) and issubclass(ag.GraphError, RuntimeError)


def shape_text(shape: tuple) -> str:
    """``(2, 3)`` as a regex."""
    return str(tuple(shape)).replace("(", r"\(").replace(")", r"\)")


@st.composite
def mismatched_shapes(draw: Any) -> tuple[tuple, tuple]:
    """Two shapes that do not broadcast: one dim differs and neither size is 1."""
    first = draw(shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    dim = draw(st.integers(0, len(first) - 1))
    other = draw(st.integers(2, 5).filter(lambda size: size != first[dim]))
    second = first[:dim] + (other,) + first[dim + 1 :]
    second = second[draw(st.integers(0, dim)) :]  # the second may have fewer leading dims
    return first, second


BINARY_OPS = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "pow": lambda a, b: a**b,
    "maximum": ag.maximum,
}


@pytest.mark.parametrize("name", BINARY_OPS)
@settings(max_examples=8)
@given(pair=mismatched_shapes())
def test_mismatched_broadcast_shapes_name_the_op_and_both_shapes(name, pair):
    first, second = pair
    a, b = ag.ones(first, requires_grad=True), ag.ones(second)
    with pytest.raises(ag.ShapeError, match=rf"{name}: shapes {shape_text(first)} and {shape_text(second)} "
                                            r"cannot be broadcast together.*Reshape or unsqueeze"):
        BINARY_OPS[name](a, b)


@settings(max_examples=10)
@given(rows=st.integers(1, 4), inner=st.integers(1, 5), other_inner=st.integers(1, 5), columns=st.integers(1, 4))
def test_matmul_mismatch_names_both_shapes_and_the_inner_dims(rows, inner, other_inner, columns):
    if inner == other_inner:
        other_inner += 1
    a, b = ag.ones(rows, inner), ag.ones(other_inner, columns)
    with pytest.raises(
        ag.ShapeError,
        match=rf"matmul: shapes {shape_text((rows, inner))} and {shape_text((other_inner, columns))} cannot be "
              rf"multiplied: the last dim of the first \({inner}\) must equal the second-to-last dim of the second "
              rf"\({other_inner}\)",
    ):
        a @ b


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda t: t.sum(dim=t.ndim), "sum"),
        (lambda t: t.mean(dim=-t.ndim - 1), "mean"),
        (lambda t: t.softmax(dim=t.ndim + 2), "softmax"),
        (lambda t: t.size(t.ndim), "size"),
        (lambda t: t.transpose(0, t.ndim), "transpose"),
        (lambda t: t.max(dim=t.ndim), "max"),
    ],
)
@settings(max_examples=5)
@given(shape=shapes(min_dims=1, max_dims=3))
def test_a_bad_dim_names_the_op_the_dim_and_the_valid_range(call, message, shape):
    x = ag.ones(shape)
    ndim = len(shape)
    with pytest.raises(ag.DimError, match=rf"{message}: dim -?\d+ is out of range for a tensor of shape "
                                          rf"{shape_text(shape)} \({ndim} dims\); "
                                          rf"use a dim in \[-{ndim}, {ndim - 1}\]"):
        call(x)


def test_backward_on_a_non_scalar_without_a_gradient():
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(ag.GraphError, match=r"backward: a gradient can be implied only for a one-element output, "
                                            r"but this one has shape \(2, 3\)\. "
                                            r"Pass gradient=.*y\.sum\(\)\.backward\(\)"):
        y.backward()
    with pytest.raises(ag.GraphError, match=r"grad: a gradient can be implied only for a one-element output.*\(2, 3\)"):
        ag.grad(y, y)


@pytest.mark.parametrize("gradient", [ag.ones(3, 2), np.ones(6), [[1.0, 1.0]]])
def test_a_gradient_of_the_wrong_shape(gradient):
    y = ag.ones(2, 3, requires_grad=True) * 2
    with pytest.raises(ag.ShapeError, match=r"backward: gradient has shape \(\d+(, \d+)?,?\) "
                                            r"but the output has shape \(2, 3\); they must match"):
        y.backward(gradient)


def test_too_many_or_too_few_gradients():
    x = ag.ones(2, requires_grad=True)
    with pytest.raises(ag.GraphError, match="backward: got 2 outputs but 1 gradients; pass one gradient"):
        ag.backward([x * 2, x * 3], [ag.ones(2)])
    with pytest.raises(ag.GraphError, match="grad: got 1 outputs but 2 gradients"):
        ag.grad([(x * 2).sum()], x, grad_outputs=[None, None])


def test_backward_on_a_tensor_outside_any_graph():
    with pytest.raises(ag.GraphError, match=r"backward: the tensor \(shape \(\)\) does not require grad "
                                            r"and has no grad_fn.*requires_grad=True"):
        ag.ones(2).sum().backward()
    x = ag.ones(2, requires_grad=True)
    with ag.no_grad():
        y = x * 2
    with pytest.raises(ag.GraphError, match="do not compute it under no_grad"):
        y.sum().backward()


def test_integer_tensors_and_requires_grad():
    with pytest.raises(ag.DtypeError, match=r"only floating point tensors can require grad, but this tensor is int64 "
                                            r"\(shape \(3,\)\); convert it with \.float\(\)"):
        ag.tensor([1, 2, 3], requires_grad=True)


@pytest.mark.parametrize("shape", [(2,), (2, 3), (0,)])
def test_item_on_a_tensor_that_is_not_one_element(shape):
    with pytest.raises(ag.ShapeError, match=r"item\(\): only one-element tensors can be converted to a Python number; "
                                            rf"this one has shape {shape_text(shape)}"):
        ag.zeros(shape).item()


class WrongCount(ag.Function):
    @staticmethod
    def forward(ctx: ag.Function, a: ag.Tensor, b: ag.Tensor) -> np.ndarray:
        return a.data + b.data

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> ag.Tensor:
        return grad_output  # one gradient for two inputs


class WrongShape(ag.Function):
    @staticmethod
    def forward(ctx: ag.Function, a: ag.Tensor) -> np.ndarray:
        return a.data * 2

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> ag.Tensor:
        return ag.ones(5)


def test_a_custom_backward_returning_the_wrong_gradients_is_named():
    x = ag.ones(3, requires_grad=True)
    with pytest.raises(ag.GraphError, match=r"WrongCountBackward: backward returned 1 gradients "
                                            r"but forward took 2 inputs; return one per input"):
        WrongCount.apply(x, x).sum().backward()
    with pytest.raises(ag.GraphError, match=r"WrongShapeBackward: backward returned a gradient of shape \(5,\) "
                                            r"for input 0 of shape \(3,\), which cannot be summed back"):
        WrongShape.apply(x).sum().backward()


def test_grad_with_respect_to_something_that_is_not_a_tensor():
    x = ag.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="grad: input 1 is of type ndarray, not a Tensor"):
        ag.grad((x * 2).sum(), [x, np.ones(2)])
    with pytest.raises(TypeError, match="backward: outputs must be Tensors, got one of type float"):
        ag.backward([(x * 2).sum(), 1.0])


@pytest.mark.parametrize("other", ["a", ag.Scalar(2.0)])
def test_an_unsupported_operand_names_the_op_and_the_types(other):
    with pytest.raises(ag.DtypeError, match=rf"mul: unsupported operands \(Tensor, {type(other).__name__}\)"):
        ag.tensor([1.0]) * other
