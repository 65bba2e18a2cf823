"""In-place ops (``inplace.py``): version counters, stale saved values, leaves and views,
and correct gradients through in-place writes on non-leaves, against PyTorch."""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_core as ag
from tests.helpers import check_op, compare_with_torch, float_arrays, requires_torch, shapes, torch

IN_PLACE: dict[str, Callable[[Any], Any]] = {
    "add_": lambda t: t.add_(2.0),
    "sub_": lambda t: t.sub_(2.0),
    "mul_": lambda t: t.mul_(3.0),
    "div_": lambda t: t.div_(4.0),
    "zero_": lambda t: t.zero_(),
    "fill_": lambda t: t.fill_(7.0),
    "copy_": lambda t: t.copy_(t * 0 + 5.0),
    "__setitem__": lambda t: t.__setitem__(1, -1.0),
    "add_ alpha": lambda t: t.add_(t * 0 + 2.0, alpha=-0.5),
    "sub_ alpha": lambda t: t.sub_(t * 0 + 2.0, alpha=3),
    "pow_": lambda t: t.pow_(2),
    "+= (add_)": lambda t: t.__iadd__(2.0),
    "-= (sub_)": lambda t: t.__isub__(2.0),
    "*= (mul_)": lambda t: t.__imul__(3.0),
    "/= (div_)": lambda t: t.__itruediv__(4.0),
    "**= (pow_)": lambda t: t.__ipow__(2.0),
}


@pytest.mark.parametrize("name", IN_PLACE)
def test_each_in_place_op_writes_in_place_and_bumps_the_version_once(name):
    values = np.array([1.0, 2.0, 3.0])
    x = ag.tensor(values)
    memory = x.array
    returned = IN_PLACE[name](x)
    assert x._version.value == 1 and x.array is memory
    if name != "__setitem__":
        assert returned is x
    if torch is not None:
        reference = torch.tensor(values)
        IN_PLACE[name](reference)
        np.testing.assert_allclose(x.array, reference.numpy())
        assert x._version.value == reference._version


@pytest.mark.parametrize(
    "modify, node, what",
    [
        (lambda y: y.mul_(2), "MulBackward", "input 0"),
        (lambda y: y.zero_(), "MulBackward", "input 0"),
        (lambda y: y.__setitem__(0, 1.0), "MulBackward", "input 0"),
    ],
)
def test_backward_through_a_saved_value_modified_later_names_op_and_versions(modify, node, what):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = y * x  # saves y at version 0
    modify(y)
    modify(y)
    with pytest.raises(
        ag.GraphError,
        match=rf"{node}: a tensor needed for its gradient \({what}\) was modified by an in-place operation: it was"
        rf" saved at version 0 and is now at version 2",
    ):
        z.sum().backward()


def test_an_op_that_saved_its_output_sees_the_output_modified():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1.0)
    with pytest.raises(
        ag.GraphError, match=r"ExpBackward: .*\(its output\).*saved at version 0 and is now at version 1"
    ):
        y.sum().backward()
    if torch is not None:
        x_ref = torch.tensor([1.0, 2.0], requires_grad=True)
        y_ref = x_ref.exp()
        y_ref.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y_ref.sum().backward()


@pytest.mark.parametrize("name", IN_PLACE)
def test_in_place_on_a_leaf_that_requires_grad_raises_but_is_allowed_under_no_grad(name):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(
        ag.GraphError,
        match=re.escape(name.split(" alpha")[0]) + r": a leaf tensor that requires grad \(shape \(3,\)\) cannot be"
        r" modified in place.*no_grad",
    ):
        IN_PLACE[name](x)
    assert x._version.value == 0 and x.array.tolist() == [1.0, 2.0, 3.0]
    with ag.no_grad():  # what an optimiser step does
        IN_PLACE[name](x)
    assert x._version.value == 1 and x.is_leaf and x.requires_grad and x.grad_fn is None


