"""``autograd_core.autograd`` and ``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp)
against ``torch.autograd.functional``: values, tuple structure, create_graph and strict."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from autograd_core.autograd import functional as AF
from tests.helpers import float_arrays, requires_torch, shapes, torch

if torch is not None:
    import torch.autograd.functional as TF


def _ours(array):
    return ag.from_numpy(np.array(array, dtype=np.float64))


def _theirs(array):
    return torch.tensor(np.array(array, dtype=np.float64))


# functions written once, for both libraries (m is the module: autograd_core or torch)
FUNCTIONS = {
    "square": (lambda m: lambda x: x ** 2, [[1.0, -2.0, 0.5]]),
    "matrix": (lambda m: lambda x: (x.exp() * x.sin()).sum(-1), [[[0.1, 0.2], [0.3, -0.4], [1.0, 2.0]]]),
    "two in": (lambda m: lambda x, y: x * y.sum() + y[0] * x.exp(), [[1.0, 2.0], [0.5, -1.0, 3.0]]),
    "two out": (lambda m: lambda x: (x.tanh(), (x * x).sum()), [[0.3, -0.7, 1.1]]),
    "two in two out": (lambda m: lambda x, y: (x @ y, (x.sum(0) * y.sum(1)).exp()),
                       [[[1.0, 0.5], [-0.5, 2.0]], [[0.1, 0.2], [0.3, 0.4]]]),
    "0-d": (lambda m: lambda x: x.sigmoid() * 3, [0.25]),
}
SCALAR_FUNCTIONS = {
    "cubic": (lambda m: lambda x: (x ** 3).sum() + (x[0] * x[1]), [[1.0, -2.0, 0.5]]),
    "two in": (lambda m: lambda x, y: (x.exp() * y.sum()).sum() + (y ** 2).sum() * x[0],
               [[0.1, 0.2], [1.0, -1.0, 0.5]]),
    "matrix": (lambda m: lambda x: (x @ x).tanh().sum(), [[[0.1, 0.2], [0.3, 0.4]]]),
}


def _call(module, name, table, op, extra=None, **kwargs):
    make, arrays = table[name]
    wrap = _ours if module is AF else _theirs
    inputs = tuple(wrap(a) for a in arrays)
    inputs = inputs[0] if len(inputs) == 1 else inputs
    args = (make(module), inputs) + (() if extra is None else (extra(wrap, inputs),))
    return getattr(module, op)(*args, **kwargs)


def _assert_same(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _assert_same(a, b)
        return
    assert isinstance(ours, ag.Tensor) and ours.shape == tuple(theirs.shape)
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-10, atol=1e-12)


def _v_for(shapes_from):
    """v of the shapes ``shapes_from`` gives (the outputs for vjp, the inputs for jvp/hvp)."""
    def make(wrap, inputs):
        shapes = shapes_from(wrap, inputs)
        vs = tuple(wrap(np.linspace(-1.0, 1.0, int(np.prod(shape)) or 1)[: int(np.prod(shape))].reshape(shape))
                   for shape in shapes)
        return vs[0] if len(vs) == 1 else vs
    return make


def _input_shapes(wrap, inputs):
    return [tuple(x.shape) for x in (inputs if isinstance(inputs, tuple) else (inputs,))]


@requires_torch
@pytest.mark.parametrize("name", FUNCTIONS)
@pytest.mark.parametrize("create_graph", [False, True])
def test_jacobian_matches_torch(name, create_graph):
    _assert_same(_call(AF, name, FUNCTIONS, "jacobian", create_graph=create_graph, vectorize=False),
                 _call(TF, name, FUNCTIONS, "jacobian", create_graph=create_graph))


@requires_torch
@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_hessian_matches_torch(name):
    _assert_same(_call(AF, name, SCALAR_FUNCTIONS, "hessian"), _call(TF, name, SCALAR_FUNCTIONS, "hessian"))


@requires_torch
@pytest.mark.parametrize("name", FUNCTIONS)
def test_vjp_matches_torch(name):
    make, arrays = FUNCTIONS[name]

    def output_shapes(wrap, inputs):
        out = make(ag if wrap is _ours else torch)(*(inputs if isinstance(inputs, tuple) else (inputs,)))
        return [tuple(o.shape) for o in (out if isinstance(out, tuple) else (out,))]

    _assert_same(_call(AF, name, FUNCTIONS, "vjp", _v_for(output_shapes)),
                 _call(TF, name, FUNCTIONS, "vjp", _v_for(output_shapes)))


@requires_torch
@pytest.mark.parametrize("name", FUNCTIONS)
def test_jvp_matches_torch(name):
    _assert_same(_call(AF, name, FUNCTIONS, "jvp", _v_for(_input_shapes)),
                 _call(TF, name, FUNCTIONS, "jvp", _v_for(_input_shapes)))


@requires_torch
@pytest.mark.parametrize("op", ["hvp", "vhp"])
@pytest.mark.parametrize("name", SCALAR_FUNCTIONS)
def test_hvp_and_vhp_match_torch(op, name):
    _assert_same(_call(AF, name, SCALAR_FUNCTIONS, op, _v_for(_input_shapes)),
                 _call(TF, name, SCALAR_FUNCTIONS, op, _v_for(_input_shapes)))


@requires_torch
def test_v_may_be_left_out_for_one_element_outputs_and_inputs():
    ours = AF.vjp(lambda x: (x ** 2).sum(), _ours([1.0, 2.0]))
    theirs = TF.vjp(lambda x: (x ** 2).sum(), _theirs([1.0, 2.0]))
    _assert_same(ours, theirs)
    ours = AF.jvp(lambda x: x * _ours([1.0, 2.0]), _ours(3.0))
    _assert_same(ours, TF.jvp(lambda x: x * _theirs([1.0, 2.0]), _theirs(3.0)))
    with pytest.raises(RuntimeError, match="v can be left out only when the function's output is a single one-element"):
        AF.vjp(lambda x: x * 2, _ours([1.0, 2.0]))


@settings(max_examples=10)
@given(data=st.data())
def test_jacobian_is_what_backward_gives_row_by_row(data):
    array = data.draw(float_arrays(shape=data.draw(shapes(min_dims=0, max_dims=2, max_side=3))))
    x = ag.from_numpy(array)
    jacobian = AF.jacobian(lambda t: t.tanh() * t.sum(), x)
    assert jacobian.shape == x.shape * 2
    for index in np.ndindex(*x.shape):
        leaf = x.detach().requires_grad_()
        (leaf.tanh() * leaf.sum())[index].backward()
        np.testing.assert_allclose(jacobian.array[index], leaf.grad.array, rtol=1e-12, atol=1e-14)


def test_create_graph_gives_differentiable_results():
    x = ag.tensor([0.5, -1.0], dtype=ag.float64, requires_grad=True)
    jacobian = AF.jacobian(lambda t: t ** 3, x, create_graph=True)
    assert jacobian.requires_grad
    jacobian.sum().backward()  # d/dx sum(diag(3x^2)) = 6x
    np.testing.assert_allclose(x.grad.array, 6 * x.array)
    _, vjp = AF.vjp(lambda t: (t ** 2).sum(), x)
    assert not vjp.requires_grad and x.grad is not None  # without create_graph: detached, .grad untouched
    np.testing.assert_allclose(x.grad.array, 6 * x.array)


def test_strict_refuses_outputs_that_do_not_depend_on_an_input():
    x, y = ag.ones(2, dtype=ag.float64), ag.ones(3, dtype=ag.float64)
    jacobian = AF.jacobian(lambda a, b: a * 2, (x, y))
    assert jacobian[1].shape == (2, 3) and not jacobian[1].array.any()  # zeros without strict, as torch
    with pytest.raises(RuntimeError, match="output 0 of the function does not depend on input 1.*strict mode"):
        AF.jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="does not depend on input 1; this is not allowed in strict mode"):
        AF.vjp(lambda a, b: (a * 2).sum(), (x, y), strict=True)
    with pytest.raises(RuntimeError, match="strict mode"):
        AF.hessian(lambda a: a.sum(), x, strict=True)  # a linear function: its gradient does not depend on a
    assert not AF.hessian(lambda a: a.sum(), x).array.any()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: AF.jacobian(lambda x: x, [1.0]), TypeError, r"jacobian: inputs\[0\] must be a Tensor .*got float"),
        (lambda: AF.jacobian(lambda x: 3.0, ag.ones(2)), TypeError, "must return a Tensor or a tuple of Tensors"),
        (lambda: AF.hessian(lambda x: x, ag.ones(2)), RuntimeError, r"single one-element Tensor, got shapes"),
        (lambda: AF.vjp(lambda x: x, ag.ones(2), ag.ones(3)), RuntimeError, r"v\[0\] has shape \(3,\) but the output"),
        (lambda: AF.jvp(lambda x: x, ag.ones(2), (ag.ones(2),) * 2), RuntimeError, "v has 2 tensors but the input"),
        (lambda: AF.jacobian(lambda x: x, ag.ones(2), strategy="sideways"), ValueError, "strategy must be"),
    ],
)
def test_errors_name_the_function_and_the_fix(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_autograd_namespace_holds_what_pytorch_code_imports():
    from autograd_core.autograd import Function, Variable, backward, grad, gradcheck, gradgradcheck, no_grad

    assert Function is ag.Function and grad is ag.grad and backward is ag.backward and no_grad is ag.no_grad
    assert gradcheck is ag.gradcheck and gradgradcheck is ag.gradgradcheck and ag.autograd.functional is AF
    x = ag.ones(2)
    assert Variable(x) is x and Variable(x, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="Variable: data must be a Tensor"):
        Variable([1.0])
