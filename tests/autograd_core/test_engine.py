"""The reverse pass (``engine.py``): ``backward`` and ``grad`` with PyTorch's semantics.

Accumulation, complete gradients before propagation, deep graphs without recursion,
freeing of saved values, ``grad()`` leaving ``.grad`` alone, higher-order gradients,
and a graph that is freed by reference counting alone (no cycles).
"""
from __future__ import annotations

import gc
import weakref
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings

import autograd_core as ag
from tests.helpers import broadcast_pair, compare_with_torch, float_arrays, requires_torch, shapes, torch


def leaf(values: Any, dtype: Any = ag.float64) -> ag.Tensor:
    return ag.tensor(values, dtype=dtype, requires_grad=True)


# -- accumulation -------------------------------------------------------------------------
def test_gradients_accumulate_across_backward_calls_until_zeroed():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [4.0, 8.0])  # 2x, twice
    x.grad.zero_()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])
    x.grad = None
    (x * 5).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [5.0, 5.0])


@pytest.mark.parametrize("create_graph", [False, True])
def test_leaf_gradients_never_alias_each_other_or_the_callers_tensors(create_graph):
    upstream = ag.tensor([1.0, 1.0], dtype=ag.float64)
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).backward(upstream, create_graph=create_graph)  # Add hands one gradient object to both
    assert a.grad is not b.grad
    (a * 1).backward(upstream)  # accumulates into a.grad only
    np.testing.assert_array_equal(a.grad.array, [2.0, 2.0])
    np.testing.assert_array_equal(b.grad.array, [1.0, 1.0])
    x = leaf([1.0, 2.0])
    x.backward(upstream, create_graph=create_graph)  # a leaf root receives the caller's gradient
    x.backward(upstream)
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])
    np.testing.assert_array_equal(upstream.array, [1.0, 1.0])


def test_leaf_gradient_keeps_the_leaf_dtype():
    x = ag.tensor([1.0, 2.0], requires_grad=True)  # float32
    (x * ag.tensor([1.0, 3.0], dtype=ag.float64)).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [1.0, 3.0])



def _fresh_gradient_cases():
    """(name, a function of tensors, the tensors): ops whose class declares ``fresh_gradients``."""
    import nn
    import nn.functional as F

    rng = np.random.default_rng(0)

    def t(*shape):
        return ag.tensor(rng.standard_normal(shape), requires_grad=True)

    lstm = nn.LSTM(3, 4, dtype=ag.float64)
    gru = nn.GRU(3, 4, dtype=ag.float64)
    return [
        ("linear, batch 1", lambda x, w, b: F.linear(x, w, b), (t(1, 5), t(4, 5), t(4))),
        ("linear, batch 3", lambda x, w, b: F.linear(x, w, b), (t(3, 5), t(4, 5), t(4))),
        ("linear, bias of rows", lambda x, w, b: F.linear(x, w, b), (t(3, 5), t(4, 5), t(3, 4))),
        ("conv2d", lambda x, w, b: F.conv2d(x, w, b, padding=1), (t(2, 3, 5, 5), t(4, 3, 3, 3), t(4))),
        ("lstm", lambda x, h, c: lstm(x, (h, c))[0], (t(5, 2, 3), t(1, 2, 4), t(1, 2, 4))),
        ("gru", lambda x, h: gru(x, h)[0], (t(5, 2, 3), t(1, 2, 4))),
    ]


@pytest.mark.parametrize("case", _fresh_gradient_cases(), ids=lambda case: case[0])
def test_declared_fresh_gradients_share_memory_with_nothing_else_the_backward_touches(case):
    """``Function.fresh_gradients`` lets a leaf's first .grad take the array uncopied: the array must
    be the backward's own, sharing memory with no other gradient, the upstream one or a saved value."""
    from autograd_core import engine

    _, function, tensors = case
    out = function(*tensors)
    node = out.grad_fn
    while node.fresh_gradients == () and node._next:  # from a view of the op's output to the op
        node = next(child for child in node._next if child is not None)
    assert node.fresh_gradients, f"{node.name()} declares no fresh gradients"
    upstream = np.random.default_rng(1).standard_normal(node._shape)
    saved = [value.array for value in node.saved_tensors if isinstance(value, ag.Tensor)]
    with ag.no_grad():
        grads = engine.input_gradients(node, upstream, arrays=True)
    for position in node.fresh_gradients:
        grad = grads[position]
        if grad is None:
            continue
        others = [upstream, *saved, *(g for p, g in enumerate(grads) if p != position and g is not None)]
        assert not any(np.shares_memory(grad, other) for other in others), f"{node.name()} input {position}"


