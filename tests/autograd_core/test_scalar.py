"""Scalar: every op against central differences and against the Tensor engine (the n-ary
dot and sum against PyTorch too); the graph semantics (accumulation, shared nodes,
zero_grad), a million-node chain, no reference cycles, and the error messages."""
from __future__ import annotations

import gc
import math
import struct
from typing import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_core as ag
import autograd_core.scalar as scalar_module
from autograd_core.engine import Traversal
from autograd_core.errors import GraphError, ShapeError
from autograd_core.scalar import Scalar, zero_grad
from tests.helpers import requires_torch, torch

finite = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.2, 3.0)
away_from_zero = st.one_of(st.floats(-3.0, -0.2), st.floats(0.2, 3.0))
# softplus(beta=2, threshold=1.5) turns linear where 2 x > 1.5: its derivative jumps at x = 0.75
away_from_the_softplus_kink = st.one_of(st.floats(-3.0, 0.65), st.floats(0.85, 3.0))

# name -> (Scalar version, Tensor version, strategy per input)
UNARY = {
    "exp": (lambda a: a.exp(), lambda a: a.exp(), finite),
    "log": (lambda a: a.log(), lambda a: a.log(), positive),
    "tanh": (lambda a: a.tanh(), lambda a: a.tanh(), finite),
    "sigmoid": (lambda a: a.sigmoid(), lambda a: a.sigmoid(), finite),
    "relu": (lambda a: a.relu(), lambda a: a.relu(), away_from_zero),
    "leaky_relu": (lambda a: a.leaky_relu(0.1), lambda a: ag.leaky_relu(a, 0.1), away_from_zero),
    "softplus": (lambda a: a.softplus(), lambda a: ag.softplus(a), finite),
    "softplus beta/threshold": (
        lambda a: a.softplus(2.0, 1.5), lambda a: ag.softplus(a, 2.0, 1.5), away_from_the_softplus_kink
    ),
    "neg": (lambda a: -a, lambda a: -a, finite),
    "square": (lambda a: a**2, lambda a: a**2, finite),
    "cube": (lambda a: a**3, lambda a: a**3, finite),
    "sqrt": (lambda a: a**0.5, lambda a: a**0.5, positive),
    "reciprocal": (lambda a: a**-1, lambda a: a**-1, away_from_zero),
    "number minus": (lambda a: 2.0 - a, lambda a: 2.0 - a, finite),
    "number over": (lambda a: 2.0 / a, lambda a: 2.0 / a, away_from_zero),
    "number power": (lambda a: 2.0**a, lambda a: 2.0**a, finite),
    "number plus": (lambda a: 3 + a, lambda a: 3 + a, finite),
    "number times": (lambda a: 3 * a, lambda a: 3 * a, finite),
    "divided by number": (lambda a: a / 4.0, lambda a: a / 4.0, finite),
}
BINARY = {
    "add": (lambda a, b: a + b, finite, finite),
    "sub": (lambda a, b: a - b, finite, finite),
    "mul": (lambda a, b: a * b, finite, finite),
    "div": (lambda a, b: a / b, finite, away_from_zero),
    "pow": (lambda a, b: a**b, positive, finite),
}


def central_difference(function: Callable[..., Scalar], values: list[float], position: int) -> float:
    step = 1e-6
    up, down = list(values), list(values)
    up[position] += step
    down[position] -= step
    return (function(*map(Scalar, up)).data - function(*map(Scalar, down)).data) / (2 * step)


def gradients(function: Callable[..., Scalar], values: list[float]) -> tuple[float, list[float]]:
    inputs = [Scalar(value) for value in values]
    output = function(*inputs)
    output.backward()
    return output.data, [scalar.grad for scalar in inputs]