@requires_torch
def test_the_issue_example_matches_pytorch():
    def program(lib: Any) -> tuple:
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = lib.tensor([0.5, -1.0, 2.0], requires_grad=True)
        y = x * 2
        y[0] = 5 * x[1]
        y.add_(w)
        y.sum().backward()
        return x.grad.tolist(), w.grad.tolist(), y.tolist()

    assert program(ag) == program(torch)


@st.composite
def in_place_case(draw: Any) -> tuple:
    """An array, a second array broadcasting to it, and two row indices."""
    array = draw(shapes(min_dims=1, max_dims=3, max_side=3).flatmap(float_arrays))
    trailing = array.shape[draw(st.integers(0, array.ndim)) :]
    other = draw(float_arrays(trailing, low=0.5, high=2.0))
    rows = st.integers(0, array.shape[0] - 1)
    return array, other, draw(rows), draw(rows)


@settings(max_examples=12)
@given(case=in_place_case())
def test_chains_of_in_place_ops_on_non_leaves_have_correct_gradients(case):
    """gradcheck, gradgradcheck and PyTorch parity through every recordable in-place op,
    including ``mul_``/``div_`` by a tensor that requires grad (they need the old value)."""
    array, other, row, source_row = case

    def program(x: Any, w: Any) -> Any:
        y = x * 2
        y[row] = 5 * x[source_row]
        y.add_(w)
        y.mul_(w)
        y.sub_(x)
        y.div_(w * w + 1)
        z = y * 0
        z.copy_(y.tanh())
        return z

    check_op(program, [array, other], program)


def test_writing_a_tensor_that_requires_grad_into_a_plain_tensor_records_it():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    buffer = ag.zeros(3)
    buffer[1:] = x * 3
    buffer.mul_(2)
    assert buffer.requires_grad and not buffer.is_leaf
    buffer.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [6.0, 6.0])


# -- views ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "make_view",
    [lambda t: t[1:], lambda t: t.reshape(2, 2), lambda t: t.reshape(2, 2).T, lambda t: t.detach(), lambda t: t[None]],
)
def test_views_share_the_version_counter_both_ways(make_view):
    base = ag.tensor([1.0, 2.0, 3.0, 4.0])
    view = make_view(base)
    assert np.shares_memory(view.array, base.array)
    view.mul_(2.0)
    assert base._version.value == view._version.value == 1
    base.add_(1.0)
    assert view._version.value == 2
    np.testing.assert_array_equal(base.array, [3.0, 5.0, 7.0, 9.0] if view.numel() == 4 else [2.0, 5.0, 7.0, 9.0])


def test_a_saved_view_is_stale_after_its_base_is_modified():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = x * 1
    view = base[:2]
    product = view * view  # saves the view
    base.add_(1.0)
    with pytest.raises(ag.GraphError, match="MulBackward.*saved at version 0 and is now at version 1"):
        product.sum().backward()


@pytest.mark.parametrize("base_is_leaf", [True, False])
def test_in_place_on_a_view_of_a_tensor_that_requires_grad_is_refused(base_is_leaf):
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = x if base_is_leaf else x * 1
    with pytest.raises(ag.GraphError, match=r"mul_: in-place writes into a view .*shape \(2,\).*clone\(\)"):
        base[:2].mul_(2.0)
    with pytest.raises(ag.GraphError, match=r"__setitem__: in-place writes into a view"):
        base.reshape(3, 1)[0] = 1.0
    with ag.no_grad():  # nothing recorded: allowed
        base[:2].mul_(2.0)
    assert base.array.tolist() == [2.0, 4.0, 3.0]


def test_a_view_taken_before_its_base_was_modified_in_place_is_refused_not_miscomputed():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = ag.tensor([2.0, 3.0, 4.0], requires_grad=True)
    base = x * 1
    view = base[:2]
    base.mul_(w)  # the view now holds x * w, but its grad_fn still says x * 1
    with pytest.raises(
        ag.GraphError,
        match=r"sum: an input \(shape \(2,\)\) is a view of a tensor \(shape \(3,\)\) that was modified in"
        r" place",
    ):
        view.sum()
    base[:2].sum().backward()  # taking the view again after the in-place op is right
    np.testing.assert_array_equal(x.grad.array, [2.0, 3.0, 0.0])
    np.testing.assert_array_equal(w.grad.array, [1.0, 2.0, 0.0])