def test_a_leafs_first_gradient_taken_uncopied_still_accumulates_and_leaves_hooks_their_copy():
    import nn.functional as F

    x, w = ag.tensor(np.ones((1, 3))), leaf(np.arange(6.0).reshape(2, 3))
    seen = []
    handle = w.register_hook(lambda grad: seen.append(grad))  # a hook sees the gradient: no taking it
    F.linear(x, w).sum().backward()
    F.linear(x, w).sum().backward()  # accumulates in place into w.grad
    np.testing.assert_array_equal(w.grad.array, np.full((2, 3), 2.0))
    np.testing.assert_array_equal(seen[0].array, np.ones((2, 3)))  # what the hook kept is unchanged
    handle.remove()
    w.grad = None
    for _ in range(2):  # now taken uncopied, then added to
        (F.linear(x, w) * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.array, np.full((2, 3), 6.0))
    conv_weight = leaf(np.ones((4, 3, 3, 3)))  # taken or copied, a first .grad is C-contiguous
    F.conv2d(ag.tensor(np.ones((2, 3, 5, 5))), conv_weight).sum().backward()
    assert conv_weight.grad.array.flags.c_contiguous and w.grad.array.flags.c_contiguous
    shared = leaf(np.ones((3, 3)))  # one weight in two nodes: their sum is the engine's own array
    (F.linear(x, shared) + F.linear(2 * x, shared)).sum().backward()
    np.testing.assert_array_equal(shared.grad.array, np.full((3, 3), 3.0))

# -- complete gradients before propagation ---------------------------------------------------
def test_a_shared_node_propagates_once_with_its_full_gradient():
    """``shared`` feeds a long path and three short ones; its hook (run when the node
    propagates) must fire once, with the sum of all four contributions."""
    x = leaf([1.0, 2.0])
    shared = x * 0.5
    received = []
    shared.register_hook(lambda gradient: received.append(gradient.array.copy()))
    long_path = shared
    for _ in range(50):
        long_path = long_path * 1.01
    y = long_path + shared * shared + shared.exp() + shared
    y.sum().backward()
    s = x.array * 0.5
    expected = 1.01**50 + 2 * s + np.exp(s) + 1
    assert len(received) == 1
    np.testing.assert_allclose(received[0], expected, rtol=1e-12)
    np.testing.assert_allclose(x.grad.array, 0.5 * expected, rtol=1e-12)


@requires_torch
def test_diamond_and_repeated_use_match_pytorch():
    def f(lib, x):
        a = x * 3
        b, c = a * a, a.exp()
        d = b * c + a * x + x * x * x  # x used directly several times and through a
        return (d / (1 + a * a)).sum()

    values = np.array([0.3, -0.7, 1.1])
    x, x_ref = leaf(values), torch.tensor(values, requires_grad=True)
    f(ag, x).backward()
    f(torch, x_ref).backward()
    np.testing.assert_allclose(x.grad.array, x_ref.grad.numpy(), rtol=1e-12)


@settings(max_examples=15)
@given(pair=broadcast_pair())
def test_broadcast_inputs_get_gradients_of_their_own_shape(pair):
    """The engine sums a broadcast gradient back to each input's shape (one place)."""
    first, second = pair
    op = lambda a, b: (a * b + a).exp() - b  # noqa: E731
    a, b = leaf(first), leaf(second)
    out = op(a, b)
    out.backward(ag.ones_like(out))
    assert a.grad.shape == first.shape and b.grad.shape == second.shape
    if torch is not None:
        compare_with_torch(op, op, [first, second], [True, True])


@requires_torch
@settings(max_examples=10)
@given(array=shapes(min_dims=1).flatmap(float_arrays))
def test_backward_with_a_gradient_is_a_vector_jacobian_product(array):
    upstream = np.cos(np.arange(array.size)).reshape(array.shape)
    x, x_ref = leaf(array), torch.tensor(array, requires_grad=True)
    (x.tanh() * x).backward(ag.tensor(upstream))
    (x_ref.tanh() * x_ref).backward(torch.tensor(upstream))
    np.testing.assert_allclose(x.grad.array, x_ref.grad.numpy(), rtol=1e-12, atol=1e-15)