def tensor_gradients(function: Callable[..., ag.Tensor], values: list[float]) -> tuple[float, list[float]]:
    inputs = [ag.tensor(value, dtype=ag.float64, requires_grad=True) for value in values]
    output = function(*inputs)
    output.backward()
    return output.item(), [tensor.grad.item() for tensor in inputs]


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_ops_match_central_differences_and_the_tensor_engine(name, data):
    scalar_op, tensor_op, values = UNARY[name]
    value = data.draw(values)
    result, (grad,) = gradients(scalar_op, [value])
    assert grad == pytest.approx(central_difference(scalar_op, [value], 0), rel=1e-5, abs=1e-7)
    tensor_result, (tensor_grad,) = tensor_gradients(tensor_op, [value])
    assert result == pytest.approx(tensor_result, rel=1e-12, abs=1e-15)
    assert grad == pytest.approx(tensor_grad, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("name", BINARY)
@given(data=st.data())
def test_binary_ops_match_central_differences_and_the_tensor_engine(name, data):
    op, left, right = BINARY[name]
    values = [data.draw(left), data.draw(right)]
    result, grads = gradients(op, values)
    for position in range(2):
        assert grads[position] == pytest.approx(central_difference(op, values, position), rel=1e-5, abs=1e-7)
    tensor_result, tensor_grads = tensor_gradients(op, values)
    assert result == pytest.approx(tensor_result, rel=1e-12)
    assert grads == pytest.approx(tensor_grads, rel=1e-12, abs=1e-15)


@given(st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=3))
def test_a_graph_with_shared_nodes_matches_the_tensor_engine(values):
    def network(x, y, z):
        shared = (x * y + z).tanh()  # used three times: its gradient must be complete before it propagates
        return shared * shared + (shared - x).sigmoid() * z + (y * 0.5).exp() / (1 + shared * shared)

    result, grads = gradients(network, values)
    tensor_result, tensor_grads = tensor_gradients(network, values)
    assert result == pytest.approx(tensor_result, rel=1e-12)
    assert grads == pytest.approx(tensor_grads, rel=1e-10, abs=1e-14)


# -- n-ary ops: Scalar.dot and Scalar.sum ------------------------------------------------------
def chained_dot(xs: list, ys: list):
    """The composition Scalar.dot replaces, for Scalars and 0-d Tensors alike."""
    total = xs[0] * ys[0]
    for x, y in zip(xs[1:], ys[1:]):
        total = total + x * y
    return total


def chained_sum(values: list):
    total = values[0]
    for value in values[1:]:
        total = total + value
    return total


