"""Tensor hooks (``Tensor.register_hook``, run by ``engine.py``) and ``retain_grad``:
on leaves and non-leaves, replacing the gradient, removal, order, and PyTorch parity."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import pytest

import autograd_core as ag
from tests.helpers import requires_torch, torch


def run(lib: Any, hooks_on: str, hook: Callable, retain_first: bool = False) -> tuple:
    """y = x * x, z = (y * 3 + y).sum(); a hook on ``x`` or ``y``; returns the grads."""
    x = lib.tensor([1.0, -2.0, 3.0], dtype=lib.float64, requires_grad=True)
    y = x * x
    if retain_first:
        y.retain_grad()
    (x if hooks_on == "x" else y).register_hook(hook)
    y.retain_grad()
    (y * 3 + y).sum().backward()
    return x.grad, y.grad


@pytest.mark.parametrize("hooks_on", ["x", "y"])
@pytest.mark.parametrize("retain_first", [False, True])
def test_a_hook_that_replaces_the_gradient(hooks_on, retain_first):
    x_grad, y_grad = run(ag, hooks_on, lambda gradient: gradient * 10, retain_first)
    x_values = np.array([1.0, -2.0, 3.0])
    # d z/d y = 4; d y/d x = 2x; the hook multiplies whichever gradient it sits on by 10
    np.testing.assert_allclose(x_grad.array, 10 * 4 * 2 * x_values)
    np.testing.assert_allclose(y_grad.array, [40.0] * 3 if hooks_on == "y" else [4.0] * 3)
    if torch is not None:
        expected_x, expected_y = run(torch, hooks_on, lambda gradient: gradient * 10, retain_first)
        np.testing.assert_allclose(x_grad.array, expected_x.numpy())
        np.testing.assert_allclose(y_grad.array, expected_y.numpy())


def test_a_hook_that_only_observes_sees_the_full_gradient_once():
    seen = []
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda gradient: seen.append(gradient.array.copy()))  # returns None: no change
    (x * 2 + x * x + x).sum().backward()  # three uses of x, one call
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0], [5.0, 7.0])
    np.testing.assert_allclose(x.grad.array, [5.0, 7.0])


def test_hooks_run_in_registration_order_each_seeing_the_last_result():
    x = ag.tensor([1.0], requires_grad=True)
    order = []
    x.register_hook(lambda gradient: order.append(("add", gradient.item())) or gradient + 1)
    x.register_hook(lambda gradient: order.append(("double", gradient.item())) or gradient * 2)
    (x * 3).sum().backward()
    assert order == [("add", 3.0), ("double", 4.0)] and x.grad.item() == 8.0


def test_remove_unregisters_a_hook_and_is_idempotent():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    leaf_handle = x.register_hook(lambda gradient: gradient * 100)
    node_handle = y.register_hook(lambda gradient: gradient * 100)
    leaf_handle.remove()
    node_handle.remove()
    node_handle.remove()
    (y * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


def test_hooks_stay_for_later_backward_calls():
    x = ag.tensor([1.0], requires_grad=True)
    calls = []
    x.register_hook(lambda gradient: calls.append(gradient.item()))
    (x * 2).sum().backward()
    (x * 5).sum().backward()
    assert calls == [2.0, 5.0] and x.grad.item() == 7.0


def test_hooks_in_grad_fire_for_inputs_but_not_for_unrelated_leaves():
    x, other = ag.tensor([1.0, 2.0], requires_grad=True), ag.tensor([3.0, 4.0], requires_grad=True)
    fired = []
    x.register_hook(lambda gradient: fired.append("x") or gradient * 10)
    other.register_hook(lambda gradient: fired.append("other"))
    (gradient,) = ag.grad((x * other).sum(), x)
    assert fired == ["x"]
    np.testing.assert_array_equal(gradient.array, [30.0, 40.0])
    assert x.grad is None and other.grad is None
    if torch is not None:
        x_ref, other_ref = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0, 4.0], requires_grad=True)
        x_ref.register_hook(lambda gradient: gradient * 10)
        (expected,) = torch.autograd.grad((x_ref * other_ref).sum(), x_ref)
        np.testing.assert_array_equal(gradient.array, expected.numpy())


def test_a_hook_under_create_graph_is_differentiated_through():
    x = ag.tensor([2.0], dtype=ag.float64, requires_grad=True)
    y = x * x
    y.register_hook(lambda gradient: gradient * x)  # the hook's own op is recorded
    (first,) = ag.grad(y.sum(), x, create_graph=True)  # d/dx [x * 2x] evaluated as 2x * x
    (second,) = ag.grad(first.sum(), x)
    assert first.item() == 8.0 and second.item() == 8.0  # d(2 x^2)/dx = 4x


@requires_torch
def test_a_hook_under_create_graph_matches_pytorch():
    def second_derivative(lib, grad):
        x = lib.tensor([2.0], dtype=lib.float64, requires_grad=True)
        y = x * x
        y.register_hook(lambda gradient: gradient * x)
        (first,) = grad(y.sum(), x, create_graph=True)
        return grad(first.sum(), x)[0].item()

    assert second_derivative(ag, ag.grad) == second_derivative(torch, torch.autograd.grad)


@pytest.mark.parametrize(
    "bad_hook, message",
    [
        (lambda gradient: gradient[:1],
         r"hook '<lambda>' must return None or a Tensor of shape \(2,\).*got a Tensor of shape \(1,\)"),
        (lambda gradient: gradient.array * 2,
         r"hook '<lambda>' must return None or a Tensor.*got a value of type ndarray"),
    ],
)
@pytest.mark.parametrize("on_leaf", [True, False])
def test_a_hook_returning_the_wrong_thing_is_named(bad_hook, message, on_leaf):
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    (x if on_leaf else y).register_hook(bad_hook)
    with pytest.raises(ag.GraphError, match=message):
        y.sum().backward()


def test_hooks_need_a_tensor_that_requires_grad():
    with pytest.raises(ag.GraphError, match=r"register_hook\(\) on a tensor that does not require grad"):
        ag.tensor([1.0]).register_hook(lambda gradient: gradient)


def test_retain_grad_follows_a_tensor_through_an_in_place_op():
    """As in PyTorch, ``.grad`` of a retained tensor is the gradient of its latest value."""
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    y.retain_grad()
    y.mul_(3)
    (y * y).sum().backward()
    np.testing.assert_allclose(y.grad.array, 2 * y.array)
    if torch is not None:
        x_ref = torch.tensor([1.0, 2.0], requires_grad=True)
        y_ref = x_ref * 1
        y_ref.retain_grad()
        y_ref.mul_(3)
        (y_ref * y_ref).sum().backward()
        np.testing.assert_allclose(y.grad.array, y_ref.grad.numpy())
        np.testing.assert_allclose(x.grad.array, x_ref.grad.numpy())