@requires_torch
def test_backward_of_several_outputs_matches_pytorch():
    values = np.array([0.5, 1.5])
    x, x_ref = leaf(values), torch.tensor(values, requires_grad=True)
    outputs = [x * x, x.exp().sum()]
    outputs_ref = [x_ref * x_ref, x_ref.exp().sum()]
    ag.backward(outputs, [ag.tensor([1.0, -2.0], dtype=ag.float64), None])
    torch.autograd.backward(outputs_ref, [torch.tensor([1.0, -2.0], dtype=torch.float64), None])
    np.testing.assert_allclose(x.grad.array, x_ref.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("order", [0, 1])
def test_an_output_that_another_output_depends_on_gets_both_gradients(order):
    """backward([t, s]) with t computed from s: s's node waits for t's gradient and adds its own
    (it was a KeyError in the dependency count); grad() too, with both roots' weights."""
    values = np.array([0.5, -1.5])
    x = leaf(values)
    s = (x * 3.0).sum()
    t = s * 2.0
    ag.backward([t, s][::1 - 2 * order])
    np.testing.assert_allclose(x.grad.array, [9.0, 9.0])  # 2 * 3 from t, 3 from s
    s = (x * x).sum()
    (gradient,) = ag.grad([s, s.exp()][::1 - 2 * order], x, grad_outputs=[ag.tensor(2.0, dtype=ag.float64)] * 2)
    np.testing.assert_allclose(gradient.array, 2 * 2 * values * (1 + np.exp((values * values).sum())))


# -- deep graphs ------------------------------------------------------------------------
class ScaleByConstant(ag.Function):
    """``factor * x`` with a one-line backward, so that a million nodes stay cheap: the
    engine's traversal is what is under test here, not an op."""

    @staticmethod
    def forward(ctx: ag.Function, x: ag.Tensor, factor: float) -> np.ndarray:
        ctx.factor = factor
        return x.array * factor

    @staticmethod
    def backward(ctx: ag.Function, grad_output: ag.Tensor) -> tuple:
        return grad_output.array * ctx.factor, None  # d(factor x)/dx = factor


def test_a_chain_of_a_million_ops_backpropagates_without_recursion():
    length, factor = 1_000_000, 1.0000001
    x = leaf(1.0)
    gc.disable()  # the graph has no cycles, so the collector has nothing to find: pausing it keeps this fast
    try:
        y = x
        for _ in range(length):
            y = ScaleByConstant.apply(y, factor)
        assert y.item() == pytest.approx(factor**length, rel=1e-9)
        y.backward()
        del y  # freeing a million-deep chain must not recurse either
    finally:
        gc.enable()
    assert x.grad.item() == pytest.approx(factor**length, rel=1e-9)


def test_a_deep_chain_of_real_ops_backpropagates():
    """10^4 steps of ``log(exp(1.0001 y))`` (3 * 10^4 nodes, far past the recursion limit):
    each step's derivative is 1.0001, so the gradient is 1.0001 ** 10^4."""
    steps = 10_000
    x = leaf(0.5)
    y = x
    for _ in range(steps):
        y = (y * 1.0001).exp().log()
    y.backward()
    assert x.grad.item() == pytest.approx(1.0001**steps, rel=1e-9)


# -- freeing saved values ------------------------------------------------------------------
def test_second_backward_through_freed_saved_values_says_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(ag.GraphError,
                       match=r"(ExpBackward|MulBackward).*second time.*already freed.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_and_grad_call():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad.array.copy()
    (again,) = ag.grad(y, x, retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.array, 2 * first)
    np.testing.assert_allclose(again.array, first)
    with pytest.raises(ag.GraphError, match="retain_graph=True"):
        y.backward()


@requires_torch
def test_a_graph_without_saved_values_can_be_walked_twice_as_in_pytorch():
    x, x_ref = leaf([1.0, 2.0]), torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y, y_ref = (x + 3.0).sum(), (x_ref + 3.0).sum()
    for _ in range(2):
        y.backward()
        y_ref.backward()
    np.testing.assert_array_equal(x.grad.array, x_ref.grad.numpy())


# -- grad() ---------------------------------------------------------------------------
def test_grad_returns_a_tuple_and_leaves_dot_grad_alone():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    hidden = x * w
    hidden.retain_grad()
    result = ag.grad((hidden * hidden).sum(), (x, hidden))
    assert isinstance(result, tuple) and len(result) == 2
    np.testing.assert_allclose(result[0].array, 2 * (x.array * w.array) * w.array)
    np.testing.assert_allclose(result[1].array, 2 * hidden.array)
    assert x.grad is None and w.grad is None
    np.testing.assert_allclose(hidden.grad.array, 2 * hidden.array)  # retain_grad() still fills, as in PyTorch
    assert not result[0].requires_grad  # no create_graph: plain values
    (single,) = ag.grad((x * 2).sum(), x)  # one input (not in a list) still gives a tuple
    np.testing.assert_array_equal(single.array, [2.0, 2.0])


def test_grad_with_unused_inputs():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(ag.GraphError, match=r"input 1 \(shape \(1,\)\) was not used.*allow_unused=True"):
        ag.grad((x * x).sum(), [x, unused])
    gradient, nothing = ag.grad((x * x).sum(), [x, unused], allow_unused=True)
    assert nothing is None and gradient.item() == 2.0


def test_grad_with_several_outputs_and_grad_outputs_matches_pytorch():
    values = np.array([0.2, -0.4, 0.9])
    x = leaf(values)
    weights = [ag.tensor([1.0, 2.0, 3.0], dtype=ag.float64), None]
    (gradient,) = ag.grad([x.sin(), (x * x).sum()], x, grad_outputs=weights)
    np.testing.assert_allclose(gradient.array, np.cos(values) * [1.0, 2.0, 3.0] + 2 * values)
    if torch is not None:
        x_ref = torch.tensor(values, requires_grad=True)
        weights_ref = [torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), None]
        (expected,) = torch.autograd.grad([x_ref.sin(), (x_ref * x_ref).sum()], x_ref, grad_outputs=weights_ref)
        np.testing.assert_allclose(gradient.array, expected.numpy(), rtol=1e-12)


def test_grad_of_or_with_respect_to_an_integer_tensor_is_impossible():
    labels = ag.tensor([1, 2])
    with pytest.raises(ag.GraphError, match=r"does not require grad and has no grad_fn"):
        ag.grad(labels.sum(), labels)
    x = leaf([1.0, 2.0])
    with pytest.raises(ag.GraphError, match=r"grad: input 0 \(shape \(2,\)\) does not require grad"
                                            r".*int64.*only floating point"):
        ag.grad((x * labels).sum(), labels)


# -- higher order ---------------------------------------------------------------------------
def test_create_graph_gives_second_and_third_derivatives():
    x = leaf([0.5, -1.0, 2.0])
    (first,) = ag.grad((x**4).sum(), x, create_graph=True)
    assert first.requires_grad
    (second,) = ag.grad(first.sum(), x, create_graph=True)
    (third,) = ag.grad(second.sum(), x)
    np.testing.assert_allclose(first.array, 4 * x.array**3)
    np.testing.assert_allclose(second.array, 12 * x.array**2)
    np.testing.assert_allclose(third.array, 24 * x.array)


def test_backward_with_create_graph_makes_dot_grad_differentiable():
    x = leaf([1.0, 2.0, 3.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    first = x.grad
    x.grad = None
    first.sum().backward()
    np.testing.assert_allclose(x.grad.array, 6 * x.array)


def test_hessian_vector_product_equals_the_analytic_hessian_times_v():
    """f(x) = 1/2 x^T A x + sum(sin x) has Hessian (A + A^T)/2 - diag(sin x)."""
    rng = np.random.default_rng(0)
    matrix, values, v = rng.standard_normal((4, 4)), rng.standard_normal(4), rng.standard_normal(4)
    x = leaf(values)
    a = ag.tensor(matrix)
    f = 0.5 * (x @ (a @ x)) + x.sin().sum()
    (gradient,) = ag.grad(f, x, create_graph=True)
    np.testing.assert_allclose(gradient.array, 0.5 * (matrix + matrix.T) @ values + np.cos(values), rtol=1e-12)
    (hvp,) = ag.grad(gradient, x, grad_outputs=ag.tensor(v))
    hessian = 0.5 * (matrix + matrix.T) - np.diag(np.sin(values))
    np.testing.assert_allclose(hvp.array, hessian @ v, rtol=1e-12)


@requires_torch
def test_gradient_penalty_matches_pytorch():
    """WGAN-GP style: the norm of d(critic)/d(input), pushed towards 1, trains the weights."""
    rng = np.random.default_rng(1)
    arrays = {"inputs": rng.standard_normal((5, 3)), "w1": rng.standard_normal((3, 4)),
              "w2": rng.standard_normal((4, 1))}

    def penalty(lib, inputs, w1, w2, grad):
        critic = ((inputs @ w1).tanh() @ w2).sum()
        (input_grad,) = grad(critic, inputs, create_graph=True)
        norms = ((input_grad * input_grad).sum(1) + 1e-12).sqrt()
        return ((norms - 1.0) ** 2).mean()

    ours = {name: leaf(value) for name, value in arrays.items()}
    theirs = {name: torch.tensor(value, requires_grad=True) for name, value in arrays.items()}
    loss = penalty(ag, **ours, grad=lambda o, i, **k: ag.grad(o, i, **k))
    loss_ref = penalty(torch, **theirs, grad=lambda o, i, **k: torch.autograd.grad(o, i, **k))
    loss.backward()
    loss_ref.backward()
    assert loss.item() == pytest.approx(loss_ref.item(), rel=1e-12)
    for name in arrays:
        np.testing.assert_allclose(ours[name].grad.array, theirs[name].grad.numpy(), rtol=1e-10, err_msg=name)


# -- no reference cycles --------------------------------------------------------------------
@pytest.mark.parametrize("walk", ["none", "backward", "retain_graph", "grad"])
def test_the_graph_is_freed_by_reference_counting_alone(walk):
    """With the cycle collector off, dropping the last reference must free every node
    and every saved array, before and after backward: the graph holds no cycles."""
    gc.disable()
    try:
        x = ag.randn(512, 64, requires_grad=True)
        w = ag.randn(64, 32, requires_grad=True)
        hidden = (x @ w).tanh()  # Tanh saves its output
        shifted = hidden * 2.0
        shifted.add_(1.0)  # an in-place op on a non-leaf
        shifted[0] = 0.0
        probs = shifted.exp().softmax(dim=1)  # Exp and Softmax save their outputs too
        loss = (probs * hidden).sum()
        saved_array, node = weakref.ref(hidden.array), weakref.ref(probs.grad_fn)
        if walk in ("backward", "retain_graph"):
            loss.backward(retain_graph=walk == "retain_graph")
        elif walk == "grad":
            ag.grad(loss, [w])
        del hidden, shifted, probs
        assert node() is not None  # still reachable from loss
        # only the graph holds the array now: a backward that does not retain it frees it
        assert (saved_array() is None) == (walk in ("backward", "grad"))
        del loss
        assert saved_array() is None, "a saved array outlived its graph: some reference cycle keeps it"
        assert node() is None, "a graph node outlived its graph: some reference cycle keeps it"
    finally:
        gc.enable()


def test_retained_gradients_do_not_keep_the_graph_alive():
    gc.disable()
    try:
        x = ag.randn(100, 10, requires_grad=True)
        y = x.exp()
        y.retain_grad()
        node = weakref.ref(y.grad_fn)
        y.sum().backward()
        assert y.grad is not None
        del y
        assert node() is None
    finally:
        gc.enable()


# -- backward(inputs=...) ------------------------------------------------------------------------
def _two_layer(module: Any) -> tuple:
    w1 = module.tensor([[0.5, -1.0], [2.0, 0.25]], dtype=module.float64, requires_grad=True)
    w2 = module.tensor([[1.5], [-0.5]], dtype=module.float64, requires_grad=True)
    x = module.tensor([[1.0, 2.0]], dtype=module.float64)
    hidden = (x @ w1).tanh()
    return w1, w2, hidden, (hidden @ w2).sum()


@requires_torch
@pytest.mark.parametrize("which", ["w1", "w2", "hidden", "w1 and hidden"])
def test_backward_with_inputs_fills_only_those_grads_as_pytorch(which):
    results = []
    for module in (ag, torch):
        w1, w2, hidden, loss = _two_layer(module)
        named = {"w1": w1, "w2": w2, "hidden": hidden}
        chosen = [named[name] for name in which.split(" and ")]
        loss.backward(inputs=chosen if len(chosen) > 1 else chosen[0], retain_graph=True)
        loss.backward(inputs=chosen)  # accumulates, as .grad always does
        results.append({name: None if t.grad is None else t.grad.detach().numpy() for name, t in named.items()})
    ours, theirs = results
    for name in ours:
        assert (ours[name] is None) == (theirs[name] is None), name
        if ours[name] is not None:
            np.testing.assert_allclose(ours[name], theirs[name])


def test_backward_inputs_that_are_unused_keep_their_grad_and_bad_ones_are_named():
    w1, w2, hidden, loss = _two_layer(ag)
    unused = ag.ones(2, requires_grad=True)
    ag.autograd.backward(loss, inputs=[unused, w2])
    assert unused.grad is None and w2.grad is not None and w1.grad is None
    _, _, _, loss = _two_layer(ag)
    with pytest.raises(ag.GraphError, match="backward: inputs is empty"):
        loss.backward(inputs=[])
    with pytest.raises(ag.GraphError, match=r"backward: input 0 \(shape \(2,\)\) does not require grad"):
        loss.backward(inputs=[ag.ones(2)])


def test_retains_grad_and_detach_in_place():
    x = ag.ones(2, requires_grad=True)
    y = x * 2
    assert not y.retains_grad and not x.retains_grad
    y.retain_grad()
    assert y.retains_grad
    z = x * 3
    assert z.detach_() is z and z.is_leaf and not z.requires_grad