NARY = {  # name -> (Scalar.op on the inputs, the chain of + and * it replaces, inputs per value drawn)
    "dot": (lambda *s: Scalar.dot(s[: len(s) // 2], s[len(s) // 2 :]),
            lambda *s: chained_dot(s[: len(s) // 2], s[len(s) // 2 :]), 2),
    "sum": (lambda *s: Scalar.sum(s), lambda *s: chained_sum(s), 1),
}


@pytest.mark.parametrize("name", NARY)
@given(data=st.data())
def test_nary_ops_match_central_differences_their_chain_and_the_tensor_engine(name, data):
    fused, chained, per_value = NARY[name]
    length = data.draw(st.integers(1, 8))
    values = data.draw(st.lists(finite, min_size=per_value * length, max_size=per_value * length))
    result, grads = gradients(fused, values)
    for position in range(len(values)):
        assert grads[position] == pytest.approx(central_difference(fused, values, position), rel=1e-5, abs=1e-7)
    chain_result, chain_grads = gradients(chained, values)
    assert result == chain_result and grads == chain_grads  # the same sums in the same order
    tensor_result, tensor_grads = tensor_gradients(chained, values)
    assert result == pytest.approx(tensor_result, rel=1e-12, abs=1e-15)
    assert grads == pytest.approx(tensor_grads, rel=1e-12, abs=1e-15)


@requires_torch
@given(st.integers(1, 8).flatmap(lambda n: st.tuples(*[st.lists(finite, min_size=n, max_size=n)] * 3)))
def test_nary_ops_match_pytorch(lists):
    xs_values, ys_values, upstream = lists[0], lists[1], lists[2][0]
    xs, ys = [Scalar(value) for value in xs_values], [Scalar(value) for value in ys_values]
    loss = Scalar.dot(xs, ys) * upstream + Scalar.sum(xs).tanh()
    loss.backward()
    torch_xs = torch.tensor(xs_values, dtype=torch.float64, requires_grad=True)
    torch_ys = torch.tensor(ys_values, dtype=torch.float64, requires_grad=True)
    torch_loss = torch.dot(torch_xs, torch_ys) * upstream + torch_xs.sum().tanh()
    torch_loss.backward()
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12, abs=1e-15)
    assert [x.grad for x in xs] == pytest.approx(torch_xs.grad.tolist(), rel=1e-12, abs=1e-15)
    assert [y.grad for y in ys] == pytest.approx(torch_ys.grad.tolist(), rel=1e-12, abs=1e-15)


def test_nary_nodes_are_one_node_with_every_input_and_its_local_derivative():
    w, x = [Scalar(2.0), Scalar(-1.0)], [Scalar(3.0), Scalar(0.5)]
    y = Scalar.dot(w, x)
    assert (y.op, y.data, y.is_leaf) == ("dot", 5.5, False)
    assert y.inputs == (*w, *x) and y.local_grads == (3.0, 0.5, 2.0, -1.0)  # d/dw_i = x_i, d/dx_i = w_i
    assert scalar_module.propagate(y, 2.0) == (6.0, 1.0, 4.0, -2.0) and y.grad == 2.0
    total = Scalar.sum(iter(x))  # any iterable
    assert (total.op, total.data, total.inputs, total.local_grads) == ("sum", 3.5, tuple(x), (1.0, 1.0))


def test_an_input_used_several_times_in_one_nary_node_gets_every_share():
    a, b = Scalar(3.0), Scalar(-2.0)
    squares = Scalar.dot([a, b], [a, b])  # a^2 + b^2
    total = Scalar.sum([a, a, b, squares])  # 2a + b + a^2 + b^2
    total.backward()
    assert total.data == 17.0 and a.grad == 2 + 2 * 3.0 and b.grad == 1 + 2 * -2.0
    total.zero_grad()
    assert a.grad == b.grad == squares.grad == 0.0


def test_nary_graphs_are_spent_by_backward_and_retained_on_request():
    x = Scalar(0.5)
    loss = Scalar.sum([Scalar.dot([x, x], [x, Scalar(2.0)]).exp(), x])
    loss.backward(retain_graph=True)
    first = x.grad
    assert first == pytest.approx(math.exp(0.25 + 1.0) * (2 * 0.5 + 2.0) + 1.0, rel=1e-15)
    loss.backward()
    assert x.grad == pytest.approx(2 * first, rel=1e-15)
    with pytest.raises(GraphError, match=r"a second time: the 'sum' node"):
        loss.backward()


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Scalar.dot([Scalar(1.0)] * 3, [Scalar(1.0)] * 2), ShapeError, ["Scalar.dot", "3 values", "has 2"]),
        (lambda: Scalar.dot([], []), ShapeError, ["Scalar.dot", "0 values", "non-empty"]),
        (lambda: Scalar.sum([]), ShapeError, ["Scalar.sum", "no values"]),
        (lambda: Scalar.dot([Scalar(1.0), 2.0], [Scalar(1.0)] * 2), TypeError, ["Scalar.dot", "xs[1]", "float"]),
        (lambda: Scalar.dot([Scalar(1.0)], [np.float64(2.0)]), TypeError, ["Scalar.dot", "ys[0]", "Scalar(...)"]),
        (lambda: Scalar.sum([Scalar(1.0), ag.tensor(1.0)]), TypeError, ["Scalar.sum", "values[1]", "Tensor"]),
    ],
)
def test_nary_errors_name_the_op_and_the_lengths_or_the_item(make, error, words):
    with pytest.raises(error) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


def test_reflected_and_scalar_exponent_forms():
    a, b = Scalar(2.0), Scalar(3.0)
    assert (a**b).data == 8.0 and (2**b).data == 8.0 and (b**2).data == 9.0
    assert (1 - a).data == -1.0 and (1 / a).data == 0.5 and (np.float64(2.0) * a).data == 4.0
    (a**b).backward()
    assert a.grad == pytest.approx(3 * 2.0**2) and b.grad == pytest.approx(8 * math.log(2.0))


def test_every_node_gets_a_grad_and_constants_are_leaves():
    x = Scalar(3.0, label="x")
    y = x * 2 + 1
    y.backward()
    product = y.inputs[0]
    assert x.grad == 2.0 and product.grad == 1.0 and y.grad == 1.0
    constant = product.inputs[1]
    assert constant.is_leaf and not product.is_leaf and constant.data == 2.0 and constant.grad == 3.0
    assert (y.op, product.op, x.op) == ("+", "*", "") and product.local_grads == (2.0, 3.0)


def test_gradients_accumulate_until_zeroed():
    w = Scalar(0.5, label="w")
    loss = (w * w).tanh()
    loss.backward(retain_graph=True)
    first = w.grad
    loss.backward(retain_graph=True)  # the graph is kept: a second call adds the same gradient again
    assert w.grad == pytest.approx(2 * first)
    loss.zero_grad()
    assert w.grad == 0.0 and loss.grad == 0.0
    loss.backward()
    assert w.grad == pytest.approx(first)
    zero_grad([w])
    assert w.grad == 0.0
    (w * w).tanh().backward()  # a new forward pass from the same leaf: accumulates as usual
    assert w.grad == pytest.approx(first)


def test_a_second_backward_through_a_spent_graph_raises_as_in_pytorch():
    w = Scalar(0.5, label="w")
    hidden = w * w
    loss = hidden.tanh()
    loss.backward()
    grads = (w.grad, hidden.grad, loss.grad)
    with pytest.raises(GraphError, match=r"through the graph a second time: the 'tanh' node .* retain_graph=True"):
        loss.backward()
    with pytest.raises(GraphError, match=r"the '\*' node \(value 0.25\)"):
        (hidden * 3).backward()  # a new graph on top of a spent node
    assert (w.grad, hidden.grad, loss.grad) == grads  # nothing was added by the refused calls
    assert hidden.local_grads == (0.5, 0.5)  # a spent node still shows its local derivatives
    w.backward()
    w.backward()  # a leaf alone is never spent: its gradient accumulates, as PyTorch's
    assert w.grad == grads[0] + 2.0
    if torch is not None:
        torch_w = torch.tensor(0.5, requires_grad=True)
        torch_loss = (torch_w * torch_w).tanh()
        torch_loss.backward()
        assert torch_w.grad.item() == pytest.approx(grads[0])
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            torch_loss.backward()


def test_backward_with_a_gradient_scales_every_gradient():
    x = Scalar(1.5)
    (x * x).backward(gradient=0.5)
    assert x.grad == pytest.approx(1.5)


# -- the fast path equals the general traversal ---------------------------------------------
# Scalar.backward runs scalar.backward_numbers, Traversal specialised to numbers (its
# bookkeeping in slots instead of dicts). Backward stepping drives the general Traversal,
# so the two must visit the nodes in the same order and sum every gradient in the same
# order: these tests compare them node by node, bit for bit.
_GRAD_SLOT = Scalar.grad
VISITS: list = []


class Recorded(Scalar):
    """A Scalar whose ``grad`` logs each write: both loops write a node's ``grad`` once,
    when they visit it, so the log is the visiting order."""

    __slots__ = ()

    @property
    def grad(self) -> float:
        return _GRAD_SLOT.__get__(self)

    @grad.setter
    def grad(self, value: float) -> None:
        VISITS.append(self)
        _GRAD_SLOT.__set__(self, value)


def traversal_backward(root: Scalar, gradient: float) -> None:
    """The general loop: engine.Traversal popping nodes, ``propagate`` for each (as stepping does)."""
    traversal = Traversal((root,), (gradient,), scalar_module._children)
    while (item := traversal.pop()) is not None:
        traversal.push(item[0], scalar_module.propagate(*item))


OPS = {
    "+": lambda a, b: a + b,
    "*": lambda a, b: a * b,
    "-": lambda a, b: a - b,
    "/": lambda a, b: a / (b * b + 0.5),
    "tanh": lambda a, b: a.tanh(),
    "relu": lambda a, b: a.relu(),  # sends -0.0 for negative inputs: zero signs must match too
    "square": lambda a, b: a * a,  # the same input twice
    "neg": lambda a, b: -a,
    "dot": lambda a, b: Scalar.dot([a, b, a], [b, b, 0.5 * a]),  # n-ary, with repeated inputs
    "sum": lambda a, b: Scalar.sum([a, b, a]),
}

# a random graph: leaf values, then (op, input, input) choices among the nodes so far
recipes = st.tuples(
    st.lists(st.floats(-2.0, 2.0), min_size=1, max_size=4),
    st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 10**6), st.integers(0, 10**6)), max_size=30),
)