def test_views_of_a_leaf_updated_under_no_grad_stay_usable():
    weight = ag.ones(2, 3, requires_grad=True)
    transposed = weight.T
    with ag.no_grad():
        weight.sub_(0.5)
    (transposed * 2).sum().backward()
    np.testing.assert_array_equal(weight.grad.array, np.full((2, 3), 2.0))


# -- bad in-place calls -------------------------------------------------------------------
@pytest.mark.parametrize(
    "call, error, message",
    [
        (
            lambda: ag.zeros(3).add_(ag.ones(2, 3)),
            ag.ShapeError,
            r"add_: the result has shape \(2, 3\) but the tensor being modified has shape \(3,\)",
        ),
        (
            lambda: ag.tensor([1, 2]).mul_(0.5),
            ag.DtypeError,
            r"mul_: the result is float32 and cannot be stored in this int64 tensor",
        ),
        (
            lambda: ag.zeros(3).expand(2, 3).fill_(1.0),
            ag.GraphError,
            r"fill_: this tensor \(shape \(2, 3\)\) is a read-only broadcast view.*clone\(\)",
        ),
        (
            lambda: ag.zeros(3).__setitem__(slice(0, 2), ag.ones(3)),
            ag.ShapeError,
            r"__setitem__: cannot assign a value of shape \(3,\) to index slice\(0, 2, None\) of a tensor of"
            r" shape \(3,\)",
        ),
        (lambda: ag.zeros(3).add_(ag.ones(4)), ag.ShapeError, r"add: shapes \(3,\) and \(4,\) cannot be broadcast"),
    ],
)
def test_bad_in_place_calls_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_a_failed_in_place_op_leaves_the_tensor_untouched():
    y = ag.tensor([1.0, 2.0, 3.0], requires_grad=True) * 1
    node = y.grad_fn
    with pytest.raises(ag.ShapeError):
        y.add_(ag.ones(2, 3))
    assert y._version.value == 0 and y.grad_fn is node and y.array.tolist() == [1.0, 2.0, 3.0]


# -- the operators and .data idioms of PyTorch tutorials ---------------------------------
def _fit_a_line(update: Callable[[Any, float], None]) -> list[float]:
    """Fit y = 2x + 1 by gradient descent, updating each parameter with ``update``."""
    ag.manual_seed(0)
    x = ag.linspace(-1, 1, 20) if hasattr(ag, "linspace") else ag.tensor(np.linspace(-1, 1, 20, dtype=np.float32))
    y = 2 * x + 1
    w, b = ag.zeros(1, requires_grad=True), ag.zeros(1, requires_grad=True)
    losses = []
    for _ in range(30):
        loss = ((w * x + b - y) ** 2).mean()
        loss.backward()
        losses.append(loss.item())
        for parameter in (w, b):
            update(parameter, 0.1)
    return losses


def _minus_equals(p: Any, lr: float) -> None:
    with ag.no_grad():
        p -= lr * p.grad
    p.grad = None


def _data_plus_equals(p: Any, lr: float) -> None:
    p.data += -lr * p.grad
    p.grad.zero_()


def _data_add_alpha(p: Any, lr: float) -> None:
    p.data.add_(p.grad, alpha=-lr)
    p.grad = None


def _data_assign(p: Any, lr: float) -> None:
    p.data = p.data - lr * p.grad
    p.grad = None


@pytest.mark.parametrize("update", [_minus_equals, _data_plus_equals, _data_add_alpha, _data_assign])
def test_tutorial_update_idioms_train(update):
    losses = _fit_a_line(update)
    assert losses[-1] < 0.05 * losses[0]  # rebinding the name instead would leave the loss flat
    np.testing.assert_allclose(losses, _fit_a_line(_minus_equals), rtol=1e-6)