def build(recipe: tuple) -> tuple[Scalar, list[Scalar]]:
    values, steps = recipe
    nodes = [Scalar(value) for value in values]
    for op, first, second in steps:
        nodes.append(OPS[op](nodes[first % len(nodes)], nodes[second % len(nodes)]))
    root = nodes[-1] * 1.0
    for node in nodes[-4:-1]:  # several outputs feed the root, so many nodes are shared
        root = root + node
    traversal = Traversal((root,), (None,), scalar_module._children)
    graph = list(traversal.dependencies) + [root]  # every node reachable from the root
    for node in graph:
        node.__class__ = Recorded
    return root, graph


def bits(value: float) -> bytes:
    return struct.pack("<d", value)


@given(recipes, st.floats(-3.0, 3.0))
def test_backward_visits_and_sums_exactly_as_the_general_traversal(recipe, gradient):
    fast_root, fast_graph = build(recipe)
    general_root, general_graph = build(recipe)
    position = {node: index for index, node in enumerate(general_graph)}
    VISITS.clear()
    traversal_backward(general_root, gradient)
    general_order = [position[node] for node in VISITS]
    position = {node: index for index, node in enumerate(fast_graph)}
    VISITS.clear()
    fast_root.backward(gradient)
    fast_order = [position[node] for node in VISITS]
    assert fast_order == general_order and sorted(fast_order) == list(range(len(fast_graph)))
    assert [bits(node.grad) for node in fast_graph] == [bits(node.grad) for node in general_graph]
    assert all(node._deps == 0 for node in fast_graph)  # no pending counts left: ready for the next pass


def test_backward_of_a_subgraph_then_of_the_whole_graph():
    x = Scalar(0.5)
    hidden = (x * x).tanh()
    loss = hidden * 3.0 + hidden.exp()
    hidden.backward(retain_graph=True)  # counts only the part below ``hidden``, and leaves it idle
    first = x.grad
    assert first == pytest.approx(2 * 0.5 * (1 - math.tanh(0.25) ** 2))
    loss.backward(retain_graph=True)
    expected = first + (3.0 + math.exp(math.tanh(0.25))) * first
    assert x.grad == pytest.approx(expected, rel=1e-15)
    loss.backward()  # retained: a second pass adds the same gradients again, and spends the graph
    assert x.grad == pytest.approx(2 * expected - first, rel=1e-15)
    with pytest.raises(GraphError, match="a second time"):
        hidden.backward()


def test_an_interrupted_backward_leaves_no_stale_bookkeeping():
    x = Scalar(0.5)
    shared = x.tanh()
    loss = shared * shared + Scalar.dot([shared.exp(), x], [x, shared])
    graph = list(Traversal((loss,), (None,), scalar_module._children).dependencies) + [loss]

    class Interrupted(Scalar):
        __slots__ = ()

        @property
        def grad(self) -> float:
            return _GRAD_SLOT.__get__(self)

        @grad.setter
        def grad(self, value: float) -> None:
            raise KeyboardInterrupt

    shared.__class__ = Interrupted  # the pass stops half-way, at ``shared``
    with pytest.raises(KeyboardInterrupt):
        loss.backward(retain_graph=True)
    assert all(node._deps == 0 for node in graph)
    shared.__class__ = Scalar
    for node in graph:
        node.grad = 0.0
    loss.backward()
    reference_x = Scalar(0.5)
    reference_shared = reference_x.tanh()
    reference_dot = Scalar.dot([reference_shared.exp(), reference_x], [reference_x, reference_shared])
    (reference_shared * reference_shared + reference_dot).backward()
    assert x.grad == reference_x.grad and shared.grad == reference_shared.grad