def test_minus_equals_over_model_parameters_updates_them_in_place():
    import nn

    model = nn.Linear(3, 2)
    before = [p.array.copy() for p in model.parameters()]
    versions = [p._version.value for p in model.parameters()]
    model(ag.ones(4, 3)).sum().backward()
    with ag.no_grad():
        for p in model.parameters():
            p -= 0.5 * p.grad
    for p, old, version in zip(model.parameters(), before, versions):
        np.testing.assert_allclose(p.array, old - 0.5 * p.grad.array)
        assert p._version.value == version + 1


def test_augmented_assignment_keeps_identity_and_records_on_non_leaves():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    same = y
    y += x  # out of place would rebind; in place keeps the object and records AddBackward
    y *= 3
    assert y is same and y.grad_fn.name() == "MulBackward"
    y.sum().backward()
    np.testing.assert_allclose(x.grad.array, [6.0, 6.0])


@pytest.mark.parametrize("operator", ["__iadd__", "__isub__", "__imul__", "__itruediv__"])
def test_augmented_assignment_on_a_leaf_that_requires_grad_is_refused_while_recording(operator):
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(ag.GraphError, match=r"leaf tensor that requires grad.*no_grad"):
        getattr(w, operator)(1.0)
    assert w._version.value == 0


def test_augmented_assignment_of_a_float_into_an_integer_tensor_is_a_dtype_error():
    counts = ag.tensor([1, 2])
    with pytest.raises(ag.DtypeError, match=r"cannot be stored in this int64 tensor"):
        counts += 0.5
    counts += 1
    assert counts.tolist() == [2, 3]


def test_data_is_a_detached_tensor_sharing_memory():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    data = w.data
    assert isinstance(data, ag.Tensor) and not data.requires_grad and data.grad_fn is None
    assert np.shares_memory(data.array, w.array) and data._version is not w._version
    data.zero_()
    assert w.tolist() == [0.0, 0.0] and w._version.value == 0  # autograd does not see it, as in PyTorch
    w.data.copy_(ag.tensor([3.0, 4.0]))
    assert w.tolist() == [3.0, 4.0]
    assert w.data.numpy().tolist() == [3.0, 4.0]
    w.data = ag.zeros(3)  # assignment may change the shape, as in PyTorch
    assert w.shape == (3,) and w.requires_grad


def test_assigning_data_is_checked():
    w = ag.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match=r"assigning .data: expected a Tensor, got ndarray"):
        w.data = np.zeros(2)
    with pytest.raises(ag.DtypeError, match=r"requires grad, so its data must be floating point"):
        w.data = ag.tensor([1, 2])


@requires_torch
def test_data_idioms_match_pytorch():
    values = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    ours, theirs = ag.tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    for p in (ours, theirs):
        (p * p).sum().backward()
        p.data += -0.1 * p.grad
        p.data.add_(p.grad, alpha=-0.1)
        p.data.mul_(2)
    np.testing.assert_allclose(ours.array, theirs.detach().numpy(), rtol=1e-6)


@requires_torch
def test_data_random_fills_and_queries_match_pytorch():
    # the weight-initialisation idioms of tutorials: p.data.normal_(0, 0.02), p.data.zero_(), p.data.fill_()
    ours, theirs = ag.zeros(200, 50, requires_grad=True), torch.zeros(200, 50, requires_grad=True)
    for p in (ours, theirs):
        p.data.normal_(0, 0.02)
        assert p.requires_grad and p.grad_fn is None and p.is_leaf
        assert abs(float(p.data.std()) - 0.02) < 0.001 and abs(float(p.data.mean())) < 0.001
        p.data.uniform_(-0.5, 0.5)
        assert -0.5 <= float(p.data.min()) and float(p.data.max()) < 0.5
    for p in (ours, theirs):
        p.data.zero_()
        p.data.fill_(0.25)
    np.testing.assert_array_equal(ours.array, theirs.detach().numpy())
    norm = ours.data.norm()
    assert not norm.requires_grad and norm.shape == ()
    np.testing.assert_allclose(norm.item(), theirs.data.norm().item(), rtol=1e-6)
    np.testing.assert_allclose(ours.data.norm(1).item(), theirs.data.norm(1).item(), rtol=1e-6)


# -- the in-place forms of value ops (x.exp_() ...) and of shape ops (x.unsqueeze_(0) ...) ----
VALUE_IN_PLACE = {  # name: (arguments, input values kept inside the op's domain)
    **{name: ((), [0.3, 0.6, 0.9]) for name in (
        "exp_ log_ sqrt_ abs_ neg_ sin_ cos_ tan_ asin_ acos_ atan_ sinh_ cosh_ tanh_ sigmoid_ relu_ log1p_ "
        "expm1_ log2_ log10_ rsqrt_ reciprocal_ square_ floor_ ceil_ trunc_ round_ sign_ frac_"
    ).split()},
    "clamp_": ((0.4, 0.8), [0.3, 0.6, 0.9]),
    "clip_": ((None, 0.5), [0.3, 0.6, 0.9]),
    "fmod_": ((0.25,), [0.3, 0.6, 0.9]),
    "remainder_": ((-0.25,), [0.3, 0.6, 0.9]),
    "masked_fill_": ((np.array([True, False, True]), -1.0), [0.3, 0.6, 0.9]),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(VALUE_IN_PLACE))
def test_value_in_place_methods_match_pytorch_on_leaves_and_through_graphs(name):
    arguments, values = VALUE_IN_PLACE[name]

    def converted(lib: Any) -> tuple:
        return tuple(lib.tensor(a) if isinstance(a, np.ndarray) else a for a in arguments)

    ours, theirs = ag.tensor(values), torch.tensor(values)
    memory = ours.array
    assert getattr(ours, name)(*converted(ag)) is ours and ours.array is memory and ours._version.value == 1
    getattr(theirs, name)(*converted(torch))
    np.testing.assert_allclose(ours.array, theirs.numpy(), rtol=1e-6)

    def through_graph(x: Any) -> Any:
        y = x * 1.0
        getattr(y, name)(*converted(ag if isinstance(x, ag.Tensor) else torch))
        return y * x

    compare_with_torch(through_graph, through_graph, [np.array(values)], [True])
    with pytest.raises(ag.GraphError, match=rf"{name}: a leaf tensor that requires grad"):
        getattr(ag.tensor(values, requires_grad=True), name)(*converted(ag))


SHAPE_IN_PLACE = {
    "unsqueeze_": (1,),
    "squeeze_": (),
    "t_": (),
    "transpose_": (0, 1),
    "swapaxes_": (1, 0),
}


@requires_torch
@pytest.mark.parametrize("name", sorted(SHAPE_IN_PLACE))
def test_shape_in_place_methods_change_the_shape_and_keep_the_memory(name):
    arguments = SHAPE_IN_PLACE[name]
    values = np.arange(6.0).reshape(2, 1, 3)[:, 0] if name in ("t_", "transpose_", "swapaxes_") else np.ones((2, 1, 3))
    ours, theirs = ag.tensor(values), torch.tensor(values)
    memory = ours.array
    assert getattr(ours, name)(*arguments) is ours
    getattr(theirs, name)(*arguments)
    assert ours.shape == tuple(theirs.shape) and np.shares_memory(ours.array, memory)
    assert ours._version.value == theirs._version == 1
    np.testing.assert_array_equal(ours.array, theirs.numpy())

    def through_graph(x: Any) -> Any:
        y = x * 2.0
        getattr(y, name)(*arguments)
        return y * y

    compare_with_torch(through_graph, through_graph, [values], [True])
    with pytest.raises(ag.GraphError, match=rf"{name}: a leaf tensor that requires grad"):
        getattr(ag.tensor(values, requires_grad=True), name)(*arguments)


def test_t_in_place_refuses_three_dims():
    with pytest.raises(ag.ShapeError, match="t: expects a tensor with at most 2 dims"):
        ag.zeros(2, 3, 4).t_()