def test_a_chain_of_a_million_scalars_backpropagates():
    x = Scalar(1.5)
    y = x
    for _ in range(1_000_000):
        y = -y  # one op per link, no constants
    assert y.data == 1.5
    y.backward()
    assert x.grad == 1.0
    del y  # freeing a million-deep chain must not recurse either


def test_a_dropped_graph_is_freed_by_reference_counting_alone():
    def live_scalars() -> int:
        return sum(type(obj) is Scalar for obj in gc.get_objects())

    gc.collect()
    gc.disable()
    try:
        before = live_scalars()
        x = Scalar(0.3)
        loss = ((x * 2).tanh() + x.exp() * x).sigmoid()
        loss.backward()
        assert live_scalars() > before
        del x, loss
        assert live_scalars() == before, "Scalars outlived their graph: some reference cycle keeps them"
    finally:
        gc.enable()


def test_scalars_have_slots_not_dicts():
    assert not hasattr(Scalar(1.0), "__dict__")
    assert not hasattr(Scalar(1.0) * 2, "__dict__")


def test_labels_are_none_until_set_on_op_results_too():
    x = Scalar(1.0, label="x")
    y = x * 2 + x
    assert x.label == "x" and y.label is None and y.inputs[0].label is None and Scalar(1.0).label is None
    y.label = "y"
    assert y.label == "y" and "label='y'" in repr(y)
    y.label = None
    assert y.label is None


def test_repr_and_float():
    s = Scalar(0.25, label="w1")
    assert repr(s) == "Scalar(data=0.25, grad=0, label='w1')" and float(s) == 0.25


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Scalar(0.0).log(), ValueError, ["Scalar.log", "log(0)", "positive"]),
        (lambda: Scalar(-2.0).log(), ValueError, ["Scalar.log", "log(-2)"]),
        (lambda: Scalar(1.0) / 0, ZeroDivisionError, ["Scalar division", "1 / 0", "epsilon"]),
        (lambda: 3 / Scalar(0.0), ZeroDivisionError, ["3 / 0"]),
        (lambda: Scalar(-8.0) ** (1 / 3), ValueError, ["Scalar power", "(-8) ** 0.333", "whole-number"]),
        (lambda: Scalar(0.0) ** -1, ZeroDivisionError, ["0 ** -1"]),
        (lambda: Scalar(800.0).exp(), OverflowError, ["Scalar.exp", "exp(800)", "709.78"]),
        (lambda: Scalar("1.0"), TypeError, ["Scalar()", "str", "autograd_core.tensor"]),
    ],
)
def test_errors_name_the_op_and_the_values(make, error, words):
    with pytest.raises(error) as raised:
        make()
    for word in words:
        assert word in str(raised.value)


@pytest.mark.parametrize("other", ["a", [1.0], None])
def test_non_numbers_are_refused_with_a_type_error(other):
    with pytest.raises(TypeError, match="unsupported operand"):
        Scalar(1.0) + other
    with pytest.raises(TypeError):
        other * Scalar(1.0)


@pytest.mark.parametrize("other, kind", [(ag.tensor([1.0, 2.0]), "Tensor"), (np.array([1.0, 2.0]), "ndarray")])
def test_mixing_with_arrays_says_how_to_convert(other, kind):
    with pytest.raises(TypeError, match=rf"Scalar cannot be combined with a {kind} \(shape \(2,\)\).*item\(\)"):
        Scalar(1.0) * other
